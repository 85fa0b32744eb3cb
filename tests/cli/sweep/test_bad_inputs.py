"""Every command's bad inputs, checked mechanically: one clear line, exit 2, nothing lost.

For each valid invocation in ``specs.SPECS`` the bad variants of ``cases.cases()`` are run with
click's CliRunner. Each must exit with status 2, print exactly one line besides click's usage
lines (no traceback), name the parameter at fault, and leave every file as it was: the output
folder, which holds an earlier run's files, keeps them byte for byte and gains no partial or
temporary file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from labelwise.cli import main

from .cases import Case, bad_file, cases, classified, command_of, label_table, param_name
from .specs import NOT_COVERED, SPECS, Spec

CASES = cases()


def fill(spec: Spec, paths: dict[str, Path], out: Path) -> list[str]:
    """The spec's argument list with its placeholders filled; ``--force`` with an ``--out`` folder.

    The output folder holds an earlier run's files, which a run without ``--force`` refuses before
    reading anything (:func:`test_an_earlier_run_is_refused_without_force`); with ``--force`` the
    bad input must still be the error, and the earlier files must stay as they were.
    """
    values = {key: str(p) for key, p in paths.items()} | {"out": str(out)}
    argv = [arg.format(**values) for arg in spec.argv]
    if spec.out_kind == "folder":
        argv += ["--out", str(out), "--force"]
    return argv


def set_option(argv: list[str], option: str, value: str) -> list[str]:
    """``argv`` with ``option`` given ``value`` (replaced where given, appended otherwise)."""
    if option in argv:
        i = argv.index(option)
        return [*argv[: i + 1], value, *argv[i + 2 :]]
    return [*argv, option, value]


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``root``: file contents by relative path (None for a folder)."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def error_lines(result: Result) -> list[str]:
    """The lines printed, less click's usage lines and blank lines."""
    return [
        line
        for line in result.output.splitlines()
        if line.strip() and not line.startswith(("Usage: ", "Try '")) and "-h' for help" not in line
    ]


def output_target(spec: Spec, tmp_path: Path) -> Path:
    """The output of a run: a folder holding an earlier run's files, or a new file beside an earlier one."""
    folder = tmp_path / "results"
    folder.mkdir()
    if spec.out_kind == "file":
        (folder / "earlier.txt").write_text("an earlier file\n")
        return folder / spec.outputs[0]
    for name in spec.outputs:
        (folder / name).write_text(f"earlier {name}\n")
    return folder


def prepare(case: Case, spec: Spec, paths: dict[str, Path], tmp_path: Path, monkeypatch) -> list[str]:
    """The bad argument list of ``case`` (making its bad files under ``tmp_path / 'bad'``)."""
    param, _, rest = case.what.partition(":")
    bad = tmp_path / "bad"
    out = output_target(spec, tmp_path)
    if param in spec.inputs and rest:
        paths = {**paths, spec.inputs[param][0]: bad_file(rest, paths[spec.inputs[param][0]], bad)}
    elif param == "label":
        option, key = spec.label  # type: ignore[misc]
        argv = fill(spec, paths, out)
        column = argv[argv.index(option) + 1] if option in argv else "label"
        paths = {**paths, key: label_table(rest, paths[key], column, bad)}
    elif param == "--out":
        out = _bad_out(rest, spec, tmp_path, monkeypatch)
    argv = fill(spec, paths, out)
    if rest == "no_such_column":
        return set_option(argv, param, "no_such_column")
    if "=" in case.what and not rest:
        option, _, value = case.what.partition("=")
        return set_option(argv, option, value)
    return argv


