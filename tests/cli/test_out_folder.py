"""``--out`` folders: an earlier run's outputs are refused without --force, replaced and tidied with it."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise.io.atomic as atomic
from labelwise.cli import main
from labelwise.cli._common import OutputFolder
from labelwise.cli._out_folder import OUTPUTS, claim
from labelwise.errors import InvalidParameterError
from labelwise.io import files_together, write_csv, write_json
from labelwise.io.atomic import atomic_write
from tests.cli.sweep.specs import SPECS, make_inputs
from tests.cli.sweep.test_bad_inputs import fill


def _audit(tmp_path, out, *extra):
    """A quick audit (given probabilities) of a 60-row table into ``out``."""
    rng = np.random.default_rng(0)
    data = tmp_path / "data.csv"
    if not data.exists():
        pd.DataFrame({"x": rng.normal(size=60), "y": rng.integers(0, 2, 60)}).to_csv(data, index=False)
        np.save(tmp_path / "p.npy", rng.dirichlet(np.ones(2), 60))
    args = ["audit", str(data), "--label", "y", "--probs", str(tmp_path / "p.npy"), "--out", str(out), *extra]
    return CliRunner().invoke(main, args)


class TestClaim:
    def test_an_empty_or_new_folder_is_fine(self, tmp_path):
        """Nothing to refuse and nothing to remove in a new folder or one holding other files."""
        (tmp_path / "notes.txt").write_text("mine")
        assert claim(tmp_path / "new", ("issues.csv",), force=False) == []
        assert claim(tmp_path, ("issues.csv",), force=False) == []

    def test_earlier_outputs_are_refused_by_name_without_force(self, tmp_path):
        """A folder holding one of the command's files is refused, the message naming the files and --force."""
        (tmp_path / "issues.csv").write_text("row\n")
        with pytest.raises(InvalidParameterError, match=r"must not hold earlier outputs, got issues.csv: pass --force"):
            claim(tmp_path, ("issues.csv", "summary.json"), force=False)

    def test_without_a_summary_nothing_is_ever_removed(self, tmp_path):
        """Files named like outputs but without an earlier run's summary.json are the user's: never removed."""
        (tmp_path / "issues.csv").write_text("row\n")
        assert claim(tmp_path, ("issues.csv", "summary.json"), force=True) == []

    def test_only_the_names_a_run_does_not_write_are_removed(self, tmp_path):
        """The files a run writes replace the earlier ones; the earlier outputs it does not write go with them."""
        for name in ("issues.csv", "probs.npy", "summary.json"):
            (tmp_path / name).write_text("old")
        (tmp_path / "notes.txt").write_text("mine")
        earlier = claim(tmp_path, ("issues.csv", "probs.npy", "summary.json"), force=True)
        with files_together(supersedes=earlier):
            write_csv(pd.DataFrame({"row": [0]}), tmp_path / "issues.csv")
            write_json({"new": True}, tmp_path / "summary.json")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["issues.csv", "notes.txt", "summary.json"]
        assert json.loads((tmp_path / "summary.json").read_text()) == {"new": True}

    def test_an_input_and_a_folder_holding_one_are_never_removed(self, tmp_path):
        """An earlier output the run was given as an input (or a folder holding one) is not among those removed."""
        for name in ("probs.npy", "summary.json"):
            (tmp_path / name).write_text("old")
        (tmp_path / "issues.parquet").mkdir()
        (tmp_path / "issues.parquet" / "part.0.parquet").write_text("old")
        inputs = {(tmp_path / "probs.npy").resolve(), (tmp_path / "issues.parquet" / "part.0.parquet").resolve()}
        names = ("probs.npy", "issues.parquet", "summary.json")
        assert claim(tmp_path, names, force=True, inputs=inputs) == [tmp_path / "summary.json"]

    def test_a_failed_run_removes_nothing_and_leaves_no_temporary_file(self, tmp_path):
        """A run that raises midway (one file written, the next half-written) leaves the earlier run as it was."""
        for name in ("issues.csv", "probs.npy", "summary.json"):
            (tmp_path / name).write_text(f"old {name}")
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        earlier = claim(tmp_path, ("issues.csv", "probs.npy", "summary.json"), force=True)
        with pytest.raises(RuntimeError, match="midway"), files_together(supersedes=earlier):
            write_csv(pd.DataFrame({"row": [0]}), tmp_path / "issues.csv")
            with atomic_write(tmp_path / "summary.json") as fh:
                fh.write('{"half": ')
                raise RuntimeError("failed midway")
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


