"""Which texts of a CSV file are missing cells: ``na_values`` of the table, annotation and corrections readers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.errors import InvalidParameterError
from labelwise.evaluate import read_corrections
from labelwise.io import read_annotations, read_table
from labelwise.io.na_values import PANDAS_NA_VALUES, check_na_values, is_read_as_missing, raw_cell

CSV = "x,label\n1,EU\n2,NA\n3,\n4,None\n5,null\n"


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(CSV)
    return path


class TestCheckNaValues:
    """check_na_values: None, a string or a list of strings, refused otherwise naming the parameter."""

    def test_none_keeps_pandas_markers(self):
        """None means pandas' default markers."""
        assert check_na_values(None) is None

    @pytest.mark.parametrize("value", ["", [], ()])
    def test_empty_means_only_empty_cells(self, value):
        """An empty string or list: no text besides empty cells is missing."""
        assert check_na_values(value) == ()

    def test_a_string_is_one_text_and_a_list_its_texts(self):
        """A string is one marker; a list keeps its texts once each, in order."""
        assert check_na_values("?") == ("?",)
        assert check_na_values(["?", "n/a", "?"]) == ("?", "n/a")

    @pytest.mark.parametrize("value", [3, {"label": "NA"}, [1, "NA"], b"NA", {"NA"}])
    def test_other_values_are_refused_naming_the_parameter(self, value):
        """A number, a dict, a set or a list holding a non-string is an error naming na_values."""
        with pytest.raises(InvalidParameterError, match=r"^na_values must be"):
            check_na_values(value)


class TestReadTableNaValues:
    """read_table(na_values=...): pandas' markers by default, or the user's choice."""

    def test_default_reads_pandas_markers_as_missing(self, table):
        """By default NA, None and null are missing, as pandas reads them (behaviour unchanged)."""
        labels = read_table(table, text_columns=["label"])["label"]
        assert labels.isna().tolist() == [False, True, True, True, True]

    def test_empty_na_values_keep_na_as_a_class(self, table):
        """na_values="" keeps NA, None and null as texts; only the empty cell is missing."""
        labels = read_table(table, text_columns=["label"], na_values="")["label"]
        assert labels.iloc[[0, 1, 3, 4]].tolist() == ["EU", "NA", "None", "null"]
        assert labels.isna().tolist() == [False, False, True, False, False]

    def test_a_list_is_exactly_the_missing_texts(self, table):
        """na_values=["null"]: null and empty cells are missing, NA and None are classes."""
        labels = read_table(table, na_values=["null"])["label"]
        assert labels.isna().tolist() == [False, False, True, False, True]

    def test_numeric_text_columns_use_the_same_missing_cells(self, tmp_path):
        """An integer label column re-read as text (to keep '01' apart) keeps NA as a text too."""
        path = tmp_path / "n.csv"
        path.write_text("x,label\n1,01\n2,1\n3,NA\n4,\n")
        labels = read_table(path, text_columns=["label"], na_values=[])["label"]
        assert labels.iloc[:3].tolist() == ["01", "1", "NA"] and pd.isna(labels.iloc[3])

    def test_parquet_nulls_are_unchanged(self, tmp_path):
        """A Parquet file's null stays missing and its 'NA' text stays a text, whatever na_values says."""
        path = tmp_path / "t.parquet"
        pd.DataFrame({"label": ["NA", None]}).to_parquet(path)
        for na in (None, ""):
            labels = read_table(path, na_values=na)["label"]
            assert labels.iloc[0] == "NA" and pd.isna(labels.iloc[1])

    def test_a_bad_na_values_is_refused(self, table):
        """read_table refuses na_values that is not text, naming it."""
        with pytest.raises(InvalidParameterError, match="na_values"):
            read_table(table, na_values=[0])


class TestRawCell:
    """raw_cell: the text a CSV cell holds, read up to its row."""

    def test_reads_the_text_of_one_row(self, table):
        """Row 1 of 'label' reads NA; row 2 is empty; a Parquet file or an unknown column gives None."""
        assert raw_cell(table, "label", 1) == "NA"
        assert raw_cell(table, "label", 2) == ""
        assert raw_cell(table, "nope", 1) is None
        assert raw_cell(table.with_suffix(".parquet"), "label", 1) is None

    def test_rows_past_the_first_block_and_past_the_end(self, table, monkeypatch):
        """Read in blocks of 2 rows, row 3 is found in the second block; row 5 is past the end: None."""
        monkeypatch.setattr("labelwise.io.na_values._BLOCK", 2)
        assert raw_cell(table, "label", 3) == "None" and raw_cell(table, "label", 4) == "null"
        assert raw_cell(table, "label", 5) is None

    def test_is_read_as_missing_follows_na_values(self):
        """NA is missing under pandas' markers, not under an empty list; an empty cell always is."""
        assert is_read_as_missing("NA", None) and not is_read_as_missing("NA", ())
        assert is_read_as_missing("", ()) and "None" in PANDAS_NA_VALUES


class TestAnnotationsNaValues:
    """A long answers table keeps an answer NA with na_values=""; the default drops it as empty."""

    def test_na_answers(self, tmp_path):
        """By default the NA answer is dropped as empty; with na_values="" it is an answer."""
        path = tmp_path / "answers.csv"
        path.write_text("item,annotator,label\n1,a,NA\n1,b,EU\n2,a,EU\n")
        dropped = read_annotations(path)
        assert len(dropped.answers) == 2 and dropped.dropped == {"empty": 1}
        kept = read_annotations(path, na_values="")
        assert sorted(kept.answers["label"]) == ["EU", "EU", "NA"]

    def test_a_bad_na_values_is_refused(self, tmp_path):
        """read_annotations checks na_values before reading."""
        path = tmp_path / "answers.csv"
        path.write_text("item,annotator,label\n1,a,NA\n")
        with pytest.raises(InvalidParameterError, match="na_values"):
            read_annotations(path, na_values=3)


def test_a_relabel_to_na_is_not_an_exclusion(tmp_path):
    """A change log relabelling a row to NA reads as that relabel with na_values="" (an exclusion by default)."""
    path = tmp_path / "cleaned.changes.csv"
    path.write_text("row,action,given_label,new_label\n0,relabel,EU,NA\n1,exclude,EU,\n")
    given = np.array(["EU", "EU", "AS"], dtype=object)
    kept = read_corrections(path, given, na_values="")
    assert kept.corrected[0] == "NA" and kept.corrected[1] is None and kept.corrected[2] == "AS"
