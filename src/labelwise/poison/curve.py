"""Robustness curves: clean test accuracy per defence, attack, budget and seed, and their plot."""

from __future__ import annotations

import io
import numbers
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from .._progress import track
from .._validate.arguments import check_fraction, check_positive, check_positive_int, check_random_state, show
from .._validate.labels import _as_1d, check_same_length, encode_labels
from .._validate.row_order import check_row_order
from ..errors import InvalidLabelsError, InvalidParameterError, TooFewExamplesError
from ..io.atomic import atomic_write
from ._common import BINARY_ONLY_ATTACKS, READER, PoisonedLabels, budget_count, check_X, first_appearance_codes
from ._names import MODELS
from .attacks import ATTACKS
from .defences import LNSVC, AuditThenTrain, CurieSVC, GraphSanitizedSVC, LabelSanitizedSVC
from .floral import FloralSVC

__all__ = ["MODELS", "make_model", "robustness_curve", "RobustnessCurve"]


def make_model(name: str, *, C: float = 10.0, gamma: Any = "scale", random_state: Any = None):
    """A fresh estimator for a model name of :data:`MODELS` (RBF SVMs with the same ``C``, ``gamma``)."""
    check_positive("C", C)
    _check_gamma(gamma)
    check_random_state(random_state)
    if name == "svc":
        return SVC(C=C, gamma=gamma)
    if name == "floral":
        return FloralSVC(C=C, gamma=gamma, random_state=random_state, verbose=False)
    if name == "ln-svm":
        return LNSVC(C=C, gamma=gamma)
    if name == "curie":
        return CurieSVC(C=C, gamma=gamma)
    if name == "ls-svm":
        return LabelSanitizedSVC(C=C, gamma=gamma)
    if name == "graph":
        return GraphSanitizedSVC(C=C, gamma=gamma)
    if name == "audit":
        return AuditThenTrain(C=C, gamma=gamma, random_state=random_state)
    raise InvalidParameterError(f"model must be one of {list(MODELS)}, got {name!r}")


def _is_count(budget: Any) -> bool:
    """Whether a budget is a count of flips (an integer), not a fraction (as :func:`budget_count` reads it)."""
    return isinstance(budget, (numbers.Integral, np.integer)) and not isinstance(budget, bool)


def _budget_axis(budgets: pd.Series) -> str:
    """The plot's x label: fractions, counts, or both, of the training labels flipped."""
    kinds = {_is_count(b) for b in budgets if b != 0}
    if kinds == {True}:
        return "budget (training labels flipped)"
    if kinds == {True, False}:
        return "budget (training labels flipped: a count, or a fraction below 1)"
    return "budget (fraction of training labels flipped)"


@dataclass(frozen=True)
class RobustnessCurve:
    """Accuracy on clean test labels of models trained on attacked labels.

    Attributes
    ----------
    table : DataFrame
        One row per (model, attack, budget, seed): ``model``, ``attack``, ``budget`` (as given: a
        count stays an integer beside fractions, in a column of objects; the clean reference's
        budget is ``0`` when counts were given, else ``0.0``),
        ``n_flipped``, ``seed``, ``accuracy``, ``fit_seconds``, ``attack_seconds``.
    """

    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The tidy table, one row per model, attack, budget and seed."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Mean and standard deviation of accuracy per model, attack and budget."""
        groups = self.table.groupby(["attack", "budget", "model"], sort=False)
        out = groups["accuracy"].agg(mean="mean", std="std", n_seeds="count").reset_index()
        out["std"] = out["std"].fillna(0.0)
        if self.table["budget"].dtype == object:  # the keys come back as floats: the budgets as given
            out["budget"] = pd.Series(groups["budget"].first().to_numpy(), dtype=object)
        return out

    def plot(self, path: str | os.PathLike | None = None, *, title: str | None = None):
        """Mean accuracy against budget with standard-deviation error bars, one panel per attack.

        Returns the matplotlib figure; with ``path``, also writes a PNG atomically.
        """
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        summ = self.summary()
        attacks = list(dict.fromkeys(summ["attack"]))
        fig, axes = plt.subplots(1, len(attacks), figsize=(4.2 * len(attacks), 3.6), squeeze=False, sharey=True)
        for ax, attack in zip(axes[0], attacks, strict=False):
            part = summ[summ["attack"] == attack]
            for model in dict.fromkeys(part["model"]):
                m = part[part["model"] == model]
                ax.errorbar(m["budget"].astype(float), m["mean"], yerr=m["std"], marker="o", capsize=3, label=model)
            ax.set_title(f"attack: {attack}")
            ax.set_xlabel(_budget_axis(part["budget"]))
            ax.grid(alpha=0.3)
        axes[0][0].set_ylabel("clean test accuracy")
        axes[0][-1].legend(fontsize="small")
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        if path is not None:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=110)
            with atomic_write(path, "wb") as fh:
                fh.write(buf.getvalue())
        plt.close(fig)
        return fig


