"""``labelwise train``: fit a model on noisy labels (CleanClassifier, ImportanceReweighting or
ForwardCorrection) and save it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import joblib
import numpy as np

from .._heavy import pandas as pd
from .._heavy import sklearn_base
from .._validate.arguments import plain, show
from .._validate.estimators import sample_weight_fit_params
from .._validate.labels import encode_labels
from ..audit._names import FILTER_NAMES
from ..errors import InvalidLabelsError, InvalidProbabilitiesError, TooFewExamplesError
from ..io import atomic_write, files_together, write_csv, write_json
from ..robust._names import TRANSITION_METHODS
from ._audit_model import (
    check_label_not_continuous,
    check_two_classes,
    chosen_estimator,
    model_option,
    print_model_info,
    time_budget_option,
)
from ._common import SEED, console, print_frame, quiet_option, read_input, renaming, split_label
from ._na_values import na_values_option, na_values_setting
from ._out_folder import out_folder
from ._train_methods import METHODS, check_method_options, corrected_model, transition_summary
from ._weights import check_weighted_family, split_weight, weight_option
from ._wrote import print_wrote


def save_model(model, path: Path) -> Path:
    """Pickle ``model`` with joblib into ``path`` atomically (temporary file, then rename)."""
    with atomic_write(path, "wb") as fh:
        joblib.dump(model, fh)
    return path


def _labelled(labels: pd.Series, label: str) -> pd.Series:
    """``labels``, unless some are missing: then an error saying how many, and which command trains on
    partly labelled data (``pseudolabel``, which takes a row without a label for unlabeled)."""
    missing = np.flatnonzero(labels.isna().to_numpy())
    if missing.size:
        row = int(missing[0])
        raise InvalidLabelsError(
            f"--label column {label!r} must not contain missing values, row {row} is {show(labels.iloc[row])} "
            f"({missing.size} of {len(labels)} labels are missing; `labelwise pseudolabel` trains on partly "
            "labelled data, taking the rows without a label for unlabeled)"
        )
    return labels


def cross_validated_accuracy(model, features, codes, *, cv: int, random_state: int, weights=None) -> float:
    """Held-out accuracy of ``model`` against the given labels (stratified, shuffled folds).

    Cleaning happens inside each training part only, so the held-out labels never influence
    which examples are dropped. Scored against given (possibly wrong) labels, this understates
    the accuracy of both models; the difference between them is what it shows. With
    ``weights`` (``--weight``), each training part is fitted with its rows' weights and the
    accuracy is weighted the same way.
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    pred = np.empty(codes.size, dtype=np.int64)
    for train, test in folds.split(codes, codes):
        fit_params = {} if weights is None else sample_weight_fit_params(model, weights[train])
        fitted = clone(model).fit(features.iloc[train], codes[train], **fit_params)
        pred[test] = fitted.predict(features.iloc[test])
    return float(np.average(pred == codes, weights=weights))


#: Most --rounds accepted.
MAX_ROUNDS = 100


