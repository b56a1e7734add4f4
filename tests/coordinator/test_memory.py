"""Freed heap memory goes back to the OS (glibc), so a long replay's RSS does not creep."""

from __future__ import annotations

import platform

import numpy as np
import pytest

from tradecycle.coordinator.memory import release_freed_memory


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_freed_small_blocks_are_returned_to_the_os():
    # many small arrays (below glibc's mmap threshold) live on the heap; freed, they stay resident
    blocks = [np.ones(2_000) for _ in range(20_000)]  # ~300 MB of 16 KB blocks
    keep = np.ones(10)  # allocated last, so the heap top is pinned and plain free() cannot shrink it
    del blocks
    before = _rss_mb()
    assert release_freed_memory() is True
    after = _rss_mb()
    assert before - after > 100, f"RSS {before:.0f} MB -> {after:.0f} MB"
    assert keep.sum() == 10
