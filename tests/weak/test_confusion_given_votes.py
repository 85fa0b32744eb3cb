"""``LabelModel.confusion_`` as a conditional distribution (weakgaps50).

``confusion_[j, y, a] = P(λ_j = a | Y = y, λ_j votes)`` divided ``μ``'s row by ``max(P(λ_j votes | y), 1e-6)``:
where the fit says a one-class rule almost never votes on the other class, that row summed to far below 1
(``has_link``'s true-ham row was ``[0, 0.01]``). The output now divides by the row's own total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from labelwise import weak
from tests.weak._spam_lfs import has_link, short

TEXTS = ["win http://x", "hi", "see http://y now", "ok mate", "free money http://z", "lunch?", "call me later", "yo"]


class TestConfusionGivenVotes:
    def test_a_one_class_rules_rows_sum_to_one(self):
        """has_link (spam only) and short (ham only): every row of confusion_ sums to 1, the vote's class 1."""
        votes = weak.apply([has_link, short], pd.DataFrame({"text": TEXTS * 25}))
        model = weak.LabelModel().fit(votes)
        np.testing.assert_allclose(model.confusion_.sum(axis=2), 1.0, rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.confusion_[0, :, 1], 1.0)  # has_link votes spam, whatever the class
        np.testing.assert_allclose(model.confusion_[1, :, 0], 1.0)  # short votes ham

    def test_rows_are_mus_rows_over_their_totals(self):
        """confusion_[j, y] is μ[(j, ·), y] / Σ_a μ[(j, a), y]: get_conditional_probs' votes given a vote."""
        votes = weak.apply([has_link, short], pd.DataFrame({"text": TEXTS * 25}))
        model = weak.LabelModel().fit(votes)
        cond = model.get_conditional_probs()[:, 1:, :]  # [j, a, y]
        expected = np.transpose(cond / cond.sum(axis=1, keepdims=True), (0, 2, 1))
        np.testing.assert_allclose(model.confusion_, expected, rtol=1e-12)

    @settings(max_examples=80, deadline=None)
    @given(st.integers(1, 4), st.integers(2, 4), st.data())
    def test_each_row_is_a_distribution_or_undefined(self, m, k, data):
        """For any μ ≥ 0: rows sum to 1 where P(vote | y) > 0 and are NaN where it is 0; the agreement test's
        floored form is unchanged where P(vote | y) ≥ 1e-6."""
        from labelwise.weak._posterior import confusion_from_mu, confusion_given_votes

        tiny = st.sampled_from([0.0, 1e-300, 1e-9, 1e-7])
        mu = data.draw(arrays(np.float64, (m * k, k), elements=st.one_of(tiny, st.floats(0, 1.0 / k))))
        conf = confusion_given_votes(mu, m, k)
        total = np.transpose(mu.reshape(m, k, k), (0, 2, 1)).sum(axis=2)
        assert np.isnan(conf[total == 0]).all()
        np.testing.assert_allclose(conf[total > 0].sum(axis=1), 1.0, rtol=0, atol=1e-12)
        assert (conf[total > 0] >= 0).all()
        big = total >= 1e-6
        np.testing.assert_allclose(conf[big], confusion_from_mu(mu, m, k)[big], rtol=1e-12)

    def test_a_function_that_never_voted_has_undefined_rows(self):
        """A labeler with no vote: no distribution given a vote (NaN rows), NaN accuracy."""
        matrix = np.array([[0, -1, 0], [1, -1, 1], [0, -1, 1], [1, -1, 1], [0, -1, 0]])
        model = weak.LabelModel().fit(matrix)
        assert np.isnan(model.confusion_[1]).all() and np.isnan(model.accuracies_.iloc[1])
        np.testing.assert_allclose(model.confusion_[[0, 2]].sum(axis=2), 1.0)
