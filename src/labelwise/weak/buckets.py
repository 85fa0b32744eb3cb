"""Rows grouped by their labels, and the rows some labeling function voted on (Snorkel's utilities).

:func:`label_buckets` is Snorkel's ``get_label_buckets``: the rows of each combination of labels
across several label arrays (gold and predicted: the true and false positives of an error
analysis). :func:`filter_unlabeled` is its ``filter_unlabeled_dataframe``: the rows on which at
least one labeling function voted, with their probabilities, to train an end model on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import plain
from .._validate.probabilities import check_probs
from .._validate.row_alignment import align_rows
from ..errors import InvalidParameterError, ShapeMismatchError
from ._votes import ABSTAIN, Votes, as_votes

__all__ = ["Labeled", "filter_unlabeled", "label_buckets"]


def _labels(y: Any, parameter: str) -> np.ndarray:
    values = y.to_numpy() if isinstance(y, (pd.Series, pd.Index)) else y
    if isinstance(values, (str, bytes, dict)) or not pd.api.types.is_list_like(values):
        raise InvalidParameterError(f"{parameter} must be an array of labels, one per row, got {type(y).__name__}")
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ShapeMismatchError(f"{parameter} must be a 1-D array of labels (or shape (n, 1)), got shape {arr.shape}")
    return arr


def label_buckets(*y: Any) -> dict[tuple[Any, ...], np.ndarray]:
    """The positions of the rows of each combination of labels across ``y`` (Snorkel's ``get_label_buckets``).

    Parameters
    ----------
    *y : array-like, each of shape (n,) or (n, 1)
        Label arrays of one length (gold, predicted, a labeling function's votes, ...); any
        hashable labels (strings, integers, -1 for abstain).

    Returns
    -------
    dict
        ``buckets[(y0[i], y1[i], ...)]``: the positions ``i`` (ascending int64) of the rows with
        those labels; keys in the order of their first row, labels as plain Python values. A
        missing label (NaN, None, ``pd.NA``, NaT) is one bucket value, written ``None`` in the keys:
        ``buckets[(1, None)]`` finds it (Snorkel keeps the NaN itself, a key no lookup with another
        NaN can find, since NaN != NaN).

    Raises
    ------
    InvalidParameterError
        No array, or an argument that is not an array.
    ShapeMismatchError
        Arrays of different lengths, or not 1-D.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise import weak
    >>> buckets = weak.label_buckets(np.array([1, 1, 1, 0]), np.array([1, 1, -1, -1]))
    >>> {k: v.tolist() for k, v in buckets.items()}
    {(1, 1): [0, 1], (1, -1): [2], (0, -1): [3]}
    >>> weak.label_buckets(np.array([1.0, np.nan]))[(None,)].tolist()
    [1]
    """
    if not y:
        raise InvalidParameterError("label_buckets needs at least one label array, got none")
    arrays = [_labels(a, f"y[{i}]") for i, a in enumerate(y)]
    n = len(arrays[0])
    bad = next((i for i, a in enumerate(arrays) if len(a) != n), None)
    if bad is not None:
        raise ShapeMismatchError(
            f"y[{bad}] must have as many labels as y[0] ({n}), got {len(arrays[bad])}: the arrays label the same rows"
        )
    if n == 0:
        return {}
    codes = []
    uniques = []
    for a in arrays:
        c, u = pd.factorize(a, use_na_sentinel=False)  # codes in order of first appearance
        codes.append(c.astype(np.int64))
        uniques.append(np.asarray(u, dtype=object))
    combined = np.zeros(n, dtype=np.int64)
    for c, u in zip(codes, uniques, strict=True):
        combined = combined * len(u) + c
    group, first = pd.factorize(combined)  # groups in order of first appearance
    order = np.argsort(group, kind="stable").astype(np.int64)  # rows of each group, ascending
    sizes = np.bincount(group, minlength=len(first))
    out = {}
    for start, end in zip(np.cumsum(sizes) - sizes, np.cumsum(sizes), strict=True):
        row = int(order[start])
        out[tuple(_key(u[c[row]]) for c, u in zip(codes, uniques, strict=True))] = order[start:end]
    return out


def _key(value: Any) -> Any:
    """A label as a plain Python value for a bucket key; any missing value is ``None`` (NaN != NaN)."""
    return None if pd.api.types.is_scalar(value) and pd.isna(value) else plain(value)


@dataclass(frozen=True)
class Labeled:
    """The rows at least one labeling function voted on.

    Attributes
    ----------
    frame : pandas.DataFrame
        Those rows of the frame, in order, with their index.
    probas : numpy.ndarray or None
        Their rows of the probabilities given (None when none were).
    kept : numpy.ndarray of bool
        Which rows of the frame were kept.
    """

    frame: pd.DataFrame
    probas: np.ndarray | None
    kept: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """The kept rows (:attr:`frame`)."""
        return self.frame


def filter_unlabeled(df: pd.DataFrame, votes: Any, probas: Any = None) -> Labeled:
    """Drop the rows every labeling function abstained on (Snorkel's ``filter_unlabeled_dataframe``).

    Parameters
    ----------
    df : pandas.DataFrame
        The rows the functions were applied to.
    votes : Votes, DataFrame (item, labeler, label), or int matrix (n_rows, n_functions), -1 = abstain
        Votes and a long table are matched to ``df`` by item (its index); a matrix by position.
    probas : array-like of shape (n_rows, n_classes), optional
        Probabilities (a label model's ``predict_proba``), filtered alike. A DataFrame (what
        ``predict_proba`` returns, indexed by item) is matched to ``df`` by index; an array by position.

    Returns
    -------
    Labeled
        ``frame`` (the kept rows), ``probas`` (theirs, or None) and ``kept`` (the boolean mask).

    Raises
    ------
    InvalidParameterError
        ``df`` is not a DataFrame, or ``votes`` is not Votes, a long table or an integer matrix.
    ShapeMismatchError
        A matrix or ``probas`` without one row per row of ``df``, or Votes none of whose items is
        in the index of ``df``.
    InvalidProbabilitiesError
        ``probas`` not a 2-D array of finite, non-negative rows summing to 1 (the first bad row is named).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from labelwise import weak
    >>> kept = weak.filter_unlabeled(pd.DataFrame({"text": ["a", "b", "c"]}), np.array([[0, -1], [-1, -1], [-1, 1]]))
    >>> kept.frame.text.tolist(), kept.kept.tolist()
    (['a', 'c'], [True, False, True])
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidParameterError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    if isinstance(votes, (Votes, pd.DataFrame)):
        votes = as_votes(votes)
        voted = (votes.matrix() != ABSTAIN).any(axis=1)
        where = votes.items.get_indexer(df.index)
        if len(df) and (where < 0).all():
            raise ShapeMismatchError(
                f"votes must be the votes on the rows of df: none of its items (e.g. {votes.items[:3].tolist()}) "
                f"is in the index of df (e.g. {df.index[:3].tolist()})"
            )
        kept = np.zeros(len(df), dtype=bool)
        kept[where >= 0] = voted[where[where >= 0]]
    else:
        matrix = np.asarray(votes)
        if matrix.dtype.kind not in "iu":
            raise InvalidParameterError(
                f"votes must be Votes, a long table or an integer label matrix (-1 = abstain), got "
                f"{type(votes).__name__} of dtype {matrix.dtype}"
            )
        if matrix.ndim != 2 or matrix.shape[0] != len(df):
            raise ShapeMismatchError(
                f"votes must be Votes or a label matrix with one row per row of df ({len(df)}), got shape "
                f"{matrix.shape}"
            )
        kept = (matrix != ABSTAIN).any(axis=1)
    out_probas = None
    if probas is not None:
        probas = align_rows(df, "df", probas, "probas")  # a DataFrame indexed by item, as predict_proba gives it
        out_probas = np.asarray(check_probs(probas, name="probas"))
        if out_probas.shape[0] != len(df):
            raise ShapeMismatchError(
                f"probas must have one row per row of df ({len(df)}), got shape {out_probas.shape}"
            )
        out_probas = out_probas[kept]
    return Labeled(df[kept], out_probas, kept)
