"""A JSON or JSON Lines file's id columns (``read_table``'s ``text_columns``) are read as the CSV file
of the same table is: the number ``2`` and the text ``"2"`` are one id, ``2.0`` and ``2`` two, ``007``
stays ``007``. Parquet columns keep their stored type."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.io import read_annotations, read_table

#: ids as a JSON file may hold them: numbers, texts of digits, zero-padded, floats, texts with spaces.
IDS = st.one_of(
    st.integers(-1000, 2**64 - 1),  # beyond 64 bits pandas' JSON parser refuses the file (tested below)
    st.integers(0, 999).map(str),
    st.sampled_from(["007", "7", "2.0", "2", "1e3", "a b", " 2", "x ", "True", "0"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(float),
    st.text(alphabet="ab 0123456789.-", min_size=1, max_size=4),
)


def _write_both(tmp_path, rows):
    """The rows as JSON Lines (json.dumps) and as the CSV file of the same table (csv: ``str`` of each value)."""
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in rows))
    path = tmp_path / "t.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([{k: "" if v is None else str(v) for k, v in row.items()} for row in rows])
    return jsonl, path


@settings(max_examples=60, deadline=None)
@given(items=st.lists(IDS, min_size=1, max_size=8), annotators=st.lists(IDS, min_size=8, max_size=8))
def test_json_lines_ids_read_as_the_csv_of_the_same_table(tmp_path_factory, items, annotators):
    """Every id column of the JSON Lines file gives the values and dtype the CSV file gives."""
    rows = [{"item": item, "annotator": annotators[i], "x": i} for i, item in enumerate(items)]
    jsonl, path = _write_both(tmp_path_factory.mktemp("t"), rows)
    names = ["item", "annotator"]
    from_json = read_table(jsonl, text_columns=names, na_values="")[names]
    from_csv = read_table(path, text_columns=names, na_values="")[names]
    pd.testing.assert_frame_equal(from_json.astype(object), from_csv.astype(object))
    assert [c.dtype.kind for _, c in from_json.items()] == [c.dtype.kind for _, c in from_csv.items()]


def test_a_json_number_beyond_64_bits_is_refused_naming_the_file(tmp_path):
    """pandas' JSON parser cannot hold 2**64: the file is refused with a labelwise error naming it (the
    same id written as a JSON string is read)."""
    from labelwise.errors import DataFileError

    jsonl, _ = _write_both(tmp_path, [{"item": 2**64, "v": 1}])
    with pytest.raises(DataFileError, match=r"t\.jsonl"):
        read_table(jsonl, text_columns=["item"])
    (tmp_path / "s.jsonl").write_text(json.dumps({"item": str(2**64), "v": 1}) + "\n")
    assert read_table(tmp_path / "s.jsonl", text_columns=["item"])["item"].astype(str).tolist() == [str(2**64)]


def test_a_number_and_the_same_number_as_text_are_one_id(tmp_path):
    """``2`` and ``"2"`` read as the integer 2 twice, as the CSV cells ``2`` and ``2`` do."""
    jsonl, _ = _write_both(tmp_path, [{"item": 2, "v": 1}, {"item": "2", "v": 2}, {"item": 3, "v": 3}])
    frame = read_table(jsonl, text_columns=["item"])
    assert frame["item"].tolist() == [2, 2, 3] and frame["item"].dtype.kind == "i"


def test_a_float_written_2_0_and_zero_padded_ids_stay_as_written(tmp_path):
    """``2.0`` next to ``2`` and ``"007"`` next to ``7`` are two ids each, kept as the file writes them."""
    jsonl, _ = _write_both(tmp_path, [{"item": 2.0}, {"item": 2}, {"item": "007"}, {"item": 7}])
    assert read_table(jsonl, text_columns=["item"])["item"].tolist() == ["2.0", "2", "007", "7"]


def test_a_json_list_of_records_reads_ids_as_text_too(tmp_path):
    """A ``.json`` file holding a list of objects follows the same rule; a missing key is a missing id."""
    path = tmp_path / "t.json"
    path.write_text(json.dumps([{"item": 1, "a": "x"}, {"item": "1", "a": "y"}, {"a": "z"}, {"item": "b"}]))
    frame = read_table(path, text_columns=["item"])
    assert frame["item"].iloc[:2].tolist() == ["1", "1"] and frame["item"].iloc[3] == "b"
    assert pd.isna(frame["item"].iloc[2])


def test_a_list_cell_keeps_its_list_with_numbers_as_text(tmp_path):
    """A tag list ``[2, "cat"]`` is ``["2", "cat"]``, as the cell ``2|cat`` of a CSV splits."""
    jsonl, _ = _write_both(tmp_path, [{"tags": [2, "cat"]}, {"tags": ["2"]}])
    assert read_table(jsonl, text_columns=["tags"])["tags"].tolist() == [["2", "cat"], ["2"]]


def test_columns_that_are_not_ids_keep_json_numbers(tmp_path):
    """Only ``text_columns`` are read as text: a feature column stays numbers."""
    jsonl, _ = _write_both(tmp_path, [{"item": 1, "x": 2.5}, {"item": "1", "x": 3}])
    frame = read_table(jsonl, text_columns=["item"])
    assert frame["x"].tolist() == [2.5, 3.0]


def test_parquet_int_ids_keep_their_type_and_match_the_csv(tmp_path):
    """A Parquet int column stays int64 (typed storage), which is what the CSV of it reads as."""
    frame = pd.DataFrame({"item": [2, 2, 30], "annotator": ["a", "b", "c"]})
    frame.to_parquet(tmp_path / "t.parquet")
    frame.to_csv(tmp_path / "t.csv", index=False)
    names = ["item", "annotator"]
    from_parquet = read_table(tmp_path / "t.parquet", text_columns=names)
    from_csv = read_table(tmp_path / "t.csv", text_columns=names)
    assert from_parquet["item"].dtype == "int64" and from_parquet["item"].tolist() == from_csv["item"].tolist()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_long_and_votes_answers_read_2_and_text_2_as_one_item(tmp_path, suffix):
    """read_annotations' long and votes readers give one item for ``2`` and ``"2"``, as their CSV does."""
    long_rows = [{"item": 2, "annotator": "a", "label": "x"}, {"item": "2", "annotator": "b", "label": "x"}]
    vote_rows = [{"item": 2, "sample": 0, "answer": "x"}, {"item": "2", "sample": 1, "answer": "x"}]
    for name, rows in (("long", long_rows), ("votes", vote_rows)):
        jsonl, path = _write_both(tmp_path / name if (tmp_path / name).mkdir() is None else tmp_path, rows)
        answers = read_annotations(jsonl if suffix == ".jsonl" else path, name).answers
        assert answers["item"].nunique() == 1, (name, answers)
