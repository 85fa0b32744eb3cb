"""``labelwise aggregate-boxes``, ``-masks``, ``-texts``, ``-numbers``, ``-pairs`` and ``-tags``: every
option says in ``--help`` what it does."""

from __future__ import annotations

import click
import pytest

from labelwise.cli import main

COMMANDS = (
    "aggregate-boxes",
    "aggregate-masks",
    "aggregate-texts",
    "aggregate-numbers",
    "aggregate-pairs",
    "aggregate-tags",
)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_a_help_text(name):
    """No option of the command is listed in --help with its name and default alone."""
    command = main.get_command(click.Context(main), name)
    bare = [p.opts[0] for p in command.params if isinstance(p, click.Option) and not (p.help or "").strip()]
    assert bare == [], f"{name}: options without help {bare}"
