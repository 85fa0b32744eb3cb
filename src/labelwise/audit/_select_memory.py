"""The in-memory selection of :func:`labelwise.audit._selection.select_top`: all rows at once, its
classes shared out among threads (numpy arrays and memory maps)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._chunks import RowChunks
from .._threads import SharedWork, thread_map
from ._select import ClassQueue, Entries, balanced_groups, cell_counts


@dataclass(frozen=True, eq=False)
class Selection:
    """The entries :func:`~labelwise.audit._selection.select_top` chose: ``parts`` (numpy entries, or
    persisted ``Delayed`` on dask) and ``counts``, how many entries each cell holds (numpy).

    With ``per_chunk``, part ``i`` holds the entries of chunk ``i``'s rows and no others (the
    chunked rounds: nothing is gathered in one place); otherwise the parts cover all rows in any
    order (in memory).
    """

    parts: list[Any]
    counts: np.ndarray
    per_chunk: bool


def select_in_memory(
    chunks: RowChunks,
    fn: Callable[..., Entries],
    arrays: Sequence[Any],
    limits: np.ndarray,
    cell_class: np.ndarray | None,
    class_weights: np.ndarray | None,
    members: Callable[..., list[np.ndarray]] | None = None,
) -> Selection:
    """:func:`~labelwise.audit._selection.select_top` on numpy arrays: all rows at once, each cell's
    entries already its best ones (no merge).

    One thread (or one row chunk: no more threads than chunks): one call of ``fn``. Several threads, with ``cell_class`` (the class of each cell):
    with ``members`` (``members(*arrays, limits=, lo=, hi=)``: per class, the rows ``lo..hi-1`` that
    ``fn`` reads for it, as ``fn``'s ``members`` argument takes them), the classes are handed out
    one at a time (:func:`_classes_from_a_queue`); without, in one group per thread fixed in
    advance, balanced by ``class_weights`` (:func:`~labelwise.audit._select.balanced_groups`). Each
    thread's entries stay a part of their own (no serial concatenation).
    """
    n_cells = limits.shape[0]
    # no more threads than row chunks: a chunk is sized to be worth a thread, and every thread of
    # the selection holds scratch buffers of its own (a small input's would outweigh its data)
    n_jobs = min(chunks.n_jobs, len(chunks.bounds))

    def counted(cell_limits: np.ndarray, **extra: Any) -> tuple[Entries, np.ndarray]:
        entries = fn(0, *arrays, limits=cell_limits, merge=False, **extra)
        return entries, cell_counts(entries, n_cells)

    if cell_class is None or n_jobs <= 1:
        found = [counted(limits)]
    elif members is not None:
        found = _classes_from_a_queue(chunks.n_rows, n_jobs, counted, members, arrays, limits, cell_class)
    else:
        n_classes = int(cell_class.max()) + 1
        weights = np.ones(n_classes) if class_weights is None else class_weights
        groups = balanced_groups(weights, n_jobs)
        found = thread_map(lambda g: counted(limits * np.isin(cell_class, g)), groups, len(groups))
    return Selection([f[0] for f in found], np.sum([f[1] for f in found], axis=0), per_chunk=False)


def _classes_from_a_queue(
    n_rows: int,
    n_jobs: int,
    counted: Callable[..., tuple[Entries, np.ndarray]],
    members: Callable[..., list[np.ndarray]],
    arrays: Sequence[Any],
    limits: np.ndarray,
    cell_class: np.ndarray,
) -> list[tuple[Entries, np.ndarray]]:
    """One selection call per thread, the classes handed out one at a time from a shared queue.

    Each thread first finds the rows of every class in its range of rows (``members``); then every
    thread makes one call that takes classes, the most rows first, from a :class:`ClassQueue` until
    none is left (greedy list scheduling, largest first: Graham, 1969), keeping its buffers across
    them. The share follows each class's actual rows, not its label count, and a thread slowed by
    another process takes fewer classes instead of holding the call up. A class's rows are the
    same whichever thread takes it, so the entries are those of one call over all classes.

    References
    ----------
    .. [1] Graham, R. L. (1969). Bounds on multiprocessing timing anomalies. SIAM Journal on
       Applied Mathematics, 17(2), 416-429.
    """
    n_classes = int(cell_class.max()) + 1
    edges = np.linspace(0, n_rows, n_jobs + 1).astype(np.int64).tolist()
    with SharedWork(n_jobs) as pool:
        pieces = pool.map(lambda i: members(*arrays, limits=limits, lo=edges[i], hi=edges[i + 1]), range(n_jobs))
        by_class = [[p[c] for p in pieces] for c in range(n_classes)]
        rows = np.array([sum(piece.size for piece in m) for m in by_class])
        wanted = np.bincount(cell_class, weights=limits > 0, minlength=n_classes) > 0
        queue = ClassQueue([c for c in np.argsort(-rows, kind="stable").tolist() if wanted[c] and rows[c]])
        return pool.map(lambda _: counted(limits, members=by_class, queue=queue), range(n_jobs))
