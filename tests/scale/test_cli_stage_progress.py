"""``labelwise audit`` / ``aggregate`` at scale: one bar per stage on stderr where it is a terminal, the
report alone on stdout, nothing with ``--quiet`` or without a terminal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main

from ._bars import assert_complete, final_stages
from ._data import noisy_probs

pytest.importorskip("dask.dataframe")

AUDIT = ["pass 1: thresholds", "pass 2: confident joint", "pass 3: pruning", "ranking flagged rows"]


@pytest.fixture
def terminal(monkeypatch):
    """Bars drawn as where stderr is a terminal (the captured stderr gets each line's final state)."""
    monkeypatch.setattr("labelwise._stage_progress.progress_enabled", lambda verbose: verbose is not False)


@pytest.fixture(scope="module")
def audit_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit")
    labels, probs = noisy_probs(4000, 5, seed=19)
    np.save(folder / "probs.npy", probs)
    zarr = pytest.importorskip("zarr")
    store = zarr.open_array(str(folder / "probs.zarr"), mode="w", shape=probs.shape, chunks=(900, 5), dtype=probs.dtype)
    store[:] = probs
    np.save(folder / "labels.npy", labels)
    return folder, lw.find_label_issues(labels, probs)


def _audit(folder, out, *extra, probs="probs.npy"):
    args = ["audit", "--probs", folder / probs, "--labels", folder / "labels.npy", "--out", out, *extra]
    res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    flags = pd.read_parquet(out / "issues.parquet").sort_values("row")["is_issue"].to_numpy()
    return res, flags


@pytest.mark.parametrize("probs", ["probs.npy", "probs.zarr"])
def test_audit_draws_a_bar_per_pass_and_for_the_writing_and_prints_the_report_alone(
    audit_files, tmp_path, terminal, probs
):
    """On a terminal: the passes and the writing on stderr, each complete; stdout holds only the report
    (a memory map on labelwise's threads, and a Zarr store on Dask's)."""
    folder, reference = audit_files
    res, flags = _audit(folder, tmp_path / "out", "--scheduler", "threads", probs=probs)
    assert_complete(res.stderr, [*AUDIT, "writing issues.parquet"])
    assert "examples" in res.stdout and final_stages(res.stdout) == {} and "pass 1" not in res.stdout
    np.testing.assert_array_equal(flags, reference.is_issue)


def test_audit_quiet_draws_nothing_and_writes_the_same(audit_files, tmp_path, terminal):
    """``--quiet`` on a terminal: stderr empty, the same flags as with the bars."""
    folder, reference = audit_files
    res, flags = _audit(folder, tmp_path / "out", "--quiet", "--chunk-rows", "900")
    assert res.stderr == ""
    np.testing.assert_array_equal(flags, reference.is_issue)


def test_audit_without_a_terminal_draws_nothing(audit_files, tmp_path):
    """No terminal (CI logs, a pipe): stderr stays empty without ``--quiet``."""
    folder, _ = audit_files
    res, _ = _audit(folder, tmp_path / "out", "--scheduler", "threads")
    assert res.stderr == ""


@pytest.fixture(scope="module")
def answers_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("answers")
    true = np.random.default_rng(19).integers(0, 3, 400)
    answers = lw.aggregate.simulate_annotators(true, n_annotators=8, random_state=19).answers
    for i, part in enumerate(np.array_split(np.arange(len(answers)), 3)):
        answers.iloc[part].to_parquet(folder / f"part.{i}.parquet")
    return folder, lw.aggregate.DawidSkene().fit(answers)


@pytest.mark.parametrize("quiet", [False, True])
def test_aggregate_of_a_parquet_folder_draws_its_stages_unless_quiet(answers_dir, tmp_path, terminal, quiet):
    """Encoding, EM, gathering and writing drawn on a terminal (none with ``--quiet``); the same labels."""
    folder, reference = answers_dir
    out = tmp_path / "agg"
    args = ["aggregate", str(folder), "--method", "dawid-skene", "--out", str(out), *(["--quiet"] if quiet else [])]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    if quiet:
        assert res.stderr == ""
    else:
        found = assert_complete(
            res.stderr, ["encoding answers", "EM iterations", "gathering labels", "writing labels.csv and 3 more"]
        )
        assert found["writing labels.csv and 3 more"] == (
            4,
            "4",
        )  # labels.csv, annotators.csv, annotators.json, summary.json
    assert "pass" not in res.stdout and "━" not in res.stdout
    labels = pd.read_csv(out / "labels.csv")
    np.testing.assert_array_equal(labels["label"].to_numpy(), reference.labels_.to_numpy())
