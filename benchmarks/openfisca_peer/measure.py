"""Timing and memory helpers shared by both sides of the benchmark (standard library only)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

SEEN = ("VmHWM", "VmRSS")


def memory() -> dict[str, float]:
    """Current (VmRSS) and peak (VmHWM) resident memory of this process, MB (Linux /proc)."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in SEEN:
            found[name] = int(value.split()[0]) / 1024
    return found


def reset_peak() -> None:
    """Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
    Path("/proc/self/clear_refs").write_text("5")


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    """Wall seconds of `repeat` calls."""
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        work()
        runs.append(time.perf_counter() - t)
    return runs
