"""Models for a table: column-role pipelines per family, and the ``auto`` chooser.

:func:`default_model` builds one family's pipeline; :func:`choose_model` compares the families
of the menu by out-of-fold log loss on the same folds and returns the winner's probabilities.
"""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:  # the re-exports: read by mypy and the docs, imported on first use at run time
    from ._auto import CandidateResult, ModelChoice, choose_model
    from ._default import column_kinds, default_model
    from ._menu import FAMILIES, Family
    from ._names import DEFAULT_TIME_BUDGET, MODELS
    from ._names import MODEL_CHOICES as MODEL_CHOICES  # not in __all__, kept as before
    from ._subbag import SubsampledExtraTrees

if not TYPE_CHECKING:  # mypy sees only the block above: a misspelt name stays a type error
    __getattr__, __dir__ = attach(__name__, __file__)

__all__ = [
    "DEFAULT_TIME_BUDGET",
    "FAMILIES",
    "MODELS",
    "CandidateResult",
    "Family",
    "ModelChoice",
    "SubsampledExtraTrees",
    "choose_model",
    "column_kinds",
    "default_model",
]
