"""Tests for labelwise.io.annotations: annotation exports -> one long answer table."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import AnnotationError, DataFileError, InvalidParameterError, MissingColumnError
from labelwise.io import Annotations, detect_format, read_annotations

# ------------------------------------------------------------------------------------------
# hand-written exports, shaped like the real tools write them

LABEL_STUDIO_TASKS = [
    {
        "id": 101,
        "data": {"text": "The service was quick and friendly.", "ref": "r-1"},
        "annotations": [
            {
                "id": 1,
                "completed_by": 1,
                "was_cancelled": False,
                "ground_truth": False,
                "lead_time": 3.2,
                "task": 101,
                "created_at": "2024-03-01T10:00:00Z",
                "result": [
                    {
                        "id": "a1",
                        "from_name": "sentiment",
                        "to_name": "text",
                        "type": "choices",
                        "origin": "manual",
                        "value": {"choices": ["Positive"]},
                    }
                ],
            },
            {
                "id": 2,
                "completed_by": {"id": 2, "email": "bo@example.com", "first_name": "Bo"},
                "was_cancelled": False,
                "task": 101,
                "result": [
                    {
                        "id": "b1",
                        "from_name": "sentiment",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["Positive"]},
                    }
                ],
            },
            {"id": 3, "completed_by": 3, "was_cancelled": True, "task": 101, "result": []},
        ],
        "predictions": [
            {
                "model_version": "v1",
                "result": [
                    {"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Negative"]}}
                ],
            }
        ],
    },
    {
        "id": 102,
        "data": {"text": "Cold food, long wait.", "ref": "r-2"},
        "annotations": [
            {
                "id": 4,
                "completed_by": 1,
                "was_cancelled": False,
                "task": 102,
                "result": [
                    {
                        "id": "c1",
                        "from_name": "sentiment",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["Negative"]},
                    }
                ],
            },
            {
                "id": 5,
                "completed_by": {"id": 3, "email": "cy@example.com"},
                "was_cancelled": False,
                "task": 102,
                "result": [
                    {
                        "id": "d1",
                        "from_name": "sentiment",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["Negative", "Neutral"]},
                    }
                ],
            },
            {"id": 6, "completed_by": 2, "was_cancelled": False, "task": 102, "result": []},
        ],
    },
    {
        "id": 103,
        "data": {"text": "It was fine.", "ref": "r-3"},
        "annotations": [
            {
                "id": 7,
                "completed_by": 2,
                "was_cancelled": False,
                "task": 103,
                "result": [
                    {
                        "id": "e1",
                        "from_name": "sentiment",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["Neutral"]},
                    },
                    {
                        "id": "e2",
                        "from_name": "notes",
                        "to_name": "text",
                        "type": "textarea",
                        "value": {"text": ["unsure"]},
                    },
                ],
            },
            {"id": 8, "completed_by": 3, "was_cancelled": True, "task": 103, "result": []},
        ],
    },
]

LABEL_STUDIO_MIN = [
    {
        "text": "Great coffee.",
        "id": 201,
        "sentiment": "Positive",
        "annotator": 1,
        "annotation_id": 11,
        "created_at": "2024-03-02T09:00:00Z",
        "updated_at": "2024-03-02T09:00:00Z",
        "lead_time": 2.5,
    },
    {
        "text": "Great coffee.",
        "id": 201,
        "sentiment": "Neutral",
        "annotator": 2,
        "annotation_id": 12,
        "created_at": "2024-03-02T09:01:00Z",
        "updated_at": "2024-03-02T09:01:00Z",
        "lead_time": 4.0,
    },
    {
        "text": "Rude staff.",
        "id": 202,
        "sentiment": "Negative",
        "annotator": 1,
        "annotation_id": 13,
        "created_at": "2024-03-02T09:02:00Z",
        "updated_at": "2024-03-02T09:02:00Z",
        "lead_time": 1.1,
    },
    {
        "text": "Rude staff.",
        "id": 202,
        "sentiment": {"choices": ["Negative", "Neutral"]},
        "annotator": 3,
        "annotation_id": 14,
        "created_at": "2024-03-02T09:03:00Z",
        "updated_at": "2024-03-02T09:03:00Z",
        "lead_time": 6.0,
    },
]

MTURK_CLASSIFIER_CSV = """\
"HITId","HITTypeId","Title","Reward","CreationTime","AssignmentId","WorkerId","AssignmentStatus","AcceptTime","SubmitTime","WorkTimeInSeconds","Input.image_url","Answer.category.label","Approve","Reject"
"3X0EMNLXEPM","3AKE04YHPRB","Classify the animal","$0.05","Tue Mar 05 10:00:00 PST 2024","3AAA","A1WORKERX","Approved","Tue Mar 05 10:01:00 PST 2024","Tue Mar 05 10:01:12 PST 2024","12","https://example.com/img/1.jpg","cat","",""
"3X0EMNLXEPM","3AKE04YHPRB","Classify the animal","$0.05","Tue Mar 05 10:00:00 PST 2024","3AAB","A2WORKERY","Submitted","Tue Mar 05 10:02:00 PST 2024","Tue Mar 05 10:02:30 PST 2024","30","https://example.com/img/1.jpg","cat","",""
"3X0EMNLXEPM","3AKE04YHPRB","Classify the animal","$0.05","Tue Mar 05 10:00:00 PST 2024","3AAC","A3WORKERZ","Rejected","Tue Mar 05 10:03:00 PST 2024","Tue Mar 05 10:03:02 PST 2024","2","https://example.com/img/1.jpg","dog","","too fast"
"3Y1FNOMYFQN","3AKE04YHPRB","Classify the animal","$0.05","Tue Mar 05 10:00:00 PST 2024","3AAD","A1WORKERX","Approved","Tue Mar 05 10:04:00 PST 2024","Tue Mar 05 10:04:09 PST 2024","9","https://example.com/img/2.jpg","dog","",""
"3Y1FNOMYFQN","3AKE04YHPRB","Classify the animal","$0.05","Tue Mar 05 10:00:00 PST 2024","3AAE","A2WORKERY","Approved","Tue Mar 05 10:05:00 PST 2024","Tue Mar 05 10:05:20 PST 2024","20","https://example.com/img/2.jpg","","",""
"""

MTURK_RADIO_CSV = """\
HITId,AssignmentId,WorkerId,AssignmentStatus,Input.id,Input.text,Answer.sentiment.positive,Answer.sentiment.negative,Answer.sentiment.neutral,Answer.comment
H1,A1,W1,Approved,t-1,"good stuff",true,false,false,
H1,A2,W2,Approved,t-1,"good stuff",false,false,true,meh
H2,A3,W1,Approved,t-2,"awful",false,true,false,
H2,A4,W2,Approved,t-2,"awful",false,true,true,both?
"""

PRODIGY_LINES = [
    # choice tasks (options + accept)
    {
        "text": "I love it",
        "options": [{"id": "POS", "text": "positive"}, {"id": "NEG", "text": "negative"}],
        "accept": ["POS"],
        "answer": "accept",
        "_input_hash": 111,
        "_task_hash": 901,
        "_session_id": "sent-alice",
        "_annotator_id": "sent-alice",
        "_view_id": "choice",
    },
    {
        "text": "I love it",
        "options": [{"id": "POS", "text": "positive"}, {"id": "NEG", "text": "negative"}],
        "accept": ["NEG"],
        "answer": "accept",
        "_input_hash": 111,
        "_task_hash": 901,
        "_session_id": "sent-bob",
        "_annotator_id": "sent-bob",
        "_view_id": "choice",
    },
    {
        "text": "Not great",
        "options": [{"id": "POS", "text": "positive"}, {"id": "NEG", "text": "negative"}],
        "accept": ["NEG"],
        "answer": "accept",
        "_input_hash": 222,
        "_task_hash": 902,
        "_session_id": "sent-alice",
        "_annotator_id": "sent-alice",
        "_view_id": "choice",
    },
    {
        "text": "Not great",
        "options": [{"id": "POS", "text": "positive"}, {"id": "NEG", "text": "negative"}],
        "accept": [],
        "answer": "ignore",
        "_input_hash": 222,
        "_task_hash": 902,
        "_session_id": "sent-bob",
        "_annotator_id": "sent-bob",
        "_view_id": "choice",
    },
    {
        "text": "Whatever",
        "options": [{"id": "POS", "text": "positive"}, {"id": "NEG", "text": "negative"}],
        "accept": [],
        "answer": "reject",
        "_input_hash": 333,
        "_task_hash": 903,
        "_session_id": "sent-bob",
        "_view_id": "choice",
    },
    # binary tasks (one label, accept / reject)
    {
        "text": "Refund please",
        "label": "BILLING",
        "answer": "accept",
        "_input_hash": 444,
        "_task_hash": 904,
        "_session_id": "intent-alice",
        "_view_id": "classification",
    },
    {
        "text": "Refund please",
        "label": "BILLING",
        "answer": "reject",
        "_input_hash": 444,
        "_task_hash": 904,
        "_session_id": "intent-bob",
        "_view_id": "classification",
    },
]


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def write_jsonl(tmp_path: Path, name: str, records: list) -> Path:
    return write(tmp_path, name, "\n".join(json.dumps(r) for r in records) + "\n")


# ------------------------------------------------------------------------------------------


class TestLongTable:
    def test_reads_csv_with_renamed_columns(self, tmp_path):
        """Configurable column names are mapped to item, annotator, label."""
        path = write(tmp_path, "a.csv", "doc,worker,answer\nd1,w1,spam\nd1,w2,ham\nd2,w1,ham\n")
        read = read_annotations(path, "long", item_column="doc", annotator_column="worker", label_column="answer")
        assert isinstance(read, Annotations)
        assert read.answers.columns.tolist() == ["item", "annotator", "label"]
        assert read.answers["label"].tolist() == ["spam", "ham", "ham"]
        assert read.format == "long" and read.n_records == 3 and read.n_dropped == 0

    def test_missing_column_lists_existing_ones(self, tmp_path):
        """A missing column is named along with the columns that exist."""
        path = write(tmp_path, "a.csv", "item,worker,label\n1,w1,a\n")
        with pytest.raises(MissingColumnError, match=r"missing \['annotator'\].*found \['item', 'worker', 'label'\]"):
            read_annotations(path)

    def test_null_annotator_names_the_line(self, tmp_path):
        """A null annotator id is an error naming the file line."""
        path = write(tmp_path, "a.csv", "item,annotator,label\n1,w1,a\n2,,b\n")
        with pytest.raises(AnnotationError, match=r"annotator id must not be empty, line 3"):
            read_annotations(path)

    def test_empty_labels_are_dropped_and_counted(self, tmp_path):
        """Rows without a label are dropped, counted, and integer labels stay integers."""
        path = write(tmp_path, "a.csv", "item,annotator,label\n1,w1,0\n1,w2,\n2,w1,1\n")
        read = read_annotations(path)
        assert read.dropped == {"empty": 1}
        assert read.answers["label"].tolist() == [0, 1]
        assert read.answers["label"].dtype.kind == "i"

    @pytest.mark.parametrize(
        ("name", "text", "item"),
        [
            ("a.csv", "item,annotator,label\n1,w1,0\n2,w1,\n2,w2, \n1,w2,1\n3,w1,\n3,w2,1\n", 2),
            (
                "s.jsonl",
                '{"item":1,"sample":0,"answer":0}\n{"item":2,"sample":0,"answer":null}\n'
                '{"item":2,"sample":1,"answer":" "}\n{"item":3,"sample":0,"answer":null}\n{"item":3,"sample":1,"answer":1}\n',
                2,  # read as a long table reads it: the integer 2
            ),
        ],
    )
    def test_items_whose_every_answer_is_dropped_are_named(self, tmp_path, name, text, item):
        """Item 2 lost every answer (empty): it is named in items_without_answers and the summary; item 3 kept one."""
        read = read_annotations(write(tmp_path, name, text))
        assert read.items_without_answers == (item,)
        assert read.summary()["n_items_without_answers"] == 1 and read.summary()["items_without_answers"] == ["2"]

    def test_reads_parquet_and_jsonl(self, tmp_path):
        """Parquet and JSON Lines long tables give the same answers as CSV."""
        frame = pd.DataFrame({"item": [1, 1, 2], "annotator": ["a", "b", "a"], "label": ["x", "y", "x"]})
        frame.to_parquet(tmp_path / "a.parquet")
        frame.to_json(tmp_path / "a.jsonl", orient="records", lines=True)
        for name in ("a.parquet", "a.jsonl"):
            pd.testing.assert_frame_equal(read_annotations(tmp_path / name).answers, frame)

    def test_reads_real_crowd_answers(self, shared_data):
        """A real published answer table reads row for row."""
        path = shared_data / "crowd" / "CF" / "annotations.csv"
        read = read_annotations(path)
        assert read.n_answers == 1720 and read.answers["item"].nunique() == 300


class TestBlankLabels:
    def test_a_blank_label_in_a_csv_is_dropped_as_empty(self, tmp_path):
        """A label of spaces in a CSV became a class ' ' under pandas 3 (its str columns skipped the check)."""
        path = write(tmp_path, "a.csv", "item,annotator,label\nq1,a,x\nq1,b,  \nq2,a,y\n")
        read = read_annotations(path)
        assert read.answers["label"].tolist() == ["x", "y"] and read.dropped == {"empty": 1}


class TestByteOrderMark:
    """A UTF-8 byte order mark (Windows Notepad, Excel) and CRLF line ends were refused in JSON files."""

    RECORDS = [{"item": "q1", "annotator": "a", "label": "x"}, {"item": "q1", "annotator": "b", "label": "y"}]

    @pytest.mark.parametrize("kind", ["a.jsonl", "a.json"])
    def test_long_json_with_bom_and_crlf_reads(self, tmp_path, kind):
        """JSON Lines and a JSON list of records with a BOM read as without it."""
        text = "\r\n".join(json.dumps(r) for r in self.RECORDS) if kind.endswith("l") else json.dumps(self.RECORDS)
        path = tmp_path / kind
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
        read = read_annotations(path)
        assert read.format == "long" and read.answers.to_dict("records") == self.RECORDS

    def test_label_studio_export_with_bom_reads(self, tmp_path):
        """A Label Studio JSON export with a BOM is still detected and read."""
        path = tmp_path / "export.json"
        path.write_bytes(b"\xef\xbb\xbf" + json.dumps(LABEL_STUDIO_TASKS).encode("utf-8"))
        plain = tmp_path / "plain.json"
        plain.write_text(json.dumps(LABEL_STUDIO_TASKS))
        read = read_annotations(path)
        assert read.format == "labelstudio"
        pd.testing.assert_frame_equal(read.answers, read_annotations(plain).answers)


class TestLabelStudio:
    def test_json_export_counts_cancelled_and_drops_unusable(self, tmp_path):
        """Cancelled annotations are counted; multi-choice and empty ones are dropped with a reason."""
        path = write(tmp_path, "export.json", json.dumps(LABEL_STUDIO_TASKS))
        read = read_annotations(path, "labelstudio")
        assert read.format == "labelstudio"
        assert read.n_records == 8 and read.n_cancelled == 2
        assert read.dropped == {"cancelled": 2, "multiple_choices": 1, "no_choice": 1}
        expected = pd.DataFrame(
            {
                "item": [101, 101, 102, 103],
                "annotator": [1, 2, 1, 2],
                "label": ["Positive", "Positive", "Negative", "Neutral"],
            }
        )
        pd.testing.assert_frame_equal(read.answers, expected)
        assert read.summary()["n_cancelled"] == 2

    def test_completed_by_object_uses_the_user_id(self, tmp_path):
        """A completed_by user object and the same user's integer id are one annotator."""
        path = write(tmp_path, "export.json", json.dumps(LABEL_STUDIO_TASKS))
        answers = read_annotations(path).answers
        assert set(answers["annotator"]) == {1, 2}

    def test_item_from_a_data_field(self, tmp_path):
        """item_column takes the item id from the task's data instead of the task id."""
        path = write(tmp_path, "export.json", json.dumps(LABEL_STUDIO_TASKS))
        answers = read_annotations(path, item_column="ref").answers
        assert answers["item"].tolist() == ["r-1", "r-1", "r-2", "r-3"]

    def test_several_controls_need_label_column(self, tmp_path):
        """Two choices controls are ambiguous until label_column names one."""
        tasks = json.loads(json.dumps(LABEL_STUDIO_TASKS))
        tasks[0]["annotations"][0]["result"].append(
            {"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["food"]}}
        )
        path = write(tmp_path, "export.json", json.dumps(tasks))
        with pytest.raises(AnnotationError, match=r"several choices controls \['sentiment', 'topic'\]"):
            read_annotations(path)
        read = read_annotations(path, label_column="topic")
        assert read.answers["label"].tolist() == ["food"]

    def test_task_without_annotations_names_the_task(self, tmp_path):
        """A task lacking its annotations list is reported by task id."""
        tasks = json.loads(json.dumps(LABEL_STUDIO_TASKS))
        tasks[1]["annotations"] = "oops"
        path = write(tmp_path, "export.json", json.dumps(tasks))
        with pytest.raises(DataFileError, match=r"export\.json.*task 102 must have an 'annotations' list"):
            read_annotations(path, "labelstudio")

    def test_annotation_without_user_names_the_task(self, tmp_path):
        """An annotation without completed_by is reported by task id."""
        tasks = json.loads(json.dumps(LABEL_STUDIO_TASKS))
        del tasks[2]["annotations"][0]["completed_by"]
        path = write(tmp_path, "export.json", json.dumps(tasks))
        with pytest.raises(DataFileError, match=r"task 103 has an annotation without 'completed_by'"):
            read_annotations(path)

    def test_invalid_json_names_file_and_line(self, tmp_path):
        """Broken JSON is reported with the file and line of the syntax error."""
        path = write(tmp_path, "export.json", '[\n  {"id": 1,\n   "annotations": [}\n]\n')
        with pytest.raises(DataFileError, match=r"export\.json.*line 3 is not valid JSON"):
            read_annotations(path, "labelstudio")

    def test_json_min_export(self, tmp_path):
        """JSON_MIN records give one answer each; a multi-choice record is dropped and counted."""
        path = write(tmp_path, "min.json", json.dumps(LABEL_STUDIO_MIN))
        read = read_annotations(path)
        assert read.format == "labelstudio-min"
        assert read.answers["label"].tolist() == ["Positive", "Neutral", "Negative"]
        assert read.answers["annotator"].tolist() == [1, 2, 1]
        assert read.dropped == {"multiple_choices": 1}

    def test_json_min_ambiguous_fields_need_label_column(self, tmp_path):
        """When no field varies within a task, the label field must be named."""
        records = [{**r, "sentiment": "Positive", "note": "x"} for r in LABEL_STUDIO_MIN]
        path = write(tmp_path, "min.json", json.dumps(records))
        with pytest.raises(
            AnnotationError, match=r"several fields that could hold the label \['note', 'sentiment', 'text'\]"
        ):
            read_annotations(path)
        assert read_annotations(path, label_column="sentiment").n_answers == 4


class TestMTurk:
    def test_crowd_classifier_batch(self, tmp_path):
        """Answer.category.label is the label; rejected and empty assignments are dropped and counted."""
        path = write(tmp_path, "Batch_123_batch_results.csv", MTURK_CLASSIFIER_CSV)
        read = read_annotations(path)
        assert read.format == "mturk"
        assert read.dropped == {"rejected": 1, "empty": 1}
        assert read.answers["item"].tolist() == ["3X0EMNLXEPM", "3X0EMNLXEPM", "3Y1FNOMYFQN"]
        assert read.answers["annotator"].tolist() == ["A1WORKERX", "A2WORKERY", "A1WORKERX"]
        assert read.answers["label"].tolist() == ["cat", "cat", "dog"]

    def test_radio_group_needs_label_column_and_uses_input_id(self, tmp_path):
        """Boolean Answer.<name>.<option> columns give the option; Input.id is the item."""
        path = write(tmp_path, "batch.csv", MTURK_RADIO_CSV)
        with pytest.raises(AnnotationError, match=r"several answers \['comment', 'sentiment'\]"):
            read_annotations(path, "mturk")
        read = read_annotations(path, "mturk", label_column="sentiment")
        assert read.answers["item"].tolist() == ["t-1", "t-1", "t-2"]
        assert read.answers["label"].tolist() == ["positive", "neutral", "negative"]
        assert read.dropped == {"multiple_choices": 1}

    def test_missing_worker_column(self, tmp_path):
        """A CSV without WorkerId is not an MTurk batch (the columns are listed)."""
        path = write(tmp_path, "batch.csv", "HITId,Answer.x\nH1,a\n")
        with pytest.raises(MissingColumnError, match=r"'WorkerId'.*found \['HITId', 'Answer.x'\]"):
            read_annotations(path, "mturk")


class TestProdigy:
    def test_choice_and_binary_tasks(self, tmp_path):
        """Choice tasks give the accepted option; binary tasks give accept/reject per (input, label)."""
        path = write_jsonl(tmp_path, "db-out.jsonl", PRODIGY_LINES)
        read = read_annotations(path)
        assert read.format == "prodigy"
        assert read.answers["item"].tolist() == [111, 111, 222, 904, 904]
        assert read.answers["annotator"].tolist() == [
            "sent-alice",
            "sent-bob",
            "sent-alice",
            "intent-alice",
            "intent-bob",
        ]
        assert read.answers["label"].tolist() == ["POS", "NEG", "NEG", "accept", "reject"]
        assert read.dropped == {"ignored": 1, "rejected": 1}
        assert read.n_records == 7

    def test_malformed_line_is_named(self, tmp_path):
        """A line that is not JSON is reported with its line number."""
        text = json.dumps(PRODIGY_LINES[0]) + "\n" + '{"text": "cut off", "answer": \n'
        path = write(tmp_path, "db-out.jsonl", text)
        with pytest.raises(DataFileError, match=r"db-out\.jsonl.*line 2 is not valid JSON"):
            read_annotations(path, "prodigy")

    def test_missing_annotator_is_named(self, tmp_path):
        """A record without _annotator_id or _session_id is reported by line."""
        records = [
            PRODIGY_LINES[0],
            {k: v for k, v in PRODIGY_LINES[2].items() if k not in ("_session_id", "_annotator_id")},
        ]
        path = write_jsonl(tmp_path, "db-out.jsonl", records)
        with pytest.raises(DataFileError, match=r"line 2 has no annotator"):
            read_annotations(path, "prodigy")

    def test_binary_item_without_task_hash_and_missing_ids(self, tmp_path):
        """A binary task without _task_hash is the item "<input>:<label>"; no hash at all is an error."""
        record = {k: v for k, v in PRODIGY_LINES[5].items() if k != "_task_hash"}
        read = read_annotations(write_jsonl(tmp_path, "a.jsonl", [record]), "prodigy")
        assert read.answers["item"].tolist() == ["444:BILLING"]
        bare = {k: v for k, v in record.items() if k != "_input_hash"}
        with pytest.raises(DataFileError, match=r"line 2 has no item id"):
            read_annotations(write_jsonl(tmp_path, "b.jsonl", [record, bare]), "prodigy")

    def test_unknown_answer_value(self, tmp_path):
        """An answer other than accept/reject/ignore is a malformed line."""
        path = write_jsonl(tmp_path, "db-out.jsonl", [{**PRODIGY_LINES[0], "answer": "maybe"}])
        with pytest.raises(DataFileError, match=r"line 1 has answer 'maybe'"):
            read_annotations(path, "prodigy")


class TestDetectFormat:
    def test_detects_every_format(self, tmp_path):
        """auto detection tells each export apart by its structure."""
        assert detect_format(write(tmp_path, "ls.json", json.dumps(LABEL_STUDIO_TASKS))) == "labelstudio"
        assert detect_format(write(tmp_path, "min.json", json.dumps(LABEL_STUDIO_MIN))) == "labelstudio"
        assert detect_format(write(tmp_path, "b.csv", MTURK_CLASSIFIER_CSV)) == "mturk"
        assert detect_format(write_jsonl(tmp_path, "p.jsonl", PRODIGY_LINES)) == "prodigy"
        assert detect_format(write(tmp_path, "l.csv", "item,annotator,label\n1,a,x\n")) == "long"
        records = [{"item": 1, "annotator": "a", "label": "x"}]
        assert detect_format(write(tmp_path, "l.json", json.dumps(records))) == "long"


class TestBadFiles:
    def test_missing_and_empty_files(self, tmp_path):
        """A missing or empty file is a DataFileError naming it."""
        with pytest.raises(DataFileError, match="does not exist"):
            read_annotations(tmp_path / "nope.csv")
        with pytest.raises(DataFileError, match="is empty"):
            read_annotations(write(tmp_path, "e.json", ""))

    def test_unknown_format(self, tmp_path):
        """An unknown format name is rejected with the allowed ones."""
        with pytest.raises(InvalidParameterError, match="format must be one of"):
            read_annotations(write(tmp_path, "a.csv", "item,annotator,label\n1,a,x\n"), "excel")

    def test_no_usable_answer(self, tmp_path):
        """An export whose every annotation was cancelled has nothing to aggregate."""
        tasks = [{"id": 1, "data": {}, "annotations": [{"completed_by": 1, "was_cancelled": True, "result": []}]}]
        with pytest.raises(AnnotationError, match=r"no usable answers.*'cancelled': 1"):
            read_annotations(write(tmp_path, "x.json", json.dumps(tasks)))


# (task id, user id, label, cancelled, user given as an object)
ls_rows = st.lists(
    st.tuples(st.integers(1, 6), st.integers(1, 4), st.sampled_from(["A", "B", "C"]), st.booleans(), st.booleans()),
    min_size=1,
    max_size=30,
)


class TestRoundTrips:
    @settings(max_examples=30, deadline=None)
    @given(ls_rows)
    def test_label_studio_export_round_trips(self, rows):
        """Any Label Studio export built from answers reads back as those answers, cancelled ones counted."""
        tasks: dict[int, list] = {}
        for task, user, label, cancelled, as_object in rows:
            tasks.setdefault(task, []).append(
                {
                    "completed_by": {"id": user, "email": f"u{user}@x.org"} if as_object else user,
                    "was_cancelled": cancelled,
                    "result": []
                    if cancelled
                    else [{"from_name": "c", "to_name": "t", "type": "choices", "value": {"choices": [label]}}],
                }
            )
        export = [{"id": task, "data": {"text": str(task)}, "annotations": anns} for task, anns in tasks.items()]
        # tasks in first-seen order, annotations in their order within each task
        expected = [
            (task, user, label)
            for task in tasks
            for (t, user, label, cancelled, _) in rows
            if t == task and not cancelled
        ]
        n_cancelled = sum(r[3] for r in rows)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "export.json"
            path.write_text(json.dumps(export))
            if not expected:
                with pytest.raises(AnnotationError, match="no usable answers"):
                    read_annotations(path)
                return
            read = read_annotations(path)
        assert list(read.answers.itertuples(index=False, name=None)) == expected
        assert read.n_cancelled == n_cancelled and read.n_records == len(rows)

    @settings(max_examples=30, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["H1", "H2", "H3"]),
                st.sampled_from(["W1", "W2"]),
                st.sampled_from(["x", "y"]),
                st.sampled_from(["Approved", "Submitted", "Rejected"]),
            ),
            min_size=1,
            max_size=20,
        )
    )
    def test_mturk_batch_round_trips(self, rows):
        """Any MTurk batch reads back as its non-rejected assignments, in file order."""
        frame = pd.DataFrame(rows, columns=["HITId", "WorkerId", "Answer.choice", "AssignmentStatus"])
        expected = [(h, w, a) for h, w, a, status in rows if status != "Rejected"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "batch.csv"
            frame.to_csv(path, index=False)
            if not expected:
                with pytest.raises(AnnotationError, match="no usable answers"):
                    read_annotations(path)
                return
            read = read_annotations(path)
        assert read.format == "mturk"
        assert list(read.answers.itertuples(index=False, name=None)) == expected
        assert read.dropped.get("rejected", 0) == len(rows) - len(expected)
