"""The abstain model on one-class rules that fire together less often than independence: missing abstains.

With informative abstains the label model reads each function's firing as independent of the others' given the class
(Ratner et al. 2016; the default's groups join only the dependent pairs it finds). Two one-class functions voting the
same class ``c`` then fire together MORE often than independence over all items says: with ``K = 2`` and ``a_y``,
``b_y`` their firing rates in class ``y``, ``Cov = p₀ p₁ (a₁ − a₀)(b₁ − b₀) > 0`` whenever both fire more often on
``c``, and a mixture over more classes keeps the sign for two rules that both fire most on ``c``. A pair whose
co-firing is far BELOW independence (rules reading a phrase budget: an item has one or two phrases, so one phrase's
rule firing makes another's less likely; a length rule) is a dependence the family cannot hold without reading one of
them as the other class's rule; EM then finds a latent class that is not the class (a trigger, the text's length) at
a higher likelihood than the true parameters' (``benchmarks/diag_weak_spam_rules.py``, session 52).

The test is the co-firing's ``z = φ √n``, ``φ`` the correlation of the two firing indicators over all ``n`` items
(weighted rows; items without a vote included: among the voted items alone any two rules are pushed apart, since the
condition "some rule fired" is shared), for every pair of one-class functions
(:func:`~._one_class.one_class_functions`) voting the same class. Where ``abstains="auto"``, the votes come mostly
from one-class functions (:func:`~._one_class_fit.mostly_one_class`), the fitted rows include items without a vote,
and some such pair has ``z < −dependency_threshold`` (the label model's own threshold), the fit keeps missing
abstains (Dawid-Skene's model, Dawid and Skene 1979), whose relabelling guard
(:func:`~._missing_guard.guard_missing`) gives majority vote's model where the fit moves a class, and a
:class:`~labelwise.errors.LabelwiseWarning` names the pair and its ``z``.

Designed in session 52 (spam52) from the spam rule set's diagnosis, nothing tuned; registered, judged on fresh seeds
and adopted by ``benchmarks/dev_weak_negative_pairs.py`` (its docstring holds the rule and the outcome; the numbers
are in ``benchmarks/RESULTS.md``, session 52). :data:`ENABLED` switches it. It reads ``abstains="auto"`` before
the one-class fit (``one_class_rules``) picks informative abstains, so it holds with that fit on, the default since
``benchmarks/dev_weak_one_class_default.py`` judged the two together.

References
----------
A. Ratner, C. De Sa, S. Wu, D. Selsam and C. Ré, "Data Programming: Creating Large Training Sets, Quickly",
NeurIPS 2016.
A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using the EM Algorithm",
Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._caller import warn_at_caller
from .._validate.arguments import show
from ..errors import LabelwiseWarning
from ._one_class import one_class_functions
from ._one_class_fit import abstain_mode as one_class_abstain_mode
from ._one_class_fit import mostly_one_class
from ._shared_steps import reused_for_all
from ._votes import ABSTAIN

__all__ = ["ENABLED", "abstain_mode", "lowest_same_class_z"]

#: Whether ``abstains="auto"`` keeps missing abstains on mostly one-class votes with a negatively dependent pair: on
#: since session 52, when it passed its rule (``benchmarks/dev_weak_negative_pairs.py``); False gives the fit before.
ENABLED = True


def lowest_same_class_z(matrix: np.ndarray, weights: np.ndarray) -> tuple[int, int, float] | None:
    """The pair ``(a, b, z)`` of one-class functions voting the same class whose co-firing ``z = φ √n`` is lowest.

    ``matrix``: vote rows (``-1`` = abstain), row ``i`` standing for ``weights[i]`` items; ``φ``: the correlation of
    the two functions' firing indicators over all ``n = Σ weights`` items. ``None`` where no two one-class functions of
    one class both fire on some but not all items."""
    matrix = np.asarray(matrix)
    w = np.asarray(weights, dtype=np.float64)
    cols = np.flatnonzero(one_class_functions(matrix))
    n = float(w.sum())
    if len(cols) < 2 or n <= 0:
        return None
    fire = (matrix[:, cols] != ABSTAIN).astype(np.float64)
    rate = (w @ fire) / n
    cov = (fire.T @ (fire * w[:, None])) / n - np.outer(rate, rate)
    sd = np.sqrt(rate * (1.0 - rate))
    cls = matrix[fire.argmax(axis=0), cols]  # each function's one class (a row where it fires)
    ok = (sd > 0)[:, None] & (sd > 0)[None, :] & (cls[:, None] == cls[None, :])
    ok &= np.triu(np.ones_like(ok), k=1).astype(bool)
    if not ok.any():
        return None
    z = np.where(ok, cov / np.where(ok, np.outer(sd, sd), 1.0), np.inf) * np.sqrt(n)
    a, b = np.unravel_index(int(np.argmin(z)), z.shape)
    return int(cols[a]), int(cols[b]), float(z[a, b])


def abstain_mode(model: Any, matrix: np.ndarray, weights: np.ndarray, votes: Any) -> str:
    """The abstain model EM fits on the vote rows ``matrix`` (row ``i`` standing for ``weights[i]`` items) of ``votes``:
    :func:`~._one_class_fit.abstain_mode`'s, or ``"missing"`` with a warning where :data:`ENABLED` and ``"auto"`` meet
    a same-class one-class pair of ``z < −model.dependency_threshold`` (:func:`lowest_same_class_z`) on mostly
    one-class votes whose rows include items without a vote (module docstring)."""
    k = len(votes.classes)
    abstains = one_class_abstain_mode(model.abstains, matrix, weights, k)
    threshold = model.dependency_threshold
    model._negative_pair = None  # the pair that decided, for the missing fit's guard's advice
    if not ENABLED or model.abstains != "auto" or threshold is None:  # the one-class fit's "informative" too
        return abstains
    matrix = np.asarray(matrix)
    w = np.asarray(weights, dtype=np.float64)
    if not ((matrix == ABSTAIN).all(axis=1) & (w > 0)).any() or not mostly_one_class(matrix, w, k):
        return abstains
    low = reused_for_all((matrix, w), "lowest_same_class_z", lambda: lowest_same_class_z(matrix, w))  # once a set
    if low is None or not low[2] < -float(threshold):
        return abstains
    a, b, z = low
    model._negative_pair = (votes.labelers[a], votes.labelers[b], z)
    warn_at_caller(
        LabelwiseWarning(
            f"{type(model).__name__}: the one-class functions {show(votes.labelers[a])} and {show(votes.labelers[b])} "
            f"vote the same class but fire together less often than independence (z = {z:.1f} < -{float(threshold):g}),"
            " which functions independent given the class cannot do: the informative-abstain model does not fit them, "
            "so abstains='auto' keeps missing abstains (Dawid-Skene's model; majority vote's where it moves a class)"
        )
    )
    return "missing"