class TestCommands:
    def test_every_command_with_an_out_folder_has_force(self):
        """Each command whose --out is a folder is registered in OUTPUTS and takes --force."""
        folders = {
            name
            for name, command in main.commands.items()
            for p in command.params
            if "--out" in getattr(p, "opts", []) and isinstance(p.type, OutputFolder)
        }
        assert folders == set(OUTPUTS)
        for name in folders:
            assert "--force" in {o for p in main.commands[name].params for o in getattr(p, "opts", [])}, name

    def test_a_second_audit_is_refused_and_the_first_kept(self, tmp_path):
        """Auditing again into the same folder exits 2, names --force, and leaves the first run's files as they were."""
        out = tmp_path / "out"
        assert _audit(tmp_path, out).exit_code == 0
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        result = _audit(tmp_path, out, "--filter-by", "both")
        assert result.exit_code == 2
        assert "--force" in result.output and "issues.csv" in result.output
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    def test_force_replaces_and_removes_what_the_new_run_does_not_write(self, tmp_path):
        """With --force a run of another kind leaves no file of the first run behind; the user's files stay."""
        out = tmp_path / "out"
        assert _audit(tmp_path, out).exit_code == 0
        (out / "notes.txt").write_text("mine")
        (out / "review.sqlite").write_bytes(b"decisions")
        frame = pd.DataFrame({"x": np.arange(30.0), "y": np.tile([1.0, 2.0, 3.5], 10)})
        frame.to_csv(tmp_path / "reg.csv", index=False)
        args = ["audit", str(tmp_path / "reg.csv"), "--label", "y", "--task", "regression", "--out", str(out)]
        result = CliRunner().invoke(main, [*args, "--force"])
        assert result.exit_code == 0, result.output
        assert not (out / "probs.npy").exists()  # the classification's, not written by a regression audit
        assert {"issues.csv", "summary.json", "notes.txt", "review.sqlite"} <= {p.name for p in out.iterdir()}
        assert json.loads((out / "summary.json").read_text())["task"] == "regression"

    def test_a_scale_audit_keeps_the_earlier_probs_it_is_given(self, tmp_path):
        """An audit at scale of the earlier audit's probs.npy (which it does not write) keeps that input."""
        out = tmp_path / "out"
        assert _audit(tmp_path, out).exit_code == 0
        probs = (out / "probs.npy").read_bytes()
        np.save(tmp_path / "y.npy", np.tile([0, 1], 30))
        args = ["audit", "--probs", str(out / "probs.npy"), "--labels", str(tmp_path / "y.npy"), "--out", str(out)]
        result = CliRunner().invoke(main, [*args, "--force"])
        assert result.exit_code == 0, result.output
        assert (out / "probs.npy").read_bytes() == probs
        assert not (out / "issues.csv").exists()  # the in-memory audit's table, superseded by issues.parquet
        assert sorted(p.name for p in out.iterdir()) == [
            "class_overlap.csv",
            "issues.parquet",
            "probs.npy",
            "summary.json",
        ]

    def test_an_audit_after_a_scale_audit_removes_its_issues_folder(self, tmp_path):
        """An in-memory audit after one at scale leaves no issues.parquet/ beside its issues.csv."""
        out = tmp_path / "out"
        assert _audit(tmp_path, out).exit_code == 0
        np.save(tmp_path / "y.npy", np.tile([0, 1], 30))
        scale = ["audit", "--probs", str(tmp_path / "p.npy"), "--labels", str(tmp_path / "y.npy"), "--out", str(out)]
        assert CliRunner().invoke(main, [*scale, "--force"]).exit_code == 0
        assert (out / "issues.parquet").is_dir()
        assert _audit(tmp_path, out, "--force").exit_code == 0
        assert sorted(p.name for p in out.iterdir()) == ["class_overlap.csv", "issues.csv", "probs.npy", "summary.json"]


