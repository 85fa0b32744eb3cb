"""``labelwise pseudolabel``: label the unlabeled rows of a table by self-training."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import click
import numpy as np

from .. import semi
from .._heavy import pandas as pd
from .._validate.arguments import plain
from ..errors import InvalidLabelsError, InvalidParameterError
from ..io import files_together, write_json, write_table
from ..io.plain_text import format_suffix
from ..models._names import MODELS
from ..semi._names import SELECTIONS
from ._audit_model import (
    check_label_not_continuous,
    check_two_classes,
    chosen_estimator,
    model_option,
    print_model_info,
    time_budget_option,
)
from ._common import SEED, console, finite, option_given, print_frame, quiet_option, read_input, renaming, split_label
from ._na_values import na_values_option, na_values_setting
from ._out_folder import out_folder
from ._weights import check_weighted_family, split_weight, takes_weights, weight_option
from ._wrote import print_wrote
from .train import save_model

#: Columns added to the data by ``labelwise pseudolabel``.
ADDED_COLUMNS = ("pseudo_label", "pseudo_confidence", "pseudo_round", "label_source")
#: DATA's suffix -> the suffix of the pseudolabeled table: DATA's format (a ``.json`` list of records
#: gives JSON Lines, a ``.txt`` table CSV); a folder of Parquet parts gives Parquet.
OUTPUT_SUFFIXES = {
    ".tsv": ".tsv",
    ".parquet": ".parquet",
    ".pq": ".parquet",
    ".jsonl": ".jsonl",
    ".ndjson": ".jsonl",
    ".json": ".jsonl",
}
#: The names the pseudolabeled table may have (one per suffix :data:`OUTPUT_SUFFIXES` gives, and CSV).
OUTPUT_TABLES = tuple(f"pseudolabeled{suffix}" for suffix in dict.fromkeys((".csv", *OUTPUT_SUFFIXES.values())))
#: The SelfTrainer's per-row attributes, left out of model.joblib: the pseudolabeled table holds them as
#: pseudo_label, pseudo_round and pseudo_confidence, so the saved model does not grow with the rows.
PER_ROW_ATTRIBUTES = ("transduction_", "labeled_iter_", "pseudo_confidence_")
#: Folds of --model auto's comparison on the labeled rows.
AUTO_FOLDS = 5
#: The selection rules that read each rule option (adaptive: FlexMatch, the trainer's default, reads tau).
RULE_OPTIONS = {
    "threshold": ("--threshold", ("threshold", "adaptive")),
    "k_best": ("--k-best", ("k_best", "class_balanced")),
    "recheck": ("--recheck", ("threshold", "k_best", "class_balanced")),
}


def output_table(data: Path) -> str:
    """The pseudolabeled table's file name, in DATA's format: ``pseudolabeled.parquet`` for a Parquet
    file or folder of parts, ``.tsv`` / ``.jsonl`` for TSV and JSON (Lines), else ``pseudolabeled.csv``."""
    suffix = ".parquet" if Path(data).is_dir() else OUTPUT_SUFFIXES.get(format_suffix(data), ".csv")
    return f"pseudolabeled{suffix}"


def check_rule_options(selection: str) -> None:
    """A rule option given on the command line must be one ``--selection`` reads (it was silently ignored)."""
    for name, (option, readers) in RULE_OPTIONS.items():
        if selection not in readers and option_given(name):
            raise InvalidParameterError(
                f"{option} is read by --selection {', '.join(readers[:-1])} or {readers[-1]} only, got --selection {selection} "
                f"(leave {option} out, or choose one of those rules)"
            )


def unlabeled_mask(labels: pd.Series, marker: str) -> np.ndarray:
    """Rows whose label is missing, blank, or equal to ``marker`` (compared as a number for numeric columns)."""
    mask = labels.isna().to_numpy().copy()
    if pd.api.types.is_numeric_dtype(labels):
        if marker.strip():
            try:
                value = float(marker)
            except ValueError:
                raise InvalidLabelsError(
                    f"--unlabeled-value {marker!r} can never match the numeric label column {labels.name!r}; "
                    'give a number, or "" for empty cells'
                ) from None
            mask |= labels.to_numpy(dtype=np.float64, na_value=np.nan) == value
        return mask
    text = labels.astype("string").str.strip()
    mask |= (text == marker.strip()).fillna(False).to_numpy(dtype=bool)
    return mask


def _plain_labels(labels: pd.Series, unlabeled: np.ndarray) -> np.ndarray:
    """Labels as an object array with ``None`` for unlabeled rows; whole floats become ints."""
    values = labels.to_numpy(dtype=object).copy()
    known = values[~unlabeled]
    if pd.api.types.is_float_dtype(labels) and known.size and np.all(np.mod(known.astype(float), 1) == 0):
        values[~unlabeled] = known.astype(float).astype(np.int64)
    values[unlabeled] = None
    return values


@click.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--label", help="Name of the label column; the other columns are features.")
@na_values_option
@click.option(
    "--unlabeled-value",
    default="",
    show_default=True,
    help="Label value of the unlabeled rows (empty cells are always unlabeled).",
)
@click.option(
    "--selection",
    type=click.Choice(list(SELECTIONS)),
    default="adaptive",
    show_default=True,
    help="Pseudo-label selection rule.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, max_open=True),
    default=None,
    help="Confidence threshold (threshold rule: 0.75; adaptive: FlexMatch's tau, 0.95).",
)
@click.option(
    "--k-best",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Pseudo-labels per round (k_best, class_balanced).",
)
@click.option(
    "--max-iter", type=click.IntRange(min=0), default=10, show_default=True, help="Maximum self-training rounds."
)
@click.option(
    "--recheck", is_flag=True, help="Drop pseudo-labels the model stops predicting (threshold, k_best, class_balanced)."
)
@weight_option()
@model_option("Model family of the student; auto compares the menu on the labeled rows.")
@time_budget_option()
@click.option(
    "--teacher",
    "teacher_model",
    type=click.Choice(list(MODELS)),
    default=None,
    help="Separate teacher model (--selection llkd needs one: forest unless given).",
)
@click.option(
    "--safeguard",
    type=click.Choice(["none", "cv"]),
    default="none",
    show_default=True,
    help="cv: keep pseudo-labels only if they beat the labeled-only model in cross-validation on the labeled rows.",
)
@out_folder("pseudolabel", Path("labelwise-pseudolabels"))
@click.option("--random-state", type=SEED, default=0, show_default=True)
@quiet_option
def pseudolabel(
    data, label, unlabeled_value, selection, threshold, k_best, max_iter, recheck, weight_column, model, time_budget,
    teacher_model, safeguard, out, random_state, quiet, superseded,
):  # fmt: skip
    """Pseudo-label the unlabeled rows of DATA by self-training a model on the labeled ones.

    Writes pseudolabeled.csv (the data plus pseudo_label, pseudo_confidence, pseudo_round [0 = given, -1 = never
    labeled], label_source [given, pseudo, none]; in DATA's format: .parquet for a Parquet file or folder, .tsv, .jsonl
    for JSON), summary.json and model.joblib (the SelfTrainer, less the table's per-row arrays) to --out, atomically.
    """
    check_rule_options(selection)
    out = Path(out)
    frame = read_input(data, "DATA", text_columns=[label] if label else ())
    features, labels = split_label(frame, label)
    features, weights = split_weight(features, weight_column, label=label)
    check_weighted_family(model if weights is not None else "auto", needs="--weight")
    unlabeled = unlabeled_mask(labels, unlabeled_value)
    _check_labeled(labels, unlabeled, label, unlabeled_value, model)
    y = _plain_labels(labels, unlabeled)
    if selection == "llkd" and teacher_model is None:
        teacher_model = "forest"
    teacher = None if teacher_model is None else _teacher(features, teacher_model, random_state)
    known = ~unlabeled if (model == "auto" and (~unlabeled).any()) else np.ones(len(frame), dtype=bool)
    student, model_info = chosen_estimator(
        features[known],
        y[known],
        model=model,
        cv=AUTO_FOLDS,
        time_budget=time_budget,
        random_state=random_state,
        needs_sample_weight=weights is not None,
    )
    if weights is not None and teacher_model is not None and not takes_weights(teacher_model):
        model_info["notices"] = [*model_info.get("notices", []), _unweighted_teacher(teacher_model)]
    trainer = semi.SelfTrainer(
        student,
        selection=selection,
        threshold=threshold,
        k_best=k_best,
        max_iter=max_iter,
        recheck=recheck,
        teacher=teacher,
        unlabeled_value=None,
        safeguard=None if safeguard == "none" else safeguard,
        random_state=random_state,
    )
    with renaming({"y": f"--label column {label!r}"}):
        trainer.fit(features, y, sample_weight=weights)

    source = np.where(trainer.labeled_iter_ == 0, "given", np.where(trainer.labeled_iter_ > 0, "pseudo", "none"))
    result = _data_as_written(frame, label)
    result["pseudo_label"] = pd.Series(trainer.transduction_, index=frame.index, dtype=object)
    result["pseudo_confidence"] = trainer.pseudo_confidence_
    result["pseudo_round"] = trainer.labeled_iter_
    result["label_source"] = source
    history = trainer.history_
    summary = _summary(trainer, source, unlabeled)
    summary["settings"] = {
        "data": str(Path(data).resolve()),
        "label": label,
        **na_values_setting(),
        "unlabeled_value": unlabeled_value,
        "selection": selection,
        "threshold": threshold,
        "k_best": k_best,
        "max_iter": max_iter,
        "recheck": recheck,
        "weight": weight_column,
        "model": model,
        "time_budget": time_budget if model == "auto" else None,
        "teacher": teacher_model,
        "safeguard": safeguard,
        "random_state": random_state,
    }
    summary.update(model_info)
    with files_together(supersedes=superseded):
        write_table(result, out / output_table(data))
        write_json(summary, out / "summary.json")
        save_model(model_to_save(trainer), out / "model.joblib")

    con = console()
    print_model_info(model_info)
    con.print(
        f"[bold]{summary['n_examples']}[/] rows: {summary['n_given']} labeled, {summary['n_unlabeled']} unlabeled; "
        f"[bold green]{summary['n_pseudo_labeled']}[/] pseudo-labeled in {summary['n_iter']} round(s) "
        f"({selection}, stopped: {trainer.termination_condition_}), {summary['n_never_labeled']} left unlabeled"
    )
    if len(history):
        print_frame(history.drop(columns=["thresholds"]), title="Rounds")
    print_wrote(out / n for n in (output_table(data), "summary.json", "model.joblib"))


def model_to_save(trainer: Any) -> Any:
    """A shallow copy of the fitted ``trainer`` without :data:`PER_ROW_ATTRIBUTES` (``trainer`` keeps them)."""
    saved = copy.copy(trainer)
    for name in PER_ROW_ATTRIBUTES:
        saved.__dict__.pop(name, None)
    return saved


def _data_as_written(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """A copy of the data for the pseudolabeled table, with a label column of whole numbers and empty cells
    kept integers (``0``, not the ``0.0`` that pandas makes of a column with gaps)."""
    result = frame.copy()
    column = result[label]
    if pd.api.types.is_float_dtype(column):
        known = column.dropna().to_numpy()
        if known.size and np.all(np.isfinite(known)) and np.all(np.mod(known, 1) == 0):
            result[label] = column.astype("Int64")
    return result


def _teacher(features: pd.DataFrame, teacher_model: str, random_state: int) -> Any:
    """The estimator of ``--teacher-model`` (:func:`labelwise.models.default_model`)."""
    from ..models import default_model

    return default_model(features, model=teacher_model, random_state=random_state)


def _unweighted_teacher(teacher_model: str) -> str:
    """The notice for a ``--teacher`` family that takes no sample weights, given ``--weight``."""
    return f"--teacher {teacher_model} takes no sample weights: it is fitted unweighted (--weight weighs the student)"


def _check_labeled(labels: pd.Series, unlabeled: np.ndarray, label: str, unlabeled_value: str, model: str) -> None:
    """Some rows are unlabeled; the labeled rows hold two classes or more, and classes rather than a
    continuous target."""
    known = pd.unique(labels[~unlabeled])
    if len(known) == 0:
        raise InvalidLabelsError(
            f"--label column {label!r} must have labeled examples, got none: all {len(labels)} rows are empty "
            f"or --unlabeled-value {unlabeled_value!r}"
        )
    check_two_classes(
        pd.unique(_plain_labels(labels, unlabeled)[~unlabeled]),  # as written: 1, not the 1.0 of a column with gaps
        label,
        hint=f" (counting the labeled rows only: {_unlabeled_counts(labels, unlabeled, unlabeled_value)})",
    )
    check_label_not_continuous(
        labels[~unlabeled], label, command="pseudolabel", folds=AUTO_FOLDS if model == "auto" else None
    )
    if not unlabeled.any():  # a mistyped --unlabeled-value would otherwise become a class, silently
        marker = f" or {unlabeled_value!r}" if unlabeled_value.strip() else ""
        raise InvalidLabelsError(
            f"--label column {label!r} must have unlabeled rows to pseudo-label, got none: no cell is empty{marker}; "
            f"its values are {sorted(map(str, known))[:10]} (pass the value that marks an unlabeled row as "
            "--unlabeled-value, e.g. --unlabeled-value -1)"
        )


def _unlabeled_counts(labels: pd.Series, unlabeled: np.ndarray, marker: str) -> str:
    """How many rows are labeled, how many have an empty label, how many hold ``marker`` (words)."""
    empty = labels.isna().to_numpy()
    if not pd.api.types.is_numeric_dtype(labels):  # a blank cell is unlabeled when the marker is "" (the default)
        empty = empty | (unlabeled & (labels.astype("string").str.strip() == "").fillna(False).to_numpy(dtype=bool))
    n_empty, n_marked = int(empty.sum()), int((unlabeled & ~empty).sum())
    words = f"{int((~unlabeled).sum())} labeled, {n_empty} with an empty label"
    return words + (f", {n_marked} with --unlabeled-value {marker!r}" if n_marked else "")


def _summary(trainer: Any, source: np.ndarray, unlabeled: np.ndarray) -> dict[str, Any]:
    """summary.json without the settings: counts, rounds, why it stopped and the safeguard's decision."""
    return {
        "n_examples": int(len(source)),
        "n_given": int((source == "given").sum()),
        "n_unlabeled": int(unlabeled.sum()),
        "n_pseudo_labeled": int((source == "pseudo").sum()),
        "n_never_labeled": int((source == "none").sum()),
        "n_iter": int(trainer.n_iter_),
        "termination_condition": trainer.termination_condition_,
        "safeguard_decision": None if trainer.safeguard_ is None else trainer.safeguard_.decision,
        "classes": [plain(c) for c in trainer.classes_],
        "rounds": [{k: finite(v) for k, v in row.items()} for row in trainer.history_.to_dict(orient="records")],
    }