@click.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--label", help="Name of the label column; the other columns are features.")
@na_values_option
@click.option(
    "--method",
    type=click.Choice(list(METHODS)),
    default="clean",
    show_default=True,
    help="clean: find the label issues by confident learning, then --clean them (CleanClassifier); "
    "reweight: importance reweighting by the noise transition matrix (ImportanceReweighting); "
    "forward: logistic regression with the forward-corrected loss (ForwardCorrection; --model is "
    "not used).",
)
@click.option(
    "--transition",
    type=click.Choice(list(TRANSITION_METHODS)),
    default="confident_joint",
    show_default=True,
    help="How --method reweight / forward estimate the noise transition matrix from out-of-fold "
    "probabilities: the confident joint, or anchor points (Patrini et al. 2017).",
)
@click.option(
    "--clean",
    type=click.Choice(["drop", "reweight"]),
    default="drop",
    show_default=True,
    help="What to do with the flagged examples.",
)
@out_folder("train", Path("labelwise-model"))
@click.option("--cv", type=click.IntRange(min=2), default=5, show_default=True, help="Cross-validation folds.")
@click.option(
    "--rounds",
    # each round is --cv model fits; reweighting seldom repeats a round exactly (the fixed point where the
    # rounds stop), so a huge count would run for days: a cap instead of a silent hang
    type=click.IntRange(1, MAX_ROUNDS),
    default=1,
    show_default=True,
    help=f"Rounds of re-estimating the issues after cleaning (at most {MAX_ROUNDS}; they stop early "
    "once a round keeps the same rows as the one before).",
)
@click.option(
    "--filter-by",
    type=click.Choice(list(FILTER_NAMES)),
    default="prune_by_noise_rate",
    show_default=True,
    help="--method clean: the rule that flags a label (labelwise.find_label_issues' filter_by).",
)
@weight_option()
@model_option()
@time_budget_option()
@click.option(
    "--random-state",
    type=SEED,
    default=0,
    show_default=True,
    help="Seed of the cross-validation folds, --model auto's comparison and the model.",
)
@click.option(
    "--evaluate/--no-evaluate",
    default=True,
    show_default=True,
    help="Cross-validate the accuracy before and after cleaning.",
)
@quiet_option
def train(
    data, label, method, transition, clean, out, cv, rounds, filter_by, weight_column, model, time_budget, random_state, evaluate,
    quiet, superseded,
):  # fmt: skip
    """Fit a model on DATA whose labels may be wrong: find the label issues, clean, refit.

    Writes model.joblib (the fitted CleanClassifier; ``joblib.load`` it and call ``predict``
    on a table with the same feature columns), issues.csv (one row per example, worst label
    first) and summary.json (counts, cross-validated accuracy before and after cleaning,
    settings) to --out. With --method reweight or forward, the model is trained on all rows with a
    loss corrected by the estimated noise transition matrix, written to transition.csv instead of
    issues.csv.
    """
    from ..robust import CleanClassifier

    check_method_options(method, model)
    frame = read_input(data, "DATA", text_columns=[label] if label else ())
    features, labels = split_label(frame, label)
    features, weights = split_weight(features, weight_column, label=label)
    needs_weights = method == "reweight" or (method == "clean" and clean == "reweight") or weights is not None
    if needs_weights:
        needs = {"reweight": "--method reweight"}.get(method, "--weight" if weights is not None else "--clean reweight")
        check_weighted_family(model, needs=needs)
    check_label_not_continuous(_labelled(labels, label), label, command="train", folds=cv)
    codes, classes = encode_labels(labels, name=f"--label column {label!r}")
    check_two_classes(classes, label, hint="")
    used_model = "logistic" if method == "forward" else model
    estimator, model_info = chosen_estimator(
        features,
        codes,
        model=used_model,
        cv=cv,
        time_budget=time_budget,
        random_state=random_state,
        needs_sample_weight=needs_weights,
    )
    clean_settings = {"clean": clean, "cv": cv, "rounds": rounds, "filter_by": filter_by}
    settings = {
        "data": str(Path(data).resolve()),
        "label": label,
        **na_values_setting(),
        "method": method,
        **(clean_settings if method == "clean" else {"transition": transition, "cv": cv}),
        "weight": weight_column,
        "model": used_model,
        "time_budget": time_budget if used_model == "auto" else None,
        "random_state": random_state,
        "feature_columns": list(features.columns),
    }
    if method != "clean":
        fit = (features, codes, classes, weights)
        _train_corrected(method, transition, estimator, model_info, fit, out, superseded, settings, evaluate)
        return
    cleaner = CleanClassifier(
        estimator, cv=cv, filter_by=filter_by, action=clean, n_rounds=rounds, random_state=random_state
    )
    with renaming({"n_rounds": "--rounds", "filter_by": "--filter-by", "y": f"--label column {label!r}"}):
        fitted = sklearn_base.clone(cleaner).fit(features, classes[codes], sample_weight=weights)
    issues = fitted.label_issues_

    summary = {
        "n_examples": int(codes.size),
        "n_issues": issues.n_issues,
        "n_dropped": fitted.n_dropped_,
        "n_rounds_run": fitted.n_rounds_,
        "noise_rate": issues.noise_rate,
        "classes": [plain(c) for c in classes],
    }
    summary.update(model_info)
    if evaluate:
        summary["cv_accuracy"] = _cv_accuracy(estimator, cleaner, features, codes, cv, random_state, weights)
    summary["settings"] = settings

    with files_together(supersedes=superseded):
        save_model(fitted, out / "model.joblib")
        write_csv(issues.to_frame(), out / "issues.csv")
        write_json(summary, out / "summary.json")

    con = console()
    print_model_info(model_info)
    action = f"dropped {fitted.n_dropped_}" if clean == "drop" else "down-weighted them"
    con.print(
        f"[bold]{codes.size}[/] examples, [bold red]{issues.n_issues}[/] label issues "
        f"(estimated noise rate {issues.noise_rate:.1%}); {action}"
    )
    if evaluate:
        names = ("before cleaning (plain)", f"after cleaning ({clean})", "after-cleaning")
        _print_scores(summary["cv_accuracy"], names, cv, weights)
    print_wrote(out / n for n in ("model.joblib", "issues.csv", "summary.json"))


