"""The registry of data checks: name -> :class:`~labelwise.checks._base.Check`.

Adding a check means adding one module that defines ``CHECK`` and one line here (a family of
checks on one shared computation, as the image checks, defines ``CHECKS``). The order is
the order checks run in (the ``label`` check first: the group check reuses its probabilities).
"""

from __future__ import annotations

from . import (
    class_imbalance,
    data_valuation,
    exact_duplicate,
    identifier_column,
    image_issues,
    image_spurious,
    label,
    leakage,
    near_duplicate,
    near_duplicate_text,
    non_iid,
    null,
    outlier,
    underperforming_group,
)
from ._base import Check

CHECKS: dict[str, Check] = {
    module.CHECK.name: module.CHECK
    for module in (
        label,
        outlier,
        exact_duplicate,
        near_duplicate,
        near_duplicate_text,
        leakage,
        non_iid,
        class_imbalance,
        underperforming_group,
        null,
        identifier_column,
        data_valuation,
    )
}
# the image checks (default=False: run when images are given); the first scores every image once
CHECKS.update({check.name: check for check in image_issues.CHECKS})
CHECKS[image_spurious.CHECK.name] = image_spurious.CHECK
