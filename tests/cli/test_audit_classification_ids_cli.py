"""``labelwise audit DATA --label y --id-column COL``: the classification audit carries DATA's ids as written
into issues.csv, summary.json, the console, the report's cards and the export's change log, and never reads them
as a feature; missing and repeated ids are refused naming the file's lines. Before, the classification audit
refused ``--id-column`` and named rows by position only."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.review import DecisionStore

IDS = ["007", "a b", "ünï", "10"]  # zero-padded, text with a space, unicode, a number
N = 45


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _run(*args):
    return CliRunner().invoke(main, ["audit", *map(str, args)])


def _text(res) -> str:
    return " ".join(res.output.split())  # rich's wrapping undone


def _data(tmp_path, ids=None, name="sample"):
    """A 45-row table of two features, a label (row 2, id ``ünï``, mislabelled) and ids; probabilities that doubt it."""
    rng = np.random.default_rng(0)
    classes = np.array(["cat", "dog", "owl"])
    y = classes[np.arange(N) % 3]
    ids = [*IDS, *[f"s{i:02d}" for i in range(N - len(IDS))]] if ids is None else ids
    frame = pd.DataFrame({name: ids, "a": rng.normal(size=N).round(3), "b": rng.normal(size=N).round(3), "y": y})
    frame.loc[2, "y"] = "cat"  # an owl labelled cat
    frame.to_csv(tmp_path / "d.csv", index=False)
    probs = rng.dirichlet(np.ones(3), size=N) * 0.2
    probs[np.arange(N), np.arange(N) % 3] += 0.8
    np.save(tmp_path / "p.npy", probs)
    return frame, probs


def _audit(tmp_path, *extra, out="o"):
    args = ["--label", "y", "--probs", tmp_path / "p.npy", "--checks", "label", "--out", tmp_path / out]
    return _run(tmp_path / "d.csv", *args, *extra)


def _issues(folder, name="sample"):
    return pd.read_csv(folder / "issues.csv", dtype={name: str})


class TestIssuesCarryTheIds:
    def test_issues_csv_has_each_rows_id_as_written_after_row(self, tmp_path):
        """issues.csv gets the id column after ``row`` (007 stays 007); summary.json records the column."""
        frame, _ = _data(tmp_path)
        res = _audit(tmp_path, "--id-column", "sample")
        assert res.exit_code == 0, res.output
        issues = _issues(tmp_path / "o")
        assert list(issues.columns[:3]) == ["row", "sample", "given_label"]
        assert issues["sample"].tolist() == frame["sample"].to_numpy()[issues["row"]].tolist()
        assert issues.loc[issues["row"] == 2, "sample"].item() == "ünï"
        settings = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))["settings"]
        assert settings["id_column"] == "sample" and "sample" not in settings["feature_columns"]

    def test_the_worst_examples_on_the_screen_name_their_id(self, tmp_path):
        """The console's worst-examples table has the id column."""
        _data(tmp_path)
        res = _audit(tmp_path, "--id-column", "sample", "--top", "3")
        assert res.exit_code == 0, res.output
        assert "sample" in res.output and "ünï" in res.output

    def test_a_data_column_named_row_is_written_as_id(self, tmp_path):
        """An id column called ``row`` cannot sit beside issues.csv's own ``row``: it is written as ``id``."""
        frame, _ = _data(tmp_path, name="row")
        res = _audit(tmp_path, "--id-column", "row")
        assert res.exit_code == 0, res.output
        issues = _issues(tmp_path / "o", "id")
        assert list(issues.columns[:2]) == ["row", "id"]
        assert issues["id"].tolist() == frame["row"].to_numpy()[issues["row"]].tolist()

    def test_the_ids_are_no_feature_of_the_model(self, tmp_path):
        """A model trained here does not read the id column (summary.json's feature columns leave it out)."""
        _data(tmp_path)
        args = ["--label", "y", "--model", "logistic", "--cv", "2", "--checks", "label", "--out", tmp_path / "m"]
        res = _run(tmp_path / "d.csv", *args, "--id-column", "sample")
        assert res.exit_code == 0, res.output
        settings = json.loads((tmp_path / "m" / "summary.json").read_text(encoding="utf-8"))["settings"]
        assert settings["feature_columns"] == ["a", "b"]

    def test_a_probs_table_with_the_id_column_is_matched_by_id(self, tmp_path):
        """A --probs table in another row order, with the id column, gives the .npy's issues (matched by id)."""
        frame, probs = _data(tmp_path)
        assert _audit(tmp_path, "--id-column", "sample", out="npy").exit_code == 0
        table = pd.DataFrame(probs, columns=["cat", "dog", "owl"]).assign(sample=frame["sample"])
        table.iloc[::-1].to_csv(tmp_path / "p.csv", index=False)
        args = ["--label", "y", "--probs", tmp_path / "p.csv", "--checks", "label", "--out", tmp_path / "t"]
        res = _run(tmp_path / "d.csv", *args, "--id-column", "sample")
        assert res.exit_code == 0, res.output
        pd.testing.assert_frame_equal(_issues(tmp_path / "t"), _issues(tmp_path / "npy"))


