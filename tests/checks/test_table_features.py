"""find_data_issues on a table with categorical, boolean, nullable and date columns (checks/_table_features)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.checks import find_data_issues
from labelwise.errors import LabelwiseError

GRAPH_CHECKS = ["exact_duplicate", "near_duplicate", "outlier"]


def table_features(frame: pd.DataFrame):
    from labelwise.checks._table_features import (
        table_features as encode,
    )  # imported here: each test fails alone on main

    return encode(frame)


def _mixed(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "price": rng.normal(size=n).round(3),
            "country": rng.choice(["FR", "DE", "US", "JP"], n),
            "member": rng.random(n) < 0.5,
            "visits": pd.array(rng.integers(0, 9, n), dtype="Int64"),
        }
    )


class TestExactDuplicates:
    def test_rows_differing_only_in_their_category_are_not_duplicates_and_equal_rows_are(self):
        """Row 1 is row 0 with another country; row 3 is row 2 in every column."""
        frame = _mixed()
        frame.loc[1] = frame.loc[0]
        frame.loc[1, "country"] = "FR" if frame.loc[0, "country"] != "FR" else "DE"
        frame.loc[3] = frame.loc[2]
        found = find_data_issues(frame, checks=["exact_duplicate"])
        flags = found.issues["is_exact_duplicate_issue"]
        assert not flags[0] and not flags[1]
        assert flags[2] and flags[3]
        assert found.info["exact_duplicate"]["sets"] == [[2, 3]]

    def test_two_categories_grouped_into_one_indicator_still_differ(self):
        """'x' and 'y' are seen once each: one ``infrequent`` indicator in the graph, two values for duplicates."""
        frame = _mixed(40)
        frame.loc[1] = frame.loc[0]
        frame.loc[0, "country"], frame.loc[1, "country"] = "x", "y"
        table = table_features(frame)
        assert (table.X[0] == table.X[1]).all()  # the graph cannot tell them apart
        found = find_data_issues(frame, checks=["exact_duplicate"])
        assert not found.issues["is_exact_duplicate_issue"][[0, 1]].any()

    def test_a_missing_category_equals_a_missing_category_only(self):
        """With impute, a missing cell is filled in the indicators but still differs from every category."""
        frame = _mixed(40)
        frame["country"] = frame["country"].astype(object)
        frame.loc[1] = frame.loc[0]
        frame.loc[5] = frame.loc[4]
        frame.loc[[0, 4, 5], "country"] = None
        found = find_data_issues(frame, checks=["exact_duplicate"], impute=True)
        assert found.info["exact_duplicate"]["sets"] == [[4, 5]]


class TestEncoding:
    def test_columns_are_encoded_by_their_dtype_and_the_encoding_is_recorded(self):
        """Numbers, booleans and nullable ints as numbers, strings one-hot, dates as five numbers each."""
        frame = _mixed(50)
        frame["day"] = pd.date_range("2024-01-01", periods=50, freq="D")
        found = find_data_issues(frame, checks=["outlier"])
        record = found.info["feature_encoding"]
        assert record["numeric"] == ["price", "member", "visits"]
        assert record["date"] == ["day"]
        assert record["categorical"] == {"country": 4}
        assert record["line"] == (
            "features: as numbers: price, member, visits; five numbers each: day; one-hot: country (4 indicators)"
        )
        assert found.summary_dict()["feature_encoding"]["categorical"] == {"country": 4}

    def test_objects_that_are_all_booleans_are_one_feature_as_a_boolean_column_is(self):
        """True, False and None as objects (a CSV's booleans with a missing cell): one 0/1 feature,
        the result of the same column as a nullable boolean (session 48: two one-hot indicators)."""
        frame = _mixed(40).astype({"country": object})
        member = frame["member"].astype(object)
        member[[3, 17]] = None
        as_objects = find_data_issues(frame.assign(member=member), checks=["outlier", "null"], impute=True)
        as_booleans = find_data_issues(
            frame.assign(member=member.astype("boolean")), checks=["outlier", "null"], impute=True
        )
        assert as_objects.info["feature_encoding"]["numeric"] == ["price", "member", "visits"]
        assert "member" not in as_objects.info["feature_encoding"]["categorical"]
        pd.testing.assert_frame_equal(as_objects.issues, as_booleans.issues)
        assert table_features(frame.assign(member=member)).X.shape[1] == 3 + 4

    def test_many_categories_are_capped_with_the_rarest_grouped(self):
        """A column of 80 categories gives MAX_ONE_HOT indicators, the last one the infrequent group."""
        rng = np.random.default_rng(3)
        frame = pd.DataFrame({"x": rng.normal(size=400), "city": [f"c{i % 80}" for i in range(400)]})
        from labelwise.checks._table_features import MAX_ONE_HOT

        table = table_features(frame)
        assert table.encoding["categorical"] == {"city": MAX_ONE_HOT}
        assert table.names[-1] == "city_infrequent_sklearn"
        assert np.allclose(table.X[:, 1:].sum(axis=1), 1.0)

    def test_a_missing_cell_is_missing_in_every_indicator_and_counted_once(self):
        """Without impute: an error naming the column; with it: null counts the table's cells."""
        frame = _mixed(30)
        frame["country"] = frame["country"].astype(object)
        frame.loc[[2, 5], "country"] = None
        frame.loc[5, "price"] = np.nan
        with pytest.raises(LabelwiseError, match=r"rows \[2, 5\], in columns \['price', 'country'\].*impute=True"):
            find_data_issues(frame, checks=["null"])
        found = find_data_issues(frame, checks=["null"], impute=True)
        assert found.info["null"] == {"rows_with_missing": 2, "missing_values": 3}
        table = table_features(frame)
        assert np.isnan(table.X[2, -4:]).all() and not np.isnan(table.X[3]).any()

    def test_a_row_with_every_cell_missing_is_flagged_by_null(self):
        """The null check flags a row none of whose cells is given, categories included."""
        frame = _mixed(30).astype({"country": object, "member": "boolean", "price": "Float64"})
        frame.loc[4, :] = None
        found = find_data_issues(frame, checks=["null"], impute=True)
        assert found.issues["is_null_issue"].tolist() == [i == 4 for i in range(30)]

    def test_mixed_types_in_one_column_are_different_categories(self):
        """The number 1 and the string '1' are two categories, not one."""
        frame = pd.DataFrame({"x": [0.0] * 6 + [1.0] * 6, "c": [1, "1"] * 6})
        frame["c"] = frame["c"].astype(object)
        found = find_data_issues(frame, checks=["exact_duplicate"])
        assert sorted(map(sorted, found.info["exact_duplicate"]["sets"])) == [
            [0, 2, 4],
            [1, 3, 5],
            [6, 8, 10],
            [7, 9, 11],
        ]


class TestNumericTablesUnchanged:
    def test_a_table_of_numbers_booleans_and_nullable_ints_reads_as_the_matrix(self):
        """No encoding: the same result as the float matrix (main's path), with no encoding record."""
        frame = _mixed(80).drop(columns=["country"])
        labels = np.random.default_rng(1).integers(0, 2, 80)
        from_frame = find_data_issues(frame, labels)
        from_array = find_data_issues(frame.to_numpy(dtype=np.float64), labels)
        pd.testing.assert_frame_equal(from_frame.issues, from_array.issues)
        assert "feature_encoding" not in from_frame.info


class TestBadInput:
    @pytest.mark.parametrize(
        ("column", "match"),
        [
            (pd.Series([[1, 2]] * 10, dtype=object), r"features column 'bad' must hold single values.*list at row 0"),
            (
                pd.Series([np.nan] * 10),
                r"features column 'bad' must hold values, got every one of its 10 cells missing",
            ),
            (pd.Series([None] * 10, dtype=object), r"features column 'bad' must hold values"),
            (pd.Series(["a long free text comment here"] * 10), r"features column 'bad'.*free text.*texts="),
            (pd.Series(pd.to_timedelta(np.arange(10), unit="s")), r"features column 'bad'.*durations.*total_seconds"),
        ],
        ids=["lists", "all-nan", "all-none", "free-text", "timedelta"],
    )
    def test_a_column_the_checks_cannot_encode_is_named(self, column, match):
        """Each refusal is a LabelwiseError naming the column and what to do."""
        frame = pd.DataFrame({"x": np.arange(10.0), "c": list("ab") * 5, "bad": column})
        with pytest.raises(LabelwiseError, match=match):
            find_data_issues(frame, checks=["outlier"])


@st.composite
def _tables(draw):
    n = draw(st.integers(12, 30))
    rows = st.tuples(st.integers(0, 2), st.sampled_from("abc"), st.sampled_from(["u", "v"]))
    cells = draw(st.lists(rows, min_size=n, max_size=n))
    frame = pd.DataFrame(cells, columns=["x", "c", "d"])
    frame["x"] = frame["x"].astype(float)
    order = draw(st.permutations(list(frame.columns)))
    names = draw(st.permutations(["zeta", "alpha", "mid"]))
    return frame, order, dict(zip("abc", names, strict=True))


class TestInvariance:
    @given(_tables())
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def test_permuting_columns_and_renaming_categories_keeps_the_flags(self, case):
        """The flags of the checks on the graph and of exact duplicates do not depend on the column order
        nor on the categories' names (which change the order of the indicators)."""
        frame, order, names = case
        if frame.nunique().min() < 2:
            return  # a constant column: the graph refuses features that never vary only when all are
        other = frame[order].assign(c=frame["c"].map(names))
        first = find_data_issues(frame, checks=GRAPH_CHECKS, k=3, method="exact")
        second = find_data_issues(other, checks=GRAPH_CHECKS, k=3, method="exact")
        flags = [f"is_{name}_issue" for name in GRAPH_CHECKS]
        pd.testing.assert_frame_equal(first.issues[flags], second.issues[flags])


class TestIdentifierColumns:
    def test_the_tables_columns_are_judged_not_the_features_made_from_them(self):
        """A date's year (constant) and days index (monotone) are not flagged; an all-distinct string column
        is an identifier, named (before the table roles, '3_year' and '3_days' were flagged)."""
        rng = np.random.default_rng(0)
        frame = pd.DataFrame(
            {
                "x": rng.normal(size=40),
                "day": pd.date_range("2020-01-01", periods=40),
                "ref": [f"r{i:03d}" for i in range(40)],
                "c": rng.choice(["a", "b"], 40),
            }
        )
        found = find_data_issues(frame, checks=["identifier_column"])
        assert found.info["identifier_column"]["columns"] == {"ref": "identifier: all 40 values are distinct strings"}
