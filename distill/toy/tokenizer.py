"""The toy tokenizer: byte-level BPE trained in seconds on text made on the spot.

Byte-level means any text round-trips (Chinese included); digits are split one per token, as in
Qwen and Llama 3, which is what lets a tiny model learn arithmetic at all.
"""

from __future__ import annotations

from pathlib import Path

# The same ChatML template `distill train-student` installs on base models: one contract for both.
from distill.core.chat_template import DISTILL_CHATML as CHAT_TEMPLATE
from distill.core.think import THINK_TAGS

PAD = "<|endoftext|>"
IM_START = "<|im_start|>"
EOS = "<|im_end|>"
THINK_TOKENS = THINK_TAGS
DEFAULT_VOCAB_SIZE = 512
MODEL_MAX_LENGTH = 2048


def train_backend(vocab_size: int = DEFAULT_VOCAB_SIZE, seed: int = 0):
    """A `tokenizers.Tokenizer` trained on the toy corpus."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers

    from distill.toy.corpus import corpus_lines

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, IM_START, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(corpus_lines(seed=seed), trainer=trainer)
    # Not special: decoding with skip_special_tokens=True must keep the reasoning markers.
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in THINK_TOKENS])
    return tok


def build_tokenizer(out_dir: str | Path, vocab_size: int = DEFAULT_VOCAB_SIZE, seed: int = 0):
    """Train the toy tokenizer, save it to `out_dir` and return it as a PreTrainedTokenizerFast."""
    from transformers import PreTrainedTokenizerFast

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=train_backend(vocab_size, seed),
        eos_token=EOS,
        pad_token=PAD,
        additional_special_tokens=[IM_START],
        model_max_length=MODEL_MAX_LENGTH,
        padding_side="right",
        clean_up_tokenization_spaces=False,
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(out_dir)
    return tokenizer
