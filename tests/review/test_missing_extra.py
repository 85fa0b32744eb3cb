"""The review app without the web extra: a clear MissingDependencyError with the install command."""

from __future__ import annotations

import importlib
import sys

import pytest

from labelwise.errors import LabelwiseError, MissingDependencyError


def test_missing_web_extra_raises_missing_dependency_error(monkeypatch):
    """Importing the app with fastapi absent raises MissingDependencyError naming the extra."""
    monkeypatch.setitem(sys.modules, "fastapi", None)
    monkeypatch.delitem(sys.modules, "labelwise.review.app", raising=False)
    with pytest.raises(MissingDependencyError, match=r'pip install "labelwise\[web\]"'):
        importlib.import_module("labelwise.review.app")


def test_missing_dependency_error_is_both_a_labelwise_and_an_import_error():
    """Callers may catch it as LabelwiseError (the CLI) or as ImportError."""
    assert issubclass(MissingDependencyError, LabelwiseError)
    assert issubclass(MissingDependencyError, ImportError)
