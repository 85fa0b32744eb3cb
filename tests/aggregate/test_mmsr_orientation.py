"""MMSR's overall sign per connected part under the one-coin floor (labelwise.aggregate._mmsr_signs.
one_coin_orientation): honest annotators outnumbered by adversaries keep the positive side with
``sign_step="checked"``, and the default step says so instead of weighting them as adversaries in silence."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MMSR, MajorityVote
from labelwise.aggregate._mmsr_signs import one_coin_orientation
from labelwise.errors import LabelwiseWarning


def outnumbered_crowd(k: int, seed: int, n_items: int = 300) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Every item answered by 4 honest annotators (right w.p. 0.8) and 6 adversaries (never right,
    errors uniform): answers, truth by item, and which annotators are honest (a0-a3)."""
    rng = np.random.default_rng(seed)
    acc = np.array([0.8] * 4 + [0.0] * 6)
    truth = rng.integers(0, k, n_items)
    item = np.repeat(np.arange(n_items), acc.size)
    ann = np.tile(np.arange(acc.size), n_items)
    t = truth[item]
    label = np.where(rng.random(item.size) < acc[ann], t, (t + rng.integers(1, k, item.size)) % k)
    answers = pd.DataFrame({"item": item, "annotator": [f"a{j}" for j in ann], "label": label})
    return answers, truth, acc > 0.5


def _accuracy(est, truth: np.ndarray) -> float:
    return float(np.mean(est.labels_.sort_index().to_numpy() == truth))


class TestOutnumberedHonestAnnotators:
    @pytest.mark.parametrize("k", [3, 5])
    def test_checked_step_keeps_the_honest_minority_positive(self, k):
        """With 6 adversaries to 4 honest annotators the paper's flip (most annotators positive) weighs
        the honest ones as adversaries and MMSR is nearly always wrong; the checked step's one-coin floor
        turns the part: the honest weights are positive and MMSR beats the vote."""
        answers, truth, honest = outnumbered_crowd(k, seed=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)
            paper = MMSR().fit(answers)
            checked = MMSR(sign_step="checked").fit(answers)
        vote = _accuracy(MajorityVote().fit(answers), truth)
        assert _accuracy(paper, truth) < 0.05  # the paper's orientation, kept by the default
        assert _accuracy(checked, truth) > max(vote, 0.9)
        weight = checked.annotator_weight_.sort_index().to_numpy()
        assert np.all(weight[honest] > 0) and np.all(weight[~honest] < 0)
        assert checked.n_turned_parts_ == 1

    def test_default_step_warns_naming_the_one_coin_floor(self):
        """The default keeps the paper's flip (its labels unchanged) and warns, naming the floor and
        sign_step='checked', instead of returning labels that are nearly all wrong in silence."""
        answers, _, _ = outnumbered_crowd(4, seed=1)
        with pytest.warns(LabelwiseWarning, match=r"one-coin floor in 1 connected part.*-0\.333.*sign_step='checked'"):
            MMSR().fit(answers)

    def test_binary_crowd_keeps_the_papers_flip(self):
        """For K = 2 the floor (-1) excludes nothing: the checked step turns no part and gives the
        default's labels here (the vote and MMSR are both wrong: adversaries are the majority)."""
        answers, _, _ = outnumbered_crowd(2, seed=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)
            checked = MMSR(sign_step="checked").fit(answers)
            paper = MMSR().fit(answers)
        assert checked.n_turned_parts_ == 0
        pd.testing.assert_series_equal(checked.labels_, paper.labels_)


class TestOneCoinOrientation:
    def test_turns_only_the_part_whose_negative_side_breaks_the_floor(self):
        """Two parts, K = 3 (floor 0.5): the first puts magnitudes 0.8 on its negative side and is
        turned; the second's negative side (0.4) is within the floor and keeps its signs."""
        signs = np.array([1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0])
        magnitude = np.array([0.3, 0.3, 0.3, 0.8, 0.8, 0.7, 0.7, 0.4])
        part = np.array([0, 0, 0, 0, 0, 1, 1, 1])
        out, turned = one_coin_orientation(signs, magnitude, 3, 2, part)
        np.testing.assert_array_equal(out, [-1, -1, -1, 1, 1, 1, 1, -1])
        assert turned == 1

    @settings(max_examples=200, deadline=None)
    @given(
        st.integers(2, 6),
        st.lists(st.tuples(st.sampled_from([-1.0, 0.0, 1.0]), st.floats(0, 1), st.integers(0, 3)), max_size=20),
    )
    def test_each_part_keeps_or_negates_its_signs_and_binary_is_left_alone(self, k, rows):
        """Property: every part gets its signs or their negation, the magnitude beyond the floor on
        its negative side never grows, and K = 2 is returned as given."""
        signs = np.array([r[0] for r in rows])
        magnitude = np.array([r[1] for r in rows])
        part = np.array([r[2] for r in rows], dtype=np.intp)
        out, turned = one_coin_orientation(signs, magnitude, k, 4, part)
        if k == 2:
            np.testing.assert_array_equal(out, signs)
            assert turned == 0
            return
        beyond = np.maximum(magnitude - 1.0 / (k - 1), 0.0)
        for p in range(4):
            mine = part == p
            assert np.array_equal(out[mine], signs[mine]) or np.array_equal(out[mine], -signs[mine])
            assert np.sum(beyond[mine] * (out[mine] < 0)) <= np.sum(beyond[mine] * (signs[mine] < 0))
