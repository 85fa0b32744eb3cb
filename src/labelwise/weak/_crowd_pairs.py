"""Dependent pairs of crowd workers for the label model, found by aggregate's Dawid-Skene pair check.

With missing abstains the label model *is* Dawid-Skene's model (who votes says nothing of the
class), so the check of :class:`labelwise.aggregate.DawidSkene` applies to it as it stands: for
each pair of functions sharing enough items, their agreements against the number predicted by
a fit of every other vote, a posterior predictive check (Gelman, Meng and Stern 1996; the
check, its screens and thresholds are :mod:`labelwise.aggregate._pair_check` and
:mod:`labelwise.aggregate._dependent`, reached through ``DawidSkene``'s public fit, not copied).
This module hands it the votes and joins the pairs it finds into the label model's groups.

References
----------
.. [1] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
.. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..aggregate._answers import EncodedAnswers
from ..aggregate._base import _blas_controller
from ..aggregate._dependent import MIN_SHARED_ITEMS, MemoryPairs, find_dependent_pairs
from ..aggregate._observed import _Observed, _vote_shares
from ..aggregate._pair_check import SAMPLE_ROWS
from ..aggregate._pair_triad import matrix_shared_pairs, model_z, triad_pairs
from ..aggregate._pair_triad import triad_keep as gate_by_z
from ..aggregate._patterns import AnswerPatterns
from ..aggregate.dawid_skene import DawidSkene
from ..errors import LabelwiseWarning
from ._pair_triad import triad_keep
from ._shared_steps import SHARED, reused_for
from ._votes import Votes

__all__ = [
    "OWN_FIT",
    "PAIR_COLUMNS",
    "dependent_pairs",
    "join_free_pairs",
    "own_fit_pairs",
    "pairs_frame",
    "row_pairs",
]

#: The columns of a dependent pair (``dependent_pairs_``), the functions as ``a`` and ``b``.
PAIR_COLUMNS = ("n_shared", "agreements", "expected", "z")

#: True (own56, session 56, judged by ``benchmarks/dev_weak_missing_speed4.py``): the missing-abstain check runs on the
#: label model's own distinct vote rows and its own missing-abstain fit (:func:`own_fit_pairs`). False: a Dawid-Skene
#: fit of the votes' long table (:func:`dependent_pairs`), the check before.
OWN_FIT = True


def dependent_pairs(
    votes: Votes,
    *,
    threshold: float,
    prior_strength: float,
    triad: bool = False,
    distinct: tuple[np.ndarray, np.ndarray] | None = None,
    known: list[tuple[int, int]] | None = None,
) -> np.ndarray:
    """Pairs of functions whose votes agree more than Dawid-Skene's model fitted without them predicts.

    The pairs that ``aggregate.DawidSkene(dependency_threshold=threshold,
    prior_strength=prior_strength)`` finds on the votes as a long answer table (abstain = no
    answer), through its public fit, so that the check is aggregate's whatever its internals.

    Parameters
    ----------
    votes : Votes
    threshold : float
        The check's ``z`` threshold (``DawidSkene(dependency_threshold=...)``).
    prior_strength : float
        Strength of the diagonal prior of the fits the check makes (``DawidSkene(prior_strength=...)``).
    triad : bool, default False
        Keep only the pairs whose excess agreement stands out, by ``threshold``, over the excess both
        share with a third labeler under the check's fitted model (:func:`._pair_triad.triad_keep`).
    distinct : (ndarray, ndarray), optional
        The distinct rows of ``votes.matrix()`` and the items each stands for: the triad gate's ``z`` are
        then sums over them, weighted, not over every item (the same sums up to rounding).
    known : list of (int, int), optional
        Pairs (positions in ``votes.labelers``) the label model already models as dependent: the check weighs their
        groups from the start and confirms no pair touching them (``find_dependent_pairs(known=...)``); the rows
        returned are the other pairs.

    Returns
    -------
    ndarray of shape (n_pairs, 6)
        One row ``(a, b, n_shared, agreements, expected, z)`` per dependent pair (``a``, ``b``:
        positions in ``votes.labelers``), as ``DawidSkene.dependent_pairs_`` reports them.
    """
    est = DawidSkene(  # ungated: with ``triad`` the label model gates this fit's pairs below
        prior_strength=prior_strength,
        dependency_threshold=threshold,
        dependency_triad=False,
        labels=list(votes.classes),
        annotator_col="labeler",  # the votes' own long table, not a renamed copy (Votes.to_annotations)
    )
    if known:  # read by the check (aggregate._dependent._known_codes), by name
        est._known_pairs = [(votes.labelers[a], votes.labelers[b]) for a, b in known]
    with warnings.catch_warnings():  # only the pairs are used: the fit's own warnings are not the label model's
        warnings.simplefilter("ignore", LabelwiseWarning)
        found = _fitted(est, votes).dependent_pairs_
    names = pd.Index(votes.labelers)

    def position(labelers: Any) -> np.ndarray:  # each name's position in ``votes.labelers``
        found_at = names.get_indexer(labelers)
        if (found_at < 0).any():  # the fit's labelers are the votes' own: never
            raise KeyError(f"labelers {list(np.asarray(labelers)[found_at < 0])} are not among the votes' labelers")
        return found_at

    rows = np.empty((len(found), 6))
    rows[:, 0] = position(found.annotator_a)
    rows[:, 1] = position(found.annotator_b)
    rows[:, 2:] = found[list(PAIR_COLUMNS)].to_numpy(dtype=np.float64)
    if not triad or not len(rows):
        return rows
    conf = np.empty_like(est.annotator_confusion_)
    conf[position(est.annotators_)] = est.annotator_confusion_  # votes.labelers' order
    prior = est.priors_.reindex(votes.classes).to_numpy(dtype=np.float64)
    matrix, weights = (votes.matrix(), None) if distinct is None else distinct
    return rows[triad_keep(matrix, prior, conf, rows, threshold, MIN_SHARED_ITEMS, weights)]


def _fitted(est: DawidSkene, votes: Votes) -> Any:
    """``est.fit(votes.answers)``; where the label model's fits of one set of vote rows share their steps
    (:data:`~._shared_steps.SHARED`: the one-class fit's structures, each with this check), the long table is encoded
    once for them all and each fit runs on that encoding, as ``fit`` runs on its own (``_fit_encoded``, under the same
    one-thread BLAS limit; an encoding shared by fits, as :class:`~labelwise.aggregate.AutoAggregator` shares one)."""
    if SHARED.get() is None:
        return est.fit(votes.answers)
    est._check_params()
    enc = reused_for(votes.answers, ("crowd_pairs_encoding", *votes.classes), lambda: est._encode(votes.answers))
    with _blas_controller().limit(limits=1, user_api="blas"):
        est._fit_encoded(enc)
    return est


def own_fit_pairs(
    matrix: np.ndarray,
    weights: np.ndarray,
    post: np.ndarray,
    k: int,
    *,
    threshold: float,
    prior_strength: float,
    triad: bool = False,
    known: list[tuple[int, int]] | None = None,
) -> np.ndarray | None:
    """:func:`dependent_pairs`' check run on the label model's own fit: no second Dawid-Skene fit.

    Aggregate's check (:func:`labelwise.aggregate._dependent.find_dependent_pairs`: the screen against majority vote's
    model, each screened pair's own confusion, the confirmations by EM without the pair) runs on the label model's
    distinct vote rows with a vote (``matrix``, ``-1`` = abstain; ``weights``: the items each stands for) as answer
    patterns, not on a long answer table encoded again. Its confirmation fits start from ``post``, the posterior of
    those rows under the label model's missing-abstain fit (Dawid-Skene's model with the cliques as groups), not from
    the vote shares; with ``triad`` the gate's model is an EM fit of every answer from ``post`` with the found and
    ``known`` pairs' groups weighted (``MemoryPairs.fit_without`` holding no function out), not a second fit of the
    long table with its relabelling fallback. ``prior_strength``: the check's diagonal prior
    (``DawidSkene(prior_strength=...)``). Returns the rows of :func:`dependent_pairs`, or None where the rows are more
    than the screen's item sample (:data:`~labelwise.aggregate._pair_check.SAMPLE_ROWS`): there the screen samples
    items, which the rows do not hold, and the caller runs :func:`dependent_pairs`.
    """
    if len(matrix) > SAMPLE_ROWS:
        return None
    est = DawidSkene(prior_strength=prior_strength, dependency_threshold=threshold, dependency_triad=False)
    data = row_pairs(est, matrix, weights, k, post)
    pseudo = est._pseudo_counts(data.pat)
    codes = None if not known else np.asarray(known, dtype=np.float64)
    found = find_dependent_pairs(data, pseudo, threshold, int(est.max_iter), float(est.tol), triad=False, known=codes)
    rows = np.empty((0, 6)) if found is None else found
    if not triad or not len(rows):
        return rows
    pairs = rows[:, :2] if codes is None else np.concatenate([codes, rows[:, :2]])
    a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    prior, conf = data.fit_without((a, b), -1, -1, pseudo, int(est.max_iter), float(est.tol))
    return rows[data.triad_keep(prior, conf, rows, threshold)]


def row_pairs(est: DawidSkene, matrix: np.ndarray, weights: np.ndarray, k: int, post: np.ndarray | None) -> _RowPairs:
    """The pair check's data (:class:`_RowPairs`) of the vote rows ``matrix`` (``-1`` = abstain, each row with a
    vote; ``weights``: the items each stands for) as weighted answer patterns of ``k`` classes, ``est``'s EM steps,
    the confirmation fits started from ``post`` (:func:`own_fit_pairs`)."""
    n_rows, m = matrix.shape
    row, col = np.nonzero(matrix >= 0)  # row-major: the answers sorted by (row, labeler), the CSR order
    enc = EncodedAnswers(
        item_idx=row,
        annotator_idx=col,
        label_idx=matrix[row, col].astype(np.int64),
        item_values=pd.RangeIndex(n_rows),
        annotator_values=pd.RangeIndex(m),
        classes=np.arange(k),
    )
    pat = AnswerPatterns(answers=enc, item_pattern=np.arange(n_rows, dtype=np.int64), weights=weights)
    obs = _Observed.build(pat)
    return _RowPairs(est, enc, pat, obs, _vote_shares(obs, k), start=post, rows=matrix)


@dataclasses.dataclass(eq=False)
class _RowPairs(MemoryPairs):
    """:class:`~labelwise.aggregate._dependent.MemoryPairs` of the label model's distinct vote ``rows`` (one answer
    pattern each, weighted by ``pat.weights``): the pairs sharing items counted from the dense vote indicator."""

    rows: np.ndarray = dataclasses.field(kw_only=True)
    _matrix_shared: dict = dataclasses.field(default_factory=dict, repr=False)  # by ``min_shared``

    def matrix_shared(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:func:`~labelwise.aggregate._pair_triad.matrix_shared_pairs` of the rows (a dense product of the vote
        indicator), once per ``min_shared``."""
        if min_shared not in self._matrix_shared:
            self._matrix_shared[min_shared] = matrix_shared_pairs(self.rows, min_shared, self.pat.weights)
        return self._matrix_shared[min_shared]

    def shared(self, min_shared: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``MemoryPairs.shared``: its pairs, in its order, and their shared items, from :meth:`matrix_shared` where
        the rows' weights are whole numbers whose sum is exact in float64, as the items' counts are: then both sum
        ones of whole weights exactly, so the numbers are the sparse gram's bit for bit. Else (and where the screen
        samples items) the sparse gram's own."""
        w = self.pat.weights
        exact = w is not None and bool(np.all(w == np.floor(w))) and float(np.sum(w)) < 2.0**53
        if not exact or self.screened is not self.obs:
            return super().shared(min_shared)
        return self.matrix_shared(min_shared)

    def triad_keep(self, prior: np.ndarray, conf: np.ndarray, found: np.ndarray, threshold: float) -> np.ndarray:
        """:func:`~labelwise.aggregate._pair_triad.matrix_triad_keep` of the ``found`` rows under the model ``prior``,
        ``conf``, on the check's own count rows and entry index (``obs``, ``ent``) instead of the rows' count rows
        built again (:class:`~labelwise.aggregate._pair_triad.MatrixRows`): the same entries in the same order, only
        the unused (labeler, class) columns left out, so the same ``z`` bit for bit."""
        shared = self.matrix_shared(float(MIN_SHARED_ITEMS))
        listed = triad_pairs(found, shared, MIN_SHARED_ITEMS)
        z_of = model_z(self.obs, self.ent, prior, conf, listed)
        return gate_by_z(found, z_of, shared, MIN_SHARED_ITEMS, threshold)


