"""MMSR (Ma & Olshevsky): crowd-kit 1.4.2's skills on dense crowds, robustness to adversaries,
the MSR trimming, a real set, and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import MMSR, MajorityVote, simulate_annotators
from labelwise.aggregate._mmsr_msr import trimmed_means as _trimmed_means
from labelwise.aggregate.mmsr import sign_determination
from labelwise.errors import InvalidParameterError, LabelwiseWarning
from tests.aggregate._crowd import accuracy, confusion_crowd, load_crowd
from tests.aggregate._peers import quiet_fit

crowdkit = pytest.importorskip("crowdkit.aggregation")


def _crowdkit_mmsr(answers: pd.DataFrame):
    est = quiet_fit(crowdkit.MMSR(), answers)
    return est, est.skills_


class TestAgainstCrowdKit:
    @pytest.mark.parametrize("k", [2, 3])
    def test_weights_and_labels_equal_crowdkits_on_a_dense_crowd(self, k):
        """Every pair of annotators shares items and all are better than chance: the same log-odds
        weights as crowd-kit's skills_, and the labels of its weighted vote (argmax of the sums)."""
        answers, _ = confusion_crowd(150, k, (0.9, 0.8, 0.75, 0.7, 0.6, 0.85), per_item=4, seed=k)
        ours = MMSR().fit(answers)
        _, skills = _crowdkit_mmsr(answers)
        np.testing.assert_allclose(ours.annotator_weight_, skills.reindex(ours.annotator_weight_.index), atol=1e-6)
        w = skills.reindex(answers["annotator"]).to_numpy()
        sums = pd.DataFrame({"item": answers["item"], "label": answers["label"], "w": w})
        sums = (
            sums.groupby(["item", "label"])["w"].sum().unstack(fill_value=0.0).reindex(columns=range(k), fill_value=0)
        )
        untied = np.sort(sums.to_numpy(), axis=1)[:, -1] - np.sort(sums.to_numpy(), axis=1)[:, -2] > 1e-9
        assert (ours.labels_[untied] == sums.idxmax(axis=1)[untied]).all()

    @pytest.mark.slow  # crowd-kit's covariance loops over annotator pairs in Python (about 1 s)
    def test_real_set_accuracy_matches_crowdkit(self, shared_data):
        """On the duck set MMSR is as accurate against gold as crowd-kit's MMSR (within one item)."""
        answers, gold = load_crowd(shared_data, "d_Duck_Identification")
        ours = MMSR().fit(answers)
        est, _ = _crowdkit_mmsr(answers)
        theirs = est.predict(answers.rename(columns={"item": "task", "annotator": "worker"}))
        assert accuracy(ours.labels_, gold) >= accuracy(theirs, gold) - 1.0 / len(gold)
        assert accuracy(ours.labels_, gold) > 0.7


class TestRobustness:
    def test_adversaries_get_negative_weight_and_lose(self):
        """Four of twelve annotators answer against the truth: MMSR weighs them negatively and
        recovers the truth far better than the plain vote."""
        truth = np.random.default_rng(0).integers(0, 2, 400)
        acc = [0.75] * 8 + [0.1] * 4
        sim = simulate_annotators(truth, n_annotators=12, answers_per_item=6, accuracy=acc, random_state=0)
        mmsr = MMSR().fit(sim.answers)
        mv = MajorityVote().fit(sim.answers)
        adversaries = sim.observed_accuracy.index[sim.observed_accuracy < 0.5]
        assert (mmsr.annotator_weight_[adversaries] < 0).all()
        true = sim.true_labels.reindex(mmsr.labels_.index)
        assert (mmsr.labels_ == true).mean() > (mv.labels_ == true).mean() + 0.1
        assert np.abs(mmsr.annotator_skill_ - sim.observed_accuracy).max() < 0.1

    def test_trimming_drops_f_extremes_on_each_side(self):
        """MSR: with F=1 the smallest value below and the largest above the current one go."""
        group = np.zeros(5, dtype=np.int64)
        values = np.array([0.1, 0.5, 0.6, 0.7, 5.0])
        out = _trimmed_means(group, values, np.array([0.55]), 1, 100)
        assert out[0] == pytest.approx(np.mean([0.5, 0.6, 0.7]))
        # fewer than F below the current value: all of them go
        assert _trimmed_means(group, values, np.array([0.05]), 2, 100)[0] == pytest.approx(np.mean([0.1, 0.5, 0.6]))

    def test_signs_follow_the_covariance_signs(self):
        """Two camps that agree within and disagree across: the larger camp is positive."""
        s = np.array([1, 1, 1, -1, -1])
        cov = np.outer(s, s) * 0.3
        np.fill_diagonal(cov, 0)
        observed = ~np.eye(5, dtype=bool)
        assert sign_determination(cov, observed).tolist() == [1, 1, 1, -1, -1]

    def test_lanczos_and_dense_sign_steps_agree(self, monkeypatch):
        """The sign step's sparse eigensolver (large graphs) gives the dense one's signs."""
        from labelwise.aggregate import _mmsr_pairs

        truth = np.random.default_rng(1).integers(0, 2, 300)
        acc = [0.8] * 14 + [0.15] * 6
        answers = simulate_annotators(truth, n_annotators=20, answers_per_item=5, accuracy=acc, random_state=1).answers
        dense = MMSR().fit(answers).annotator_weight_
        monkeypatch.setattr(_mmsr_pairs, "DENSE_SIGN_NODES", 0)
        sparse = MMSR().fit(answers).annotator_weight_
        assert (np.sign(dense) == np.sign(sparse)).all() and (dense < 0).sum() == 6


