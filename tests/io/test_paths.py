"""Tests of labelwise.io.paths: the one check that an input path exists and is a file or a folder."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import DataFileError
from labelwise.io.paths import require_file, require_folder, require_path

ODD_NAMES = ("plain", "with spaces", "caf\u00e9 \u00e9t\u00e9", "\u6570\u636e")


def _message(parameter: str, kind: str, path, found: str) -> str:
    return re.escape(f"{parameter} must be an existing {kind}: {str(path)!r} {found}")


class TestRequireFile:
    """require_file: an existing regular file, or one DataFileError naming the parameter."""

    @pytest.mark.parametrize("name", ODD_NAMES)
    def test_an_existing_file_comes_back_as_a_path(self, tmp_path, name):
        """A file, whatever its name (spaces, accents, CJK), is returned unchanged as a Path."""
        path = tmp_path / f"{name}.csv"
        path.write_text("a\n1\n", encoding="utf-8")
        assert require_file(str(path), parameter="path") == path

    @pytest.mark.parametrize("name", ODD_NAMES)
    def test_a_missing_file_names_parameter_kind_and_path(self, tmp_path, name):
        """A missing path: the message names the parameter, what was expected and the path as given."""
        path = tmp_path / f"{name}.npy"
        with pytest.raises(DataFileError, match=_message("--probs", ".npy file", path, "does not exist")):
            require_file(path, parameter="--probs", kind=".npy file")

    def test_a_folder_given_for_a_file(self, tmp_path):
        """A folder where a file is expected is said to be a folder, not to be missing."""
        with pytest.raises(DataFileError, match=_message("path", "CoNLL file", tmp_path, "is a folder")):
            require_file(tmp_path, parameter="path", kind="CoNLL file")

    def test_default_kind_is_file(self, tmp_path):
        """Without kind the message says 'an existing file'."""
        with pytest.raises(DataFileError, match="must be an existing file: "):
            require_file(tmp_path / "x", parameter="path")


class TestRequireFolder:
    """require_folder: an existing folder, or one DataFileError naming the parameter."""

    @pytest.mark.parametrize("name", ODD_NAMES)
    def test_an_existing_folder_comes_back(self, tmp_path, name):
        """A folder, whatever its name, is returned as a Path."""
        (tmp_path / name).mkdir()
        assert require_folder(tmp_path / name, parameter="out_dir") == tmp_path / name

    def test_a_file_given_for_a_folder(self, tmp_path):
        """A file where a folder is expected is said to be a file."""
        (tmp_path / "f.txt").write_text("x")
        path = tmp_path / "f.txt"
        with pytest.raises(DataFileError, match=_message("out_dir", "output folder", path, "is a file")):
            require_folder(path, parameter="out_dir", kind="output folder")

    @pytest.mark.parametrize("name", ODD_NAMES)
    def test_a_missing_folder(self, tmp_path, name):
        """A missing folder is said not to exist."""
        path = tmp_path / name
        with pytest.raises(DataFileError, match=_message("folder", "folder", path, "does not exist")):
            require_folder(path, parameter="folder")


class TestRequirePath:
    """require_path: a file or a folder (for inputs that may be either)."""

    def test_file_and_folder_both_pass(self, tmp_path):
        """Both an existing file and an existing folder come back."""
        (tmp_path / "a.npy").write_bytes(b"")
        assert require_path(tmp_path / "a.npy", parameter="--probs", kind="x") == tmp_path / "a.npy"
        assert require_path(tmp_path, parameter="--probs", kind="x") == tmp_path

    def test_missing(self, tmp_path):
        """A missing path names the parameter and what was expected."""
        path = tmp_path / "p.zarr"
        kind = ".npy file or Zarr store"
        with pytest.raises(DataFileError, match=_message("--probs", kind, path, "does not exist")):
            require_path(path, parameter="--probs", kind=kind)


def _cases(tmp_path):
    """(arguments, name shown, path, what was found) for commands given a missing or wrong input."""
    data = tmp_path / "d\u00e9j\u00e0 vu.csv"
    data.write_text("a,y\n1,u\n2,v\n", encoding="utf-8")
    missing = tmp_path / "no such.csv"
    folder = tmp_path / "a folder"
    folder.mkdir()
    out = ["--out", str(tmp_path / "o")]
    return [
        (["audit", str(missing), "--label", "y", *out], "DATA", missing, "does not exist"),
        (["train", str(missing), "--label", "y", *out], "DATA", missing, "does not exist"),
        (["aggregate", str(missing), *out], "PATH", missing, "does not exist"),
        (["aggregate", str(data), "--gold", str(folder), *out], "--gold", folder, "is a folder"),
        (["report", str(missing)], "OUT_DIR", missing, "does not exist"),
        (["report", str(data)], "OUT_DIR", data, "is a file"),
        (["export", str(data), "--out", str(tmp_path / "c.csv")], "OUT_DIR", data, "is a file"),
        (["weak", str(folder), str(data), *out], "LFS", folder, "is a folder"),
        (["shift", "--train-probs", str(folder), "--train-labels", str(data), "--target-probs", str(data), *out],
         "--train-probs", folder, "is a folder"),
        (["label-shift", "--train-labels", str(missing), "--eval-labels", str(data), *out],
         "--train-labels", missing, "does not exist"),
        (["rank-agreement", str(data), "--qrels", str(missing), "--qrels", str(missing), *out],
         "RUN_DIR", data, "is a file"),
        (["rank-agreement", str(folder), "--qrels", str(missing), "--qrels", str(missing), *out],
         "--qrels", missing, "does not exist"),
    ]  # fmt: skip


def test_the_cli_exits_2_with_one_line_naming_the_input(tmp_path):
    """Each command given a missing path, or a file for a folder and back, exits 2 with one line."""
    for args, name, path, found in _cases(tmp_path):
        result = CliRunner().invoke(main, args)
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2, (args, result.output)
        assert len(lines) == 1 and "Traceback" not in result.output, (args, result.output)
        assert f"{name} must be an existing " in lines[0] and f"{str(path)!r} {found}" in lines[0], (args, lines)


def test_audit_given_a_folder_without_parquet_parts_says_what_a_folder_must_hold(tmp_path):
    """A folder as DATA is read as Parquet parts (walk43a); one without any names the part suffixes."""
    folder = tmp_path / "a folder"
    folder.mkdir()
    result = CliRunner().invoke(main, ["audit", str(folder), "--label", "y", "--out", str(tmp_path / "o")])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and "Traceback" not in result.output, result.output
    assert f"DATA {str(folder)!r} is a folder without Parquet files" in lines[0], lines
    assert "give a table file" in lines[0] and "a folder of Parquet parts" in lines[0], lines
