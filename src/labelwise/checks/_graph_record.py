"""How a neighbour graph was searched (:class:`GraphSearch`): the index that ran, whether its search is
exact, the settings that decide which neighbours it finds, and why ``"auto"`` did not use its first
choice. The record travels with the graph (``graph.search``), its ``.npz`` file (:func:`save_graph`,
:func:`load_graph`) and the checks' ``summary.json`` (``graph.search``), so that two runs whose
neighbours differ (a laptop without hnswlib and a cluster with it, an exact and an approximate
search, one index with other settings) say why.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataFileError
from ..io.arrays import load_npz
from ..io.paths import require_file

#: The names :class:`GraphSearch` gives the searches: the exact search and the approximate indexes
#: (``NeighborGraph.build(index=...)``).
SEARCH_NAMES = ("exact", "cells", "spill", "hnswlib", "faiss-fp16", "faiss-sq8")


@dataclass(frozen=True)
class GraphSearch:
    """How a graph's neighbours were found.

    Attributes
    ----------
    index : {"exact", "cells", "spill", "hnswlib", "faiss-fp16", "faiss-sq8"}
        The search that ran: the exact search or the approximate index
        (:meth:`~labelwise.checks.graph.NeighborGraph.build`'s ``index``).
    exact : bool
        Whether the search was the exact one (every row compared with every row) rather than an
        approximate index, which can miss neighbours (the candidates either finds are re-scored
        exactly).
    requested : dict
        What the caller asked: ``method`` and ``index`` (on dask features, ``method`` only).
    settings : dict
        The settings that decide which neighbours the index finds (empty for the exact search):
        cells and spill lists, ``cell_size``, ``probes``/``spill``, the k-means sample and
        iterations, ``random_state``; HNSW, ``M``, ``ef_construction``, ``ef`` (the beam of the
        search), ``ef_retry`` (of the second search), ``insert_rounds``, ``random_state`` and
        ``threads`` (an HNSW index built on several threads differs between runs).
    fallback : str or None
        Why ``index="auto"`` (on dask features, ``method="auto"``) did not use its first choice:
        the warning's text (the first choice's package is not installed); None when it did.
    partitions : int or None
        On dask features, the number of row chunks; each is a shard searched by its own index.
        Every shard gets the same index and settings (shard ``s``'s hnswlib index is seeded
        ``random_state + s``), so one record holds for all of them; the approximate graph depends
        on the chunking. None in memory.
    audit : dict or None
        The approximate graph checked against the exact search (:mod:`._graph_audit`):
        ``audit_rows`` (the seeded sample searched exactly), ``audit_off`` (sampled rows whose
        approximate mean neighbour distance was above the exact one by more than 1%),
        ``exact_rows`` (rows whose neighbours are the exact search's: the sample and the far rows
        searched again). None for the exact search and for records of an earlier labelwise.
    """

    index: str
    exact: bool
    requested: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    fallback: str | None = None
    partitions: int | None = None
    audit: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (``audit`` only where there is one, so an exact search's record is as before)."""
        fields = asdict(self)
        if self.audit is None:
            del fields["audit"]
        return fields

    @classmethod
    def from_dict(cls, fields: dict[str, Any]) -> GraphSearch:
        """The record :meth:`to_dict` wrote; a ``KeyError``/``ValueError`` when it is not one."""
        if not isinstance(fields, dict) or fields.get("index") not in SEARCH_NAMES:
            raise ValueError(f"not a search record: {fields!r}")
        known = {name: fields[name] for name in cls.__dataclass_fields__ if name in fields}
        return cls(**known)

    def describe(self) -> str:
        """The record in a few words, for one line of a command's screen."""
        words = ["exact search" if self.exact else f"{self.index}, approximate ({_settings_text(self.settings)})"]
        if self.partitions is not None:
            words.append(f"{self.partitions} partitions" + ("" if self.exact else ", one index each"))
        if self.fallback is not None:
            asked = ", ".join(f"{key}={value!r}" for key, value in self.requested.items() if value == "auto")
            words.append(f"instead of the first choice of {asked or 'auto'} (its package is not installed)")
        if self.audit is not None:
            words.append(
                f"checked against the exact search on {self.audit['audit_rows']} rows ({self.audit['audit_off']} off), "
                f"{self.audit['exact_rows']} rows searched exactly"
            )
        return ", ".join(words)


def searched(
    index: str, n: int, k: int, *, random_state: int, requested: dict[str, str], fallback: str | None = None
) -> GraphSearch:
    """The record of an in-memory search of ``n`` rows for ``k`` neighbours by ``index``
    (``"exact"`` or an approximate index), with the settings :func:`index_settings` reads."""
    return GraphSearch(
        index=index,
        exact=index == "exact",
        requested=dict(requested),
        settings=index_settings(index, n, k, random_state, os.cpu_count() or 1),
        fallback=fallback,
    )


