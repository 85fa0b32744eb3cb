"""The informative-abstain fit of independent functions refitted on every vote row, the items nobody voted on
included, with a free class balance (geninf57, session 57; off by default: :data:`ENABLED`).

The label model's EM runs on the items with a vote (``LabelModel._fit_rows``): over every item a latent class can
come to mean "no rule fires" when the structure misses a dependency. But on the voted items alone the model of
independent functions is misspecified even where it is the true model: conditioning on "some function fired" makes
the functions' firing dependent given the class, since ``P(λ | y, λ ≠ ∅) = P(λ | y) / (1 − ∏_j P(λ_j = ∅ | y))``
(a truncated sample; Dempster, Laird and Rubin 1977, section 4.2, fit it as the complete sample whose truncated part
is missing: here its size, the items with no vote, is known). Where the fitted structure has no clique (every group
one function) and the informative-abstain model was kept, :func:`every_row_run` refits that model by EM over every
vote row, the all-abstain row with its items included, from the kept fit's posterior and with the class balance free
(the maximum-likelihood estimate of Dawid and Skene 1979's model with abstain as an outcome), and keeps it unless it
relabels a class against majority vote (:func:`~labelwise.aggregate._guard.relabelled_given`).
"""

from __future__ import annotations

from typing import Any

from ..aggregate._guard import relabelled_given, strict_classes
from ._em import EMRun, run_em
from ._posterior import posterior

__all__ = ["ENABLED", "every_row_run"]

#: Whether the refit runs (off: main's fit, EM on the voted items only).
ENABLED = False


def applies(model: Any, p_fixed: Any, run: EMRun, every: bool, groups: list[list[int]]) -> bool:
    """Whether :func:`every_row_run` refits: switched on, the class balance ``p_fixed`` the default ``"votes"`` (one
    the user gives, or a dev set's, stays fixed), some row with no vote, the informative-abstain model kept without the lured-item model, and no
    group of more than one function."""
    return (
        ENABLED
        and isinstance(p_fixed, str)
        and p_fixed == "votes"
        and not every
        and model.abstains_ == "informative"
        and run.lure is None
        and all(len(g) == 1 for g in groups)
    )


def every_row_run(model: Any, em: Any, run: EMRun, data: Any, groups: list[list[int]], lam_g: Any) -> EMRun:
    """The kept informative ``run`` on the voted rows, refitted over every row (module docstring) where
    :func:`applies`; the refit's posterior restricted to the voted rows ``data.cov``, as the label model's outputs
    read it. ``em``: the label model's ``fit_abstain_models`` partial (its ``p_fixed`` is read); ``data``:
    :class:`~._fit_tail.EMData`; ``lam_g``: the groups' outcomes of every row."""
    if not applies(model, em.keywords["p_fixed"], run, data.every, groups):
        return run
    start = posterior(lam_g, run.mu, run.p)[0]
    full = run_em(
        lam_g,
        data.n_outcomes,
        start,
        run.p,
        None,
        w=data.w,
        fixed=False,
        smoothing=float(model.smoothing),
        n_iter=model.n_em_iter,
        tol=float(model.tol),
    )
    post = full.post[data.cov]
    if len(relabelled_given(strict_classes(data.starts[-1]), post, data.w[data.cov])):
        return run
    return full._replace(post=post)
