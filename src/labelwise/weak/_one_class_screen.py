"""The clique search's screen for pairs of one-class labeling functions, and cliques of them grown while BIC pays.

A function that only ever votes one class (a keyword rule) says something by *when* it votes, not by *what*. For
two such functions the agreement statistic of the clique search
(:func:`~labelwise.weak._dependencies.agreement_excess`) is degenerate: on the items both vote on they agree
always (same class) or never (different classes), and independence given the class predicts exactly that, so its
z-score is 0 whatever their dependence. Rules that read the same trigger ("has a link") are dependent given the
class (Bach et al. 2017; Ratner et al. 2019 model such pairs as cliques) and their dependence is all in *who votes*:
for a pair of one-class functions voting the same class the screen therefore reads the co-vote z-score
(:meth:`~labelwise.weak._dependencies.PairTables.covote_z`), the statistic the search's accept step already asks.
Pairs voting different classes keep the agreement screen (z = 0: never joined by it): the search reads the vote
shares as the class posterior, and an item on which two such functions both vote has its mass split between
their two classes, so the co-votes counted in each class exceed what independence given the class predicts
whether the two are dependent or not. For a pair of one class the same posterior errs the other way (the items
either votes on carry its class's mass: a selection that makes independent functions co-vote *less*), so the
screen stays conservative there (``benchmarks/dev_weak_one_class_cliques.py``).

Cliques of one-class functions voting one class may grow past ``max_clique``: each such join must pay for its joint
table by the Bayesian information criterion (Schwarz 1978) of the two groups' joint outcome given the class over the
two groups as independent (:func:`group_bic_gain`), the same test the search asks of a pair. Such a clique uses at
most ``2^s`` of its outcomes (abstain or the one class for each member), so its table stays small where a clique
of multi-class functions would not; the test stops the growth where the items no longer pay for it.

References
----------
S. H. Bach, B. He, A. Ratner and C. Ré, "Learning the Structure of Generative Models without Labeled Data",
ICML 2017.
A. Ratner, B. Hancock, J. Dunnmon, F. Sala, S. Pandey and C. Ré, "Training Complex Models with Multi-Task Weak
Supervision", AAAI 2019.
G. Schwarz, "Estimating the Dimension of a Model", Annals of Statistics 6(2), 1978.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any

import numpy as np

from ._one_class import one_class_functions
from ._votes import ABSTAIN

__all__ = ["MAX_OUTCOMES", "SCREEN", "group_bic_gain", "one_class_classes", "screen_and_grow"]

#: A memory bound, not a fit choice: a grown clique's outcome space ``(K + 1)^s`` stays within this many outcomes.
MAX_OUTCOMES = 1 << 12

#: Whether the screen runs in this context: :func:`~._one_class_fit.fit_rows` fits each set with and without it and
#: keeps the structure the Bayesian information criterion prefers.
SCREEN: ContextVar[bool] = ContextVar("one_class_screen", default=True)


def one_class_classes(matrix: np.ndarray) -> np.ndarray:
    """(m,) the class each one-class function votes (:func:`~._one_class.one_class_functions`), ``-1`` for others."""
    matrix = np.asarray(matrix)
    one = one_class_functions(matrix)
    first = np.where(matrix != ABSTAIN, matrix, np.iinfo(np.int64).max).min(axis=0, initial=np.iinfo(np.int64).max)
    return np.where(one, first, -1).astype(np.int64)


def group_bic_gain(
    matrix: np.ndarray, mass: np.ndarray, log_n: float, left: Sequence[int], right: Sequence[int]
) -> float:
    """BIC gain of one clique of the functions ``left`` and ``right`` over the two groups as independent.

    With ``A`` and ``B`` the two groups' joint outcomes and ``mass[y, i]`` row ``i``'s class-``y`` posterior mass,
    ``n[a, b, y]`` the expected counts, the G statistic of conditional independence given the class less
    ``K (A_used − 1)(B_used − 1) log n`` (the parameters the joined table adds): for two single functions it is
    :func:`~labelwise.weak._dependencies.joint_bic_gain`.
    """

    base = int(np.asarray(matrix).max(initial=0)) + 2  # abstain and every class seen

    def codes(group: Sequence[int]) -> tuple[np.ndarray, int]:
        code = np.zeros(matrix.shape[0], dtype=np.int64)
        for j in group:
            code = code * base + (matrix[:, j] + 1)
        used, inverse = np.unique(code, return_inverse=True)
        return inverse.ravel(), len(used)

    (ca, na), (cb, nb) = codes(left), codes(right)
    k = mass.shape[0]
    joint = np.stack([np.bincount(ca * nb + cb, weights=row, minlength=na * nb) for row in mass], axis=-1)
    joint = joint.reshape(na, nb, k)
    lsum, rsum, total = joint.sum(axis=1), joint.sum(axis=0), joint.sum(axis=(0, 1))
    expected = lsum[:, None, :] * rsum[None, :, :] / np.maximum(total, 1e-300)[None, None, :]
    seen = joint > 0
    g = 2.0 * float((joint[seen] * np.log(joint[seen] / expected[seen])).sum())
    used_a, used_b = int((lsum.sum(axis=1) > 0).sum()), int((rsum.sum(axis=1) > 0).sum())
    return g - k * (used_a - 1) * (used_b - 1) * log_n


def leave_out_shares(counts: np.ndarray, matrix: np.ndarray, left_out: Sequence[int], base: np.ndarray) -> np.ndarray:
    """(n, K) vote shares of each row without the votes of the functions ``left_out``; ``base`` for a row with none.

    ``counts``: each row's votes per class (all functions)."""
    rest = counts.astype(np.float64, copy=True)
    rows = np.arange(len(matrix))
    for j in left_out:
        voted = matrix[:, j] >= 0
        rest[rows[voted], matrix[voted, j]] -= 1.0
    total = rest.sum(axis=1, keepdims=True)
    return np.where(total > 0, rest / np.maximum(total, 1.0), base[None, :])


