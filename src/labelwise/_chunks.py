"""Row chunks: the one place that knows whether data is a numpy/memmap/zarr array or a Dask collection.

Large inputs are processed as passes over chunks of rows. A pass is one function applied to every
chunk (``fn(start, *chunks)``) that returns per-row outputs (arrays as long as the chunk) and a
small partial result; the partial results are combined in chunk order by a ``combine`` function
that takes a list (the chunk / combine / aggregate shape of ``dask/array/reductions.py``). The same
chunk function serves every backend:

- numpy arrays, ``np.memmap`` and anything sliceable by rows (zarr arrays): chunks are row slices,
  run on ``n_jobs`` threads, the calling thread one of them (:mod:`labelwise._threads`; numpy
  releases the GIL), per-row outputs filled into numpy arrays;
- ``dask.array`` / ``dask.dataframe`` collections: one task per chunk, per-row outputs become dask
  arrays (persisted on the workers, never gathered), partial results are tree-reduced on the
  workers and only the final small result reaches the client.

Inside a chunk, :func:`row_blocks` keeps temporaries cache-sized. Dask is imported only when a dask
collection is passed.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._caller import warn_at_caller
from ._stage_progress import compute as tracked_compute
from ._stage_progress import current_stage
from ._stage_progress import persist as tracked_persist
from ._threads import thread_map
from .errors import InvalidParameterError, ShapeMismatchError

#: Elements of a row block: 1 MB of float32 (2 MB of float64), cached (in L2, or L3 where L2 is
#: smaller) across a block's several reads; smaller blocks cost more numpy calls per row.
BLOCK_ELEMENTS = 1 << 18
#: Elements of a numpy chunk (one thread's unit of work): large enough that Python overhead is small.
CHUNK_ELEMENTS = 1 << 22
#: Rows of a chunk of :meth:`RowChunks.coarse` at most (its temporaries stay a few MB per thread).
COARSE_ROWS = 1 << 19
#: How many partial results one combine call merges (as ``split_every`` in dask reductions).
SPLIT_EVERY = 8


def row_blocks(n_rows: int, n_cols: int, elements: int | None = None) -> Iterator[slice]:
    """Yield slices covering ``range(n_rows)`` in blocks of about ``elements`` elements (default
    ``BLOCK_ELEMENTS``)."""
    step = max(1, (BLOCK_ELEMENTS if elements is None else elements) // max(1, n_cols))
    for start in range(0, n_rows, step):
        yield slice(start, min(start + step, n_rows))


def is_dask(obj: Any) -> bool:
    """True for a Dask collection (array, dataframe, series), without importing dask."""
    return type(obj).__module__.split(".")[0] == "dask" and hasattr(obj, "__dask_graph__")


def default_n_jobs() -> int:
    """Threads for in-memory passes: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def threads_for(n_jobs: int | None) -> int:
    """Threads for ``n_jobs`` by joblib's convention: None all available CPUs, a negative value that
    many fewer plus one (-1 all, -2 all but one), never fewer than one."""
    cpus = default_n_jobs()
    if n_jobs is None:
        return cpus
    return max(1, int(n_jobs) if n_jobs > 0 else cpus + 1 + int(n_jobs))


def check_n_jobs(name: str, value: Any) -> int | None:
    """Raise :class:`InvalidParameterError` unless ``value`` is ``None`` or a non-zero int (joblib's convention)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value == 0):
        raise InvalidParameterError(f"{name} must be None or a non-zero integer (a number of workers), got {value!r}")
    return None if value is None else int(value)


def chunk_bounds(n_rows: int, chunk_rows: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of consecutive chunks of ``chunk_rows`` rows covering ``range(n_rows)``."""
    return [(s, min(s + chunk_rows, n_rows)) for s in range(0, n_rows, max(1, chunk_rows))]


