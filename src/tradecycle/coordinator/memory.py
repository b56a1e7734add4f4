"""Hand memory that the process has freed back to the operating system.

glibc keeps freed heap pages for reuse; after an ML retrain's temporaries (tens of MB)
they stay resident, so a long replay's RSS creeps up by each retrain's leftovers.
`malloc_trim(0)` returns them. glibc also raises its mmap threshold each time a large
block is freed, after which temporaries of up to 32 MB come from the heap and stay;
`keep_large_blocks_mapped` pins the threshold at 1 MiB, so they are unmapped when freed
while a cycle's own small arrays stay on the heap (a full replay's peak RSS went from
~500 to ~460 MB). Elsewhere (musl, macOS) both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

M_MMAP_THRESHOLD = -3  # mallopt parameter (malloc.h)
MMAP_THRESHOLD_BYTES = 1024 * 1024  # above per-cycle arrays (505 symbols x 26 features = 105 KB)


@cache
def _libc_function(name: str):
    library = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(library), name) if library else None
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> bool:
    """Return freed heap pages to the OS; True if the C library could do it."""
    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim(0)
    return True


def keep_large_blocks_mapped() -> bool:
    """Blocks of 1 MiB and more are mmap'ed and unmapped on free, for the rest of the process."""
    mallopt = _libc_function("mallopt")
    return bool(mallopt is not None and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1)
