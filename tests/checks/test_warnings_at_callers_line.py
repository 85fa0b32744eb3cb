"""``labelwise.checks``' warnings point at the user's line from ``find_data_issues`` on arrays in memory and on dask
(the dask path is one function deeper): a fixed ``stacklevel`` is right for one of them only."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.checks import find_data_issues
from tests._at_line import at_line, recorded


def test_a_k_lowered_on_a_small_table_is_said_at_the_callers_line_in_memory_and_on_dask():
    da = pytest.importorskip("dask.array")
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(8, 3)), np.arange(8) % 2
    at_line(recorded(lambda: find_data_issues(X, y)), __file__, "k 10 is not below the number of rows (8)")
    lazy = da.from_array(X, chunks=(4, 3))
    at_line(recorded(lambda: find_data_issues(lazy, y)), __file__, "k 10 is not below the number of rows (8)")
