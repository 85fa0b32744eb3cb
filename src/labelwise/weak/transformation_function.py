"""Transformation functions: a rule that returns a changed copy of a row (or None), for data augmentation.

A transformation function (TF) is Snorkel's unit of data augmentation (Ratner et al. 2017): a
function of one data point that returns a transformed copy (a synonym swapped in, a number
jittered) or ``None`` when it does not apply to that point. A policy
(:mod:`labelwise.weak.policies`) says which sequences of TFs run on each row, and
:func:`labelwise.weak.augment` runs them.

A row TF gets an :class:`AugmentRow`, a dict whose keys are also attributes (``row.text``,
``row["the text"]``), which it may change in place (``row.text = ...; return row``): it gets its
own copy, so the original row and the other sequences are never changed (Snorkel deep-copies each
point before every TF). A vectorised TF (``vectorized=True``) gets a DataFrame of the rows it is
to transform and returns a DataFrame of the rows it transformed (its index a subset of the given
one; a row left out is one it did not transform, as a row TF's ``None``), or ``None``.

References
----------
.. [1] A. J. Ratner, H. R. Ehrenberg, Z. Hussain, J. Dunnmon and C. Ré, "Learning to Compose
   Domain-Specific Transformations for Data Augmentation", NeurIPS 2017.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .labeling_function import check_resources
from .preprocessor import Preprocessor, check_function, check_options, check_pre

__all__ = ["AugmentRow", "TransformationFunction", "transformation_function"]


class AugmentRow(dict[str, Any]):
    """One row given to a row transformation function: a dict whose keys are also attributes.

    ``row.text`` and ``row["text"]`` read the column ``text``; ``row.text = "..."`` and
    ``row["text"] = "..."`` change it (or add a column), as on the pandas Series Snorkel gives.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"{name!r} is not a column of the row; its columns are {list(self)[:30]}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def _asdict(self) -> dict[str, Any]:
        """The row as a plain dict (as a named tuple's ``_asdict``)."""
        return dict(self)


@dataclass(frozen=True)
class TransformationFunction:
    """A named transformation of a row (or of a frame of rows, when vectorised).

    Attributes
    ----------
    name : str
        The TF's name (unique among the TFs applied together); the augmented table names the TFs
        applied to each row by it.
    func : callable
        ``func(row) -> row or None`` or, when ``vectorized``, ``func(frame) -> DataFrame or None``.
    vectorized : bool
        Whether ``func`` takes a DataFrame of rows.
    pre : tuple of Preprocessor
        Preprocessors whose fields are added to the row (or frame) ``func`` gets; as in Snorkel,
        they stay in the row the TF returns.
    resources : dict
        Keyword arguments passed to every call of ``func`` (a synonym table, a vocabulary).
    memoize : bool
        Whether a row TF is called once per distinct row within one augmentation (see
        :func:`transformation_function`).
    memoize_key : callable or None
        With ``memoize``: the function giving a row's (or data point's) memo key; None: the row's
        values (see :func:`transformation_function`).
    """

    name: str
    func: Callable[..., Any]
    vectorized: bool = False
    pre: tuple[Preprocessor, ...] = ()
    resources: Mapping[str, Any] = field(default_factory=dict, hash=False)
    memoize: bool = False
    memoize_key: Callable[[Any], Any] | None = None

    kind: ClassVar[str] = "transformation function"

    def run(self, x: Any) -> Any:
        """``func`` on a row (or a frame, when vectorised) that has the preprocessors' fields already."""
        return self.func(x, **self.resources) if self.resources else self.func(x)

    def __call__(self, x: Any) -> Any:
        """The transformation of one row (a dict, a named tuple or a pandas Series), its preprocessors
        run first, on a copy: the row given is never changed. Returns the transformed row or None.
        A vectorised TF is called on a DataFrame."""
        import pandas as pd

        from .augmentation import transform_frame

        if self.vectorized:
            return transform_frame(self, x)
        if isinstance(x, pd.Series):
            x = x.to_dict()
        elif hasattr(x, "_asdict"):
            x = x._asdict()
        elif not isinstance(x, Mapping):
            x = vars(x)
        got = transform_frame(self, pd.DataFrame([dict(x)]))
        return None if got is None or len(got) == 0 else AugmentRow(got.iloc[0].to_dict())


