"""The doctest examples of labelwise.weak run and print what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["labelwise.weak.labeling_function", "labelwise.weak.label_model"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name):
    """Every doctest example in the module gives its documented output."""
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
