"""``labelwise corrupt``: write a noisy or poisoned copy of a table, and what was changed.

The noise generators of :mod:`labelwise.noise` and the label-flipping attacks of
:mod:`labelwise.poison` (the kinds: :mod:`labelwise.cli._corrupt_kinds`) on a user's own table, so a
cleaning step or a model can be stress-tested on known errors; ``--task regression`` corrupts numeric
targets (:mod:`labelwise.cli._corrupt_regression`). The files: :mod:`labelwise.cli._corrupt_files`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
import numpy as np

from .._heavy import pandas as pd
from .._validate.labels import encode_labels
from ..errors import InvalidLabelsError, InvalidParameterError, MissingColumnError
from ..io import files_together, write_json
from . import _corrupt_files as files
from ._audit_model import model_option, time_budget_option
from ._common import (
    SEED,
    OutputFile,
    check_unique_ids,
    console,
    plain,
    print_frame,
    quiet_option,
    read_input,
    renaming,
    split_label,
)
from ._corrupt_backdoor import corrupt_backdoor
from ._corrupt_kinds import KINDS, Corruption, Request
from ._corrupt_notice import unchanged_notice
from ._corrupt_options import (
    NOISE_CHOICES,
    TASK_KINDS,
    check_options,
    check_rate_bound,
    new_kind_options,
    read_matrix,
)
from ._corrupt_regression import corrupt_regression
from ._corrupt_tags import corrupt_tags
from ._na_values import na_values_option
from ._wrote import wrote_text


def _flip_counts(codes: np.ndarray, new_codes: np.ndarray, k: int) -> np.ndarray:
    """``[i, j]``: rows of true class ``j`` written as class ``i``."""
    return np.bincount(new_codes * k + codes, minlength=k * k).reshape(k, k)


def _summary(
    request: Request, result: Corruption, codes: np.ndarray, new_codes: np.ndarray, settings: dict[str, Any]
) -> dict[str, Any]:
    """summary.json: the rate asked and realised, per-class flips, the matrix used and the realised one."""
    k = request.classes.size
    counts = _flip_counts(codes, new_codes, k)
    per_class = counts.sum(axis=0)
    flipped = per_class - np.diag(counts)
    realised = counts / np.where(per_class > 0, per_class, 1)[None, :]
    return {
        **settings,
        "n_rows": int(codes.size),
        "n_flipped": int(result.is_flipped.sum()),
        "rate_realised": float(result.is_flipped.mean()),
        "classes": request.classes.tolist(),
        "per_class": [
            {"class": c, "n_rows": int(n), "n_flipped": int(f), "rate": float(f / n) if n else 0.0}
            for c, n, f in zip(request.classes.tolist(), per_class, flipped, strict=True)
        ],
        "noise_matrix": None if result.matrix is None else np.asarray(result.matrix).tolist(),
        "noise_matrix_realised": realised.tolist(),
        "flip_counts": counts.tolist(),
        **result.info,
    }


def _tables(
    frame: pd.DataFrame, raw: files.Cells | None, label: str, request: Request, codes, new_codes, names: dict
) -> tuple[pd.DataFrame | files.Cells, pd.DataFrame | files.Cells]:
    """The corrupted table and the truth table (id or row, true label, written label, is_flipped): DATA's
    cells as written (``raw``), or the typed frame."""
    flipped = new_codes != codes
    key_name = names["id_column"] or "row"
    if raw is not None:
        noisy: Any = files.text_labels(raw[label], codes, new_codes)
        table: Any = {**raw, label: noisy}
        true_column, marks = files.texts(raw[label]), np.where(flipped, "True", "False")
        key = files.texts(raw[names["id_column"]]) if names["id_column"] is not None else np.arange(codes.size)
    else:
        noisy = files.typed_labels(frame[label], request.classes[new_codes])
        table = frame.copy()
        table[label] = noisy
        true_column, marks = frame[label], flipped
        key = frame[names["id_column"]] if names["id_column"] is not None else np.arange(codes.size)
    if names["truth_column"] is not None:
        table[names["truth_column"]] = true_column
    truth = {
        key_name: np.asarray(key),
        "true_label": np.asarray(true_column),
        "label": np.asarray(noisy),
        "is_flipped": marks,
    }
    return table, (truth if raw is not None else pd.DataFrame(truth))


#: The columns of the truth files (of every task): no --id-column may take their names.
_TRUTH_COLUMNS = (
    "true_label", "label", "is_flipped", "is_corrupted", "is_poisoned", "is_source", "dropped", "added",
)  # fmt: skip


def _columns(
    frame: pd.DataFrame, label: str, id_column: str | None, truth_column: str | None, task: str
) -> pd.DataFrame:
    """The feature columns (not the label, not the ids), after checking the column options (a multilabel
    column may hold lists)."""
    if task == "multilabel" and label in frame.columns:
        features = frame.drop(columns=[label])
    else:
        features, _ = split_label(frame, label)
    if id_column is not None:
        if id_column not in frame.columns:
            raise MissingColumnError(f"--id-column {id_column!r} is not in DATA; columns are {list(frame.columns)}")
        if id_column == label:
            raise InvalidParameterError(f"--id-column must differ from --label, both are {label!r}")
        if id_column in _TRUTH_COLUMNS:
            raise InvalidParameterError(
                f"--id-column must not be named {id_column!r}: the truth file has a column of that name"
            )
        check_unique_ids(frame[id_column])
        features = features.drop(columns=[id_column])
    if truth_column is not None and truth_column in frame.columns:
        raise InvalidParameterError(
            f"--truth-column must name a new column, got {truth_column!r}, a column of DATA; choose another name"
        )
    return features


@click.command("corrupt")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--label", required=True, help="Name of the label column (the one corrupted).")
@click.option(
    "--out",
    "out",
    type=OutputFile(),
    required=True,
    help=f"The corrupted table ({', '.join(files.WRITERS)}; each but Parquet also compressed: .csv.gz, .bz2, .xz, "
    ".zip); <stem>.truth<suffix> and <stem>.summary.json are written beside it.",
)
@click.option(
    "--task",
    type=click.Choice(list(TASK_KINDS)),
    default="classification",
    show_default=True,
    help="classification (a class per row), multilabel (tags per row, 'a|b') or regression (a number per row).",
)
@click.option(
    "--noise",
    type=click.Choice(NOISE_CHOICES),
    default=None,
    help="symmetric (default)/pair/random: a class-conditional noise matrix; instance: confusing rows first (a "
    "model's probabilities); random-flips, farthest, topk_sv, alfa, lfa: label-flipping attacks on the numeric "
    "columns; backdoor: a trigger stamped into image columns, those rows labelled --target. --task multilabel: "
    "symmetric (default), drop-add. --task regression: mixed (default), shift, decimal, swap.",
)
@click.option(
    "--rate",
    type=float,
    default=None,
    help="Share of labels to flip, in [0, 1) (the attacks' and backdoor's budget; --task multilabel: of tag cells).",
)
@click.option(
    "--matrix",
    type=click.Path(path_type=Path),
    default=None,
    help="Noise matrix table: first column the given class, one column per true class, P(given | true).",
)
@click.option("--frac-zero", type=float, default=None, help="--noise random: share of off-diagonal entries that are 0.")
@click.option(
    "--probs",
    type=click.Path(path_type=Path),
    default=None,
    help="--noise instance: out-of-fold probabilities (.npy, one row per row, columns in sorted class order).",
)
@click.option("--sharpness", type=float, default=None, help="--noise instance: >1 flips the most confusing rows more.")
@click.option(
    "--magnitude", type=float, default=None, help="--task regression, shift/mixed: shifts of 1-2 x this x std [4]."
)
@new_kind_options
@model_option("--noise instance without --probs: the model of the out-of-fold probabilities.")
@click.option("--cv", type=click.IntRange(min=2), default=5, show_default=True, help="--noise instance: folds.")
@time_budget_option()
@click.option("--random-state", type=SEED, default=0, show_default=True, help="Seed of the draws.")
@click.option("--id-column", default=None, help="Column of row ids: the truth file's key (default: row numbers).")
@click.option(
    "--truth-column",
    default=None,
    help="Also keep the true label in the table, in a new column of this name (drop it before training).",
)
@na_values_option
@click.option("--force", is_flag=True, default=False, help="Replace existing output files.")
@quiet_option
def corrupt(data, label, out, task, noise, rate, matrix, **options):
    """Write a copy of DATA with its --label column corrupted by --noise, and which rows changed.

    The table keeps DATA's rows in order and every other column as it was (a CSV copied cell by
    cell); the truth file beside it lists each row's true and written label, and the summary the
    rate asked and realised, the flips per class and the noise matrix. The flips are the API's for
    the same seed (lw.noise.flip_labels, instance_dependent_flips, lw.poison's attacks and
    backdoor; lw.noise.flip_tags with --task multilabel; lw.noise.corrupt_targets with --task
    regression).
    """
    started = time.perf_counter()
    noise = noise or TASK_KINDS[task][0]
    rate = check_options(task, noise, rate, matrix, options)
    data, out = Path(data), Path(out)
    paths = files.output_paths(out, data, options["force"])
    names = {"id_column": options["id_column"], "truth_column": options["truth_column"]}
    frame = read_input(data, "DATA", text_columns=[c for c in (label, names["id_column"]) if c is not None])
    features = _columns(frame, label, names["id_column"], names["truth_column"], task)
    settings = {
        "data": str(data.resolve()),
        "out": str(out.resolve()),
        "truth": str(paths["truth"].resolve()),
        "label": label,
        "task": task,
        "noise": "matrix" if matrix is not None else noise,
        "rate_asked": None if matrix is not None else rate,
        "matrix_file": None if matrix is None else str(Path(matrix).resolve()),
        "random_state": options["random_state"],
    }
    raw = files.raw_cells(data, len(frame), typed=frame, out=out) if files.copies_cells(data, out) else None
    if task == "multilabel":
        settings |= _tag_settings(noise, rate, options)
        scalars = {k: options[k] for k in ("drop_rate", "add_rate")} | {"rate": rate}
        table, truth, counts = corrupt_tags(
            frame, raw, label, noise=noise, scalars=scalars, rates_file=options["tag_rates"],
            seed=options["random_state"], names=names, separator=options["tag_separator"],
        )  # fmt: skip
        summary = {**settings, **counts}
        from ._tag_cell_notices import tag_cell_notices  # audit's notices on cells read otherwise than written

        notices = tag_cell_notices(frame[label], options["tag_separator"], label, data)
        summary |= {"notices": notices} if notices else {}
    elif noise == "backdoor":
        table, truth, counts = corrupt_backdoor(
            frame, features, raw, label, rate=rate, seed=options["random_state"], options=options
        )
        summary = {**settings, **counts}
    elif task == "regression":
        magnitude = 4.0 if options["magnitude"] is None else options["magnitude"]
        table, truth, counts = corrupt_regression(
            frame, raw, label, kind=noise, rate=rate, magnitude=magnitude, seed=options["random_state"], names=names
        )
        summary = {**settings, **counts}
    else:
        table, truth, summary = _classification(frame, features, raw, label, noise, rate, matrix, options, settings)
    replaced = files.other_run(paths)  # noisy.csv's run, which --out noisy.parquet replaces: one summary per stem
    with files_together(supersedes=replaced):
        files.write_table(table, paths["table"])
        files.write_table(truth, paths["truth"])
        summary["seconds"] = round(time.perf_counter() - started, 3)
        write_json(summary, paths["summary"])
    _print(summary, paths)
    if replaced:
        console().print(
            f"removed {' and '.join(str(p) for p in replaced)}: the earlier run whose summary "
            f"{paths['summary'].name} described them was replaced"
        )


def _tag_settings(noise: str, rate: float, options: dict[str, Any]) -> dict[str, Any]:
    """summary.json's settings of ``--task multilabel``: the rates asked, or the ``--tag-rates`` file."""
    by_file = options["tag_rates"] is not None
    symmetric = noise == "symmetric" and not by_file
    return {
        "rate_asked": rate if symmetric else None,
        "drop_rate_asked": None if by_file else (rate if symmetric else options["drop_rate"] or 0.0),
        "add_rate_asked": None if by_file else (rate if symmetric else options["add_rate"] or 0.0),
        "tag_rates_file": str(Path(options["tag_rates"]).resolve()) if by_file else None,
        "tag_separator": options["tag_separator"],
    }


