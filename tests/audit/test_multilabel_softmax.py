"""A softmax given to the multi-label audit (every row sums to 1, some example with several tags) is warned
about with :class:`SoftmaxProbsWarning`; per-tag sigmoids, one tag per example, or two tags are not, and the
flags are the same either way (it audited a softmax without a word)."""

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
from labelwise.errors import LabelwiseWarning


def _tags(rng, n, k):
    """Random tags with at least one example holding two."""
    tags = rng.random((n, k)) < 0.4
    tags[0, :2] = True
    return tags


def _audit(tags, probs):
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        res = multilabel.find_label_issues(tags, probs)
    return res, [w for w in said if issubclass(w.category, SoftmaxProbsWarning)]


class TestSoftmaxProbsWarning:
    @settings(max_examples=30, deadline=None)
    @given_(n=st.integers(1, 60), k=st.integers(3, 12), seed=st.integers(0, 2**32 - 1), f32=st.booleans())
    def test_a_softmax_with_multi_tag_examples_is_warned(self, n, k, seed, f32):
        """Every row summing to 1 over 3+ tags, with some example holding two, gives one warning."""
        rng = np.random.default_rng(seed)
        probs = softmax(rng.normal(0, 3, (n, k)), axis=1).astype(np.float32 if f32 else np.float64)
        _, said = _audit(_tags(rng, n, k), probs)
        assert len(said) == 1
        assert issubclass(said[0].category, LabelwiseWarning)

    @settings(max_examples=30, deadline=None)
    @given_(n=st.integers(1, 60), k=st.integers(1, 12), seed=st.integers(0, 2**32 - 1))
    def test_per_tag_sigmoids_are_not_warned(self, n, k, seed):
        """One sigmoid per tag (rows summing to anything) gives no warning, whatever the shape."""
        rng = np.random.default_rng(seed)
        probs = expit(rng.normal(0, 3, (n, k)))
        _, said = _audit(rng.random((n, k)) < 0.5, probs)
        assert said == []

    def test_the_message_says_what_was_seen_and_what_to_pass(self):
        """It names probs, the multi-tag examples (count and first row) and the sigmoid to pass instead."""
        rng = np.random.default_rng(1)
        tags = np.zeros((50, 4), bool)
        tags[np.arange(50), rng.integers(0, 4, 50)] = True
        tags[[7, 9], 3] = True
        tags[[7, 9], 0] = True
        _, said = _audit(tags, softmax(rng.normal(size=(50, 4)), axis=1))
        text = str(said[0].message)
        assert text.startswith("probs sum to 1 in every row")
        assert "2 of 50 examples have more than one tag (row 7 has 2)" in text
        assert "pass one sigmoid per tag" in text

    def test_one_tag_per_example_is_not_warned(self):
        """Multiclass data (one tag each): a softmax is what they call for."""
        rng = np.random.default_rng(2)
        tags = np.zeros((40, 5), bool)
        tags[np.arange(40), rng.integers(0, 5, 40)] = True
        assert _audit(tags, softmax(rng.normal(size=(40, 5)), axis=1))[1] == []

    def test_two_tags_are_not_warned(self):
        """``[p, 1 - p]`` over two tags may be a pair of complementary tags by design."""
        rng = np.random.default_rng(3)
        p = rng.random(30)
        assert _audit(_tags(rng, 30, 2), np.stack([p, 1 - p], axis=1))[1] == []

    def test_one_row_off_one_among_many_is_not_warned(self):
        """The rule wants every row: a single row summing to 0.9 in a long softmax-like array settles it."""
        rng = np.random.default_rng(4)
        probs = softmax(rng.normal(size=(3000, 4)), axis=1)
        probs[2999] *= 0.9
        assert _audit(_tags(rng, 3000, 4), probs)[1] == []

    def test_the_flags_are_the_same_with_the_warning_silenced(self):
        """The warning never changes the result."""
        rng = np.random.default_rng(5)
        tags = _tags(rng, 200, 4)
        probs = softmax(rng.normal(size=(200, 4)) + 2 * tags, axis=1)
        warned, said = _audit(tags, probs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quiet = multilabel.find_label_issues(tags, probs)
        assert len(said) == 1
        np.testing.assert_array_equal(warned.is_issue, quiet.is_issue)
        np.testing.assert_array_equal(warned.example_quality, quiet.example_quality)

    def test_the_warning_points_at_the_callers_line(self):
        """``stacklevel`` names the user's call, not labelwise's internals."""
        rng = np.random.default_rng(6)
        with pytest.warns(SoftmaxProbsWarning) as said:
            multilabel.find_label_issues(_tags(rng, 20, 3), softmax(rng.normal(size=(20, 3)), axis=1))
        assert said[0].filename == __file__
