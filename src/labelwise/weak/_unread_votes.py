"""The abstain-model choice where many votes come from one-class functions, which the missing-abstain model cannot read.

``abstains="auto"`` (:func:`~._em.choose_abstain_model`) keeps informative abstains (Ratner et al. 2016) only where
their fit has the lower BIC (Schwarz 1978) *and* predicts the votes' values, given which functions voted, no worse than
Dawid and Skene's (1979) missing-abstain fit. In that model a function that votes one class only (a keyword rule) says
nothing: given that it votes, its vote is that class whatever the true class. Its votes are then read by majority vote
and by the informative model (through *when* the rule fires), but not by the missing-abstain model, whose labels rest
on the other functions alone. On the benchmark generator's low-coverage rule sets (``bench_weak.SIM_CONFIGS``' 20
functions of coverage 0.01-0.1 plus 6 copies, half of them one-class) BIC can still prefer missing abstains: the
informative model's class-dependent firing rates of many rarely firing functions cost more parameters than the
likelihood of *who* votes repays. Its fit predicts the other functions' vote values better all the same (by 30-90
nats on the seen sets), and its labels are at or above majority vote's where the missing fit's are 1-25 points below
(``benchmarks/RESULTS.md``, session 57, genmiss57).

So where :data:`ENABLED`, ``K = 2``, both models were fitted, neither relabels a class against majority vote, BIC
prefers missing abstains, the informative fit predicts the vote values better by at least ``log n`` nats (``n`` the
items with a vote: a clear gain, not a tie), and at least :data:`MIN_SHARE` of the votes come from one-class
functions of at least :data:`MIN_VOTES` votes (:func:`one_class_share`), the choice keeps informative abstains.

Two classes only: with two, a one-class rule's firing separates its class from the one other, which the informative
model reads directly; with three or more its firing leaves the other classes to the rest, and on few functions of
moderate coverage the informative fit then falls below majority vote where the missing fit does not (dev
low-coverage sets 7000-7399: the five sets the gate took below majority vote were all K >= 3, the three it changed
at K = 2 all rose), as :mod:`._emptied_class` also leaves two classes to the fit. The ``log n`` bar was chosen on
dev low-coverage sets 7000-8299 too: below it the gate's K = 2 changes included the two largest falls (one newly
below majority vote), while the generator's falling sets gain 30-90 nats against a ``log n`` of about 9.

On crowds BIC and the vote values disagree this way too (dense and sparse simulated crowds, real crowds), but there
a worker votes several classes: the share of one-class votes stays below 0.01 on every crowd of the 93 dev sets and
the 19, and a worker's few answers of one class (CF's 220 workers of fewer than 20 answers) do not count.

References
----------
Ratner et al. (2016) and Dawid and Skene (1979): as listed in :mod:`._negative_pairs`.
G. Schwarz, "Estimating the Dimension of a Model", Annals of Statistics 6(2), 461-464, 1978.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._one_class import one_class_functions
from ._votes import ABSTAIN

__all__ = ["ENABLED", "MIN_SHARE", "MIN_VOTES", "gate_votes", "informative_instead", "one_class_share"]

#: Whether ``abstains="auto"`` keeps informative abstains where the missing-abstain model cannot read many of the votes
#: (module docstring): on since session 57, when it passed the rule of ``benchmarks/dev_weak_gen_missing57.py``; False
#: gives the choice before it.
ENABLED = True

#: A one-class function counts once it has cast this many votes (fewer of one class are a worker's chance): the label
#: model's ``min_shared`` default, the fewest shared votes its clique search reads.
MIN_VOTES = 20

#: The share of the votes, cast by such functions, from which the missing-abstain model's choice is overruled (chosen on
#: dev seeds: at most 0.006 on the 93 dev sets' and the 19's crowds, 0.20-0.48 on the generator's seen falls).
MIN_SHARE = 0.1


def one_class_share(matrix: np.ndarray, weights: np.ndarray) -> float:
    """Share of the votes in the vote rows ``matrix`` (``-1`` = abstain; row ``i`` standing for ``weights[i]`` items)
    cast by functions that vote one class only (:func:`~._one_class.one_class_functions`) and at least
    :data:`MIN_VOTES` times; 0 without votes."""
    matrix = np.asarray(matrix)
    w = np.asarray(weights, dtype=np.float64)
    per_function = w @ (matrix != ABSTAIN)
    total = float(per_function.sum())
    if total <= 0:
        return 0.0
    counted = one_class_functions(matrix) & (per_function >= MIN_VOTES)
    return float(per_function[counted].sum()) / total


def gate_votes(matrix: np.ndarray, weights: np.ndarray, n_classes: int) -> tuple[float, float]:
    """What the gate reads of the vote rows ``matrix`` (row ``i`` standing for ``weights[i]`` items): their
    :func:`one_class_share` where ``n_classes`` is 2, else 0 (the gate holds at ``K = 2`` only), and the number of
    items with a vote."""
    matrix = np.asarray(matrix)
    w = np.asarray(weights, dtype=np.float64)
    n_voted = float(w[(matrix != ABSTAIN).any(axis=1)].sum())
    return (one_class_share(matrix, w) if n_classes == 2 else 0.0), n_voted


def informative_instead(
    bic: dict[str, float],
    vote_ll: dict[str, float],
    relabels: set[str],
    gate: Callable[[], tuple[float, float]] | None,
) -> bool:
    """Whether the choice keeps informative abstains against BIC's preference (module docstring): ``bic`` and
    ``vote_ll`` of both fits, the models whose fits ``relabels`` classes, and ``gate`` the :func:`gate_votes` of the
    fitted rows (called only where the rest holds; None: not known, False)."""
    if not ENABLED or gate is None or len(bic) != 2 or relabels or bic["informative"] < bic["missing"]:
        return False
    gain = vote_ll["informative"] - vote_ll["missing"]
    if not gain > 0:
        return False
    share, n_voted = gate()
    return share >= MIN_SHARE and gain >= float(np.log(max(n_voted, 2.0)))