def _resolve(items: Any, registry: Mapping[str, Any], kind: str) -> dict[str, Any]:
    if isinstance(items, str):
        items = [items]
    if isinstance(items, Mapping):
        return dict(items)
    out: dict[str, Any] = {}
    for item in items:
        if isinstance(item, str):
            if item not in registry:
                raise InvalidParameterError(f"{kind} must be one of {list(registry)} (or a callable), got {item!r}")
            out[item] = registry[item] if kind == "attack" else item
        elif callable(item) or hasattr(item, "fit"):
            out[getattr(item, "__name__", type(item).__name__)] = item
        else:
            raise InvalidParameterError(f"each {kind} must be a name or a callable, got {item!r}")
    if not out:
        raise InvalidParameterError(f"at least one {kind} is needed")
    return out


def _seed_list(seeds: Any) -> list[int]:
    if isinstance(seeds, (numbers.Integral, np.integer)) and not isinstance(seeds, bool):
        return list(range(check_positive_int("seeds", seeds)))
    try:
        out = [int(s) for s in seeds]
    except (TypeError, ValueError):
        raise InvalidParameterError(f"seeds must be a count or a list of ints, got {seeds!r}") from None
    if not out:
        raise InvalidParameterError("seeds must not be empty")
    return out


def _with_seed(est: Any, seed: int) -> Any:
    est = clone(est)
    if "random_state" in est.get_params():
        est.set_params(random_state=seed)
    return est


def _check_gamma(gamma: Any) -> Any:
    """The SVMs' ``gamma``: ``"scale"``, ``"auto"`` or a positive number (SVC's own check comes only at the first fit)."""
    if isinstance(gamma, str) and gamma in ("scale", "auto"):
        return gamma
    if (
        isinstance(gamma, numbers.Real)
        and not isinstance(gamma, bool)
        and np.isfinite(float(gamma))
        and float(gamma) > 0
    ):
        return float(gamma)
    raise InvalidParameterError(f"gamma must be 'scale', 'auto' or a positive number, got {gamma!r}")


def _check_stratified_split(codes: np.ndarray, classes: np.ndarray, test_frac: float) -> None:
    """A stratified split needs 2 examples of every class and room for every class on both sides."""
    counts = np.bincount(codes, minlength=len(classes))
    if counts.min() < 2:
        rare = classes[int(np.argmin(counts))]
        raise TooFewExamplesError(
            f"y must have at least 2 examples of every class for the stratified train/test split; class "
            f"{show(rare)} has {int(counts.min())} (drop or merge it, or pass a fixed test set)"
        )
    n, k = len(codes), len(classes)
    n_test = int(np.ceil(test_frac * n))
    if min(n_test, n - n_test) < k:
        # the test set takes ceil(test * n) examples: k or more, and n - k or fewer (n >= 2k: checked above)
        raise TooFewExamplesError(
            f"test must leave one example of each of the {k} classes on both sides of the stratified split, "
            f"so with {n} examples be above {(k - 1) / n:.4g} and at most {(n - k) / n:.4g}; "
            f"test={test_frac} puts {n_test} of {n} examples in the test set"
        )


