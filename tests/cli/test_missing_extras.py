"""The command line as a user who installed only the core meets it: every path that needs a missing
extra prints one line naming the package and `pip install "labelwise[<extra>]"` and exits 2, before
any file is written; `import labelwise` and every command's --help need no extra."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise._extras import EXTRAS
from labelwise.cli import main
from tests._blocked import block
from tests.report.fake_outputs import write_audit


def _one_line_error(result, pattern: str) -> None:
    """Exit 2, no traceback, one line matching ``pattern``."""
    assert result.exit_code == 2, (result.output, result.exception)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert re.search(pattern, lines[0]), lines[0]


@pytest.fixture
def npy(tmp_path):
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 3, 120)
    probs = rng.dirichlet(np.ones(3), 120)
    np.save(tmp_path / "probs.npy", probs)
    np.save(tmp_path / "labels.npy", labels)
    return tmp_path


class TestScale:
    def test_local_scheduler_without_distributed_names_distributed(self, npy, monkeypatch):
        """`--scheduler local` with dask but not distributed: before, a ModuleNotFoundError traceback."""
        pytest.importorskip("dask")
        block(monkeypatch, "distributed")
        args = ["audit", "--probs", str(npy / "probs.npy"), "--labels", str(npy / "labels.npy")]
        result = CliRunner().invoke(main, [*args, "--scheduler", "local", "--out", str(npy / "o")])
        _one_line_error(
            result, r'--scheduler local needs distributed, which is not installed: pip install "labelwise\[dask\]"'
        )
        assert not (npy / "o").exists()

    def test_zarr_probs_without_zarr_is_one_line(self, npy, monkeypatch):
        """`--probs store.zarr` with dask but not zarr: before, zarr's ImportError as a traceback."""
        da = pytest.importorskip("dask.array")
        pytest.importorskip("zarr")
        da.from_array(np.load(npy / "probs.npy"), chunks=(60, 3)).to_zarr(str(npy / "p.zarr"))
        block(monkeypatch, "zarr")
        args = ["audit", "--probs", str(npy / "p.zarr"), "--labels", str(npy / "labels.npy"), "--out", str(npy / "o")]
        _one_line_error(
            CliRunner().invoke(main, args), r"--probs '.*p\.zarr' \(a Zarr store\) needs zarr, .*labelwise\[dask\]"
        )
        assert not (npy / "o").exists()

    @pytest.mark.parametrize("spec", ["processes", "local"])
    def test_scheduler_without_dask_is_one_line(self, npy, monkeypatch, spec):
        """`--scheduler processes|local` without dask: the option and the double-quoted install command."""
        block(monkeypatch, "dask", "distributed")
        args = ["audit", "--probs", str(npy / "probs.npy"), "--labels", str(npy / "labels.npy")]
        result = CliRunner().invoke(main, [*args, "--scheduler", spec, "--out", str(npy / "o")])
        _one_line_error(
            result, rf'--scheduler {spec} needs dask, which is not installed: pip install "labelwise\[dask\]"'
        )

    def test_parquet_folder_of_answers_without_dask_is_one_line(self, tmp_path, monkeypatch):
        """`aggregate parts/` (a folder of Parquet parts) without dask."""
        (tmp_path / "parts").mkdir()
        answers = pd.DataFrame({"item": [0, 0, 1, 1], "annotator": [0, 1, 0, 1], "label": [1, 1, 0, 0]})
        answers.to_parquet(tmp_path / "parts" / "part.0.parquet")
        block(monkeypatch, "dask", "distributed")
        result = CliRunner().invoke(main, ["aggregate", str(tmp_path / "parts"), "--out", str(tmp_path / "o")])
        _one_line_error(result, r'PATH .* needs dask, which is not installed: pip install "labelwise\[dask\]"')


class TestWebAndIr:
    def test_review_without_uvicorn_is_one_line_and_leaves_no_database(self, tmp_path, monkeypatch):
        """`review` with fastapi but not uvicorn: before, a traceback after review.sqlite had been made."""
        out = write_audit(tmp_path / "out", kind="features", n=30, noise=0.3)
        block(monkeypatch, "uvicorn")
        result = CliRunner().invoke(main, ["review", str(out), "--port", "0"])
        _one_line_error(result, r'the review server needs uvicorn, .*pip install "labelwise\[web\]"')
        assert not (out / "review.sqlite").exists()

    def test_rank_agreement_without_ir_measures_says_so_before_reading_the_runs(self, tmp_path, monkeypatch):
        """The missing extra comes first (before: a malformed run file's error, then the extra on the next try)."""
        (tmp_path / "runs").mkdir()
        for name in ("a", "b"):
            (tmp_path / "runs" / name).write_text("not a run line\n")
            (tmp_path / f"qrels_{name}").write_text("1 0 d1 1\n")
        block(monkeypatch, "ir_measures")
        args = ["rank-agreement", str(tmp_path / "runs"), "--qrels", str(tmp_path / "qrels_a")]
        result = CliRunner().invoke(main, [*args, "--qrels", str(tmp_path / "qrels_b"), "--out", str(tmp_path / "o")])
        _one_line_error(result, r'rank-agreement .* needs ir-measures, .*pip install "labelwise\[ir\]"')
        assert not (tmp_path / "o").exists()


#: A fresh interpreter with one extra's modules blocked: ``import labelwise`` and every ``--help``.
_FRESH = textwrap.dedent(
    """
    import sys
    for name in sys.argv[1:]:
        sys.modules[name] = None
    import labelwise
    from click.testing import CliRunner
    from labelwise.cli import main
    for args in [["--help"], *[[name, "--help"] for name in sorted(main.commands)]]:
        res = CliRunner().invoke(main, args)
        print(" ".join(args), res.exit_code, type(res.exception).__name__ if res.exception else "")
    print("OK", sorted(m for m in sys.argv[1:] if sys.modules.get(m) is not None))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_import_and_every_help_work_without_each_extra(extra):
    """With every module of one extra blocked, `import labelwise` and `labelwise [COMMAND] --help` exit 0."""
    done = subprocess.run(
        [sys.executable, "-c", _FRESH, *EXTRAS[extra]], capture_output=True, text=True, check=False, timeout=300
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1] == "OK []" and len(lines) > 10, done.stdout
    assert all(line.split()[-1] == "0" for line in lines[:-1]), done.stdout
