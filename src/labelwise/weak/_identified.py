"""At least three conditionally independent groups: the label model's structure kept identifiable.

The label model's latent class model treats its groups (single functions, or cliques of dependent functions joined
into one joint outcome) as conditionally independent given the class. With three such groups whose class-conditional
outcome tables have full rank, Kruskal's theorem on three-way arrays makes the model generically identifiable up to a
relabelling of the classes (Allman, Matias and Rhodes [1]_, Theorem 9 and section 5); with two groups it is not: a
two-way table ``P(a, b) = Σ_y p_y P(a | y) P(b | y)`` is a matrix of rank ``K``, and any invertible change of basis
that keeps the factors non-negative fits it as well, so EM's optimum, and BIC's choice among structures, can swap
much of a class without the data objecting.

The clique search (:func:`._dependencies.clique_search`, including the learned structure's forced pairs) and the
fitted model's dependence check (:func:`._fit_check.fitted_check`) may join functions until fewer than three groups
are left. Where the functions were at least three (so the independent structure had three groups), this module keeps
the structure that was there before the join instead: each function its own group in place of the search's cliques
(:func:`searched`), and the groups before the check in place of the check's (:func:`checked`). With :data:`ENABLED`
off (the behaviour before session 56) both return their input.

References
----------
.. [1] E. S. Allman, C. Matias and J. A. Rhodes, "Identifiability of parameters in latent structure models with many
   observed variables", Annals of Statistics 37(6A), 3099-3132, 2009.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ENABLED", "MIN_GROUPS", "checked", "searched", "too_few"]

#: Whether the label model keeps its structure identified (session 56, ident56; adopted at its second judging,
#: session 56 narrow56: the rule of ``benchmarks/dev_weak_narrow56.py``).
ENABLED = True
#: The fewest conditionally independent groups that identify the latent class model (three views, Kruskal).
MIN_GROUPS = 3


def too_few(groups: list[list[int]], n_functions: int) -> bool:
    """Whether ``groups`` leave fewer than :data:`MIN_GROUPS` groups of ``n_functions`` that could have had as many."""
    return n_functions >= MIN_GROUPS and len(groups) < MIN_GROUPS


def searched(groups: list[list[int]], n_functions: int) -> list[list[int]]:
    """The clique search's ``groups``, or each of the ``n_functions`` functions its own group where they are too few
    (:func:`too_few`) and :data:`ENABLED` holds."""
    if too_few(groups, n_functions) and ENABLED:
        return [[j] for j in range(n_functions)]
    return groups


def checked(changed: tuple[Any, ...] | None, groups: list[list[int]]) -> tuple[Any, ...] | None:
    """:func:`._fit_check.fitted_check`'s result (``changed``: the new groups first, ``None``: no change), or ``None``
    (the check's join refused) where the new groups are too few of the current ``groups``' functions and
    :data:`ENABLED` holds."""
    if changed is not None and too_few(changed[0], sum(map(len, groups))) and ENABLED:
        return None
    return changed
