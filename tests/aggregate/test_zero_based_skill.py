"""Tests for ZeroBasedSkill (labelwise.aggregate.zero_based_skill)."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.aggregate import MajorityVote, ZeroBasedSkill
from labelwise.errors import InvalidParameterError
from tests.aggregate._crowd import accuracy, confusion_crowd, load_crowd


class TestZeroBasedSkill:
    def test_skills_converge_to_agreement_with_the_weighted_vote(self):
        """At convergence each skill equals the annotator's agreement with the final labels."""
        answers, _ = confusion_crowd(200, 3, (0.9, 0.7, 0.5, 0.6), seed=0)
        z = ZeroBasedSkill(max_iter=200, tol=1e-9).fit(answers)
        codes = z.labels_.loc[answers["item"]].to_numpy()
        agree = answers["label"].to_numpy() == codes
        per = np.bincount(answers["annotator"].str[1:].astype(int), weights=agree) / 200
        np.testing.assert_allclose(z.annotator_skill_.to_numpy(), per, atol=1e-6)
        assert z.converged_

    def test_first_step_with_lr_one_is_wawa_skill(self):
        """With lr_init=1 one iteration sets each skill to its agreement with majority vote."""
        answers, _ = confusion_crowd(100, 3, (0.9, 0.6, 0.6), seed=1)
        z = ZeroBasedSkill(max_iter=1).fit(answers)
        mv = MajorityVote().fit(answers)
        np.testing.assert_allclose(z.skills_, mv.annotator_skill_.to_numpy())

    def test_beats_majority_vote_with_an_expert(self):
        """Weighting by learned skill helps when one annotator is much better."""
        answers, truth = confusion_crowd(300, 4, (0.95, 0.5, 0.5), seed=2)
        assert accuracy(ZeroBasedSkill().fit(answers).labels_, truth) > accuracy(
            MajorityVote().fit(answers).labels_, truth
        )

    @pytest.mark.parametrize("param, value", [("max_iter", 0), ("lr_init", 1.5), ("lr_reduce_factor", -1), ("tol", -1)])
    def test_bad_parameters(self, param, value):
        """Out-of-range parameters raise InvalidParameterError naming them."""
        answers, _ = confusion_crowd(10, 2, seed=3)
        with pytest.raises(InvalidParameterError, match=param):
            ZeroBasedSkill(**{param: value}).fit(answers)


@pytest.mark.slow
def test_accuracy_on_real_set(shared_data):
    """ZBS reaches 0.92 on RTE (majority vote: 0.89)."""
    answers, gold = load_crowd(shared_data, "smem_rte")
    assert accuracy(ZeroBasedSkill().fit(answers).labels_, gold) >= 0.91
