"""Properties of ``label_text``, the screen tables' text of a label: a label is shown as written
(its own ``str``); only a float with more than 6 decimals (a model's prediction) is shown to 6
decimals, as pandas displays it."""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise.cli._common import label_text

SETTINGS = settings(max_examples=200, deadline=None)


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


@SETTINGS
@given(st.text() | st.integers() | st.booleans())
def test_texts_integers_and_booleans_are_shown_as_written(value):
    """A text, an integer (numpy's too) or a boolean is its own ``str``."""
    assert label_text(value) == str(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63:
        assert label_text(np.int64(value)) == str(value)


@SETTINGS
@given(st.floats(allow_nan=False))
@example(2.0)
@example(1e-9)
@example(1 / 3)
def test_a_float_is_its_own_text_or_that_text_to_six_decimals(value):
    """A float (and numpy's float64 alike) reads back as itself when its ``str`` has at most 6
    decimals (or an exponent); otherwise the text has exactly 6 decimals and reads back within
    half a unit of the 6th."""
    text = label_text(value)
    assert label_text(np.float64(value)) == text
    if _decimals(str(value)) <= 6:
        assert text == str(value) and float(text) == value
    else:
        assert _decimals(text) == 6
        assert abs(float(text) - value) <= 5e-7 * (1 + 1e-9) + np.spacing(abs(value))


@SETTINGS
@given(
    st.lists(
        st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6).map(lambda v: round(v, 6)),
        unique_by=lambda v: (type(v), v),
    )
)
def test_distinct_labels_of_up_to_six_decimals_are_shown_apart(values):
    """Distinct labels, integers or floats of at most 6 decimals, get distinct texts: ``2`` and
    ``2.0`` are apart, as written. (Floats beyond 6 decimals may share a text, 0.1234567 and
    0.1234568 both show as 0.123457, as in pandas: the display's choice, not checked.)"""
    assert len({label_text(v) for v in values}) == len(values)
