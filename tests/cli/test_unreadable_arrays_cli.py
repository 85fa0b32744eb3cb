"""Every command option (and audit-folder file) that reads a .npy/.npz: an empty, truncated or
object-array file exits 2 with one line naming the option and the file, never click's "Aborted!"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from tests.cli.sweep.specs import make_inputs
from tests.report.test_tasks import _audit, _segmentation_case


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _object(path: Path) -> None:
    values = np.array(["x", None, 3], dtype=object)
    if path.suffix == ".npz":
        np.savez(path, values, values)
    else:
        np.save(path, values, allow_pickle=True)


#: How to spoil a valid array file in place.
SPOIL = {"empty": lambda p: p.write_bytes(b""), "truncated": _truncated, "object": _object}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The sweep's valid inputs plus a CoNLL file, a regression table and a real audit output folder."""
    folder = tmp_path_factory.mktemp("arrays") / "in"
    p = make_inputs(folder)
    (folder / "c.conll").write_text("EU B-ORG\nrejects O\n\nPeter B-PER\nspoke O\n")
    tok = np.array([[0.9, 0.05, 0.05], [0.05, 0.05, 0.9], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]])
    np.save(folder / "tok.npy", tok)
    np.savez(folder / "tok.npz", tok[:2], tok[2:])
    np.save(folder / "labels.npy", np.arange(30) % 3)
    np.save(folder / "test.npy", np.arange(40) % 3)
    np.save(folder / "corr.npy", np.where(np.arange(40) % 4 == 0, (np.arange(40) + 1) % 3, np.arange(40) % 3))
    np.save(folder / "feats.npy", np.random.default_rng(0).normal(size=(30, 4)))
    np.save(folder / "pred.npy", pd.read_csv(p["data"])["a"].to_numpy() + 0.1)
    args = ["audit", str(p["data"]), "--label", "y", "--probs", str(p["probs"]), "--no-report"]
    res = CliRunner().invoke(main, [*args, "--out", str(folder / "run")])
    assert res.exit_code == 0, res.output
    return folder


SHIFT = ["shift", "--train-probs", "{in}/vp.npy", "--train-labels", "{in}/vl.npy", "--target-probs", "{in}/tp.npy"]
SHIFT += ["--n-boot", "0", "--calibration", "none"]

#: name -> (argv with {in} for the inputs folder, the spoiled file, the name the line must use).
CASES = {
    "audit --probs": (["audit", "{in}/data.csv", "--label", "y", "--probs", "{in}/probs.npy"], "probs.npy", "--probs"),
    "audit --features": (
        ["audit", "{in}/data.csv", "--label", "y", "--probs", "{in}/probs.npy", "--features", "{in}/feats.npy"],
        "feats.npy",
        "--features",
    ),
    "audit --labels (scale)": (
        ["audit", "--probs", "{in}/probs.npy", "--labels", "{in}/labels.npy", "--scheduler", "threads"],
        "labels.npy",
        "--labels",
    ),
    "audit --probs (scale)": (
        ["audit", "--probs", "{in}/probs.npy", "--labels", "{in}/labels.npy", "--scheduler", "threads"],
        "probs.npy",
        "--probs",
    ),
    "audit --task token --probs .npy": (
        ["audit", "{in}/c.conll", "--task", "token", "--probs", "{in}/tok.npy"],
        "tok.npy",
        "--probs",
    ),
    "audit --task token --probs .npz": (
        ["audit", "{in}/c.conll", "--task", "token", "--probs", "{in}/tok.npz"],
        "tok.npz",
        "--probs",
    ),
    "audit --task regression --predictions": (
        ["audit", "{in}/data.csv", "--task", "regression", "--label", "a", "--predictions", "{in}/pred.npy"],
        "pred.npy",
        "--predictions",
    ),
    "aggregate --probs": (
        ["aggregate", "{in}/answers.csv", "--probs", "{in}/agg_probs.npy"],
        "agg_probs.npy",
        "--probs",
    ),
    "evaluate --human-counts": (
        ["evaluate", "{in}/preds", "--labels", "{in}/test.csv", "--human-counts", "{in}/counts.npy", "--seeds", "1"],
        "counts.npy",
        "--human-counts",
    ),
    "evaluate --corrections .npy": (
        ["evaluate", "{in}/preds", "--labels", "{in}/test.csv", "--corrections", "{in}/corr.npy", "--seeds", "1"],
        "corr.npy",
        "--corrections",
    ),
    "evaluate PREDICTIONS": (
        ["evaluate", "{in}/preds", "--labels", "{in}/test.csv", "--human-counts", "{in}/counts.npy", "--seeds", "1"],
        "preds/copy.npy",
        "PREDICTIONS",
    ),
    "evaluate --labels .npy": (
        ["evaluate", "{in}/preds", "--labels", "{in}/test.npy", "--human-counts", "{in}/counts.npy", "--seeds", "1"],
        "test.npy",
        "--labels",
    ),
    **{
        f"shift {option}": (SHIFT, file, option)
        for option, file in [("--train-probs", "vp.npy"), ("--train-labels", "vl.npy"), ("--target-probs", "tp.npy")]
    },
    "report OUT_DIR probs.npy": (["report", "{in}/run", "--out", "{in}/r.html"], "run/probs.npy", "OUT_DIR"),
}


