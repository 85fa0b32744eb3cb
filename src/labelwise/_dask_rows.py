"""Dask arrays made straight from per-chunk tasks: one named task per chunk, no alias tasks.

``da.from_delayed`` pieces joined by ``da.concatenate`` cost three tasks per chunk for one array (the
task, an alias named like the piece, an alias named like the joined array), and a ``Delayed``
with ``nout`` one more ``getitem`` task per item. Each task, however trivial, is a round of messages
between a worker and the scheduler and a few transitions on the scheduler, which on a
``LocalCluster`` runs in the client's process on the workers' own cores
(benchmarks/RESULTS.md, issue 12, session 12). Here every chunk of an array is the task that
computes it, keyed as the array's chunk (``(name, i, 0, ...)``); a pass's chunk calls are persisted
whole and its per-row outputs are arrays of picks out of them, which the next pass's tasks do
themselves: a cheap chunk task (a pick, a registered read: :data:`INLINE`) is nested in the task
that reads it (:func:`chunk_nodes`, :func:`call`) instead of running as a task of its own. Used by
:class:`labelwise._chunks.RowChunks`'s dask backend and the CLI's ``.npy`` reader.

The tasks are built with dask's task spec (``dask._task_spec``: ``Task``, ``TaskRef``), a module
dask does not document as public; the ``dask`` extra requires dask >= 2025.4, the oldest version
the tests of this module were run on. A chunk whose node is not a ``Task`` is read through
``to_delayed`` instead (the same values, one task more).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


def keyed_array(name: str, bounds: Sequence[tuple[int, int]], dtype: Any, tail: tuple[int, ...], make: Callable) -> Any:
    """A dask array of ``len(bounds)`` row chunks whose chunk ``i`` is ``make(i, key)``: a ``Delayed``
    with ``dask_key_name=key`` (the array's key of that chunk), computing an array of
    ``bounds[i][1] - bounds[i][0]`` rows of ``dtype`` and trailing shape ``tail``."""
    import dask.array as da
    from dask.highlevelgraph import HighLevelGraph, MaterializedLayer

    zeros = (0,) * len(tail)
    layers: dict[Any, Any] = {}
    dependencies: dict[Any, set] = {}
    own: dict[Any, Any] = {}
    needs: set = set()
    for i in range(len(bounds)):
        key = (name, i, *zeros)
        graph = make(i, key).__dask_graph__()  # the task's own layer is named by its key
        own[key] = graph.layers[key][key]
        needs |= graph.dependencies[key]
        layers.update((k, v) for k, v in graph.layers.items() if k != key)
        dependencies.update((k, v) for k, v in graph.dependencies.items() if k != key)
    layers[name], dependencies[name] = MaterializedLayer(own), needs
    graph = HighLevelGraph(layers, dependencies)
    chunks = (tuple(stop - start for start, stop in bounds), *((n,) for n in tail))
    return da.Array(graph, name, chunks, dtype=np.dtype(dtype), meta=np.empty((0, *tail), dtype=dtype))


#: Functions whose chunk tasks are inlined into the task that reads the chunk (:func:`chunk_nodes`):
#: cheap ones only (a pick out of a tuple, a view of a memory map), computed again by every reader.
INLINE: set[Callable] = set()


def inlined(fn: Callable) -> Callable:
    """Register ``fn`` in :data:`INLINE` (a decorator)."""
    INLINE.add(fn)
    return fn


def chunk_nodes(array: Any) -> list[Any]:
    """How each row chunk of a dask array is given to a task that reads it: the chunk's own task,
    nested in the reader (no task of its own), where it is a task of a function in :data:`INLINE`
    not yet computed; otherwise the chunk's ``Delayed`` (``to_delayed``)."""
    from dask._task_spec import Task
    from dask.highlevelgraph import MaterializedLayer

    graph = array.__dask_graph__()
    layer = graph.layers.get(array.name) if hasattr(graph, "layers") else None
    if not isinstance(layer, MaterializedLayer) or any(len(c) != 1 for c in array.chunks[1:]):
        layer = None  # not built by keyed_array (nothing is materialised to look), or split by columns
    delayed = None
    out = []
    for i in range(len(array.chunks[0])):
        key = (array.name, i, *((0,) * (array.ndim - 1)))
        node = layer.get(key) if layer is not None else None
        if isinstance(node, Task) and node.func in INLINE:
            out.append(_Inline(Task(None, node.func, *node.args, **node.kwargs), array))
            continue
        if delayed is None:
            delayed = np.asarray(array.to_delayed()).reshape(len(array.chunks[0]), -1)[:, 0]
        out.append(delayed[i])
    return out


class _Inline:
    """A chunk's task to nest in its reader's task, and the collection its dependencies are in."""

    def __init__(self, task: Any, collection: Any) -> None:
        self.task, self.collection = task, collection


def call(fn: Callable, args: Sequence[Any], key: Any = None) -> Any:
    """``fn(*args)`` as one ``Delayed`` task, ``args`` holding ``Delayed`` values, chunks from
    :func:`chunk_nodes` (nested) and literals; keyed ``key`` (default: a token of ``fn`` and the args)."""
    from dask._task_spec import Task, TaskRef
    from dask.base import tokenize
    from dask.delayed import Delayed
    from dask.highlevelgraph import HighLevelGraph
    from dask.utils import funcname

    collections: list[Any] = []
    parts: list[Any] = []
    for a in args:
        if isinstance(a, _Inline):
            collections.append(a.collection)
            parts.append(a.task)
        elif isinstance(a, Delayed):
            collections.append(a)
            parts.append(TaskRef(a.key))
        else:
            parts.append(a)
    if key is None:
        key = f"{funcname(fn)}-{tokenize(fn, *parts)}"
    graph = HighLevelGraph.from_collections(key, {key: Task(key, fn, *parts)}, dependencies=collections)
    return Delayed(key, graph)


@inlined
def pick_rows(result: tuple, j: int) -> Any:
    """Per-row output ``j`` of a chunk function's ``(per_row_outputs, partial)``."""
    return result[0][j]


def pick_partial(result: tuple) -> Any:
    """The partial result of a chunk function's ``(per_row_outputs, partial)``."""
    return result[1]


def outputs_of(calls: Sequence[Any], bounds: Sequence[tuple[int, int]], outputs: Sequence[Any]) -> list[Any]:
    """The per-row outputs of the chunk calls ``calls`` (``Delayed``, one per chunk, each giving
    ``(per_row_outputs, partial)``) as dask arrays: chunk ``i`` of output ``j`` is one task picking
    it from call ``i`` (:class:`~labelwise._chunks.Output` ``outputs[j]`` says its dtype and shape)."""
    import dask
    from dask.base import tokenize

    token = tokenize(*(c.key for c in calls))
    name = calls[0].key.rsplit("-", 1)[0] if calls and isinstance(calls[0].key, str) else "rows"
    pick = dask.delayed(pick_rows, pure=True)
    return [
        keyed_array(
            f"{name}-rows{j}-{token}",
            bounds,
            o.dtype,
            o.tail,
            lambda i, key, j=j: pick(calls[i], j, dask_key_name=key),
        )
        for j, o in enumerate(outputs)
    ]


def chunk_tasks(
    fn: Callable[..., np.ndarray],
    args: Sequence[Sequence[Any]],
    bounds: Sequence[tuple[int, int]],
    dtype: Any,
    tail: tuple[int, ...],
) -> Any:
    """``fn(*args[i])`` for every chunk ``i`` as the chunks of one dask array (one task per chunk;
    ``args`` as :func:`call` takes them)."""
    from dask.base import tokenize
    from dask.utils import funcname

    keys = [[getattr(a, "key", None) or getattr(getattr(a, "task", None), "args", a) for a in row] for row in args]
    name = f"{funcname(fn)}-{tokenize(fn, keys)}"
    return keyed_array(name, bounds, dtype, tail, lambda i, key: call(fn, args[i], key))


def pick_item(result: tuple, j: int) -> Any:
    """Item ``j`` of a task's tuple result (one key per item, so a reader fetches only its item)."""
    return result[j]
