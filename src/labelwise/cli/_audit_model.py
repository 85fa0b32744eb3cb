"""The model behind ``labelwise audit`` / ``train`` / ``pseudolabel``: roles, the ``auto`` chooser, screen output."""

from __future__ import annotations

from typing import Any

import click
import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import show
from .._validate.labels import encode_labels
from ..errors import InvalidLabelsError, InvalidParameterError, LabelwiseError
from ..models._names import DEFAULT_TIME_BUDGET, MODEL_CHOICES
from ._common import console, plain, print_frame

#: A numeric label with more distinct non-integer values than this looks like a regression target.
CONTINUOUS_MIN_DISTINCT = 20


def model_option(help_text: str = "Model family; auto compares the menu by out-of-fold log loss."):
    """The ``--model`` option: ``auto`` (default) or one family."""
    return click.option(
        "--model", type=click.Choice(list(MODEL_CHOICES)), default="auto", show_default=True, help=help_text
    )


def time_budget_option():
    """The ``--time-budget`` option (seconds for ``--model auto``)."""
    return click.option(
        "--time-budget",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_TIME_BUDGET,
        show_default=True,
        help="Seconds --model auto may spend comparing models (the logistic fallback always finishes).",
    )


def check_label_not_continuous(
    labels: pd.Series, label: str, *, command: str = "audit", folds: int | None = None, name: str | None = None
) -> None:
    """Raise :class:`InvalidLabelsError` when ``labels`` look like a continuous (regression) target.

    Continuous: more than ``CONTINUOUS_MIN_DISTINCT`` distinct numbers, either some of them not
    integers, or (when a model is cross-validated on ``folds`` folds) integers of which at least
    half occur on fewer than ``folds`` rows (a measurement stored as whole numbers). Such integer
    labels would fail the fold check anyway (their smallest class is below ``folds``), so this
    only words the error; a classification whose classes all fill the folds is never refused.
    ``command`` words the suggestion (only ``audit`` has ``--task regression``); ``name`` says what
    the labels are (default ``--label column 'y'``).
    """
    values = labels.dropna()
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values) or values.empty:
        return
    counts = values.value_counts()
    if counts.size <= CONTINUOUS_MIN_DISTINCT:
        return
    numbers = np.asarray(counts.index, dtype=float)
    if np.any(numbers % 1 != 0):
        why = f"{counts.size} distinct non-integer numbers, e.g. {numbers[numbers % 1 != 0][0]:g}"
    elif folds is not None and np.median(counts.to_numpy()) < folds:
        why = f"{counts.size} distinct whole numbers, half of them on fewer than {folds} rows (cv={folds})"
    else:
        return
    if command == "audit":
        fix = "audit it as a regression target with --task regression, or bin it into classes first"
    else:
        fix = f"labelwise {command} needs classes: bin it into classes first (labelwise audit --task regression audits it as it is)"
    raise InvalidLabelsError(f"{name or f'--label column {label!r}'} looks continuous ({why}); {fix}")


def check_two_classes(
    classes: Any, label: str, *, hint: str = " (or give out-of-fold probabilities with --probs)"
) -> None:
    """Raise :class:`InvalidLabelsError` when the label column holds one class: no model can be trained on it.

    ``classes`` are shown as given: a caller whose labels were read as floats only because of
    empty cells passes them as the integers the user wrote (``pseudolabel``'s labeled rows).
    """
    if len(classes) < 2:
        only = f"only {show(classes[0])}" if len(classes) else "none"
        raise InvalidLabelsError(
            f"--label column {label!r} must hold at least 2 classes to train a model, got {only}{hint}"
        )


