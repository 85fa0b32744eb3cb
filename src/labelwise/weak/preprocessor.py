"""Preprocessors: columns computed once per frame for the labeling functions that ask for them.

A preprocessor adds fields to the rows before a labeling or slicing function sees them: a
lower-cased text, a parsed date, a knowledge-base lookup (Snorkel's ``@preprocessor``, Ratner et
al. 2017). A row preprocessor takes one row (as a row labeling function does) and returns a dict
of the fields it adds (``{"lower": row.text.lower()}``); a vectorised one (``vectorized=True``)
takes the whole frame (or one Dask partition) and returns its new columns (a DataFrame, a dict of
arrays or a named Series), one value per row. A field may replace a column of the same name.

A function declares the preprocessors it needs with ``pre=[...]``; the applier
(:func:`labelwise.weak.apply`, :func:`labelwise.weak.apply_slices`) runs each preprocessor once per
frame (once per Dask partition) however many functions use it, keeping its columns by name, and
gives each function the frame with its preprocessors' columns added in the order it lists them.
A preprocessor's own ``pre=`` runs before it, and its columns are in the frame too (as a Snorkel
row leaves a chain of preprocessors with the fields of each). With ``memoize=True`` a row
preprocessor is also called once per distinct row of the frame (rows equal in every field share
its result), which is what Snorkel's ``memoize=True`` saves within one apply; with a
``memoize_key`` (Snorkel 0.10's mappers' key function) once per distinct key of the row, taken
before its own ``pre`` runs, as Snorkel takes it. Snorkel memoises a row preprocessor's output per
distinct row across calls; here a preprocessor's columns are shared by every function of one
apply without asking, and ``memoize=True`` adds the sharing between equal rows.

References
----------
.. [1] A. Ratner, S. H. Bach, H. Ehrenberg, J. Fries, S. Wu and C. Ré, "Snorkel: Rapid Training
   Data Creation with Weak Supervision", PVLDB 11(3), 269-282, 2017.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import InvalidParameterError
from ._augment_memo import KeyFailure, custom_key
from ._per_row import per_row
from ._rows import iter_rows, setting_hint

__all__ = ["Preprocessor", "check_function", "check_options", "check_pre", "prepared", "preprocessor"]


@dataclass(frozen=True)
class Preprocessor:
    """A named function adding fields (columns) to the rows a labeling function sees.

    Attributes
    ----------
    name : str
        The preprocessor's name; its columns are computed once per frame under this name (unique
        among the preprocessors applied together).
    func : callable
        ``func(row) -> dict of new fields`` or, when ``vectorized``, ``func(frame) -> new columns``
        (a DataFrame, a dict of arrays or a named Series, one value per row).
    vectorized : bool
        Whether ``func`` takes the whole DataFrame.
    pre : tuple of Preprocessor
        Preprocessors whose columns ``func`` reads (run before it).
    memoize : bool
        Whether a row preprocessor is called once per distinct row (equal rows share the result).
    memoize_key : callable or None
        With ``memoize``: the function giving a row's memo key (rows of one key share the fields
        the preprocessor adds); None: the row's values (see :func:`preprocessor`).
    """

    name: str
    func: Callable[..., Any]
    vectorized: bool = False
    pre: tuple[Preprocessor, ...] = ()
    memoize: bool = False
    memoize_key: Callable[[Any], Any] | None = None

    kind = "preprocessor"

    def run(self, x: Any) -> Any:
        """``func`` on ``x`` (the error search calls it on slices of the frame)."""
        return self.func(x)

    def __call__(self, x: Any) -> Any:
        return self.func(x)


def preprocessor(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    vectorized: bool = False,
    pre: Any = None,
    memoize: bool = False,
    memoize_key: Callable[[Any], Any] | None = None,
) -> Any:
    """Turn a function into a :class:`Preprocessor` (usable as ``@preprocessor`` or with options).

    Parameters
    ----------
    func : callable, optional
        ``func(row) -> dict`` of the fields it adds or, with ``vectorized=True``, ``func(frame)``
        returning the new columns; given when the decorator is used without parentheses.
    name : str, optional
        The preprocessor's name (default: the function's ``__name__``).
    vectorized : bool, default False
        ``True`` when the function takes the DataFrame and returns columns.
    pre : list of Preprocessor, optional
        Preprocessors run before this one (their columns are in the rows or frame it gets).
    memoize : bool, default False
        Call a row preprocessor once per distinct row (rows equal in every field, the fields of
        ``pre`` included, share its result): for an expensive one on data with repeated rows.
        Rows holding an unhashable value are each computed.
    memoize_key : callable, optional
        Snorkel 0.10's ``memoize_key`` (a ``HashingFunction``, as its ``@preprocessor`` and
        ``LambdaPreprocessor`` take it): with ``memoize=True``, ``memoize_key(row) -> hashable``
        gives a row's memo key, and the rows of one key share the fields the preprocessor returned
        for the first of them, computed once (``lambda row: row.text`` parses each distinct text
        once, whatever the other columns; a row holding a list works when its key is hashable).
        The key gets the row as the function does but without the fields of its own ``pre``
        (Snorkel takes the key before running them). Each row keeps its own other columns, and a
        point of a list its own copy of the shared fields (Snorkel returns the first point of the
        key whole, one object for all: a function after it sees that point's other fields, and a
        TF changing it in place changes every point of the key). Default: the row's values. A key
        function that raises or returns an unhashable value is an error naming the preprocessor
        and the row.

    Returns
    -------
    Preprocessor, or a decorator that makes one.

    Examples
    --------
    >>> import pandas as pd
    >>> from labelwise import weak
    >>> @weak.preprocessor(vectorized=True)
    ... def lower(df):
    ...     return {"lower": df.text.str.lower()}
    >>> @weak.labeling_function(pre=[lower])
    ... def shouts_win(row):
    ...     return "spam" if "win" in row.lower else None
    >>> weak.apply([shouts_win], pd.DataFrame({"text": ["WIN NOW", "hello"]})).matrix().ravel().tolist()
    [0, -1]
    """
    check_options(Preprocessor.kind, name, vectorized, memoize, memoize_key)
    before = check_pre(pre)

    def wrap(f: Callable[..., Any]) -> Preprocessor:
        if isinstance(f, Preprocessor):
            f = f.func
        check_function("preprocessor", f)
        name_ = str(name or getattr(f, "__name__", "pre"))
        return Preprocessor(name_, f, vectorized, before, memoize, memoize_key)

    return wrap if func is None else wrap(func)


def _got(value: Any) -> str:
    return f"{type(value).__name__} {show(value)[:60]}"


def check_options(kind: str, name: Any, vectorized: Any, memoize: Any, memoize_key: Any) -> None:
    """Refuse a bad option of :func:`preprocessor` or
    :func:`~labelwise.weak.transformation_function` (``kind``: which), naming the option, what it
    must be and what it got, in one wording for both."""
    if name is not None and (not isinstance(name, str) or not name):
        raise InvalidParameterError(f"name must be a non-empty string (the {kind}'s name) or None, got {_got(name)}")
    for option, value in (("vectorized", vectorized), ("memoize", memoize)):
        if not isinstance(value, bool):
            raise InvalidParameterError(f"{option} must be True or False, got {_got(value)}")
    if memoize and vectorized:
        raise InvalidParameterError(
            f"memoize must be False for a vectorized {kind} (it is called once per frame, not once per row), got "
            "memoize=True with vectorized=True"
        )
    if memoize_key is not None and not callable(memoize_key):
        raise InvalidParameterError(
            f"memoize_key must be a function of a row returning a hashable key, or None, got {_got(memoize_key)}"
        )
    if memoize_key is not None and not memoize:
        raise InvalidParameterError(
            "memoize_key needs memoize=True (the key is used only to memoise; Snorkel ignores it otherwise), got "
            "memoize=False"
        )


def check_function(decorator: str, f: Any) -> None:
    """Refuse a ``func`` that is not callable, naming the decorator (``decorator``) given it."""
    if not callable(f):
        raise InvalidParameterError(f"{decorator} needs a callable (the function to wrap), got {_got(f)}")


def check_pre(pre: Any) -> tuple[Preprocessor, ...]:
    """``pre`` as a tuple of preprocessors (None: none); anything else is an error naming ``pre``."""
    if pre is None:
        return ()
    if isinstance(pre, Preprocessor):
        pre = [pre]
    if not isinstance(pre, (list, tuple)):
        raise InvalidParameterError(f"pre must be a list of preprocessors (made with @weak.preprocessor), got {pre!r}")
    bad = next((i for i, p in enumerate(pre) if not isinstance(p, Preprocessor)), None)
    if bad is not None:
        raise InvalidParameterError(
            f"pre[{bad}] must be a preprocessor (decorate the function with @weak.preprocessor), got "
            f"{type(pre[bad]).__name__} {pre[bad]!r}"
        )
    return tuple(pre)


def check_unique(pres: list[Preprocessor], owners: list[str], parameter: str) -> None:
    """Refuse two different preprocessors of one name among ``pres`` (those of ``owners``, the
    functions named in the error, and their own ``pre``)."""
    seen: dict[str, tuple[Preprocessor, str]] = {}
    queue = list(zip(pres, owners, strict=True))
    for p, owner in queue:  # in order: the first function to use a name is named first
        if p.name in seen and seen[p.name][0] != p:
            raise InvalidParameterError(
                f"{parameter} must use preprocessors of distinct names; {p.name!r} names two different "
                f"preprocessors (used by {seen[p.name][1]!r} and {owner!r}); rename one with "
                "@weak.preprocessor(name=...)"
            )
        seen[p.name] = (p, owner)
        queue.extend((q, owner) for q in p.pre)


def prepared(frame: pd.DataFrame, pre: tuple[Preprocessor, ...], cache: dict[Any, Any]) -> pd.DataFrame:
    """``frame`` with the columns of ``pre`` added in order; each preprocessor's columns are computed
    once and kept in ``cache`` by name (one cache per frame), as are the prepared frames."""
    if not pre:
        return frame
    key = tuple(p.name for p in pre)
    if key in cache:
        return cache[key]
    out = frame.copy(deep=False)
    for p in _in_order(pre):
        for column, values in _columns(frame, p, cache).items():
            out[column] = values
    cache[key] = out
    return out


def _in_order(pre: tuple[Preprocessor, ...]) -> list[Preprocessor]:
    """``pre`` with each one's own ``pre`` before it (a row leaves Snorkel's chain of preprocessors
    with the fields of every one of them), each once, at its first place."""
    out: dict[str, Preprocessor] = {}
    for p in pre:
        for q in [*_in_order(p.pre), p]:
            out.setdefault(q.name, q)
    return list(out.values())


def _columns(frame: pd.DataFrame, p: Preprocessor, cache: dict[Any, Any]) -> dict[Any, np.ndarray]:
    """The columns ``p`` adds to ``frame`` (computed on first use, then read from ``cache``)."""
    key = ("columns", p.name)
    if key not in cache:
        given = prepared(frame, p.pre, cache)
        cache[key] = _vectorized_columns(p, given) if p.vectorized else _row_columns(p, given, frame)
    return cache[key]


def _error(message: str, *, row: Any = None, position: int | None = None) -> Exception:
    from .apply import LabelingFunctionError

    return LabelingFunctionError(message, row=row, position=position)


def _row_columns(p: Preprocessor, frame: pd.DataFrame, base: pd.DataFrame) -> dict[Any, np.ndarray]:
    """The columns the row preprocessor ``p`` adds to ``frame`` (``base`` with the columns of ``p.pre``:
    the rows a ``memoize_key`` gets)."""
    index = frame.index
    fields: tuple[Any, ...] | None = None
    values: list[tuple[Any, ...]] = []
    memo: dict[Any, Any] | None = {} if p.memoize else None
    keyed = iter_rows(base if p.pre else frame) if p.memoize_key is not None else None
    for position, row in enumerate(iter_rows(frame)):
        try:
            if memo is None:
                got = p.func(row)
            else:
                got = _memoized(p, row, memo) if keyed is None else _keyed(p, next(keyed), row, memo)
        except KeyFailure as exc:
            raise _error(
                f"preprocessor {p.name!r} {exc} on row {show(index[position])}", row=index[position], position=position
            ) from exc.__cause__
        except Exception as exc:
            raise _error(
                f"preprocessor {p.name!r} raised {type(exc).__name__}: {exc} on row {show(index[position])}"
                f"{setting_hint(exc, row)}",
                row=index[position],
                position=position,
            ) from exc
        if not isinstance(got, Mapping):
            raise _error(
                f"preprocessor {p.name!r} returned {show(got)} on row {show(index[position])}, expected a dict "
                "of the fields it adds (e.g. {'lower': row.text.lower()})",
                row=index[position],
                position=position,
            )
        if fields is None:
            fields = tuple(got)
        if tuple(got) != fields:
            raise _error(
                f"preprocessor {p.name!r} returned the fields {list(got)} on row {show(index[position])}, expected "
                f"the fields it returned on the first row, {list(fields)}",
                row=index[position],
                position=position,
            )
        values.append(tuple(got.values()))
    if fields is None:
        return {}
    out = {}
    for j, field in enumerate(fields):
        column = np.empty(len(values), dtype=object)
        column[:] = [v[j] for v in values]
        out[field] = pd.Series(column, index=index).infer_objects().to_numpy()
    return out


def _memoized(p: Preprocessor, row: Any, memo: dict[Any, Any]) -> Any:
    """``p.func(row)``, computed once per distinct row (a row with an unhashable value, each time)."""
    try:
        return memo[row]
    except KeyError:
        memo[row] = out = p.func(row)
        return out
    except TypeError:
        return p.func(row)


def _keyed(p: Preprocessor, key_row: Any, row: Any, memo: dict[Any, Any]) -> Any:
    """``p.func(row)``, computed once per ``p.memoize_key(key_row)`` (a :class:`KeyFailure` when the
    key function raises or returns an unhashable value)."""
    key = custom_key(p, key_row)
    if key in memo:
        return memo[key]
    memo[key] = out = p.func(row)
    return out


def _vectorized_columns(p: Preprocessor, frame: pd.DataFrame) -> dict[Any, np.ndarray]:
    from .apply import call_vectorized

    got = call_vectorized(p, frame, "preprocessor")
    if isinstance(got, pd.Series) and got.name is not None:
        got = {got.name: got}
    if not isinstance(got, (pd.DataFrame, Mapping)):
        raise _error(
            f"preprocessor {p.name!r} (vectorized) must return its new columns as a DataFrame, a dict of "
            f"arrays or a named Series, got {type(got).__name__}"
        )
    out = {}
    for column in got:
        what = f"preprocessor {p.name!r} (vectorized), column {show(column)},"
        values = per_row(got[column], frame.index, what, _error)
        if values.shape != (len(frame),):
            raise _error(
                f"preprocessor {p.name!r} (vectorized) must return one value per row for each column, shape "
                f"({len(frame)},); column {show(column)} has shape {values.shape}"
            )
        out[column] = values
    return out
