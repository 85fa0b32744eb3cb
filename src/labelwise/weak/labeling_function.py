"""Labeling functions: a rule that votes a class for a row, or abstains.

A labeling function (LF) is a plain Python function wrapped with :func:`labeling_function`. A row
function takes one row (a named tuple whose attributes are the columns, e.g. ``row.text``) and
returns a class or the abstain value; a vectorised function (``vectorized=True``) takes the whole
DataFrame (or one partition of it) and returns one value per row. Vectorised functions are what
make applying rules to millions of rows fast: ``df.text.str.contains("http")`` runs in C, a
Python call per row does not.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .preprocessor import Preprocessor, _got, check_function, check_options, check_pre

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
    pre : tuple of Preprocessor
        Preprocessors whose columns are added to the rows (or frame) ``func`` gets
        (:mod:`labelwise.weak.preprocessor`).
    resources : dict
        Keyword arguments passed to every call of ``func`` (a keyword list, a knowledge base).
    """

    name: str
    func: Callable[..., Any]
    abstain: Any = None
    vectorized: bool = False
    pre: tuple[Preprocessor, ...] = ()
    resources: Mapping[str, Any] = field(default_factory=dict, hash=False)

    #: What error messages call it ("slicing function" for :class:`~labelwise.weak.SlicingFunction`).
    kind: ClassVar[str] = "labeling function"

    def run(self, x: Any) -> Any:
        """``func`` on a row (or a frame, when vectorised) that has the preprocessors' fields already."""
        return self.func(x, **self.resources) if self.resources else self.func(x)

    def __call__(self, x: Any) -> Any:
        """The function on one row (a frame when vectorised), its preprocessors run first.

        A row is a dict, a pandas Series, a named tuple or an object with attributes (Snorkel's data
        point, a ``SimpleNamespace``); with preprocessors, the function gets it as the applier gives
        a row, its fields and theirs read as ``row.name`` or ``row["name"]``."""
        if not self.pre:
            return self.run(x)
        from ._rows import iter_rows
        from .preprocessor import prepared

        if self.vectorized:
            if not isinstance(x, pd.DataFrame):
                raise InvalidParameterError(
                    f"{self.kind} {self.name!r} is vectorized: it takes a DataFrame, got {_got(x)}"
                )
            return self.run(prepared(x, self.pre, {}))
        frame = pd.DataFrame([self._fields(x)])
        return self.run(next(iter_rows(prepared(frame, self.pre, {}))))

    def _fields(self, x: Any) -> dict[Any, Any]:
        """The fields of the row ``x``, by name; anything else is an error naming the function."""
        if isinstance(x, (Mapping, pd.Series)):
            return dict(x)
        if isinstance(x, tuple) and hasattr(x, "_asdict"):
            return dict(x._asdict())
        if hasattr(x, "__dict__") and not isinstance(x, (type, ModuleType, pd.DataFrame)) and not inspect.isroutine(x):
            return dict(vars(x))
        raise InvalidParameterError(
            f"{self.kind} {self.name!r} takes one row: a dict, a pandas Series, a named tuple or an object with "
            f"attributes (a SimpleNamespace), got {_got(x)}"
        )

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
    pre: Any = None,
    resources: Any = None,
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
    pre : list of Preprocessor, optional
        Preprocessors (:func:`labelwise.weak.preprocessor`) whose fields the function reads; the
        applier runs each once per frame, however many functions list it.
    resources : dict, optional
        Keyword arguments for every call, ``func(row, **resources)`` (Snorkel's ``resources``);
        a name may not be the function's first parameter, and the function must accept each.

    Returns
    -------
    LabelingFunction, or a decorator that makes one.

    Raises
    ------
    InvalidParameterError
        A bad option (``name``, ``vectorized``, ``pre``, ``resources``), or a function that cannot
        take the applier's call ``func(row, **resources)``, naming its signature.

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
    before = check_pre(pre)
    return decorate(
        func,
        name,
        vectorized,
        "labeling_function",
        "lf",
        lambda n, f: LabelingFunction(
            n, f, abstain, vectorized, before, check_call_shape(n, f, vectorized, check_resources(resources, f))
        ),
    )


def check_call_shape(name: str, func: Callable[..., Any], vectorized: Any, resources: dict[str, Any]) -> dict[str, Any]:
    """``resources`` once ``func`` is known to take the call the applier makes, ``func(row, **resources)``
    (the DataFrame for a vectorised one); a function that cannot is refused when it is decorated,
    naming its signature, rather than on the first row. A callable without a signature is let through."""
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return resources
    try:
        signature.bind(None, **resources)
    except TypeError:
        what = "the DataFrame (vectorized=True)" if vectorized else "the row"
        keywords = f", and the resources {list(resources)} by keyword" if resources else ""
        raise InvalidParameterError(
            f"labeling function {name!r} must take one positional argument, {what}{keywords}; its signature is "
            f"{getattr(func, '__name__', name)}{signature}"
        ) from None
    return resources


def check_resources(resources: Any, func: Callable[..., Any]) -> dict[str, Any]:
    """``resources`` as a dict of keyword arguments ``func`` accepts besides its row argument."""
    if resources is None:
        return {}
    if not isinstance(resources, Mapping) or not all(isinstance(k, str) and k.isidentifier() for k in resources):
        raise InvalidParameterError(
            f"resources must be a dict of keyword arguments (names to values), got {_show_short(resources)}"
        )
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):  # a builtin without a signature: let the call say
        return dict(resources)
    positional = [p for p in params.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    row = positional[0].name if positional else None
    if row is not None and row in resources:
        raise InvalidParameterError(
            f"resources must not name the function's row argument {row!r}; rename the resource (got the "
            f"names {list(resources)})"
        )
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        missing = [k for k in resources if k not in params or params[k].kind == params[k].POSITIONAL_ONLY]
        if missing:
            raise InvalidParameterError(
                f"resources must name keyword parameters of {getattr(func, '__name__', 'the function')}; it has "
                f"no parameter {missing[0]!r} (its parameters are {list(params)})"
            )
    return dict(resources)


def _show_short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def decorate(
    func: Callable[..., Any] | None,
    name: str | None,
    vectorized: Any,
    decorator: str,
    default_name: str,
    build: Callable[[str, Callable[..., Any]], Any],
) -> Any:
    """The decorator ``decorator`` (with or without arguments) after checking ``name`` and ``vectorized``
    (:func:`~labelwise.weak.preprocessor.check_options`, the wording of every decorator's options):
    ``build(name, function)`` makes its labeling or slicing function (the function of a decorated one
    is rewrapped), named after the function unless ``name`` is given."""
    check_options(decorator.replace("_", " "), name, vectorized, False, None)

    def wrap(f: Callable[..., Any]) -> Any:
        if isinstance(f, LabelingFunction):
            f = f.func
        check_function(decorator, f)
        return build(str(name or getattr(f, "__name__", default_name)), f)

    return wrap if func is None else wrap(func)
