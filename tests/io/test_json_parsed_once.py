"""``read_table`` parses a JSON or JSON Lines file once (pandas) when its id cells are strings, integers,
booleans or nulls: their texts are the parsed values (JSON writes the integer 2 as ``2``); only a JSON
float among the ids (whose text the parse loses) sends the id columns to a second, text-keeping parse.
Main parsed every such file twice (pandas, then Python's json for the id cells)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import labelwise.io.tables as tables
from labelwise.errors import DataFileError
from labelwise.io import read_table

IDS = ["item", "annotator", "label"]


@pytest.fixture
def python_parses(monkeypatch):
    """Counts the files parsed by Python's json in ``labelwise.io.tables`` (line by line or whole)."""
    calls = []
    lines, whole = tables.iter_json_lines, tables.json.loads

    def counted_lines(*args, **kwargs):
        calls.append("lines")
        return lines(*args, **kwargs)

    def counted_whole(*args, **kwargs):
        calls.append("whole")
        return whole(*args, **kwargs)

    monkeypatch.setattr(tables, "iter_json_lines", counted_lines)
    monkeypatch.setattr(tables.json, "loads", counted_whole)
    return calls


def _write(path, rows):
    if path.suffix == ".json":
        path.write_text(json.dumps(rows))
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


ROWS = [
    {"item": 2, "annotator": "a", "label": True, "x": 0.5},
    {"item": "2", "annotator": 7, "label": None, "x": 1.5},
    {"item": 10, "annotator": "7", "label": False, "x": 2.5},
]


@pytest.mark.parametrize("name", ["t.jsonl", "t.json"])
def test_integer_and_string_ids_are_parsed_once(tmp_path, python_parses, name):
    """No Python parse of the file: pandas' values give the ids' texts (2 and "2" one item, 7 and "7" one annotator)."""
    frame = read_table(_write(tmp_path / name, ROWS), text_columns=IDS)
    assert python_parses == []
    assert frame["item"].tolist() == [2, 2, 10] and frame["annotator"].astype(str).tolist() == ["a", "7", "7"]
    assert frame["x"].tolist() == [0.5, 1.5, 2.5]


def test_callable_text_columns_parse_the_file_by_pandas_only(tmp_path, python_parses):
    """With a callable text_columns (names known after a read) no Python parse either."""
    frame = read_table(_write(tmp_path / "t.jsonl", ROWS), text_columns=lambda names: ["item"])
    assert python_parses == [] and frame["item"].tolist() == [2, 2, 10]


def test_tag_lists_of_integers_are_parsed_once(tmp_path, python_parses):
    """A tag list's integers are their texts, as the CSV cell ``2|cat`` splits."""
    rows = [{"item": "p", "tags": [2, "cat"]}, {"item": "q", "tags": ["2"]}]
    frame = read_table(_write(tmp_path / "t.jsonl", rows), text_columns=["item", "tags"])
    assert python_parses == [] and frame["tags"].tolist() == [["2", "cat"], ["2"]]


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        ([2.0, 2, 3], ["2.0", "2", "3"]),  # 2.0 beside 2: two ids, as written
        ([1e3, 5, 7], [1000.0, 5.0, 7.0]),  # a float no other text shares: numbers
        ([1, None, 2], [1.0, None, 2.0]),  # integers with a missing cell: floats pandas made
    ],
)
def test_float_ids_are_read_from_their_text(tmp_path, python_parses, ids, expected):
    """A float among the ids (its text lost by pandas) is read from the file's text, as the CSV of it is."""
    rows = [{"item": i, "annotator": "a", "label": "x"} for i in ids]
    frame = read_table(_write(tmp_path / "t.jsonl", rows), text_columns=IDS)
    assert python_parses == ["lines"]
    assert [None if pd.isna(v) else v for v in frame["item"]] == expected


def test_float_id_text_kept_as_written(tmp_path):
    """``1e3`` beside ``1000`` stays two ids written as the file writes them (the CSV's rule)."""
    (tmp_path / "t.jsonl").write_text('{"item": 1e3}\n{"item": 1000}\n{"item": 1000.0}\n')
    frame = read_table(tmp_path / "t.jsonl", text_columns=["item"])
    assert frame["item"].tolist() == ["1e3", "1000", "1000.0"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"item": 1}\n[1, 2]\n', "line 2 must be a JSON object, got list"),
        ('{"item": 1}\n\n{"item": \n', "line 3 is not valid JSON"),
    ],
)
def test_malformed_line_still_named(tmp_path, text, words):
    """A line pandas cannot read is named by its number, as before."""
    (tmp_path / "t.jsonl").write_text(text)
    with pytest.raises(DataFileError, match=words):
        read_table(tmp_path / "t.jsonl", text_columns=["item"])


@pytest.fixture
def pandas_parses(monkeypatch):
    """Counts pandas' parses of a JSON file (``pandas.read_json``)."""
    calls = []
    real = pd.read_json

    def counted(*args, **kwargs):
        calls.append(kwargs.get("dtype"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pd, "read_json", counted)
    return calls


@pytest.mark.parametrize("name", ["t.jsonl", "t.json"])
def test_callable_text_columns_parse_the_file_once(tmp_path, pandas_parses, name):
    """The callable gets the first record's keys, so pandas parses the file once, the ids as text
    (main: a typed parse to learn the names, then a second one)."""
    frame = read_table(_write(tmp_path / name, ROWS), text_columns=lambda names: [n for n in names if n in IDS])
    assert len(pandas_parses) == 1
    assert frame["item"].tolist() == [2, 2, 10] and frame["annotator"].astype(str).tolist() == ["a", "7", "7"]


def test_a_callable_whose_names_change_with_later_keys_parses_again(tmp_path, pandas_parses):
    """The lone column of the first record is no longer alone once a later record adds a key: the
    callable's answer on the whole frame wins (a second parse, read as a typed table)."""
    rows = [{"label": "01"}, {"label": "1", "x": 2}]
    frame = read_table(_write(tmp_path / "t.jsonl", rows), text_columns=tables.lone_column)
    assert len(pandas_parses) == 2 and frame.columns.tolist() == ["label", "x"]
    assert frame["label"].tolist() == [1, 1]  # typed, as with text_columns=(): the lone-column rule is off


def test_a_callable_on_a_lone_column_keeps_its_texts(tmp_path, pandas_parses):
    """One key in every record: the lone column read as text, "01" and "1" two labels, in one parse."""
    rows = [{"label": "01"}, {"label": "1"}, {"label": 1}]
    frame = read_table(_write(tmp_path / "t.jsonl", rows), text_columns=tables.lone_column)
    assert len(pandas_parses) == 1 and frame["label"].tolist() == ["01", "1", "1"]
