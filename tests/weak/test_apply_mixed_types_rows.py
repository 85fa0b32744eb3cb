"""``weak.apply``'s mixed-label-types error carries the rows it names and their positions (what
``labelwise weak`` turns into DATA's lines); its words are unchanged."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise.errors import InvalidLabelsError
from labelwise.weak import apply, labeling_function


def test_mixed_types_error_carries_each_named_rows_position():
    """The rows the message names (index labels 'b' and 'c'), in its order, with their positions 1 and 2."""
    frame = pd.DataFrame({"text": ["hi", "http", "cash"]}, index=["a", "b", "c"])
    word = labeling_function(lambda r: "spam" if "http" in r.text else None, name="word")
    count = labeling_function(lambda r: 3 if "cash" in r.text else None, name="count")
    with pytest.raises(
        InvalidLabelsError, match=r"str from 'word' \(e.g. 'spam' on row 'b'\); int from 'count'"
    ) as info:
        apply([word, count], frame)
    assert info.value.named_rows == (("b", 1), ("c", 2))
