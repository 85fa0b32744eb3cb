"""labelwise: find, fix and defend against bad training labels.

The public API, re-exported from the subpackages; nothing else lives here. The names are imported
on first use (:mod:`labelwise._lazy`), so ``import labelwise`` and the ``labelwise`` command's
``--help`` do not wait for scikit-learn, scipy or pandas.
"""

from typing import TYPE_CHECKING

from ._lazy import attach

__version__ = "0.1.0"

if TYPE_CHECKING:  # the re-exports: read here by mypy and the docs, imported on first use at run time
    from . import errors
    from .audit import LabelIssues, find_label_issues, label_quality_scores
    from .probs import out_of_fold_probs

    # Subpackages re-exported as namespaces (lw.aggregate.DawidSkene, lw.noise.flip_labels, ...).
    # (one import per line; keep sorted)
    from . import aggregate
    from . import audit
    from . import checks
    from . import evaluate
    from . import noise
    from . import poison
    from . import probs
    from . import report
    from . import review
    from . import robust
    from . import semi
    from . import shift
    from . import weak
    # END OF SUBPACKAGES

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "aggregate",
    "audit",
    "checks",
    "LabelIssues",
    "errors",
    "evaluate",
    "find_label_issues",
    "label_quality_scores",
    "noise",
    "out_of_fold_probs",
    "poison",
    "probs",
    "report",
    "review",
    "robust",
    "semi",
    "shift",
    "weak",
]
