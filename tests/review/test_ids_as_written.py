"""The data's ids (``"007"``) reach the export, the review page and the report as the file writes them.

The audit reads every column but the label as pandas types it, so a CSV or JSON column of ids
``"007"`` became the integers 7 and the cleaned copy written by ``labelwise export`` held ``7``
(session 47's new-user walk: every id of an 800-row table rewritten in silence).
"""

from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from labelwise.cli import main
from labelwise.io import read_table
from labelwise.report import write_report
from labelwise.report._data_as_written import columns_as_written
from labelwise.review import DecisionStore, create_app, export_cleaned

CLASSES = ["café ☕", "politics", "sports, outdoor"]


def _audit(tmp_path, suffix=".csv", ids=None):
    """A 30-row text table (ids ``000``..., labels with a comma and unicode) audited with given probabilities."""
    n = 30
    rng = np.random.default_rng(0)
    labels = [CLASSES[i % 3] for i in range(n)]
    frame = pd.DataFrame(
        {
            "id": ids if ids is not None else [f"{i:03d}" for i in range(n)],
            "text": [f"sentence number {i} about {labels[i]}" for i in range(n)],
            "label": labels,
            "split": ["test" if i % 5 == 0 else "train" for i in range(n)],
        }
    )
    probs = rng.dirichlet(np.ones(3), size=n) * 0.2
    probs[np.arange(n), np.arange(n) % 3] += 0.8
    probs[7] = [0.96, 0.02, 0.02]  # row 7 ("007", politics) looks like café
    data = tmp_path / f"data{suffix}"
    if suffix.startswith(".csv"):
        frame.to_csv(data, index=False)  # .csv.gz: pandas compresses by the suffix
    else:
        frame.to_json(data, orient="records", lines=True, force_ascii=False)
    np.save(tmp_path / "probs.npy", probs)
    out = tmp_path / "audit"
    res = CliRunner().invoke(
        main,
        [
            "audit",
            str(data),
            "--label",
            "label",
            "--probs",
            str(tmp_path / "probs.npy"),
            "--checks",
            "label",
            "--out",
            str(out),
            "--quiet",
        ],
    )
    assert res.exit_code == 0, res.output
    return data, out


def _decide(out):
    store = DecisionStore(out / "review.sqlite")
    store.record(7, "relabel", version=0, reviewer="ann", label="café ☕")
    store.record(12, "exclude", version=0, reviewer="ann")


