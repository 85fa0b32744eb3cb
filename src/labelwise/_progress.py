"""Progress bars for long loops: shown on a terminal, silent in tests, when ``verbose=False`` and
inside :func:`quiet` (a command's ``--quiet``)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

#: Whether the code running is inside :func:`quiet`.
_QUIET: ContextVar[bool] = ContextVar("labelwise_quiet", default=False)


@contextlib.contextmanager
def quiet(on: bool = True) -> Iterator[None]:
    """Inside (when ``on``), no progress bar is drawn, whatever a function's ``verbose`` says, and the
    command line's console prints nothing (``labelwise.cli._common.console``): a command's ``--quiet``
    holds for every function it calls. ``on=False`` changes nothing (an outer block still holds)."""
    token = _QUIET.set(bool(on) or _QUIET.get())
    try:
        yield
    finally:
        _QUIET.reset(token)


def is_quiet() -> bool:
    """Whether the code running is inside :func:`quiet`."""
    return _QUIET.get()


def progress_enabled(verbose: bool | None) -> bool:
    """Whether to draw a bar: never inside :func:`quiet`; ``verbose=None`` means "only when stderr is a
    terminal"."""
    if _QUIET.get():
        return False
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
