"""The learner's pairs kept only where the two functions' votes are positively dependent given the class (opt-in).

Varma, Sala, He, Ratner and Ré (ICML 2019) read a dependency from any nonzero off-diagonal entry of the sparse part
``Ŝ`` of ``Σ_O⁻¹ = S − L`` (:mod:`._structure_learning`), whatever its sign; :func:`~._structure_learning._pairs`
thresholds the absolute partial correlation ``|Ŝ_ij| / sqrt(Ŝ_ii Ŝ_jj)``. The signed partial correlation of two
vote indicators given the latent class is ``ρ_ij = −Ŝ_ij / sqrt(Ŝ_ii Ŝ_jj)`` (Lauritzen 1996, section 5.1.3).
Rules that read one trigger, and copies of a rule, fire together more often than their class alone says:
``ρ > 0``. Where :data:`ENABLED`, a learned pair is kept only if some pair of the two functions' indicators has
``ρ`` above the learner's threshold; a pair whose every indicator pair above the threshold has ``ρ < 0`` (the
votes of one less likely with the other's, given the class) is refused.

Why (seen shared-trigger seeds 200-215, 280-295, 392-1611, K = 2 and 3; ``benchmarks/dev_weak_trigger_fix56b.py``
and ``benchmarks/RESULTS.md``, session 56, trigfp56): of the learner's 11,117 pairs there, every one inside a true
clique (11,052) has ``ρ > 0``; the 22 with ``ρ < 0`` all join two one-class rules of different triggers voting
different classes, 10 of them the false pairs of 10 of the 11 sets where a learned group across true cliques puts
the default more than 0.5 points below majority vote.

:data:`ENABLED` switches it (the hook: :func:`._structure_learning.learned_pairs`, before the contracted joins);
registered, judged on fresh seeds and adopted by ``benchmarks/dev_weak_trigger_fix56b.py`` (its docstring holds the
rule and the outcome).

References
----------
P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision Models",
ICML 2019. https://arxiv.org/abs/1903.05844
S. L. Lauritzen, "Graphical Models", Oxford University Press, 1996.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Whether :func:`._structure_learning.learned_pairs` keeps only the positively dependent pairs
#: (:func:`positive_pairs`): True since session 56, when it passed its judging rule
#: (``benchmarks/dev_weak_trigger_fix56b.py``); False gives every pair above the threshold, whatever its sign.
ENABLED = True


def positive_pairs(
    pairs: list[tuple[int, int]], solved: tuple[Any, np.ndarray], threshold: float
) -> list[tuple[int, int]]:
    """The pairs of ``pairs`` (functions ``(j, j')``, in order) with some indicator pair whose signed partial
    correlation ``−Ŝ_ab / sqrt(Ŝ_aa Ŝ_bb)`` exceeds ``threshold``.

    Parameters
    ----------
    pairs : list of (int, int)
        The learner's pairs (:func:`~._structure_learning.learner_pairs`), strongest first.
    solved : (SparseLowRank, ndarray)
        The learner's solve and each indicator's function (:func:`~._structure_learning.solve_learner`).
    threshold : float
        The learner's partial-correlation threshold.

    Returns
    -------
    list of (int, int)
        ``pairs`` less those whose indicator pairs above ``threshold`` are all negatively correlated, order kept.
    """
    fit, owner = solved
    if fit is None or not pairs:
        return list(pairs)
    diag = np.sqrt(np.maximum(np.diag(fit.sparse), 1e-12))
    signed = -fit.sparse / np.outer(diag, diag)
    rows, cols = np.nonzero(np.triu(signed > threshold, 1))
    positive = {
        tuple(sorted((int(owner[a]), int(owner[b])))) for a, b in zip(rows.tolist(), cols.tolist(), strict=True)
    }
    return [pair for pair in pairs if tuple(sorted(pair)) in positive]
