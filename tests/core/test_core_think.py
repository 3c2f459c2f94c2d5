"""The one split of a trace on its reasoning tags, as every stage reads it."""

from __future__ import annotations

from distill.core.code_blocks import last_code_block
from distill.core.think import final_text, join_think, split_at_close, split_think


def test_the_answer_is_after_the_last_close_tag():
    text = "<think>a</think>not yet</think> final"
    assert split_think(text) == ("a</think>not yet", " final")
    assert final_text(text) == " final"
    assert split_at_close(text) == ("<think>a</think>not yet", " final")


def test_no_close_tag_means_no_answer():
    assert split_think("<think>still thinking, \\boxed{4}") == (None, None)
    assert final_text("\\boxed{4}") is None and split_at_close("x") is None


def test_a_forced_prefix_leaves_no_opening_tag():
    assert split_think("reasoning\n</think>\n\nanswer") == ("reasoning\n", "\n\nanswer")


def test_join_is_the_canonical_shape_and_splits_back():
    text = join_think("r", "a")
    assert text == "<think>\nr\n</think>\n\na"
    assert split_think(text) == ("\nr\n", "\n\na")


def test_every_stage_shares_the_one_split_and_extractor():
    from distill.filter import format as filter_format
    from distill.train.rewards import text as reward_text
    from distill.verify import extract

    assert reward_text.split_think is split_think and extract.final_text is final_text
    assert extract.last_code_block is last_code_block
    assert filter_format.split("<think>r</think>a") == ("r", "a")
