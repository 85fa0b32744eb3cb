"""``labelwise audit --classes`` for classification with ``--probs``: a class no row has, named on the command line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main


@pytest.fixture()
def runner():
    return CliRunner()


def _write(tmp_path, labels, n_columns=3, seed=0):
    """DATA with labels ``labels`` and out-of-fold probabilities of ``n_columns`` columns (row i leans to column i % 2)."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    probs = rng.dirichlet(np.ones(n_columns), size=n) * 0.5
    probs[np.arange(n), np.arange(n) % 2] += 0.5
    probs[:4] = rng.dirichlet(np.ones(n_columns), size=4)  # a few rows the model doubts
    pd.DataFrame({"x": rng.normal(size=n), "y": labels}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    return ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / "p.npy")]


def _text_labels(n=60):
    labels = np.array(["cat", "dog"])[np.arange(n) % 2]
    labels[[10, 11]] = ["dog", "cat"]  # two rows against their probabilities
    return labels


def _assert_owl_is_a_column(tmp_path) -> None:
    """The audit in ``tmp_path / "out"`` of ``_text_labels`` with --classes cat,dog,owl: owl (no row)
    in the classes, the joint and per class (0 given), the settings, and the flags and quality of
    the API's classes= in memory."""
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["classes"] == ["cat", "dog", "owl"]
    assert summary["settings"]["classes"] == ["cat", "dog", "owl"]
    owl = summary["per_class"][2]
    assert (owl["class"], owl["n_given"], owl["n_flagged"]) == ("owl", 0, 0)
    assert len(summary["confident_joint"]) == 3
    expected = lw.find_label_issues(_text_labels(), np.load(tmp_path / "p.npy"), classes=["cat", "dog", "owl"])
    issues = _issues(tmp_path / "out").sort_values("row")
    np.testing.assert_array_equal(issues["is_issue"].to_numpy(), expected.is_issue)
    np.testing.assert_allclose(issues["label_quality"].to_numpy(), expected.label_quality)
    assert summary["confident_joint"] == expected.confident_joint.tolist()


class TestClassificationClasses:
    def test_a_class_no_row_has_is_a_column_of_the_audit(self, runner, tmp_path):
        """cat,dog,owl with no row labelled owl: owl is in the classes, the joint and per class (0 given), as the API's classes=."""
        labels = _text_labels()
        argv = [*_write(tmp_path, labels), "--checks", "label", "--no-report"]
        res = runner.invoke(main, [*argv, "--out", str(tmp_path / "plain")])
        assert res.exit_code == 2 and "--classes" in res.output, res.output
        res = runner.invoke(main, [*argv, "--classes", "cat, dog,owl", "--out", str(tmp_path / "out")])
        assert res.exit_code == 0, res.output
        _assert_owl_is_a_column(tmp_path)

    @pytest.mark.parametrize("how", ["memory", "scheduler"])
    def test_the_names_follow_the_column_order(self, runner, tmp_path, how):
        """--classes owl,dog,cat on the columns reversed gives the audit of cat,dog,owl on the columns as
        they were, in memory and at scale."""
        labels = _text_labels()
        argv = [*_write(tmp_path, labels), "--checks", "label", "--no-report"] if how == "memory" else None
        argv = argv or _at_scale(tmp_path, how)
        runner.invoke(main, [*argv, "--classes", "cat,dog,owl", "--out", str(tmp_path / "a")])
        np.save(tmp_path / "p.npy", np.load(tmp_path / "p.npy")[:, ::-1])
        res = runner.invoke(main, [*argv, "--classes", "owl,dog,cat", "--out", str(tmp_path / "b")])
        assert res.exit_code == 0, res.output
        a, b = (_issues(tmp_path / name).sort_values("row").reset_index(drop=True) for name in ("a", "b"))
        pd.testing.assert_series_equal(a["is_issue"], b["is_issue"])
        pd.testing.assert_series_equal(a["suggested_label"], b["suggested_label"])
        np.testing.assert_allclose(a["label_quality"], b["label_quality"])

    def test_integer_labels_are_named_as_integers(self, runner, tmp_path):
        """Labels 0 and 2 (read as int) with --classes 2,0,5: classes [2, 0, 5], the API's audit with those ints."""
        labels = np.where(np.arange(60) % 2 == 0, 2, 0)
        argv = [*_write(tmp_path, labels), "--checks", "label", "--no-report"]
        res = runner.invoke(main, [*argv, "--classes", "2,0,5", "--out", str(tmp_path / "out")])
        assert res.exit_code == 0, res.output
        summary = json.loads((tmp_path / "out" / "summary.json").read_text())
        assert summary["classes"] == [2, 0, 5]
        expected = lw.find_label_issues(labels, np.load(tmp_path / "p.npy"), classes=[2, 0, 5])
        issues = pd.read_csv(tmp_path / "out" / "issues.csv").sort_values("row")
        np.testing.assert_array_equal(issues["is_issue"].to_numpy(), expected.is_issue)

    @pytest.mark.parametrize(
        ("classes", "message"),
        [
            (" , ", "--classes must name the class of each --probs column, comma-separated, got ' , '"),
            ("cat,dog,cat", "--classes must name each column once, 'cat' is given more than once"),
            ("cat,dog", "--classes names 2 classes but --probs has 3 columns (one class per column)"),
            ("cat,owl,fox", "--label column 'y' has labels that --classes does not name: ['dog']"),
        ],
    )
    def test_bad_classes_are_named(self, runner, tmp_path, classes, message):
        """Empty, repeated, too few, or leaving a label of DATA out: one line, exit 2, nothing written."""
        argv = [*_write(tmp_path, _text_labels()), "--checks", "label", "--no-report"]
        res = runner.invoke(main, [*argv, "--classes", classes, "--out", str(tmp_path / "out")])
        assert res.exit_code == 2 and message in res.output, res.output
        assert not (tmp_path / "out").exists()

    def test_without_probs_is_an_error(self, runner, tmp_path):
        """--classes with a model trained here (--model, no --probs): an error saying to give --probs, nothing trained."""
        argv = _write(tmp_path, _text_labels())[:4]
        res = runner.invoke(
            main, [*argv, "--model", "logistic", "--classes", "cat,dog,owl", "--out", str(tmp_path / "out")]
        )
        assert res.exit_code == 2, res.output
        assert "--classes names the columns of --probs, and there is no --probs" in res.output
        assert not (tmp_path / "out").exists()


