"""HRRASA's local reliabilities (each answer's agreement with the other answers of its item, on the
vectors and on the answers themselves) and the default answer similarity, sentence GLEU."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._validate.arguments import show
from ..errors import InvalidParameterError
from ._embed_math import item_pairs, pair_sq_distances, row_sq_norms

__all__ = ["gleu_similarity", "local_reliabilities"]

_MAX_N = 4


def _ngrams(text: str) -> Counter:
    """Word n-grams of orders 1..4 (as many as the sentence has), with their counts."""
    words = text.split()
    grams: Counter = Counter()
    for n in range(1, min(_MAX_N, len(words)) + 1):
        grams.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return grams


def _gleu(a: Counter, b: Counter) -> float:
    total = max(sum(a.values()), sum(b.values()))
    if total == 0:
        return 0.0
    return sum((a & b).values()) / total


def gleu_similarity(a: str, b: str) -> float:
    """Sentence GLEU of two texts split on white space (Wu et al. 2016): the n-grams (orders 1 to 4)
    the two share, counted with their multiplicity, over the larger of their n-gram totals; the
    smaller of n-gram precision and recall, symmetric in ``a`` and ``b``, in [0, 1].

    References
    ----------
    Wu, Y. et al. (2016). Google's Neural Machine Translation System: Bridging the Gap between Human
    and Machine Translation. arXiv:1609.08144, section 7 (the GLEU score).
    """
    return _gleu(_ngrams(a), _ngrams(b))


def _pair_similarities(
    values: Sequence[Any], a: np.ndarray, b: np.ndarray, similarity: Callable[[Any, Any], float] | None
) -> np.ndarray:
    """``similarity(values[a], values[b])`` per pair, computed once per distinct pair of answers."""
    out = np.empty(len(a))
    if similarity is None:  # GLEU: symmetric, n-grams counted once per distinct text
        grams: dict[str, Counter] = {}
        cache: dict[tuple[str, str], float] = {}
        for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
            x, y = values[i], values[j]
            key = (x, y) if x <= y else (y, x)
            if key not in cache:
                for t in key:
                    if t not in grams:
                        grams[t] = _ngrams(t)
                cache[key] = _gleu(grams[key[0]], grams[key[1]])
            out[k] = cache[key]
        return out
    seen: dict[tuple[Any, Any], float] = {}
    for k, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        key = (values[i], values[j])
        if key not in seen:
            value = similarity(*key)
            try:
                value = float(value)
            except (TypeError, ValueError):
                value = np.nan
            if not np.isfinite(value):
                raise InvalidParameterError(
                    f"similarity must return a finite number for every pair of answers, got {show(value)} for "
                    f"{show(key[0])} and {show(key[1])}"
                )
            seen[key] = value
        out[k] = seen[key]
    return out


def local_reliabilities(
    X: Any,
    item_idx: np.ndarray,
    n_items: int,
    values: Sequence[Any] | None,
    lambda_emb: float,
    similarity: Callable[[Any, Any], float] | None,
) -> np.ndarray:
    r"""HRRASA's local reliability of each answer (Li 2020, eq. 1-3): over the other answers
    :math:`k'` of its item, the mean of :math:`\exp(-\|e^k - e^{k'}\|^2 / (\|e^k\|^2 \|e^{k'}\|^2))`
    weighted by ``lambda_emb``, plus the mean of ``similarity`` of the answers weighted by
    ``1 - lambda_emb``. NaN for the answer of an item with one answer (no other to compare with).
    A pair where either vector is all zeros adds 0 to the vector term."""
    n = len(item_idx)
    sizes = np.bincount(item_idx, minlength=n_items)
    others = (sizes[item_idx] - 1).astype(np.float64)
    a, b = item_pairs(item_idx, n_items)
    sq = row_sq_norms(X)
    out = np.zeros(n)
    if lambda_emb > 0:
        d = pair_sq_distances(X, a, b, sq)
        scale = sq[a] * sq[b]
        term = np.zeros(len(a))
        ok = scale > 0
        term[ok] = np.exp(-d[ok] / scale[ok])
        out += lambda_emb * np.bincount(a, weights=term, minlength=n)
    if lambda_emb < 1:
        assert values is not None
        sims = _pair_similarities(values, a, b, similarity)
        out += (1 - lambda_emb) * np.bincount(a, weights=sims, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(others > 0, out / np.maximum(others, 1), np.nan)
