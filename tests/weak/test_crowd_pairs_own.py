"""speed56's missing-abstain pair check on the label model's own fit (``weak._crowd_pairs.OWN_FIT``,
:func:`~labelwise.weak._crowd_pairs.own_fit_pairs`): aggregate's check on the distinct vote rows, its confirmations
started from the label model's posterior, no second Dawid-Skene fit."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import _dependent, dawid_skene
from labelwise.aggregate._answers import EncodedAnswers
from labelwise.aggregate._observed import _Observed
from labelwise.aggregate._patterns import AnswerPatterns
from labelwise.weak import LabelModel, _crowd_pairs, as_votes
from labelwise.weak._crowd_pairs import dependent_pairs, own_fit_pairs

from .test_pairfp39_pair_triad import copy_pair_crowd


def _fit(votes, own: bool, monkeypatch) -> LabelModel:
    monkeypatch.setattr(_crowd_pairs, "OWN_FIT", own)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LabelModel(abstains="missing").fit(votes)


@pytest.mark.parametrize("seed", [5])
def test_own_fit_check_joins_the_copied_pair_without_a_second_dawid_skene_fit(seed, monkeypatch):
    """With the switch on the copy pair ``c0``/``c1`` is found and joined as with main's check, its ``z`` near main's,
    and no ``DawidSkene`` is fitted (main's check fits one on the long answer table)."""
    votes = as_votes(copy_pair_crowd(seed)[0])
    main = _fit(votes, False, monkeypatch)
    fitted = []
    real_fit = dawid_skene.DawidSkene.fit
    monkeypatch.setattr(
        dawid_skene.DawidSkene, "fit", lambda self, *a, **k: fitted.append(1) or real_fit(self, *a, **k)
    )
    own = _fit(votes, True, monkeypatch)
    assert not fitted
    c0, c1 = votes.labelers.index("c0"), votes.labelers.index("c1")
    assert sorted(map(sorted, own._groups)) == sorted(map(sorted, main._groups))
    assert sorted([c0, c1]) in [sorted(g) for g in own._groups]
    z_main, z_own = main._pairs[:, 5], own._pairs[:, 5]
    assert own._pairs[:, :2].tolist() == main._pairs[:, :2].tolist()
    np.testing.assert_allclose(z_own, z_main, rtol=0.05)


def test_own_fit_pairs_falls_back_past_the_screens_item_sample(monkeypatch):
    """More distinct rows than the screen's item sample: None (the caller runs main's check on the items)."""
    votes = as_votes(copy_pair_crowd(5)[0])
    matrix = votes.matrix()
    rows, counts = np.unique(matrix, axis=0, return_counts=True)
    post = np.full((len(rows), len(votes.classes)), 1.0 / len(votes.classes))
    kw = {"threshold": 5.0, "prior_strength": 8.0}
    assert own_fit_pairs(rows, counts.astype(np.float64), post, len(votes.classes), **kw) is not None
    monkeypatch.setattr(_crowd_pairs, "SAMPLE_ROWS", len(rows) - 1)
    assert own_fit_pairs(rows, counts.astype(np.float64), post, len(votes.classes), **kw) is None


def test_own_fit_pairs_from_the_vote_shares_finds_main_checks_pairs():
    """Started from the vote shares, the check on the rows finds the pairs main's check on the long table finds, with
    the same counts and ``z`` within 1e-4 relative (main's confirmations start from the shares without the pair)."""
    votes = as_votes(copy_pair_crowd(5)[0])
    rows, counts = np.unique(votes.matrix(), axis=0, return_counts=True)
    k = len(votes.classes)
    shares = np.stack([(rows == c).sum(axis=1) for c in range(k)], axis=1) / (rows >= 0).sum(axis=1)[:, None]
    kw = {"threshold": 5.0, "prior_strength": 8.0}
    main = dependent_pairs(votes, **kw)
    own = own_fit_pairs(rows, counts.astype(np.float64), shares, k, **kw)
    assert len(main) and own[:, :2].tolist() == main[:, :2].tolist()
    np.testing.assert_allclose(own[:, 2:], main[:, 2:], rtol=1e-4)
    assert own[:, 2].tolist() == main[:, 2].tolist()  # the shared items: counts, exactly


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
    """Every row found is a pair ``a < b`` of labelers sharing at least the check's minimum of items, its ``z`` over
    the threshold, whatever the votes."""
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
