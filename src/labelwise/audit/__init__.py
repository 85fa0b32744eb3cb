"""Find label issues: confident joint, noise matrices, filters and label quality scores (in memory,
memory-mapped, zarr or on Dask)."""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from . import detection, multilabel, regression, segmentation, token
    from .chunked import ChunkedLabelIssues
    from .confident_joint import (
        calibrate_confident_joint,
        estimate_joint,
        inverse_noise_matrix_from_joint,
        noise_matrix_from_joint,
    )
    from .filters import FILTERS
    from .find import find_label_issues
    from .overlap import ClassOverlap, class_overlap
    from .result import LabelIssues
    from .scores import SCORERS, label_quality_scores

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "FILTERS",
    "SCORERS",
    "ChunkedLabelIssues",
    "ClassOverlap",
    "LabelIssues",
    "calibrate_confident_joint",
    "class_overlap",
    "detection",
    "estimate_joint",
    "find_label_issues",
    "inverse_noise_matrix_from_joint",
    "label_quality_scores",
    "multilabel",
    "noise_matrix_from_joint",
    "regression",
    "segmentation",
    "token",
]
