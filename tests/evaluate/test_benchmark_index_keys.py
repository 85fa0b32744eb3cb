"""corrected_benchmark's errors on pandas inputs matched by index name the row's index key."""

import typing

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidLabelsError, InvalidProbabilitiesError
from labelwise.evaluate import corrected_benchmark

GIVEN = pd.Series(["a", "b", "a", "b", "a"], index=["i1", "i2", "i3", "i4", "i5"])
REORDERED = ["i5", "i1", "i2", "i3", "i4"]


def test_a_probability_row_not_summing_to_one_is_named_by_its_key():
    probs = pd.DataFrame([[0.3, 0.3]] + [[0.5, 0.5]] * 4, columns=["a", "b"], index=REORDERED)
    with pytest.raises(InvalidProbabilitiesError, match=r"row 4 of given \(index 'i5'\) sums to 0\.6"):
        corrected_benchmark({"m": probs}, GIVEN, GIVEN)


def test_a_predicted_label_outside_the_classes_is_named_by_its_key():
    pred = pd.Series(["a", "z", "a", "b", "a"], index=REORDERED)
    with pytest.raises(InvalidLabelsError, match=r"row 0 of given \(index 'i1'\) is 'z'"):
        corrected_benchmark({"m": pred}, GIVEN, GIVEN)


def test_a_default_index_keeps_plain_row_numbers():
    given = GIVEN.reset_index(drop=True)
    with pytest.raises(InvalidLabelsError, match=r"row 1 is 'z'; "):
        corrected_benchmark({"m": np.array(["a", "z", "a", "b", "a"])}, given, given)


def test_random_state_is_annotated_to_take_a_generator():
    hint = typing.get_type_hints(corrected_benchmark)["random_state"]
    assert np.random.Generator in typing.get_args(hint)
    table = corrected_benchmark({"m": GIVEN}, GIVEN, GIVEN, random_state=np.random.default_rng(1)).table
    assert table.loc["m", "original"] == 1.0
