"""A labeling function written for Snorkel returns -1 to abstain; with the classes declared, labelwise
refuses -1 as no class, and the error names the likely cause and the fix (``abstain=-1``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.weak.apply import LabelingFunctionError

FRAME = pd.DataFrame({"text": ["win cash", "hi mom", "lunch?"]})


class TestMinusOneOutsideDeclaredClasses:
    def test_a_row_function_returning_minus_one_is_told_to_take_abstain_minus_one(self):
        """The error names the function, the row, the classes and abstain=-1."""

        @weak.labeling_function()
        def spam_word(x):
            return 1 if "win" in x.text else -1

        with pytest.raises(LabelingFunctionError, match=r"returned -1 on row 1, .*give 'spam_word' abstain=-1"):
            weak.apply([spam_word], FRAME, classes=[0, 1])

    def test_a_vectorized_function_gets_the_same_hint(self):
        """np.where(mask, SPAM, -1), Snorkel's vectorised idiom, gets it too."""

        @weak.labeling_function(vectorized=True)
        def spam_word(df):
            return np.where(df.text.str.contains("win"), 1, -1)

        with pytest.raises(LabelingFunctionError, match="abstain=-1"):
            weak.apply([spam_word], FRAME, classes=[0, 1])

    def test_other_values_outside_the_classes_get_no_such_hint(self):
        """A 2 outside classes 0, 1 is refused without the Snorkel hint."""

        @weak.labeling_function()
        def two(x):
            return 2

        with pytest.raises(LabelingFunctionError) as caught:
            weak.apply([two], FRAME, classes=[0, 1])
        assert "abstain=-1" not in str(caught.value)
