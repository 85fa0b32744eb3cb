"""What the label model's fits of one set of vote rows share, and the results only the kept fit's reader needs.

:func:`~._one_class_fit.choose_structure` fits the same vote rows two or three times (without and with the learned
pairs, then with the anchored balance) and keeps one fit. The steps the fits have in common are made once
(:func:`reused`), and the results that only the kept fit's caller reads (the per-function ``μ`` and the posterior
of every row, the vote-value log-likelihood of a single abstain model) are made only for the kept fit
(:func:`deferred`, :func:`resolve`). Outside such a context (:data:`SHARED` is ``None``, every other fit) each step
is made at once, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

__all__ = ["SHARED", "Deferred", "deferred", "resolve", "reused", "reused_for", "reused_for_all"]

#: What the label model's fits of one set of vote rows in this context share (:func:`~._one_class_fit.fit_rows`' fits
#: on mostly one-class votes): each step's result by its key, with the model attributes the step set
#: (:func:`reused`); ``None``: each fit makes its own.
SHARED: ContextVar[dict | None] = ContextVar("one_class_shared", default=None)


def reused(key: Any, make: Any, model: Any = None, attrs: tuple[str, ...] = ()) -> Any:
    """``make()``, or where the fits in this context share their steps (:data:`SHARED`, one set of vote rows) the
    result of an earlier fit's step of the same ``key``, with the attributes ``attrs`` of ``model`` that step set
    set again.

    :func:`~._one_class_fit.choose_structure` fits the same rows two or three times: their vote indicator and its
    gram are the same, and so are the moment fit and the clique search of the fits with the same pairs (the refit
    with the anchored balance changes EM alone). A list result (the cliques) is copied."""
    memo = SHARED.get()
    if memo is None:
        return make()
    if key not in memo:
        out = make()
        memo[key] = (out, {a: getattr(model, a) for a in attrs})
    out, saved = memo[key]
    for a, v in saved.items():
        setattr(model, a, v)
    return [list(g) for g in out] if isinstance(out, list) else out


def reused_for(obj: Any, key: Any, make: Any) -> Any:
    """:func:`reused` for a step of the object ``obj`` (an array the fits share), keyed by ``obj`` itself: the memo
    holds ``obj``, so no other object takes its identity while the memo lives."""
    return reused_for_all((obj,), key, make)


def reused_for_all(objs: tuple[Any, ...], key: Any, make: Any) -> Any:
    """:func:`reused_for` for a step of several objects ``objs`` (the vote rows and their weights, say), keyed by
    them all: the memo holds each, and an object that is not the one held makes the step again."""
    held, out = reused((key, *map(id, objs)), lambda: (objs, make()))
    return out if all(a is b for a, b in zip(held, objs, strict=True)) else make()


class Deferred:
    """A result to make only if it is read: ``make()``, called by :func:`resolve`."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def deferred(make: Callable[[], Any]) -> Any:
    """``make()``, or where the fits in this context share their steps (:data:`SHARED`: one of them is kept) a
    :class:`Deferred` that :func:`resolve` makes for the kept fit alone. ``make`` must read nothing that a later
    fit changes."""
    return make() if SHARED.get() is None else Deferred(make)


def resolve(model: Any, out: Any) -> Any:
    """``out`` and ``model``'s attributes with every :class:`Deferred` among them made (the kept fit's)."""
    for name, value in list(vars(model).items()):
        if isinstance(value, Deferred):
            setattr(model, name, value.make())
    return out.make() if isinstance(out, Deferred) else out