def row_starts(sizes: Sequence[int]) -> list[int]:
    """The first row of each chunk of chunks of ``sizes`` rows (``[0, sizes[0], sizes[0] + sizes[1],
    ...]``, one per chunk): where a chunk's local row numbers start among all rows."""
    return np.cumsum((0, *sizes), dtype=np.int64)[:-1].tolist()


def as_dask_rows(obj: Any, name: str) -> Any:
    """A dask array from a dask array, series or dataframe (whose partition lengths are computed)."""
    import dask.array as da

    if isinstance(obj, da.Array):
        return obj
    if hasattr(obj, "to_dask_array"):
        return obj.to_dask_array(lengths=True)
    raise InvalidParameterError(f"{name} must be a dask array, series or dataframe, got {type(obj).__name__}")


def align_dask_rows(arrays: Sequence[Any], names: Sequence[str]) -> list[Any]:
    """Check and align the row chunks of dask arrays: one column chunk, the same lengths and chunks.

    The first array's row chunks are authoritative; another array with different row chunks is
    rechunked to them with a :class:`~labelwise.errors.LabelwiseWarning`.
    """

    from .errors import LabelwiseWarning

    out = [as_dask_rows(a, n) for a, n in zip(arrays, names, strict=False)]
    for arr, name in zip(out, names, strict=False):
        if any(np.isnan(c) for c in arr.chunks[0]):
            raise ShapeMismatchError(
                f"{name} must have known chunk sizes, got unknown row chunks; call compute_chunk_sizes()"
            )
        if arr.ndim == 2 and len(arr.chunks[1]) != 1:
            raise ShapeMismatchError(
                f"{name} must not be chunked along columns (every chunk must hold whole rows), got column chunks "
                f"{arr.chunks[1]}; use {name}.rechunk({{1: -1}})"
            )
    first, first_name = out[0], names[0]
    for i in range(1, len(out)):
        if out[i].shape[0] != first.shape[0]:
            raise ShapeMismatchError(
                f"{names[i]} and {first_name} must have the same length, got {out[i].shape[0]} and {first.shape[0]}"
            )
        if out[i].chunks[0] != first.chunks[0]:
            warn_at_caller(
                LabelwiseWarning(
                    f"{names[i]} has row chunks {out[i].chunks[0][:5]}... unlike {first_name} {first.chunks[0][:5]}...; "
                    f"rechunking {names[i]} to match"
                )
            )
            out[i] = out[i].rechunk({0: first.chunks[0]})
    return out


def tree_combine(parts: list[Any], combine: Callable[[list[Any]], Any], split_every: int = SPLIT_EVERY) -> Any:
    """Combine partial results in order, ``split_every`` at a time, until one is left."""
    while len(parts) > 1:
        parts = [combine(parts[i : i + split_every]) for i in range(0, len(parts), split_every)]
    return parts[0]


@dataclass(frozen=True)
class Output:
    """Description of one per-row output of a pass: dtype and shape after the row axis."""

    dtype: Any
    tail: tuple[int, ...] = ()


