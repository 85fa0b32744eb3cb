"""MACE (Hovy et al. 2013): who to trust, by modelling when each annotator is spamming."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import digamma

from .._progress import track
from .._validate.arguments import check_choice, check_positive_int
from ..errors import InvalidParameterError
from ._answers import EncodedAnswers
from ._base import BaseAggregator, log_normalize
from ._canonical import canonical_answers

__all__ = ["MACE"]


class MACE(BaseAggregator):
    r"""MACE: Multi-Annotator Competence Estimation.

    Model (the paper's generative story). Each item's true label ``T_i`` is uniform over the ``K``
    classes. Annotator ``j`` on item ``i`` first draws ``S_ij ~ Bernoulli(1 - θ_j)``: with
    probability ``θ_j`` (competence) they are not spamming and answer ``A_ij = T_i``; otherwise
    they answer from their own spamming strategy ``A_ij ~ Multinomial(ξ_j)``. Hence

    .. math:: P(A_{ij} = l \mid T_i = k) = θ_j [l = k] + (1 - θ_j) ξ_{j,l}.

    Training:

    * E-step (log space, per-item constant plus a bincount over ``(item, label)``):
      ``log T[i, k] = -log K + Σ_{(j,l) ∈ A_i} log(θ_j [l = k] + (1 - θ_j) ξ_{j,l}) - log Z_i``;
      the posterior that answer ``(i, j, l)`` was not spam is
      ``E[1 - S_ij] = T[i, l] θ_j / (θ_j + (1 - θ_j) ξ_{j,l})``.
    * M-step, ``method="em"``: expected counts plus ``smoothing`` (the paper's EM with add-``s``
      smoothing, default ``0.01 / K`` as in the authors' code):
      ``θ_j = (Σ E[1-S] + s) / (n_j + 2s)``, ``ξ_{j,l} ∝ Σ_{answers of j with label l} E[S] + s``.
    * M-step, ``method="vb"``: the paper's variational-Bayes version with a ``Beta(alpha, beta)``
      prior on ``θ_j`` and a symmetric ``Dirichlet(strategy_prior)`` prior on ``ξ_j``; the point
      estimates are replaced by ``exp(E[log θ])`` etc.: ``exp(ψ(count + prior) - ψ(total + prior
      sum))``.

    EM finds local optima: it is restarted ``n_restarts`` times from random parameters (drawn from
    ``random_state``, one draw per annotator in sorted annotator order and per class) and the run
    with the highest marginal log-likelihood ``Σ_i log Z_i`` is kept. Every sum runs over the
    answers sorted by (item, annotator, label), so the result is the same bits for any row order
    of the answers (the restarts' draws follow the sorted annotators and classes: a renaming that
    changes their sorted order may end in another local optimum). ``loss_history_`` is that run's negative log-likelihood per answer per iteration.
    ``annotator_skill_`` is the estimated accuracy ``θ_j + (1 - θ_j) Σ_k p_k ξ_{j,k}`` with ``p``
    the mean posterior.

    Parameters
    ----------
    method : {"em", "vb"}, default "em"
    n_restarts : int, default 10
    max_iter : int, default 50
        Iterations per restart.
    tol : float, default 1e-6
        A restart stops when the negative log-likelihood per answer falls by less than this.
    smoothing : float, optional
        Add-``s`` smoothing of the EM M-step; default ``0.01 / K``.
    alpha, beta : float, default 0.5
        Beta prior on ``θ_j`` (``method="vb"``).
    strategy_prior : float, default 10.0
        Symmetric Dirichlet prior on ``ξ_j`` (``method="vb"``).
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.MajorityVote`.
    verbose : bool or None
        Progress bar over restarts (``None``: only on a terminal).

    Attributes
    ----------
    competence_ : pandas.Series indexed by annotator: ``θ_j``.
    strategy_ : pandas.DataFrame (annotator × class): ``ξ_j``.
    log_likelihood_ : float
        Marginal log-likelihood of the kept restart.

    References
    ----------
    .. [1] D. Hovy, T. Berg-Kirkpatrick, A. Vaswani and E. Hovy, "Learning Whom to Trust with
       MACE", Proceedings of NAACL-HLT 2013, 1120-1130. https://aclanthology.org/N13-1132
    """

    def __init__(
        self,
        *,
        method: str = "em",
        n_restarts: int = 10,
        max_iter: int = 50,
        tol: float = 1e-6,
        smoothing: float | None = None,
        alpha: float = 0.5,
        beta: float = 0.5,
        strategy_prior: float = 10.0,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
        verbose: bool | None = None,
    ) -> None:
        self.method = method
        self.n_restarts = n_restarts
        self.max_iter = max_iter
        self.tol = tol
        self.smoothing = smoothing
        self.alpha = alpha
        self.beta = beta
        self.strategy_prior = strategy_prior
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state
        self.verbose = verbose

    def _check_params(self) -> None:
        super()._check_params()
        check_choice("method", self.method, ("em", "vb"))
        check_positive_int("n_restarts", self.n_restarts)
        for name in ("alpha", "beta", "strategy_prior") + (("smoothing",) if self.smoothing is not None else ()):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating)) or not np.isfinite(v) or v < 0:
                raise InvalidParameterError(f"{name} must be a finite number >= 0, got {v!r}")
        if self.method == "vb" and min(self.alpha, self.beta, self.strategy_prior) <= 0:
            raise InvalidParameterError(
                f"alpha, beta and strategy_prior must be > 0 with method='vb', got "
                f"{self.alpha!r}, {self.beta!r}, {self.strategy_prior!r}"
            )

    @staticmethod
    def _e_step(enc: EncodedAnswers, w_know: np.ndarray, w_spam: np.ndarray, strategy: np.ndarray):
        """Posterior of the true labels, log Z per item, and the expected counts."""
        j, lab = enc.annotator_idx, enc.label_idx
        spam_l = w_spam[j] * strategy[j, lab]  # (1 - θ) ξ_l per answer
        know = w_know[j]
        log_match = np.log(know + spam_l)
        log_other = np.log(spam_l)
        log_joint = enc.item_sum(log_other)[:, None] + enc.item_class_sum(log_match - log_other)
        log_joint -= np.log(enc.n_classes)
        post, log_z = log_normalize(log_joint)
        not_spam = post[enc.item_idx, lab] * know / (know + spam_l)
        return post, log_z, not_spam

    def _m_step(self, enc: EncodedAnswers, not_spam: np.ndarray):
        k = enc.n_classes
        n = enc.answers_per_annotator.astype(np.float64)
        know_c = enc.annotator_sum(not_spam)
        spam_c = n - know_c
        strat_c = enc.annotator_class_sum(1.0 - not_spam)
        if self.method == "em":
            s = 0.01 / k if self.smoothing is None else float(self.smoothing)
            s = max(s, 1e-12)
            w_know = (know_c + s) / (n + 2 * s)
            w_spam = 1.0 - w_know
            strategy = (strat_c + s) / (strat_c.sum(axis=1, keepdims=True) + k * s)
        else:
            a, b, g = float(self.alpha), float(self.beta), float(self.strategy_prior)
            total = digamma(n + a + b)
            w_know = np.exp(digamma(know_c + b) - total)
            w_spam = np.exp(digamma(spam_c + a) - total)
            strategy = np.exp(digamma(strat_c + g) - digamma(strat_c.sum(axis=1, keepdims=True) + k * g))
        return w_know, np.maximum(w_spam, 1e-300), np.maximum(strategy, 1e-300)

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[np.ndarray, np.ndarray]:
        rng = self._rng()
        enc = canonical_answers(enc)  # every sum in one order: the kept restart does not depend on row order
        k, n_ann = enc.n_classes, enc.n_annotators
        best: tuple | None = None
        for _ in track(
            range(self.n_restarts), total=self.n_restarts, description="MACE restarts", verbose=self.verbose
        ):
            pair = rng.uniform(1.0, 1.5, size=(n_ann, 2))
            w_know = pair[:, 1] / pair.sum(axis=1)
            w_spam = 1.0 - w_know
            strategy = rng.uniform(1.0, 1.5, size=(n_ann, k))
            strategy /= strategy.sum(axis=1, keepdims=True)
            history: list[float] = []
            converged = False
            prev = np.inf
            for _it in range(self.max_iter):
                post, log_z, not_spam = self._e_step(enc, w_know, w_spam, strategy)
                loss = float(-log_z.sum() / enc.n_answers)
                history.append(loss)
                if prev - loss < self.tol and _it > 0:
                    converged = True
                    break
                prev = loss
                w_know, w_spam, strategy = self._m_step(enc, not_spam)
            if not converged:  # score the last parameters
                post, log_z, _ = self._e_step(enc, w_know, w_spam, strategy)
                history.append(float(-log_z.sum() / enc.n_answers))
            ll = float(log_z.sum())
            if best is None or ll > best[0]:
                best = (ll, post, w_know, w_spam, strategy, history, converged)
        assert best is not None  # n_restarts >= 1
        ll, post, w_know, w_spam, strategy, history, converged = best
        theta = w_know / (w_know + w_spam)
        self.loss_history_ = history
        self.n_iter_ = len(history)
        self.converged_ = converged
        self.log_likelihood_ = ll
        self.competence_ = pd.Series(theta, index=enc.annotator_index(), name="competence")
        self.strategy_ = pd.DataFrame(strategy, index=enc.annotator_index(), columns=enc.class_index())
        p = post.mean(axis=0)
        skill = theta + (1.0 - theta) * ((strategy / strategy.sum(axis=1, keepdims=True)) @ p)
        return post, skill

    def _fit_single_class(self, enc: EncodedAnswers) -> None:
        self.competence_ = pd.Series(1.0, index=enc.annotator_index(), name="competence")
        self.strategy_ = pd.DataFrame(1.0, index=enc.annotator_index(), columns=enc.class_index())
        self.log_likelihood_ = 0.0
