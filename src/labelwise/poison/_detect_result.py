"""The result of a poisoned-data detector: a score and a flag per row, a table per class."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PoisonDetection:
    """Rows a poisoned-data detector flags, with its scores and what it saw in each class.

    Attributes
    ----------
    detector : str
        ``"spectral_signatures"``, ``"activation_clustering"``, ``"roni"`` or ``"provenance"``.
    scores : ndarray of float, shape (n,)
        Higher is more suspicious; comparable within a class. NaN in a class the detector skipped
        (too few rows).
    is_flagged : ndarray of bool, shape (n,)
        The rows the detector calls poisoned.
    classes : ndarray of shape (K,)
        The classes, sorted.
    codes : ndarray of int, shape (n,)
        Each row's class as an index into ``classes``.
    per_class : DataFrame
        One row per class: ``class``, ``rows``, ``flagged`` and the detector's own columns.
    params : dict
        The parameters the detector ran with.
    clusters : ndarray of int, shape (n,), or None
        Activation clustering: each row's cluster within its class (0 the larger, 1 the smaller,
        -1 in a skipped class). None for the other detectors.
    sources : ndarray of shape (n,), or None
        Provenance: each row's data source. None for the other detectors.
    per_source : DataFrame or None
        Provenance: one row per source (``source``, ``rows``, ``step``, ``effect``, ``flagged``).
    index : pandas Index or None
        The rows' index where the input had one (the labels' ``Series``, else the features'
        ``DataFrame``): :meth:`to_frame` is indexed by it. None for arrays.
    """

    detector: str
    scores: np.ndarray
    is_flagged: np.ndarray
    classes: np.ndarray
    codes: np.ndarray
    per_class: pd.DataFrame
    params: dict = field(default_factory=dict)
    clusters: np.ndarray | None = None
    sources: np.ndarray | None = None
    per_source: pd.DataFrame | None = None
    index: pd.Index | None = None

    @property
    def labels(self) -> np.ndarray:
        """Each row's label, as given."""
        return self.classes[self.codes]

    @property
    def n_flagged(self) -> int:
        """How many rows are flagged."""
        return int(self.is_flagged.sum())

    @property
    def flagged_indices(self) -> np.ndarray:
        """Row numbers of the flagged rows, ascending."""
        return np.flatnonzero(self.is_flagged)

    def to_frame(self) -> pd.DataFrame:
        """One row per example, most suspicious first: ``label``, ``score``, ``is_flagged`` (and
        ``cluster`` for activation clustering, ``source`` for provenance). Ties keep row order. The
        index is the input's (``index``) where it had one, else the row number (named ``row``)."""
        frame = pd.DataFrame({"label": self.labels, "score": self.scores, "is_flagged": self.is_flagged})
        if self.clusters is not None:
            frame["cluster"] = self.clusters
        if self.sources is not None:
            frame["source"] = self.sources
        if self.index is not None:
            frame.index = self.index
        else:
            frame.index.name = "row"
        order = np.lexsort((np.arange(len(frame)), -np.nan_to_num(self.scores, nan=-np.inf), ~self.is_flagged))
        return frame.iloc[order]
