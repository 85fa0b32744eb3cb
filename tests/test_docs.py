"""The examples in public docstrings run and print what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["labelwise.audit.find", "labelwise.audit.scores"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name):
    """Every doctest example in the module gives its documented output."""
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_progress_track_yields_every_item_with_and_without_a_bar():
    """The progress helper never drops items, whether or not it draws."""
    from labelwise._progress import track

    assert list(track(range(5), total=5, verbose=False)) == list(range(5))
    assert list(track(range(5), total=5, verbose=True)) == list(range(5))
