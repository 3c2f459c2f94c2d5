"""The fate of every row read, kept in memory as small metadata (no texts): the accounting book.

One entry per row in read order: its reject reason code (or kept / malformed), detail, id, prompt,
source, domain and length. Dataset-level steps (dedup, selection, mixture) read and mark it; the
writer reads it in a second pass over the inputs to route each row to the dataset, rejects or
quarantine. About 150 bytes a row plus 256 bytes a MinHash signature for survivors.
"""

from __future__ import annotations

from array import array

import numpy as np

from distill.filter.chain import REASONS
from distill.filter.worker import RowResult

KEPT = 0
MALFORMED = -1
CODE = {name: i + 1 for i, name in enumerate(REASONS)}
NAME = {code: name for name, code in CODE.items()} | {KEPT: "kept", MALFORMED: "malformed"}


class SignatureBuffer:
    """A growable (n, num_perm) uint32 array: one block of memory, not a Python object per row."""

    def __init__(self):
        self.data: np.ndarray | None = None
        self.n = 0

    def append(self, sig: np.ndarray) -> None:
        if self.data is None:
            self.data = np.empty((1024, len(sig)), dtype=np.uint32)
        if self.n == len(self.data):
            self.data = np.concatenate([self.data, np.empty_like(self.data)])
        self.data[self.n] = sig
        self.n += 1

    def __len__(self) -> int:
        return self.n

    def array(self) -> np.ndarray:
        return self.data[: self.n] if self.data is not None else np.empty((0, 0), dtype=np.uint32)


class Ledger:
    def __init__(self, source_names: list[str], domains: list[str]):
        self.source_names = source_names
        self.domains = domains
        self.code = array("b")
        self.source = array("b")
        self.domain = array("b")
        self.tokens = array("q")
        self.sample_index = array("q")
        self.prompt = array("q")  # index into self.prompt_keys; -1 when malformed
        self.ids: list[str | None] = []
        self.detail: dict[int, str] = {}
        self.prompt_keys: list[str] = []
        self._prompt_index: dict[str, int] = {}
        self.problem_sigs: dict[int, np.ndarray] = {}  # prompt -> signature of its problem
        self.survivor_rows = array("q")  # rows that passed the record-level filters, in order
        self.survivor_hashes = array("Q")
        self.completion_sigs = SignatureBuffer()

    def __len__(self) -> int:
        return len(self.code)

    def add_malformed(self, source: int, detail: str) -> int:
        index = len(self.code)
        self.code.append(MALFORMED)
        self.source.append(source)
        self.domain.append(-1)
        self.tokens.append(0)
        self.sample_index.append(0)
        self.prompt.append(-1)
        self.ids.append(None)
        self.detail[index] = detail
        return index

    def add(self, row: RowResult) -> None:
        assert row.index == len(self.code), "rows must be added in read order"
        source = row.source
        if row.reason == "malformed":
            assert row.detail is not None  # a malformed row's detail is its quarantine entry
            self.add_malformed(source, row.detail)
            return
        assert row.prompt_key is not None and row.domain is not None  # set on every row that was read
        prompt = self._prompt_index.get(row.prompt_key)
        if prompt is None:
            prompt = self._prompt_index[row.prompt_key] = len(self.prompt_keys)
            self.prompt_keys.append(row.prompt_key)
        self.code.append(KEPT if row.reason is None else CODE[row.reason])
        self.source.append(source)
        self.domain.append(self.domains.index(row.domain))
        self.tokens.append(row.tokens)
        self.sample_index.append(row.sample_index)
        self.prompt.append(prompt)
        self.ids.append(row.id)
        if row.reason is not None:
            assert row.detail is not None  # a rejected row's detail is the filter's reason
            self.detail[row.index] = row.detail
            return
        self.survivor_rows.append(row.index)
        self.survivor_hashes.append(row.completion_hash or 0)
        if row.completion_sig is not None:
            self.completion_sigs.append(row.completion_sig)
        if row.problem_sig is not None and prompt not in self.problem_sigs:
            self.problem_sigs[prompt] = row.problem_sig

    def drop_signatures(self) -> None:
        """After dedup: the signatures (256 bytes a survivor, the ledger's largest part) are not needed
        again, and pass 2 should not carry them."""
        self.completion_sigs = SignatureBuffer()
        self.problem_sigs = {}

    def reject(self, index: int, reason: str, detail: str) -> None:
        assert self.code[index] == KEPT, f"row {index} rejected twice"
        self.code[index] = CODE[reason]
        self.detail[index] = detail

    def alive(self) -> list[int]:
        """Rows still kept, in read order."""
        return [i for i in self.survivor_rows if self.code[i] == KEPT]

    def prompt_id(self, prompt: int) -> str:
        return self.prompt_keys[prompt].split("\x00", 1)[1]

    def counts(self) -> dict[str, int]:
        values, counts = np.unique(np.frombuffer(self.code, dtype=np.int8), return_counts=True)
        return {NAME[int(v)]: int(c) for v, c in zip(values, counts)}
