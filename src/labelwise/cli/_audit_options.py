"""The option checks of ``labelwise audit``: an option the run would not read is an error, before any work.

Kept out of ``audit.py``: which options each kind of audit reads (``--task``, the audit at scale), and
the ``report.html`` that ``--report`` would replace.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from ..errors import InvalidParameterError
from ._common import option_given

#: The options only --task classification reads (the others take DATA, --label, --probs / --predictions,
#: --out, --random-state, --top and --report).
CLASSIFICATION_ONLY = (
    "cv", "filter_by", "rank_by", "model", "time_budget", "n_jobs", "image_column", "demo", "noise_rate",
    "labels_path", "scheduler", "chunk_rows", "features_path", "split_column", "checks", "n_neighbors", "metric",
    "label_scaling", "scaling", "texts_must_match",
)  # fmt: skip


def texts_must_match_option(function: Any) -> Any:
    """``--texts-must-match/--no-texts-must-match``: whether a near duplicate (or a leak) of the data checks'
    feature graph needs matching texts too; not given, the audit's own choice (:mod:`._audit_checks`)."""
    return click.option(
        "--texts-must-match/--no-texts-must-match",
        "texts_must_match",
        default=None,
        help="Whether a near_duplicate / leakage pair of the data checks' graph needs matching texts too (equal "
        "after normalising, or a near_duplicate_text pair). Default: on when the features are the table's own "
        "columns beside text columns, off with --features (see docs/checks.md).",
    )(function)


def _as_given(param: click.Parameter) -> str:
    """The option as the user wrote it: ``--no-texts-must-match`` for the off side of an on/off flag."""
    value = click.get_current_context().params.get(param.name or "")
    off = getattr(param, "secondary_opts", None)
    return off[0] if off and value is False else param.opts[0]


def refuse_classification_options(task: str) -> None:
    """An option the task would silently ignore (``--model boosting`` with ``--task regression``) is an error."""
    ctx = click.get_current_context()
    given = [_as_given(p) for p in ctx.command.params if p.name in CLASSIFICATION_ONLY and option_given(p.name)]
    if given:
        raise InvalidParameterError(
            f"--task {task} does not use {', '.join(given)} (only --task classification does); "
            f"leave {'it' if len(given) == 1 else 'them'} out"
        )


#: The options the audit at scale (--scheduler, --labels, a .zarr --probs) does not read: it audits given
#: probabilities (no model) and prints no table of examples (issues.parquet is in row order). The data checks'
#: options are read when --checks names checks to run (cli/_audit_checks_scale.py; the text ones alone:
#: cli/_audit_text_scale.py), but --texts-must-match (refused beside dask features) and --image-column.
NOT_READ_AT_SCALE = (
    "cv", "model", "time_budget", "n_jobs", "random_state", "top", "image_column", "features_path", "split_column",
    "checks", "n_neighbors", "metric", "label_scaling", "scaling", "texts_must_match",
)  # fmt: skip

#: What ``audit_at_scale`` is handed for its data checks (``cli._audit_checks_scale.checks_at_scale``).
DATA_CHECK_OPTIONS = ("checks", "split_column", "features_path", "n_neighbors", "metric", "label_scaling", "scaling")


def at_scale(o: SimpleNamespace) -> bool:
    """Whether the run is an audit at scale (``cli._scale.audit_at_scale``'s own test)."""
    zarr = o.probs_path is not None and Path(o.probs_path).suffix == ".zarr"
    return o.scheduler is not None or o.labels_path is not None or zarr