def _run(case: str, folder: Path, out: Path):
    argv = [a.format(**{"in": str(folder)}) for a in CASES[case][0]]
    return CliRunner().invoke(main, argv if argv[0] == "report" else [*argv, "--out", str(out)])


@pytest.mark.parametrize("case", list(CASES))
def test_each_case_runs_with_its_files_intact(inputs, tmp_path, case):
    """Unspoilt, every invocation succeeds: the failures below are the spoilt file's alone."""
    folder = tmp_path / "in"
    shutil.copytree(inputs, folder)
    res = _run(case, folder, tmp_path / "out")
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("spoil", list(SPOIL))
@pytest.mark.parametrize("case", list(CASES))
def test_an_unreadable_array_file_is_one_line_naming_the_option(inputs, tmp_path, case, spoil):
    """Exit 2, one 'error:' line: '<option> file <path> is not a readable .npy/.npz file: <reason>'."""
    folder = tmp_path / "in"
    shutil.copytree(inputs, folder)
    _, spoilt, name = CASES[case]
    target = folder / spoilt
    SPOIL[spoil](target)
    res = _run(case, folder, tmp_path / "out")
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert res.exit_code == 2, res.output
    assert len(lines) == 1 and "Aborted" not in res.output, res.output
    assert f"{name} file " in lines[0] and target.name in lines[0], lines[0]
    assert f"is not a readable {target.suffix} file: " in lines[0], lines[0]
    if spoil == "empty":
        assert "it is empty (0 bytes)" in lines[0]
    if spoil == "object":
        assert "holds Python objects" in lines[0]


def test_a_real_audit_folder_keeps_its_probs(inputs):
    """The report case spoils a file the audit really wrote (so the case cannot pass vacuously)."""
    summary = json.loads((inputs / "run" / "summary.json").read_text())
    assert (inputs / "run" / "probs.npy").is_file() and summary["n_examples"] == 30


@pytest.mark.parametrize("spoil", list(SPOIL))
def test_a_segmentation_report_whose_probs_file_is_spoilt(tmp_path, spoil):
    """The report of a segmentation audit reads the --probs file its summary names: spoilt, one line, exit 2
    (an empty file's EOFError was click's "Aborted!"; a cut one was drawn as if there were no probs)."""
    folder, _, _ = _segmentation_case(tmp_path)
    out = _audit(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npy")
    SPOIL[spoil](tmp_path / "p.npy")
    res = CliRunner().invoke(main, ["report", str(out)])
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert res.exit_code == 2 and len(lines) == 1, res.output
    assert "summary.json settings.probs file" in lines[0] and "p.npy' is not a readable .npy file: " in lines[0]
