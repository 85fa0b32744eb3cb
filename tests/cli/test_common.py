"""The helpers shared by the subcommands: the ``--out`` folder check."""

from __future__ import annotations

import errno
import re
import tempfile

import click
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._common import (
    OutputFolder,
    check_unique_ids,
    delimiter_hint,
    label_text,
    load_npy,
    load_row_array,
    output_folder_problem,
    print_frame,
)
from labelwise.errors import DataFileError, InvalidParameterError, ShapeMismatchError


def _deny(*args, **kwargs):
    raise PermissionError(errno.EACCES, "Permission denied")


class TestOutputFolderProblem:
    """Why nothing can be written in a folder, checked before any work."""

    def test_a_new_folder_is_fine_and_is_not_created(self, tmp_path):
        """A folder that does not exist yet under a writable one passes, and the check creates nothing."""
        assert output_folder_problem(tmp_path / "a" / "b") is None
        assert list(tmp_path.iterdir()) == []

    def test_an_existing_file_is_named(self, tmp_path):
        """An existing file where the folder should be is named."""
        (tmp_path / "out").write_text("mine")
        assert "is a file, expected a folder" in output_folder_problem(tmp_path / "out")

    def test_a_file_above_the_folder_is_named(self, tmp_path):
        """A file in the way of creating the folder is named."""
        (tmp_path / "f").write_text("mine")
        problem = output_folder_problem(tmp_path / "f" / "sub")
        assert "cannot be created" in problem and repr(str(tmp_path / "f")) in problem

    def test_a_folder_that_refuses_files_is_named(self, tmp_path, monkeypatch):
        """A folder in which no file can be created (read-only, permissions) is named with the reason."""
        monkeypatch.setattr(tempfile, "mkstemp", _deny)
        problem = output_folder_problem(tmp_path / "new")
        assert (
            problem
            == f"{str(tmp_path / 'new')!r} cannot be created: {str(tmp_path)!r} is not writable (Permission denied)"
        )
        assert output_folder_problem(tmp_path) == f"{str(tmp_path)!r} is not writable (Permission denied)"

    def test_the_probe_leaves_nothing_behind(self, tmp_path):
        """The probe file is removed at once."""
        (tmp_path / "keep.txt").write_text("x")
        assert output_folder_problem(tmp_path) is None
        assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def _folder_commands() -> list[str]:
    return sorted(
        name
        for name, command in main.commands.items()
        if any(p.name == "out" and isinstance(p.type, OutputFolder) for p in command.params)
    )


class TestOutputFolderOption:
    """Every command whose --out is a folder refuses an unusable one before reading any input."""

    def test_the_commands_that_write_folders_use_it(self):
        """The folder-writing commands are all covered (the parametrised test below is not vacuous)."""
        assert {"audit", "aggregate", "weak", "train", "pseudolabel", "evaluate"} <= set(_folder_commands())

    @pytest.mark.parametrize("name", _folder_commands())
    def test_an_existing_file_as_out_is_a_usage_error(self, name, tmp_path):
        """--out naming an existing file: exit 2, the file untouched, no traceback, no input read."""
        target = tmp_path / "results"
        target.write_text("my notes")
        command = main.commands[name]
        arguments = ["never-read"] * sum(isinstance(p, click.Argument) and p.required for p in command.params)
        result = CliRunner().invoke(main, [name, "--out", str(target), *arguments])
        assert result.exit_code == 2, result.output
        assert "Invalid value for '--out'" in result.output and "is a file, expected a folder" in result.output
        assert "Traceback" not in result.output
        assert target.read_text() == "my notes"

    def test_an_unwritable_folder_is_a_usage_error(self, tmp_path, monkeypatch):
        """--out in a folder that refuses files: exit 2 with the reason, before the data is read."""
        monkeypatch.setattr(tempfile, "mkstemp", _deny)
        result = CliRunner().invoke(main, ["audit", "--out", str(tmp_path / "o"), str(tmp_path / "absent.csv")])
        assert result.exit_code == 2, result.output
        assert "is not writable (Permission denied)" in result.output
        assert "does not exist" not in result.output


