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
    # 16 KB blocks (below glibc's mmap threshold) live on the heap, each followed by a small
    # keeper: once the blocks are freed the heap cannot shrink from its top, and the holes
    # stay resident until malloc_trim hands their pages back
    pairs = [(np.ones(2_000), np.ones(4)) for _ in range(20_000)]  # ~300 MB in blocks
    keepers = [keeper for _, keeper in pairs]
    del pairs
    before = _rss_mb()
    assert release_freed_memory() is True
    after = _rss_mb()
    assert before - after > 100, f"RSS {before:.0f} MB -> {after:.0f} MB"
    assert len(keepers) == 20_000
