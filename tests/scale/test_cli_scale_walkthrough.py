"""Issue 12's commands as a new user meets them (session 18): Dask only where it is used, clear
messages for what the commands at scale do not do."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main

from ._data import noisy_probs

pytest.importorskip("dask.dataframe")


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    """Each test runs in an empty working folder: the commands' default --out (``labelwise-out``) is
    made there, and a checkout where ``make demo`` left one would refuse it first (its earlier
    outputs), before the error a test checks."""
    monkeypatch.chdir(tmp_path)


#: A run of the CLI in a fresh interpreter; ``BLOCK`` makes ``import dask`` fail, as without the extra.
_RUN = textwrap.dedent(
    """
    import sys
    if sys.argv[1] == "block":
        sys.modules["dask"] = None
    from click.testing import CliRunner
    from labelwise.cli import main
    res = CliRunner().invoke(main, sys.argv[2:])
    print("EXIT", res.exit_code)
    print(res.output)
    print("DASK", "dask" in sys.modules and sys.modules["dask"] is not None)
    """
)


def _run_fresh(args, *, block_dask):
    done = subprocess.run(
        [sys.executable, "-c", _RUN, "block" if block_dask else "free", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout


@pytest.fixture
def npy_files(tmp_path):
    labels, probs = noisy_probs(800, 4, seed=18)
    np.save(tmp_path / "probs.npy", probs)
    np.save(tmp_path / "labels.npy", labels)
    pd.DataFrame({"y": labels}).to_parquet(tmp_path / "labels.parquet")
    return tmp_path, labels, probs


@pytest.mark.slow
@pytest.mark.parametrize("labels_file", ["labels.npy", "labels.parquet"])
def test_labels_file_on_threads_runs_without_dask_and_does_not_import_it(npy_files, labels_file):
    """`audit --probs p.npy --labels l.npy|l.parquet` (threads) needs no Dask: it ran, and imported none
    (before: 'dask' imported, and without the extra it stopped with '--scheduler needs Dask')."""
    folder, labels, probs = npy_files
    args = ["audit", "--probs", folder / "probs.npy", "--labels", folder / labels_file, "--label", "y"]
    for block in (True, False):
        out = folder / f"out-{block}"
        printed = _run_fresh([*args, "--out", out], block_dask=block)
        assert "EXIT 0" in printed and "DASK False" in printed, printed
        table = pd.read_parquet(out / "issues.parquet").sort_values("row")
        np.testing.assert_array_equal(table["is_issue"].to_numpy(), lw.find_label_issues(labels, probs).is_issue)


@pytest.mark.slow
def test_a_scheduler_without_dask_names_the_scheduler_and_the_extra(npy_files):
    """`--scheduler processes` without the dask extra: one line naming the scheduler and the extra, exit 2."""
    folder, _, _ = npy_files
    args = ["audit", "--probs", folder / "probs.npy", "--labels", folder / "labels.npy", "--scheduler", "processes"]
    printed = _run_fresh([*args, "--out", folder / "o"], block_dask=True)
    assert (
        "EXIT 2" in printed
        and '--scheduler processes needs dask, which is not installed: pip install "labelwise[dask]"' in printed
    )


def test_a_parquet_folder_of_labels_without_probs_says_probs_are_needed_and_how_to_make_them(npy_files):
    """The issue's `audit big_parquet_dir/ --label y --scheduler local` without --probs: the message says the
    audit at scale trains no model and names the function that makes the probabilities on a cluster."""
    folder, _, _ = npy_files
    res = CliRunner().invoke(main, ["audit", str(folder), "--label", "y", "--scheduler", "local"])
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) <= 3 and "--probs" in res.output and "out_of_fold_probs_on_cluster" in res.output, res.output


def test_chunk_rows_without_an_audit_at_scale_is_refused_not_left_out(npy_files):
    """`audit data.csv --label y --chunk-rows 100` (the in-memory audit, which has no chunks): one line
    naming --chunk-rows, exit 2 (before: the option was silently left out)."""
    folder, labels, _ = npy_files
    pd.DataFrame({"x": np.arange(len(labels)), "y": labels}).to_csv(folder / "data.csv", index=False)
    res = CliRunner().invoke(main, ["audit", str(folder / "data.csv"), "--label", "y", "--chunk-rows", "100"])
    assert res.exit_code == 2, res.output
    assert "--chunk-rows applies to an audit of --probs" in res.output, res.output
