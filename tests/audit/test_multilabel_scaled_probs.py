"""Multi-label probabilities whose rows all sum to one constant other than 1 are no per-tag probabilities: a
scaled softmax in [0, 1] is warned about naming the constant, and percentages (values past 1) are refused with
a message naming the percentages and the fix (both were said as a bare range error, or not at all)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given as given_
from hypothesis import settings
from hypothesis import strategies as st
from scipy.special import expit, softmax

from labelwise.audit import multilabel
from labelwise.audit.multilabel import SoftmaxProbsWarning
from labelwise.errors import InvalidProbabilitiesError


def _said(tags, probs):
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        multilabel.find_label_issues(tags, probs)
    return [str(w.message) for w in said if issubclass(w.category, SoftmaxProbsWarning)]


class TestScaledSoftmax:
    @settings(max_examples=30, deadline=None)
    @given_(
        n=st.integers(2, 60),
        k=st.integers(4, 10),
        scale=st.sampled_from([0.5, 2.0, 2.5]),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_rows_summing_to_one_other_constant_are_warned_naming_it(self, n, k, scale, seed):
        """A softmax times 0.5, 2 or 2.5 (kept in [0, 1]) gives one warning naming the constant, any tags."""
        rng = np.random.default_rng(seed)
        probs = scale * softmax(rng.normal(0, 0.1, (n, k)), axis=1)
        said = _said(rng.random((n, k)) < 0.5, probs)
        assert len(said) == 1
        assert said[0].startswith(f"probs sum to {scale:g} in every row, not to 1")
        assert "pass one sigmoid per tag" in said[0]

    @settings(max_examples=30, deadline=None)
    @given_(n=st.integers(2, 60), k=st.integers(3, 12), seed=st.integers(0, 2**32 - 1))
    def test_per_tag_sigmoids_are_not_warned(self, n, k, seed):
        """Independent sigmoids never sum alike in every row."""
        rng = np.random.default_rng(seed)
        assert _said(rng.random((n, k)) < 0.5, expit(rng.normal(0, 3, (n, k)))) == []

    def test_a_constant_model_is_not_warned(self):
        """Identical rows (a model predicting the tags' priors) sum alike by themselves: no warning."""
        probs = np.tile([0.2, 0.5, 0.4, 0.1], (30, 1))
        assert _said(np.random.default_rng(0).random((30, 4)) < 0.5, probs) == []

    def test_two_tags_are_not_warned(self):
        """Two complementary tags scaled (never more than MIN_TAGS) say nothing, as the softmax rule."""
        rng = np.random.default_rng(2)
        p = rng.random(40)
        assert _said(rng.random((40, 2)) < 0.5, 0.8 * np.column_stack([p, 1 - p])) == []


class TestPercentages:
    def test_a_softmax_in_percent_is_refused_naming_the_sum_and_the_fix(self):
        """Rows summing to 100: the range error says so, and that dividing gives a softmax."""
        rng = np.random.default_rng(0)
        probs = 100 * softmax(rng.normal(size=(30, 4)), axis=1)
        with pytest.raises(InvalidProbabilitiesError, match=r"every row sums to 100 \(a softmax in percent\?\)"):
            multilabel.find_label_issues(rng.random((30, 4)) < 0.5, probs)

    def test_percent_sigmoids_are_refused_with_divide_by_100(self):
        """Values in [0, 100] that do not sum alike: the error asks for percentages divided by 100."""
        rng = np.random.default_rng(1)
        probs = 100 * expit(rng.normal(size=(30, 4)))
        with pytest.raises(InvalidProbabilitiesError, match=r"\(percentages\?\): divide probs by 100"):
            multilabel.find_label_issues(rng.random((30, 4)) < 0.5, probs)

    def test_values_past_100_get_no_guess(self):
        """A value past 100 is no percentage: the plain range error."""
        probs = np.full((5, 3), 0.5)
        probs[2, 1] = 250.0
        with pytest.raises(InvalidProbabilitiesError) as info:
            multilabel.find_label_issues(np.zeros((5, 3), bool), probs)
        assert "percent" not in str(info.value)
