"""A label folder's ``summary.json`` read quietly, for telling which command or task wrote the folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["summary_or_none"]


def summary_or_none(folder: Path) -> dict[str, Any] | None:
    """``folder``'s ``summary.json`` as a dict, or None when it is missing, unreadable or not an object
    (the caller then treats the folder as another kind; the loaders name a damaged file)."""
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None
