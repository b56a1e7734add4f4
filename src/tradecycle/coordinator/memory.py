"""Hand memory that the process has freed back to the operating system.

glibc keeps freed heap pages for reuse; after an ML retrain's temporaries (tens of MB)
they stay resident, so a long replay's RSS creeps up by each retrain's leftovers.
`malloc_trim(0)` returns them. Elsewhere (musl, macOS) this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> bool:
    """Return freed heap pages to the OS; True if the C library could do it."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True
