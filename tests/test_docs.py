"""The examples in public docstrings run and print what they claim."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import labelwise

MODULES = ["labelwise.audit.find", "labelwise.audit.scores"]

#: Top-level modules of the optional extras: a labelwise module that needs a missing one is skipped.
OPTIONAL = {"fastapi", "uvicorn", "starlette", "multipart", "dask", "distributed", "faiss", "usearch", "zarr"}


def _all_modules() -> list[str]:
    """Every module of the labelwise package, found by walking it (no list to keep up to date)."""
    return sorted(
        info.name for info in pkgutil.walk_packages(labelwise.__path__, prefix="labelwise.") if info.name != "__main__"
    )


def _import_or_skip(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as exc:  # MissingDependencyError is an ImportError too
        missing = (getattr(exc, "name", None) or "").split(".")[0]
        if missing in OPTIONAL or "pip install" in str(exc):
            pytest.skip(f"{name} needs an optional extra that is not installed: {exc}")
        raise


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_pass(name):
    """Every doctest example in the module gives its documented output."""
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_every_module_is_collected():
    """The walk finds the package's modules, subpackages included."""
    names = _all_modules()
    assert {"labelwise.audit.scores", "labelwise.semi._rules", "labelwise.io.annotations.registry"} <= set(names)


@pytest.mark.parametrize("name", _all_modules())
def test_every_docstring_example_runs(name):
    """Every example in every labelwise module's docstrings gives its documented output."""
    module = _import_or_skip(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples failed in {name}"


def test_progress_track_yields_every_item_with_and_without_a_bar():
    """The progress helper never drops items, whether or not it draws."""
    from labelwise._progress import track

    assert list(track(range(5), total=5, verbose=False)) == list(range(5))
    assert list(track(range(5), total=5, verbose=True)) == list(range(5))
