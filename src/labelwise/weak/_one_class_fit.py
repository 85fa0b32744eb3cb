"""The label model on rule sets whose votes come mostly from one-class functions (keyword rules).

A function that only ever votes one class says something by *when* it votes, not by *what*. Where more than half
the votes come from such functions (:data:`~._missing_guard.ONE_CLASS_VOTES`, the threshold of the missing-abstain
guard), four of the label model's defaults read the votes as a crowd's and are replaced:

* **The abstain model.** With missing abstains (Dawid-Skene's model) a one-class function's vote is the same in
  every class: the model is not identified and its likelihood cannot be compared with the informative model's, so
  ``abstains="auto"`` keeps informative abstains (:func:`abstain_mode`).
* **The relabelling guard.** The missing-abstain fit's guard (:func:`~._missing_guard.guard_missing`: a class most of
  whose strict-majority items get one other label falls back to majority vote) also checks the informative fit:
  one-class functions name the class they vote, and a fit giving most of a class's unanimous-or-majority items
  another label is a latent class that follows a trigger, not the class.
* **The clique structure.** The clique search reads pairs by their agreement, which is 0 for two one-class functions
  of one class whatever their dependence, so rules reading one trigger are never joined. Here the dependent pairs
  are learned from the votes by Varma et al.'s (2019) sparse plus low-rank structure learner
  (:func:`~._structure_learning.learned_pairs`), which separates the latent class (low rank) from the dependencies
  given it (sparse) and so does not pair independent rules of one class; the model is fitted without them (the
  search and check as elsewhere) and with them (:func:`structure_plan`: they replace the search and the fitted
  model's one-class check, cliques of up to :data:`LEARNED_MAX_CLIQUE`), and the fit with the lower Bayesian
  information criterion (Schwarz 1978) is kept (:func:`fit_rows`); both fits hold the class balance at the vote
  shares (``class_balance="votes"``).
* **The class balance.** The vote shares of one-class rules are their coverage, not the classes' prevalence. Where
  the kept fit holds learned cliques, it is refitted with the balance's MAP estimate under a Dirichlet prior
  centred on the vote shares (:mod:`._one_class_balance`), and the refit is kept when EM reached a MAP objective at
  least the fixed fit's (at the fixed fit the prior is at its mode). Without the cliques the balance stays at the
  vote shares: there a freed balance absorbs the co-votes the structure misses (exploration sets 282 K=2 and
  204 K=2 of ``benchmarks/dev_weak_one_class_cliques3.py``).

None of this applies where a class is nearly invisible in the votes (:func:`invisible_class`: its vote share below
:data:`INVISIBLE_SHARE` of ``1 / K``; a class with no rule of its own): its items are told apart only by what does
not vote on them, the vote shares say nothing of its prevalence, and the latent classes that absorb its items make
one-class functions of one class co-vote whether or not they share a trigger, so neither cliques judged by the fit nor a
balance anchored on the vote shares can be judged there (``benchmarks/dev_weak_one_class_cliques4.py``). The label
model is then the one for votes not mostly from one-class functions (where every function is one-class and ``K >= 3``,
with missing abstains: :mod:`._invisible_missing`).

Chosen on simulated keyword rules that share triggers (``benchmarks/dev_weak_one_class_cliques.py``,
``dev_weak_one_class_cliques2.py`` ... ``dev_weak_one_class_cliques5.py``, exploration seeds 200-215 and 280-295, and
``bench_weak.py --dev``'s simulated sets). ``LabelModel(one_class_rules=True)`` switches this module on (:data:`ENABLED`
during its fit). It is ON by default since session 52: its cost on ``bench_weak.py``'s simulated rule sets, cut in
sessions 51 and 52 with its answers unchanged (``benchmarks/dev_weak_one_class_fast.py``), met the condition registered
for switching it on, issue 15's goal of 10x Snorkel's speed (``benchmarks/dev_weak_one_class_default.py``,
``benchmarks/RESULTS.md``, session 52).

References
----------
P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision Models",
ICML 2019.
G. Schwarz, "Estimating the Dimension of a Model", Annals of Statistics 6(2), 1978.
A. Ratner, B. Hancock, J. Dunnmon, F. Sala, S. Pandey and C. Ré, "Training Complex Models with Multi-Task Weak
Supervision", AAAI 2019.
S. H. Bach, B. He, A. Ratner and C. Ré, "Learning the Structure of Generative Models without Labeled Data",
ICML 2017.
"""

from __future__ import annotations

import warnings
from contextvars import ContextVar
from typing import Any

import numpy as np

