"""Refuse pandas inputs that hold a table's rows in another order, where rows are paired by position.

Functions that follow scikit-learn's ``fit(X, y)`` convention pair ``X`` and ``y`` by position. A
labels Series whose index holds exactly the rows of ``X``'s index, in another order, then gives
every row another row's label without a word; that one case is an error. An index of other values
(one side reset, as after ``reset_index``) is read by position, as scikit-learn reads it.
``labelwise.checks`` and ``labelwise.poison`` both use it. :class:`RowOrderScore` applies the same rule
to an estimator's ``score(X, y, sample_weight)`` (what ``cross_val_score`` and ``GridSearchCV`` call).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .arguments import show

__all__ = ["RowOrderScore", "check_score_rows", "check_row_order"]


def check_row_order(reference: Any, reference_name: str, reader: str, **given: Any) -> None:
    """Raise :class:`InvalidParameterError` if a pandas value in ``given`` lists ``reference``'s rows in another order.

    Parameters
    ----------
    reference : Any
        The table whose rows set the order (e.g. ``X``); nothing is checked unless it is a
        pandas DataFrame or Series with a unique index.
    reference_name : str
        Its parameter name, for the message.
    reader : str
        Who pairs the rows by position, for the message (e.g. ``"the poison attacks"``).
    **given
        The values to check, by parameter name (e.g. ``labels=y``); values that are not pandas
        objects, or of another length, are left to the other checks.
    """
    if not isinstance(reference, (pd.Series, pd.DataFrame)) or not reference.index.is_unique:
        return
    index, owner = reference.index, reference_name + ("'" if reference_name.endswith("s") else "'s")
    for name, value in given.items():
        if not isinstance(value, (pd.Series, pd.DataFrame)) or len(value) != len(index) or value.index.equals(index):
            continue
        at = index.get_indexer(value.index) if value.index.is_unique else np.array([-1])
        if at.size == 0 or at.min() < 0:  # not the same rows: read by position
            continue
        first = int(np.flatnonzero(at != np.arange(len(at)))[0])
        raise InvalidParameterError(
            f"{name} must list the rows in the order of {owner} index: its position {first} is index "
            f"{show(value.index[first])}, {owner} position {first} is {show(index[first])} ({reader} "
            f"pair rows by position, as scikit-learn does, not by index); pass {name}.reindex({reference_name}.index)"
        )


def check_score_rows(estimator: Any, X: Any, y: Any, sample_weight: Any = None) -> None:
    """:func:`check_row_order` for ``estimator.score(X, y, sample_weight)``: ``y`` and ``sample_weight`` in ``X``'s order.

    Parameters
    ----------
    estimator : Any
        The estimator scored; its class name goes in the message.
    X, y, sample_weight : Any
        The arguments of ``score``.
    """
    reader = f"{type(estimator).__name__}.score and cross_val_score"
    check_row_order(X, "X", reader, y=y, sample_weight=sample_weight)


class RowOrderScore:
    """Mixin: ``score(X, y, sample_weight)`` refuses a pandas ``y`` holding ``X``'s rows in another order.

    Put it before scikit-learn's ``ClassifierMixin`` / ``RegressorMixin`` (or any class whose
    ``score`` it guards) among the bases; it checks the rows (:func:`check_score_rows`), then calls
    the next class's ``score``. A ``y`` on another index (one side reset) is still read by position.
    """

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """The next base's ``score(X, y, sample_weight)``, once ``y`` and ``sample_weight`` are in ``X``'s order.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets, paired with ``X``'s rows by position.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        score : float
        """
        check_score_rows(self, X, y, sample_weight)
        return float(super().score(X, y, sample_weight=sample_weight))  # type: ignore[misc]