#: The first sweep spec of each command with an --out folder, and other options for its second run.
OTHER_OPTIONS = {
    "audit": ("--filter-by", "both"),
    "aggregate": ("--method", "dawid-skene"),
    "aggregate-pairs": ("--prior", "2"),
    "aggregate-numbers": ("--prior", "3"),
    "aggregate-tags": ("--threshold", "0.4"),
    "aggregate-texts": ("--max-iter", "50"),
    "weak": ("--random-state", "1"),
    "train": ("--cv", "3"),
    "train-crowds": ("--random-state", "1"),
    "train-tags": ("--cv", "3"),
    "pseudolabel": ("--random-state", "1"),
    "evaluate": ("--random-state", "1"),
    "rank-agreement": ("--random-state", "1"),
    "shift": ("--random-state", "1"),
    "label-shift": ("--k", "2"),
    "robustness": ("--budgets", "0.2"),
    "detect-poison": ("--detector", "activation-clustering"),
    "aggregate-masks": ("--method", "majority"),
    "aggregate-boxes": ("--fuse", "mean"),
    "slices": ("--random-state", "1"),
    "augment": ("--random-state", "1"),
}


def _earlier_run(command, tmp_path, monkeypatch):
    """Run ``command`` once into ``out``; then a stale file bears an output name (as if an earlier run
    of another kind had written it) and the input is read from ``out`` (under its own name: an input
    under an output name is refused, :func:`test_an_input_under_an_output_name_is_refused_even_with_force`).
    Returns the argv of a second run with other options, ``out`` and the input."""
    inputs = make_inputs(tmp_path / "inputs")
    spec = SPECS[command]
    out = tmp_path / "out"
    assert CliRunner().invoke(main, fill(spec, inputs, out)).exit_code == 0
    key = next(iter(spec.inputs.values()))[0]
    moved = out / inputs[key].name
    shutil.move(inputs[key], moved)
    inputs[key] = moved
    (out / "stale.csv").write_text("an earlier run's output\n")
    for name, content in (("review.sqlite", b"decisions"), ("report.html", b"<html>"), ("notes.txt", b"mine")):
        (out / name).write_bytes(content)
    names = OUTPUTS[command]
    names = names({}) if callable(names) else names
    monkeypatch.setitem(OUTPUTS, command, (*names, "stale.csv"))
    return [*fill(spec, inputs, out), *OTHER_OPTIONS[command]], out, moved


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_an_input_under_an_output_name_is_refused_even_with_force(command, tmp_path):
    """Every command: an input lying in --out under a name the command writes would be replaced by its
    output (``train out/issues.csv --out out --force`` replaced the user's table): refused, with or
    without --force, naming the input, and the folder left as it was."""
    inputs = make_inputs(tmp_path / "inputs")
    spec = SPECS[command]
    out = tmp_path / "out"
    out.mkdir()
    names = OUTPUTS[command]
    names = names({}) if callable(names) else names
    key = next(iter(spec.inputs.values()))[0]
    target = out / next(n for n in names if "." in n and not n.endswith(".parquet"))
    shutil.move(inputs[key], target)
    inputs[key] = target
    before = target.read_bytes() if target.is_file() else None
    for extra in ([], ["--force"]):
        result = CliRunner().invoke(main, [*fill(spec, inputs, out), *extra])
        assert result.exit_code == 2, result.output
        assert f"writes {target.name}, which would replace its input" in " ".join(result.output.split())
    assert [p.name for p in out.iterdir()] == [target.name]
    if before is not None:
        assert target.read_bytes() == before


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_force_removes_what_the_run_does_not_write_and_keeps_its_input(command, tmp_path, monkeypatch):
    """Every command: a --force run with other options removes the earlier output it does not write, and
    keeps the input it was given (in the folder), review.sqlite, report.html and the user's files."""
    argv, out, given = _earlier_run(command, tmp_path, monkeypatch)
    kept = {p.name: p.read_bytes() for p in out.iterdir() if p.name in ("review.sqlite", "report.html", "notes.txt")}
    before = {p: p.read_bytes() for p in given.rglob("*") if p.is_file()} if given.is_dir() else given.read_bytes()
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    assert not (out / "stale.csv").exists()
    assert given.exists()
    assert (
        given.read_bytes() if given.is_file() else {p: p.read_bytes() for p in given.rglob("*") if p.is_file()}
    ) == before
    assert {name: (out / name).read_bytes() for name in kept} == kept
    assert set(SPECS[command].outputs) <= {p.name for p in out.iterdir()}


