"""``labelwise audit --demo``'s table: the digits written to ``OUT/data.csv``, never over the user's own file."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from ..errors import InvalidParameterError
from ..io import write_csv

__all__ = ["check_demo_may_write", "write_demo_table"]


def write_demo_table(o: SimpleNamespace) -> None:
    """--demo's digits to OUT/data.csv, in the block of the outputs that describe them: an interrupted or
    failed ``--demo --force`` run leaves the earlier run's table beside the earlier run's issues."""
    if getattr(o, "demo_table", None) is not None:
        write_csv(o.demo_table, o.data)


def check_demo_may_write(path: Path) -> None:
    """--demo writes the digits to OUT/data.csv: refuse when that file is not an earlier demo's (the user's own data)."""
    if not path.exists():
        return
    try:
        earlier = json.loads((path.parent / "summary.json").read_text(encoding="utf-8"))
        from_demo = "demo" in earlier and Path(earlier["settings"]["data"]) == path.resolve()
    except (OSError, ValueError, KeyError, TypeError):
        from_demo = False
    if not from_demo:
        raise InvalidParameterError(
            f"--demo writes the digits to {str(path)!r}, which exists and was not written by an earlier --demo; "
            "choose another --out (nothing was changed)"
        )