class TestDelimiterHint:
    """A table read as one column whose name holds another delimiter gets a hint."""

    def test_semicolons_are_named(self):
        """'a;b;y' as the only column: the hint names ';' and the .txt suffix."""
        hint = delimiter_hint(pd.DataFrame({"a;b;y": [1]}))
        assert "delimited by ';'" in hint and ".txt" in hint

    def test_no_hint_for_ordinary_tables(self):
        """Several columns, or one column without a delimiter in its name: no hint."""
        assert delimiter_hint(pd.DataFrame({"a": [1], "b": [2]})) == ""
        assert delimiter_hint(pd.DataFrame({"label": [1]})) == ""

    def test_the_cli_shows_it(self, tmp_path):
        """audit on a semicolon file saved as .csv whose lines are not a ';' grid (a tag cell holds ';', so
        it is read at ','): exit 2, the hint on the line. A ';' grid is read (tests/io/test_delimiter.py)."""
        (tmp_path / "d.csv").write_text("a;b;y\n1;2;x\n3;4;z;w\n")
        result = CliRunner().invoke(
            main, ["audit", str(tmp_path / "d.csv"), "--label", "y", "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 2, result.output
        assert "looks delimited by ';'" in result.output


class TestLoadNpy:
    """An array option's file: one-line errors naming the option and the file."""

    def test_reads_and_memory_maps(self, tmp_path):
        """A .npy file comes back whole, or as a read-only memory map."""
        np.save(tmp_path / "a.npy", np.arange(6.0).reshape(3, 2))
        np.testing.assert_array_equal(load_npy(tmp_path / "a.npy", "--probs"), np.arange(6.0).reshape(3, 2))
        mapped = load_npy(tmp_path / "a.npy", "--probs", mmap=True)
        assert isinstance(mapped, np.memmap) and not mapped.flags.writeable

    @pytest.mark.parametrize(
        ("make", "message"),
        [
            (
                lambda p: p.write_text("a,b\n1,2\n"),
                "is not a readable .npy file: it is not a .npy array (it lacks numpy's header)",
            ),
            (
                lambda p: np.save(p, np.array(["x", None], dtype=object), allow_pickle=True),
                "is not a readable .npy file: it holds Python objects",
            ),
            (lambda p: p.write_bytes(b"\x93NUMPY\x01\x00"), "is not a readable .npy file: EOF"),
        ],
    )
    def test_bad_files_name_the_option(self, tmp_path, make, message):
        """A CSV, an object array or a truncated file: DataFileError naming --features."""
        path = tmp_path / "emb.npy"
        make(path)
        with pytest.raises(DataFileError, match=re.escape(f"--features file {str(path)!r} {message}")):
            load_npy(path, "--features")

    @pytest.mark.parametrize(
        ("make", "found"), [(lambda p: p.mkdir(), "is a folder"), (lambda p: None, "does not exist")]
    )
    def test_no_file_names_the_option(self, tmp_path, make, found):
        """A folder or no file: the one wording of labelwise.io.require_file, naming --features."""
        path = tmp_path / "emb.npy"
        make(path)
        with pytest.raises(
            DataFileError, match=re.escape(f"--features must be an existing .npy file: {str(path)!r} {found}")
        ):
            load_npy(path, "--features")

    def test_the_cli_names_a_table_given_as_features(self, tmp_path):
        """audit --features emb.csv: exit 2 saying it is not a .npy array (numpy's message spoke of pickled data)."""
        pd.DataFrame({"a": [1.0, 2.0, 3.0], "y": ["u", "v", "u"]}).to_csv(tmp_path / "d.csv", index=False)
        pd.DataFrame({"e": [0.1, 0.2, 0.3]}).to_csv(tmp_path / "emb.csv", index=False)
        args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--features", str(tmp_path / "emb.csv")]
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
        assert result.exit_code == 2, result.output
        assert "is not a .npy array" in result.output and "pickle" not in result.output


class TestLoadRowArray:
    """An array option's file that must hold one row per row of the data."""

    def test_returns_a_matching_array(self, tmp_path):
        """A 2-D array with one row per data row comes back unchanged."""
        np.save(tmp_path / "p.npy", np.eye(3))
        np.testing.assert_array_equal(
            load_row_array(tmp_path / "p.npy", "--probs", 3, width=("n_classes", "K")), np.eye(3)
        )

    @pytest.mark.parametrize("array", [np.zeros((2, 3)), np.zeros(3)], ids=["too-few-rows", "one-dimensional"])
    def test_other_shapes_name_the_option_and_both_shapes(self, tmp_path, array):
        """Too few rows or a 1-D array: ShapeMismatchError with the option, the shape wanted (its width named
        as the caller says) and the shape found."""
        np.save(tmp_path / "e.npy", array)
        with pytest.raises(
            ShapeMismatchError,
            match=re.escape(f"--features must have shape (n_rows, d) = (3, d) to match the data, got {array.shape}"),
        ):
            load_row_array(tmp_path / "e.npy", "--features", 3, width=("d", "d"))

    def test_audit_names_probs_with_too_few_rows(self, tmp_path):
        """audit --probs with a row short: exit 2 naming --probs, n_classes and K."""
        pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "y": ["u", "v", "u", "v"]}).to_csv(tmp_path / "d.csv", index=False)
        np.save(tmp_path / "p.npy", np.full((3, 2), 0.5))
        args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / "p.npy")]
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
        assert result.exit_code == 2, result.output
        assert "--probs must have shape (n_rows, n_classes) = (4, K) to match the data, got (3, 2)" in result.output


