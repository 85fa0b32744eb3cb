"""``--out`` folders: an earlier run's outputs are refused without --force, replaced and tidied with it."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._common import OutputFolder
from labelwise.cli._out_folder import OUTPUTS, claim, remove_left_over
from labelwise.errors import InvalidParameterError


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
        assert claim(tmp_path / "new", ("issues.csv",), force=False) == {}
        assert claim(tmp_path, ("issues.csv",), force=False) == {}

    def test_earlier_outputs_are_refused_by_name_without_force(self, tmp_path):
        """A folder holding one of the command's files is refused, the message naming the files and --force."""
        (tmp_path / "issues.csv").write_text("row\n")
        with pytest.raises(InvalidParameterError, match=r"must not hold earlier outputs, got issues.csv: pass --force"):
            claim(tmp_path, ("issues.csv", "summary.json"), force=False)

    def test_without_a_summary_nothing_is_ever_removed(self, tmp_path):
        """Files named like outputs but without an earlier run's summary.json are the user's: never removed."""
        (tmp_path / "issues.csv").write_text("row\n")
        assert claim(tmp_path, ("issues.csv", "summary.json"), force=True) == {}

    def test_only_files_not_rewritten_are_removed(self, tmp_path):
        """After the run, an output it rewrote (atomic rename: a new file) stays; one it did not write goes."""
        for name in ("issues.csv", "probs.npy", "summary.json"):
            (tmp_path / name).write_text("old")
        (tmp_path / "notes.txt").write_text("mine")
        earlier = claim(tmp_path, ("issues.csv", "probs.npy", "summary.json"), force=True)
        for name in ("issues.csv", "summary.json"):  # rewritten as the writers do: a new file renamed over
            (tmp_path / f".{name}.tmp").write_text("new")
            os.replace(tmp_path / f".{name}.tmp", tmp_path / name)
        removed = remove_left_over(earlier)
        assert [p.name for p in removed] == ["probs.npy"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["issues.csv", "notes.txt", "summary.json"]

    def test_an_input_is_never_removed(self, tmp_path):
        """An earlier output the run was given as an input stays, even when not rewritten."""
        for name in ("probs.npy", "summary.json"):
            (tmp_path / name).write_text("old")
        earlier = claim(tmp_path, ("probs.npy", "summary.json"), force=True)
        assert remove_left_over(earlier, keep={(tmp_path / "probs.npy").resolve()}) == [tmp_path / "summary.json"]
        assert (tmp_path / "probs.npy").exists()


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