def pairs_frame(pairs: np.ndarray, labelers: tuple[str, ...]) -> pd.DataFrame:
    """``dependent_pairs_``: :func:`dependent_pairs`' rows with the functions' names."""
    names = np.asarray(labelers, dtype=object)
    frame = {"labeler_a": names[pairs[:, 0].astype(np.int64)], "labeler_b": names[pairs[:, 1].astype(np.int64)]}
    return pd.DataFrame({**frame, **{c: pairs[:, t + 2] for t, c in enumerate(PAIR_COLUMNS)}})


def join_free_pairs(groups: list[list[int]], pairs: np.ndarray, max_size: int) -> list[list[int]]:
    """``groups`` with the dependent ``pairs`` (rows ``a, b, ..., z``) joined, strongest ``z`` first,
    where neither function is in a clique of ``groups`` and the joined group stays within
    ``max_size`` functions. The cliques already there (copies of a rule, given dependencies) are
    kept as they are."""
    free = {g[0] for g in groups if len(g) == 1}
    owner = {j: t for t, g in enumerate(groups) for j in g}
    members = {t: list(g) for t, g in enumerate(groups)}
    joined = False
    for row in pairs[np.argsort(-pairs[:, -1], kind="stable")] if len(pairs) else pairs:
        a, b = int(row[0]), int(row[1])
        ga, gb = owner[a], owner[b]
        if a not in free or b not in free or ga == gb or len(members[ga]) + len(members[gb]) > max_size:
            continue
        for j in members[gb]:
            owner[j] = ga
        members[ga] = sorted(members[ga] + members.pop(gb))
        joined = True
    return [members[t] for t in sorted(members)] if joined else groups
