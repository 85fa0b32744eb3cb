"""A repeated (item, sample) answer: warned of with its rows; ``duplicates="last"`` counts it once."""

import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError, LabelwiseWarning
from labelwise.weak import self_consistency

# q3: sample 0 says A, sample 1 says B on two lines (one record written twice)
ANSWERS = pd.DataFrame(
    {
        "item": ["q1", "q3", "q3", "q3"],
        "annotator": [0, 0, 1, 1],
        "label": ["A", "A", "B", "B"],
    }
)


def test_repeated_sample_answer_is_warned_of_with_its_rows_and_still_counted_by_default():
    with pytest.warns(LabelwiseWarning, match=r"1 repeated answer.*item 'q3' by sample 1 at row 2, row 3.*'last'"):
        out = self_consistency(ANSWERS)
    assert out.loc["q3", "n_samples"] == 3
    assert out.loc["q3", "label"] == "B"


def test_duplicates_last_counts_a_repeated_sample_answer_once():
    with pytest.warns(LabelwiseWarning, match="only the last"):
        out = self_consistency(ANSWERS, duplicates="last")
    assert out.loc["q3", "n_samples"] == 2
    assert out.loc["q3", "confidence"] == 0.5
    assert out.loc["q1", "n_samples"] == 1


def test_repeated_rows_are_named_by_the_frames_index():
    frame = ANSWERS.set_axis(["a", "b", "c", "d"])
    with pytest.warns(LabelwiseWarning, match=r"row 2 \(index 'c'\), row 3 \(index 'd'\)"):
        self_consistency(frame)


def test_no_warning_without_repeats(recwarn):
    self_consistency(ANSWERS.iloc[:3])
    assert not [w for w in recwarn if issubclass(w.category, LabelwiseWarning)]


def test_a_repeat_with_a_missing_answer_is_not_a_repeat(recwarn):
    frame = ANSWERS.assign(label=["A", "A", None, "B"])
    out = self_consistency(frame)
    assert not [w for w in recwarn if issubclass(w.category, LabelwiseWarning)]
    assert out.loc["q3", "n_samples"] == 2


def test_unknown_duplicates_policy_is_refused_by_name():
    with pytest.raises(InvalidParameterError, match=r"duplicates must be one of \['keep', 'last'\], got 'first'"):
        self_consistency(ANSWERS, duplicates="first")
