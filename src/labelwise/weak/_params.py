"""Checks of the label models' parameters that depend on the votes (their classes, their labelers),
and the labelers' order the label models fit a vote table in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice, check_positive_int, plain
from ..errors import InvalidParameterError
from ._posterior import FLOOR, vote_shares
from ._votes import Votes, as_votes, refuse_no_votes

__all__ = [
    "check_class_balance",
    "check_label_model_params",
    "initial_balance",
    "labeler_pairs",
    "n_classes",
    "fit_votes",
]


def check_class_balance(class_balance: Any, classes: Sequence[Any] | np.ndarray) -> np.ndarray | str | None:
    """``None`` (estimate), ``"votes"``, ``"uniform"``, or K probabilities summing to 1, in the order of
    ``classes``; a dict or Series gives each class's probability by name."""
    if class_balance is None or (isinstance(class_balance, str) and class_balance in ("uniform", "votes")):
        return class_balance
    n_classes = len(classes)
    if isinstance(class_balance, (Mapping, pd.Series)):
        class_balance = _by_class(class_balance, classes)
    p = np.asarray(class_balance, dtype=np.float64) if not isinstance(class_balance, str) else np.zeros(0)
    if p.shape != (n_classes,) or not np.all(np.isfinite(p)) or p.min() <= 0 or abs(p.sum() - 1) > 1e-6:
        raise InvalidParameterError(
            f"class_balance must be None, 'uniform', 'votes' or {n_classes} positive probabilities summing to 1, got {class_balance!r}"
        )
    return p


def _by_class(class_balance: Mapping[Any, Any] | pd.Series, classes: Sequence[Any] | np.ndarray) -> list[Any]:
    """The probabilities of a dict or Series of class -> probability, in the order of ``classes`` (keys matched
    as the classes, or as their text: ``"1"`` for the class 1)."""
    given = dict(class_balance.items())
    text = {str(k): v for k, v in given.items()}
    missing = [c for c in classes if c not in given and str(c) not in text]
    extra = [k for k in given if k not in set(classes) and str(k) not in {str(c) for c in classes}]
    if missing or extra:
        raise InvalidParameterError(
            f"class_balance as a mapping must give a probability for each class {[plain(c) for c in classes]}, "
            + (f"got none for {[plain(c) for c in missing]}" if missing else f"got classes the votes lack {extra}")
        )
    return [given[c] if c in given else text[str(c)] for c in classes]


def initial_balance(p_fixed: Any, lam: Any, m: int, k: int, w: np.ndarray) -> np.ndarray:
    """The label model's starting class balance: the given one (``"uniform"`` or an array), else the
    mean vote shares of the rows with a vote (``lam``: the one-hot vote indicator of ``m`` functions,
    rows weighted by ``w``)."""
    if isinstance(p_fixed, np.ndarray):
        return p_fixed
    if p_fixed == "uniform":
        return np.full(k, 1.0 / k)
    shares = vote_shares(lam, m, k)
    covered = np.asarray(lam.sum(axis=1)).ravel() > 0
    p = np.maximum(w[covered] @ shares[covered] / w[covered].sum(), FLOOR)
    return p / p.sum()


def n_classes(classes: Sequence[Any] | np.ndarray, labels: Any) -> int:
    """The number of the votes' classes (with the user's ``labels``); raises unless at least two.

    With one class there is nothing to infer: every label model's confusions are 1 x 1.
    """
    if len(classes) < 2:
        raise InvalidParameterError(
            "labels must hold at least 2 classes for a label model (give every class in "
            f"labels=[...] when the votes name one); got votes of {list(classes)!r} with "
            f"labels={labels!r}"
        )
    return len(classes)


def labeler_pairs(dependencies: Sequence[Any], labelers: tuple[str, ...]) -> list[tuple[int, int]]:
    """``dependencies`` (pairs of labeler names or positions) as pairs of positions in ``labelers``."""
    position = {name: j for j, name in enumerate(labelers)}
    out = []
    for pair in dependencies:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InvalidParameterError(f"dependencies must be (labeler, labeler) pairs, got {pair!r}")
        codes = [position.get(x, x if isinstance(x, int) and 0 <= x < len(labelers) else None) for x in pair]
        if None in codes:
            raise InvalidParameterError(
                f"dependencies must name labelers among {list(labelers)} (or their positions), got {pair!r}"
            )
        out.append((int(codes[0] or 0), int(codes[1] or 0)))
    return out


def fit_votes(votes: Any, classes: Any) -> Votes:
    """:func:`~labelwise.weak._votes.as_votes` for a label model's fit: a vote table's labelers sorted
    (by ``str`` when they do not compare) rather than in their order of first appearance, so that the
    fit (the order of its sums over the sorted distinct vote rows) is the same for any row order of
    the table; a matrix's or a :class:`Votes`' labelers stay in their order."""
    v = as_votes(votes, classes=classes)
    refuse_no_votes(v)  # as_votes takes a Votes of a batch no function voted on: nothing to fit on it
    if not isinstance(votes, pd.DataFrame):
        return v
    names = list(v.labelers)
    try:
        order = sorted(range(len(names)), key=names.__getitem__)
    except TypeError:  # mixed types: by their text, as DawidSkeneLabelModel orders them for its ties
        order = sorted(range(len(names)), key=lambda j: str(names[j]))
    return Votes(v.answers, v.items, tuple(names[j] for j in order), v.classes)


def check_label_model_params(model: Any) -> None:
    """:class:`~labelwise.weak.LabelModel`'s parameter checks (each error names the parameter, what it
    takes and what it got)."""
    check_choice("abstains", model.abstains, ("auto", "informative", "missing"))
    check_positive_int("n_em_iter", model.n_em_iter, minimum=0)
    check_positive_int("max_iter", model.max_iter)
    check_positive_int("max_clique", model.max_clique)
    check_positive_int("min_shared", model.min_shared, minimum=0)
    for name in (
        "pair_check",
        "pair_check_warm_start",
        "pair_check_triad",
        "lured_items",
        "spectral_start",
        "iwmv_start",
        "one_class_rules",
    ):
        value = getattr(model, name)
        multispa = name == "spectral_start" and isinstance(value, str) and value in ("multispa", "multispa-kl")
        if not isinstance(value, (bool, np.bool_)) and not multispa:
            extra = ' (or "multispa" or "multispa-kl", Ibrahim et al.\'s start)' if name == "spectral_start" else ""
            raise InvalidParameterError(f"{name} must be True or False, got {value!r}{extra}")
    for name in ("tol", "l2", "smoothing", "prior_strength"):
        value = getattr(model, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise InvalidParameterError(f"{name} must be a number >= 0, got {value!r}")
    if (
        isinstance(model.prec_init, bool)
        or not isinstance(model.prec_init, (int, float))
        or not 0 < model.prec_init <= 1
    ):
        raise InvalidParameterError(f"prec_init must be a number in (0, 1], got {model.prec_init!r}")
    thr = model.dependency_threshold
    if thr is not None and (isinstance(thr, bool) or not isinstance(thr, (int, float)) or not 0 <= thr < np.inf):
        raise InvalidParameterError(f"dependency_threshold must be None or a finite number >= 0, got {thr!r}")
