"""Fixtures of the command sweep: the valid inputs (written once, copied per test) and no real server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labelwise.review.server import ReviewServer

from .specs import INPUT_FILES, make_inputs


@pytest.fixture(scope="session")
def _pristine_inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sweep") / "inputs"
    make_inputs(folder)
    return folder


@pytest.fixture
def inputs(_pristine_inputs, tmp_path) -> dict[str, Path]:
    """A fresh copy of every command's valid inputs in this test's folder, by key."""
    shutil.copytree(_pristine_inputs, tmp_path / "inputs")
    return {key: tmp_path / "inputs" / name for key, name in INPUT_FILES.items()}


@pytest.fixture(autouse=True)
def _no_serving(monkeypatch):
    """``labelwise review`` binds its socket, then returns instead of serving until Ctrl-C."""
    monkeypatch.setattr(ReviewServer, "run", lambda self: self.sock.close())
