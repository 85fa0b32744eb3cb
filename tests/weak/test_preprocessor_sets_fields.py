"""A Snorkel preprocessor sets fields on its data point and returns it (``x.text = x.text.lower(); return x``);
a labelwise row is a read-only named tuple, so that raises: the error says what to return instead."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise import weak
from labelwise.weak.apply import LabelingFunctionError

FRAME = pd.DataFrame({"text": ["WIN now", "hi"]})
HINT = r"a row is read-only \(a named tuple\): return a dict of the fields"


def _lf_after(pre):
    @weak.labeling_function(pre=[pre])
    def reads_text(row):
        return "spam" if "win" in row.text else None

    return reads_text


class TestSnorkelStylePreprocessor:
    def test_setting_an_existing_field_says_to_return_a_dict(self):
        """x.text = ... on a row names the fix (a dict of the fields), with the preprocessor and the row."""

        @weak.preprocessor()
        def lower(x):
            x.text = x.text.lower()
            return x

        with pytest.raises(LabelingFunctionError, match=f"preprocessor 'lower' raised AttributeError: .*{HINT}"):
            weak.apply([_lf_after(lower)], FRAME)

    def test_setting_a_new_field_says_to_return_a_dict(self):
        """x.n_words = ... (a field the row lacks) names the same fix."""

        @weak.preprocessor()
        def count(x):
            x.n_words = len(x.text.split())
            return x

        with pytest.raises(LabelingFunctionError, match=HINT):
            weak.apply([_lf_after(count)], FRAME)

    def test_reading_a_missing_field_or_a_values_attribute_gets_no_such_hint(self):
        """Errors that are not a set on the row do not get the hint."""

        @weak.preprocessor()
        def reads_missing(x):
            return {"n": len(x.body)}

        @weak.preprocessor()
        def bad_method(x):
            return {"n": x.text.no_such_method()}

        for pre in (reads_missing, bad_method):
            with pytest.raises(LabelingFunctionError) as caught:
                weak.apply([_lf_after(pre)], FRAME)
            assert "read-only" not in str(caught.value)

    def test_the_dict_form_works(self):
        """The fix the hint gives runs."""

        @weak.preprocessor()
        def lower(x):
            return {"text": x.text.lower()}

        assert weak.apply([_lf_after(lower)], FRAME, classes=["spam"]).matrix().tolist() == [[0], [-1]]
