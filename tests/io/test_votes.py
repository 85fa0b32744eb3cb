"""Tests of the votes annotation format (repeated model samples)."""

from __future__ import annotations

import json

import pytest

from labelwise.errors import DataFileError
from labelwise.io import read_annotations
from labelwise.io.annotations import votes as votes_format


def _jsonl(path, records):
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


RECORDS = [
    {"item": "q1", "sample": 0, "answer": "A"},
    {"item": "q1", "sample": 1, "answer": "B"},
    {"item": "q2", "sample": 0, "answer": None},
    {"item": "q2", "sample": 1, "answer": "C"},
]


class TestRecognise:
    def test_jsonl_with_item_sample_answer_is_recognised(self, tmp_path):
        """A JSONL of item/sample/answer records is a votes file."""
        assert votes_format.recognise(_jsonl(tmp_path / "s.jsonl", RECORDS))

    def test_long_table_is_not_recognised(self, tmp_path):
        """An item/annotator/label table is not."""
        path = tmp_path / "a.csv"
        path.write_text("item,annotator,label\n1,a,x\n")
        assert not votes_format.recognise(path)


class TestRead:
    def test_auto_detects_and_drops_null_answers(self, tmp_path):
        """format='auto' reads it as votes; a null answer is dropped and counted."""
        read = read_annotations(_jsonl(tmp_path / "s.jsonl", RECORDS))
        assert read.format == "votes" and read.n_records == 4 and read.dropped == {"empty": 1}
        assert read.answers.columns.tolist() == ["item", "annotator", "label"]
        assert read.answers["label"].tolist() == ["A", "B", "C"]

    def test_model_and_prompt_become_the_annotator(self, tmp_path):
        """With model and prompt fields, the annotator is model/prompt (for Dawid-Skene)."""
        path = tmp_path / "s.csv"
        path.write_text("item,model,prompt,answer\n1,m1,p1,yes\n1,m2,p1,no\n2,m1,p2,yes\n")
        read = read_annotations(path, format="votes")
        assert read.answers["annotator"].tolist() == ["m1/p1", "m2/p1", "m1/p2"]

    def test_missing_answer_field_names_file_and_line(self, tmp_path):
        """A record without the answer key is an error with the file and line."""
        path = _jsonl(tmp_path / "bad.jsonl", [RECORDS[0], {"item": "q1", "sample": 1}])
        with pytest.raises(DataFileError, match=r"bad.jsonl'.*line 2 has no 'answer' field"):
            read_annotations(path, format="votes")

    def test_missing_item_names_the_line(self, tmp_path):
        """A record without an item is an error with its line."""
        path = _jsonl(tmp_path / "bad.jsonl", [RECORDS[0], RECORDS[1], {"sample": 2, "answer": "A"}])
        with pytest.raises(DataFileError, match=r"line 3 has no 'item' field"):
            read_annotations(path, format="votes")

    def test_csv_without_sample_column_is_an_error(self, tmp_path):
        """A CSV with neither sample, prompt nor model is rejected naming line 2."""
        path = tmp_path / "s.csv"
        path.write_text("item,answer\n1,yes\n")
        with pytest.raises(DataFileError, match=r"line 2 has no 'sample' field"):
            read_annotations(path, format="votes")


class TestNotUtf8:
    def test_csv_and_jsonl_name_the_line(self, tmp_path):
        """A Latin-1 votes file (CSV or JSON Lines) names the line of the first non-UTF-8 bytes."""
        (tmp_path / "v.csv").write_bytes("item,sample,answer\nq1,0,A\nq1,1,caf\xe9\n".encode("latin-1"))
        with pytest.raises(DataFileError, match=r"votes file .* is not UTF-8 text \(line 3, byte 34\)"):
            read_annotations(tmp_path / "v.csv", format="votes")
        (tmp_path / "v.jsonl").write_bytes(b'{"item": "q1", "sample": 0, "answer": "caf\xe9"}\n')
        with pytest.raises(DataFileError, match=r"votes file .* is not UTF-8 text \(line 1, byte 42\)"):
            read_annotations(tmp_path / "v.jsonl", format="votes")
