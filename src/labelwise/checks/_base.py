"""What a check receives (``CheckInputs``), what it returns (``CheckResult``), and the ``Check`` record.

A check declares the inputs it needs as alternatives: ``requires=(("labels", "probs"), ("labels",
"graph"))`` runs when labels and probs are given, or labels and a neighbour graph. A check whose
needs are not met is skipped with a one-line reason built from this declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: A per-row array: numpy in memory; a row-chunked dask array when the checks run per partition
#: (features given as a dask array, :mod:`labelwise.checks._partitioned`).
Rows = Any


@dataclass(frozen=True)
class CheckInputs:
    """Everything a check may use; absent inputs are ``None``.

    ``features`` are the finite (imputed) features; ``missing`` the count of missing values per row
    of the raw features; ``labels`` integer codes ``0..K-1`` of ``classes``; ``is_train`` marks
    training rows when a split was given; ``groups`` user-given group codes; ``feature_names`` the
    column names of features given as a DataFrame (of the encoded columns for a table with categorical
    columns, :mod:`labelwise.checks._table_features`, whose values as written are ``feature_keys``);
    ``texts`` the rows' free-text columns. For features given as a dask array, the per-row
    arrays are dask arrays on the features' row chunks and ``graph`` a
    :class:`~labelwise.checks._partitioned.PartitionedGraph` (``Check.partitioned``). ``cache`` holds
    intermediate results shared between checks (e.g. the exact-duplicate groups).
    """

    n: int
    features: Rows | None = None
    missing: Rows | None = None
    labels: Rows | None = None
    classes: np.ndarray | None = None
    probs: Rows | None = None
    graph: Any = None  # a NeighborGraph; a PartitionedGraph per partition
    is_train: Rows | None = None
    groups: Rows | None = None
    feature_names: tuple[str, ...] | None = None
    images: list[Any] | None = None  # one path or pixel array per row (the image checks)
    texts: np.ndarray | None = None  # (n, m) object array of texts, None where missing (duplicates, leakage)
    feature_keys: np.ndarray | None = None  # (n, m) codes of a table's categorical columns (exact duplicates)
    random_state: int = 0
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def has(self, name: str) -> bool:
        """Whether input ``name`` (``features``, ``labels``, ``probs``, ``graph``, ``split``, ``missing``,
        ``images``, ``texts``) is given."""
        value = self.is_train if name == "split" else getattr(self, name)
        return value is not None

    def option(self, check: str, name: str, default: Any) -> Any:
        """The user's option ``name`` for ``check`` (``check_options={check: {name: value}}``), or ``default``."""
        return self.options.get(check, {}).get(name, default)


@dataclass(frozen=True)
class CheckResult:
    """One check's output: per-row columns, one summary row, and an info dictionary."""

    columns: dict[str, np.ndarray]
    summary: dict[str, Any]
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """A data check: its name, the inputs it needs (alternatives), and the function that runs it.

    ``shares`` names the entries of :attr:`CheckInputs.cache` the check writes or reads;
    :func:`~labelwise.checks.find_data_issues` drops an entry after the last check that names it
    (a check that finds its entry gone computes it again, so this only saves memory).
    ``partitioned``: the check run per partition for features given as a dask array (the inputs'
    per-row arrays are then row-chunked dask arrays and the graph a
    :class:`~labelwise.checks._partitioned.PartitionedGraph`; its columns are dask arrays). A check
    without one reads the graph whole: for dask features it runs on the graph brought to the client.
    ``options``: the names of the options the check reads from ``check_options[name]``, each with its
    rule (:mod:`labelwise.checks._options`; ``None``: checked where the check reads it); any other
    name is refused before the checks run.
    """

    name: str
    requires: tuple[tuple[str, ...], ...]
    run: Callable[[CheckInputs], CheckResult]
    default: bool = True
    shares: tuple[str, ...] = ()
    partitioned: Callable[[CheckInputs], CheckResult] | None = None
    options: Mapping[str, Callable[[str, Any], object] | None] = field(default_factory=dict)

    def skip_reason(self, inputs: CheckInputs) -> str | None:
        """``None`` when one of the alternatives is met, else a one-line reason."""
        if any(all(inputs.has(need) for need in group) for group in self.requires):
            return None
        missing = [[n for n in group if not self._available(inputs, n)] for group in self.requires]
        closest = min(missing, key=len)  # the alternative fewest inputs away
        words = dict.fromkeys(_WORDS.get(n, n) for n in closest)  # ordered, without repeats
        if "features" in closest and "graph" in closest:
            words.pop(_WORDS["graph"])  # features give the graph
        return "needs " + " and ".join(words)

    @staticmethod
    def _available(inputs: CheckInputs, name: str) -> bool:
        return inputs.has(name) or (name == "graph" and inputs.has("features"))

    def needs_graph(self, inputs: CheckInputs) -> bool:
        """Whether the first satisfiable alternative, with the graph counted as available, uses the graph."""
        group = self._alternative(inputs)
        return group is not None and "graph" in group

    def uses_label_graph(self, inputs: CheckInputs) -> bool:
        """Whether that alternative reads the labels with the graph (its graph follows ``label_scaling``)."""
        group = self._alternative(inputs)
        return group is not None and "graph" in group and "labels" in group

    def _alternative(self, inputs: CheckInputs) -> tuple[str, ...] | None:
        for group in self.requires:
            if all(inputs.has(n) or (n == "graph" and inputs.has("features")) for n in group):
                return group
        return None


_WORDS = {
    "graph": "features (or a graph)",
    "split": "a split (split= / --split-column)",
    "missing": "features",  # the missing-value counts come with the features
    "images": "images (images= / --image-column)",
    "texts": "texts (texts= / text columns)",
}


def last_readers(checks: list[Check], reasons: list[str | None]) -> dict[str, int]:
    """For each :attr:`CheckInputs.cache` entry the checks name in ``shares``, the position of the
    last one that runs (``reasons[i] is None``): the entry can be dropped after it."""
    return {key: i for i, check in enumerate(checks) if reasons[i] is None for key in check.shares}


def drop_shared(cache: dict[str, Any], last: dict[str, int], i: int) -> None:
    """Drop the cache entries whose last reader was check ``i`` (:func:`last_readers`)."""
    for key in [key for key, at in last.items() if at == i]:
        cache.pop(key, None)


def summary_row(name: str, is_issue: np.ndarray, score: np.ndarray, **extra: Any) -> dict[str, Any]:
    """The summary row every check returns: issues found and the mean score."""
    return {
        "check": name,
        "status": "ran",
        "n_issues": int(np.count_nonzero(is_issue)),
        "score": float(np.mean(score)) if len(score) else float("nan"),
        "reason": "",
        **extra,
    }


def columns(name: str, is_issue: np.ndarray, score: np.ndarray) -> dict[str, np.ndarray]:
    """``is_<name>_issue`` and ``<name>_score`` (clipped to [0, 1])."""
    return {
        f"is_{name}_issue": np.asarray(is_issue, dtype=bool),
        f"{name}_score": np.clip(np.asarray(score, dtype=np.float64), 0.0, 1.0),
    }