def index_settings(index: str, n: int, k: int, random_state: int, threads: int) -> dict[str, Any]:
    """The settings the search by ``index`` of ``n`` rows for ``k`` neighbours uses, read from the
    modules that run it (``_cells``, ``_spill``, ``_ann``) when it runs."""
    if index == "exact":
        return {}
    from . import _ann, _cells, _spill

    kmeans = {"sample_per_cell": _cells.SAMPLE_PER_CELL, "kmeans_iter": _cells.KMEANS_ITER}
    if index == "cells":
        cells = {"cell_size": _cells.CELL_SIZE, "probes": _cells.PROBES, "share": _cells.SHARE}
        return {**cells, **kmeans, "random_state": _seed(random_state)}
    if index == "spill":
        spill = {"cell_size": _spill.CELL_SIZE, "spill": _spill.default_spill(n)}
        return {**spill, **kmeans, "random_state": _seed(random_state)}
    hnsw = {"M": _ann.HNSW_M, "ef_construction": _ann.EF_CONSTRUCTION, "ef": _ann.search_beam(n, k)}
    hnsw["ef_retry"] = _ann.search_beam(n, k, _ann.EF_RETRY)
    if index == "hnswlib":
        return {**hnsw, "insert_rounds": _ann.INSERT_ROUNDS, "random_state": _seed(random_state), "threads": threads}
    return {"quantizer": index.removeprefix("faiss-"), **hnsw, "threads": threads}  # faiss: its own fixed seed


def sharded(
    exact: bool, n: int, k: int, partitions: int, *, random_state: int, requested: str, fallback: str | None = None
) -> GraphSearch:
    """The record of a search of dask features' ``partitions`` row chunks: the sharded exact search,
    or one hnswlib index per shard (:mod:`._dask_ann`: built on one thread, rows inserted in order,
    no second search)."""
    settings: dict[str, Any] = {}
    if not exact:
        from . import _ann

        settings = {"M": _ann.HNSW_M, "ef_construction": _ann.EF_CONSTRUCTION, "ef": _ann.search_beam(n, k)}
        settings.update(random_state=_seed(random_state), threads=1)
    return GraphSearch(
        index="exact" if exact else "hnswlib",
        exact=exact,
        requested={"method": requested},
        settings=settings,
        fallback=fallback,
        partitions=partitions,
    )


def describe_graph(graph: Any) -> str:
    """One line on the graph: its search (:meth:`GraphSearch.describe`), ``k``, metric and column scaling."""
    space = f"{graph.metric}, {graph.scaling} columns" if graph.standardized else f"{graph.metric}, raw columns"
    if graph.search is None:
        how = f"{graph.method} (how it was searched is not recorded: a graph saved by an earlier labelwise)"
    else:
        how = graph.search.describe()
    return f"{how}; k={graph.k}, {space}"


def _seed(random_state: Any) -> int | str:
    """``random_state`` for JSON: an integer seed as an int, anything else (a Generator) by its type's name."""
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return int(random_state)
    return type(random_state).__name__


def _settings_text(settings: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in settings.items())


def save_graph(graph: Any, path: str | os.PathLike) -> Path:
    """``graph`` (a :class:`~labelwise.checks.graph.NeighborGraph`) to an ``.npz`` file, atomically;
    the search record as one JSON string (``search``), absent when the graph has none."""
    from ..io.atomic import atomic_write

    fields = {
        "indices": graph.indices,
        "distances": graph.distances,
        "metric": np.array(graph.metric),
        "standardized": np.array(graph.standardized),
        "method": np.array(graph.method),
        "scaling": np.array(graph.scaling),
    }
    if graph.search is not None:
        fields["search"] = np.array(json.dumps(graph.search.to_dict()))
    with atomic_write(path, "wb") as fh:
        np.savez(fh, **fields)
    return Path(path)


def load_graph(cls: Any, path: str | os.PathLike) -> Any:
    """A graph of class ``cls`` from a file :func:`save_graph` wrote. Files of earlier versions load
    too: without ``scaling`` (z-scores) or ``search`` (None: not recorded)."""
    require_file(path, parameter="path", kind="NeighborGraph .npz file")
    try:
        with load_npz(path, parameter="path") as data:
            return cls(
                indices=data["indices"].astype(np.int64, copy=False),
                distances=data["distances"].astype(np.float32, copy=False),
                metric=str(data["metric"]),
                standardized=bool(data["standardized"]),
                method=str(data["method"]),
                scaling=str(data["scaling"]) if "scaling" in data.files else "zscore",  # older files: z-scores
                search=GraphSearch.from_dict(json.loads(str(data["search"]))) if "search" in data.files else None,
            )
    except DataFileError:
        raise  # load_npz's own message names the file and why it cannot be read
    except (KeyError, ValueError, TypeError, OSError) as exc:
        raise DataFileError(f"graph file {str(path)!r} is not a NeighborGraph .npz: {exc}") from None