def _bad_out(case: str, spec: Spec, tmp_path: Path, monkeypatch) -> Path:
    if case == "out_is_file":
        (tmp_path / "a_file").write_text("mine\n")
        return tmp_path / "a_file"
    if case == "out_is_folder":
        (tmp_path / "a_folder").mkdir()
        return tmp_path / "a_folder"
    if case == "out_under_file":
        (tmp_path / "a_file").write_text("mine\n")
        return tmp_path / "a_file" / "sub" / (spec.outputs[0] if spec.out_kind == "file" else "out")
    assert case == "out_denied"

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", deny)
    return tmp_path / "results" / (spec.outputs[0] if spec.out_kind == "file" else "")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_is_one_line_naming_the_parameter(case: Case, inputs, tmp_path, monkeypatch):
    """Exit 2, one line naming the parameter, no traceback, and every file as it was."""
    spec = SPECS[case.spec]
    argv = prepare(case, spec, inputs, tmp_path, monkeypatch)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    lines = error_lines(result)
    assert result.exit_code == 2, f"{case}: exit {result.exit_code}\n{result.output}"
    assert "Traceback" not in result.output
    assert len(lines) == 1, f"{case}: {len(lines)} lines\n{result.output}"
    assert any(name in lines[0] for name in case.names), f"{case}: does not name {case.names}: {lines[0]}"
    assert snapshot(tmp_path) == before, f"{case}: files changed"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_valid_invocation_works(name: str, inputs, tmp_path):
    """Each spec runs (so its bad variants fail for their own reason), writing its outputs under new folders."""
    spec = SPECS[name]
    out = tmp_path / "new" / "deeper" / (spec.outputs[0] if spec.out_kind == "file" else "results")
    result = CliRunner().invoke(main, fill(spec, inputs, out), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if spec.out_kind != "none":
        folder = out if spec.out_kind == "folder" else out.parent
        assert set(spec.outputs) <= {p.name for p in folder.iterdir()}


@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if n == s.argv[0] and s.out_kind == "folder"])
def test_an_earlier_run_is_refused_without_force(name: str, inputs, tmp_path):
    """A valid run into a folder holding an earlier run's files, without --force: exit 2, one line
    naming --out, the files and --force, and every file as it was."""
    spec = SPECS[name]
    out = output_target(spec, tmp_path)
    argv = fill(spec, inputs, out)
    argv.remove("--force")
    before = snapshot(tmp_path)
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    lines = error_lines(result)
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert "--out" in lines[0] and "--force" in lines[0] and spec.outputs[0] in lines[0]
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="permissions do not bind the superuser")
@pytest.mark.parametrize("name", [n for n, s in SPECS.items() if n == s.argv[0] and s.out_kind != "none"])
def test_a_read_only_output_folder_is_refused(name: str, inputs, tmp_path):
    """--out in a folder without write permission: exit 2, one line naming --out, nothing written."""
    spec = SPECS[name]
    out = output_target(spec, tmp_path)
    folder = out if spec.out_kind == "folder" else out.parent
    folder.chmod(0o500)
    try:
        before = snapshot(tmp_path)
        result = CliRunner().invoke(main, fill(spec, inputs, out), catch_exceptions=False)
        assert result.exit_code == 2 and len(error_lines(result)) == 1, result.output
        assert "--out" in error_lines(result)[0]
        assert snapshot(tmp_path) == before
    finally:
        folder.chmod(0o700)


class TestCoverage:
    """The sweep cannot silently miss a command or an option."""

    def test_every_command_is_swept_or_excused(self):
        """Each ``labelwise`` command has a spec or a reason in NOT_COVERED."""
        swept = {spec.argv[0] for spec in SPECS.values()}
        assert set(main.commands) == swept | set(NOT_COVERED)
        assert not swept & set(NOT_COVERED)

    def test_no_command_hides_subcommands(self):
        """A command group's subcommands would need specs of their own; the sweep knows of none."""
        assert [name for name, command in main.commands.items() if isinstance(command, click.Group)] == []

    def test_every_option_is_classified(self):
        """Each option is an input, a column, has bad values, is numeric or a choice, or is free-form with a reason."""
        missing = [
            f"{name} {param_name(p)}"
            for name, spec in SPECS.items()
            if name == spec.argv[0]
            for p in command_of(spec).params
            if isinstance(p, click.Option) and not classified(name, spec, p)
        ]
        assert missing == []

    def test_every_command_has_many_cases(self):
        """The derivation is not vacuous: every spec yields bad cases, the first of each command at least five."""
        counts = {name: sum(c.spec == name for c in CASES) for name in SPECS}
        assert all(counts.values()), counts
        assert all(counts[name] >= 5 for name, spec in SPECS.items() if name == spec.argv[0]), counts
