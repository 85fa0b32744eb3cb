"""``--quiet`` means one thing in every command that has it: nothing on stdout, no progress bar;
warnings and errors still printed; the files written as without it."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._common import QUIET_HELP

from .specs import SPECS
from .test_bad_inputs import fill

#: Every command with a ``--quiet`` flag.
QUIET_COMMANDS = sorted(
    name
    for name, command in main.commands.items()
    if any(isinstance(p, click.Option) and "--quiet" in p.opts for p in command.params)
)


def _argv(command: str, inputs, folder) -> list[str]:
    """The command's first spec of the sweep (its plain valid invocation), without --quiet, writing in
    ``folder`` (a command whose ``--out`` is a file writes its first output file there)."""
    spec = SPECS[command]
    out = folder / spec.outputs[0] if spec.out_kind == "file" else folder
    if spec.out_kind == "file":
        folder.mkdir(parents=True, exist_ok=True)
    return [arg for arg in fill(spec, inputs, out) if arg != "--quiet"]


def test_every_command_with_quiet_says_the_same_help():
    """One wording: each command's --quiet help is QUIET_HELP."""
    helps = {
        name: next(p.help for p in main.commands[name].params if isinstance(p, click.Option) and "--quiet" in p.opts)
        for name in QUIET_COMMANDS
    }
    assert len(QUIET_COMMANDS) >= 13
    assert {name: text for name, text in helps.items() if text != QUIET_HELP} == {}


@pytest.mark.parametrize("command", QUIET_COMMANDS)
def test_quiet_prints_nothing_and_writes_the_same_files(command, inputs, tmp_path):
    """Without --quiet the run prints its report; with it stdout stays empty, stderr holds the same
    warnings (no bar: not a terminal) and the same files are written."""
    loud = CliRunner().invoke(main, _argv(command, inputs, tmp_path / "loud"))
    assert loud.exit_code == 0, loud.output
    assert loud.stdout.strip() != ""
    quiet = CliRunner().invoke(main, [*_argv(command, inputs, tmp_path / "quiet"), "--quiet"])
    assert quiet.exit_code == 0, quiet.output
    assert (quiet.stdout, quiet.stderr) == ("", loud.stderr)
    written = sorted(p.name for p in (tmp_path / "loud").iterdir())
    assert sorted(p.name for p in (tmp_path / "quiet").iterdir()) == written
    assert [name for name in SPECS[command].outputs if name not in written] == []


def test_quiet_still_prints_warnings_and_errors(inputs, tmp_path):
    """A warning (EM stopped by --max-iter 1) reaches stderr with --quiet while stdout stays empty; an
    error is still one line on stderr with exit status 2."""
    argv = [*_argv("train-crowds", inputs, tmp_path / "out"), "--max-iter", "1", "--quiet"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "warning:" in result.stderr and "--max-iter" in result.stderr
    refused = CliRunner().invoke(main, [*argv, "--smoothing", "-1"])
    assert refused.exit_code == 2 and "Invalid value for '--smoothing'" in refused.stderr