class RowChunks:
    """Row chunking of a set of aligned inputs, and the passes over them.

    Parameters
    ----------
    n_rows : int
        Rows of every input.
    bounds : list of (start, stop)
        The chunks.
    use_dask : bool
        Inputs are dask arrays (chunked as ``bounds``); otherwise numpy-like arrays.
    n_jobs : int, optional
        Threads for numpy-like inputs (default: the CPUs available; negative as in joblib, -1 all of
        them: :func:`threads_for`).
    """

    def __init__(self, n_rows: int, bounds: list[tuple[int, int]], *, use_dask: bool, n_jobs: int | None = None):
        self.n_rows = n_rows
        self.bounds = bounds
        self.use_dask = use_dask
        self.n_jobs = threads_for(n_jobs)

    @classmethod
    def for_arrays(cls, probs: Any, *, chunk_rows: int | None = None, n_jobs: int | None = None) -> RowChunks:
        """Chunks for ``probs`` (shape ``(n, K)``): its dask chunks, or about ``CHUNK_ELEMENTS`` per chunk."""
        n = int(probs.shape[0])
        if is_dask(probs):
            sizes = probs.chunks[0]
            bounds = [(s, s + int(c)) for s, c in zip(row_starts(sizes), sizes, strict=True)]
            return cls(n, bounds, use_dask=True, n_jobs=n_jobs)
        jobs = threads_for(n_jobs)
        if chunk_rows is None:
            k = int(probs.shape[1]) if len(probs.shape) > 1 else 1
            chunk_rows = max(CHUNK_ELEMENTS // max(k, 1) // 4, -(-n // (4 * jobs)) if jobs > 1 else n)
            chunk_rows = min(chunk_rows, max(1, CHUNK_ELEMENTS // max(k, 1)))
            zarr_rows = getattr(probs, "chunks", None)
            if isinstance(zarr_rows, tuple) and zarr_rows and isinstance(zarr_rows[0], int):
                chunk_rows = max(zarr_rows[0], chunk_rows // zarr_rows[0] * zarr_rows[0])
        return cls(n, chunk_bounds(n, chunk_rows), use_dask=False, n_jobs=jobs)

    def coarse(self, max_rows: int | None = None) -> RowChunks:
        """These chunks merged into about one per thread, of at most ``max_rows`` rows (default
        :data:`COARSE_ROWS`; never finer than now).

        For a pass with little work per row, where each chunk's fixed cost (Python calls holding
        the GIL, the per-chunk partial) outweighs the load balance of finer chunks. Dask chunks are
        kept as they are.
        """
        if self.use_dask or len(self.bounds) <= self.n_jobs:
            return self
        now = max(stop - start for start, stop in self.bounds)
        rows = max(now, min(-(-self.n_rows // self.n_jobs), COARSE_ROWS if max_rows is None else max_rows))
        return RowChunks(self.n_rows, chunk_bounds(self.n_rows, rows), use_dask=False, n_jobs=self.n_jobs)

    # -- numpy-like backend -------------------------------------------------------------------------
    def _slices(self, arrays: Sequence[Any], start: int, stop: int) -> list[Any]:
        out = []
        for a in arrays:
            part = a[start:stop]
            out.append(part if isinstance(part, np.ndarray) else np.asarray(part))
        return out

    def _run_local(self, fn: Callable, arrays: Sequence[Any], outputs: Sequence[Output]) -> tuple[list, list]:
        results = [np.empty((self.n_rows, *o.tail), dtype=o.dtype) for o in outputs]
        shown = current_stage()  # the bar of the stage this pass belongs to (None: no bars)
        if shown is not None:
            shown.add(len(self.bounds))

        def one(bound: tuple[int, int]) -> Any:
            start, stop = bound
            rows, partial = fn(start, *self._slices(arrays, start, stop))
            for res, val in zip(results, rows, strict=False):
                res[start:stop] = val
            if shown is not None:
                shown.advance()
            return partial

        return results, thread_map(one, self.bounds, self.n_jobs)

    # -- dask backend -------------------------------------------------------------------------------
    def _run_dask(self, fn: Callable, arrays: Sequence[Any]) -> tuple[list, list]:
        """The chunk calls of a pass (``Delayed``, one per chunk) and their partial results."""
        import dask

        from ._dask_rows import call, pick_partial

        blocks = self._blocks(arrays)
        calls = [call(fn, (start, *(b[i] for b in blocks))) for i, (start, _) in enumerate(self.bounds)]
        partial = dask.delayed(pick_partial, pure=True)
        return calls, [partial(c) for c in calls]

    def run(
        self,
        fn: Callable[..., tuple[Sequence[np.ndarray], Any]],
        arrays: Sequence[Any],
        *,
        outputs: Sequence[Output] = (),
        combine: Callable[[list[Any]], Any] | None = None,
    ) -> tuple[list[Any], Any]:
        """One pass: ``fn(start, *chunks) -> (per_row_outputs, partial)`` on every chunk.

        Returns the per-row outputs (numpy arrays, or dask arrays persisted on the workers) and the
        partial results combined with ``combine`` (``None`` without one), computed.
        """
        if not self.use_dask:
            results, partials = self._run_local(fn, arrays, outputs)
            return results, (tree_combine(partials, combine) if combine is not None else None)
        from ._dask_rows import outputs_of

        calls, partials = self._run_dask(fn, arrays)
        reduced = tree_reduce_delayed(partials, combine) if combine is not None else None
        # The chunk calls are persisted, each holding its chunk's per-row outputs; the outputs are
        # dask arrays picking them out, whose picks a later pass's tasks do themselves (nested).
        persisted = tracked_persist(*calls, *([reduced] if reduced is not None else []), optimize_graph=False)
        results = outputs_of(list(persisted[: len(calls)]), self.bounds, outputs)
        return results, (tracked_compute(persisted[-1])[0] if reduced is not None else None)

    def reduce_lazy(self, fn: Callable[..., Any], arrays: Sequence[Any], combine: Callable[[list[Any]], Any]) -> Any:
        """Like :meth:`run` without per-row outputs, but the combined result is left where it is.

        numpy backend: the result itself. Dask: a persisted ``Delayed`` (on a worker), usable as an
        argument of a later pass; only what is computed from it reaches the client.
        """

        def wrapped(start: int, *chunks: Any) -> tuple[tuple, Any]:
            return (), fn(start, *chunks)

        if not self.use_dask:
            return self.run(wrapped, arrays, combine=combine)[1]
        _, partials = self._run_dask(wrapped, arrays)
        return tracked_persist(tree_reduce_delayed(partials, combine))[0]

    def _blocks(self, arrays: Sequence[Any]) -> list[list[Any]]:
        """The row blocks of dask arrays, one list of them per input: ``Delayed`` chunks, or cheap
        chunk tasks to nest in the task that reads them (:func:`labelwise._dask_rows.chunk_nodes`)."""
        from ._dask_rows import chunk_nodes

        return [chunk_nodes(a) for a in arrays]

    def partials(
        self,
        fn: Callable[..., Any],
        arrays: Sequence[Any],
        *,
        extras: Sequence[Any] | None = None,
        read: Sequence[bool] | None = None,
        nout: int | None = None,
    ) -> list[Any]:
        """``fn(start, *chunks[, extras[i]])`` of every chunk ``i``, each result kept where it was computed.

        numpy backend: the list of results. Dask: one persisted ``Delayed`` per chunk, held by the
        worker that computed it; a later pass takes them back as ``extras`` (chunk ``i``'s task then
        runs where its part is) or merges them with :meth:`reduce_partials`. Where ``read[i]`` is
        False, the chunks are not read and ``fn`` gets ``None`` for each of them. With ``nout``,
        ``fn`` returns a tuple of that length and each chunk's result is a tuple of ``Delayed``
        (one persisted key per item: a later task that takes one item fetches only that item).
        """
        blocks = self._blocks(arrays) if self.use_dask else None

        def args(i: int) -> tuple:
            start, stop = self.bounds[i]
            if read is not None and not read[i]:
                chunk: list[Any] = [None] * len(arrays)
            else:  # numpy backend: sliced (read) only when this chunk's turn comes
                chunk = [b[i] for b in blocks] if blocks is not None else self._slices(arrays, start, stop)
            return (start, *chunk, *((extras[i],) if extras is not None else ()))

        if not self.use_dask:
            shown = current_stage()
            if shown is None:
                return thread_map(lambda i: fn(*args(i)), range(len(self.bounds)), self.n_jobs)
            shown.add(len(self.bounds))

            def one(i: int) -> Any:
                out = fn(*args(i))
                shown.advance()
                return out

            return thread_map(one, range(len(self.bounds)), self.n_jobs)
        import dask

        from ._dask_rows import call, pick_item

        calls = [call(fn, args(i)) for i in range(len(self.bounds))]
        if nout is None:
            return list(tracked_persist(*calls))
        pick = dask.delayed(pick_item, pure=True)
        flat = tracked_persist(*(pick(c, j) for c in calls for j in range(nout)))
        return [tuple(flat[i * nout : (i + 1) * nout]) for i in range(len(calls))]

    def reduce_partials(self, parts: list[Any], combine: Callable[[list[Any]], Any]) -> Any:
        """The :meth:`partials` combined: the result (numpy backend), or a persisted ``Delayed``."""
        if not self.use_dask:
            return tree_combine(list(parts), combine)
        return tracked_persist(tree_reduce_delayed(list(parts), combine))[0]

    def map_rows(self, fn: Callable[..., np.ndarray], arrays: Sequence[Any], output: Output, *extra: Any) -> Any:
        """Per-row output only: ``fn(start, *chunks, *extra) -> array``; ``extra`` may be a lazy result."""

        def wrapped(start: int, *args: Any) -> tuple[tuple, None]:
            return (fn(start, *args),), None

        if not self.use_dask:
            return self.run(lambda s, *c: wrapped(s, *c, *extra), arrays, outputs=[output])[0][0]
        from ._dask_rows import chunk_tasks

        blocks = self._blocks(arrays)
        calls = [(start, *(b[i] for b in blocks), *extra) for i, (start, _) in enumerate(self.bounds)]
        return chunk_tasks(fn, calls, self.bounds, output.dtype, output.tail)

    def map_parts(self, fn: Callable[[int, int, Any], np.ndarray], parts: Sequence[Any], output: Output) -> Any:
        """Per-row output from per-chunk parts (as :meth:`partials` gives): ``fn(start, stop, parts[i])``.

        numpy backend: the chunks' outputs concatenated. Dask: a dask array, chunk ``i`` computed
        where ``parts[i]`` is (no chunk of the inputs is read).
        """
        if not self.use_dask:
            pieces = [fn(start, stop, p) for (start, stop), p in zip(self.bounds, parts, strict=True)]
            return np.concatenate(pieces) if pieces else np.empty((0, *output.tail), output.dtype)
        from ._dask_rows import chunk_tasks

        calls = [(start, stop, p) for (start, stop), p in zip(self.bounds, parts, strict=True)]
        return chunk_tasks(fn, calls, self.bounds, output.dtype, output.tail)

    def compute(self, value: Any) -> Any:
        """Bring a lazy (dask) small result to the client; numpy results pass through."""
        return tracked_compute(value)[0] if self.use_dask and hasattr(value, "compute") else value

    def compute_all(self, values: Sequence[Any]) -> list[Any]:
        """:meth:`compute` of several values in one round trip."""
        if not self.use_dask:
            return list(values)
        return list(tracked_compute(*values))

    def apply(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` where the arguments may be lazy: on a worker for dask, here otherwise."""
        if not self.use_dask:
            return fn(*args)
        import dask

        return tracked_persist(dask.delayed(fn, pure=True)(*args))[0]

    def apply_each(self, fn: Callable[..., Any], calls: Sequence[Sequence[Any]]) -> list[Any]:
        """``[fn(*args) for args in calls]`` as :meth:`apply` does each, but on dask all sent to the
        scheduler at once (one persist, not one per call)."""
        if not self.use_dask:
            return [fn(*args) for args in calls]
        import dask

        task = dask.delayed(fn, pure=True)
        return list(tracked_persist(*(task(*args) for args in calls)))


def tree_reduce_delayed(parts: list[Any], combine: Callable[[list[Any]], Any], split_every: int = SPLIT_EVERY) -> Any:
    """The dask version of :func:`tree_combine`: a tree of ``combine`` tasks over ``Delayed`` parts."""
    import dask

    task = dask.delayed(combine, pure=True)
    while len(parts) > 1:
        parts = [task(parts[i : i + split_every]) for i in range(0, len(parts), split_every)]
    return parts[0]