def refuse_options_not_read_at_scale() -> None:
    """``--features emb.npy`` or ``--top 5`` with ``--labels`` were left out without a word: an error."""
    from ._audit_checks_scale import read_at_scale

    ctx = click.get_current_context()
    read = read_at_scale(ctx.params.get("checks"))  # --checks names checks: their options are read
    given = [
        _as_given(p)
        for p in ctx.command.params
        if p.name in NOT_READ_AT_SCALE and p.name not in read and option_given(p.name)
    ]
    if given:
        checks = "its data checks' options" if read else "the data checks' options without --checks"
        raise InvalidParameterError(
            f"the audit at scale (--scheduler, --labels or a .zarr --probs) does not use {', '.join(given)}: it "
            f"audits the given probabilities without a model, reads {checks} (--checks outlier,... runs them on "
            "DATA's columns or --features, with --k, --metric, --scaling, --label-scaling and --split-column; "
            "not --texts-must-match nor --image-column) and writes issues.parquet in row order; leave "
            f"{'it' if len(given) == 1 else 'them'} out (docs/scale.md)"
        )


def refuse_other_tasks_options(task: str) -> None:
    """``--classes`` with ``--task segmentation`` (or ``--ignore-index`` with multilabel...) would be ignored: an error."""
    from ._audit_tasks import TASK_OPTIONS

    ctx = click.get_current_context()
    for p in ctx.command.params:
        tasks = TASK_OPTIONS.get(p.name or "")
        if tasks and task not in tasks and option_given(p.name):
            raise InvalidParameterError(
                f"{p.opts[0]} is for --task {' / '.join(tasks)}, not --task {task}; leave it out"
            )


#: What ``--demo`` brings itself (the digits table, its label column, a model of its own): given beside
#: it, these would be left unread.
DEMO_OWN = ("label", "probs_path", "labels_path", "classes", "features_path", "split_column", "image_column",
            "scheduler", "chunk_rows")  # fmt: skip


def refuse_demo_mismatches(o: SimpleNamespace) -> None:
    """``audit data.csv --demo`` audited the digits and left data.csv unread, and ``--noise-rate`` without
    ``--demo`` was ignored: both are errors, before any work."""
    if not o.demo:
        if option_given("noise_rate"):
            raise InvalidParameterError(
                "--noise-rate is the share of labels --demo flips, and there is no --demo; leave it out "
                "(to flip labels of your own table: labelwise corrupt DATA --label ... --rate ...)"
            )
        return
    ctx = click.get_current_context()
    given = [_as_given(p) for p in ctx.command.params if p.name in DEMO_OWN and option_given(p.name)]
    if o.data is not None:
        given.insert(0, f"DATA ({str(o.data)!r})")
    if given:
        raise InvalidParameterError(
            f"--demo audits scikit-learn's digits (its own table, label column and model), so it does not use "
            f"{', '.join(given)}; leave {'it' if len(given) == 1 else 'them'} out, or drop --demo to audit your data"
        )


def refuse_report_over_a_foreign_file(o: SimpleNamespace) -> None:
    """--report (on by default with --demo) writes OUT/report.html: a file there that is not an earlier report
    (the user's own) is refused before any work, not after the audit's files are written."""
    from ..report._destination import foreign_file_problem

    wanted = o.report or (o.demo and o.report is None)
    problem = foreign_file_problem(o.out / "report.html") if wanted else None
    if problem is not None:
        flag = "--report" if o.report else "--demo (its report)"
        raise InvalidParameterError(
            f"{flag} writes {str(o.out / 'report.html')!r}, which {problem}; move that file, choose another --out "
            "or pass --no-report (nothing was changed)"
        )


def refuse_classes_without_probs(named: list[str] | None) -> None:
    """``--classes`` names the columns of ``--probs``; a model trained here has one per class of DATA."""
    if named is not None:
        raise InvalidParameterError(
            "--classes names the columns of --probs, and there is no --probs: the model trained here gives one "
            "column per class of the --label column (a class with no row cannot be learned); leave --classes out "
            "or give the out-of-fold probabilities with --probs"
        )


def refuse_before_any_work(o: SimpleNamespace) -> None:
    """The checks of every audit before it reads anything: options of another task, what ``--demo`` (or its
    absence) would leave unread, and a ``report.html`` of the user's that ``--report`` would replace."""
    refuse_other_tasks_options(o.task)
    refuse_demo_mismatches(o)
    refuse_report_over_a_foreign_file(o)
