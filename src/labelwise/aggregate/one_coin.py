"""One-coin Dawid-Skene: one accuracy per annotator, by EM."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ._answers import EncodedAnswers
from ._base import BaseAggregator, log_normalize
from ._observed import _FLOOR, _Observed, csr_times_dense
from ._sparse_rest import RestCells, RestPosterior, class_mass, rest_normalize
from ._sparse_votes import answer_cells, check_dense_fits, dense_too_large
from .majority import _vote_shares_in_place

__all__ = ["OneCoinDawidSkene"]


class OneCoinDawidSkene(BaseAggregator):
    r"""One-coin Dawid-Skene: one accuracy per annotator, errors spread evenly over other classes.

    Model. As :class:`DawidSkene` with each confusion matrix constrained to one parameter, the
    annotator's accuracy ``s_j``: ``π_j[k, l] = s_j`` if ``l = k`` else ``(1 - s_j) / (K - 1)``.

    EM:

    * initialisation: ``T[i, k]`` = majority vote shares;
    * M-step: ``p_k = mean_i T[i, k]``; ``s_j = mean_{(i, l) answered by j} T[i, l]`` (the
      expected share of ``j``'s answers that are correct), clipped to ``[1e-10, 1 - 1e-10]``;
    * E-step (log space): ``log T[i, k] = log p_k + Σ_{(j,l) ∈ A_i} [l = k] log s_j +
      [l ≠ k] log((1 - s_j)/(K - 1)) - log Z_i``, computed as :class:`DawidSkene`'s E-step, one
      sparse product of the item x (annotator, label) count matrix with these log entries.

    Stops as :class:`DawidSkene`, and like it iterates over distinct answer patterns (items with
    the same answers, weighted by their number). ``annotator_skill_`` is ``s``.

    Free-text answers (about as many classes as answers): where a dense ``n_items x K`` table would
    exceed :data:`~labelwise.aggregate._sparse_votes.DENSE_BYTES_LIMIT`, both steps run on the
    answered (item, label) cells alone. Every class nobody gave item ``i`` has the posterior
    ``r_i p_k`` (its answers are all "wrong" for it), so the E-step needs only the answered cells and
    one rest factor ``r_i`` per item, and the M-step's ``p_k`` adds ``p_k`` times the rest of the
    items that did not answer ``k`` (:mod:`~labelwise.aggregate._sparse_rest`). The result is the
    dense path's up to rounding (labels by the same tie rule and draws); ``probas_`` is then not
    built: ``probas_sparse_`` holds the answered cells' posteriors and ``probas_rest_`` each item's
    mass on its unanswered classes, spread over them in proportion to ``rest_prior_`` (the prior the
    last E-step used; ``priors_`` is re-estimated from that posterior, as on the dense path).

    Parameters
    ----------
    max_iter : int, default 100
    tol : float, default 1e-5
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.MajorityVote`.

    Attributes
    ----------
    skills_ : ndarray of shape (n_annotators,)
    priors_ : pandas.Series

    References
    ----------
    .. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
       Using the EM Algorithm", Applied Statistics 28(1), 1979.
    .. [2] Y. Zhang, X. Chen, D. Zhou and M. I. Jordan, "Spectral Methods Meet EM: A Provably
       Optimal Algorithm for Crowdsourcing", JMLR 17, 2016 (the one-coin model, section 2).
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        tol: float = 1e-5,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.max_iter = max_iter
        self.tol = tol
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    _fits_patterns = True
    _owns_posterior = True  # EM's last E-step (or the vote shares) are made per fit
    _any_k = True  # the answered cells alone above DENSE_BYTES_LIMIT (the dense fit's memory checked in _fit)

    # Both steps use Dawid-Skene's item x (annotator, label) count matrix: the E-step is the same
    # sparse product with the one-coin confusion entries, and the M-step reads each used column's
    # expected count of its own label off ``M.T @ T``.
    @staticmethod
    def _m_step(obs: _Observed, post: np.ndarray, n_answered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        w = obs.weights
        prior = np.maximum(w @ post, _FLOOR)
        prior /= prior.sum()
        counts = np.asarray(obs.mt @ (post if obs.unit_weights else post * w[:, None]))
        right = counts[np.arange(len(counts)), obs.label_of]  # Σ_i w_i T[i, l] over answers l of column r
        skill = np.bincount(obs.annotator_of, weights=right, minlength=len(n_answered)) / np.maximum(n_answered, 1)
        return prior, np.clip(skill, _FLOOR, 1 - _FLOOR)

    @staticmethod
    def _e_step(
        obs: _Observed, prior: np.ndarray, skill: np.ndarray, n_answers: int, out: np.ndarray | None = None
    ) -> tuple[np.ndarray, float]:
        # ``out``: a posterior nobody needs any more, whose memory the new one may take
        k = len(prior)
        log_wrong = (np.log1p(-skill) - np.log(k - 1))[obs.annotator_of]
        log_given = np.repeat(log_wrong[:, None], k, axis=1)  # [used column (j, l), true class]
        log_given[np.arange(len(log_given)), obs.label_of] = np.log(skill)[obs.annotator_of]
        log_joint = csr_times_dense(obs.m, log_given, out)
        log_joint += np.log(prior)
        post, log_z = log_normalize(log_joint, overwrite=True)
        return post, float(-(obs.weights @ log_z) / n_answers)

    @staticmethod
    def _sparse_m_step(
        pat_enc: EncodedAnswers,
        rc: RestCells,
        of_answer: np.ndarray,
        post: RestPosterior,
        weights: np.ndarray | None,
        n_answered: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_m_step` on the answered cells and the rests (``weights``: the patterns', None for all 1)."""
        prior = np.maximum(class_mass(post, rc, weights), _FLOOR)
        prior /= prior.sum()
        right = post.cells.data[of_answer]  # T[i, l] of each answer's own label
        if weights is not None:
            right = right * weights[pat_enc.item_idx]
        skill = pat_enc.annotator_sum(right) / np.maximum(n_answered, 1)
        return prior, np.clip(skill, _FLOOR, 1 - _FLOOR)

    @staticmethod
    def _sparse_e_step(
        pat_enc: EncodedAnswers,
        rc: RestCells,
        of_answer: np.ndarray,
        prior: np.ndarray,
        skill: np.ndarray,
    ) -> tuple[RestPosterior, np.ndarray]:
        """:meth:`_e_step` on the answered cells: each item's wrong-answer log likelihoods summed, and the
        right-minus-wrong terms summed into the cells of their labels; the log normalisers per row."""
        k = len(prior)
        log_wrong = (np.log1p(-skill) - np.log(k - 1))[pat_enc.annotator_idx]
        bonus = np.log(skill)[pat_enc.annotator_idx] - log_wrong
        cell_log = np.bincount(of_answer, weights=bonus, minlength=rc.cols.size)
        return rest_normalize(rc, cell_log, pat_enc.item_sum(log_wrong), prior)

    def _fit_sparse(self, enc: EncodedAnswers) -> tuple[RestPosterior, np.ndarray]:
        """EM on the answered cells of each answer pattern (see the class docstring), from the vote shares."""
        pat = enc.patterns
        sub, n_answered = pat.answers, pat.answers_per_annotator
        weights = pat.weights if pat.grouped else None
        cells = answer_cells(sub)
        rc = RestCells.of(cells)
        votes = np.bincount(cells.of_answer, minlength=rc.cols.size).astype(np.float64)
        votes /= np.add.reduceat(votes, rc.indptr[:-1])[rc.rows]
        zeros = np.zeros(sub.n_items)
        state: dict[str, Any] = {
            "post": RestPosterior(
                sp.csr_matrix((votes, rc.cols, rc.indptr), shape=rc.shape), zeros, np.ones(enc.n_classes), zeros
            )
        }

        def step(_it: int) -> float:
            prior, skill = self._sparse_m_step(sub, rc, cells.of_answer, state["post"], weights, n_answered)
            state["post"], log_z = self._sparse_e_step(sub, rc, cells.of_answer, prior, skill)
            return float(-(pat.weights @ log_z) / enc.n_answers)

        self._iterate(step)
        post = state["post"]
        prior, skill = self._sparse_m_step(sub, rc, cells.of_answer, post, weights, n_answered)
        self.skills_ = skill
        self.priors_ = pd.Series(prior, index=enc.class_index(), name="prior")
        return post, skill

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[Any, np.ndarray]:
        if dense_too_large(enc.n_items, enc.n_classes):
            return self._fit_sparse(enc)
        check_dense_fits(type(self).__name__, enc, copies=self._posterior_copies)
        pat = enc.patterns  # items with the same answers share a posterior: iterate over patterns
        n_answered = pat.answers_per_annotator
        state = {"post": _vote_shares_in_place(pat.answers, consume=owned)}
        # the item codes' last reader was the vote count: the count matrix may take their memory
        obs = _Observed.build(pat, consume_keys=owned, consume_codes=owned)

        def step(_it: int) -> float:
            prior, skill = self._m_step(obs, state["post"], n_answered)
            # the M-step has read the posterior (at first the vote shares, made for this fit): the
            # E-step writes the next one in its memory
            state["post"], nll = self._e_step(obs, prior, skill, enc.n_answers, out=state["post"])
            return nll

        self._iterate(step)
        post = state["post"]
        prior, skill = self._m_step(obs, post, n_answered)
        self.skills_ = skill
        self.priors_ = pd.Series(prior, index=enc.class_index(), name="prior")
        return post, skill

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.skills_ = np.ones(enc.n_annotators)
        self.priors_ = pd.Series([1.0], index=enc.class_index(), name="prior")
