"""Lazy re-exports for a package's ``__init__`` (PEP 562): a name is imported on first use.

A package lists its re-exports as ordinary imports inside ``if TYPE_CHECKING:``, so mypy and the
documentation see them statically, and ends with ``if not TYPE_CHECKING: __getattr__, __dir__ =
attach(__name__, __file__)`` (hidden from mypy, so a misspelt name stays a type error). At run time nothing in that block is
executed: :func:`attach` reads the block's ``from .module import name`` lines once and imports a
module the first time one of its names is used. This is the pattern of scientific-python's
``lazy_loader.attach_stub`` (SPEC 1), with the stub kept in the ``__init__`` itself.

References
----------
.. [1] PEP 562, "Module __getattr__ and __dir__", https://peps.python.org/pep-0562/
.. [2] SPEC 1, "Lazy Loading of Submodules and Functions",
   https://scientific-python.org/specs/spec-0001/
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any


def lazy_names(file: str) -> dict[str, tuple[str, str | None]]:
    """Each name imported in ``file``'s ``if TYPE_CHECKING:`` blocks -> (relative module, attribute).

    ``from .audit import find_label_issues`` gives ``find_label_issues -> (".audit", "find_label_issues")``;
    ``from . import aggregate`` gives ``aggregate -> (".aggregate", None)`` (the subpackage itself).
    """
    tree = ast.parse(Path(file).read_text(encoding="utf-8"))
    names: dict[str, tuple[str, str | None]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
            continue
        for statement in node.body:
            if isinstance(statement, ast.ImportFrom) and statement.level >= 1:
                dots = "." * statement.level  # ``from ..audit.scores import x`` is relative to the parent
                for alias in statement.names:
                    if statement.module is None:
                        names[alias.asname or alias.name] = (f"{dots}{alias.name}", None)
                    else:
                        names[alias.asname or alias.name] = (f"{dots}{statement.module}", alias.name)
    return names


def attach(package: str, file: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``, whose lazy names are in ``file`` (its ``__init__``).

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    file : str
        The package's ``__file__``, read for its ``if TYPE_CHECKING:`` imports (:func:`lazy_names`).
    """
    names = lazy_names(file)
    _keep_functions_over_submodules(package, names)

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = names[name]
        value = importlib.import_module(module, package)
        if attribute is not None:
            value = getattr(value, attribute)
        setattr(sys.modules[package], name, value)  # later uses are plain attribute lookups
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names})

    return __getattr__, __dir__


def _keep_functions_over_submodules(package: str, names: dict[str, tuple[str, str | None]]) -> None:
    """Keep ``package.name`` the re-exported object where a submodule has the same name.

    ``from .apply import apply`` in an eager ``__init__`` leaves ``labelwise.weak.apply`` the function;
    lazily, importing the submodule ``labelwise.weak.apply`` (from anywhere) would set the package's
    attribute to the submodule instead, as the import system does for every submodule. The package's
    module class is swapped (``module.__class__`` may be set since Python 3.5) for one that sets the
    re-exported object in that case.
    """
    shadowed = {name: attribute for name, (module, attribute) in names.items() if attribute and module == f".{name}"}
    if not shadowed:
        return

    class _Package(ModuleType):
        def __setattr__(self, name: str, value: Any) -> None:
            if name in shadowed and isinstance(value, ModuleType) and value.__name__ == f"{package}.{name}":
                value = getattr(value, shadowed[name])  # the submodule's function, as the eager import left it
            super().__setattr__(name, value)

    sys.modules[package].__class__ = _Package
