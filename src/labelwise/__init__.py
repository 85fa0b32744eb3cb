"""labelwise: find, fix and defend against bad training labels.

The public API, re-exported from the subpackages; nothing else lives here.
"""

from . import errors
from .audit import LabelIssues, find_label_issues, label_quality_scores
from .probs import out_of_fold_probs

__version__ = "0.1.0"

# Subpackages re-exported as namespaces (lw.aggregate.DawidSkene, lw.noise.flip_labels, ...).
# (one import per line; keep sorted)
from . import aggregate  # noqa: E402
from . import checks  # noqa: E402
from . import evaluate  # noqa: E402
from . import noise  # noqa: E402
from . import poison  # noqa: E402
from . import report  # noqa: E402
from . import review  # noqa: E402
from . import robust  # noqa: E402
from . import semi  # noqa: E402
from . import shift  # noqa: E402
from . import weak  # noqa: E402
# END OF SUBPACKAGES

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