def _classification(
    frame: pd.DataFrame,
    features: pd.DataFrame,
    raw: files.Cells | None,
    label: str,
    noise: str,
    rate: float,
    matrix: Path | None,
    options: dict[str, Any],
    settings: dict[str, Any],
) -> tuple[Any, Any, dict[str, Any]]:
    """The corrupted table, the truth table and the summary of ``--task classification``."""
    codes, classes = encode_labels(frame[label], name=f"--label column {label!r}")
    if classes.size < 2:
        raise InvalidLabelsError(f"--label column {label!r} must hold at least 2 classes to flip, got {classes.size}")
    if matrix is None:
        check_rate_bound(rate, classes.size, noise)
    kind_options = {k: options[k] for k in ("probs", "model", "cv", "time_budget")}
    kind_options |= {
        "frac_zero": options["frac_zero"] or 0.0,
        "sharpness": 1.0 if options["sharpness"] is None else options["sharpness"],
    }
    request = Request(
        labels=frame[label],
        classes=np.asarray(classes),
        features=features,
        rate=rate,
        seed=options["random_state"],
        matrix=None if matrix is None else read_matrix(matrix, np.asarray(classes)),
        options=kind_options,
    )
    with renaming({"sharpness": "--sharpness", "frac_zero_noise_rates": "--frac-zero"}):
        result = KINDS[noise](request)
    new_codes = encode_labels(result.labels, classes=classes)[0]
    names = {"id_column": options["id_column"], "truth_column": options["truth_column"]}
    table, truth = _tables(frame, raw, label, request, codes, new_codes, names)
    return table, truth, _summary(request, result, codes, new_codes, settings)


