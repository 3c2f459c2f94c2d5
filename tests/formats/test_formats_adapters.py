"""Each adapter maps its dataset's rows to distill's records, and says why a row does not fit."""

from __future__ import annotations

import pytest

from distill import formats
from distill.formats import Bad, Unverifiable, think
from tests.formats import datasets


def test_each_layout_is_detected_from_its_columns():
    cases = {"openr1_math": datasets.openr1_math()[0][0], "sharegpt": datasets.sharegpt()[0][0], "s1k": datasets.s1k()[0][0],
             "numina_math": datasets.numina()[0][0], "apps": datasets.apps()[0], "code_contests": datasets.code_contests()[0],
             "verifiable_code": datasets.verifiable_code()[0], "gpqa": datasets.gpqa()[0]}
    for name, row in cases.items():
        assert formats.detect(row).name == name, name
    assert formats.detect({"messages": []}).name == "chat"
    assert formats.detect({"problem": "p", "completion": "c"}).name == "trace"
    assert formats.detect({"text": "x"}) is None


def test_openr1_row_gives_one_trace_per_generation_with_its_verdicts():
    rows, _ = datasets.openr1_math()
    traces = formats.traces(formats.get("openr1_math"), rows[0])
    assert [t["finish_reason"] for t in traces] == ["stop", "stop", "length"]
    assert [t["sample_index"] for t in traces] == [0, 1, 2]
    assert [t["meta"]["correctness_math_verify"] for t in traces] == [True, False, False]
    assert traces[2]["meta"]["is_reasoning_complete"] is False and traces[0]["meta"]["uuid"] == "u-1"
    assert all(t["answer"] == "42" and t["domain"] == "math" for t in traces)
    proof = formats.traces(formats.get("openr1_math"), rows[1])
    assert len(proof) == 2 and all(isinstance(t, Unverifiable) and "'proof'" in str(t) for t in proof)
    wrong = formats.traces(formats.get("openr1_math"), rows[2])
    assert len(wrong) == 1 and "column 'generations': expected a list, got str" in str(wrong[0])


def test_thought_markers_become_think_tags():
    text = datasets.marked(1, "42")
    out = think.to_think(text)
    assert out.startswith("<think>\n") and "\n</think>\n\nThe result is $\\boxed{42}$." in out
    assert not think.has_markers(out)
    assert think.to_think("<think>\na\n</think>\n\nb") == "<think>\na\n</think>\n\nb"
    with pytest.raises(Bad, match="thought markers"):
        think.to_think("<|begin_of_thought|> never ends")


def test_sharegpt_conversation_is_whole_and_converted():
    rows, _ = datasets.sharegpt()
    fmt = formats.get("sharegpt")
    messages = formats.conversation(fmt, rows[2])
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant"]
    assert all(m["content"].startswith("<think>\n") for m in messages if m["role"] == "assistant")
    assert [m["role"] for m in formats.conversation(fmt, rows[1])] == ["user", "assistant"]  # human/gpt
    (multi,) = formats.traces(fmt, rows[2])  # the filter judges the last answer; the rest rides along
    assert multi["problem"] == "And one above 20?" and "\\boxed{23}" in multi["completion"]
    assert [t["role"] for t in multi["context"]] == ["system", "user", "assistant"]
    with pytest.raises(Bad, match=r"value must be a string, got list"):
        formats.conversation(fmt, rows[4])


def test_s1k_joins_thinking_and_attempt():
    rows, _ = datasets.s1k()
    (trace,) = formats.traces(formats.get("s1k"), rows[0])
    assert trace["completion"].startswith("<think>\n") and trace["completion"].endswith("</think>\n\nSo $x = \\boxed{42}$.")
    assert trace["answer"] == "42" and trace["domain"] == "math"
    (science,) = formats.traces(formats.get("s1k"), rows[1])
    assert science["domain"] == "general"  # the adapter's default for science
    (mapped,) = formats.traces(formats.get("s1k"), rows[1], domain_map={"science": "choice"})
    assert mapped["domain"] == "choice"
    assert isinstance(formats.traces(formats.get("s1k"), rows[2])[0], Unverifiable)


def test_numina_answers_come_from_the_box_and_proofs_are_unverifiable():
    rows, expected = datasets.numina()
    fmt = formats.get("numina_math")
    got, unverifiable = {}, 0
    for row in rows:
        try:
            record = formats.prompt(fmt, row)
            got[record["problem"]] = record["answer"]
        except Unverifiable:
            unverifiable += 1
    assert got == expected["answers"] and unverifiable == expected["unverifiable"]


def test_code_layouts_give_stdin_stdout_tests():
    apps = formats.prompt(formats.get("apps"), datasets.apps()[0])
    assert apps["tests"] == [{"input": "1 2\n", "output": "3\n"}, {"input": "5 7\n", "output": "12\n"}] and apps["domain"] == "code"
    with pytest.raises(Unverifiable, match="call-based"):
        formats.prompt(formats.get("apps"), datasets.apps()[1])
    contests = formats.prompt(formats.get("code_contests"), datasets.code_contests()[0])
    assert [t["output"] for t in contests["tests"]] == ["3\n", "30\n", "0\n"]
    vc = formats.prompt(formats.get("verifiable_code"), datasets.verifiable_code()[0])
    assert vc["tests"] == [{"input": "4\n", "output": "16\n"}] and vc["id"] == "vc-1"


def test_gpqa_prompt_has_the_eval_letters():
    from distill.evaluate.data import gpqa_doc

    row = datasets.gpqa()[0]
    record = formats.prompt(formats.get("gpqa"), row)
    doc = gpqa_doc(row, 0, "gpqa_diamond")
    assert record["answer"] == doc["answer"] and record["domain"] == "choice"
    for letter, choice in zip("ABCD", doc["choices"]):
        assert f"\n{letter}) {choice}" in record["problem"]


def test_unknown_domain_names_the_fix():
    with pytest.raises(Bad, match=r"domain 'chemistry' is not one of .*domain_map: \{chemistry: general\}"):
        formats.resolve_domain("chemistry")
    assert formats.resolve_domain("chemistry", {"chemistry": "choice"}) == "choice"
