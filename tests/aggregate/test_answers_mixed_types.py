"""An answers table whose label column mixes types written alike (1 and '1'): a warning, not a silent split."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import labelwise as lw
from labelwise.errors import LabelwiseWarning


def _answers(labels: list) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "item": np.repeat(np.arange(len(labels) // 3), 3),
            "annotator": ["a", "b", "c"] * (len(labels) // 3),
            "label": labels,
        }
    )


@pytest.mark.parametrize("method", ["MajorityVote", "DawidSkene"])
def test_an_int_and_its_text_in_one_label_column_are_named_in_a_warning(method):
    """1 and '1' are two classes (each with its own votes); the warning names both and their types."""
    answers = _answers([1, "1", 0, 0, 0, 1, "1", "1", 0, 1, 1, 0])
    with pytest.warns(LabelwiseWarning, match=r"1 \(int\) and '1' \(str\)"):
        agg = getattr(lw.aggregate, method)().fit(answers)
    assert len(agg.probas_.columns) == 3


def test_labels_of_one_type_give_no_warning():
    """Strings only (or ints only) raise no such warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", LabelwiseWarning)
        lw.aggregate.MajorityVote().fit(_answers(["1", "1", "0", "0", "0", "1"]))
        lw.aggregate.MajorityVote().fit(_answers([1, 1, 0, 0, 0, 1]))
