"""Keep the C allocator from returning every large temporary array to the system.

A replicate allocates and frees many arrays of one to a few megabytes each step. glibc serves
those from fresh mmap()ed pages unless its mmap threshold has grown past them, which it does on its
own, but only while no malloc tunable is set. Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` for
its workers by default; that freezes the threshold at 128 KiB, so every temporary is mapped, faulted
in page by page and unmapped again: a replicate took about 1.7 times as long (0.9 s against 1.5 s for
one Jingzhou replicate, measured here). Setting the thresholds explicitly at the start of each
replicate makes the speed the same whatever the environment set.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20   # arrays up to 32 MiB come from the heap and are reused (glibc's maximum)
TRIM_THRESHOLD = 128 * 2**20  # free heap is given back once more than this is unused at its top


@cache
def tune_allocator() -> bool:
    """Set glibc's mmap and trim thresholds for this process (once); False where the C library is
    not glibc (macOS, musl, Windows), which has nothing to tune here."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
