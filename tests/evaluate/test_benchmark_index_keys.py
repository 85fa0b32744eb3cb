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


def test_a_model_named_like_a_row_keeps_its_name():
    """The key is put where the validator words the row, not found by a pattern: a model called
    ``row 1`` is named as the user named it (main rewrote it to ``row 1 of given (index 'i2')``)."""
    probs = pd.DataFrame([[0.3, 0.3]] + [[0.5, 0.5]] * 4, columns=["a", "b"], index=REORDERED)
    with pytest.raises(InvalidProbabilitiesError) as info:
        corrected_benchmark({"row 1": probs}, GIVEN, GIVEN)
    assert str(info.value).startswith("predictions of model 'row 1' must sum to 1 in every row")
    assert "row 4 of given (index 'i5') sums to 0.6" in str(info.value)


def test_a_predicted_label_written_like_a_row_is_quoted_as_written():
    """A label ``'row 3'`` outside the classes is shown as it is, beside its row's key."""
    pred = pd.Series(["a", "row 3", "a", "b", "a"], index=REORDERED)
    with pytest.raises(InvalidLabelsError, match=r"row 0 of given \(index 'i1'\) is 'row 3'; "):
        corrected_benchmark({"m": pred}, GIVEN, GIVEN)


@pytest.mark.parametrize(
    ("probs_row", "words"),
    [
        ([np.nan, 1.0], r"must be finite \(no NaN or inf\), row 4 of given \(index 'i5'\) contains nan"),
        ([-0.5, 1.5], r"must be non-negative, row 4 of given \(index 'i5'\) contains -0\.5"),
    ],
)
def test_a_bad_probability_value_is_named_by_its_key(probs_row, words):
    """NaN and negative probabilities name the key of their row, in the validator's words."""
    probs = pd.DataFrame([probs_row] + [[0.5, 0.5]] * 4, columns=["a", "b"], index=REORDERED)
    with pytest.raises(InvalidProbabilitiesError, match=words):
        corrected_benchmark({"m": probs}, GIVEN, GIVEN)


def test_soft_labels_and_labels_are_named_by_their_key():
    """A soft-label row summing to 0.6, a missing given label and a corrected label outside the classes."""
    soft = pd.DataFrame([[0.3, 0.3]] + [[0.5, 0.5]] * 4, columns=["a", "b"], index=REORDERED)
    with pytest.raises(InvalidProbabilitiesError, match=r"soft_labels must sum .*row 4 of given \(index 'i5'\) sums"):
        corrected_benchmark({"m": GIVEN}, GIVEN, GIVEN, soft_labels=soft)
    missing = GIVEN.where(GIVEN.index != "i3")
    with pytest.raises(
        InvalidLabelsError, match=r"given must not contain missing values, row 2 of given \(index 'i3'\)"
    ):
        corrected_benchmark({"m": GIVEN}, missing, GIVEN)
    corrected = pd.Series(["a", "b", "a", "b", 7], index=REORDERED)
    with pytest.raises(
        InvalidLabelsError, match=r"corrected must hold one of the classes .*row 3 of given \(index 'i4'\) is 7"
    ):
        corrected_benchmark({"m": GIVEN}, GIVEN, corrected, classes=["a", "b"])