class TestPrintFrame:
    """Screen tables: labels as written, scores with fixed decimals."""

    def test_whole_float_labels_show_as_written_and_scores_keep_four_decimals(self, capsys):
        """A float label 2.0 shows as 2.0 (not 2.0000) while label_quality keeps its four decimals."""
        frame = pd.DataFrame({"given_label": [2.0, 0.5], "suggested_label": [1.0, 3.0], "label_quality": [0.25, 0.125]})
        print_frame(frame)
        cells = [c.strip() for line in capsys.readouterr().out.splitlines() for c in line.split("│")]
        assert {"2.0", "0.5", "1.0", "3.0", "0.2500", "0.1250"} <= set(cells)
        assert "2.0000" not in cells and "1.0000" not in cells

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (2.0, "2.0"),
            (np.float64(2.0), "2.0"),
            (2.5, "2.5"),
            (7, "7"),
            ("cat", "cat"),
            (1 / 3, "0.333333"),
            (1e-9, "1e-09"),
        ],
    )
    def test_label_text_is_the_value_as_pandas_shows_it(self, value, text):
        """Labels keep their own str; a long float (a predicted target) is cut to 6 decimals, as pandas displays it."""
        assert label_text(value) == text


class TestCheckUniqueIds:
    @pytest.mark.parametrize(
        ("ids", "said"),
        [
            ([3, 7, 7], "got 7 twice (row 2)"),
            (["a", "b", "a"], "got 'a' twice (row 2)"),
            ([1.5, 2.5, 1.5], "1.5 twice"),
        ],
    )
    def test_a_repeated_id_is_named_as_written(self, ids, said):
        """An integer id is named 7, not np.int64(7) (corrupt, detect-poison, audit --probs share this check)."""
        with pytest.raises(InvalidParameterError, match=r"^--id-column 'id' must hold a unique id") as raised:
            check_unique_ids(pd.Series(ids, name="id"))
        assert said in str(raised.value) and "np." not in str(raised.value)
