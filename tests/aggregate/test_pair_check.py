"""Tests for the dependent-pair check of Dawid-Skene (labelwise.aggregate._pair_check) and its use
in ``DawidSkene(dependency_threshold=...)``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise.aggregate._pair_check as pc
import labelwise.aggregate._pair_terms as pt
from labelwise.aggregate import DawidSkene, MajorityVote
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate._base import csr_entry_rows
from labelwise.aggregate.dawid_skene import _full_confusion, _Observed
from labelwise.aggregate.majority import weighted_vote_shares
from labelwise.errors import InvalidParameterError
from tests.aggregate._crowd import accuracy, confusion_crowd
from tests.aggregate._crowd import pair_crowd as _pair_crowd


def _independent_crowd(n_items=600, n_ann=8, k=2, seed=0):
    """Annotators answering every item, independently given the class (accuracies 0.6-0.9)."""
    return confusion_crowd(n_items, k, accuracies=np.linspace(0.6, 0.9, n_ann), seed=seed)


def _with_copy(answers: pd.DataFrame, source, name="copy") -> pd.DataFrame:
    """``answers`` plus a second account that repeats every answer of ``source``."""
    copy = answers[answers.annotator == source].assign(annotator=name)
    return pd.concat([answers.astype({"annotator": object}), copy], ignore_index=True)


def _first_m_step(answers: pd.DataFrame):
    """The encoding, the observed counts and EM's first M-step from the weighted vote shares: the
    class prior, the M-step's confusions and each annotator's full confusion."""
    est = DawidSkene()
    enc = encode_answers(answers)
    pat = enc.patterns
    pseudo = est._pseudo_counts(pat)
    obs = _Observed.build(pat)
    prior, given_, total = est._m_step(obs, weighted_vote_shares(pat.answers), pseudo)
    return enc, obs, prior, given_, _full_confusion(enc, obs, pseudo, given_, total)


def _check(answers: pd.DataFrame) -> tuple[pc.PairCheck, _Observed]:
    """The check of every pair sharing an item against the model of EM's first M-step."""
    enc, obs, prior, given_, conf = _first_m_step(answers)
    pairs = pc.shared_pairs(obs.m, obs.weights, obs.annotator_of, enc.n_annotators, 1)
    check = pc.check_pairs(
        obs.m, obs.weights, obs.annotator_of, obs.label_of, np.log(given_), np.log(prior), conf, pairs
    )
    return check, obs


def _row_by_row(m, weights, annotator_of, label_of, log_given, log_prior, confusion, pairs) -> pc.PairCheck:
    """``check_pairs`` as it was before session 30: each pair instance's pair id by binary search,
    its row by binary search, and its terms gathered row by row."""
    n_ann = confusion.shape[0]
    w = np.asarray(weights, dtype=np.float64)
    a, b, n_shared = pairs
    keys = a * n_ann + b
    observed, expected, variance = np.zeros(len(a)), np.zeros(len(a)), np.zeros(len(a))
    agree = np.einsum("pkl,pkl->pk", confusion[a], confusion[b])
    log_joint = np.asarray(m @ log_given) + log_prior
    involved = np.zeros(n_ann, dtype=bool)
    involved[a] = involved[b] = True
    sel = involved[annotator_of[m.indices]]
    indices = m.indices[sel]
    indptr = np.zeros(m.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(csr_entry_rows(m)[sel], minlength=m.shape[0]), out=indptr[1:])
    for start, stop in pc._blocks(indptr, m.shape[0]):
        first, second = pc.row_pairs(indptr, start, stop)
        ce, cf = indices[first], indices[second]
        ja, jb = annotator_of[ce], annotator_of[cf]
        lo, hi = np.minimum(ja, jb), np.maximum(ja, jb)
        pos = np.minimum(np.searchsorted(keys, lo * n_ann + hi), len(keys) - 1)
        hit = (keys[pos] == lo * n_ann + hi) & (ja != jb)
        if not hit.any():
            continue
        first, ce, cf, pid = first[hit], ce[hit], cf[hit], pos[hit]
        row = np.searchsorted(indptr, first, side="right") - 1
        lj = log_joint[row] - log_given[ce] - log_given[cf]
        lj -= lj.max(axis=1, keepdims=True)
        t = np.exp(lj)
        t /= t.sum(axis=1, keepdims=True)
        q = np.einsum("pk,pk->p", t, agree[pid])
        wr = w[row]
        same = (label_of[ce] == label_of[cf]).astype(np.float64)
        observed += np.bincount(pid, weights=wr * same, minlength=len(a))
        expected += np.bincount(pid, weights=wr * q, minlength=len(a))
        variance += np.bincount(pid, weights=wr * q * (1 - q), minlength=len(a))
    return pc.PairCheck(a, b, n_shared, observed, expected, variance)


