"""EM for the label model's group model, and the choice between the two abstain models."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._posterior import FLOOR, em_m_step, em_m_step_missing, posterior
from ._squarem import squarem

__all__ = ["choose_abstain_model", "run_em"]


def run_em(
    lam_g: Any,
    n_outcomes: np.ndarray,
    post: np.ndarray,
    p: np.ndarray,
    patterns: tuple[np.ndarray, np.ndarray] | None,
    w: np.ndarray,
    *,
    fixed: bool,
    smoothing: float,
    n_iter: int,
    tol: float,
) -> tuple:
    """EM on the group model from a posterior: M-step first, accelerated by SQUAREM
    (:func:`~labelwise.weak._squarem.squarem`, at most ``n_iter`` EM steps).

    With ``patterns``, abstains are modelled as uninformative (see :func:`em_m_step_missing`).
    Row ``i`` of ``lam_g`` stands for ``w[i]`` items with the same votes: the M-step sums are
    weighted. ``fixed`` keeps the class balance ``p``.

    Returns
    -------
    post, group μ, p, mean log-likelihoods per item
    """
    lam_t = lam_g.T.tocsr()
    total = float(w.sum())
    k = post.shape[1]

    def m_step(post: np.ndarray, p: np.ndarray) -> np.ndarray:
        weighted = post * w[:, None]
        if patterns is None:
            mu_g, p_new = em_m_step(lam_t, weighted, smoothing, n_outcomes)
        else:
            mu_g, p_new = em_m_step_missing(lam_t, weighted, smoothing, *patterns)
        if not fixed:
            p = np.maximum(p_new, FLOOR) / np.maximum(p_new, FLOOR).sum()
        return np.concatenate([mu_g.ravel(), p])

    def step(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        mu_g, p = theta[:-k].reshape(-1, k), theta[-k:]
        post, log_z = posterior(lam_g, mu_g, p)
        return float(w @ log_z) / total, m_step(post, p), post

    if not n_iter:
        return post, None, p, []
    theta, post, history = squarem(step, m_step(post, p), max_evals=n_iter, tol=tol, low=FLOOR)
    return post, theta[:-k].reshape(-1, k), theta[-k:], history


def choose_abstain_model(bic: dict[str, float], vote_ll: dict[str, float], relabels: set[str]) -> str:
    """``"informative"`` when it has the lower BIC *and* predicts the votes' values no worse (within
    ``1e-9`` relative, a tie when every function is unipolar), else ``"missing"``; the one fitted
    when only one was, and the other when only one relabels the classes against majority vote.
    The second condition stops a model whose class is spent on explaining *who* votes (crowd
    workers assigned in batches) at the expense of *what* they vote."""
    if len(bic) == 1:
        return next(iter(bic))
    if len(relabels) == 1:
        return next(iter(set(bic) - relabels))
    gain = vote_ll["informative"] - vote_ll["missing"]
    tie = 1e-9 * max(abs(vote_ll["missing"]), 1.0)
    return "informative" if bic["informative"] < bic["missing"] and gain >= -tie else "missing"
