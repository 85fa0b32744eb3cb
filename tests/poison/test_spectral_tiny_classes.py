"""spectral_signatures does not score classes of fewer than three rows (fix44a).

Two rows, centred, are opposite points: their scores always tie, and the quantile cutoff flagged
both. They are now skipped, with a warning saying why, as a class of one row was.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import labelwise as lw
from labelwise.errors import LabelwiseWarning, TooFewExamplesError


def _table(extra: np.ndarray, name: str = "pair") -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    features = np.vstack([rng.normal(size=(40, 4)), extra])
    labels = np.array(["a"] * 20 + ["b"] * 20 + [name] * len(extra), dtype=object)
    return features, labels


def test_a_two_row_class_is_skipped_with_a_warning_saying_why():
    """A class of 2 rows: a warning names it and the reason; its rows are not flagged, their scores NaN."""
    features, labels = _table(np.array([[0.0, 1, 2, 3], [5.0, -1, 0, 2]]))
    with pytest.warns(LabelwiseWarning, match=r"fewer than 3 rows \(pair\).*always score alike"):
        found = lw.poison.spectral_signatures(features, labels)
    assert not found.is_flagged[-2:].any() and np.isnan(found.scores[-2:]).all()
    assert found.per_class.set_index("class").loc["pair", "flagged"] == 0


def test_a_three_row_class_is_scored():
    """A class of 3 rows (the minimum) gets finite scores and its flag count."""
    from labelwise.poison._detect_spectral import MIN_CLASS_ROWS

    features, labels = _table(np.array([[0.0, 1, 2, 3], [5.0, -1, 0, 2], [1.0, 1, 1, 1]]), name="trio")
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        found = lw.poison.spectral_signatures(features, labels)
    assert MIN_CLASS_ROWS == 3
    assert np.isfinite(found.scores[-3:]).all() and found.is_flagged[-3:].sum() == 1


def test_only_two_row_classes_is_an_error():
    """Every class of two rows: nothing to score, an error naming the minimum."""
    with pytest.raises(TooFewExamplesError, match=r"at least one class 3 or more rows"):
        lw.poison.spectral_signatures(np.arange(8.0).reshape(4, 2) ** 2, ["x", "x", "y", "y"])


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (2, 4), elements=st.floats(-1e3, 1e3, allow_subnormal=False)))
def test_adding_a_two_row_class_changes_nothing_else(pair):
    """Whatever its two rows, a 2-row class is never flagged and the other classes' scores and flags are unchanged."""
    features, labels = _table(pair)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelwiseWarning)
        found = lw.poison.spectral_signatures(features, labels)
    alone = lw.poison.spectral_signatures(features[:40], labels[:40])
    assert not found.is_flagged[40:].any()
    np.testing.assert_array_equal(found.is_flagged[:40], alone.is_flagged)
    np.testing.assert_allclose(found.scores[:40], alone.scores, rtol=1e-12)
