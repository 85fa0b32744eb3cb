"""``labelwise rank-agreement`` when one qrels gives every system the same score (session 42)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("ir_measures")


def test_a_qrels_judging_nothing_relevant_writes_null_measures_and_a_warning_naming_it(tmp_path):
    """Every system scores 0 under a qrels that judges no document relevant: main crashed writing NaN into
    summary.json (a traceback, exit 1); now the measures are NaN in agreement.csv, null in summary.json, and a
    warning names the qrels file."""
    rng = np.random.default_rng(0)
    (tmp_path / "runs").mkdir()
    for s in range(3):
        lines = [f"{q} Q0 d{d} {r + 1} {10 - r} s{s}" for q in (1, 2) for r, d in enumerate(rng.permutation(5))]
        (tmp_path / "runs" / f"s{s}.run").write_text("\n".join(lines) + "\n")
    (tmp_path / "h.qrels").write_text("".join(f"{q} 0 d{d} {int(d < 2)}\n" for q in (1, 2) for d in range(5)))
    (tmp_path / "none.qrels").write_text("".join(f"{q} 0 d{d} 0\n" for q in (1, 2) for d in range(5)))
    args = ["rank-agreement", str(tmp_path / "runs"), "--qrels", str(tmp_path / "h.qrels")]
    res = CliRunner().invoke(main, [*args, "--qrels", str(tmp_path / "none.qrels"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "warning: the nDCG@10 under --qrels" in res.output and "none.qrels' (its mean over the topics) gives" in (
        res.output
    )
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert set(summary["values"].values()) == {None}
    assert (tmp_path / "o" / "agreement.csv").read_text().count("nan") == 0  # empty cells, as pandas writes NaN
