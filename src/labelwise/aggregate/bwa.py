"""BWA: Bayesian weighted averaging for highly redundant crowds (Li, Rubinstein & Cohn, WWW 2019)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._caller import warn_at_caller
from .._validate.arguments import check_positive
from ..errors import InvalidParameterError, LabelwiseWarning
from ._answers import EncodedAnswers
from ._base import BaseAggregator, agreement_skill

__all__ = ["BWA"]


class BWA(BaseAggregator):
    """Bayesian weighted averaging (BWA) of crowd answers, one class against the rest.

    For each class ``k`` the answer ``y_ij = 1[annotator j answered k on item i]`` is treated as
    a real number with a normal likelihood around the item's score ``z_ik``, with the annotator's
    own precision ``v_jk``; a conjugate Gamma prior on the precision (an inverse-Gamma on the
    variance) and a normal prior on the score:

    * ``y_ij | z_ik, v_jk ~ N(z_ik, 1 / v_jk)`` for the answers given (an item an annotator did not
      answer enters none of the sums);
    * ``v_jk ~ Gamma(a / 2, b_k / 2)`` (shape, rate), ``a = prior_shape``;
    * ``z_ik | μ_k ~ N(μ_k, 1 / λ)``, ``λ = item_prior_strength``.

    EM, with the precisions integrated and the scores and ``μ_k`` as point estimates. From the
    majority-vote fractions ``z_ik = n_ik / W_i`` (``n_ik`` answers of class ``k`` among the item's
    ``W_i``), each round updates, in this order,

    1. ``μ_k = mean_i z_ik``;
    2. ``v_jk = (a + N_j) / (b_k + Σ_{i answered by j} (y_ij − z_ik)²)``, the posterior mean of the
       precision (``N_j``: the annotator's answers);
    3. ``z_ik = (λ μ_k + Σ_{j answered i} v_jk y_ij) / (λ + Σ_{j answered i} v_jk)``: the answers'
       weighted average, with ``λ`` pseudo-answers at ``μ_k``;

    until no score of the class moves by more than ``tol`` relative to its size (as
    ``numpy.allclose(old, new, rtol=tol)``); each class stops on its own. The prior's rate is set
    from the data: ``b_k = a · c · Σ_i W_i z_ik (1 − z_ik) / Σ_i W_i`` at the majority-vote start
    (the mean squared distance of an answer from its item's vote fraction, so the prior's mean
    precision is one over ``c`` times it), with the prior correction ``c = 4 (1 − 1/K)``
    (``prior_correction=False``: ``c = 1``). A class that every item answers unanimously has
    ``b_k = 0``; it is floored at ``a`` times the machine epsilon.

    The scores of the classes are fitted separately and need not sum to one: ``probas_`` is each
    item's scores divided by their sum, and ``labels_`` its largest (seeded random tie-breaking).
    ``annotator_skill_`` is the share of the annotator's answers equal to ``labels_`` (the scores
    are not calibrated probabilities, so their mean at the answers would understate it),
    ``precision_`` the ``v_jk``, ``class_mean_`` the ``μ_k`` and ``scores_`` the
    ``z_ik``. The model is built for crowds where every item has many answers (the paper's
    "highly redundant": five or more) from mostly good annotators.

    Parameters
    ----------
    prior_shape : float, default 15
        ``a``: twice the shape of the precisions' Gamma prior, i.e. its weight in pseudo-answers.
    item_prior_strength : float, default 1
        ``λ``: the precision of the scores' prior, in pseudo-answers at the class mean (0: none).
    prior_correction : bool, default True
        Scale the prior's rate by ``4 (1 − 1/K)``.
    max_iter : int, default 500
        At most this many rounds.
    tol : float, default 1e-3
        A class stops when its scores move by less than this, relative to their size.
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.MajorityVote` (``random_state`` breaks ties).

    References
    ----------
    .. [1] Yuan Li, Benjamin I. P. Rubinstein and Trevor Cohn, "Truth Inference at Scale: A
       Bayesian Model for Adjudicating Highly Redundant Crowd Annotations", The Web Conference
       (WWW) 2019, 1028-1038, https://doi.org/10.1145/3308558.3313459 (the defaults ``a = 15``,
       ``λ = 1`` and the prior correction as in the authors' code,
       https://github.com/yuan-li/truth-inference-at-scale).
    """

    def __init__(
        self,
        *,
        prior_shape: float = 15.0,
        item_prior_strength: float = 1.0,
        prior_correction: bool = True,
        max_iter: int = 500,
        tol: float = 1e-3,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.prior_shape = prior_shape
        self.item_prior_strength = item_prior_strength
        self.prior_correction = prior_correction
        self.max_iter = max_iter
        self.tol = tol
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    def _check_params(self) -> None:
        super()._check_params()
        check_positive("prior_shape", self.prior_shape)
        lam = self.item_prior_strength
        if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not (np.isfinite(lam) and lam >= 0):
            raise InvalidParameterError(f"item_prior_strength must be a finite number >= 0, got {lam!r}")
        if not isinstance(self.prior_correction, (bool, np.bool_)):
            raise InvalidParameterError(f"prior_correction must be True or False, got {self.prior_correction!r}")

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[np.ndarray, np.ndarray]:
        z = self._fit_scores(enc)
        post = z / z.sum(axis=1, keepdims=True)
        return post, agreement_skill(enc, self._hard_labels(post))

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        """One class: ``scores_``, ``precision_`` and ``class_mean_`` as the EM gives them (scores 1)."""
        self._fit_scores(enc)

    def _fit_scores(self, enc: EncodedAnswers) -> np.ndarray:
        """The EM's scores ``z`` (items x classes); sets ``scores_``, ``precision_`` and ``class_mean_``."""
        # one canonical order of the answers, so that no sum depends on the input's row order
        order = np.lexsort((enc.label_idx, enc.annotator_idx, enc.item_idx))
        rows = np.asarray(enc.item_idx, dtype=np.intp)[order]
        cols = np.asarray(enc.annotator_idx, dtype=np.intp)[order]
        vals = np.asarray(enc.label_idx, dtype=np.intp)[order]
        z, v, mu = self._em(rows, cols, vals, enc.n_items, enc.n_annotators, enc.n_classes)
        self.scores_ = pd.DataFrame(z, index=enc.item_index(), columns=enc.class_index())
        self.precision_ = pd.DataFrame(v, index=enc.annotator_index(), columns=enc.class_index())
        self.class_mean_ = pd.Series(mu, index=enc.class_index(), name="class_mean")
        return z

    def _em(
        self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int, m: int, k: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The scores ``z`` (n, K), the precisions ``v`` (m, K) and the class means ``μ`` (K,)."""
        a, lam = float(self.prior_shape), float(self.item_prior_strength)
        w_i = np.bincount(rows, minlength=n).astype(np.float64)
        n_j = np.bincount(cols, minlength=m).astype(np.float64)
        y = np.zeros((len(rows), k))
        y[np.arange(len(rows)), vals] = 1.0
        z = np.stack([np.bincount(rows, weights=y[:, c], minlength=n) for c in range(k)], axis=1) / w_i[:, None]
        corr = 4 * (1 - 1 / k) if self.prior_correction else 1.0
        b = a * corr * (w_i @ (z * (1 - z))) / w_i.sum()
        b = np.maximum(b, a * np.finfo(np.float64).eps)
        v, mu = np.empty((m, k)), np.empty(k)
        active = np.ones(k, dtype=bool)
        self.n_iter_ = 0
        while active.any() and self.n_iter_ < self.max_iter:
            self.n_iter_ += 1
            for c in np.flatnonzero(active):
                mu[c] = z[:, c].mean()
                resid = (z[rows, c] - y[:, c]) ** 2
                v[:, c] = (a + n_j) / (b[c] + np.bincount(cols, weights=resid, minlength=m))
                at = v[cols, c]
                num = lam * mu[c] + np.bincount(rows, weights=at * y[:, c], minlength=n)
                new = num / (lam + np.bincount(rows, weights=at, minlength=n))
                active[c] = not np.allclose(z[:, c], new, rtol=self.tol)
                z[:, c] = new
        self.converged_ = not active.any()
        if not self.converged_:
            warn_at_caller(
                LabelwiseWarning(
                    f"BWA did not converge in max_iter={self.max_iter} rounds "
                    f"({int(active.sum())} of {k} classes still moving); raise max_iter"
                )
            )
        return z, v, mu
