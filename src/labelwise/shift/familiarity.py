"""Familiarity: how close an evaluation label set is to the training labels (Golde et al. 2025)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_positive_int, show
from ..errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError

__all__ = ["Familiarity", "familiarity", "tfidf_embed"]

Embed = Callable[[Sequence[str]], np.ndarray]


def tfidf_embed(names: Sequence[str]) -> np.ndarray:
    """Offline default embedding: character 2-4-gram TF-IDF vectors of the label names (lower-cased).

    Unlike the paper's sentence encoder it knows spelling, not meaning: ``"person"`` and
    ``"persons"`` are close, ``"person"`` and ``"human"`` are not.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=True, sublinear_tf=True)
    # "_" reads as a space ("first_name" ~ "first name"), except in a name of underscores alone, which
    # would become blank: no n-grams, a zero vector (and sklearn's "empty vocabulary" if all were such)
    spaced = [str(n).replace("_", " ") for n in names]
    return vec.fit_transform([t if t.strip() else str(n) for t, n in zip(spaced, names, strict=True)]).toarray()


@dataclass(frozen=True)
class Familiarity:
    """Familiarity of evaluation labels to a training label distribution.

    Attributes
    ----------
    score : float
        Mean of ``per_label`` over the evaluation labels (0: unrelated, 1: all seen verbatim).
    per_label : Series
        Familiarity of each evaluation label.
    nearest : Series
        The most similar training label of each evaluation label (among equally similar ones,
        the most frequent, then the first by name).
    k : int
    """

    score: float
    per_label: pd.Series
    nearest: pd.Series
    k: int

    def to_frame(self) -> pd.DataFrame:
        """One row per evaluation label: familiarity and nearest training label."""
        return pd.DataFrame({"familiarity": self.per_label, "nearest_train_label": self.nearest})


def _label_names(values: Iterable[Any], name: str) -> list[str]:
    """Label names as text; a missing (None/NaN) or blank entry is an error naming its position.

    ``str(None)`` would otherwise enter the label set as a label called ``'None'`` (or ``'nan'``).
    """
    if isinstance(values, (str, bytes)):  # a bare string would be read letter by letter: 'person' -> p, e, r, ...
        raise InvalidParameterError(
            f"{name} must be a list of label names, got the single string {show(values)}: wrap it in a list"
        )
    if not isinstance(values, Iterable):
        raise InvalidLabelsError(f"{name} must be a list of label names, got {type(values).__name__} {show(values)}")
    out = []
    for i, v in enumerate(values):
        text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        if not text.strip():
            raise InvalidLabelsError(f"{name} must hold label names, entry {i} is {show(v)} (missing or blank)")
        out.append(text)
    return out


def _check_not_counts(values: Any, name: str, fix: str) -> None:
    """Refuse a Series of integers indexed by something other than ``0..n-1``: the shape of
    ``value_counts()`` (counts by label), whose values read as labels would be the counts."""
    if isinstance(values, pd.Series) and values.dtype.kind in "iu" and not isinstance(values.index, pd.RangeIndex):
        first = f" ({show(values.index[0])}: {show(values.iloc[0])}, ...)" if len(values) else ""
        raise InvalidLabelsError(
            f"{name} is a Series of integers by key{first}, the shape of value_counts(), whose values would "
            f"be read as label names; {fix}, or pass {name}.tolist() if its values are the labels"
        )


def _counts(train_labels: Iterable[Any] | Mapping[Any, int]) -> Counter:
    _check_not_counts(
        train_labels, "train_labels", "pass train_labels.to_dict() if it counts each label (as value_counts() does)"
    )
    if isinstance(train_labels, Mapping):
        names = _label_names(train_labels.keys(), "train_labels")
        values = list(train_labels.values())
        for n, v in zip(names, values, strict=True):
            # a count must be a whole number >= 0: int(0.5) was a label of 0 occurrences (a NaN score),
            # '3' a TypeError, and negative or NaN counts were dropped without a word
            whole = isinstance(v, (int, np.integer, float, np.floating)) and not isinstance(v, (bool, np.bool_))
            if not whole or not np.isfinite(v) or v < 0 or v != int(v):
                raise InvalidLabelsError(
                    f"train_labels as a mapping must map each label to its count (a whole number >= 0), "
                    f"label {n!r} has {show(v)}"
                )
        counts = Counter({n: int(v) for n, v in zip(names, values, strict=True) if v > 0})
    else:
        counts = Counter(_label_names(train_labels, "train_labels"))
    if not counts:
        raise InvalidLabelsError("train_labels must hold at least one label (with a positive count)")
    return counts


