"""Progress for long work: a live bar with rate and ETA on a terminal, periodic lines in logs.

    with Progress(total=len(prompts), desc="generate", unit="samples") as bar:
        bar.update(4, tokens=812)   # extra counters are summed and shown as rates too

Ends with one summary line: counts, wall time and throughput.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _fmt_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _fmt_rate(value: float) -> str:
    if value >= 1000:
        return f"{value / 1000:.1f}K"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


class Progress:
    def __init__(
        self,
        total: int | None,
        desc: str,
        unit: str = "items",
        *,
        stream: TextIO | None = None,
        interval: float | None = None,
        initial: int = 0,
    ):
        self.total = total
        self.desc = desc
        self.unit = unit
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        # On a terminal redraw often; in a log, one line every 10 s is enough.
        self.interval = interval if interval is not None else (0.2 if self.live else 10.0)
        self.initial = initial
        self.done = initial
        self.extra: dict[str, float] = {}
        self._t0 = time.monotonic()
        self._last = 0.0

    def __enter__(self) -> Progress:
        self._t0 = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._t0

    def rate(self) -> float:
        return (self.done - self.initial) / self.elapsed if self.elapsed > 0 else 0.0

    def update(self, n: int = 1, **counters: float) -> None:
        self.done += n
        for key, value in counters.items():
            self.extra[key] = self.extra.get(key, 0) + value
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._emit()

    def line(self) -> str:
        rate = self.rate()
        parts = [f"{self.desc}: {self.done}" + (f"/{self.total}" if self.total else "") + f" {self.unit}"]
        if self.total:
            parts[0] += f" ({100 * self.done / max(self.total, 1):.0f}%)"
        parts.append(f"{_fmt_rate(rate)} {self.unit}/s")
        for key, value in self.extra.items():
            parts.append(f"{_fmt_rate(value / self.elapsed if self.elapsed else 0)} {key}/s")
        if self.total and rate > 0:
            parts.append(f"ETA {_fmt_duration((self.total - self.done) / rate)}")
        parts.append(f"elapsed {_fmt_duration(self.elapsed)}")
        return " | ".join(parts)

    def _emit(self) -> None:
        if self.live:
            self.stream.write("\r\033[K" + self.line())
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
        self.stream.write(self.line() + "\n")
        self.stream.flush()
