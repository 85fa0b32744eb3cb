"""Human vote counts and soft labels given as DataFrames naming the classes are matched by name, not position."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.evaluate import corrected_benchmark, corrections_from_counts

GIVEN = np.array(["cat", "dog", "owl", "cat"])
COUNTS = pd.DataFrame({"cat": [3, 0, 0, 0], "dog": [0, 3, 0, 1], "owl": [0, 0, 3, 2]})
PRED = {"m": np.array(["cat", "dog", "owl", "owl"])}


class TestCountHeader:
    def test_counts_in_another_column_order_give_the_same_corrections(self):
        """Columns owl, dog, cat: three cat votes keep cat (they were read as owl votes: cat -> owl)."""
        want = corrections_from_counts(COUNTS, GIVEN)
        got = corrections_from_counts(COUNTS[["owl", "dog", "cat"]], GIVEN)
        assert list(got.corrected) == list(want.corrected) == ["cat", "dog", "owl", "owl"]
        np.testing.assert_allclose(got.soft_labels, want.soft_labels)

    def test_soft_labels_frame_in_another_column_order(self):
        """corrected_benchmark's soft_labels as a class-named DataFrame are matched by name (0.25 by position)."""
        fix = corrections_from_counts(COUNTS, GIVEN)
        want = corrected_benchmark(PRED, GIVEN, fix.corrected, soft_labels=fix.soft_labels).table
        soft = pd.DataFrame(fix.soft_labels, columns=["cat", "dog", "owl"])[["owl", "cat", "dog"]]
        got = corrected_benchmark(PRED, GIVEN, fix.corrected, soft_labels=soft).table
        assert got.loc["m", "expected_corrected"] == pytest.approx(want.loc["m", "expected_corrected"])

    def test_header_of_other_names_is_still_read_by_position(self):
        """A header that names no class (a, b, c) is taken in sorted class order, as an array is."""
        got = corrections_from_counts(COUNTS.set_axis(["a", "b", "c"], axis=1), GIVEN)
        assert list(got.corrected) == ["cat", "dog", "owl", "owl"]
