"""The missing-abstain pair check on the label model's own fit (``weak._crowd_pairs.OWN_FIT``, own56; speed56's
:func:`~labelwise.weak._crowd_pairs.own_fit_pairs` with its triad gate's model an EM fit from the label model's
posterior): aggregate's check on the distinct vote rows, no second Dawid-Skene fit, main's answers."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import _dependent, dawid_skene
from labelwise.aggregate._answers import EncodedAnswers
from labelwise.aggregate._observed import _Observed
from labelwise.aggregate._patterns import AnswerPatterns
from labelwise.weak import LabelModel, _crowd_pairs, _em, _fit_check, as_votes, simulate_lfs
from labelwise.weak._crowd_pairs import dependent_pairs, own_fit_pairs

from .test_dep39_pair_check_refit import minimax_crowd
from .test_pairfp39_pair_triad import copy_pair_crowd

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _pair5_s0():
    """``benchmarks/dev_weak_pair_check.py``'s ``pair5_s0``: one heavily dependent pair among 78 crowd workers."""
    sys.path.insert(0, str(BENCH))
    try:
        from dev_aggregate_pair_crowds import PAIR, pair_crowd
    finally:
        sys.path.remove(str(BENCH))
    answers, _ = pair_crowd(*PAIR[5], seed=0)
    return as_votes(answers.rename(columns={"annotator": "labeler"}))


def _sim6109():
    """The benchmark generator's sim6109 (first seed 6100): a default fit on the missing-abstain path."""
    return simulate_lfs(10_000, 12, 2, n_correlated=4, coverage=(0.02, 0.3), imbalance=3.0, random_state=6109).votes


def _fit(votes, own: bool, monkeypatch) -> LabelModel:
    monkeypatch.setattr(_crowd_pairs, "OWN_FIT", own)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LabelModel().fit(votes)