from .._caller import warn_at_caller
from ..errors import LabelwiseWarning
from ._missing_guard import ONE_CLASS_VOTES
from ._one_class import one_class_functions
from ._one_class_balance import ANCHOR, anchor_strength, balance_log_prior, vote_share_balance
from ._shared_steps import SHARED, resolve, reused, reused_for_all
from ._votes import ABSTAIN

__all__ = [
    "ENABLED",
    "INVISIBLE_SHARE",
    "LEARNED",
    "LEARNED_MAX_CLIQUE",
    "abstain_mode",
    "choose_structure",
    "fit_rows",
    "invisible_class",
    "mostly_one_class",
    "one_class_share",
    "reused",
    "structure_plan",
    "used_parameters",
]

#: Whether the label model fitting in this context treats sets of mostly one-class votes as this module says: its
#: ``one_class_rules`` parameter, set by :func:`fit_rows` for the fit (read by :func:`abstain_mode`).
ENABLED: ContextVar[bool] = ContextVar("one_class_rules", default=False)

#: A class whose vote share is below this fraction of the uniform share ``1 / K`` is nearly invisible in the votes:
#: its items are told apart only by what does not vote on them, the vote shares are no estimate of its prevalence
#: and the latent classes absorb its items; there the label model is the one before session 49 (module docstring).
INVISIBLE_SHARE = 0.25

#: The largest clique the learned pairs may form (Varma et al.'s singleton separators: a trigger's readers are one
#: clique, however many).
LEARNED_MAX_CLIQUE = 6

#: The learned pairs the fit in this context joins (``None``: main's structure finders): set by :func:`fit_rows`.
LEARNED: ContextVar[list[tuple[int, int]] | None] = ContextVar("one_class_learned", default=None)


def one_class_share(matrix: np.ndarray, weights: np.ndarray) -> float:
    """Share of the votes of the vote rows ``matrix`` (``-1`` = abstain; row ``i`` standing for ``weights[i]``
    items) cast by one-class functions (:func:`~._one_class.one_class_functions`); 0 without votes."""
    voted = (np.asarray(matrix) != ABSTAIN).astype(np.float64)
    per_function = np.asarray(weights, dtype=np.float64) @ voted
    total = float(per_function.sum())
    return float(per_function[one_class_functions(matrix)].sum()) / total if total > 0 else 0.0


def invisible_class(shares: np.ndarray) -> bool:
    """Whether a class's vote share (``shares``: the K classes' mean vote shares over the items with a vote) is
    below :data:`INVISIBLE_SHARE` of the uniform share ``1 / K``: a class the votes barely name."""
    shares = np.asarray(shares, dtype=np.float64)
    return bool(shares.min() * len(shares) < INVISIBLE_SHARE)


def mostly_one_class(matrix: np.ndarray, weights: np.ndarray, n_classes: int) -> bool:
    """Whether more than :data:`~._missing_guard.ONE_CLASS_VOTES` of the votes come from one-class functions and no
    class of the ``n_classes`` is nearly invisible in the votes (:func:`invisible_class`); once per ``matrix`` and
    ``weights`` (these objects) where the label model's fits share their steps (:data:`SHARED`)."""
    key = ("mostly_one_class", n_classes)
    return reused_for_all((matrix, weights), key, lambda: _mostly_one_class(matrix, weights, n_classes))


def _mostly_one_class(matrix: np.ndarray, weights: np.ndarray, n_classes: int) -> bool:
    """:func:`mostly_one_class`."""
    if not one_class_share(matrix, weights) > ONE_CLASS_VOTES:
        return False
    return not invisible_class(_shares(matrix, weights, n_classes))


def _shares(matrix: np.ndarray, weights: np.ndarray, n_classes: int) -> np.ndarray:
    """:func:`~._one_class_balance.vote_share_balance`, once for the fits that share their steps (:data:`SHARED`)."""
    return reused("vote_shares", lambda: vote_share_balance(matrix, weights, n_classes))


def abstain_mode(abstains: str, matrix: np.ndarray, weights: np.ndarray, n_classes: int) -> str:
    """The abstain model EM fits: ``abstains``, except that ``"auto"`` is ``"informative"`` on mostly one-class votes
    (:func:`mostly_one_class`) where this module is on (:data:`ENABLED`)."""
    on = abstains == "auto" and ENABLED.get()
    return "informative" if on and _mostly(matrix, weights, n_classes) else abstains


def _mostly(matrix: np.ndarray, weights: np.ndarray, n_classes: int) -> bool:
    """:func:`mostly_one_class`, once for the fits that share their steps (:data:`SHARED`), whoever asks."""
    return bool(mostly_one_class(matrix, weights, n_classes))


