"""The heavy libraries as modules imported on first use, for the command line's modules.

``from .._heavy import pandas as pd`` replaces ``import pandas as pd`` in a module whose functions use
pandas but whose import must not wait for it (``labelwise COMMAND --help`` answers without pandas):
``pd`` is a :class:`LazyModule` that imports pandas the first time one of its attributes is read and
then stands for it. mypy reads the ``if TYPE_CHECKING:`` imports below, so ``pd`` has pandas' types.
Unlike :class:`importlib.util.LazyLoader`, nothing enters ``sys.modules`` before the first use.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any


class LazyModule:
    """The module ``name``, imported when one of its attributes is first read, set or deleted.

    Parameters
    ----------
    name : str
        The module's absolute name (``"pandas"``, ``"sklearn.model_selection"``).
    """

    __slots__ = ("_lazy_name", "_lazy_module")

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_lazy_name", name)
        object.__setattr__(self, "_lazy_module", None)

    def _load(self) -> ModuleType:
        module = self._lazy_module
        if module is None:
            module = importlib.import_module(self._lazy_name)
            object.__setattr__(self, "_lazy_module", module)
        return module

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._load(), attribute)  # read each time: a test's monkeypatch is seen

    def __setattr__(self, attribute: str, value: Any) -> None:
        setattr(self._load(), attribute, value)

    def __delattr__(self, attribute: str) -> None:
        delattr(self._load(), attribute)

    def __dir__(self) -> list[str]:
        return dir(self._load())

    def __repr__(self) -> str:
        state = "imported" if self._lazy_module is not None else "not imported yet"
        return f"<lazy module {self._lazy_name!r} ({state})>"

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return importlib.import_module, (self._lazy_name,)  # pickled (to a Dask worker) as the module itself


if TYPE_CHECKING:  # what mypy sees: the modules themselves
    import pandas
    import pyarrow
    import pyarrow.compute as pyarrow_compute
    import pyarrow.csv as pyarrow_csv
    import sklearn.base as sklearn_base
else:
    pandas = LazyModule("pandas")
    pyarrow = LazyModule("pyarrow")
    pyarrow_compute = LazyModule("pyarrow.compute")
    pyarrow_csv = LazyModule("pyarrow.csv")
    sklearn_base = LazyModule("sklearn.base")
