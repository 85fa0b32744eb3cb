"""The approximate indexes that need an extra (hnswlib: ``ann``; faiss: ``ann-faiss``): an index the
caller names is checked before any work, and where ``"auto"`` cannot use the one it picks, a
:class:`~labelwise.errors.LabelwiseWarning` says which search ran instead (never a silent change of
index)."""

from __future__ import annotations

from .._caller import warn_at_caller
from .._extras import available, not_installed, require
from ..errors import LabelwiseWarning

#: The module each index that needs an extra imports.
INDEX_MODULES = {"hnswlib": "hnswlib", "faiss-fp16": "faiss", "faiss-sq8": "faiss"}


def index_available(index: str) -> bool:
    """True when ``index`` needs no extra or its extra is installed."""
    module = INDEX_MODULES.get(index)
    return module is None or available(module)


def require_index(index: str, method: str) -> None:
    """A :class:`~labelwise.errors.MissingDependencyError` when the search would use ``index``
    (``method`` is not ``"exact"``) and the package it needs is not installed."""
    module = INDEX_MODULES.get(index)
    if method != "exact" and module is not None:
        require(module, f"index={index!r}")


def warn_fallback(wanted: str, used: str, n: int, parameter: str = "index") -> str:
    """Say that ``parameter="auto"`` searched ``n`` rows with ``used`` because ``wanted``'s package
    is missing (the neighbours found can differ from those ``wanted`` finds); return the message
    (the graph's search record keeps it: ``GraphSearch.fallback``)."""
    message = (
        f"the neighbour graph's {parameter}='auto' picks {wanted} for {n} rows, but "
        f"{not_installed(INDEX_MODULES[wanted])}: the search used {used} instead, whose neighbours can "
        f"differ from {wanted}'s"
    )
    warn_at_caller(LabelwiseWarning(message))
    return message
