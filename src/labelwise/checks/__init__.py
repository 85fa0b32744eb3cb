"""Data checks on one shared neighbour graph: label issues, outliers, duplicates, leakage, non-IID
order, class imbalance, underperforming groups, missing values and data valuation; image checks
(cleanvision's issues, :func:`image_properties`) and their spurious correlations with the labels.

>>> import labelwise as lw
>>> found = lw.checks.find_data_issues(features=X, labels=y, k=10)  # doctest: +SKIP
>>> found.issues, found.summary, found.info, found.graph, found.label_graph  # doctest: +SKIP
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from ._base import Check, CheckInputs, CheckResult
    from .find import find_data_issues
    from .graph import NeighborGraph
    from .image_properties import ImageProperties, image_properties
    from .image_spurious import spurious_correlations
    from .registry import CHECKS
    from .result import DataIssues

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "CHECKS",
    "Check",
    "CheckInputs",
    "CheckResult",
    "DataIssues",
    "ImageProperties",
    "NeighborGraph",
    "find_data_issues",
    "image_properties",
    "spurious_correlations",
]
