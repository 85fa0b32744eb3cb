"""Refuse pandas inputs that hold a table's rows in another order, where rows are paired by position.

Functions that follow scikit-learn's ``fit(X, y)`` convention pair ``X`` and ``y`` by position. A
labels Series whose index holds exactly the rows of ``X``'s index, in another order, then gives
every row another row's label without a word; that one case is an error. An index of other values
(one side reset, as after ``reset_index``) is read by position, as scikit-learn reads it.
``labelwise.checks`` and ``labelwise.poison`` both use it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .arguments import show

__all__ = ["check_row_order"]


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