class TestExportKeepsTheIds:
    def test_csv_export_writes_zero_padded_ids_as_the_data_has_them(self, tmp_path):
        """Every cell but the relabelled label is written back as in the data (main wrote ids 0, 1, 2...)."""
        data, out = _audit(tmp_path)
        _decide(out)
        res = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
        assert res.exit_code == 0, res.output
        original = pd.read_csv(data, dtype=str, keep_default_na=False).drop(index=12)
        cleaned = pd.read_csv(tmp_path / "clean.csv", dtype=str, keep_default_na=False)
        assert cleaned["id"].tolist() == original["id"].tolist()
        assert cleaned.loc[cleaned["id"] == "007", "label"].item() == "café ☕"
        pd.testing.assert_frame_equal(
            cleaned.drop(columns="label"), original.drop(columns="label").reset_index(drop=True)
        )

    def test_parquet_export_holds_the_ids_as_text(self, tmp_path):
        """A Parquet export of a CSV's ids ``007`` holds the texts, not int64 7."""
        _, out = _audit(tmp_path)
        export_cleaned(out, tmp_path / "clean.parquet")
        cleaned = pd.read_parquet(tmp_path / "clean.parquet")
        assert cleaned["id"].tolist()[:3] == ["000", "001", "002"]

    def test_json_lines_ids_stay_json_strings(self, tmp_path):
        """A JSON Lines file's string ids ``"007"`` are written back as strings (main: the number 7)."""
        _, out = _audit(tmp_path, suffix=".jsonl")
        _decide(out)
        export_cleaned(out, tmp_path / "clean.jsonl")
        lines = [json.loads(line) for line in (tmp_path / "clean.jsonl").read_text(encoding="utf-8").splitlines()]
        assert [r["id"] for r in lines[:3]] == ["000", "001", "002"]
        assert next(r for r in lines if r["id"] == "007")["label"] == "café ☕"

    @pytest.mark.parametrize("suffix", [".csv.gz", ".jsonl.gz"])
    def test_a_compressed_datas_ids_are_written_as_the_file_has_them(self, tmp_path, suffix):
        """``data.csv.gz`` (read through its decoded copy) keeps ids ``007`` too: the raw cells are read
        from the copy, by the format under the compression suffix."""
        if suffix == ".jsonl.gz":
            data, out = _audit(tmp_path, suffix=".jsonl")
            compressed = tmp_path / "data.jsonl.gz"
            compressed.write_bytes(gzip.compress(data.read_bytes()))
            res = CliRunner().invoke(
                main,
                ["audit", str(compressed), "--label", "label", "--probs", str(tmp_path / "probs.npy"),
                 "--checks", "label", "--out", str(tmp_path / "audit-gz"), "--quiet"],
            )  # fmt: skip
            assert res.exit_code == 0, res.output
            out = tmp_path / "audit-gz"
        else:
            _, out = _audit(tmp_path, suffix=suffix)
        _decide(out)
        export_cleaned(out, tmp_path / "clean.csv")
        cleaned = pd.read_csv(tmp_path / "clean.csv", dtype=str, keep_default_na=False)
        assert cleaned["id"].tolist()[:3] == ["000", "001", "002"]
        assert cleaned.loc[cleaned["id"] == "007", "label"].item() == "café ☕"

    def test_integer_ids_with_a_missing_cell_are_not_written_as_floats(self, tmp_path):
        """Ids 1..30 with one empty cell are written ``5``, not ``5.0`` (another id)."""
        ids = [str(i + 1) for i in range(30)]
        ids[3] = ""
        data, out = _audit(tmp_path, ids=ids)
        export_cleaned(out, tmp_path / "clean.csv")
        cleaned = pd.read_csv(tmp_path / "clean.csv", dtype=str, keep_default_na=False)
        assert cleaned["id"].tolist() == ids


class TestPagesNameTheIds:
    def test_review_card_shows_the_id_as_written(self, tmp_path):
        """The review page's card of row 7 shows the feature ``id`` as ``007``."""
        _, out = _audit(tmp_path)
        with TestClient(create_app(out, reviewer="t"), base_url="http://127.0.0.1") as client:
            card = client.get("/api/examples/7").json()
        assert ["id", "007"] in card["preview"]["features"]

    def test_report_shows_the_id_as_written(self, tmp_path):
        """The report's card of row 7 names the id ``007``, not ``7``."""
        _, out = _audit(tmp_path)
        html = write_report(out).read_text(encoding="utf-8")
        assert "<td>id</td><td>007</td>" in html


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=2, max_size=12), st.integers(1, 8), st.booleans())
def test_integer_texts_round_trip_through_a_csv(numbers, width, blank):
    """Integer texts, zero-padded or not, one maybe missing, are written back as read."""
    import tempfile
    from pathlib import Path

    texts = [str(v).zfill(width) for v in numbers]
    if blank:
        texts[0] = ""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        pd.DataFrame({"id": texts, "x": range(len(texts))}).to_csv(path, index=False)
        frame = columns_as_written(read_table(path), path)
        again = Path(tmp) / "again.csv"
        frame.to_csv(again, index=False)
        assert pd.read_csv(again, dtype=str, keep_default_na=False)["id"].tolist() == texts


@pytest.mark.parametrize("suffix", [".parquet"])
def test_a_parquet_file_keeps_its_stored_types(tmp_path, suffix):
    """A Parquet file's int64 column is its type: nothing is read again."""
    path = tmp_path / f"t{suffix}"
    pd.DataFrame({"id": [1, 2, 3]}).to_parquet(path)
    frame = read_table(path)
    assert columns_as_written(frame, path) is frame