class TestCheckPairs:
    def test_matches_a_per_item_loop(self):
        """O, E and V equal a direct loop over items with the posterior recomputed without the pair."""
        answers, _ = confusion_crowd(60, 3, per_item=3, seed=4)
        check, _ = _check(answers)
        enc, _, prior, _, conf = _first_m_step(answers)
        by_item = {i: dict(zip(g.annotator_idx, g.label_idx, strict=True)) for i, g in _frame(enc).groupby("item_idx")}
        for a, b, o, e, v in zip(check.a, check.b, check.observed, check.expected, check.variance, strict=True):
            o_ref = e_ref = v_ref = 0.0
            for ans in by_item.values():
                if a not in ans or b not in ans:
                    continue
                log_t = np.log(prior) + sum(np.log(conf[j][:, lab]) for j, lab in ans.items() if j not in (a, b))
                t = np.exp(log_t - log_t.max())
                t /= t.sum()
                q = float(t @ (conf[a] * conf[b]).sum(axis=1))
                o_ref += ans[a] == ans[b]
                e_ref += q
                v_ref += q * (1 - q)
            np.testing.assert_allclose([o, e, v], [o_ref, e_ref, v_ref], rtol=1e-6, atol=1e-9)

    def test_block_size_does_not_change_the_result(self, monkeypatch):
        """Blocks of pair instances of any size give the same sums."""
        answers, _ = confusion_crowd(200, 3, per_item=4, seed=1)
        full, _ = _check(answers)
        monkeypatch.setattr(pc, "PAIR_BLOCK", 7)
        small, _ = _check(answers)
        for name in ("a", "b", "n_shared", "observed", "expected", "variance"):
            np.testing.assert_allclose(getattr(small, name), getattr(full, name), rtol=1e-12)

    @pytest.mark.parametrize("k", [2, 3, 5, 8, 10])
    @pytest.mark.parametrize("table", [True, False])
    @pytest.mark.parametrize("block", [None, 97])
    def test_same_bits_as_the_row_by_row_check(self, k, table, block, monkeypatch):
        """Per-answer terms, the table of pair ids and the posterior by class give the bits of the
        row-by-row check, for any number of classes, with or without the table, one block or many,
        and only some of the pairs checked."""
        monkeypatch.setattr(pt, "PAIR_TABLE", pt.PAIR_TABLE if table else 0)
        if block is not None:
            monkeypatch.setattr(pc, "PAIR_BLOCK", block)
        answers, _ = confusion_crowd(150, k, accuracies=np.linspace(0.4, 0.9, 12), per_item=6, seed=k)
        _, obs, prior, given_, conf = _first_m_step(answers)
        pairs = pc.shared_pairs(obs.m, obs.weights, obs.annotator_of, conf.shape[0], 1)
        keep = np.arange(len(pairs[0])) % 3 != 1  # the instances of the other pairs are left out
        pairs = tuple(x[keep] for x in pairs)
        args = (obs.m, obs.weights, obs.annotator_of, obs.label_of, np.log(given_), np.log(prior), conf, pairs)
        got, ref = pc.check_pairs(*args), _row_by_row(*args)
        for name in ("a", "b", "n_shared", "observed", "expected", "variance"):
            assert np.array_equal(getattr(got, name), getattr(ref, name)), name

    def test_copy_stands_out_in_the_screen(self):
        """A second account repeating one annotator's answers has the largest z of all pairs."""
        answers, _ = _independent_crowd()
        check, _ = _check(_with_copy(answers, "a2"))
        enc = encode_answers(_with_copy(answers, "a2"))
        names = enc.annotator_index()
        top = int(np.argmax(check.z))
        assert {names[check.a[top]], names[check.b[top]]} == {"a2", "copy"}
        assert check.z[top] > 10

    def test_row_pairs_lists_every_pair_once(self):
        """Every unordered pair of entries of each row, and none across rows."""
        indptr = np.array([0, 3, 3, 5, 9])
        first, second = pc.row_pairs(indptr, 0, 4)
        got = sorted(zip(first.tolist(), second.tolist(), strict=True))
        expected = [(0, 1), (0, 2), (1, 2), (3, 4)] + [(e, f) for e in range(5, 9) for f in range(e + 1, 9)]
        assert got == sorted(expected)


