"""The ``labelwise`` command starts fast: ``--help``, ``--version`` and a usage error import no heavy library.

Each check runs a fresh interpreter (the test process has everything imported already) and lists
which of the heavy libraries were imported by the time click had answered.
"""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest

from labelwise.cli import COMMANDS, _LabelwiseGroup, main
from labelwise.cli._lazy_commands import LazyCommands

#: Libraries that take seconds to import, which answering ``--help`` must not wait for.
HEAVY = ["dask", "matplotlib", "pandas", "pyarrow", "scipy", "sklearn"]

#: Commands whose ``--help`` still imports a heavy library (a strict xfail); none since session 44: a
#: command module imports the API where it is used and its options' choices from the registries'
#: light ``_names`` modules.
STILL_HEAVY: set[str] = set()

_RUN = """
import json, sys
from labelwise.cli import main
try:
    main(json.loads(sys.argv[1]), prog_name="labelwise", standalone_mode=False)
except (SystemExit, Exception) as exc:
    print(type(exc).__name__, file=sys.stderr)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(json.loads(sys.argv[2])))))
"""


def _heavy_after(args: list[str]) -> list[str]:
    """The heavy libraries imported by a fresh ``labelwise ARGS`` (run with ``standalone_mode=False``)."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args", [["--help"], ["-h"], ["--version"], ["no-such-command"], ["--no-such-option"]], ids=" ".join
)
def test_group_answers_without_heavy_libraries(args):
    """The group's help, its version and its usage errors import none of the heavy libraries."""
    assert _heavy_after(args) == []


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason="still heavy")) if name in STILL_HEAVY else name
        for name in sorted(COMMANDS)
    ],
)
def test_command_help_imports_no_heavy_library(name):
    """``labelwise COMMAND --help`` imports none of the heavy libraries, for every command."""
    assert _heavy_after([name, "--help"]) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registered_help_is_the_commands_own(name):
    """Each registry entry names its command and carries the command's own one-line help."""
    command = main.commands[name]
    assert command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=10**6)


@pytest.mark.parametrize("width", [50, 80, 400])
def test_lazy_listing_is_clicks_listing(width):
    """The listing from the registry is exactly what click prints with every command imported."""
    lazy = _LabelwiseGroup("labelwise", commands=LazyCommands("labelwise.cli", COMMANDS))
    eager = click.Group("labelwise", commands={name: main.commands[name] for name in COMMANDS})
    listings = []
    for group in (lazy, eager):
        formatter = click.HelpFormatter(width=width)
        group.format_commands(click.Context(group), formatter)
        listings.append(formatter.getvalue())
    assert listings[0] == listings[1]
    assert listings[0].count("\n") == len(COMMANDS) + 1


def test_commands_mapping_imports_on_lookup_only():
    """Listing names imports nothing; a lookup imports that command; an unknown name is a KeyError."""
    lazy = LazyCommands("labelwise.cli", COMMANDS)
    assert list(lazy) == list(COMMANDS) and len(lazy) == len(COMMANDS) and "audit" in lazy
    assert lazy._loaded == {}
    assert lazy["audit"] is main.commands["audit"] and set(lazy._loaded) == {"audit"}
    with pytest.raises(KeyError):
        lazy["no-such-command"]
    assert lazy.get("no-such-command") is None


def test_added_command_is_listed_and_removable():
    """``add_command`` still works on the lazy mapping (a plug-in or a test can add a command)."""
    group = _LabelwiseGroup("labelwise", commands=LazyCommands("labelwise.cli", {}))
    group.add_command(click.Command("extra", help="An extra command."))
    assert list(group.commands) == ["extra"] and group.commands["extra"].name == "extra"
    del group.commands["extra"]
    assert list(group.commands) == []
