"""``labelwise rank-agreement`` ranks runs handed out compressed (``s1.run.gz``) and reads a gzip qrels; main
left every ``.gz`` run out ("not read as runs (by suffix)") and stopped with fewer than 3 runs."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("ir_measures")


def _inputs(tmp_path, compress: bool):
    rng = np.random.default_rng(0)
    folder = tmp_path / ("gz" if compress else "plain")
    folder.mkdir()
    for s in range(3):
        text = "".join(f"{q} Q0 d{d} {r + 1} {10 - r} s{s}\n" for q in (1, 2) for r, d in enumerate(rng.permutation(5)))
        if compress:
            (folder / f"s{s}.run.gz").write_bytes(gzip.compress(text.encode()))
        else:
            (folder / f"s{s}.run").write_text(text)
    qrels = []
    for name, top in (("a", 2), ("b", 3)):
        text = "".join(f"{q} 0 d{d} {int(d < top)}\n" for q in (1, 2) for d in range(5))
        path = folder.with_name(f"{folder.name}_{name}.qrels" + (".gz" if compress else ""))
        path.write_bytes(gzip.compress(text.encode()) if compress else text.encode())
        qrels += ["--qrels", str(path)]
    out = tmp_path / f"o_{folder.name}"
    return ["rank-agreement", str(folder), *qrels, "--n-boot", "5", "--out", str(out)], out


def test_gzip_runs_and_qrels_give_the_plain_files_outputs(tmp_path):
    """Three s*.run.gz and two qrels.gz: the systems and agreement tables of the plain files."""
    outs = []
    for compress in (False, True):
        args, out = _inputs(tmp_path, compress)
        res = CliRunner().invoke(main, args, env={"COLUMNS": "1000"})
        assert res.exit_code == 0, res.output
        assert "not read as runs" not in res.output
        outs.append(out)
    for name in ("systems.csv", "agreement.csv", "topics_a.csv", "topics_b.csv"):
        assert (outs[0] / name).read_text() == (outs[1] / name).read_text(), name
    assert json.loads((outs[1] / "summary.json").read_text())["n_systems"] == 3


def test_help_says_runs_may_be_compressed():
    res = CliRunner().invoke(main, ["rank-agreement", "--help"], env={"COLUMNS": "1000"})
    assert "s1.run.gz" in " ".join(res.output.split())
