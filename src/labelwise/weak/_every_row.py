"""The kept informative-abstain fit of independent functions refitted on every vote row, the items nobody voted on
included, with a free class balance (geninf57's refit, applied once to the kept fit: every57b; gated on at least
:data:`MIN_VOTING` functions that vote: every57c, session 57; off by default: :data:`ENABLED`).

The label model's EM runs on the items with a vote (``LabelModel._fit_rows``): over every item a latent class can
come to mean "no rule fires" when the structure misses a dependency. But on the voted items alone the model of
independent functions is misspecified even where it is the true model: conditioning on "some function fired" makes
the functions' firing dependent given the class, since ``P(λ | y, λ ≠ ∅) = P(λ | y) / (1 − ∏_j P(λ_j = ∅ | y))``
(a truncated sample; Dempster, Laird and Rubin [1]_, section 4.2, fit it as the complete sample whose truncated part
is missing: here its size, the items with no vote, is known). Where the fit the label model finally keeps (after its
structure choice and the co-vote join) has no clique (every group one function) and its informative-abstain model
was kept without the lured-item model, and at least :data:`MIN_VOTING` functions vote on some item,
:func:`kept_refit` refits that model by EM over every vote row, the
all-abstain row with its items included, from the kept fit's posterior and with the class balance free (the
maximum-likelihood estimate of Dawid and Skene [2]_'s model with abstain as an outcome), and keeps it unless it
relabels a class against majority vote (:func:`~labelwise.aggregate._guard.relabelled_given`). It runs after every
comparison of fits (BIC of structures and of abstain models, made on the voted items): none of them sees it.

What the refit changes of the fitted model: ``group_mu_``, ``mu_`` (from the refit's posterior of the voted rows, as
the label model computes it), ``class_balance_``, the posterior and labels, ``log_likelihood_history_`` (the refit's
run's: the mean log-likelihood per item over EVERY item, not the voted items'), ``n_em_iter_``
(its SQUAREM cycles), ``em_objective_history_``, ``em_converged_`` and ``n_em_evals_`` (the refit's run, which has no
prior: its objective is its log-likelihood). ``bic_`` and ``vote_log_likelihood_`` stay those of the comparison made
on the voted items, and ``spectral_start_``/``iwmv_start_`` those of the kept fit the refit starts from.

References
----------
.. [1] A. P. Dempster, N. M. Laird and D. B. Rubin, "Maximum Likelihood from Incomplete Data via the EM Algorithm",
   JRSS B 39(1), 1-38, 1977.
.. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm",
   Applied Statistics 28(1), 20-28, 1979.
.. [3] E. S. Allman, C. Matias and J. A. Rhodes, "Identifiability of parameters in latent structure models with
   many observed variables", Annals of Statistics 37(6A), 3099-3132, 2009.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..aggregate._guard import relabelled_given, strict_classes
from ._em import em_outputs, record_convergence, run_em
from ._moments import indicator
from ._outcomes import voted_outcomes
from ._posterior import posterior, vote_shares

__all__ = ["ENABLED", "MIN_VOTING", "applies", "kept_refit"]

#: Whether the refit runs (off: main's fit, EM on the voted items only).
ENABLED = False

#: The fewest functions that vote on some item for the refit to run: three conditionally independent views identify
#: a latent class model (Allman, Matias and Rhodes [3]_), plus margin; with fewer, the every-row likelihood (free
#: balance, the all-abstain row weighing in) can pick a worse optimum than the voted items' fit (every57b's 10351).
MIN_VOTING = 5


def applies(model: Any, p_fixed: Any, matrix: np.ndarray) -> bool:
    """Whether :func:`kept_refit` refits ``model``'s kept fit on vote rows ``matrix``: switched on, EM run, the class
    balance ``p_fixed`` the default ``"votes"`` (one the user gives, or a dev set's, stays fixed), some row with no
    vote, the informative-abstain model kept without the lured-item model, no group of more than one function, and
    at least :data:`MIN_VOTING` functions that vote."""
    return (
        ENABLED
        and bool(model.n_em_iter)
        and isinstance(p_fixed, str)
        and p_fixed == "votes"
        and model.abstains_ == "informative"
        and model.lure_params_ is None
        and all(len(g) == 1 for g in model._groups)
        and not bool((matrix >= 0).any(axis=1).all())
        and int((matrix >= 0).any(axis=0).sum()) >= MIN_VOTING
    )


def kept_refit(model: Any, matrix: np.ndarray, w: np.ndarray, p_fixed: Any, out: tuple) -> tuple:
    """The kept fit's ``out`` (``μ``, class balance, every row's posterior) refitted over every row of ``matrix``
    (vote rows, -1 = abstain; row ``i`` standing for ``w[i]`` items) where :func:`applies` (module docstring), the
    model's attributes of the run set to the refit's; else ``out``."""
    if not applies(model, p_fixed, matrix):
        return out
    k, m = int(out[0].shape[1]), matrix.shape[1]
    lam = indicator(matrix, k)
    cov = np.flatnonzero((matrix >= 0).any(axis=1))
    lam_g, n_outcomes = voted_outcomes(matrix, k, model._groups, lam)
    start = posterior(lam_g, model.group_mu_, out[1])[0]
    full = run_em(lam_g, n_outcomes, start, out[1], None, w=w, fixed=False, smoothing=float(model.smoothing),
                  n_iter=model.n_em_iter, tol=float(model.tol))  # fmt: skip
    lam_c = lam[cov]
    if len(relabelled_given(strict_classes(vote_shares(lam_c, m, k)), full.post[cov], w[cov])):
        return out
    kept = full._replace(post=full.post[cov])
    starts = model.spectral_start_, model.iwmv_start_
    record_convergence(model, kept, model.n_em_iter, float(model.tol))
    model.spectral_start_, model.iwmv_start_ = starts
    model.group_mu_, model.log_likelihood_history_ = full.mu, list(full.history)
    model.n_em_iter_ = len(full.history) - 1
    return em_outputs(kept, lam_c, w[cov], lam_g, cov, False)
