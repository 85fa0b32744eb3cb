"""The optional dependencies (the extras of ``pyproject.toml``): import one where it is needed, or
raise one :class:`~labelwise.errors.MissingDependencyError` that names the missing package and
the command that installs it.

``import labelwise`` needs no extra; every module that uses one imports it through :func:`require`
(inside the function that needs it), before any work is done or any file is written, so that a user
who installed only the core meets one line, e.g. ``--scheduler processes needs dask, which is not
installed: pip install "labelwise[dask]"``, never an ``ImportError`` traceback.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependencyError

__all__ = ["EXTRAS", "available", "install_command", "missing", "not_installed", "require"]

#: The modules each extra provides (top-level import names), as ``pyproject.toml`` lists them.
EXTRAS: dict[str, tuple[str, ...]] = {
    "dask": ("dask", "distributed", "zarr"),
    "web": ("fastapi", "starlette", "uvicorn", "multipart"),
    "ann": ("hnswlib",),
    "ann-faiss": ("faiss",),
    "images": ("PIL",),
    "ir": ("ir_measures",),
}
#: The distribution (``pip install`` name) of an import name, where the two differ.
DISTRIBUTIONS = {"PIL": "pillow", "faiss": "faiss-cpu", "ir_measures": "ir-measures", "multipart": "python-multipart"}


def install_command(extra: str) -> str:
    """The command that installs ``extra`` (double quotes: one form for bash, zsh, PowerShell and cmd)."""
    return f'pip install "labelwise[{extra}]"'


def _extra_of(module: str) -> str:
    top = module.split(".")[0]
    for extra, modules in EXTRAS.items():
        if top in modules:
            return extra
    raise KeyError(f"{module!r} is not provided by an extra of labelwise")  # a labelwise bug, not the user's


def _package(module: str) -> str:
    top = module.split(".")[0]
    return DISTRIBUTIONS.get(top, top)


def not_installed(module: str) -> str:
    """``'<package> is not installed (pip install "labelwise[<extra>]")'`` for ``module``, for a notice."""
    return f"{_package(module)} is not installed ({install_command(_extra_of(module))})"


def missing(module: str, what: str) -> MissingDependencyError:
    """The error that says ``what`` needs ``module``'s package, which is not installed, and how to install it."""
    return MissingDependencyError(
        f"{what} needs {_package(module)}, which is not installed: {install_command(_extra_of(module))}"
    )


def require(module: str, what: str) -> ModuleType:
    """``importlib.import_module(module)``, or a :class:`MissingDependencyError` from :func:`missing`.

    Parameters
    ----------
    module : str
        The module to import (``"dask.dataframe"``, ``"hnswlib"``); its top-level package must be
        one of an extra's (:data:`EXTRAS`).
    what : str
        What needs it, in the caller's words (an option, a parameter, an input): the start of the
        message.

    Raises
    ------
    MissingDependencyError
        The module, or a package it imports, is not installed. The message names the package the
        extra provides; installing the extra brings whatever that package itself needs.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise missing(module, what) from None


def available(module: str) -> bool:
    """True when ``module`` imports (it, and what it imports, is installed)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
