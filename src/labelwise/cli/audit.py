"""``labelwise audit``: find the examples whose label is probably wrong."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
import numpy as np

from .._heavy import pandas as pd
from .._validate.labels import encode_labels
from ..audit._names import FILTER_NAMES, MIXTURE_PRIORS, SCORER_NAMES
from ..errors import (
    InvalidParameterError,
    MissingColumnError,
)
from ..io import files_together, write_csv, write_npy
from ..io.audit_summary import write_audit_summary
from ._audit_checks import checks_named, prepare_data_checks
from ._audit_demo import check_demo_may_write, write_demo_table
from ._audit_health import OVERLAP_FILE, add_health, print_health, write_overlap
from ._audit_ids import drop_ids, refuse_ids_unread, with_ids
from ._audit_model import (
    audit_probabilities,
    check_label_not_continuous,
    check_two_classes,
    ids_written_as_text,
    model_option,
    print_model_info,
    time_budget_option,
)
from ._audit_options import (
    DATA_CHECK_OPTIONS,
    at_scale,
    refuse_before_any_work,
    refuse_classes_without_probs,
    refuse_classification_options,
    refuse_options_not_read_at_scale,
    texts_must_match_option,
)
from ._audit_probs import audit_probs
from ._classes_option import parse_classes
from ._common import (
    SEED,
    console,
    nonzero_jobs,
    print_frame,
    quiet_option,
    read_input,
    renaming,
    split_csv_option,
    split_label,
)
from ._na_values import na_values_option, na_values_setting
from ._out_folder import out_folder
from ._scale import audit_at_scale
from ._scheduler import SCHEDULERS_SAID
from ._tag_option import tag_separator_option
from ._task_tables import task_table_options
from ._wrote import print_wrote


def run_audit(
    frame: pd.DataFrame,
    label: str,
    *,
    probs_path: Path | None,
    cv: int,
    filter_by: str,
    rank_by: str,
    model: str,
    random_state: int,
    n_jobs: int | None,
    time_budget: float = 30.0,
    model_info: dict | None = None,
    named: list[str] | None = None,
    ids: pd.Series | None = None,
) -> tuple[Any, np.ndarray]:
    """Out-of-fold probabilities (unless given) and label issues for one table; ``named``: ``--classes``;
    ``ids``: ``--id-column``'s values (not in ``frame``: no feature), which a ``--probs`` table's rows may match."""
    from ..audit import find_label_issues

    features, labels = split_label(frame, label)
    check_label_not_continuous(labels, label, folds=cv if probs_path is None else None)
    codes, classes = encode_labels(labels, name=f"--label column {label!r}")
    if probs_path is not None:
        with_id = frame if ids is None else frame.assign(**{str(ids.name): ids.to_numpy()})
        probs, classes = audit_probs(probs_path, with_id, label, labels, classes, named)
    else:
        refuse_classes_without_probs(named)
        check_two_classes(classes, label)
        probs, info = audit_probabilities(
            features, labels, model=model, cv=cv, time_budget=time_budget, random_state=random_state, n_jobs=n_jobs
        )
        (model_info if model_info is not None else {}).update(info)
    # a value error of the user's file; a warning about it ("labels: 1 class(es) of probs have no examples")
    words = {"probs": "--probs", "labels:": f"--label column {label!r}:"} if probs_path is not None else {}
    with renaming(words, within=["probs"] if words else []):
        result = find_label_issues(labels, probs, filter_by=filter_by, rank_by=rank_by, classes=classes)
    return result, probs


@click.command()
@click.argument("data", required=False, type=click.Path(path_type=Path))
@click.option("--label", help="Name of the label column; the other columns are features.")
@na_values_option
@click.option(
    "--probs",
    "probs_path",
    type=click.Path(path_type=Path),
    help="Out-of-fold probabilities: .npy (n x K, columns in sorted class order or as --classes names them), or a "
    "table (CSV, Parquet, JSON Lines) with one column per class (--task multilabel / token: per tag; token: a row per "
    "token) named by it, in any order, and (classification) optionally an id column DATA has too; skips training.",
)
@out_folder("audit", Path("labelwise-out"), rewrites={"probs.npy": "probs_path"})
@click.option("--cv", type=click.IntRange(min=2), default=5, show_default=True, help="Cross-validation folds.")
@click.option("--filter-by", type=click.Choice(list(FILTER_NAMES)), default="prune_by_noise_rate", show_default=True)
@click.option("--rank-by", type=click.Choice(list(SCORER_NAMES)), default="self_confidence", show_default=True)
@model_option()
@time_budget_option()
@click.option("--random-state", type=SEED, default=0, show_default=True)
@click.option(
    "--n-jobs", type=int, default=None, callback=nonzero_jobs, help="Folds fitted in parallel (default: one at a time)."
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=15,
    show_default=True,
    help="Flagged examples to print, worst first (the worst one when none is flagged); 0: none.",
)
@click.option(
    "--image-column",
    default=None,
    help="Column of image file paths (relative to DATA's folder): the image checks (dark, blurry, duplicates...) "
    "and the report previews.",
)
@click.option("--report/--no-report", default=None, help="Write report.html (default: on for --demo).")
@click.option(
    "--task",
    type=click.Choice(["classification", "multilabel", "token", "segmentation", "regression", "detection"]),
    default="classification",
    show_default=True,
    help="Label shape (see docs/tasks.md).",
)
@click.option(
    "--predictions",
    "predictions_path",
    type=click.Path(path_type=Path),
    help="--task regression: out-of-fold predictions (.npy, or a table of one column, or of one named 'prediction' "
    "or as --label); --task detection: COCO results JSON.",
)
@click.option(
    "--classes",
    default=None,
    help="With --probs (--task classification / multilabel / token): the class or tag of each --probs column, "
    "comma-separated in column order (e.g. cat,dog,owl or O,B-PER,I-PER; a name holding a comma in double quotes: "
    "'\"sports, outdoor\",tech'), so that a class or tag no row uses can "
    "be named; default: the labels or tags in DATA, sorted (integer labels and multilabel digit tags such as "
    "3|10: column numbers).",
)
@click.option(
    "--ignore-index",
    type=int,
    default=None,
    help="--task segmentation: the mask value of unlabeled pixels (255 in Pascal VOC and Cityscapes), never scored.",
)
@click.option(
    "--mixture-prior",
    type=click.Choice(list(MIXTURE_PRIORS)),
    default="auto",
    show_default=True,
    help="--task regression: how the residual mixture is fitted: maximum likelihood with a prior on the clean "
    "residuals' tails where that fit collapses (auto), maximum likelihood (none), or the prior always (tail).",
)
@task_table_options
@tag_separator_option(
    "--task multilabel: the separator of the tags in a --label cell ('cat|dog'); issues.csv joins them with it."
)
@click.option("--demo", is_flag=True, help="Audit scikit-learn digits with 10% of labels flipped.")
@click.option(
    "--noise-rate",
    # below (K-1)/K = 0.9 for the 10 digits: at 0.9 a digit would carry another label as often as its own
    type=click.FloatRange(0, 0.9, max_open=True),
    default=0.1,
    show_default=True,
    help="Share of labels flipped in --demo (below 0.9).",
)
@click.option(
    "--labels",
    "labels_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Labels file (.npy, or a table/Parquet directory with --label) for --probs when there is no DATA table.",
)
@click.option(
    "--scheduler",
    default=None,
    help=f"Dask scheduler: {SCHEDULERS_SAID}; for --probs .npy/.zarr too large for memory.",
)
@click.option(
    "--chunk-rows",
    type=click.IntRange(min=1),
    default=None,
    help="Rows per chunk for --scheduler / --labels runs (chunks under about 1 MiB are merged with their neighbours before the passes).",
)
@quiet_option
@click.option(
    "--features",
    "features_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Run the data checks on these embeddings (.npy, n x d) instead of the table's columns.",
)
@click.option(
    "--split-column",
    default=None,
    help="Column saying train/test per row: the leakage check flags test rows duplicated in 'train' rows (not used as a feature).",
)
@click.option(
    "--checks",
    default=None,
    callback=checks_named,
    help="Comma list of checks to run (default: all that apply); 'label' alone = label issues only.",
)
@click.option(
    "--k",
    "n_neighbors",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Neighbours per row for the data checks.",
)
@click.option(
    "--metric",
    type=click.Choice(["euclidean", "cosine"]),
    default="euclidean",
    show_default=True,
    help="Distance of the data checks' neighbour graph.",
)
@click.option(
    "--label-scaling",
    type=click.Choice(["zscore", "auto", "fenced"]),
    default="zscore",
    show_default=True,
    help="Column scaling of the graph of the checks that read the labels (data_valuation, underperforming_group): "
    "zscore = the same graph as every other check; auto = the fenced range when the labels agree with their neighbours significantly better with it (see docs/checks.md).",
)
@click.option(
    "--scaling",
    type=click.Choice(["auto", "zscore", "common"]),
    default="auto",
    show_default=True,
    help="Column scaling of the data checks' graph (euclidean): zscore = each column to unit variance; common = one "
    "scale for all columns (their own units: pixels, embeddings); auto = common when the labels agree with their "
    "neighbours significantly better with it, else zscore (see docs/checks.md).",
)
@texts_must_match_option
def audit(**options: Any) -> None:
    """Find the examples in DATA (CSV, Parquet or JSON Lines) whose label is probably wrong.

    Writes issues.csv (one row per example, worst first), summary.json (counts, noise
    estimates, settings) and probs.npy (the out-of-fold probabilities) to --out. --task
    writes issues.csv, summary.json and the task's table (docs/tasks.md); --scheduler /
    --labels runs write issues.parquet and summary.json (docs/scale.md).
    """
    o = SimpleNamespace(**{**options, "out": Path(options["out"])})
    refuse_before_any_work(o)
    if o.task != "classification":
        _run_task(o)
        return
    scale_args = (o.data, o.label, o.probs_path, o.labels_path)
    scale_opts = {
        "spec": o.scheduler,
        "chunk_rows": o.chunk_rows,
        "out": o.out,
        "filter_by": o.filter_by,
        "quiet": o.quiet,
        "superseded": o.superseded,
        "data_checks": {k: getattr(o, k) for k in DATA_CHECK_OPTIONS},  # --checks at scale (_audit_checks_scale)
        "id_column": o.id_column,
    }
    named = parse_classes(o.classes, what="class")
    refuse_ids_unread(o)
    if not o.demo and at_scale(o):
        refuse_options_not_read_at_scale()
    if not o.demo and audit_at_scale(*scale_args, **scale_opts, rank_by=o.rank_by, classes=named) is not None:
        if o.report:
            from ..report import write_report

            console().print(f"report: {write_report(o.out)}")
        return
    frame, truth = _read_frame(o)
    frame, o.ids = drop_ids(o, frame)  # --id-column: no feature; carried into issues.csv
    frame, data_checks = prepare_data_checks(
        frame,
        o.label,
        features_path=o.features_path,
        split_column=o.split_column,
        checks=o.checks,
        k=o.n_neighbors,
        metric=o.metric,
        label_scaling=o.label_scaling,
        scaling=o.scaling,
        texts_must_match=o.texts_must_match,
        image_column=o.image_column,
        image_root=Path(o.data).resolve().parent if o.data is not None else None,
        quiet=o.quiet,
    )
    model_info: dict = {}
    result, probs = run_audit(
        frame,
        o.label,
        probs_path=o.probs_path,
        cv=o.cv,
        filter_by=o.filter_by,
        rank_by=o.rank_by,
        model=o.model,
        random_state=o.random_state,
        n_jobs=o.n_jobs,
        time_budget=o.time_budget,
        model_info=model_info,
        named=named,
        ids=o.ids,
    )
    summary = add_health(_summary(o, result, frame, truth, model_info), result)
    with files_together(supersedes=o.superseded):
        write_demo_table(o)
        issues = data_checks.apply(result, probs, summary, o.random_state)
        write_csv(with_ids(issues, o.ids, o.id_column), o.out / "issues.csv")
        write_overlap(result, o.out)
        write_npy(probs, o.out / "probs.npy")
        write_audit_summary(summary, o.out)
    _print_results(o, result, summary, model_info)


def _run_task(o: SimpleNamespace) -> None:
    """``--task multilabel`` and the other label shapes (:func:`._audit_tasks.run_task_audit`)."""
    from ._audit_tasks import run_task_audit

    refuse_classification_options(o.task)
    run_task_audit(
        o.task,
        o.data,
        label=o.label,
        probs_path=o.probs_path,
        predictions_path=o.predictions_path,
        out=o.out,
        random_state=o.random_state,
        top=o.top,
        classes=o.classes,
        ignore_index=o.ignore_index,
        mixture_prior=o.mixture_prior,
        tag_separator=o.tag_separator,
        report=bool(o.report),
        superseded=o.superseded,
        **{k: getattr(o, k) for k in ("id_column", "sentence_column", "token_column")},
    )


def _read_frame(o: SimpleNamespace) -> tuple[pd.DataFrame, Any]:
    """The table to audit (the digits demo with --demo) and, for the demo, which labels were flipped."""
    truth = None
    if o.demo:
        from ..datasets import load_demo_digits

        digits = load_demo_digits(o.noise_rate, random_state=o.random_state)
        o.data = o.out / "data.csv"
        check_demo_may_write(o.data)
        o.demo_table = frame = digits.frame  # written with the outputs: never beside another run's issues
        o.label, truth = "label", digits.is_flipped
        o.report = True if o.report is None else o.report
    else:
        if o.data is None:
            raise InvalidParameterError(
                "DATA is required (a CSV, Parquet or JSON Lines file), or --probs with --labels, or --demo"
            )
        frame = read_input(o.data, "DATA", text_columns=[c for c in (o.label, o.id_column) if c])
    if o.image_column is not None and o.image_column not in frame.columns:
        raise MissingColumnError(
            f"--image-column {o.image_column!r} is not in the data; columns are {list(frame.columns)}"
        )
    return frame, truth


def _summary(o: SimpleNamespace, result: Any, frame: pd.DataFrame, truth: Any, model_info: dict) -> dict:
    """summary.json: the audit's counts and estimates, the model choice, the settings and the demo's scores."""
    ids_written_as_text(model_info, frame, None if o.demo else o.data)  # "003" is no integer to the user
    summary = result.summary()
    summary.update(model_info)
    summary["settings"] = {
        "data": str(Path(o.data).resolve()),
        "label": o.label,
        "id_column": o.id_column,
        **na_values_setting(),
        "probs": str(Path(o.probs_path).resolve()) if o.probs_path else None,  # absolute, as data and the tasks'
        "filter_by": o.filter_by,
        "rank_by": o.rank_by,
        "cv": None if o.probs_path else o.cv,
        "model": None if o.probs_path else o.model,
        "time_budget": None if o.probs_path or o.model != "auto" else o.time_budget,
        "random_state": o.random_state,
        "image_column": o.image_column,
        "feature_columns": [c for c in frame.columns if c != o.label],
        # the data checks' inputs: a rerun needs them as much as the model's (k, metric, scaling: data_checks.graph)
        "split_column": o.split_column,
        "checks": split_csv_option(o.checks) if o.checks is not None else None,
        "features": str(Path(o.features_path).resolve()) if o.features_path else None,
    }
    if o.classes is not None:
        summary["settings"]["classes"] = split_csv_option(o.classes)
    if truth is not None:
        hits, flipped = int((result.is_issue & truth).sum()), int(truth.sum())
        summary["demo"] = {  # undefined shares are null: nothing flagged has no precision, no flip no recall
            "noise_rate": o.noise_rate,
            "n_flipped": flipped,
            "precision": hits / result.n_issues if result.n_issues else None,
            "recall": hits / flipped if flipped else None,
        }
    return summary


def _print_results(o: SimpleNamespace, result: Any, summary: dict, model_info: dict) -> None:
    """The console output: model choice, counts, the worst examples, the demo's scores, the report."""
    con = console()
    print_model_info(model_info)
    con.print(
        f"[bold]{result.n_examples}[/] examples, [bold]{len(result.classes)}[/] classes: "
        f"[bold red]{result.n_issues}[/] flagged ({result.n_issues / result.n_examples:.1%}), "
        f"estimated noise rate {result.noise_rate:.1%} (filter {o.filter_by})"
    )
    print_health(con, summary["health"])
    if o.top:
        worst = with_ids(result.to_frame(), o.ids, o.id_column).head(min(o.top, max(result.n_issues, 1)))
        print_frame(worst, title="Worst examples")
    if "demo" in summary:
        d = summary["demo"]
        precision = "n/a (nothing flagged)" if d["precision"] is None else f"[bold]{d['precision']:.3f}[/]"
        recall = "n/a (no label flipped)" if d["recall"] is None else f"[bold]{d['recall']:.3f}[/]"
        con.print(f"demo: {d['n_flipped']} labels were flipped; flagged set precision {precision}, recall {recall}")
    if o.report:
        from ..report import write_report

        con.print(f"report: {write_report(o.out)}")
    print_wrote(o.out / n for n in ("issues.csv", OVERLAP_FILE, "summary.json", "probs.npy"))