def transformation_function(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    vectorized: bool = False,
    pre: Any = None,
    resources: Any = None,
    memoize: bool = False,
    memoize_key: Callable[[Any], Any] | None = None,
) -> Any:
    """Turn a function into a :class:`TransformationFunction` (``@transformation_function`` or with options).

    Parameters
    ----------
    func : callable, optional
        The transformation; given when the decorator is used without parentheses. A row function
        takes an :class:`AugmentRow` and returns it changed (or a new dict / Series / named tuple),
        or ``None`` where it does not apply; a vectorised one takes a DataFrame of rows and returns
        the DataFrame of those it transformed (index a subset of the given one) or ``None``.
    name : str, optional
        The TF's name (default: the function's ``__name__``).
    vectorized : bool, default False
        ``True`` when the function takes a DataFrame of rows.
    pre : list of Preprocessor, optional
        Preprocessors (:func:`labelwise.weak.preprocessor`) whose fields the function reads.
    resources : dict, optional
        Keyword arguments for every call, ``func(row, **resources)``.
    memoize : bool, default False
        Snorkel's ``memoize=True``: a row TF is called once per distinct row (rows equal in every
        field, its preprocessors' included) within one :func:`~labelwise.weak.augment` call (one
        :func:`~labelwise.weak.augment_batches` stream, all its batches; one Dask partition), and
        equal rows share its result, ``None`` included: for an expensive TF, or to give a random
        TF's repeated rows one output. Rows holding an unhashable value (a list) are each
        computed, as for :func:`~labelwise.weak.preprocessor`. Snorkel keeps the outputs on the TF
        across calls until ``reset_cache()``; here they go with the call. Not for a vectorised TF.
    memoize_key : callable, optional
        Snorkel's ``memoize_key`` (a ``HashingFunction``, as Snorkel 0.10's mappers take it): with
        ``memoize=True``, ``memoize_key(row) -> hashable`` gives the memo key of a row (an
        :class:`AugmentRow` of the row's columns, without the preprocessors' fields, which Snorkel
        adds after taking the key) or of a data point (a list's element, as given); rows of one
        key share one output, so the key must hold all the TF reads (e.g. ``lambda row:
        row.text`` for a TF of the text alone, which then runs once per distinct text whatever
        the other columns). Default: the row's values (a data point's, Snorkel's ``get_hashable``).
        With such a key a frame is augmented row by row in Snorkel's order, so the "first" row of
        a key is Snorkel's (a Dask frame's partitions keep one memo each). A key function that
        raises or returns an unhashable value is a ``TransformationFunctionError`` naming the TF.

    Returns
    -------
    TransformationFunction, or a decorator that makes one.

    References
    ----------
    .. [1] A. J. Ratner, H. R. Ehrenberg, Z. Hussain, J. Dunnmon and C. Ré, "Learning to Compose
       Domain-Specific Transformations for Data Augmentation", NeurIPS 2017.

    Examples
    --------
    >>> from labelwise import weak
    >>> @weak.transformation_function(resources={"synonyms": {"good": "fine"}})
    ... def swap(row, synonyms):
    ...     words = [synonyms.get(w, w) for w in row.text.split()]
    ...     if words == row.text.split():
    ...         return None
    ...     row.text = " ".join(words)
    ...     return row
    >>> swap({"text": "a good day"})
    {'text': 'a fine day'}
    >>> swap({"text": "a day"}) is None
    True
    """
    check_options(TransformationFunction.kind, name, vectorized, memoize, memoize_key)
    before = check_pre(pre)

    def wrap(f: Callable[..., Any]) -> TransformationFunction:
        if isinstance(f, TransformationFunction):
            f = f.func
        check_function("transformation_function", f)
        return TransformationFunction(
            str(name or getattr(f, "__name__", "tf")),
            f,
            vectorized,
            before,
            check_resources(resources, f),
            memoize,
            memoize_key,
        )

    return wrap if func is None else wrap(func)
