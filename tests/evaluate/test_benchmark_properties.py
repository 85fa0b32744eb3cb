"""Input properties of ``evaluate.corrected_benchmark``: a model's predictions that are neither 1-D
labels nor 2-D probabilities (None, a number, a dict, a 3-D array) are refused naming the model,
whichever model of several it is; valid predictions of the other models change nothing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.evaluate import corrected_benchmark

SETTINGS = settings(max_examples=30, deadline=None)


@SETTINGS
@given(
    n_models=st.integers(1, 4),
    where=st.integers(0, 3),
    bad=st.sampled_from([None, 3, 0.5, "m", {"a": 1}, np.zeros((20, 3, 2))]),
    seed=st.integers(0, 2**32 - 1),
)
def test_predictions_that_are_not_labels_or_probabilities_are_refused_naming_the_model(n_models, where, bad, seed):
    """The bad model is named (on main None, a number or a dict raised an IndexError)."""
    rng = np.random.default_rng(seed)
    given_labels = rng.integers(0, 3, 20)
    corrected = given_labels.copy()
    corrected[:3] = (corrected[:3] + 1) % 3
    preds = {f"m{i}": rng.integers(0, 3, 20) for i in range(n_models)}
    bad_name = f"m{where % n_models}"
    preds[bad_name] = bad
    with pytest.raises(LabelwiseError, match=rf"model '{bad_name}'"):
        corrected_benchmark(preds, given_labels, corrected, seeds=1)