def _print(summary: dict[str, Any], paths: dict[str, Path]) -> None:
    """What changed (per task), then the tag cells' notices and a notice where a positive rate changed nothing
    (:mod:`._corrupt_notice`)."""
    _print_changes(summary, wrote_text([paths["table"], paths["truth"], paths["summary"]]))
    for notice in [*summary.get("notices", []), unchanged_notice(summary)]:
        if notice is not None:
            console().print(f"notice: {plain(notice)}")


def _print_changes(summary: dict[str, Any], wrote: str) -> None:
    """The flips per class, and one line: the rate asked and realised, the files written."""
    if summary["task"] == "regression":
        console().print(
            f"{summary['n_corrupted']} of {summary['n_rows']} targets changed by --noise {summary['noise']} "
            f"(asked {summary['rate_asked']:g}; mean change {summary['mean_abs_change']:.4g}, the targets' std "
            f"{summary['target_std']:.4g}); {wrote}"
        )
        return
    if summary["task"] == "multilabel":
        _print_tags(summary, wrote)
        return
    if summary["noise"] == "backdoor":
        console().print(
            f"{summary['n_poisoned']} of {summary['n_rows']} rows poisoned by --noise backdoor (rate "
            f"{summary['rate_realised']:.4f}, asked {summary['rate_asked']:g}): the {summary['trigger']} trigger "
            f"stamped into {len(summary['stamped_columns'])} of {summary['n_pixel_columns']} pixel columns, the "
            f"label set to {plain(summary['target'])}; {wrote}"
        )
        return
    per_class = pd.DataFrame(summary["per_class"]).rename(columns={"n_rows": "rows", "n_flipped": "flipped"})
    per_class["class"] = per_class["class"].astype(str)
    print_frame(per_class, title="flips per true class", float_format="{:.3f}")
    asked = "" if summary["rate_asked"] is None else f" (asked {summary['rate_asked']:g})"
    console().print(
        f"{summary['n_flipped']} of {summary['n_rows']} labels changed by --noise {plain(summary['noise'])}: "
        f"rate {summary['rate_realised']:.4f}{asked}; {wrote}"
    )


def _print_tags(summary: dict[str, Any], wrote: str) -> None:
    """``--task multilabel``: per tag the rates asked and realised, and one line of totals."""
    columns = {"n_present": "present", "n_dropped": "dropped", "n_added": "added"}
    per_tag = pd.DataFrame(summary["per_tag"]).rename(columns=columns)
    per_tag["tag"] = per_tag["tag"].astype(str)
    shown = ["tag", "present", "drop_rate_asked", "dropped", "drop_rate", "add_rate_asked", "added", "add_rate"]
    print_frame(per_tag[shown], title="tags dropped and added, per tag", float_format="{:.3f}")
    console().print(
        f"{summary['n_flipped']} of {summary['n_cells']} tag cells changed by --noise {plain(summary['noise'])} "
        f"({summary['n_dropped']} dropped, {summary['n_added']} added; {summary['n_rows_changed']} of "
        f"{summary['n_rows']} rows changed); {wrote}"
    )