def used_parameters(matrix: np.ndarray, w: np.ndarray, groups: list[list[int]], n_classes: int) -> int:
    """Free outcome parameters of the group model on the vote rows ``matrix`` with a vote (weight > 0): ``K`` per
    outcome a group shows beyond its first, counting only the outcomes seen (an unseen one is fitted at 0); a clique
    of ``s`` one-class functions shows at most ``2^s`` of its ``(K + 1)^s``. A single function's outcomes are
    counted from the vote indicator for all functions at once (:func:`_outcomes_seen`, made once for the fits that
    share their steps)."""
    kept, seen = reused("outcomes_seen", lambda: _outcomes_seen(matrix, w, n_classes))
    if not kept.any():
        return 0
    base = n_classes + 1
    used = sum(int(seen[g[0]]) - 1 if len(g) == 1 else _clique_outcomes(matrix, kept, g, base) - 1 for g in groups)
    return int(used * n_classes)


def _clique_outcomes(matrix: np.ndarray, kept: np.ndarray, group: list[int], base: int) -> int:
    """The distinct joint outcomes of the clique ``group`` on the vote rows ``kept`` (:func:`_n_outcomes`), once per
    clique for the fits that share their steps (:data:`SHARED`: the same rows)."""
    return reused(("clique_outcomes", *group), lambda: _n_outcomes(np.asarray(matrix)[:, group][kept] - ABSTAIN, base))