class TestGroupWeights:
    def test_a_group_of_three_counts_once_per_item(self):
        """Members of a chain of flagged pairs (0-1, 1-2) share weight 1 on each item; others keep 1."""
        import scipy.sparse as sp

        # rows: item 0 answered by 0, 1, 2, 3; item 1 by 0, 3; item 2 by 1, 2
        indptr = np.array([0, 4, 6, 8])
        annotator_of = np.array([0, 1, 2, 3])
        indices = np.array([0, 1, 2, 3, 0, 3, 1, 2])
        m = sp.csr_matrix((np.ones(8), indices, indptr), shape=(3, 4))
        w = pc.group_answer_weights(m, annotator_of, 4, np.array([0, 1]), np.array([1, 2]))
        np.testing.assert_allclose(w, [1 / 3, 1 / 3, 1 / 3, 1, 1, 1, 0.5, 0.5])


class TestDawidSkeneDependentPairs:
    def test_a_copied_account_counts_once(self):
        """With a copy of one annotator flagged (maximum likelihood prior), the fit equals the fit
        without the copy: the two accounts' answers on an item weigh one answer together."""
        answers, _ = confusion_crowd(400, 3, accuracies=(0.9, 0.75, 0.6, 0.55, 0.5), seed=3)
        doubled = _with_copy(answers, "a2")
        with_copy = DawidSkene(prior_strength=0).fit(doubled)
        alone = DawidSkene(prior_strength=0, dependency_threshold=None).fit(answers)
        assert set(with_copy.dependent_pairs_[["annotator_a", "annotator_b"]].iloc[0]) == {"a2", "copy"}
        assert len(with_copy.dependent_pairs_) == 1
        pd.testing.assert_frame_equal(with_copy.probas_, alone.probas_, atol=1e-8)

    def test_independent_crowd_is_unchanged(self):
        """No pair is flagged on a crowd of conditionally independent annotators, and the fit is the
        fit without the check."""
        answers, _ = _independent_crowd(seed=5)
        ds = DawidSkene().fit(answers)
        assert ds.dependent_pairs_.empty
        pd.testing.assert_frame_equal(ds.probas_, DawidSkene(dependency_threshold=None).fit(answers).probas_)

    def test_crowd_wide_lure_is_not_flagged(self):
        """A lure that draws every annotator (independently) to class 1 on a tenth of the class-0
        items raises every pair's agreement, but the model's posterior explains it: no pair flagged."""
        rng = np.random.default_rng(7)
        answers, truth = _independent_crowd(n_items=800, n_ann=10, seed=7)
        hard = (truth.to_numpy() == 0) & (rng.random(len(truth)) < 0.1)
        drawn = hard[answers.item.to_numpy()] & (rng.random(len(answers)) < 0.6)
        lured = answers.assign(label=np.where(drawn, 1, answers.label))
        assert DawidSkene().fit(lured).dependent_pairs_.empty

    def test_dependent_pair_is_found_and_helps(self):
        """On crowds with a heavy dependent pair the check flags that pair (and only it); the labels
        are more accurate than without the check in mean, and never below majority vote's (the
        plain fit falls below it on these crowds)."""
        gains = []
        for seed in range(3):
            answers, truth = _pair_crowd(seed=seed)
            ds = DawidSkene().fit(answers)
            pairs = ds.dependent_pairs_
            assert len(pairs) == 1 and {pairs.annotator_a.iloc[0], pairs.annotator_b.iloc[0]} == {"p0", "p1"}
            before = DawidSkene(dependency_threshold=None).fit(answers)
            gains.append(accuracy(ds.labels_, truth) - accuracy(before.labels_, truth))
            assert accuracy(ds.labels_, truth) >= accuracy(MajorityVote().fit(answers).labels_, truth)
        assert sum(gains) > 0

    def test_auto_keeps_the_checked_fit(self):
        """AutoAggregator's Dawid-Skene candidate runs the check: on the pair crowds it is chosen,
        reports the pair and gives DawidSkene()'s labels."""
        from labelwise.aggregate import AutoAggregator

        for seed in range(2):
            answers, _ = _pair_crowd(seed=seed)
            auto, ds = AutoAggregator().fit(answers), DawidSkene().fit(answers)
            assert auto.chosen_ == "dawid-skene" and auto.relabelled_ == []
            pd.testing.assert_frame_equal(auto.dependent_pairs_, ds.dependent_pairs_)
            pd.testing.assert_series_equal(auto.labels_, ds.labels_)

    def test_screen_on_a_sample_of_rows(self, monkeypatch):
        """When the screen runs on a sample of the rows (large tables), the heavy dependent pair is
        still the one found, with its counts over every item it shares."""
        answers, _ = _pair_crowd(seed=0)
        full = DawidSkene().fit(answers).dependent_pairs_
        monkeypatch.setattr(pc, "SAMPLE_ROWS", 400)
        sampled = DawidSkene().fit(answers).dependent_pairs_
        pd.testing.assert_frame_equal(sampled, full)

    def test_smoothing_zero_is_the_plain_estimate(self):
        """A numeric smoothing (the paper's estimate for 0) never runs the check."""
        answers, _ = _pair_crowd(seed=1)
        ds = DawidSkene(smoothing=0).fit(answers)
        assert ds.dependent_pairs_.empty
        pd.testing.assert_frame_equal(
            ds.probas_, DawidSkene(smoothing=0, dependency_threshold=None).fit(answers).probas_
        )

    @pytest.mark.parametrize("value", [-1.0, float("nan"), "5", True, float("inf")])
    def test_bad_threshold(self, value):
        """dependency_threshold must be None or a finite number >= 0; the error names it."""
        answers, _ = confusion_crowd(30, 2, per_item=3)
        with pytest.raises(InvalidParameterError, match="dependency_threshold"):
            DawidSkene(dependency_threshold=value).fit(answers)

    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 2**16))
    def test_row_order_and_annotator_names_do_not_matter(self, seed):
        """Shuffling the rows and renaming the annotators changes neither the pairs nor the labels."""
        answers, _ = _pair_crowd(n_items=400, seed=seed % 3)
        rng = np.random.default_rng(seed)
        names = {a: f"x{rng.integers(1_000_000)}_{a}" for a in answers.annotator.unique()}
        shuffled = answers.sample(frac=1.0, random_state=seed).assign(annotator=lambda f: f.annotator.map(names))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds, other = DawidSkene().fit(answers), DawidSkene().fit(shuffled)
        pd.testing.assert_series_equal(ds.labels_, other.labels_.reindex(ds.labels_.index))
        flagged = {frozenset(p) for p in ds.dependent_pairs_[["annotator_a", "annotator_b"]].itertuples(index=False)}
        renamed = {frozenset(names[a] for a in p) for p in flagged}
        got = {frozenset(p) for p in other.dependent_pairs_[["annotator_a", "annotator_b"]].itertuples(index=False)}
        assert got == renamed


def _frame(enc) -> pd.DataFrame:
    """The encoded answers as a frame of codes."""
    return pd.DataFrame({"item_idx": enc.item_idx, "annotator_idx": enc.annotator_idx, "label_idx": enc.label_idx})
