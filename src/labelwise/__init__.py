"""labelwise: find, fix and defend against bad training labels.

The public API, re-exported from the subpackages; nothing else lives here. The names are loaded on
first use (PEP 562 ``__getattr__``), so ``import labelwise`` (and the ``labelwise`` command's
``--help``) does not import scikit-learn, scipy or pandas until a name that needs them is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the static names, for mypy and the documentation; at run time __getattr__ loads them
    from . import errors
    from .audit import LabelIssues, find_label_issues, label_quality_scores
    from .probs import out_of_fold_probs

    # (one import per line; keep sorted)
    from . import aggregate
    from . import checks
    from . import evaluate
    from . import noise
    from . import poison
    from . import report
    from . import review
    from . import robust
    from . import semi
    from . import shift
    from . import weak
    # END OF SUBPACKAGES

#: Where each public name lives: ``"module"`` (a subpackage re-exported as a namespace,
#: ``lw.aggregate.DawidSkene``) or ``"module:attribute"``, relative to this package.
_WHERE: dict[str, str] = {
    "errors": "errors",
    "LabelIssues": "audit:LabelIssues",
    "find_label_issues": "audit:find_label_issues",
    "label_quality_scores": "audit:label_quality_scores",
    "out_of_fold_probs": "probs:out_of_fold_probs",
    "aggregate": "aggregate",
    "checks": "checks",
    "evaluate": "evaluate",
    "noise": "noise",
    "poison": "poison",
    "report": "report",
    "review": "review",
    "robust": "robust",
    "semi": "semi",
    "shift": "shift",
    "weak": "weak",
}

__all__ = [
    "aggregate",
    "checks",
    "LabelIssues",
    "errors",
    "evaluate",
    "find_label_issues",
    "label_quality_scores",
    "noise",
    "out_of_fold_probs",
    "poison",
    "report",
    "review",
    "robust",
    "semi",
    "shift",
    "weak",
]


def __getattr__(name: str) -> Any:
    """Import the public ``name`` on first use and keep it (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, _, attribute = _WHERE[name].partition(":")
    value = importlib.import_module(f".{module}", __name__)
    if attribute:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
