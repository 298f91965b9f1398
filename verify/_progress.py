"""A text progress bar on stderr for long ensembles (no dependency).

Called by the chunked runner after every chunk with (chunks done, chunks in
all, trajectories done, trajectories in all, trajectories read back from a
checkpoint).  Nothing is drawn during the first ``delay`` seconds, so short runs
stay silent.  On a terminal the bar is redrawn in place (carriage return); on
a pipe or a log file a plain line is written at most every ``log_interval``
seconds.  The rate counts only trajectories computed in this process's run, so
a resumed run does not report the checkpointed ones as speed.
"""

from __future__ import annotations

import math
import sys
import time
from typing import TextIO

__all__ = ["ProgressBar", "format_duration"]


def format_duration(seconds: float) -> str:
    """12s, 3m05s, 2h07m; '?' when unknown."""
    if not math.isfinite(seconds) or seconds < 0:
        return "?"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class ProgressBar:
    """``[#######.......] 12/32 chunks  480,000/1,300,000 trajectories  2.1e+04 traj/s  ETA 41s  (23s)``.

    The rate is measured from the first chunk this run computed, so that start-up
    (loading kernels, starting a cluster) does not count as slowness.
    """

    def __init__(self, stream: TextIO | None = None, *, delay: float = 2.0, interval: float = 0.25,
                 log_interval: float = 10.0, width: int = 24, clock=time.monotonic):
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = bool(isatty and isatty())
        self.delay = delay
        self.interval = interval if self.terminal else log_interval
        self.width = width
        self.clock = clock
        self.began: float | None = None
        self.last_drawn: float | None = None
        self.drawn = False
        self.first_chunk: tuple[float, int] | None = None  # (time, done) when the first computed chunk came back

    def line(self, chunks_done: int, chunks_total: int, done: int, total: int, resumed: int, now: float) -> str:
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        elapsed = now - self.began
        computed = done - resumed
        rate = computed / elapsed if elapsed > 0 and computed > 0 else math.nan
        if self.first_chunk is not None and now > self.first_chunk[0] and done > self.first_chunk[1]:
            # measured from the first finished chunk: start-up (kernel loading, cluster) is not throughput
            rate = (done - self.first_chunk[1]) / (now - self.first_chunk[0])
        remaining = (total - done) / rate if rate and math.isfinite(rate) else math.nan
        rate_text = f"{rate:.3g} traj/s" if math.isfinite(rate) else "? traj/s"
        eta = "done" if done >= total else f"ETA {format_duration(remaining)}"
        return (f"[{bar}] {chunks_done}/{chunks_total} chunks  {done:,}/{total:,} trajectories  "
                f"{rate_text}  {eta}  ({format_duration(elapsed)})")

    def __call__(self, chunks_done: int, chunks_total: int, done: int, total: int, resumed: int) -> None:
        now = self.clock()
        if self.began is None:
            self.began = now
        elif self.first_chunk is None and done > resumed:
            self.first_chunk = (now, done)
        finished = chunks_done >= chunks_total
        if now - self.began < self.delay:
            return
        if not finished and self.last_drawn is not None and now - self.last_drawn < self.interval:
            return
        text = self.line(chunks_done, chunks_total, done, total, resumed, now)
        if self.terminal:
            self.stream.write("\r" + text + "\033[K")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.last_drawn = now
        self.drawn = True

    def close(self) -> None:
        """End the bar's line (on a terminal), so that what follows starts on a fresh line."""
        if self.drawn and self.terminal:
            self.stream.write("\n")
            self.stream.flush()
        self.drawn = False
