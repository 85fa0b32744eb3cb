"""The label model's check of its informative-abstain fit against the votes: unanimous items overturned by abstains.

References
----------
.. [1] A. Ratner, B. Hancock, J. Dunnmon, F. Sala, S. Pandey and C. Ré, "Training Complex Models
   with Multi-Task Weak Supervision", AAAI 2019 (Snorkel's label model: its prediction leaves the
   abstains out).
.. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979 (abstains as missing answers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["UNANIMOUS_OVERTURNED", "checked_abstain_fit", "overturned_share"]

#: Largest share of the unanimous items (at least one vote, every vote one class) that the informative-abstain fit
#: may label another class before ``abstains="auto"`` keeps missing abstains instead. Chosen on the exploration seeds
#: 200-215 of ``benchmarks/dev_weak_shared_triggers.py`` (keyword rules sharing triggers); ``None``: no check.
UNANIMOUS_OVERTURNED: float | None = 0.05


def overturned_share(vote: np.ndarray, post: np.ndarray, w: np.ndarray) -> float:
    """Share (rows weighted by ``w``) of the unanimous rows of ``vote`` (vote shares, a row with one
    class at 1) whose most probable class under ``post`` is another one; 0 when there are none."""
    unanimous = vote.max(axis=1) >= 1.0 - 1e-12
    total = float(w[unanimous].sum())
    if not total:
        return 0.0
    moved = unanimous & (post.argmax(axis=1) != vote.argmax(axis=1))
    return float(w[moved].sum()) / total


def checked_abstain_fit(model: Any, em: Any, lam_g: Any, n_outcomes: np.ndarray, starts: list, groups: Any) -> tuple:
    """``em``'s fit (the label model's :func:`~._em.fit_abstain_models` with its settings), and with
    ``abstains="auto"`` its check: when the informative-abstain fit is kept and labels more than
    :data:`UNANIMOUS_OVERTURNED` of the unanimous items (every vote of the item one class; the rows
    of majority vote's start ``starts[-1]`` at 1) another class, the missing-abstain fit is kept.

    Why. Keyword rules that fire on a shared *trigger* (a link, a short text) present in every
    class are dependent given the class; with abstains informative, EM can then make the latent
    class "the trigger is there" (a rule on it estimated near-perfect), and the abstains of those
    rules overturn the votes of the other rules, even of a single rule that is always right.
    Snorkel's model [1]_ lets abstains inform only the fit, not the prediction; Dawid and Skene [2]_
    take them as missing answers. A fit in which the abstains alone overturn a share of the
    unanimous items is one the votes do not support: the missing-abstain model (with its guard,
    :func:`._missing_guard.guard_missing`) is kept. ``bic_`` and ``vote_log_likelihood_`` stay those
    of the comparison. Returns ``em``'s tuple (run, abstain model, BIC, vote log-likelihood).
    """
    out = em(lam_g, n_outcomes, starts, groups=groups, abstains=model.abstains)
    if model.abstains != "auto" or out[1] != "informative" or UNANIMOUS_OVERTURNED is None:
        return out
    if overturned_share(starts[-1], out[0].post, em.keywords["w"]) <= UNANIMOUS_OVERTURNED:
        return out
    missing = em(lam_g, n_outcomes, starts, groups=groups, abstains="missing")
    return missing[0], "missing", out[2], out[3]
