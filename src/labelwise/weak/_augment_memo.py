"""Memo keys of memoised transformation functions and preprocessors: a user's ``memoize_key``,
checked, and the default key of a data point (Snorkel's ``get_hashable``).

Snorkel's mappers (TFs and preprocessors, Snorkel 0.10's ``snorkel/map/core.py``) take a
``memoize_key``, a function of the data point giving the key its memoised output is kept under
(default ``get_hashable``: the point itself when hashable, else a hashable proxy of its values).
:func:`custom_key` calls a TF's or a preprocessor's key function and says what went wrong in words
the caller's error (naming the function and the row) can carry; :func:`point_key` is the default key of a data point of a list.

References
----------
.. [1] A. J. Ratner, H. R. Ehrenberg, Z. Hussain, J. Dunnmon and C. Ré, "Learning to Compose
   Domain-Specific Transformations for Data Augmentation", NeurIPS 2017.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validate.arguments import show

if TYPE_CHECKING:  # the preprocessor module calls custom_key: imported for the hints only
    from .preprocessor import Preprocessor
    from .transformation_function import TransformationFunction

__all__ = ["KeyFailure", "custom_key", "point_key"]


class KeyFailure(Exception):
    """A ``memoize_key`` raised or returned an unhashable value; the message says which (the caller
    names the TF and the row)."""


def custom_key(fn: TransformationFunction | Preprocessor, x: Any) -> Hashable:
    """``fn.memoize_key(x)`` (``fn`` a TF or a preprocessor), checked to be hashable (a
    :class:`KeyFailure` saying why not)."""
    assert fn.memoize_key is not None
    try:
        key = fn.memoize_key(x)
    except Exception as exc:
        raise KeyFailure(f"memoize_key raised {type(exc).__name__}: {exc}") from exc
    try:
        hash(key)
    except Exception:
        raise KeyFailure(
            f"memoize_key returned an unhashable {type(key).__name__} {show(key)[:60]}, expected a hashable key "
            "(a str, a number, a tuple of them)"
        ) from None
    return key


class _NoProxy(Exception):
    pass


def point_key(x: Any) -> Hashable | None:
    """The default memo key of a data point: the point when hashable, else a hashable proxy of its
    values (a namespace's or dict's items, a list's or tuple's elements, an array's dtype, shape and
    bytes: Snorkel's ``get_hashable``, which keeps no dtype or shape); None when there is none (the
    point is then computed each time, as an unhashable row of a frame)."""
    try:
        return _proxy(x)
    except _NoProxy:
        return None


def _proxy(x: Any) -> Hashable:
    try:
        hash(x)
        return x
    except Exception:
        pass
    if isinstance(x, SimpleNamespace):
        x = vars(x)
    if isinstance(x, Mapping):
        return frozenset((k, _proxy(v)) for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return tuple(_proxy(v) for v in x)
    if isinstance(x, np.ndarray):
        return (str(x.dtype), x.shape, x.tobytes())
    raise _NoProxy
