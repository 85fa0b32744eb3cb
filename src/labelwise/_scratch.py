"""Per-thread scratch buffers: a chunk function's large temporaries, reused by its next call on the thread.

Dask's nanny starts every worker with ``MALLOC_TRIM_THRESHOLD_=65536``. Setting it fixes glibc's
mmap threshold at 128 KiB (setting any of those thresholds turns the adaptive one off), so every
temporary of 128 KiB or more is a fresh mapping that is unmapped when freed, and the next chunk's
copy of it faults and zeroes its pages again, in the kernel; a plain process reuses that memory
from its heap. A chunk function that takes its temporaries from :func:`scratch` touches their pages
once per thread instead of once per chunk: a Dask worker's task thread, or a thread of an
in-memory pass.

The buffers belong to the calling thread (``threading.local``), so threads never share one. A
buffer is a *temporary*: the caller uses it within its own call, never returns it or keeps a
view of it, and never asks for the same name again while it uses the first array (the names are
module-qualified, one per call site). Contents are not initialised. Each thread keeps at most
:data:`MAX_THREAD_BYTES` in all and no single buffer above :data:`MAX_BUFFER_BYTES`; larger asks
get a fresh array. Threads of labelwise's own short-lived pools (the in-memory passes) are started
with :func:`fresh_only` and keep no buffers: theirs would go with the thread at the end of the pass,
while the allocator's own free memory (glibc's arenas) outlives the threads.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .errors import InvalidParameterError

#: Bytes one scratch buffer may hold (a chunk of 500,000 rows needs 4 MB per float64 vector).
MAX_BUFFER_BYTES = 16 << 20
#: Bytes one thread keeps in all its scratch buffers; asks beyond it get fresh arrays.
MAX_THREAD_BYTES = 64 << 20

_local = threading.local()


def _buffers() -> dict[str, np.ndarray]:
    found = getattr(_local, "buffers", None)
    if found is None:
        found = _local.buffers = {}
    return found


def scratch(name: str, shape: int | tuple[int, ...], dtype: Any) -> np.ndarray:
    """An uninitialised C-contiguous array of ``shape`` and ``dtype`` in this thread's buffer ``name``.

    Parameters
    ----------
    name : str
        The call site's buffer (module-qualified). A second ask for the same name on the same
        thread returns memory shared with the first: the first array must no longer be in use.
    shape : int or tuple of int
        Shape of the array.
    dtype : numpy dtype
        Its dtype.

    Returns
    -------
    numpy.ndarray
        A view of the buffer (grown when too small), or a fresh array when the buffer would pass
        :data:`MAX_BUFFER_BYTES` or the thread's buffers :data:`MAX_THREAD_BYTES`.
    """
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(int(d) < 0 for d in dims):
        raise InvalidParameterError(f"shape must not be negative, got {dims}")
    dt = np.dtype(dtype)
    if not getattr(_local, "keep", True):
        return np.empty(dims, dtype=dt)
    nbytes = int(np.prod(dims, dtype=np.int64)) * dt.itemsize
    buffers = _buffers()
    held = buffers.get(name)
    if held is None or held.nbytes < nbytes:
        others = sum(b.nbytes for key, b in buffers.items() if key != name)
        if nbytes > MAX_BUFFER_BYTES or others + nbytes > MAX_THREAD_BYTES:
            return np.empty(dims, dtype=dt)
        held = buffers[name] = np.empty(max(nbytes, 1), dtype=np.uint8)
    return held[:nbytes].view(dt).reshape(dims)


def fresh_only() -> None:
    """Make :func:`scratch` give this thread fresh arrays and keep nothing (an initializer for the
    threads of a pool that ends with its pass)."""
    _local.keep = False


def held_bytes() -> int:
    """Bytes this thread's scratch buffers hold."""
    return sum(b.nbytes for b in _buffers().values())


def release() -> None:
    """Drop this thread's scratch buffers (their memory goes back to the allocator)."""
    _buffers().clear()