class TestFitted:
    def test_annotators_without_common_items_get_weight_zero(self):
        """An annotator who shares no item with anyone has no covariance: weight 0, skill 1/K."""
        answers, _ = confusion_crowd(40, 2, (0.9, 0.8, 0.7), seed=3)
        lone = pd.DataFrame({"item": [1000, 1001], "annotator": ["lone", "lone"], "label": [0, 1]})
        est = MMSR().fit(pd.concat([answers, lone], ignore_index=True))
        assert est.annotator_weight_["lone"] == 0 and est.annotator_skill_["lone"] == pytest.approx(0.5)

    def test_posterior_is_the_one_coin_softmax(self):
        """probas_ is the softmax of each item's summed log-odds weights."""
        answers, _ = confusion_crowd(30, 3, seed=4)
        est = MMSR().fit(answers)
        w = est.annotator_weight_.reindex(answers["annotator"]).to_numpy()
        sums = (
            pd.DataFrame({"item": answers["item"], "label": answers["label"], "w": w})
            .pivot_table(index="item", columns="label", values="w", aggfunc="sum", fill_value=0.0)
            .to_numpy()
        )
        expected = np.exp(sums - sums.max(axis=1, keepdims=True))
        np.testing.assert_allclose(est.probas_.to_numpy(), expected / expected.sum(axis=1, keepdims=True), atol=1e-12)

    def test_n_adversaries_default_and_given(self):
        """n_adversaries_ is crowd-kit's floor(sparsity / 2) - 1 (clamped at 0) unless given."""
        answers, _ = confusion_crowd(40, 2, (0.9, 0.8, 0.7, 0.6, 0.8, 0.7, 0.9), seed=5)
        assert MMSR().fit(answers).n_adversaries_ == 2  # each shares items with the 6 others
        assert MMSR(n_adversaries=0).fit(answers).n_adversaries_ == 0


class TestBadInput:
    @pytest.mark.parametrize("value", [-1, 1.5, "2", True])
    def test_bad_n_adversaries(self, value):
        """n_adversaries must be None or an int >= 0: the error names it."""
        answers, _ = confusion_crowd(10, 2, seed=0)
        with pytest.raises(InvalidParameterError, match="n_adversaries"):
            MMSR(n_adversaries=value).fit(answers)


def test_items_without_evidence_keep_their_vote():
    """Every item answered once: no annotator pair shares an item, every weight is 0, and each
    item keeps its single answer (the vote shares) instead of a uniform posterior."""
    answers = pd.DataFrame({"item": [1, 2, 3], "annotator": ["a", "b", "c"], "label": ["x", "y", "x"]})
    with pytest.warns(LabelwiseWarning, match="no two of the 3 annotators sharing an item"):
        est = MMSR().fit(answers)
    assert (est.annotator_weight_ == 0).all()
    assert est.labels_.tolist() == ["x", "y", "x"] and (est.probas_.max(axis=1) == 1).all()
