"""``labelwise.io.delimiter.CSV_SUFFIXES`` is the one set of delimited-text suffixes: ``read_table``,
the missing-value reader and the corrections file's line count all use it (main: three private copies,
``io/tables._CSV``, ``io/na_values._CSV``, ``evaluate/_corrections_lines._CSV``)."""

from __future__ import annotations

import pytest

import labelwise.evaluate._corrections_lines as corrections_lines
import labelwise.io.na_values as na_values
import labelwise.io.tables as tables
from labelwise.io.delimiter import CSV_SUFFIXES


def test_the_suffixes_are_the_delimited_text_tables():
    """.csv, .tsv and .txt, and read_table supports each of them."""
    assert frozenset({".csv", ".tsv", ".txt"}) == CSV_SUFFIXES
    assert CSV_SUFFIXES <= set(tables.SUPPORTED)


@pytest.mark.parametrize("module", [tables, na_values, corrections_lines])
def test_no_module_keeps_its_own_copy(module):
    """No private ``_CSV`` set beside the public one."""
    assert not hasattr(module, "_CSV")


@pytest.mark.parametrize("suffix", sorted(CSV_SUFFIXES))
def test_corrections_lines_count_every_csv_suffix(tmp_path, suffix, monkeypatch):
    """A corrections file of each suffix names its rows by line (header and blank line counted), and a
    suffix taken out of the public set is no longer counted as CSV lines: the module reads that set."""
    path = tmp_path / f"fix{suffix}"
    sep = "\t" if suffix == ".tsv" else ","
    path.write_text(f"row{sep}label\n0{sep}a\n\n3{sep}b\n")
    assert corrections_lines.file_rows(path, 2) == ["line 2", "line 4"]
    monkeypatch.setattr(corrections_lines, "CSV_SUFFIXES", CSV_SUFFIXES - {suffix})
    assert corrections_lines.file_rows(path, 2) == ["record 0 of " + repr(path.name), "record 1 of " + repr(path.name)]