def _outcomes_seen(matrix: np.ndarray, w: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Which vote rows have a vote and weight > 0, and the number of distinct outcomes (abstain or a class) each
    function shows on them: the classes it votes there (the vote indicator's cells), plus the abstain where it
    votes on fewer of those rows than all."""
    from ._moments import indicator

    lam = reused("lam", lambda: indicator(np.asarray(matrix), n_classes))  # the fits' own
    per_row = np.diff(lam.indptr)
    kept = (per_row > 0) & (np.asarray(w) > 0)
    entries = lam.indices if kept.sum() == np.count_nonzero(per_row) else lam.indices[np.repeat(kept, per_row)]
    m = np.asarray(matrix).shape[1]
    cells = np.bincount(entries, minlength=m * n_classes).reshape(m, n_classes)  # rows voting (j, a)
    return kept, np.count_nonzero(cells, axis=1) + (cells.sum(axis=1) < kept.sum())


def _n_outcomes(codes: np.ndarray, base: int) -> int:
    """The distinct rows of ``codes`` (rows x members, integers in ``[0, base)``): each row read as one integer in
    base ``base`` (renumbered densely before it could overflow), then counted (``np.unique(codes, axis=0)``'s
    length at a fraction of its sort)."""
    joint = codes[:, 0].astype(np.int64)
    size = base
    for col in codes.T[1:]:
        if size * base >= 2**62:  # renumber the outcomes seen so far: 0 .. size - 1
            joint = np.unique(joint, return_inverse=True)[1].astype(np.int64)
            size = int(joint.max()) + 1
        joint = joint * base + col
        size *= base
    if size <= 4 * len(joint) + 1024:
        return int(np.count_nonzero(np.bincount(joint, minlength=size)))
    return len(np.unique(joint))


def structure_plan(model: Any, deps: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], float, int]:
    """The pairs the label model joins (``deps`` and, where :data:`LEARNED` holds some, the learned ones), its clique
    search's z threshold and the largest clique. With learned pairs they replace the search (threshold ``inf``) and
    the fitted model's one-class check (``model._structure_learned``), and cliques hold up to
    :data:`LEARNED_MAX_CLIQUE` functions."""
    learned = LEARNED.get()
    model._structure_learned = learned is not None
    thr = np.inf if model.dependency_threshold is None else float(model.dependency_threshold)
    if learned is None:
        return deps, thr, int(model.max_clique)
    return deps + [p for p in learned if p not in deps], np.inf, max(int(model.max_clique), LEARNED_MAX_CLIQUE)


def fit_rows(model: Any, matrix: np.ndarray, w: np.ndarray, p_fixed: Any, deps: Any, votes: Any) -> tuple:
    """``model._fit_rows``, and with ``model.one_class_rules`` on mostly one-class votes with EM the structure of the
    learned pairs.

    On mostly one-class votes (:func:`mostly_one_class`) with ``n_em_iter > 0`` and at most
    :data:`~._structure_learning.LABEL_MODEL_MAX_INDICATORS` vote indicators, the dependent pairs are learned from
    the votes (Varma et al. 2019, :func:`~._structure_learning.learned_pairs`) and the structure is chosen by
    :func:`choose_structure`. The kept fit's warnings are the ones shown; the model's fitted attributes are the kept
    fit's."""
    token = ENABLED.set(bool(model.one_class_rules))
    shared = SHARED.set({} if model.one_class_rules and model.n_em_iter else None)
    try:
        k = len(votes.classes)
        if not (ENABLED.get() and model.n_em_iter and _mostly(matrix, w, k)):
            return resolve(model, model._fit_rows(matrix, w, p_fixed, deps, votes))
        from ._moments import indicator, weighted_gram
        from ._structure_learning import learned_pairs

        lam = reused("lam", lambda: indicator(matrix, k))  # the fits' own (``model._fit_rows``), made here first
        learned = learned_pairs(matrix, w, k, reused("gram", lambda: weighted_gram(lam, w)))
        if learned is None:
            return resolve(model, model._fit_rows(matrix, w, p_fixed, deps, votes))
        return choose_structure(model, (matrix, w, p_fixed, deps, votes), learned)
    finally:
        SHARED.reset(shared)
        ENABLED.reset(token)


def choose_structure(model: Any, args: tuple, learned: list[tuple[int, int]]) -> tuple:
    """``model._fit_rows(*args)`` (``args``: the vote rows, their weights, the fixed balance, the given pairs and the
    votes) with or without the ``learned`` pairs, by BIC.

    The model is fitted without them (the clique search and check as elsewhere) and with them
    (:func:`structure_plan`), and the fit kept has the lower Bayesian information criterion (Schwarz 1978) ``−2 log L
    + d log n`` on the ``n`` items with a vote, ``d`` the outcome parameters its groups use (:func:`used_parameters`);
    a tie keeps the fit without them. Where no pair is learned and the fit without them has no clique, the fit with
    none would be the same fit (no search, no check, nothing to join) and is not run. A kept fit with learned pairs is
    refitted with the anchored balance (:mod:`._one_class_balance`, default ``class_balance="votes"`` only) and the
    refit kept unless its MAP objective is below the fixed fit's."""
    matrix, w, p_fixed = args[:3]
    k = len(args[4].classes)
    n = float(w[(np.asarray(matrix) != ABSTAIN).any(axis=1)].sum())
    best: tuple | None = None
    for pairs in (None, learned):  # the structure is chosen under the balance as given (the vote shares)
        out, state, caught = _fit_once(model, args, pairs, None)
        if pairs is None and not learned and all(len(g) == 1 for g in model._groups):
            return _keep(model, out, state, caught)
        d = used_parameters(matrix, w, model._groups, k)
        bic = -2.0 * n * float(model.log_likelihood_history_[-1]) + d * float(np.log(max(n, 2.0)))
        if best is None or bic < best[0]:
            best = (bic, pairs, out, state, caught)
    assert best is not None  # two fits ran
    _, pairs, out, state, caught = best
    if pairs and isinstance(p_fixed, str) and p_fixed == "votes":  # learned cliques kept: the balance anchored
        anchor = (_shares(matrix, w, k), anchor_strength(matrix, w))
        fixed_objective = float(model.log_likelihood_history_[-1]) + balance_log_prior(anchor[0], anchor) / n
        model.__dict__.update(state)
        refit = _fit_once(model, args, pairs, anchor)
        if float(model.log_likelihood_history_[-1]) >= fixed_objective:  # else EM's MAP run stopped lower
            out, state, caught = refit
    return _keep(model, out, state, caught)


def _keep(model: Any, out: Any, state: dict, caught: list) -> tuple:
    """The kept fit: ``model``'s state set to ``state``, its warnings ``caught`` shown; returns ``out``, with the
    results deferred to the kept fit made (:func:`~._shared_steps.resolve`).

    labelwise's own warnings are shown at the line that called labelwise (:func:`~labelwise._caller.warn_at_caller`):
    their ``stacklevel`` counted the frames of a fit without this module's three, so as recorded they point here.
    Other warnings (numpy's, say) keep the line that raised them."""
    model.__dict__.update(state)
    for w_ in caught:
        if issubclass(w_.category, LabelwiseWarning):
            warn_at_caller(w_.message)
        else:
            warnings.warn_explicit(w_.message, w_.category, w_.filename, w_.lineno)
    return resolve(model, out)


def _fit_once(model: Any, args: tuple, pairs: Any, anchor: Any) -> tuple[tuple, dict, list]:
    """``model._fit_rows(*args)`` with the learned ``pairs`` (:data:`LEARNED`; ``None``: main's structure finders)
    and the balance's ``anchor`` (:data:`~._one_class_balance.ANCHOR`): its output, the model's state after it and
    the warnings it raised."""
    token, held = LEARNED.set(pairs), ANCHOR.set(anchor)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = model._fit_rows(*args)
    finally:
        LEARNED.reset(token)
        ANCHOR.reset(held)
    return out, dict(model.__dict__), list(caught)
