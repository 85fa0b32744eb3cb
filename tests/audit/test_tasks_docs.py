"""The docstring examples of the label-shape audits and their noise generators run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "labelwise.audit.multilabel",
    "labelwise.audit.token",
    "labelwise.audit.segmentation",
    "labelwise.audit.regression",
    "labelwise.audit.detection",
    "labelwise.noise.multilabel",
    "labelwise.noise.regression",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name):
    """Every doctest example in the module gives its documented output."""
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
