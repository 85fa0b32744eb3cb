"""Small helpers shared by the subcommands: console, table printing, option types."""

from __future__ import annotations

from collections.abc import Sequence

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from ..errors import InvalidParameterError, MissingColumnError


def console() -> Console:
    """A console on stdout; plain text when stdout is not a terminal."""
    return Console(highlight=False, soft_wrap=False)


def print_frame(frame: pd.DataFrame, *, title: str | None = None, float_format: str = "{:.4f}") -> None:
    """Print ``frame`` as a rich table."""
    table = Table(title=title, show_lines=False)
    for col in frame.columns:
        table.add_column(str(col), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*[float_format.format(v) if isinstance(v, float) else str(v) for v in row])
    console().print(table)


def split_csv_option(value: str | None) -> list[str]:
    """``"a,b, c"`` -> ``["a", "b", "c"]``; ``None`` or ``""`` -> ``[]``."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def choice_option(name: str, choices: Sequence[str], default: str, help_text: str):
    """A ``--name`` option restricted to ``choices``."""
    return click.option(name, type=click.Choice(list(choices)), default=default, show_default=True, help=help_text)


def split_label(frame: pd.DataFrame, label: str | None) -> tuple[pd.DataFrame, pd.Series]:
    """The feature columns and the label column of ``frame`` (clear errors when missing)."""
    if label is None:
        raise InvalidParameterError(f"--label is required: name the label column (columns: {list(frame.columns)})")
    if label not in frame.columns:
        raise MissingColumnError(f"--label column {label!r} is not in the data; columns are {list(frame.columns)}")
    return frame.drop(columns=[label]), frame[label]
