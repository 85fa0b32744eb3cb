"""Tests for labelwise.aggregate.sampler: per-epoch labels from several observers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import DawidSkene, ObserverLabelSampler, simulate_annotators
from labelwise.errors import InvalidParameterError

ANSWERS = pd.DataFrame(
    {
        "item": [1, 1, 1, 2, 2, 3],
        "annotator": ["a", "b", "c", "a", "b", "c"],
        "label": ["cat", "cat", "dog", "dog", "bird", "bird"],
    }
)


class TestObserverLabelSampler:
    def test_random_draws_each_answer_at_its_share(self):
        """Under "random" an item's label follows its observers' answers (2/3 cat, 1/3 dog)."""
        sampler = ObserverLabelSampler(ANSWERS, strategy="random", random_state=0)
        draws = np.array([sampler.sample_codes(e) for e in range(3000)])
        classes = list(sampler.classes_)
        assert (draws[:, 0] == classes.index("cat")).mean() == pytest.approx(2 / 3, abs=0.03)
        assert set(draws[:, 1]) == {classes.index("dog"), classes.index("bird")}
        assert (draws[:, 2] == classes.index("bird")).all()

    def test_epochs_are_deterministic_and_order_free(self):
        """An epoch's labels depend only on the seed and the epoch, not on earlier calls."""
        first = ObserverLabelSampler(ANSWERS, random_state=7)
        second = ObserverLabelSampler(ANSWERS.iloc[::-1], random_state=7)
        later = first.sample(5)
        [first.sample(e) for e in range(5)]
        pd.testing.assert_series_equal(first.sample(5), later)
        pd.testing.assert_series_equal(second.sample(5), later)

    def test_consensus_is_fixed_majority_or_given(self):
        """ "consensus" returns the majority vote every epoch, or the labels given."""
        sampler = ObserverLabelSampler(ANSWERS, strategy="consensus")
        assert sampler.sample(0)[1] == "cat" and sampler.sample(0)[3] == "bird"
        pd.testing.assert_series_equal(sampler.sample(0), sampler.sample(9))
        ds = DawidSkene().fit(ANSWERS)
        given = ObserverLabelSampler(ANSWERS, strategy="consensus", consensus=ds)
        pd.testing.assert_series_equal(given.sample(0), ds.labels_, check_names=False)

    def test_mix_uses_consensus_at_the_given_rate(self):
        """ "mix" takes the consensus with probability p_consensus, else a random observer."""
        sim = simulate_annotators([0, 1] * 200, n_annotators=3, answers_per_item=3, accuracy=0.6, random_state=1)
        always = ObserverLabelSampler(sim.answers, strategy="mix", p_consensus=1.0)
        pd.testing.assert_series_equal(always.sample(3), always.consensus_)
        never = ObserverLabelSampler(sim.answers, strategy="mix", p_consensus=0.0, random_state=4)
        random = ObserverLabelSampler(sim.answers, strategy="random", random_state=4)
        pd.testing.assert_series_equal(never.sample(2), random.sample(2))
        half = ObserverLabelSampler(sim.answers, strategy="mix", p_consensus=0.5, random_state=2)
        rand = ObserverLabelSampler(sim.answers, strategy="random", random_state=2)
        agree_mix = np.mean([(half.sample(e) == half.consensus_).mean() for e in range(20)])
        agree_rand = np.mean([(rand.sample(e) == rand.consensus_).mean() for e in range(20)])
        # P(consensus) = 0.5 + 0.5 * P(random observer agrees with consensus)
        assert agree_mix == pytest.approx(0.5 + 0.5 * agree_rand, abs=0.02)

    def test_bad_parameters(self):
        """Unknown strategy, p outside [0, 1], bad epoch or incomplete consensus are errors."""
        with pytest.raises(InvalidParameterError, match="strategy must be one of"):
            ObserverLabelSampler(ANSWERS, strategy="staple")
        with pytest.raises(InvalidParameterError, match="p_consensus must be in"):
            ObserverLabelSampler(ANSWERS, strategy="mix", p_consensus=1.5)
        with pytest.raises(InvalidParameterError, match="epoch must be an integer >= 0"):
            ObserverLabelSampler(ANSWERS).sample(-1)
        with pytest.raises(InvalidParameterError, match="1 item\\(s\\) have none"):
            ObserverLabelSampler(ANSWERS, consensus=pd.Series({1: "cat", 2: "dog"}))
        with pytest.raises(InvalidParameterError, match="among the answers' classes"):
            ObserverLabelSampler(ANSWERS, consensus=pd.Series({1: "cat", 2: "dog", 3: "fish"}))
