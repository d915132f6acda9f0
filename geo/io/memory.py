"""Give memory freed by a large import back to the system.

Arrow's allocator (mimalloc) and glibc's malloc keep freed pages for reuse: after reading a
city's files, a few hundred MB that no frame holds stay in the process, and the analysis that
follows allocates beside them rather than in them (numpy and pandas allocate by malloc, the
readers by Arrow's pool). :func:`release_freed_memory` hands both back.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
from collections.abc import Callable

import pyarrow as pa


def release_freed_memory() -> None:
    """Return freed, unused memory of Arrow's pool and of malloc to the system.

    Nothing held by a live object is touched; where glibc is absent (musl, macOS) only
    Arrow's pool is released. Never raises.
    """
    with contextlib.suppress(AttributeError, pa.ArrowException):  # a pool without it
        pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
        return trim
    except (OSError, AttributeError):  # not glibc: no malloc_trim
        return None