def audit_probabilities(
    features: pd.DataFrame,
    labels: Any,
    *,
    model: str,
    cv: int,
    time_budget: float,
    random_state: int,
    n_jobs: int | None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Out-of-fold probabilities for the audit and what to write about them in summary.json.

    ``model="auto"`` runs :func:`labelwise.models.choose_model`; a family name cross-validates
    that family alone (on the same folds). A table with no column the model can learn from (only
    identifiers, constants, or an ``--image-column`` of paths) is refused with the way out: ``--probs``.
    """
    from ..columns import infer_column_roles
    from ..models import choose_model, default_model
    from ..probs import out_of_fold_probs

    try:
        if model == "auto":
            choice = choose_model(
                features, labels, cv=cv, time_budget=time_budget, random_state=random_state, n_jobs=n_jobs
            )
            return choice.probs, {"column_roles": choice.roles.to_dict(), "model_choice": choice.to_dict()}
        roles = infer_column_roles(features)
        estimator = default_model(features, model=model, random_state=random_state, roles=roles)
        probs = out_of_fold_probs(estimator, features, labels, cv=cv, random_state=random_state, n_jobs=n_jobs)
    except InvalidParameterError:
        found = infer_column_roles(features)
        if found.used:
            raise
        why = "; ".join(found.notices) or "it holds the label column only"
        raise InvalidParameterError(
            f"DATA must have a column a model can learn from besides the label, got none ({why}): give the "
            "out-of-fold probabilities of your own model (one trained on the images or embeddings) with --probs "
            "(--features and --image-column feed the data checks only)"
        ) from None
    return probs, {"column_roles": roles.to_dict(), "notices": roles.notices}


def chosen_estimator(
    features: pd.DataFrame,
    labels: Any,
    *,
    model: str,
    cv: int,
    time_budget: float,
    random_state: int,
    needs_sample_weight: bool = False,
) -> tuple[Any, dict[str, Any]]:
    """The unfitted pipeline for ``labelwise train`` / ``pseudolabel`` (``auto``: the chooser's best family).

    With ``auto``, ``model_choice`` records ``trained`` (the family fitted) and ``estimator`` (its
    classifier); folds are lowered to the smallest class's size; below 2 examples in a class
    the logistic model is used, and a notice says so. With ``needs_sample_weight``
    (``train --clean reweight``) and a best family whose classifier takes no ``sample_weight``
    (kNN), the best family by log loss that does take it is used instead, and a notice says so.
    """
    from .._meta import accepts_sample_weight
    from ..columns import infer_column_roles
    from ..models import FAMILIES, choose_model, default_model

    smallest, n_classes = 0, 0
    if model == "auto":
        try:
            counts = np.unique(encode_labels(labels)[0], return_counts=True)[1]
            smallest, n_classes = int(counts.min()), counts.size
        except LabelwiseError:  # no labels at all: the trainer reports that in its own words
            pass
    if model != "auto" or smallest < 2 or n_classes < 2:
        roles = infer_column_roles(features)
        info: dict[str, Any] = {"column_roles": roles.to_dict(), "notices": roles.notices}
        if model == "auto" and n_classes >= 2:
            info["notices"] = info["notices"] + [
                "a class has a single labeled example: too few to compare models, fell back to logistic"
            ]
        family = "logistic" if model == "auto" else model
        return default_model(features, model=family, random_state=random_state, roles=roles), info
    choice = choose_model(features, labels, cv=min(cv, smallest), time_budget=time_budget, random_state=random_state)
    estimator, notices = choice.estimator, []
    ranked = sorted((c for c in choice.candidates if c.skipped is None), key=lambda c: c.best_log_loss)
    trained = ranked[0].name  # the family of ``choice.estimator``
    if needs_sample_weight and not accepts_sample_weight(estimator):
        weighted = [c.name for c in ranked if accepts_sample_weight(FAMILIES[c.name].classifier(random_state))]
        name = trained = weighted[0] if weighted else "logistic"
        estimator = FAMILIES[name].build(choice.roles, random_state)
        notices.append(
            f"the best family, {type(choice.estimator.named_steps['classifier']).__name__}, takes no sample "
            f"weights; trained {name}, the best one that does"
        )
    best = estimator.named_steps["classifier"]
    info = {
        "column_roles": choice.roles.to_dict(),
        "model_choice": choice.to_dict() | {"trained": trained, "estimator": type(best).__name__},
        "notices": notices,
    }
    return estimator, info


def ids_written_as_text(info: dict[str, Any], frame: pd.DataFrame, path: Any) -> None:
    """Reword, in place, the reason of each row-id column of ``info`` (``column_roles`` and ``notices``) that
    the file ``path`` writes as text (``"003"``): the table reader made integers of it, so the roles call
    it "distinct integers", which is not what the user wrote (:mod:`labelwise.report._data_as_written`)."""
    from .._column_order import ROW_ID_REASON
    from ..report._data_as_written import columns_as_written

    roles = info.get("column_roles") or {}
    named = [c for c in frame.columns if roles.get(str(c), {}).get("reason") == ROW_ID_REASON]
    if not named or path is None:
        return
    written = columns_as_written(frame[named], path)
    for col in named:
        cells = written[col]
        if cells.dtype != object:
            continue  # integers as the file writes them: the reason is right
        shown = ", ".join(repr(str(v)) for v in cells.iloc[:2])
        reason = f"all {len(cells)} values are distinct ids written as text ({shown}, ...), in order (a row id)"
        old, new = (f"dropped column {str(col)!r}: {why}" for why in (ROW_ID_REASON, reason))
        roles[str(col)]["reason"] = reason
        for holder in (info, info.get("model_choice") or {}):  # auto: the chooser's notices hold the roles'
            if "notices" in holder:
                holder["notices"] = [new if n == old else n for n in holder["notices"]]


def print_column_roles(roles: dict[str, dict[str, str]]) -> None:
    """One screen line: each role, its number of columns and their first names (``ColumnRoles.to_dict()``)."""
    if not roles:
        return
    by_role: dict[str, list[str]] = {}
    for name, r in roles.items():
        by_role.setdefault(r["role"], []).append(str(name))
    parts = [
        f"{role} {len(names)} ({', '.join(names[:5])}{', ...' if len(names) > 5 else ''})"
        for role, names in by_role.items()
    ]
    console().print(f"column roles: {plain('; '.join(parts))}")


def print_model_info(info: dict[str, Any]) -> None:
    """Column roles, the candidates' table and the notices, on the screen."""
    con = console()
    print_column_roles(info.get("column_roles", {}))
    choice = info.get("model_choice")
    notices = list(info.get("notices", [])) + (list(choice["notices"]) if choice else [])
    for notice in notices:
        con.print(f"notice: {plain(notice)}")
    if choice:
        rows = [
            {
                "model": c["name"],
                "log loss": _num(c["log_loss"]),
                "calibrated": _num(c["calibrated_log_loss"]),
                "accuracy": _num(c["accuracy"]),
                "seconds": c["seconds"],
                "skipped": c["skipped"] or "",
            }
            for c in choice["candidates"]
        ]
        print_frame(pd.DataFrame(rows), title="Models compared (out-of-fold, same folds)")
        how = " (temperature-scaled)" if choice["calibrated"] else ""
        weights = sorted((choice.get("blend_weights") or {}).items(), key=lambda item: -item[1])
        mix = f" of {', '.join(f'{name} {w:.2f}' for name, w in weights)}" if choice["chosen"] == "blend" else ""
        con.print(
            f"model: [bold]{choice['chosen']}[/]{mix}{how}, out-of-fold log loss {choice['log_loss']:.4f}, "
            f"accuracy {choice['accuracy']:.3f} against the given labels"
        )
        if "trained" in choice:
            _print_trained(choice)


def _print_trained(choice: dict[str, Any]) -> None:
    """The family ``train`` / ``pseudolabel`` fit, and what of the pick above it leaves out."""
    finished = [c for c in choice["candidates"] if c["skipped"] is None]
    best = min(finished, key=lambda c: min(v for v in (c["log_loss"], c["calibrated_log_loss"]) if v is not None))
    why = ", the best single family by log loss" if best["name"] == choice["trained"] else ""
    left_out = [
        part
        for part, used in (("blend", choice["chosen"] == "blend"), ("temperature scaling", choice["calibrated"]))
        if used
    ]
    if left_out:
        why += f"; the {' and the '.join(left_out)} above {'are' if len(left_out) > 1 else 'is'} not part of the fitted model"
    console().print(f"trained: [bold]{choice['trained']}[/] ({choice['estimator']}){why}")


def _num(value: float | None) -> float | str:
    return "-" if value is None else float(value)
