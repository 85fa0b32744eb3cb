"""Input properties of ``shift.estimate_priors``: validation labels that are not one label per row
(None, a number, a 2-D array, ragged lists) are refused naming ``val_labels``, for every method."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.shift import METHODS, estimate_priors

SETTINGS = settings(max_examples=30, deadline=None)


@SETTINGS
@given(
    method=st.sampled_from(sorted(METHODS)),
    bad=st.sampled_from([None, 3, "abc", np.zeros((30, 2), int), [[0], [1, 2]]]),
    seed=st.integers(0, 2**32 - 1),
)
def test_val_labels_that_are_not_one_label_per_row_are_refused(method, bad, seed):
    """A labelwise error naming ``val_labels`` (on main None and a number raised a TypeError from len())."""
    rng = np.random.default_rng(seed)
    val = rng.dirichlet(np.ones(2), 30)
    target = rng.dirichlet(np.ones(2), 40)
    with pytest.raises(LabelwiseError, match="val_labels"):
        estimate_priors(val, bad, target, method=method)