def _count(monkeypatch, owner, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(owner, name)
    monkeypatch.setattr(owner, name, lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def test_default_check_on_a_missing_path_set_fits_no_second_dawid_skene(monkeypatch):
    """sim6109's default fit keeps missing abstains and runs the pair check, finding pairs, without fitting a
    ``DawidSkene`` (main's check fits one on the votes' long table)."""
    votes = _sim6109()
    fits = _count(monkeypatch, dawid_skene.DawidSkene, "_fit_encoded")
    checks = _count(monkeypatch, _fit_check, "own_fit_pairs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LabelModel().fit(votes)
    assert model.abstains_ == "missing" and checks and len(model._pairs)
    assert not fits


@pytest.mark.parametrize("make", [_pair5_s0, _sim6109], ids=["pair5_s0", "sim6109"])
def test_own_fit_check_answers_equal_main_checks(make, monkeypatch):
    """The labels and posteriors of the default fit equal those of main's check (a second Dawid-Skene fit) on the
    dev set whose dependent pair speed56's one-M-step gate model dropped, and on sim6109."""
    votes = make()
    main, own = _fit(votes, False, monkeypatch), _fit(votes, True, monkeypatch)
    assert own.abstains_ == main.abstains_ == "missing"
    assert sorted(map(sorted, own._groups)) == sorted(map(sorted, main._groups))
    assert (own.labels_.to_numpy() == main.labels_.to_numpy()).all()
    np.testing.assert_allclose(own.probas_.to_numpy(), main.probas_.to_numpy(), atol=1e-6)


def test_own_fit_pairs_falls_back_past_the_screens_item_sample(monkeypatch):
    """More distinct rows than the screen's item sample: None (the caller runs main's check on the items)."""
    votes = as_votes(copy_pair_crowd(5)[0])
    rows, counts = np.unique(votes.matrix(), axis=0, return_counts=True)
    post = np.full((len(rows), len(votes.classes)), 1.0 / len(votes.classes))
    kw = {"threshold": 5.0, "prior_strength": 8.0}
    assert own_fit_pairs(rows, counts.astype(np.float64), post, len(votes.classes), **kw) is not None
    monkeypatch.setattr(_crowd_pairs, "SAMPLE_ROWS", len(rows) - 1)
    assert own_fit_pairs(rows, counts.astype(np.float64), post, len(votes.classes), **kw) is None


def test_own_fit_pairs_from_the_vote_shares_finds_main_checks_pairs():
    """Started from the vote shares, the check on the rows finds the pairs main's check on the long table finds, with
    the same shared-item counts and ``z`` within 1e-4 relative."""
    votes = as_votes(copy_pair_crowd(5)[0])
    rows, counts = np.unique(votes.matrix(), axis=0, return_counts=True)
    k = len(votes.classes)
    shares = np.stack([(rows == c).sum(axis=1) for c in range(k)], axis=1) / (rows >= 0).sum(axis=1)[:, None]
    kw = {"threshold": 5.0, "prior_strength": 8.0}
    main = dependent_pairs(votes, **kw)
    own = own_fit_pairs(rows, counts.astype(np.float64), shares, k, **kw)
    assert len(main) and own[:, :2].tolist() == main[:, :2].tolist()
    np.testing.assert_allclose(own[:, 2:], main[:, 2:], rtol=1e-4)
    assert own[:, 2].tolist() == main[:, 2].tolist()


def test_memory_pairs_confirmation_starts_from_the_given_posterior():
    """``MemoryPairs(start=...)``: the fit without a pair starts from it; ``start=None`` is aggregate's vote shares."""
    votes = as_votes(copy_pair_crowd(5)[0])
    rows, counts = np.unique(votes.matrix(), axis=0, return_counts=True)
    k = len(votes.classes)
    row, col = np.nonzero(rows >= 0)
    enc = EncodedAnswers(
        item_idx=row,
        annotator_idx=col,
        label_idx=rows[row, col].astype(np.int64),
        item_values=pd.RangeIndex(len(rows)),
        annotator_values=pd.RangeIndex(rows.shape[1]),
        classes=np.arange(k),
    )
    pat = AnswerPatterns(enc, np.arange(len(rows)), counts.astype(np.float64))
    obs = _Observed.build(pat)
    est = dawid_skene.DawidSkene()
    pseudo = est._pseudo_counts(pat)
    seen = []
    real = est._m_step

    def m_step(obs_, post, *a, **kw):
        seen.append(post)
        return real(obs_, post, *a, **kw)

    est._m_step = m_step
    start = np.full((len(rows), k), 1.0 / k)
    none = (np.empty(0, np.int64), np.empty(0, np.int64))
    _dependent.MemoryPairs(est, enc, pat, obs, start, start=start).fit_without(none, 0, 1, pseudo, 1, 1e-6)
    assert seen[0] is start
    seen.clear()
    _dependent.MemoryPairs(est, enc, pat, obs, start).fit_without(none, 0, 1, pseudo, 1, 1e-6)
    assert seen[0] is not start and not np.allclose(seen[0], start)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(2, 3))
def test_own_fit_pairs_rows_are_pairs_of_labelers_over_the_bar(seed, k):
    """Every row found (triad gate on) is a pair ``a < b`` of labelers sharing at least the check's minimum of items,
    its ``z`` over the threshold, whatever the votes."""
    rng = np.random.default_rng(seed)
    n, m = 400, 6
    y = rng.integers(0, k, n)
    matrix = np.where(rng.random((n, m)) < 0.75, y[:, None], rng.integers(0, k, (n, m)))
    matrix[:, 1] = np.where(rng.random(n) < 0.5, matrix[:, 0], matrix[:, 1])  # a partial copy
    matrix[rng.random((n, m)) < 0.3] = -1
    matrix = matrix[(matrix >= 0).any(axis=1)]
    rows, counts = np.unique(matrix, axis=0, return_counts=True)
    post = np.full((len(rows), k), 1.0 / k)
    found = own_fit_pairs(rows, counts.astype(np.float64), post, k, threshold=5.0, prior_strength=8.0, triad=True)
    assert found is not None and found.shape[1] == 6
    for a, b, shared, _, _, z in found:
        assert 0 <= a < b < m and shared >= _dependent.MIN_SHARED_ITEMS and z > 5.0


def test_own_fit_check_untold_the_cliques_keeps_main_checks_answers(monkeypatch):
    """sim7209 (two cliques of copies found by the search), the check not told them (``LEAN_MISSING`` off): the own-fit
    check, started from a posterior that models both cliques, finds one of them again (main's finds both); the
    groups and posteriors are main's, and told the cliques it reports none."""
    votes = simulate_lfs(10_000, 12, 2, n_correlated=4, coverage=(0.02, 0.3), imbalance=3.0, random_state=7209).votes
    monkeypatch.setattr(_em, "LEAN_MISSING", False)
    main, own = _fit(votes, False, monkeypatch), _fit(votes, True, monkeypatch)
    cliques = {frozenset(g) for g in main.groups_ if len(g) > 1}
    assert len(cliques) == 2 and {frozenset(p) for p in main.dependent_pairs_.iloc[:, :2].values} == cliques
    assert 0 < len(own.dependent_pairs_) < 2 and own.groups_ == main.groups_
    np.testing.assert_allclose(own.probas_.to_numpy(), main.probas_.to_numpy(), atol=1e-6)
    monkeypatch.setattr(_em, "LEAN_MISSING", True)
    assert _fit(votes, True, monkeypatch).dependent_pairs_.empty


def test_own_fit_check_without_the_triad_gate_keeps_the_gated_answer():
    """lure39's stress crowd (pairfp39): main's check without the triad gate groups w17/w19/w21 (85.17% against
    90.33%); the own-fit check, started from the fitted posterior, finds no pair with or without the gate and labels
    as the gated default does."""
    answers, _ = minimax_crowd([96, 1, 4])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ungated, gated = LabelModel(pair_check_triad=False).fit(answers), LabelModel().fit(answers)
    assert ungated.dependent_pairs_.empty and all(len(g) == 1 for g in ungated.groups_)
    assert ungated.labels_.equals(gated.labels_)
