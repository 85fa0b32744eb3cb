"""``--scheduler`` / ``--chunk-rows`` / ``--labels`` on the command line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main

from ._data import noisy_probs

pytest.importorskip("dask.dataframe")


def _invoke(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_audit_of_npy_probs_and_labels_file_on_threads_writes_parquet_and_summary(tmp_path):
    labels, probs = noisy_probs(3000, 5, seed=11)
    np.save(tmp_path / "probs.npy", probs)
    np.save(tmp_path / "labels.npy", labels)
    out = tmp_path / "out"
    res = _invoke(
        [
            "audit",
            "--probs",
            str(tmp_path / "probs.npy"),
            "--labels",
            str(tmp_path / "labels.npy"),
            "--scheduler",
            "threads",
            "--chunk-rows",
            "700",
            "--out",
            str(out),
        ]
    )
    assert res.exit_code == 0, res.output
    reference = lw.find_label_issues(labels, probs)
    table = pd.read_parquet(out / "issues.parquet").sort_values("row")
    np.testing.assert_array_equal(table["is_issue"].to_numpy(), reference.is_issue)
    assert json.loads((out / "summary.json").read_text())["n_issues"] == reference.n_issues


def test_audit_of_zarr_probs_with_parquet_labels_runs_on_dask(tmp_path):
    zarr = pytest.importorskip("zarr")
    labels, probs = noisy_probs(2000, 4, seed=12)
    z = zarr.open_array(str(tmp_path / "probs.zarr"), mode="w", shape=probs.shape, chunks=(300, 4), dtype=probs.dtype)
    z[:] = probs
    pd.DataFrame({"y": labels}).to_parquet(tmp_path / "labels.parquet")
    out = tmp_path / "out"
    res = _invoke(
        [
            "audit",
            "--probs",
            str(tmp_path / "probs.zarr"),
            "--labels",
            str(tmp_path / "labels.parquet"),
            "--label",
            "y",
            "--out",
            str(out),
        ]
    )
    assert res.exit_code == 0, res.output
    table = pd.read_parquet(out / "issues.parquet").sort_values("row")
    np.testing.assert_array_equal(table["is_issue"].to_numpy(), lw.find_label_issues(labels, probs).is_issue)


def test_unreachable_scheduler_address_is_one_line_and_exit_2(tmp_path):
    labels, probs = noisy_probs(100, 3)
    np.save(tmp_path / "probs.npy", probs)
    np.save(tmp_path / "labels.npy", labels)
    res = CliRunner().invoke(
        main,
        [
            "audit",
            "--probs",
            str(tmp_path / "probs.npy"),
            "--labels",
            str(tmp_path / "labels.npy"),
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "--scheduler" in lines[0] and "tcp://127.0.0.1:9" in lines[0]


@pytest.mark.parametrize("probs_file", ["probs.npy", "probs.zarr"])
@pytest.mark.parametrize("scheduler", [[], ["--scheduler", "threads"]])
def test_labels_of_another_length_than_probs_is_one_line_and_exit_2(tmp_path, probs_file, scheduler):
    """--labels with fewer rows than --probs names both (a .zarr gave a Dask traceback)."""
    labels, probs = noisy_probs(120, 3, seed=3)
    if probs_file.endswith(".zarr"):
        zarr = pytest.importorskip("zarr")
        z = zarr.open_array(str(tmp_path / probs_file), mode="w", shape=probs.shape, chunks=(50, 3), dtype=probs.dtype)
        z[:] = probs
    else:
        np.save(tmp_path / probs_file, probs)
    np.save(tmp_path / "labels.npy", labels[:100])
    args = ["audit", "--probs", str(tmp_path / probs_file), "--labels", str(tmp_path / "labels.npy"), *scheduler]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "--labels must hold one label per row of --probs (120 rows), got shape (100,)" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "o").exists()


def test_labels_saved_as_an_object_array_is_one_line_and_exit_2(tmp_path):
    """An object-dtype labels .npy (it needs pickle) says how to save it instead of a numpy traceback."""
    labels, probs = noisy_probs(60, 3, seed=4)
    np.save(tmp_path / "probs.npy", probs)
    np.save(tmp_path / "labels.npy", labels.astype(object), allow_pickle=True)
    args = ["audit", "--probs", str(tmp_path / "probs.npy"), "--labels", str(tmp_path / "labels.npy")]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "holds Python objects" in res.output and "astype(str)" in res.output


def test_an_interrupted_parquet_write_keeps_the_old_output_and_no_temporary(tmp_path, monkeypatch):
    """Ctrl-C while issues.parquet is written: the previous one stays, no temporary folder is left."""
    from labelwise.cli import _scale

    labels, probs = noisy_probs(200, 3, seed=5)
    out = tmp_path / "out"
    (out / "issues.parquet").mkdir(parents=True)
    (out / "issues.parquet" / "part.0.parquet").write_text("previous")

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_parquet", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _scale.write_issues(lw.find_label_issues(labels, probs), out)
    assert sorted(p.name for p in out.iterdir()) == ["issues.parquet"]
    assert (out / "issues.parquet" / "part.0.parquet").read_text() == "previous"


def test_zarr_probs_chunked_along_columns_are_merged_with_a_warning(tmp_path):
    """A .zarr split along its columns: the audit runs (same flags) and a warning says the chunks were merged."""
    zarr = pytest.importorskip("zarr")
    labels, probs = noisy_probs(300, 4, seed=6)
    z = zarr.open_array(str(tmp_path / "p.zarr"), mode="w", shape=probs.shape, chunks=(100, 2), dtype=probs.dtype)
    z[:] = probs
    np.save(tmp_path / "labels.npy", labels)
    args = ["audit", "--probs", str(tmp_path / "p.zarr"), "--labels", str(tmp_path / "labels.npy")]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "warning: --probs" in res.output and "chunked along its columns (2 column chunks)" in res.output
    table = pd.read_parquet(tmp_path / "o" / "issues.parquet").sort_values("row")
    np.testing.assert_array_equal(table["is_issue"].to_numpy(), lw.find_label_issues(labels, probs).is_issue)


def test_string_labels_from_parquet_with_other_chunks_give_no_warning(tmp_path):
    """Parquet string labels against .zarr probs of other chunks: no warning (neither Dask's about the string
    dtype nor a rechunk notice: the command aligns the labels to the chunks it chose itself)."""
    zarr = pytest.importorskip("zarr")
    codes, probs = noisy_probs(210, 3, seed=7)
    names = np.array(["cat", "dog", "fox"])[codes]
    z = zarr.open_array(str(tmp_path / "p.zarr"), mode="w", shape=probs.shape, chunks=(70, 3), dtype=probs.dtype)
    z[:] = probs
    pd.DataFrame({"y": pd.array(names, dtype="string")}).to_parquet(tmp_path / "labels.parquet")
    args = ["audit", "--probs", str(tmp_path / "p.zarr"), "--labels", str(tmp_path / "labels.parquet"), "--label", "y"]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    warnings = [line for line in res.output.splitlines() if line.startswith("warning:")]
    assert warnings == [], warnings
    table = pd.read_parquet(tmp_path / "o" / "issues.parquet").sort_values("row")
    np.testing.assert_array_equal(table["is_issue"].to_numpy(), lw.find_label_issues(names, probs).is_issue)


def test_aggregate_of_a_parquet_directory_matches_in_memory_labels(tmp_path):
    true = np.random.default_rng(0).integers(0, 3, 400)
    answers = lw.aggregate.simulate_annotators(true, n_annotators=12, random_state=0).answers
    folder = tmp_path / "answers"
    folder.mkdir()
    answers.iloc[:500].to_parquet(folder / "part.0.parquet")
    answers.iloc[500:].to_parquet(folder / "part.1.parquet")
    out = tmp_path / "agg"
    res = _invoke(["aggregate", str(folder), "--method", "dawid-skene", "--scheduler", "threads", "--out", str(out)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out / "labels.csv")
    ref = lw.aggregate.DawidSkene().fit(answers)
    np.testing.assert_array_equal(got["label"].to_numpy(), ref.labels_.to_numpy())


@pytest.mark.parametrize("content", [None, "answers.csv", "part.0.parquet"])
def test_aggregate_of_a_folder_without_readable_parquet_is_one_line_and_exit_2(tmp_path, content):
    """An empty folder, a folder of CSVs or a corrupt part gave Dask's two chained tracebacks (session 15)."""
    folder = tmp_path / "answers"
    folder.mkdir()
    if content is not None:
        (folder / content).write_text("item,annotator,label\n1,a,x\n")
    res = CliRunner().invoke(main, ["aggregate", str(folder), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and f"PATH {str(folder)!r}" in lines[0], res.output
    assert ("could not be read as Parquet" if content == "part.0.parquet" else "without Parquet files") in lines[0]
    assert not (tmp_path / "o").exists()


def test_labels_folder_without_parquet_is_one_line_and_exit_2(tmp_path):
    """--labels naming a folder with no Parquet parts names --labels, not a Dask traceback."""
    labels, probs = noisy_probs(60, 3, seed=5)
    np.save(tmp_path / "probs.npy", probs)
    (tmp_path / "labels").mkdir()
    args = ["audit", "--probs", str(tmp_path / "probs.npy"), "--labels", str(tmp_path / "labels"), "--label", "y"]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "--labels" in res.output and "without Parquet files" in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("label", [None, "y"])
def test_labels_table_at_scale_keeps_texts_a_number_parser_would_merge(tmp_path, label):
    """A --labels CSV with '01' and '1' gives two classes at scale too (the parser made both 1)."""
    from labelwise.cli._scale import load_labels

    path = tmp_path / "labels.csv"
    path.write_text("y\n01\n1\n2\n01\n")
    values = load_labels(path, None, label, np.zeros((4, 3)))
    assert list(values) == ["01", "1", "2", "01"]
