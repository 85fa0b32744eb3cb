"""Labeling functions: a rule that votes a class for a row, or abstains.

A labeling function (LF) is a plain Python function wrapped with :func:`labeling_function`. A row
function takes one row (a named tuple whose attributes are the columns, e.g. ``row.text``) and
returns a class or the abstain value; a vectorised function (``vectorized=True``) takes the whole
DataFrame (or one partition of it) and returns one value per row. Vectorised functions are what
make applying rules to millions of rows fast: ``df.text.str.contains("http")`` runs in C, a
Python call per row does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError

__all__ = ["LabelingFunction", "labeling_function"]


@dataclass(frozen=True)
class LabelingFunction:
    """A named rule with its abstain value.

    Attributes
    ----------
    name : str
        The labeler's name in the votes table (unique among the LFs applied together).
    func : callable
        ``func(row) -> label`` or, when ``vectorized``, ``func(frame) -> array of labels``.
    abstain : object
        The value meaning "no vote". ``None`` (the default) also treats NaN / ``pd.NA`` as abstain.
    vectorized : bool
        Whether ``func`` takes the whole DataFrame.
    """

    name: str
    func: Callable[..., Any]
    abstain: Any = None
    vectorized: bool = False

    #: What error messages call it ("slicing function" for :class:`~labelwise.weak.SlicingFunction`).
    kind: ClassVar[str] = "labeling function"

    def __call__(self, x: Any) -> Any:
        return self.func(x)

    def checked(self, values: np.ndarray, index: pd.Index) -> np.ndarray:
        """``values`` returned on the rows ``index``, as the applier keeps them (unchanged for a labeling
        function; :class:`~labelwise.weak.SlicingFunction` refuses a value that is not True or False)."""
        return values

    def abstains(self, values: np.ndarray) -> np.ndarray:
        """Boolean mask of the entries of ``values`` (an object or numeric array) that are abstains."""
        values = np.asarray(values)
        if self.abstain is None:
            return np.asarray(pd.isna(values), dtype=bool).reshape(values.shape)
        if values.dtype == object:
            return np.fromiter((v is None or _same(v, self.abstain) for v in values), dtype=bool, count=values.size)
        try:
            return np.asarray(values == self.abstain, dtype=bool).reshape(values.shape)
        except (TypeError, ValueError):
            return np.zeros(values.shape, dtype=bool)


def _same(value: Any, abstain: Any) -> bool:
    try:
        return bool(value == abstain)
    except (TypeError, ValueError):
        return False


def labeling_function(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    abstain: Any = None,
    vectorized: bool = False,
) -> Any:
    """Turn a function into a :class:`LabelingFunction` (usable as ``@labeling_function`` or with options).

    Parameters
    ----------
    func : callable, optional
        The rule; given when the decorator is used without parentheses.
    name : str, optional
        The labeler name (default: the function's ``__name__``).
    abstain : object, default None
        The value the function returns to abstain (``None``/NaN by default; Snorkel uses ``-1``).
    vectorized : bool, default False
        ``True`` when the function takes the DataFrame and returns one value per row.

    Returns
    -------
    LabelingFunction, or a decorator that makes one.

    Examples
    --------
    >>> from labelwise import weak
    >>> @weak.labeling_function()
    ... def has_link(row):
    ...     return "spam" if "http" in row.text else None
    >>> @weak.labeling_function(vectorized=True, abstain=-1)
    ... def is_short(df):
    ...     return (df.text.str.len() < 10).map({True: 0, False: -1}).to_numpy()
    >>> has_link.name, is_short.vectorized
    ('has_link', True)
    """
    return decorate(
        func, name, vectorized, "labeling_function", "lf", lambda n, f: LabelingFunction(n, f, abstain, vectorized)
    )


def decorate(
    func: Callable[..., Any] | None,
    name: str | None,
    vectorized: Any,
    decorator: str,
    default_name: str,
    build: Callable[[str, Callable[..., Any]], Any],
) -> Any:
    """The decorator ``decorator`` (with or without arguments) after checking ``name`` and ``vectorized``:
    ``build(name, function)`` makes its labeling or slicing function (the function of a decorated one
    is rewrapped), named after the function unless ``name`` is given."""
    if name is not None and (not isinstance(name, str) or not name):
        raise InvalidParameterError(f"name must be a non-empty string, got {name!r}")
    if not isinstance(vectorized, bool):
        raise InvalidParameterError(f"vectorized must be True or False, got {vectorized!r}")

    def wrap(f: Callable[..., Any]) -> Any:
        if isinstance(f, LabelingFunction):
            f = f.func
        if not callable(f):
            raise InvalidParameterError(f"{decorator} needs a callable, got {type(f).__name__}")
        return build(str(name or getattr(f, "__name__", default_name)), f)

    return wrap if func is None else wrap(func)