class _FailingOs:
    """``labelwise.io.atomic``'s view of :mod:`os`, whose second ``fsync`` fails (a full disk, midway)."""

    def __init__(self) -> None:
        self.synced = 0

    def fsync(self, fd: int) -> None:
        self.synced += 1
        if self.synced == 2:
            raise OSError(28, "No space left on device")
        os.fsync(fd)

    def __getattr__(self, name: str):
        return getattr(os, name)


@pytest.mark.parametrize("command", sorted(OUTPUTS))
def test_a_run_failing_midway_removes_nothing_and_leaves_no_temporary_file(command, tmp_path, monkeypatch):
    """Every command: a --force run whose second file fails to write exits with the error and leaves the
    earlier run's files (the one it would not write included) byte for byte, and no temporary file."""
    argv, out, _ = _earlier_run(command, tmp_path, monkeypatch)
    before = {str(p.relative_to(out)): p.read_bytes() if p.is_file() else None for p in out.rglob("*")}
    monkeypatch.setattr(atomic, "os", _FailingOs())
    result = CliRunner().invoke(main, argv)
    monkeypatch.setattr(atomic, "os", os)
    assert result.exit_code == 2, result.output  # a StorageError: one line, exit status 2
    assert "No space left on device" in result.output
    assert {str(p.relative_to(out)): p.read_bytes() if p.is_file() else None for p in out.rglob("*")} == before


def test_a_second_aggregate_demo_keeps_the_demo_files_it_wrote(tmp_path):
    """aggregate --demo writes its answers.csv, gold.csv and demo.csv before aggregating: a --force demo with
    another method keeps them (they are this run's, not left-overs)."""
    out = tmp_path / "out"
    args = ["aggregate", "--demo", "--demo-items", "200", "--top", "0", "--out", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    result = CliRunner().invoke(main, [*args, "--method", "majority-vote", "--force"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir()}
    assert {"answers.csv", "gold.csv", "demo.csv", "labels.csv", "summary.json"} <= names
    assert json.loads((out / "summary.json").read_text())["method"] == "majority-vote"


class TestInputsAreNeverOverwritten:
    def test_data_named_like_an_output_in_out_is_refused_even_with_force(self, tmp_path):
        """DATA at OUT/issues.csv would be replaced by the audit's issues.csv: refused with or without --force,
        naming DATA, and the table is left as it was."""
        out = tmp_path / "out"
        out.mkdir()
        data = out / "issues.csv"
        pd.DataFrame({"x": np.arange(40.0), "y": np.tile(["a", "b"], 20)}).to_csv(data, index=False)
        before = data.read_bytes()
        np.save(tmp_path / "p.npy", np.full((40, 2), 0.5))
        args = ["audit", str(data), "--label", "y", "--probs", str(tmp_path / "p.npy"), "--out", str(out)]
        for extra in ([], ["--force"]):
            result = CliRunner().invoke(main, [*args, *extra])
            assert result.exit_code == 2, result.output
            assert "writes issues.csv, which would replace its input DATA" in result.output
            assert "pass --force" not in result.output
        assert data.read_bytes() == before
        assert sorted(p.name for p in out.iterdir()) == ["issues.csv"]

    def test_features_at_the_probs_output_are_refused(self, tmp_path):
        """--features OUT/probs.npy would be replaced by the audit's probabilities: refused naming --features."""
        out = tmp_path / "out"
        assert _audit(tmp_path, out).exit_code == 0
        result = _audit(tmp_path, out, "--features", str(out / "probs.npy"), "--force")
        assert result.exit_code == 2, result.output
        assert "writes probs.npy, which would replace its input --features" in result.output

    def test_the_earlier_probs_given_as_probs_may_be_rewritten(self, tmp_path):
        """--probs OUT/probs.npy (a rerun with other options on the earlier probabilities) writes them back."""
        out = tmp_path / "out"
        assert _audit(tmp_path, out).exit_code == 0
        probs = np.load(out / "probs.npy")
        args = ["audit", str(tmp_path / "data.csv"), "--label", "y", "--probs", str(out / "probs.npy")]
        result = CliRunner().invoke(main, [*args, "--out", str(out), "--filter-by", "both", "--force"])
        assert result.exit_code == 0, result.output
        np.testing.assert_array_equal(np.load(out / "probs.npy"), probs)
