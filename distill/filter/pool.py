"""Run chunks of rows through the workers with bounded memory, results in input order.

`multiprocessing.Pool.imap` would read the whole input ahead into its task queue; here at most
`window` chunks are in flight, so memory stays at a few chunks of texts however large the input.
Workers start with `spawn` (safe whatever the parent imported); one worker runs in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from distill.filter import worker


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _init(parent_pid: int, *init_args: Any) -> None:
    from distill.orphans import die_with_parent

    die_with_parent(parent_pid)  # a killed `distill filter` leaves no worker running (distill.orphans)
    worker.init(*init_args)


class _Ready:
    """A result already at hand, in the window beside the pool's pending ones."""

    def __init__(self, value):
        self.value = value

    def get(self):
        return self.value


class Workers:
    def __init__(self, n: int, init_args: tuple[Any, ...]):
        self.n = n
        self.pool = None
        if n <= 1:
            worker.init(*init_args)
        else:
            ctx = multiprocessing.get_context("spawn")
            self.pool = ctx.Pool(n, initializer=_init, initargs=(os.getpid(), *init_args))

    def map(self, chunks: Iterable[list], done=frozenset(), load=None) -> Iterator[worker.ChunkResult]:
        """Results in chunk order; chunks in `done` are not run again but read back with `load(i)`."""
        if self.pool is None:
            for i, chunk in enumerate(chunks):
                yield load(i) if i in done else worker.process_chunk(i, chunk)
            return
        window: deque = deque()
        for i, chunk in enumerate(chunks):
            window.append(_Ready(load(i)) if i in done else self.pool.apply_async(worker.process_chunk, (i, chunk)))
            if len(window) >= 3 * self.n:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()

    def terminate(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
