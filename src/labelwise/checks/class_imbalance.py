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

from typing import Any

import numpy as np

from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from ._options import share

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
    return CheckResult(
        columns("class_imbalance", is_issue, score),
        summary_row("class_imbalance", is_issue, score),
        _info(inputs.classes, share, rare),
    )


def _info(classes: np.ndarray, share: np.ndarray, rare: np.ndarray) -> dict[str, Any]:
    return {
        "class_share": {str(c): float(s) for c, s in zip(classes, share, strict=False)},
        "rare_classes": [str(c) for c in classes[rare]],
    }


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` with the class counts summed per partition (dask labels)."""
    from .._stage_progress import compute
    from ._partitioned import dask_columns, persisted_summary

    labels, classes = inputs.labels, inputs.classes
    assert labels is not None and classes is not None  # guaranteed by ``requires``
    threshold = float(inputs.option("class_imbalance", "threshold", THRESHOLD))
    K = len(classes)
    counts = labels.map_blocks(lambda c: np.bincount(c, minlength=K)[None], chunks=(1, K), new_axis=1, dtype=np.int64)
    (total,) = compute(counts.sum(axis=0))
    share = np.asarray(total) / inputs.n
    rare = share < threshold / K
    score = labels.map_blocks(np.minimum(1.0, share * K).__getitem__, dtype=np.float64)
    held, row = persisted_summary(
        "class_imbalance", dask_columns("class_imbalance", labels.map_blocks(rare.__getitem__, dtype=bool), score)
    )
    return CheckResult(held, row, _info(classes, share, rare))


CHECK = Check(
    "class_imbalance", requires=(("labels",),), run=run, partitioned=run_partitioned, options={"threshold": share}
)