def robustness_curve(
    models: Any,
    X: Any,
    y: Any,
    attacks: Any = ("random", "alfa"),
    budgets: Sequence[Any] = (0.05, 0.1, 0.25),
    seeds: Any = 3,
    test: Any = 0.3,
    *,
    include_clean: bool = True,
    C: float = 10.0,
    gamma: Any = "scale",
    verbose: bool | None = None,
) -> RobustnessCurve:
    """Clean test accuracy of each model trained on attacked labels, per attack, budget and seed.

    Long because it validates its many options in one place before the grid of (attack, budget, seed, model) runs, which is a single loop.

    For every seed the data are split (stratified) into train and test (or the given test set is
    used), every attack poisons the *training* labels at every budget, every model is fitted on
    the poisoned labels, and its accuracy is measured on the clean test labels. The split is
    scikit-learn's ``train_test_split(stratify=...)`` (per-class test counts as it computes
    them), given the classes numbered in the order of their first appearance in ``y``: scikit-learn
    draws class by class in the order of those numbers, so the split of a seed depends on the
    rows and their grouping into classes only, and renaming the classes draws the same split.

    Parameters
    ----------
    models : list of names from :data:`MODELS`, estimators, or a dict name -> estimator
    X : array-like of shape (n, d)
    y : array-like of shape (n,)
    attacks : list of names (``random``, ``farthest``, ``topk_sv``, ``alfa``, ``lfa``) or callables
        ``f(X, y, budget, random_state) -> PoisonedLabels`` (or the poisoned label array), or a
        dict name -> callable.
    budgets : sequence of fractions in [0, 1) or counts
        Each runs once per seed (a repeated budget once; 0, with ``include_clean``, is the clean
        reference's row).
    seeds : int or list of int
        A count (seeds ``0..seeds-1``) or explicit seeds; each seeds the split, the attack and the
        models' ``random_state``.
    test : float in (0, 1) or tuple (X_test, y_test)
        Test fraction for a stratified split, or a fixed clean test set.
    include_clean : bool, default=True
        Add budget 0 (no attack) once per seed as the reference.
    C, gamma : SVM parameters of the named models.
    verbose : bool or None
        Progress bar over the attack/fit grid.

    Returns
    -------
    RobustnessCurve
    """
    check_row_order(X, "X", READER, y=y)
    Xa = check_X(X)
    arr = _as_1d(y, "y")
    check_same_length("X", Xa, "y", arr)
    codes, classes = encode_labels(arr, name="y")
    if classes.size < 2:
        raise InvalidLabelsError(f"y must contain at least 2 classes, got {classes.size}")
    attack_map = _resolve(attacks, ATTACKS, "attack")
    for name in attack_map:
        if name in BINARY_ONLY_ATTACKS and classes.size != 2:
            raise InvalidLabelsError(
                f"the {name!r} attack needs binary labels, got {classes.size} classes; multi-class capable "
                "attacks: ['random', 'farthest']"
            )
    model_map = _resolve(models, {m: m for m in MODELS}, "model")
    for m in model_map.values():
        if isinstance(m, str):
            make_model(m)  # validates the name
    seed_list = _seed_list(seeds)
    if isinstance(test, tuple):
        if len(test) != 2:
            raise InvalidParameterError("test must be a fraction or a tuple (X_test, y_test)")
        check_row_order(test[0], "X_test", READER, y_test=test[1])
        Xt = check_X(test[0], name="X_test")
        yt = _as_1d(test[1], "y_test")
        check_same_length("X_test", Xt, "y_test", yt)
        if Xt.shape[1] != Xa.shape[1]:
            raise InvalidParameterError(f"X_test must have {Xa.shape[1]} features, got {Xt.shape[1]}")
        fixed_test = (Xt, yt)
        test_frac = None
    else:
        fixed_test = None
        test_frac = check_fraction("test", test)
        if test_frac == 0:
            raise InvalidParameterError("test must be a fraction in (0, 1), got 0")
        _check_stratified_split(codes, classes, test_frac)
    gamma = _check_gamma(gamma)
    check_positive("C", C)
    budget_list = list(budgets)
    if not budget_list and not include_clean:
        raise InvalidParameterError("budgets must not be empty")
    n_train = Xa.shape[0] if fixed_test is not None else Xa.shape[0] - int(np.ceil(test_frac * Xa.shape[0]))
    for b in budget_list:
        try:
            budget_count(b, n_train, name="budgets")
        except InvalidParameterError as exc:  # the count a user knows is the data's, not the training part's
            raise InvalidParameterError(
                f"{exc} (a count is of the {n_train} training examples left after the test split)"
            ) from None

    # A budget given twice, or 0 beside the clean reference (itself budget 0), would run twice per seed
    # and count twice in every mean and in n_seeds: each budget once, 0 as the reference when there is one.
    budget_list = [b for b in dict.fromkeys(budget_list) if not (include_clean and b == 0)]
    is_count = [_is_count(b) for b in budgets]
    clean_budget = 0 if any(is_count) else 0.0  # no label flipped: a count when counts were given
    cells = []
    for seed in seed_list:
        if include_clean:
            cells.append((seed, "none", clean_budget))
        for a in attack_map:
            for b in budget_list:
                cells.append((seed, a, b))
    total = len(cells) * len(model_map)
    ticks = iter(track(range(total), total=total, description="attacks x fits", verbose=verbose))
    rows = []
    split_cache: dict[int, tuple] = {}
    strata = first_appearance_codes(codes)
    for seed, attack, budget in cells:
        if seed not in split_cache:
            if fixed_test is None:
                idx_tr, idx_te = train_test_split(
                    np.arange(Xa.shape[0]), test_size=test_frac, random_state=seed, stratify=strata
                )
                split_cache[seed] = (Xa[idx_tr], arr[idx_tr], Xa[idx_te], arr[idx_te])
            else:
                split_cache[seed] = (Xa, arr, fixed_test[0], fixed_test[1])
        X_tr, y_tr, X_te, y_te = split_cache[seed]
        t0 = time.perf_counter()
        if attack == "none":
            y_att, n_flipped = y_tr, 0
        else:
            out = attack_map[attack](X_tr, y_tr, budget, random_state=seed)
            if isinstance(out, PoisonedLabels):
                y_att = out.labels
            else:
                y_att = np.asarray(out)
                check_same_length("attacked labels", y_att, "y", y_tr)
            n_flipped = int(np.sum(y_att != y_tr))
        t_attack = time.perf_counter() - t0
        for mname, m in model_map.items():
            est = make_model(m, C=C, gamma=gamma, random_state=seed) if isinstance(m, str) else _with_seed(m, seed)
            t1 = time.perf_counter()
            est.fit(X_tr, y_att)
            acc = float(np.mean(est.predict(X_te) == y_te))
            rows.append(
                {
                    "model": mname,
                    "attack": attack,
                    "budget": budget,
                    "n_flipped": n_flipped,
                    "seed": seed,
                    "accuracy": acc,
                    "fit_seconds": time.perf_counter() - t1,
                    "attack_seconds": t_attack,
                }
            )
            next(ticks, None)
    for _ in ticks:
        pass
    table = pd.DataFrame(rows)
    if any(is_count) and not all(is_count):  # as given: a float column would print the count 5 as 5.0
        table["budget"] = pd.Series([r["budget"] for r in rows], dtype=object)
    if include_clean:
        # The clean reference belongs to every attack's curve: repeat it under each attack name.
        clean = table[table["attack"] == "none"]
        table = pd.concat(
            [clean.assign(attack=a) for a in attack_map] + [table[table["attack"] != "none"]], ignore_index=True
        )
        table = table.sort_values(["attack", "budget", "model", "seed"], kind="stable").reset_index(drop=True)
    return RobustnessCurve(table=table)
