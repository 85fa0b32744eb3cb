"""Tests for MACE (labelwise.aggregate.mace)."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.aggregate import MACE, MajorityVote
from labelwise.errors import InvalidParameterError
from tests.aggregate._crowd import accuracy, confusion_crowd, load_crowd


class TestMACE:
    @pytest.mark.parametrize("method", ["em", "vb"])
    def test_spammers_get_low_competence(self, method):
        """Annotators who always answer class 0 get low competence and a strategy peaked on 0."""
        answers, truth = confusion_crowd(300, 3, (0.9, 0.8, 0.7), spammers=3, seed=0)
        m = MACE(method=method, n_restarts=3).fit(answers)
        comp = m.competence_
        assert comp[["a3", "a4", "a5"]].max() < 0.2 < 0.45 < comp[["a0", "a1", "a2"]].min()
        assert (m.strategy_.loc[["a3", "a4", "a5"], 0] > 0.9).all()
        assert accuracy(m.labels_, truth) > accuracy(MajorityVote().fit(answers).labels_, truth)

    def test_more_restarts_never_lower_the_likelihood(self):
        """The kept restart has the highest likelihood; restart 1 is shared, so more can only help."""
        answers, _ = confusion_crowd(100, 3, per_item=3, seed=1)
        one = MACE(n_restarts=1, random_state=3).fit(answers)
        five = MACE(n_restarts=5, random_state=3).fit(answers)
        assert five.log_likelihood_ >= one.log_likelihood_ - 1e-9

    def test_skill_combines_competence_and_lucky_spam(self):
        """annotator_skill_ = θ + (1 - θ) Σ_k p_k ξ_k."""
        answers, _ = confusion_crowd(100, 3, seed=2)
        m = MACE(n_restarts=2).fit(answers)
        p = m.probas_.mean().to_numpy()
        theta = m.competence_.to_numpy()
        expected = theta + (1 - theta) * (m.strategy_.to_numpy() @ p)
        np.testing.assert_allclose(m.annotator_skill_.to_numpy(), expected)

    @pytest.mark.parametrize(
        "kw, param",
        [
            ({"method": "gibbs"}, "method"),
            ({"n_restarts": 0}, "n_restarts"),
            ({"smoothing": -1}, "smoothing"),
            ({"method": "vb", "alpha": 0}, "alpha"),
        ],
    )
    def test_bad_parameters(self, kw, param):
        """Bad parameters raise InvalidParameterError naming them."""
        answers, _ = confusion_crowd(10, 2, seed=3)
        with pytest.raises(InvalidParameterError, match=param):
            MACE(**kw).fit(answers)


@pytest.mark.slow
def test_accuracy_on_real_sets(shared_data):
    """MACE reaches its measured accuracy on Duck and RTE."""
    for name, floor in (("d_Duck_Identification", 0.87), ("smem_rte", 0.92)):
        answers, gold = load_crowd(shared_data, name)
        assert accuracy(MACE().fit(answers).labels_, gold) >= floor
