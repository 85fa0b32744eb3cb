"""Simulate a missing optional package in a test process that has every extra installed."""

from __future__ import annotations

import sys


def block(monkeypatch, *names: str) -> None:
    """Make ``import name`` (and of every submodule already imported, e.g. ``dask.array``) raise
    ImportError until the test ends, as when the package is not installed."""
    for name in names:
        for loaded in [m for m in list(sys.modules) if m == name or m.startswith(name + ".")]:
            monkeypatch.setitem(sys.modules, loaded, None)
        monkeypatch.setitem(sys.modules, name, None)
