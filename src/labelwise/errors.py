"""Errors and warnings raised by labelwise.

Every error is a :class:`LabelwiseError`, itself a :class:`ValueError`, so callers can catch
either. Messages name the parameter, what was expected and what was received, e.g.
``probs must sum to 1 in every row (row 17 sums to 0.62)``. The command line prints them as one
line and exits with status 2.
"""

from __future__ import annotations

__all__ = [
    "LabelwiseError",
    "InvalidParameterError",
    "InvalidProbabilitiesError",
    "InvalidLabelsError",
    "ShapeMismatchError",
    "TooFewExamplesError",
    "DataFileError",
    "MissingColumnError",
    "AnnotationError",
    "EstimatorError",
    "StorageError",
    "ConflictError",
    "MissingDependencyError",
    "LabelwiseWarning",
]


class LabelwiseError(ValueError):
    """Base class of every error labelwise raises on bad input."""


class InvalidParameterError(LabelwiseError):
    """A parameter has a value outside its allowed set or range."""


class InvalidProbabilitiesError(LabelwiseError):
    """Predicted probabilities are not finite, negative, or rows do not sum to one."""


class InvalidLabelsError(LabelwiseError):
    """Labels are missing, outside the known classes, or too few classes are present."""


class ShapeMismatchError(LabelwiseError):
    """Two inputs that must describe the same examples have different lengths or shapes."""


class TooFewExamplesError(LabelwiseError):
    """A class (or the whole data set) has fewer examples than the computation needs."""


class DataFileError(LabelwiseError):
    """A file is missing, empty, unreadable or malformed (the message names the file and line)."""


class MissingColumnError(LabelwiseError):
    """A required column is not in the table (the message lists the columns that exist)."""


class AnnotationError(LabelwiseError):
    """An annotation table or export is invalid (null ids, unknown labels, empty table...)."""


class EstimatorError(LabelwiseError):
    """An estimator lacks a capability that was asked for (``predict_proba``, ``sample_weight``)."""


class StorageError(LabelwiseError):
    """A store (e.g. the review database) cannot be written: locked, read-only or corrupt."""


class ConflictError(LabelwiseError):
    """A change was based on an outdated version: someone (another tab, another reviewer) changed it first."""


class MissingDependencyError(LabelwiseError, ImportError):
    """An optional dependency (an extra such as ``web``) is not installed; the message says what to install."""


class LabelwiseWarning(UserWarning):
    """A recoverable problem with the input that the user should know about."""
