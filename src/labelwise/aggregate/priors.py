"""Dirichlet priors on annotators' confusion matrices, as additive pseudo-counts.

A Dirichlet prior on each row of annotator ``j``'s confusion matrix with parameters ``1 + A[k, :]``
makes the MAP M-step of Dawid-Skene ``π_j[k, l] ∝ n_j[k, l] + A[k, l]``, where ``n_j[k, l]`` is
the expected number of items of true class ``k`` to which ``j`` answered ``l``. The prior is
therefore one (K x K) array of pseudo-counts added to every annotator's (true x given) count
matrix. These functions compute it from the answers, so any implementation of the M-step (in
memory or distributed, from per-partition sufficient statistics) can reuse it.

The default prior is the one of Bayesian Dawid-Skene models ([1]_, [2]_, [3]_): each confusion
row is centred on an annotator who is right with the crowd's mean accuracy ``a`` and spreads
mistakes evenly, ``A[k, k] = s a`` and ``A[k, l] = s (1 - a) / (K - 1)``, with a strength of
``s`` pseudo-answers per row. ``a`` is an empirical-Bayes estimate from the answers: the mean
accuracy of the one-coin model that explains how often two answers on the same item agree.
Because the prior favours the diagonal, an annotator with few answers keeps a diagonal-dominant
confusion matrix and EM cannot drift to a relabelling of the classes, which is what happens to
the maximum likelihood (or symmetrically smoothed) estimate when items have one or two answers.

References
----------
.. [1] H.-C. Kim and Z. Ghahramani, "Bayesian Classifier Combination", AISTATS 2012.
.. [2] S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U. Kruschwitz and M. Poesio, "Comparing
   Bayesian Models of Annotation", TACL 6, 571-585, 2018.
.. [3] R. J. Passonneau and B. Carpenter, "The Benefits of a Model of Annotation", TACL 2,
   311-326, 2014.
"""

from __future__ import annotations

import math

import numpy as np

from .._validate.arguments import check_positive_int
from ..errors import InvalidParameterError

__all__ = ["accuracy_from_agreement", "agreement_accuracy", "diagonal_confusion_prior"]

#: Rows of the count matrix per block of :func:`agreement_accuracy` (its temporaries: 2.5 MB at K=5).
ROW_BLOCK = 1 << 16


def agreement_accuracy(item_label_counts: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """Mean annotator accuracy implied by how often two answers on one item agree.

    Under the one-coin model (every answer right with probability ``a``, wrong answers uniform
    over the ``K - 1`` other classes), two answers on the same item agree with probability
    ``P = a² + (1 - a)² / (K - 1)``. ``P`` is estimated over all pairs of answers on the same item,
    ``Σ_i Σ_k n_ik (n_ik - 1) / Σ_i n_i (n_i - 1)``, and the equation solved for ``a >= 1/K``.

    Parameters
    ----------
    item_label_counts : ndarray of shape (n_items, K)
        ``[i, k]`` = number of answers ``k`` on item ``i``.
    weights : ndarray of shape (n_items,), optional
        Rows' multiplicities (e.g. the number of items sharing an answer pattern).

    Returns
    -------
    float or None
        ``a`` in ``[1/K, 1]``; ``None`` when no item has two answers (no information).
    """
    counts = np.asarray(item_label_counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[1] < 2:
        raise InvalidParameterError(
            f"item_label_counts must be a 2-D array with >= 2 columns, got shape {counts.shape}"
        )
    k = counts.shape[1]
    w = np.ones(len(counts)) if weights is None else np.asarray(weights, dtype=np.float64)
    n = counts.sum(axis=1)
    pairs = float(w @ (n * (n - 1)))
    if pairs <= 0:
        return None
    # Σ_k n_ik (n_ik - 1) per row, a block of rows at a time into one vector: the same values as on
    # the whole array, without two temporaries as large as the counts
    agreeing = np.empty(len(counts))
    for start in range(0, len(counts), ROW_BLOCK):
        block = counts[start : start + ROW_BLOCK]
        (block * (block - 1)).sum(axis=1, out=agreeing[start : start + ROW_BLOCK])
    return accuracy_from_agreement(float(w @ agreeing), pairs, k)


def accuracy_from_agreement(agreeing_pairs: float, pairs: float, n_classes: int) -> float | None:
    """``agreement_accuracy`` from its two sums, so that partitions of the answers can add them up.

    Parameters
    ----------
    agreeing_pairs : float
        ``Σ_i Σ_k n_ik (n_ik - 1)``: ordered pairs of answers on one item that agree.
    pairs : float
        ``Σ_i n_i (n_i - 1)``: ordered pairs of answers on one item.
    n_classes : int
        ``K >= 2``.

    Returns
    -------
    float or None
        ``a`` in ``[1/K, 1]``; ``None`` when ``pairs`` is 0.
    """
    if pairs <= 0:
        return None
    k = n_classes
    p_agree = agreeing_pairs / pairs
    # (1 + 1/b) a² - (2/b) a + (1/b - P) = 0 with b = K - 1; the larger root is the one >= 1/K
    b = k - 1
    qa, qb, qc = 1 + 1 / b, -2 / b, 1 / b - p_agree
    disc = qb * qb - 4 * qa * qc
    if disc <= 0:  # agreement at or below chance
        return 1.0 / k
    return float(min(1.0, max(1.0 / k, (-qb + math.sqrt(disc)) / (2 * qa))))


def diagonal_confusion_prior(n_classes: int, *, strength: float, accuracy: float | None) -> np.ndarray:
    """Pseudo-counts ``A`` (K x K, ``[true k, given l]``) of a diagonal-favouring Dirichlet prior.

    ``A[k, k] = strength * a`` and ``A[k, l] = strength * (1 - a) / (K - 1)`` for ``l != k``: each
    confusion row gets ``strength`` pseudo-answers from an annotator of accuracy ``a``. ``a`` is
    ``accuracy`` clipped to ``[1/K + 0.1 (1 - 1/K), 0.99]`` so that the prior always favours the
    diagonal a little and never forbids an error; ``accuracy=None`` (no item with two answers, so
    nothing to estimate it from) uses the midpoint between chance and certainty, ``(1 + 1/K) / 2``.

    Add ``A`` to each annotator's expected count matrix in the M-step (MAP estimate under a
    Dirichlet(1 + A[k, :]) prior on row ``k``); see the module docstring for the references.

    Parameters
    ----------
    n_classes : int
        ``K``, at least 2.
    strength : float
        Pseudo-answers per confusion row, ``>= 0`` (0: no prior, the maximum likelihood estimate).
    accuracy : float or None
        The crowd's mean accuracy, e.g. from :func:`agreement_accuracy`.

    Returns
    -------
    ndarray of shape (K, K)
    """
    check_positive_int("n_classes", n_classes)
    if n_classes < 2:
        raise InvalidParameterError(f"n_classes must be >= 2, got {n_classes}")
    if not (isinstance(strength, (int, float)) and not isinstance(strength, bool) and strength >= 0):
        raise InvalidParameterError(f"strength must be a number >= 0, got {strength!r}")
    k = int(n_classes)
    chance = 1.0 / k
    a = (1 + chance) / 2 if accuracy is None else float(accuracy)
    if not 0 <= a <= 1:
        raise InvalidParameterError(f"accuracy must be in [0, 1] or None, got {accuracy!r}")
    a = min(0.99, max(chance + 0.1 * (1 - chance), a))
    prior = np.full((k, k), strength * (1 - a) / (k - 1))
    np.fill_diagonal(prior, strength * a)
    return prior
