"""find_data_issues on a dask DataFrame with category, string, boolean, nullable and date columns
(checks/_dask_table): the in-memory table's features, issues and errors for any partitioning."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues
from labelwise.errors import LabelwiseError

dd = pytest.importorskip("dask.dataframe")
pytestmark = pytest.mark.usefixtures("dask_two_threads")

CHECKS = ["label", "outlier", "exact_duplicate", "near_duplicate", "null", "identifier_column", "class_imbalance"]
COLOURS = np.array(["red", "green", "blue", "grey"], dtype=object)


def mixed(seed: int, n: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Numbers that follow the label with missing cells, a string column with missing cells and
    categories seen once, a category dtype, booleans (plain, and nullable with a missing cell: Dask
    makes a column of objects strings), a nullable integer, a date, an integer row id and a few twins."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    colour = COLOURS[rng.integers(0, 4, n)]
    colour[rng.random(n) < 0.1] = None
    colour[rng.choice(n, 3, replace=False)] = ["once-a", "once-b", "twice"]
    colour[rng.integers(0, n)] = "twice"  # seen twice (perhaps in two partitions): an indicator of its own
    x = rng.normal(size=n) + 2.0 * y
    x[rng.random(n) < 0.05] = np.nan
    frame = pd.DataFrame(
        {
            "x": x,
            "colour": colour,
            "size": pd.Categorical(rng.choice(["S", "M", "L"], n)),
            "flag": rng.random(n) < 0.5,
            "member": pd.array(np.where(rng.random(n) > 0.1, rng.random(n) < 0.5, None), dtype="boolean"),
            "visits": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "id": np.arange(100, 100 + n),
        }
    )
    frame.iloc[1] = frame.iloc[0]
    frame.iloc[3] = frame.iloc[2]
    y[1], y[3] = y[0], y[2]
    return frame, y


def run(features, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # small tables: few rows per class, fewer neighbours
        return find_data_issues(features, y, checks=CHECKS, k=5, method="exact", impute=True, **kwargs)


def assert_same(ours, theirs) -> None:
    got = ours.issues.compute().reset_index(drop=True)
    expected = theirs.issues.reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    for name in expected.columns:
        if expected[name].dtype.kind == "f":
            np.testing.assert_allclose(got[name], expected[name], rtol=0, atol=1e-12, err_msg=name)
        else:
            np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    pd.testing.assert_frame_equal(ours.summary, theirs.summary, rtol=1e-12)
    assert repr(ours.info) == repr(theirs.info)


class TestSameAsInMemory:
    @given(seed=st.integers(0, 2**32 - 1), n=st.integers(30, 70), parts=st.integers(1, 8))
    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    def test_any_partitioning_gives_the_in_memory_issues(self, seed, n, parts):
        """A mixed table in 1 to 8 partitions: every issue column, the summary and info (the encoding,
        the grouped categories, the row id and twins) are the in-memory run's."""
        frame, y = mixed(seed, n)
        assert_same(run(dd.from_pandas(frame, npartitions=parts, sort=False), y), run(frame, y))

    def test_the_features_are_the_in_memory_features(self):
        """The encoded matrix and the codes of the categories, partition by partition, equal the in-memory ones."""
        from labelwise.checks._dask_table import dask_table_features
        from labelwise.checks._table_features import table_features

        frame, _ = mixed(3, 90)
        frame.loc[10, "colour"], frame.loc[80, "colour"] = "split", "split"  # once in each of two partitions
        theirs = table_features(frame)
        ours = dask_table_features(dd.from_pandas(frame, npartitions=4, sort=False))
        assert ours.names == theirs.names and "colour_split" in ours.names
        np.testing.assert_array_equal(ours.X.compute(), theirs.X)
        np.testing.assert_array_equal(ours.keys.compute(), theirs.keys)
        assert ours.encoding == theirs.encoding

    def test_objects_that_are_booleans_are_one_feature_as_in_memory(self):
        """A column of True, False and None as objects (Dask's conversion of objects to strings off):
        one 0/1 feature, the in-memory issues."""
        import dask

        frame, y = mixed(11, 50)
        frame["member"] = pd.Series(frame["member"].to_numpy(dtype=object), dtype=object).where(
            frame["member"].notna(), None
        )
        with dask.config.set({"dataframe.convert-string": False}):
            lazy = dd.from_pandas(frame, npartitions=3, sort=False)
            assert lazy.dtypes["member"].kind == "O"
            ours = run(lazy, y)
        theirs = run(frame, y)
        assert_same(ours, theirs)
        assert "member" in ours.info["feature_encoding"]["numeric"]

    def test_two_categories_grouped_into_one_indicator_still_differ_on_dask(self):
        """Rows equal but for two categories seen once each: one indicator, yet not exact duplicates."""
        frame, y = mixed(5, 40)
        frame.iloc[21] = frame.iloc[20]
        frame.loc[20, "colour"], frame.loc[21, "colour"] = "only-here", "only-there"
        found = run(dd.from_pandas(frame, npartitions=3, sort=False), y)
        flags = found.issues["is_exact_duplicate_issue"].compute().to_numpy()
        assert not flags[[20, 21]].any() and flags[[0, 1]].all()

    def test_the_table_columns_are_named_by_identifier_column_not_the_date_parts(self):
        """The integer row id and an all-distinct string column are identifiers, a constant column is
        constant, the date's year is not: as in memory, over 3 partitions."""
        frame, y = mixed(7, 60)
        frame["id"] = np.arange(500, 560)  # distinct again after the twins
        frame["code"] = [f"c{i:03d}" for i in range(60)]
        frame["unit"] = "kg"
        ours = run(dd.from_pandas(frame, npartitions=3, sort=False), y)
        theirs = run(frame, y)
        assert ours.info["identifier_column"] == theirs.info["identifier_column"]
        assert set(ours.info["identifier_column"]["columns"]) == {"id", "code", "unit"}


