"""``class_imbalance`` check: examples of a class far rarer than a uniform share.

The examples of every class whose share of the data is below ``threshold / K``
(``threshold=0.1``) are flagged: cleanlab's Datalab rule, which Datalab applies to the rarest class
only. Score: the class's share times ``K`` (1 for a class at or above a uniform share; Datalab
scores the rarest class's rows by the share itself).

References
----------
He, H., & Garcia, E. A. (2009). Learning from imbalanced data. IEEE TKDE, 21(9), 1263-1284.
"""

from __future__ import annotations

import numpy as np

from ._base import Check, CheckInputs, CheckResult, columns, summary_row

THRESHOLD = 0.1


def run(inputs: CheckInputs) -> CheckResult:
    """Flag the examples of rare classes."""
    assert inputs.labels is not None and inputs.classes is not None  # guaranteed by ``requires``
    threshold = float(inputs.option("class_imbalance", "threshold", THRESHOLD))
    K = len(inputs.classes)
    share = np.bincount(inputs.labels, minlength=K) / inputs.n
    score = np.minimum(1.0, share * K)[inputs.labels]
    rare = share < threshold / K
    is_issue = rare[inputs.labels]
    info = {
        "class_share": {str(c): float(s) for c, s in zip(inputs.classes, share, strict=False)},
        "rare_classes": [str(c) for c in inputs.classes[rare]],
    }
    return CheckResult(
        columns("class_imbalance", is_issue, score), summary_row("class_imbalance", is_issue, score), info
    )


CHECK = Check("class_imbalance", requires=(("labels",),), run=run)