def _at_scale(tmp_path, how):
    """The audit at scale of ``_write``'s files: with --scheduler threads (labels from DATA), with
    --labels (a CSV table: numpy labels), or with the probs as a .zarr store and the labels as a
    Parquet file (both read on dask, the labels' distinct values per chunk)."""
    argv = _write(tmp_path, _text_labels())
    if how == "scheduler":
        return [*argv, "--scheduler", "threads", "--chunk-rows", "16"]
    labels = pd.read_csv(tmp_path / "d.csv")[["y"]]
    if how == "labels":
        labels.to_csv(tmp_path / "labels.csv", index=False)
        return ["audit", "--probs", str(tmp_path / "p.npy"), "--labels", str(tmp_path / "labels.csv")]
    zarr = pytest.importorskip("zarr")
    probs = np.load(tmp_path / "p.npy")
    z = zarr.open_array(str(tmp_path / "p.zarr"), mode="w", shape=probs.shape, chunks=(16, 3), dtype=probs.dtype)
    z[:] = probs
    labels.to_parquet(tmp_path / "labels.parquet")
    return ["audit", "--probs", str(tmp_path / "p.zarr"), "--labels", str(tmp_path / "labels.parquet"), "--label", "y"]


def _issues(out):
    """The issues an audit wrote to ``out``: issues.csv in memory, issues.parquet at scale."""
    return pd.read_csv(out / "issues.csv") if (out / "issues.csv").exists() else pd.read_parquet(out / "issues.parquet")


class TestClassificationClassesAtScale:
    @pytest.mark.parametrize("how", ["scheduler", "labels", "zarr"])
    def test_a_class_no_row_has_is_a_column_as_in_memory(self, runner, tmp_path, how):
        """--classes cat,dog,owl at scale: owl (no row) in the classes and per class, the settings, and
        the flags and quality of the API's classes= (the in-memory audit's)."""
        argv = _at_scale(tmp_path, how)
        res = runner.invoke(main, [*argv, "--classes", "cat, dog,owl", "--out", str(tmp_path / "out")])
        assert res.exit_code == 0, res.output
        _assert_owl_is_a_column(tmp_path)

    @pytest.mark.parametrize("how", ["scheduler", "labels", "zarr"])
    @pytest.mark.parametrize(
        ("classes", "message"),
        [
            ("cat,dog", "--classes names 2 classes but --probs has 3 columns (one class per column)"),
            ("cat,owl,fox", "has labels that --classes does not name: ['dog']"),
        ],
    )
    def test_bad_classes_are_named_as_in_memory(self, runner, tmp_path, how, classes, message):
        """Too few names, or a label left out (named with the source of the labels): memory's line,
        exit 2, nothing written."""
        argv = _at_scale(tmp_path, how)
        res = runner.invoke(main, [*argv, "--classes", classes, "--out", str(tmp_path / "out")])
        assert res.exit_code == 2 and message in res.output, res.output
        source = "--label column 'y'" if how == "scheduler" else "--labels"
        if "does not name" in message:
            assert f"{source} has labels" in res.output, res.output
        assert not (tmp_path / "out").exists()