def covote_test(matrix: np.ndarray, post: np.ndarray, weights: np.ndarray, a: int, b: int) -> float:
    """:meth:`~labelwise.weak._dependencies.PairTables.covote_z` of one pair under ``post`` (rows weighted)."""
    mass = post * weights[:, None]
    va, vb = matrix[:, a] >= 0, matrix[:, b] >= 0
    n_y = mass.sum(axis=0)
    q_a = mass[va].sum(axis=0) / np.maximum(n_y, 1e-300)
    q_b = mass[vb].sum(axis=0) / np.maximum(n_y, 1e-300)
    p = q_a * q_b
    var = float(n_y @ (p * (1.0 - p)))
    both = float(weights[va & vb].sum())
    return (both - float(n_y @ p)) / float(np.sqrt(var)) if var > 1e-9 else 0.0


def screen_and_grow(
    matrix: np.ndarray,
    z: np.ndarray,
    tables: Any,
    n_classes: int,
    threshold: float,
) -> tuple[np.ndarray, Callable[[int, int], bool | None], Callable[[list[int], list[int]], bool] | None]:
    """The screen's z-scores with every pair of one-class functions of one class read by its co-vote z-score, the
    accept test of those pairs (``None`` for other pairs: the search's own test) and the test that lets a clique of
    one-class functions of one class grow past ``max_clique``.

    A pair's co-votes, and its joint table's BIC, are read under the vote shares of the *other* functions
    (:func:`leave_out_shares`; a row with no other vote gets the vote shares of all rows with a vote): a posterior
    built from the pair's own votes is a function of the two variables whose independence is tested. A join that
    grows a clique is judged under the shares without the clique's members. On votes not mostly from one-class
    functions (:func:`~._one_class_fit.mostly_one_class`, or with ``ONE_CLASS_RULES`` off): ``z`` as it is, no
    pair's test changed, no growth (the search before session 49). ``tables``: the search's
    :class:`~labelwise.weak._dependencies.PairTables` (its weights are the rows')."""
    from ._dependencies import PairTables
    from ._one_class_fit import mostly_one_class

    weights = np.asarray(tables.weights, dtype=np.float64)
    cls = one_class_classes(matrix)
    if not SCREEN.get() or not mostly_one_class(matrix, weights, n_classes) or int((cls >= 0).sum()) < 2:
        return z, lambda a, b: None, None
    same = (cls[:, None] >= 0) & (cls[:, None] == cls[None, :])  # one-class pairs of one class
    np.fill_diagonal(same, False)
    counts = np.stack([(matrix == c).sum(axis=1) for c in range(n_classes)], axis=1).astype(np.float64)
    covered = counts.sum(axis=1) > 0
    base = weights[covered] @ (counts[covered] / counts[covered].sum(axis=1, keepdims=True))
    base = base / max(float(base.sum()), 1e-300)
    log_n = float(np.log(max(float(weights.sum()), 2.0)))
    screened = z.copy()
    for a, b in zip(*np.nonzero(np.triu(same)), strict=True):
        shares = leave_out_shares(counts, matrix, (a, b), base)
        screened[a, b] = screened[b, a] = covote_test(matrix, shares, weights, int(a), int(b))

    def accept(a: int, b: int) -> bool | None:
        if not same[a, b]:
            return None
        shares = leave_out_shares(counts, matrix, (a, b), base)
        return bool(
            screened[a, b] > threshold and PairTables(matrix, shares, weights, n_classes).bic_gain([(a, b)])[0] > 0
        )

    def grow(left: list[int], right: list[int]) -> bool:
        members = [*left, *right]
        if (cls[members] < 0).any() or len(set(cls[members].tolist())) > 1:
            return False
        if (n_classes + 1) ** len(members) > MAX_OUTCOMES:
            return False
        mass = (leave_out_shares(counts, matrix, members, base) * weights[:, None]).T
        return group_bic_gain(matrix, mass, log_n, left, right) > 0

    return screened, accept, grow