def familiarity(
    train_labels: Iterable[Any] | Mapping[Any, int],
    eval_labels: Iterable[Any],
    embed: Embed | None = None,
    *,
    k: int = 1000,
) -> Familiarity:
    """Similarity of each evaluation label to the training labels, weighted by training frequency.

    For an evaluation label ``e``, the training label *occurrences* are sorted by the cosine
    similarity of their label to ``e`` (a label seen ``c`` times occupies ``c`` places), the top
    ``k`` occurrences are kept, and ``familiarity(e)`` is their mean similarity (negative
    similarities count as 0). A label seen often and verbatim in training scores near 1; a label
    whose closest training labels are rare or dissimilar scores low. The data set's Familiarity is
    the mean over its (distinct) evaluation labels.

    Parameters
    ----------
    train_labels : iterable of labels (one per occurrence) or mapping label -> count
        A Series of integers with an index other than ``0..n-1`` (``value_counts()``) is refused:
        give ``.to_dict()`` for counts by label or ``.tolist()`` for labels.
    eval_labels : iterable of labels (distinct values are used)
    embed : callable, optional
        ``embed(names) -> array (len(names), d)``; default :func:`tfidf_embed` (offline, lexical).
        Pass a sentence encoder to follow the paper.
    k : int
        Truncation: how many most-similar training occurrences count.

    References
    ----------
    .. [1] J. Golde, P. Haller, M. Ploner, F. Barth, N. Jedema and A. Akbik, "Familiarity: Better
       Evaluation of Zero-Shot Named Entity Recognition by Quantifying Label Shifts in Synthetic
       Training Data", NAACL 2025.
    """
    counts = _counts(train_labels)
    _check_not_counts(eval_labels, "eval_labels", "pass eval_labels.index if it counts each label")
    evals = list(dict.fromkeys(_label_names(eval_labels, "eval_labels")))
    if not evals:
        raise InvalidLabelsError("eval_labels must hold at least one label")
    k = check_positive_int("k", k)
    # A canonical order (most frequent first, then by name) so that ties in similarity, and the
    # nearest label they choose, do not depend on the order the labels were given in.
    train = sorted(counts, key=lambda t: (-counts[t], t))
    vectors = np.asarray((embed or tfidf_embed)(train + evals), dtype=float)
    if vectors.ndim != 2 or len(vectors) != len(train) + len(evals):
        raise ShapeMismatchError(
            f"embed must return one row per label name ({len(train) + len(evals)}), got shape {vectors.shape}"
        )
    if not np.isfinite(vectors).all():
        row = int(np.flatnonzero(~np.isfinite(vectors).all(axis=1))[0])
        raise InvalidParameterError(
            f"embed must return finite numbers, its row for label {(train + evals)[row]!r} is not"
        )
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    sim = np.clip(unit[len(train) :] @ unit[: len(train)].T, 0.0, 1.0)  # (n_eval, n_train)
    c = np.array([counts[t] for t in train], dtype=float)
    order = np.argsort(-sim, axis=1, kind="stable")
    s_sorted, c_sorted = np.take_along_axis(sim, order, 1), c[order]
    before = np.cumsum(c_sorted, axis=1) - c_sorted
    taken = np.clip(k - before, 0, c_sorted)  # occurrences of each label inside the top k
    per = (s_sorted * taken).sum(axis=1) / taken.sum(axis=1)
    nearest = [train[i] for i in order[:, 0]]
    per_label = pd.Series(per, index=pd.Index(evals, name="eval_label"), name="familiarity")
    return Familiarity(
        float(per.mean()),
        per_label,
        pd.Series(nearest, index=per_label.index, name="nearest"),
        k,
    )
