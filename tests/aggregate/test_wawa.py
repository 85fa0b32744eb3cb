"""Tests for Wawa (labelwise.aggregate.wawa)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import MajorityVote, Wawa
from tests.aggregate._crowd import accuracy, confusion_crowd, load_crowd


class TestWawa:
    def test_matches_a_direct_computation(self):
        """Skills are agreement with the majority and the result is the skill-weighted vote."""
        answers, _ = confusion_crowd(80, 3, (0.9, 0.6, 0.4, 0.4), seed=0)
        mv = MajorityVote().fit(answers)
        agree = answers["label"].to_numpy() == mv.labels_.loc[answers["item"]].to_numpy()
        skill = pd.Series(agree, index=answers["annotator"]).groupby(level=0).mean()
        w = Wawa().fit(answers)
        np.testing.assert_allclose(w.annotator_skill_.to_numpy(), skill.to_numpy())
        weights = skill.loc[answers["annotator"]].to_numpy()
        scores = pd.DataFrame({"item": answers["item"], "label": answers["label"], "w": weights})
        table = scores.pivot_table(index="item", columns="label", values="w", aggfunc="sum", fill_value=0.0)
        expected = table.div(table.sum(axis=1), axis=0)
        np.testing.assert_allclose(w.probas_.to_numpy(), expected.to_numpy())

    def test_outvoted_expert_wins_when_weighted(self):
        """A reliable annotator beats two unreliable ones that agree with each other rarely."""
        answers, truth = confusion_crowd(300, 4, (0.95, 0.5, 0.5), seed=1)
        assert accuracy(Wawa().fit(answers).labels_, truth) > accuracy(MajorityVote().fit(answers).labels_, truth)

    def test_all_zero_skill_item_falls_back_to_votes(self):
        """An item whose annotators never agree with the majority keeps its plain vote shares."""
        t = pd.DataFrame({"item": [1, 1, 1, 2], "annotator": ["a", "b", "c", "d"], "label": [0, 0, 1, 1]})
        w = Wawa().fit(t.iloc[[0, 1, 2, 3]])
        assert np.isfinite(w.probas_.to_numpy()).all()
        assert w.probas_.loc[2].tolist() == [0.0, 1.0]


@pytest.mark.slow
def test_accuracy_on_real_set(shared_data):
    """Wawa beats plain majority vote on RTE (0.919 vs 0.890)."""
    answers, gold = load_crowd(shared_data, "smem_rte")
    assert accuracy(Wawa().fit(answers).labels_, gold) >= 0.91
