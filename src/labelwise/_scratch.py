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
get a fresh array.

The helper threads of labelwise's own short-lived pools (:mod:`labelwise._threads`) live for one
call, so buffers of their own would go with them, and the allocator does not keep their memory
either: glibc hands a thread's heap back to the system once its free top passes the trim
threshold, so the next call's helpers fault it in again (benchmarks/RESULTS.md, issue 12, session
18). Instead the calling thread *lends* each helper a set of buffers of its own (:func:`lend`,
:func:`adopt`, :func:`give_back`): one set per helper slot, kept by the calling thread between
calls as its own buffers are, and used by one helper at a time. All the sets of a thread together
hold at most :data:`MAX_THREAD_BYTES` (each an equal share), so what a thread keeps does not grow
with the number of CPUs. A thread that keeps nothing (:func:`fresh_only`) lends nothing: its
helpers get fresh arrays.
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
        :data:`MAX_BUFFER_BYTES` or the thread's buffers :data:`MAX_THREAD_BYTES` (a helper's
        lent set: its share of it, :func:`adopt`).
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
        if nbytes > MAX_BUFFER_BYTES or others + nbytes > getattr(_local, "limit", MAX_THREAD_BYTES):
            return np.empty(dims, dtype=dt)
        held = buffers[name] = np.empty(max(nbytes, 1), dtype=np.uint8)
    return held[:nbytes].view(dt).reshape(dims)


def fresh_only() -> None:
    """Make :func:`scratch` give this thread fresh arrays and keep nothing (an initializer for the
    threads of a pool that ends with its pass)."""
    _local.keep = False


def lend(n_helpers: int) -> list[dict[str, np.ndarray]] | None:
    """This thread's buffer sets for ``n_helpers`` helper threads, to hand to them with :func:`adopt`.

    None (the helpers keep nothing) where this thread keeps nothing, or lends already (a nested
    pool: its sets are in use). Every :func:`lend` is followed by :func:`give_back` of what it
    returned, once the helpers have ended.
    """
    if not getattr(_local, "keep", True) or getattr(_local, "lending", False) or n_helpers < 1:
        return None
    slots = getattr(_local, "slots", None)
    if slots is None:
        slots = _local.slots = []
    slots.extend({} for _ in range(n_helpers - len(slots)))
    del slots[n_helpers:]  # the sets of a call with more helpers: all together within the limit
    _local.lending = True
    return list(slots[:n_helpers])


def adopt(lent: list[dict[str, np.ndarray]] | None, n_sets: int = 1) -> None:
    """Take one of the ``lent`` buffer sets as this thread's own (an initializer for a helper thread:
    each helper takes a different set), holding at most its share of :data:`MAX_THREAD_BYTES` among
    ``n_sets`` sets; with none (None, or none left), keep nothing (:func:`fresh_only`)."""
    try:
        _local.buffers = lent.pop()  # type: ignore[union-attr]  # list.pop is atomic: no set taken twice
    except (AttributeError, IndexError):
        fresh_only()
        return
    _local.limit = MAX_THREAD_BYTES // max(1, n_sets)
    if held_bytes() > _local.limit:  # filled when lent with a larger share: start again
        _local.buffers.clear()


def give_back(lent: list[dict[str, np.ndarray]] | None) -> None:
    """End a :func:`lend` (its helpers have ended): its sets may be lent again. None: nothing was lent."""
    if lent is not None:
        del lent[:]
        _local.lending = False


def held_bytes() -> int:
    """Bytes this thread's scratch buffers hold (its own, not those it lends)."""
    return sum(b.nbytes for b in _buffers().values())


def release() -> None:
    """Drop this thread's scratch buffers and those it lends (their memory goes back to the allocator)."""
    _buffers().clear()
    if not getattr(_local, "lending", False):
        _local.slots = []