class TestErrors:
    def message(self, frame, parts: int, **kwargs) -> tuple[str, str]:
        """The in-memory error's message and the dask one's."""
        with pytest.raises(LabelwiseError) as memory:
            find_data_issues(frame, **kwargs)
        with pytest.raises(LabelwiseError) as lazy:
            find_data_issues(dd.from_pandas(frame, npartitions=parts, sort=False), **kwargs)
        return str(memory.value), str(lazy.value)

    def test_free_text_is_refused_with_the_in_memory_message(self):
        """A column of sentences: refused, the fix (texts=) named, in the same words."""
        frame, _ = mixed(0, 40)
        frame["note"] = [f"a customer wrote this note number {i}" for i in range(40)]
        memory, lazy = self.message(frame, 3)
        assert lazy == memory
        assert "features column 'note'" in lazy and "free text" in lazy and "texts=" in lazy

    def test_a_list_in_a_later_partition_is_named_by_its_row_in_the_table(self):
        """A list at row 35 of 40 (the last of 4 partitions): the same row as in memory (Dask's
        conversion of objects to strings off: it would write the list as a string)."""
        import dask

        frame, _ = mixed(0, 40)
        frame["tags"] = pd.Series(["a"] * 40, dtype=object)
        frame.at[35, "tags"] = ["a", "b"]
        with dask.config.set({"dataframe.convert-string": False}):
            memory, lazy = self.message(frame, 4, impute=True)
        assert lazy == memory and "at row 35" in lazy

    def test_missing_cells_without_impute_name_the_rows_across_partitions(self):
        """Missing cells in two partitions: the count, the first rows and the columns of the in-memory error."""
        frame, _ = mixed(0, 40)
        frame = frame.drop(columns=["member"])
        frame["x"] = np.arange(40.0)
        frame["colour"] = "red"
        frame.loc[[25, 38], "colour"] = None
        frame.loc[31, "x"] = np.inf
        memory, lazy = self.message(frame, 4, checks=["null"])
        assert lazy == memory
        assert re.search(r"3 rows have some, e.g. rows \[25, 31, 38\], in columns \['colour'\]", lazy)

    def test_an_empty_column_and_durations_are_refused_as_in_memory(self):
        """A column with no value, then a timedelta column: each refused by name, the same words."""
        frame, _ = mixed(0, 30)
        memory, lazy = self.message(frame.assign(gone=pd.Series([None] * 30, dtype=object)), 3)
        assert lazy == memory and "'gone' must hold values" in lazy
        memory, lazy = self.message(frame.assign(wait=pd.to_timedelta(np.arange(30), unit="s")), 3)
        assert lazy == memory and "durations" in lazy
