"""Freed memory goes back to the OS (glibc), so a long replay's RSS does not creep.

Each check runs in a fresh interpreter: what the allocator does depends on the heap's
history, which a test worker's earlier tests would have shaped.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only"
)

PRELUDE = """
import numpy as np
from tradecycle.coordinator.memory import keep_large_blocks_mapped, release_freed_memory

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20

def blocks_with_keepers(count, size):
    # each block is followed by a small keeper, so the heap cannot shrink from its top
    pairs = [(np.ones(size), np.ones(4)) for _ in range(count)]
    return pairs, [keeper for _, keeper in pairs]
"""


def _freed_mb(body: str) -> float:
    """Run PRELUDE + body in a new interpreter; body prints how many MB of RSS went away."""
    script = PRELUDE + textwrap.dedent(body)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def test_trim_returns_freed_heap_blocks():
    body = """
    pairs, keepers = blocks_with_keepers(20_000, 2_000)  # ~300 MB of 16 KB blocks, on the heap
    del pairs
    before = rss_mb()
    assert release_freed_memory() is True
    print(before - rss_mb())
    """
    assert _freed_mb(body) > 100


def test_without_the_trim_freed_heap_blocks_stay_resident():
    """The control for the test above: free() alone gives back nothing here."""
    body = """
    pairs, keepers = blocks_with_keepers(20_000, 2_000)
    allocated = rss_mb()
    del pairs
    print(allocated - rss_mb())
    """
    assert _freed_mb(body) < 20


@pytest.mark.parametrize(("pinned", "expect_freed"), [(True, True), (False, False)])
def test_large_temporaries_are_unmapped_when_freed_once_the_threshold_is_pinned(pinned, expect_freed):
    body = f"""
    if {pinned}:
        assert keep_large_blocks_mapped() is True
    big = np.ones(4_000_000)  # 32 MB: freeing it raises glibc's adaptive mmap threshold (unless pinned)
    del big
    pairs, keepers = blocks_with_keepers(30, 256_000)  # 2 MB blocks, above the pinned 1 MiB
    allocated = rss_mb()
    del pairs
    print(allocated - rss_mb())
    """
    freed = _freed_mb(body)
    assert (freed > 40) is expect_freed, f"{freed:.0f} MB freed"
