"""Shared pieces of meta-estimators that wrap a user's classifier (CleanClassifier, SelfTrainer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sklearn.linear_model import LogisticRegression
from sklearn.utils import get_tags


def base_estimator(meta: Any) -> Any:
    """``meta.estimator``, or the default classifier (LogisticRegression(max_iter=1000)) when None."""
    return meta.estimator if meta.estimator is not None else LogisticRegression(max_iter=1000)


def estimator_has(attr: str) -> Callable[[Any], bool]:
    """``available_if`` check: the fitted estimator (or the given one, before fit) has ``attr``."""

    def check(meta: Any) -> bool:
        if hasattr(meta, "estimator_"):
            return hasattr(meta.estimator_, attr)
        return hasattr(base_estimator(meta), attr)

    return check


def inherit_input_tags(tags: Any, meta: Any) -> Any:
    """Copy the wrapped estimator's sparse / NaN input tags onto the meta-estimator's ``tags``."""
    inner = get_tags(base_estimator(meta)).input_tags
    tags.input_tags.sparse = inner.sparse
    tags.input_tags.allow_nan = inner.allow_nan
    return tags
