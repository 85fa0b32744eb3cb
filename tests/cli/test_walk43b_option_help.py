"""Every option of the noise, poisoning and training commands says in ``--help`` what it does."""

from __future__ import annotations

import click
import pytest

from labelwise.cli import main

COMMANDS = ["corrupt", "detect-poison", "robustness", "augment", "slices", "train", "train-crowds"]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_has_help_text(name):
    """No option is listed in --help with its choices or default alone (main: --reduce, --analysis, ...)."""
    bare = [p.opts[0] for p in main.commands[name].params if isinstance(p, click.Option) and not p.help]
    assert bare == []
