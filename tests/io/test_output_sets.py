"""A new output replaces every file of the earlier one in its folder (``files_together(supersedes=...)``)."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import _audit_tasks, main
from labelwise.io import files_together, write_csv, write_json
from labelwise.io.output_sets import AUDIT_OUTPUTS, TASK_TABLES, earlier_outputs
from labelwise.report import load_audit


def _earlier_run(folder, *names):
    folder.mkdir(exist_ok=True)
    (folder / "summary.json").write_text("{}")
    for name in names:
        (folder / name).write_text("old")


def test_files_the_block_did_not_write_are_removed_once_the_new_ones_are_in_place(tmp_path):
    _earlier_run(tmp_path, "issues.csv", "probs.npy")
    (tmp_path / "issues.parquet").mkdir()
    (tmp_path / "issues.parquet" / "part.0.parquet").write_text("old")
    with files_together(supersedes=earlier_outputs(tmp_path, AUDIT_OUTPUTS)):
        write_csv(pd.DataFrame({"row": [0]}), tmp_path / "issues.csv")
        write_json({"new": True}, tmp_path / "summary.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issues.csv", "summary.json"]
    assert json.loads((tmp_path / "summary.json").read_text()) == {"new": True}


def test_nothing_is_removed_when_the_block_raises(tmp_path):
    _earlier_run(tmp_path, "issues.csv", "probs.npy")
    with pytest.raises(RuntimeError), files_together(supersedes=earlier_outputs(tmp_path, AUDIT_OUTPUTS)):
        write_json({"new": True}, tmp_path / "summary.json")
        raise RuntimeError("interrupted")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issues.csv", "probs.npy", "summary.json"]
    assert (tmp_path / "summary.json").read_text() == "{}"


def test_a_nested_block_adds_its_superseded_files_to_the_outer_one(tmp_path):
    _earlier_run(tmp_path, "probs.npy", "regions.csv")
    with files_together(supersedes=[tmp_path / "regions.csv"]):
        with files_together(supersedes=[tmp_path / "probs.npy"]):
            write_json({}, tmp_path / "summary.json")
        assert (tmp_path / "probs.npy").exists()  # removed with the outer block's moves, not before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]


def test_a_folder_without_an_earlier_summary_keeps_files_that_bear_an_output_name(tmp_path):
    (tmp_path / "classes.csv").write_text("the user's own")
    assert earlier_outputs(tmp_path, AUDIT_OUTPUTS) == []


def test_every_task_audit_table_is_an_audit_output():
    """A new task's table must be listed, or a later audit would leave it beside its own files."""
    names = set()
    for runner in _audit_tasks.RUNNERS.values():
        names |= {n for n in TASK_TABLES if f'"{n}"' in inspect.getsource(runner)}
        returns = inspect.getsource(runner).split("return result, {")[1:]
        written = [part.split('"')[1] for part in returns if not part.startswith("}")]  # {}: no table
        # "issues.csv" replaces the result's own table (detection adds the COCO ids): an output already
        assert set(written) <= {*TASK_TABLES, "issues.csv"}, (runner.__name__, written)
    assert names == set(TASK_TABLES)


def _audit(args, out):
    """An audit into ``out``; with --force, as a second run into a folder of outputs must be asked for."""
    args = [*map(str, args), "--out", str(out), *(["--force"] if (out / "summary.json").exists() else [])]
    res = CliRunner().invoke(main, ["audit", *args], catch_exceptions=False)
    assert res.exit_code == 0, res.output


def test_a_task_audit_after_a_classification_audit_leaves_no_earlier_probs(tmp_path):
    """A reader would otherwise find the classification run's probs.npy beside a regression audit."""
    rng = np.random.default_rng(0)
    labels = np.arange(120) % 3
    probs = rng.dirichlet(np.ones(3), 120) * 0.3
    probs[np.arange(120), labels] += 0.7
    pd.DataFrame({"y": labels, "price": rng.normal(size=120)}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    np.save(tmp_path / "pred.npy", rng.normal(size=120))
    out = tmp_path / "out"
    _audit([tmp_path / "d.csv", "--label", "y", "--probs", tmp_path / "p.npy"], out)
    assert load_audit(out).probs is not None
    _audit(
        [tmp_path / "d.csv", "--task", "regression", "--label", "price", "--predictions", tmp_path / "pred.npy"], out
    )
    assert not (out / "probs.npy").exists()
    assert json.loads((out / "summary.json").read_text())["task"] == "regression"


def test_an_audit_of_few_classes_after_one_of_many_leaves_no_earlier_matrices_file(tmp_path):
    rng = np.random.default_rng(1)
    for k, expect_npz in ((120, True), (3, False)):
        labels = np.arange(600) % k
        probs = rng.dirichlet(np.ones(k), 600) * 0.3
        probs[np.arange(600), labels] += 0.7
        pd.DataFrame({"y": labels}).to_csv(tmp_path / "d.csv", index=False)
        np.save(tmp_path / "p.npy", probs)
        _audit([tmp_path / "d.csv", "--label", "y", "--probs", tmp_path / "p.npy"], tmp_path / "out")
        assert (tmp_path / "out" / "summary_matrices.npz").exists() == expect_npz
