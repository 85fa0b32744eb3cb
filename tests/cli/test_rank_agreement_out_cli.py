"""``labelwise rank-agreement`` refuses an --out that is RUN_DIR (its outputs would become runs)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("ir_measures")


def _inputs(tmp_path):
    rng = np.random.default_rng(0)
    (tmp_path / "runs").mkdir()
    for s in range(3):
        lines = [f"{q} Q0 d{d} {r + 1} {10 - r} s{s}" for q in (1, 2) for r, d in enumerate(rng.permutation(5))]
        (tmp_path / "runs" / f"s{s}.run").write_text("\n".join(lines) + "\n")
    for name, top in (("a.qrels", 2), ("b.qrels", 3)):
        (tmp_path / name).write_text("".join(f"{q} 0 d{d} {int(d < top)}\n" for q in (1, 2) for d in range(5)))
    return ["rank-agreement", str(tmp_path / "runs"), "--qrels", str(tmp_path / "a.qrels"), "--qrels"]


def test_out_equal_to_run_dir_is_refused_and_writes_nothing(tmp_path):
    """--out RUN_DIR wrote systems.csv, agreement.csv... among the runs, and every later run on the folder failed
    reading agreement.csv as a run; now it is an error naming --out and RUN_DIR, and the folder is left as it was."""
    args = _inputs(tmp_path)
    res = CliRunner().invoke(main, [*args, str(tmp_path / "b.qrels"), "--n-boot", "5", "--out", str(tmp_path / "runs")])
    assert res.exit_code != 0
    assert "--out" in res.output and "is RUN_DIR" in res.output
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["s0.run", "s1.run", "s2.run"]


def test_out_inside_run_dir_is_written_and_not_read_as_runs(tmp_path):
    """A folder inside RUN_DIR is not read as a run: a second run on RUN_DIR works."""
    args = _inputs(tmp_path)
    for out in ("o1", "o2"):
        res = CliRunner().invoke(
            main, [*args, str(tmp_path / "b.qrels"), "--n-boot", "5", "--out", str(tmp_path / "runs" / out)]
        )
        assert res.exit_code == 0, res.output
