"""Tests for CrowdLab, the model + annotators consensus (labelwise.aggregate.crowdlab)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import CrowdLab, MajorityVote
from labelwise.errors import InvalidProbabilitiesError, ShapeMismatchError
from tests.aggregate._crowd import accuracy, confusion_crowd


def _model_probs(truth: pd.Series, k: int, acc: float, seed: int) -> pd.DataFrame:
    """Probabilities of a model that is right with probability ``acc``, confident either way."""
    rng = np.random.default_rng(seed)
    pred = np.where(rng.random(len(truth)) < acc, truth, (truth + rng.integers(1, k, len(truth))) % k)
    p = rng.dirichlet(np.ones(k), len(truth)) * 0.3
    p[np.arange(len(truth)), pred] += 0.7
    return pd.DataFrame(p, index=truth.index, columns=range(k))


class TestCrowdLab:
    def test_good_model_improves_on_majority_vote(self):
        """With two noisy annotators per item and a 90%-accurate model, the consensus beats majority vote."""
        answers, truth = confusion_crowd(400, 3, (0.7, 0.65, 0.6, 0.7), per_item=2, seed=0)
        probs = _model_probs(truth, 3, 0.9, seed=1)
        cl = CrowdLab().fit(answers, probs)
        assert accuracy(cl.labels_, truth) > accuracy(MajorityVote().fit(answers).labels_, truth) + 0.05
        assert cl.model_weight_ > 0 and (cl.annotator_weight_ > 0).all()

    def test_item_quality_ranks_wrong_consensus_labels_low(self):
        """Items whose consensus label is wrong have lower quality scores than correct ones."""
        answers, truth = confusion_crowd(400, 3, (0.7, 0.65, 0.6, 0.7), per_item=2, seed=2)
        cl = CrowdLab().fit(answers, _model_probs(truth, 3, 0.8, seed=3))
        wrong = (cl.labels_ != truth).to_numpy()
        q = cl.item_quality_.to_numpy()
        assert wrong.any() and q[wrong].mean() < q[~wrong].mean()
        np.testing.assert_allclose(q, cl.probas_.to_numpy()[np.arange(400), cl.labels_.to_numpy()])

    def test_probs_frame_is_aligned_by_item_and_class(self):
        """A probs DataFrame in any row/column order, with extra items, gives the same result as the array."""
        answers, truth = confusion_crowd(50, 3, per_item=2, seed=4)
        probs = _model_probs(truth, 3, 0.8, seed=5)
        a = CrowdLab().fit(answers, probs.to_numpy())
        extra = pd.DataFrame([[1 / 3] * 3], index=[999], columns=range(3))
        shuffled = pd.concat([probs, extra]).sample(frac=1, random_state=0)[[2, 0, 1]]
        b = CrowdLab().fit(answers, shuffled)
        pd.testing.assert_frame_equal(a.probas_, b.probas_)

    @pytest.mark.parametrize("name", [str, lambda c: f"prob_{c}"], ids=["text", "prob_prefix"])
    def test_columns_named_by_text_or_prob_prefix_are_aligned_by_name(self, name):
        """A CSV header "2,0,1" (or labels.csv's prob_2, prob_0, prob_1) was taken in column order,
        giving class 0 the model's probability of class 2, silently."""
        answers, truth = confusion_crowd(50, 3, per_item=2, seed=4)
        probs = _model_probs(truth, 3, 0.8, seed=5)
        a = CrowdLab().fit(answers, probs.to_numpy())
        named = probs[[2, 0, 1]].rename(columns=name)
        pd.testing.assert_frame_equal(a.probas_, CrowdLab().fit(answers, named).probas_)
        # columns named after no class are still taken in class order
        positional = probs.set_axis(["p0", "p1", "p2"], axis=1)
        pd.testing.assert_frame_equal(a.probas_, CrowdLab().fit(answers, positional).probas_)

    def test_missing_item_and_wrong_shape_are_errors(self):
        """Probabilities that miss an item, have the wrong shape or do not sum to 1 are rejected."""
        answers, truth = confusion_crowd(20, 2, per_item=2, seed=6)
        probs = _model_probs(truth, 2, 0.8, seed=7)
        with pytest.raises(ShapeMismatchError, match="1 item"):
            CrowdLab().fit(answers, probs.iloc[1:])
        with pytest.raises(ShapeMismatchError, match=r"shape \(n_items, n_classes\) = \(20, 2\)"):
            CrowdLab().fit(answers, probs.to_numpy()[:, :1])
        with pytest.raises(InvalidProbabilitiesError, match="sum to 1"):
            CrowdLab().fit(answers, probs.to_numpy() * 2)
        with pytest.raises(ShapeMismatchError, match="one column per class"):
            CrowdLab().fit(answers, probs.rename(columns={0: 0, 1: 5}))
        with pytest.raises(ShapeMismatchError, match=r"miss \['0'\] and add \['x'\]"):
            CrowdLab().fit(answers, probs.set_axis(["1", "x"], axis=1))
