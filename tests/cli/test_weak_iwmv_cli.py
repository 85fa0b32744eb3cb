"""`labelwise weak --model iwmv`: Li and Yu's iterative weighted majority voting from the command line."""

from __future__ import annotations

import json

import numpy as np
from click.testing import CliRunner

from labelwise.cli import main

from .test_weak_cli import DATA, LFS


def test_weak_with_iwmv_writes_its_labels_and_the_homogeneous_view(tmp_path):
    """The command fits IWMV: summary.json names it, labelers.json holds each function's homogeneous confusion."""
    (tmp_path / "lfs.py").write_text(LFS)
    (tmp_path / "data.csv").write_text(DATA)
    out = tmp_path / "out"
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--text-column", "body"]
    args += ["--id-column", "id", "--gold-column", "gold", "--out", str(out), "--quiet", "--model", "iwmv"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "iwmv" and summary["accuracy_on_covered_gold"] == 1.0
    view = json.loads((out / "labelers.json").read_text())
    for record in view["labelers"]:
        confusion = np.array(record["confusion"])
        assert np.allclose(confusion.sum(axis=1), 1.0)
        assert np.allclose(np.diag(confusion), record["estimated_accuracy"])
