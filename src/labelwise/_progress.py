"""Progress bars for long loops: shown on a terminal, silent in tests and when ``verbose=False``."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress_enabled(verbose: bool | None) -> bool:
    """Whether to draw a bar: ``verbose=None`` means "only when stderr is a terminal"."""
    if verbose is None:
        return sys.stderr.isatty()
    return bool(verbose)


def track(
    iterable: Iterable[T], *, total: int | None = None, description: str = "", verbose: bool | None = None
) -> Iterator[T]:
    """Iterate over ``iterable``, drawing a rich progress bar on stderr when enabled."""
    if not progress_enabled(verbose):
        yield from iterable
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in iterable:
            yield item
            bar.advance(task)
