"""Reading the stage bars a run drew: a forced-terminal rich console into a buffer, its last frame parsed."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator

from rich.console import Console

from labelwise._stage_progress import stages

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_LINE = re.compile(r"^(?P<name>\S.*?)\s+[━╸╺]*\s+(?P<done>\d+)/(?P<total>\d+|\?)\s+\d+:\d\d:\d\d\s*$")


@contextlib.contextmanager
def drawn() -> Iterator[io.StringIO]:
    """Bars opened around the block on a terminal console writing into the yielded buffer."""
    buf = io.StringIO()
    with stages(True, console=Console(file=buf, force_terminal=True, width=120, color_system=None)):
        yield buf


def final_stages(text: str) -> dict[str, tuple[int, str]]:
    """``{stage name: (done, total)}`` as the last frame drawn shows them (every frame redraws every line)."""
    found: dict[str, tuple[int, str]] = {}
    for raw in re.split(r"[\r\n]", _ANSI.sub("", text)):
        match = _LINE.match(raw.strip())
        if match:
            found[match["name"]] = (int(match["done"]), match["total"])
    return found


def assert_complete(text: str, names: list[str]) -> dict[str, tuple[int, str]]:
    """Every stage in ``names`` drawn, and every stage drawn ended at its (known, positive) total."""
    found = final_stages(text)
    assert [n for n in names if n not in found] == [], found
    for name, (done, total) in found.items():
        assert total != "?" and done == int(total) > 0, (name, done, total)
    return found
