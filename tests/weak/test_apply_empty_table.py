"""An empty table is named as one before any labeling function runs (weakwalk50)."""

from __future__ import annotations

import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import InvalidParameterError


@weak.labeling_function(vectorized=True)
def has_link(df):
    return df.text.str.contains("http").map({True: "spam", False: None})


class TestEmptyTable:
    @pytest.mark.parametrize(
        "frame",
        [pd.DataFrame(), pd.DataFrame({"text": pd.Series([], dtype=float)})],
        ids=["no columns", "an empty float column"],
    )
    def test_no_rows_is_said_instead_of_the_function_failing_on_them(self, frame):
        """A frame without rows is "no row to label", not the vectorised function's error on its empty column."""
        with pytest.raises(InvalidParameterError, match="df must have at least one row to label, got none"):
            weak.apply([has_link], frame)