class TestBadIdsAreRefused:
    def test_a_repeated_id_is_named_with_both_lines(self, tmp_path):
        """Two rows with one id: refused, naming the id and both of the file's lines."""
        ids = [*IDS, *[f"s{i:02d}" for i in range(N - len(IDS))]]
        ids[9] = "007"
        _data(tmp_path, ids=ids)
        res = _audit(tmp_path, "--id-column", "sample")
        assert res.exit_code != 0
        text = _text(res)
        assert "--id-column 'sample' must hold a unique id on every row of DATA" in text
        assert "'007'" in text and "line 2" in text and "line 11" in text
        assert not (tmp_path / "o" / "issues.csv").exists()

    def test_a_missing_id_is_named_with_its_line(self, tmp_path):
        """A row without an id: refused, naming its line."""
        ids = [*IDS, *[f"s{i:02d}" for i in range(N - len(IDS))]]
        ids[6] = None
        _data(tmp_path, ids=ids)
        res = _audit(tmp_path, "--id-column", "sample")
        assert res.exit_code != 0 and "must hold an id on every row of DATA" in _text(res) and "line 8" in _text(res)

    def test_a_misspelt_column_and_the_label_column_are_refused(self, tmp_path):
        """A column DATA lacks is named with DATA's columns; the label column cannot be the ids."""
        _data(tmp_path)
        res = _audit(tmp_path, "--id-column", "Sample")
        assert res.exit_code != 0 and "--id-column 'Sample' is not in DATA" in _text(res)
        res = _audit(tmp_path, "--id-column", "y")
        assert res.exit_code != 0 and "--id-column must differ from --label, both are 'y'" in _text(res)

    def test_the_runs_that_would_not_read_it_refuse_it(self, tmp_path):
        """--demo (no ids), the audit at scale without DATA (--labels and --probs only) and a column
        --split-column names too refuse --id-column before any work."""
        _data(tmp_path)
        res = _run("--demo", "--id-column", "sample", "--out", tmp_path / "demo")
        assert res.exit_code != 0 and "--demo audits scikit-learn's digits, which have no id column" in _text(res)
        np.save(tmp_path / "labels.npy", np.arange(N) % 3)
        res = _run("--probs", tmp_path / "p.npy", "--labels", tmp_path / "labels.npy", "--id-column", "sample")
        assert res.exit_code != 0 and "--id-column 'sample' names a column of DATA, got no DATA table" in _text(res)
        res = _audit(tmp_path, "--id-column", "sample", "--split-column", "sample")
        assert res.exit_code != 0 and "--id-column and --split-column must name different columns" in _text(res)


class TestReportAndExportNameTheIds:
    def test_the_reports_cards_name_each_example_by_its_id(self, tmp_path):
        """report.html's worst-example cards show ``sample ünï`` beside the row."""
        _data(tmp_path)
        res = _audit(tmp_path, "--id-column", "sample", "--report")
        assert res.exit_code == 0, res.output
        html = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
        assert 'class="meta">sample ünï &middot; row 2 &middot;' in html

    def test_the_change_log_names_each_decision_by_the_id_column(self, tmp_path):
        """``labelwise export``'s change log carries the --id-column (not an ``id``-like name) as written."""
        _data(tmp_path)
        assert _audit(tmp_path, "--id-column", "sample").exit_code == 0
        store = DecisionStore(tmp_path / "o" / "review.sqlite")
        store.record(2, "relabel", version=0, reviewer="ann", label="owl")
        store.record(0, "exclude", version=0, reviewer="ann")
        res = CliRunner().invoke(main, ["export", str(tmp_path / "o"), "--out", str(tmp_path / "clean.csv")])
        assert res.exit_code == 0, res.output
        log = pd.read_csv(tmp_path / "clean.changes.csv", dtype={"sample": str})
        assert list(log.columns[:3]) == ["row", "sample", "action"]
        assert dict(zip(log["row"], log["sample"], strict=True)) == {2: "ünï", 0: "007"}
        cleaned = pd.read_csv(tmp_path / "clean.csv", dtype={"sample": str})
        assert "007" not in set(cleaned["sample"]) and cleaned.loc[cleaned["sample"] == "ünï", "y"].item() == "owl"
