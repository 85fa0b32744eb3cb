"""``labelwise train-crowds``: fit a classifier directly from several annotators' answers (CrowdClassifier)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np
from rich.markup import escape

from .. import aggregate, robust
from .._heavy import pandas as pd
from .._validate.arguments import plain, show
from .._validate.labels import look_alike_classes
from ..errors import AnnotationError, InvalidLabelsError, InvalidParameterError, MissingColumnError
from ..io import files_together, write_csv, write_json
from ..models._names import MODELS
from ..robust._names import DEFAULT_CV
from ._common import (
    SEED,
    check_unique_ids,
    console,
    option_given,
    print_frame,
    quiet_option,
    read_input,
    renaming,
)
from ._na_values import na_values_option, na_values_setting
from ._out_folder import out_folder
from ._wrote import print_wrote
from .train import save_model

if TYPE_CHECKING:
    from ..robust import CrowdClassifier

#: Most --max-iter accepted (each iteration is --cv + 1 model fits).
MAX_ITER = 1000


def _smoothing(ctx: click.Context, param: click.Parameter, value: str) -> str | float:
    """``--smoothing``: ``auto`` or a finite number >= 0 (a usage error, exit 2, otherwise)."""
    if value.strip().lower() == "auto":
        return "auto"
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not (np.isfinite(number) and number >= 0):
        raise click.BadParameter(f"must be 'auto' or a finite number >= 0 (0: no pseudo-count), got {value!r}")
    return number


def _prior_strength(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """``--prior-strength``: a finite number >= 0 (click's range lets ``inf`` through)."""
    if not np.isfinite(value):
        raise click.BadParameter(f"must be a finite number >= 0, got {value}")
    return value


def _unused_classes(classes: np.ndarray, posterior: np.ndarray, labels: pd.Series) -> list[dict]:
    """The classes of ANSWERS that are the inferred label of no row (a class few answers use, which EM
    finds nowhere likely): each with its answers and its highest probability on any row."""
    inferred = np.bincount(posterior.argmax(axis=1), minlength=len(classes))
    counts = labels.value_counts()
    return [
        {"class": plain(c), "n_answers": int(counts.get(c, 0)), "max_probability": float(posterior[:, k].max())}
        for k, c in enumerate(classes)
        if inferred[k] == 0
    ]


def _ids(frame: pd.DataFrame, id_column: str | None) -> pd.Index:
    """The row ids answers name: ``--id-column``'s values (unique, none missing) or positions 0..n-1."""
    if id_column is None:
        return pd.RangeIndex(len(frame))
    if id_column not in frame.columns:
        raise MissingColumnError(f"--id-column {id_column!r} is not in DATA; columns are {list(frame.columns)}")
    ids = frame[id_column]
    check_unique_ids(ids)
    return pd.Index(ids.to_numpy(), name=id_column)


def _check_items(items: pd.Series, ids: pd.Index, item_column: str, id_column: str | None) -> None:
    """Every answered item names a row of DATA; else an error in the command's words (DATA, --id-column)."""
    values = items.dropna()
    if id_column is None:
        number = pd.to_numeric(values, errors="coerce")
        known = number.notna() & (number % 1 == 0) & (number >= 0) & (number < len(ids))
        where = f"row positions 0..{len(ids) - 1}; give --id-column when ANSWERS name rows by an id"
    else:
        known = values.isin(ids)
        where = f"values of --id-column {id_column!r}, compared as text: 7 does not name 007"
    bad = values[~known.to_numpy()]
    if len(bad):
        raise AnnotationError(
            f"--item-column {item_column!r} of ANSWERS must name rows of DATA ({where}), got {show(bad.iloc[0])} "
            f"({bad.nunique()} such item(s) in {len(bad)} answer(s))"
        )


#: Cohen's kappa with the answers' majority vote from which a DATA column holding their classes is named as
#: a label column left among the features (0.41-0.60 is "moderate" agreement, Landis & Koch 1977).
LABEL_COPY_KAPPA = 0.5


def _label_copy(features: pd.DataFrame, table: pd.DataFrame, ids: pd.Index, columns: dict[str, str]) -> str | None:
    """A notice when a column of DATA holds classes of ANSWERS and agrees with their majority vote
    (Cohen's kappa over the answered rows at least :data:`LABEL_COPY_KAPPA`): a label column left in DATA,
    which the model would read its labels from (``true_label`` or the majority vote kept beside the features)."""
    from sklearn.metrics import cohen_kappa_score

    answered = table.dropna(subset=[columns["item_col"], columns["label_col"]])
    items = answered[columns["item_col"]]
    if ids.name is None:  # positions 0..n-1, checked by _check_items
        items = pd.to_numeric(items).astype(np.int64)
    votes = answered[columns["label_col"]].groupby(items.to_numpy()).agg(lambda v: v.value_counts().index[0])
    classes = pd.Index(pd.unique(answered[columns["label_col"]]))
    voted = classes.get_indexer(votes.reindex(ids).to_numpy())
    for name in features.columns:
        column = classes.get_indexer(features[name].to_numpy())
        rows = (voted >= 0) & (column >= 0)
        if rows.sum() < 2 or (column[features[name].notna().to_numpy()] < 0).any() or np.unique(column[rows]).size < 2:
            continue
        kappa = cohen_kappa_score(column[rows], voted[rows])
        if kappa >= LABEL_COPY_KAPPA:
            return (
                f"DATA's column {str(name)!r} holds classes of ANSWERS and agrees with their majority vote on "
                f"{np.mean(column[rows] == voted[rows]):.0%} of the answered rows (Cohen's kappa {kappa:.2f}): "
                "the model reads it as a feature, so it learns the labels from that column and not from the "
                "others; if it is a label column, drop it from DATA"
            )
    return None


def _check_classes(labels: pd.Series, label_column: str) -> None:
    """ANSWERS give at least two classes (the API's hint ``labels=`` has no option here)."""
    classes = labels.dropna().unique()
    if classes.size == 1:
        raise InvalidLabelsError(
            f"--label-column {label_column!r} of ANSWERS must hold at least 2 classes, got 1 class "
            f"({show(classes[0])}): a model needs two classes to tell apart"
        )


def _check_answers(
    table: pd.DataFrame,
    ids: pd.Index,
    id_column: str | None,
    item_column: str,
    annotator_column: str,
    label_column: str,
) -> None:
    """ANSWERS in the command's words: the three columns present, items that name rows of DATA, two
    classes, and no answer without its item, annotator or label (named by the option of its column)."""
    options = (
        ("--item-column", item_column),
        ("--annotator-column", annotator_column),
        ("--label-column", label_column),
    )
    for option, column in options:
        if column not in table.columns:
            raise MissingColumnError(f"{option} {column!r} is not in ANSWERS; columns are {list(table.columns)}")
    _check_items(table[item_column], ids, item_column, id_column)
    _check_classes(table[label_column], label_column)
    for option, column in options:
        null = table[column].isna().to_numpy()
        if null.any():
            row = int(np.flatnonzero(null)[0])
            raise AnnotationError(
                f"{option} {column!r} of ANSWERS must not be null, got a missing value at row {row} ({int(null.sum())} "
                "null value(s) in all); drop or fill those answers"
            )


@click.command(name="train-crowds")
@click.argument("data", type=click.Path(path_type=Path))
@click.argument("answers", type=click.Path(path_type=Path))
@click.option(
    "--id-column",
    help="Column of DATA whose values the answers' items name (not a feature); default: items are row "
    "positions 0..n-1.",
)
@click.option("--item-column", default="item", show_default=True, help="Column of ANSWERS naming the row.")
@click.option(
    "--annotator-column", default="annotator", show_default=True, help="Column of ANSWERS naming who answered."
)
@click.option(
    "--label-column", default="label", show_default=True, help="Column of ANSWERS holding the answer (a class)."
)
@na_values_option
@out_folder("train-crowds", Path("labelwise-crowd-model"))
@click.option("--model", type=click.Choice(list(MODELS)), default="logistic", show_default=True, help="Model family.")
@click.option(
    "--cv",
    type=click.IntRange(min=0),
    default=DEFAULT_CV,
    show_default=True,
    help="Folds of the out-of-fold model probabilities in the E-step; 0: in-sample, as in the paper.",
)
@click.option(
    "--init",
    type=click.Choice(["majority", "dawid-skene"]),
    default="majority",
    show_default=True,
    help="Soft labels EM starts from.",
)
@click.option("--max-iter", type=click.IntRange(1, MAX_ITER), default=50, show_default=True, help="EM iterations.")
@click.option(
    "--smoothing",
    default="auto",
    show_default=True,
    callback=_smoothing,
    help="Pseudo-counts of the annotators' confusion matrices (also --init dawid-skene's): auto, the diagonal "
    "empirical-Bayes prior, or a number added to every cell (0: the paper's maximum likelihood).",
)
@click.option(
    "--prior-strength",
    type=click.FloatRange(min=0),
    default=8.0,
    show_default=True,
    callback=_prior_strength,
    help="Pseudo-answers per confusion row of --smoothing auto's prior (only read with auto).",
)
@click.option(
    "--random-state",
    type=SEED,
    default=0,
    show_default=True,
    help="Seed of the folds, the model and --init dawid-skene.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Annotators to print, least accurate first (all are in confusions.csv); 0: none.",
)
@quiet_option
def train_crowds(
    data, answers, id_column, item_column, annotator_column, label_column, out, model, cv, init, max_iter,
    smoothing, prior_strength, random_state, top, quiet, superseded,
):  # fmt: skip
    """Fit a model on DATA's features and the crowd's ANSWERS (item, annotator, label) together.

    Learning from crowds (Raykar et al. 2010): the model and one confusion matrix per annotator
    are fitted by EM. Writes model.joblib (the fitted CrowdClassifier: ``joblib.load`` it and call
    ``predict`` on a table with the same feature columns), soft_labels.csv (one row per row of
    DATA: its id, the inferred label, the probability of each class and its number of answers),
    confusions.csv (annotator, true, given, probability) and summary.json to --out. A class of
    ANSWERS that is the inferred label of no row is named on screen and in summary.json
    (``classes_never_inferred``).
    """
    from ..columns import infer_column_roles
    from ..models import default_model

    if option_given("prior_strength") and smoothing != "auto":
        raise InvalidParameterError(
            f"--prior-strength is only read with --smoothing auto, got it with --smoothing {smoothing:g} "
            "(it would be ignored)"
        )
    frame = read_input(data, "DATA", text_columns=[id_column] if id_column else ())
    text = [annotator_column, label_column] + ([item_column] if id_column else [])
    table = read_input(answers, "ANSWERS", text_columns=text)
    ids = _ids(frame, id_column)
    _check_answers(table, ids, id_column, item_column, annotator_column, label_column)
    features = frame.drop(columns=[id_column]) if id_column else frame
    if features.shape[1] == 0:
        raise InvalidParameterError(f"DATA must have a feature column besides --id-column {id_column!r}, got none")
    features = features.set_axis(ids, axis=0)
    estimator = default_model(features, model=model, random_state=random_state, roles=infer_column_roles(features))
    columns = {"item_col": item_column, "annotator_col": annotator_column, "label_col": label_column}
    prior = {"smoothing": smoothing, "prior_strength": prior_strength}
    start = "majority" if init == "majority" else aggregate.DawidSkene(**prior, **columns, random_state=random_state)
    em = {"cv": cv or None, "init": start, "max_iter": max_iter, "random_state": random_state, **prior}
    crowd = robust.CrowdClassifier(estimator, verbose=False if quiet else None, **em, **columns)
    names = {
        "answers column": "ANSWERS column",
        "answers": "ANSWERS",
        "estimator": "--model",
        "cv": "--cv",
        "max_iter": "--max-iter",
        "item_col": "--item-column",
        "annotator_col": "--annotator-column",
        "label_col": "--label-column",
    }
    with renaming(names, within=("max_iter",)):  # "did not converge in max_iter=3 ...; raise max_iter"
        fitted = crowd.fit(features, table)
    copied = _label_copy(features, table, ids, columns)
    classes = fitted.classes_
    soft = pd.DataFrame(fitted.posterior_, columns=[f"p_{plain(c)}" for c in classes])
    soft.insert(0, "label", classes[fitted.posterior_.argmax(axis=1)])
    soft.insert(0, "id" if id_column is None else id_column, np.asarray(ids))
    soft["n_answers"] = fitted.n_answers_per_row_
    unused = _unused_classes(classes, fitted.posterior_, table[label_column])
    summary = {
        "n_rows": int(len(ids)),
        "n_rows_answered": int((fitted.n_answers_per_row_ > 0).sum()),
        "n_answers": int(fitted.n_answers_per_row_.sum()),
        "n_annotators": len(fitted.annotators_),
        "classes": [plain(c) for c in classes],
        "classes_never_inferred": unused,
        "n_iter": fitted.n_iter_,
        "converged": bool(fitted.converged_),
        "log_likelihood_per_answer": fitted.log_likelihood_history_[-1],
        "settings": {
            "data": str(Path(data).resolve()),
            "answers": str(Path(answers).resolve()),
            "id_column": id_column,
            **columns,
            **na_values_setting(),
            "model": model,
            "cv": cv,
            "init": init,
            "max_iter": max_iter,
            **prior,
            "random_state": random_state,
            "feature_columns": list(features.columns),
        },
    }
    if copied is not None:
        summary["notices"] = [copied]
    with files_together(supersedes=superseded):
        save_model(fitted, out / "model.joblib")
        write_csv(soft, out / "soft_labels.csv")
        write_csv(fitted.confusion_frame(), out / "confusions.csv")
        write_json(summary, out / "summary.json")
    _print(fitted, summary, unused, top, out)


def _print(fitted: CrowdClassifier, summary: dict, unused: list[dict], top: int, out: Path) -> None:
    """The counts, the ``top`` least accurate annotators, the classes no row is inferred to be, the files."""
    con = console()
    con.print(
        f"[bold]{summary['n_rows']}[/] rows ({summary['n_rows_answered']} answered), {summary['n_answers']} answers "
        f"by {summary['n_annotators']} annotators; EM ran {fitted.n_iter_} iteration(s)"
        + ("" if fitted.converged_ else " without converging")
    )
    accuracy = fitted.annotator_accuracy_.rename_axis("annotator").reset_index()
    if top:
        title = "least accurate annotators (estimated)"
        if len(accuracy) > top:
            title += f" ({top} of {len(accuracy)}; all in confusions.csv)"
        print_frame(accuracy.sort_values("accuracy", kind="stable").head(top), title=title)
    if unused:
        said = ", ".join(
            f"{escape(str(u['class']))} ({u['n_answers']} answer{'s' if u['n_answers'] != 1 else ''}, at most {u['max_probability']:.3g})"
            for u in unused
        )
        con.print(
            f"notice: {len(unused)} class(es) of ANSWERS are the inferred label of no row: {said}; "
            "their columns in soft_labels.csv stay near 0 (summary.json: classes_never_inferred)"
        )
    for notice in summary.get("notices", []):
        con.print(f"notice: {escape(notice)}")
    alike = look_alike_classes(fitted.classes_, "the answers")  # 'Adelie ' beside 'Adelie': two classes
    if alike is not None:
        con.print(f"notice: {escape(alike)}")
    print_wrote(out / n for n in ("model.joblib", "soft_labels.csv", "confusions.csv", "summary.json"))
