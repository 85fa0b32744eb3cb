"""labelwise.semi selection rules: threshold, k-best, class-balanced, curriculum, FlexMatch, FreeMatch, SoftMatch, LLKD."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.semi import (
    curriculum_threshold,
    flexmatch_thresholds,
    freematch_thresholds,
    llkd_thresholds,
    normalized_entropy,
    select_class_balanced,
    select_k_best,
    select_threshold,
    softmatch_weights,
)


class TestSelectThreshold:
    """Fixed threshold."""

    def test_admits_strictly_above(self):
        """Only confidences strictly above the threshold pass."""
        assert select_threshold(np.array([0.5, 0.75, 0.76]), 0.75).tolist() == [False, False, True]

    def test_rejects_threshold_out_of_range(self):
        """A threshold of 1 or more names the parameter."""
        with pytest.raises(InvalidParameterError, match="threshold"):
            select_threshold(np.array([0.5]), 1.0)


class TestSelectKBest:
    """k most confident."""

    def test_picks_top_k(self):
        """The k largest confidences are chosen."""
        assert np.flatnonzero(select_k_best(np.array([0.1, 0.9, 0.5, 0.8]), 2)).tolist() == [1, 3]

    def test_all_when_fewer_than_k(self):
        """With at most k candidates all are admitted."""
        assert select_k_best(np.array([0.1, 0.2]), 5).all()

    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.floats(0, 1), min_size=1, max_size=40), st.integers(1, 10))
    def test_count_is_min_k_n(self, conf, k):
        """Exactly min(k, n) candidates are admitted."""
        assert select_k_best(np.array(conf), k).sum() == min(k, len(conf))


class TestSelectClassBalanced:
    """Equal quota per predicted class."""

    def test_majority_class_cannot_take_all_slots(self):
        """Class 0's many confident candidates get only their share; class 1's best are admitted."""
        conf = np.array([0.99, 0.98, 0.97, 0.96, 0.6, 0.5])
        pred = np.array([0, 0, 0, 0, 1, 1])
        mask = select_class_balanced(conf, pred, 2, 4)
        assert np.flatnonzero(mask).tolist() == [0, 1, 4, 5]

    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 2)), min_size=1, max_size=50), st.integers(3, 12))
    def test_each_class_within_quota_and_most_confident(self, items, k):
        """Per class at most k // K admitted, and none admitted is less confident than one left out."""
        conf = np.array([c for c, _ in items])
        pred = np.array([p for _, p in items])
        mask = select_class_balanced(conf, pred, 3, k)
        for c in range(3):
            in_c = pred == c
            assert mask[in_c].sum() == min(k // 3, in_c.sum())
            if mask[in_c].any() and (~mask & in_c).any():
                assert conf[mask & in_c].min() >= conf[~mask & in_c].max()


class TestCurriculumThreshold:
    """Percentile schedule."""

    def test_admits_more_each_round(self):
        """Round t admits about t * step percent; 100 percent admits all."""
        conf = np.linspace(0, 1, 101)
        shares = [(conf >= curriculum_threshold(conf, t, 20)).mean() for t in range(1, 6)]
        assert shares == sorted(shares)
        assert shares[0] == pytest.approx(0.2, abs=0.02)
        assert curriculum_threshold(conf, 5, 20) == float("-inf")


class TestFlexmatchThresholds:
    """FlexMatch's Curriculum Pseudo Labeling thresholds."""

    def test_well_learned_class_gets_full_threshold(self):
        """The class with most confident predictions gets tau; others scale down by x/(2-x)."""
        conf = np.array([0.99, 0.99, 0.99, 0.99, 0.97, 0.97, 0.5, 0.5])
        pred = np.array([0, 0, 0, 0, 1, 1, 1, 2])
        t = flexmatch_thresholds(conf, pred, 3, threshold=0.95, warmup=False)
        beta = np.array([1.0, 0.5, 0.0])
        np.testing.assert_allclose(t, beta / (2 - beta) * 0.95)

    def test_warmup_counts_unused_examples(self):
        """With warm-up, the unused examples (2 of 8 above) normalise when they outnumber any class."""
        conf = np.array([0.99, 0.99, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
        pred = np.array([0, 1, 0, 0, 1, 1, 2, 2])
        t = flexmatch_thresholds(conf, pred, 3, threshold=0.95, mapping="linear")
        np.testing.assert_allclose(t, np.array([1, 1, 0]) / 6 * 0.95)

    def test_prior_correction_raises_minority_threshold(self):
        """Dividing by the class prior stops a rare class from looking unlearned."""
        conf = np.full(10, 0.99)
        pred = np.array([0] * 9 + [1])
        plain = flexmatch_thresholds(conf, pred, 2, warmup=False)
        corrected = flexmatch_thresholds(conf, pred, 2, warmup=False, class_prior=np.array([0.9, 0.1]))
        assert corrected[1] > plain[1]
        assert corrected[1] == pytest.approx(0.95)

    def test_rejects_unknown_mapping(self):
        """An unknown mapping names the parameter."""
        with pytest.raises(InvalidParameterError, match="mapping"):
            flexmatch_thresholds(np.array([0.9]), np.array([0]), 2, mapping="cubic")


class TestFreeMatchThresholds:
    """FreeMatch's self-adaptive thresholds."""

    def test_first_update_blends_with_uniform_start(self):
        """Both levels start at 1/K; the most predicted class gets the global level as threshold."""
        probs = np.array([[0.9, 0.1], [0.7, 0.3], [0.4, 0.6]])
        state = freematch_thresholds(probs, momentum=0.5)
        assert state.global_level == pytest.approx(0.5 * 0.5 + 0.5 * (0.9 + 0.7 + 0.6) / 3)
        np.testing.assert_allclose(state.class_level, 0.5 * 0.5 + 0.5 * np.array([2.0, 1.0]) / 3)
        np.testing.assert_allclose(state.thresholds, state.class_level / state.class_level[0] * state.global_level)

    def test_rises_with_confidence_over_rounds(self):
        """Repeated confident rounds move the global threshold towards the mean confidence."""
        probs = np.tile([[0.95, 0.05], [0.05, 0.95]], (5, 1))
        state = None
        levels = []
        for _ in range(6):
            state = freematch_thresholds(probs, previous=state, momentum=0.5)
            levels.append(state.global_level)
        assert np.all(np.diff(levels) > 0) and levels[-1] == pytest.approx(0.95, abs=0.01)
        np.testing.assert_allclose(state.thresholds, state.global_level)  # balanced classes: equal thresholds

    def test_rejects_bad_momentum(self):
        """A momentum outside [0, 1) is an InvalidParameterError naming it."""
        with pytest.raises(InvalidParameterError, match="momentum"):
            freematch_thresholds(np.array([[0.5, 0.5]]), momentum=1.5)


class TestSoftMatchWeights:
    """SoftMatch's truncated Gaussian weights."""

    def test_full_weight_above_mean_gaussian_below(self):
        """Without alignment, confidences at or above the mean weigh 1, lower ones exp(-(c - mu)^2 / 2 var)."""
        conf = np.array([0.95, 0.9, 0.8, 0.6, 0.55])
        probs = np.column_stack([conf, 1 - conf])
        res = softmatch_weights(probs, align=False)
        mu, var = conf.mean(), conf.var(ddof=1)
        assert res.mean == pytest.approx(mu) and res.variance == pytest.approx(var)
        expected = np.where(conf >= mu, 1.0, np.exp(-((conf - mu) ** 2) / (2 * var)))
        np.testing.assert_allclose(res.weights, expected)
        assert res.weights[0] == res.weights[1] == 1.0 and 0 < res.weights[-1] < res.weights[-2] < 1

    def test_uniform_alignment_lifts_the_under_predicted_class(self):
        """Aligning to uniform divides by the mean prediction, so the rarely predicted class weighs more."""
        probs = np.array([[0.9, 0.1]] * 8 + [[0.35, 0.65]] * 2)
        plain = softmatch_weights(probs, align=False).weights
        aligned = softmatch_weights(probs).weights
        assert aligned[-1] > plain[-1]
        q = probs / probs.mean(axis=0) * 0.5
        q /= q.sum(axis=1, keepdims=True)
        c = q.max(axis=1)
        expected = np.where(c >= c.mean(), 1.0, np.exp(-((c - c.mean()) ** 2) / (2 * c.var(ddof=1))))
        np.testing.assert_allclose(aligned, expected)

    def test_target_alignment_matches_prior_and_is_validated(self):
        """A target distribution replaces uniform (ReMixMatch alignment); a bad one names the parameter."""
        probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
        q = probs * (np.array([0.75, 0.25]) / probs.mean(axis=0))
        c = (q / q.sum(axis=1, keepdims=True)).max(axis=1)
        assert softmatch_weights(probs, target=np.array([3.0, 1.0])).mean == pytest.approx(c.mean())
        with pytest.raises(InvalidParameterError, match="target"):
            softmatch_weights(probs, target=np.array([1.0, 0.0]))

    def test_a_non_numeric_target_or_class_prior_names_the_parameter(self):
        """target="abc" / class_prior="abc" are InvalidParameterErrors naming them, not numpy's ValueError."""
        probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
        with pytest.raises(InvalidParameterError, match=r"^target must be 2 positive numbers, got 'abc'"):
            softmatch_weights(probs, target="abc")
        with pytest.raises(InvalidParameterError, match=r"^class_prior must be 2 positive numbers, got 'abc'"):
            flexmatch_thresholds(probs.max(axis=1), probs.argmax(axis=1), 2, class_prior="abc")

    def test_equal_confidences_all_weigh_one(self):
        """With zero variance (or one example) nothing is below the mean: every weight is 1."""
        np.testing.assert_array_equal(softmatch_weights(np.array([[0.7, 0.3]] * 4)).weights, np.ones(4))
        np.testing.assert_array_equal(softmatch_weights(np.array([[0.2, 0.8]])).weights, np.ones(1))

    def test_confidences_equal_up_to_rounding_all_weigh_one_in_any_column_order(self):
        """Two rows whose aligned confidences differ by one rounding (variance ~3e-33) are equal:
        without the rounding floor one of them weighed exp(-1/2), and which one depended on the
        order of the columns (a hypothesis draw of the renaming invariant)."""
        rng = np.random.default_rng(3)
        probs = rng.integers(1, 4, (2, 3)).astype(float)
        probs /= probs.sum(axis=1, keepdims=True)
        for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
            res = softmatch_weights(probs[:, order])
            np.testing.assert_array_equal(res.weights, np.ones(2))
            assert res.variance == 0.0


class TestLLKDThresholds:
    """LLKD's moving-average per-class thresholds."""

    def test_first_round_uses_current_means(self):
        """Class levels are class means; thresholds scale them by global mean / max class mean."""
        signal = np.array([0.9, 0.7, 0.4, 0.2])
        pred = np.array([0, 0, 1, 1])
        state = llkd_thresholds(signal, pred, 2)
        np.testing.assert_allclose(state.class_level, [0.8, 0.3])
        np.testing.assert_allclose(state.thresholds, np.array([0.8, 0.3]) / 0.8 * 0.55)

    def test_momentum_blends_previous_round(self):
        """The global level is the EMA of the round means."""
        pred = np.array([0, 1])
        first = llkd_thresholds(np.array([0.2, 0.2]), pred, 2)
        second = llkd_thresholds(np.array([0.6, 0.6]), pred, 2, previous=first, momentum=0.5)
        assert second.global_level == pytest.approx(0.4)


class TestNormalizedEntropy:
    """Uncertainty in [0, 1]."""

    def test_certain_and_uniform(self):
        """A one-hot row has entropy 0, a uniform row 1."""
        np.testing.assert_allclose(normalized_entropy(np.array([[1.0, 0, 0], [1 / 3, 1 / 3, 1 / 3]])), [0, 1])


class TestMessagesNameTheParameter:
    """Errors name the function's own parameter, not another one."""

    def test_llkd_thresholds_names_signal(self):
        """A 2-D signal is reported as ``signal``."""
        with pytest.raises(InvalidParameterError, match=r"^signal must be one-dimensional"):
            llkd_thresholds(np.ones((2, 2)), np.array([0, 1]), 2)

    def test_select_k_best_names_k(self):
        """k=0 is reported as ``k``."""
        with pytest.raises(InvalidParameterError, match=r"^k must be an integer >= 1, got 0"):
            select_k_best(np.array([0.5, 0.7]), 0)

    def test_select_class_balanced_names_k(self):
        """k=0 is reported as ``k``."""
        with pytest.raises(InvalidParameterError, match=r"^k must be an integer >= 1, got 0"):
            select_class_balanced(np.array([0.5, 0.7]), np.array([0, 1]), 2, 0)

    def test_normalized_entropy_is_the_audit_one(self):
        """semi re-exports the one public normalized_entropy of labelwise.audit.scores."""
        from labelwise.audit.scores import normalized_entropy as audit_entropy

        assert normalized_entropy is audit_entropy