def _print_scores(scores: dict[str, Any], names: tuple[str, str, str], cv: int, weights: Any) -> None:
    """The table of summary.json's cross-validated accuracy of the plain and the trained model (``names``:
    their rows' names, and the trained one's in the line of a skipped score)."""
    after = scores["after_cleaning"]
    rows = [
        {"model": names[0], "cv accuracy": scores["before_cleaning"]},
        {"model": names[1], "cv accuracy": float("nan") if after is None else after},
    ]
    against = "the given labels" + ("" if weights is None else ", weighted by --weight")  # as summary.json says
    print_frame(pd.DataFrame(rows), title=f"{cv}-fold cross-validated accuracy (against {against})")
    if "after_cleaning_skipped" in scores:
        console().print(f"{names[2]} accuracy skipped: {scores['after_cleaning_skipped']}")


def _cv_accuracy(
    estimator: Any, cleaner: Any, features: pd.DataFrame, codes: np.ndarray, cv: int, random_state: int, weights: Any
) -> dict[str, Any]:
    """summary.json's cross-validated accuracy before and after cleaning (after: None when folds inside
    folds leave a class too small, with the reason)."""
    scoring = {"cv": cv, "random_state": random_state, "weights": weights}
    before = cross_validated_accuracy(estimator, features, codes, **scoring)
    skipped = None
    try:
        after = cross_validated_accuracy(cleaner, features, codes, **scoring)
    except (TooFewExamplesError, InvalidProbabilitiesError) as exc:  # a class too small for folds inside
        # folds, or (--method reweight) a fold's estimated transition matrix that cannot be inverted
        after, skipped = None, str(exc)
    scores = {
        "before_cleaning": before,
        "after_cleaning": after,
        "scored_against": "given labels of held-out rows" + ("" if weights is None else ", weighted by --weight"),
    }
    if skipped:
        scores["after_cleaning_skipped"] = skipped
    return scores


def _train_corrected(
    method: str,
    transition: str,
    estimator: Any,
    model_info: dict[str, Any],
    fit: tuple[pd.DataFrame, np.ndarray, np.ndarray, Any],
    out: Path,
    superseded: Any,
    settings: dict[str, Any],
    evaluate: bool,
) -> None:
    """``train --method reweight | forward``: fit, write model.joblib, transition.csv, summary.json, print.

    ``fit`` is ``(features, codes, classes, weights)``; ``settings`` is summary.json's settings.
    """
    from sklearn.base import clone

    features, codes, classes, weights = fit
    cv, random_state = settings["cv"], settings["random_state"]
    corrected = corrected_model(method, estimator, transition=transition, cv=cv, random_state=random_state)
    with renaming({"cv": "--cv", "transition": "--transition", "y": f"--label column {settings['label']!r}"}):
        fitted = clone(corrected).fit(features, classes[codes], **sample_weight_fit_params(corrected, weights))
    inner = fitted.steps[-1][1] if hasattr(fitted, "steps") else fitted
    table, summary_part = transition_summary(inner, classes, codes)
    summary: dict[str, Any] = {"n_examples": int(codes.size), "method": method, **summary_part}
    summary["classes"] = [plain(c) for c in classes]
    summary.update(model_info)
    if evaluate:
        summary["cv_accuracy"] = _cv_accuracy(estimator, corrected, features, codes, cv, random_state, weights)
    summary["settings"] = settings
    with files_together(supersedes=superseded):
        save_model(fitted, out / "model.joblib")
        write_csv(table, out / "transition.csv")
        write_json(summary, out / "summary.json")

    con = console()
    print_model_info(model_info)
    con.print(
        f"[bold]{codes.size}[/] examples; noise transition matrix estimated by {transition} "
        f"(estimated noise rate {summary['noise_rate']:.1%}); trained with --method {method}"
    )
    print_frame(table, title="P(given label = column | true label = row)")
    if evaluate:
        _print_scores(summary["cv_accuracy"], ("plain", f"corrected ({method})", "corrected"), cv, weights)
    print_wrote(out / n for n in ("model.joblib", "transition.csv", "summary.json"))
