"""``labelwise aggregate-tags``: several annotators' tag sets -> one tag set per item (binary relevance)."""

from __future__ import annotations

import time
from collections import Counter
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._heavy import pandas as pd
from .._stage_progress import stages
from .._tag_cells import join_tags
from ..aggregate._names import MULTILABEL_METHODS
from ..errors import InvalidParameterError, MissingColumnError
from ..io import files_together, write_csv, write_json
from ..io.delimiter import csv_delimiter, is_csv
from ..io.plain_text import plain_text, shown_as
from ._aggregate_params import duplicates_option, method_params, param_names, param_option
from ._answer_rows import report
from ._common import SEED, console, finite, plain, print_frame, quiet_option, read_input, renaming
from ._na_values import given_na_values, na_values_option, na_values_setting
from ._out_folder import OUTPUTS as OUT_FILES
from ._out_folder import out_folder
from ._scale import scheduler as on_scheduler
from ._tag_option import check_tag_separator, tag_separator_option
from ._tags_scale import SCHEDULER_HELP, at_scale, read_parquet_answers, scale_settings
from ._wrote import print_wrote

if TYPE_CHECKING:
    from ..aggregate.multilabel import MultiLabelAggregator

DEFAULT_METHOD = "dawid-skene"
#: The files the command writes in its --out folder.
OUTPUTS = OUT_FILES["aggregate-tags"]


def _columns(answers: pd.DataFrame, given: dict[str, str]) -> None:
    """Each column option names a column of ANSWERS (checked here, so that the error names the option)."""
    names = [str(c) for c in answers.columns]
    for option, column in given.items():
        if column not in answers.columns:
            raise MissingColumnError(
                f"{option} {column!r} is not a column of ANSWERS; its columns are {names[:30]} "
                f"(give the item, annotator and tags columns with --item-column, --annotator-column, --tags-column)"
            )


def _marker_cells(path: Path, column: str, read: pd.Series) -> dict[str, Any] | None:
    """Tag cells of a CSV/TSV file that are written (``NA``, ``None``...) but read as missing under
    --na-values, so counted as the empty set: how many and the texts; None when there are none."""
    if not is_csv(path) or not read.isna().any():
        return None
    src = plain_text(path)  # a compressed or UTF-16 file: its decoded copy
    with shown_as(src, path):
        sep = csv_delimiter(src)
    raw = pd.read_csv(src, sep=sep, usecols=[column], dtype=str, na_filter=False, index_col=False)[column]
    written = read.isna().to_numpy() & raw.str.strip().ne("").to_numpy()
    if not written.any():
        return None
    return {"n_cells": int(written.sum()), "texts": sorted(set(raw[written].str.strip()))[:5]}


def _cell_notices(tags: pd.Series, separator: str, column: str, path: Path) -> list[str]:
    """audit's notices on tag cells read otherwise than written (an empty tag between separators, tags
    joined by another separator, JSON or Parquet nulls); a CSV's marker cells are said by :func:`_marker_cells`."""
    from ._tag_cell_notices import tag_cell_notices

    return tag_cell_notices(tags, separator, column, path, option="--tags-column", parameter="ANSWERS", markers=False)


def _frames(est: MultiLabelAggregator, separator: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """labels.csv (item, tags joined by ``separator``, confidence, n_tags, n_answers), probs.csv and annotators.csv."""
    items = est.labels_.index
    labels = pd.DataFrame(
        {
            "item": items,
            "tags": [join_tags(tags, separator) for tags in est.labels_],
            "confidence": est.confidence_.to_numpy(),
            "n_tags": [len(tags) for tags in est.labels_],
            "n_answers": est.n_answers_per_item_.to_numpy(),
        }
    )
    probs = est.probas_.copy()
    probs.columns = [str(t) for t in probs.columns]
    probs = probs.rename_axis("item").reset_index()
    skills = est.annotator_skill_.copy()
    skills.columns = [str(t) for t in skills.columns]
    skills = skills.rename_axis("annotator").reset_index()
    return labels, probs, skills


def _tag_summary(est: MultiLabelAggregator) -> list[dict[str, Any]]:
    """Per tag: how often it is chosen, its mean probability, and its model's iterations."""
    chosen = Counter(chain.from_iterable(est.labels_))  # one pass; a Series += per item took 146 s at 200k items
    rows = []
    for tag, model in est.tag_models_.items():
        rows.append(
            {
                "tag": str(tag),
                "n_items_chosen": chosen[tag],
                "mean_probability": finite(round(float(est.probas_[tag].mean()), 6)),
                "iterations": int(getattr(model, "n_iter_", 0)),
                "converged": bool(getattr(model, "converged_", True)),
                "fallback": getattr(model, "fallback_", None),
            }
        )
    return rows


@click.command("aggregate-tags")
@click.argument("answers_path", metavar="ANSWERS", type=click.Path(path_type=Path))
@click.option("--item-column", default="item", show_default=True, help="Item id column of ANSWERS.")
@click.option("--annotator-column", default="annotator", show_default=True, help="Annotator id column of ANSWERS.")
@click.option(
    "--tags-column",
    default="tags",
    show_default=True,
    help="Column of each answer's tags, separated by --tag-separator; an empty cell is the empty set ('none of them').",
)
@tag_separator_option(
    "Separator of the tags in a cell (as audit --task multilabel reads 'a|b'); labels.csv joins them with it."
)
@click.option(
    "--method",
    type=click.Choice(list(MULTILABEL_METHODS)),
    default=DEFAULT_METHOD,
    show_default=True,
    help="The binary aggregation run for each tag.",
)
@param_option
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.5,
    show_default=True,
    help="A tag is chosen when its probability is above this.",
)
@click.option(
    "--min-tags",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Fewest tags per item: the most probable are added when fewer pass --threshold.",
)
@duplicates_option
@na_values_option
@out_folder("aggregate-tags", Path("labelwise-tags"))
@click.option(
    "--random-state",
    type=SEED,
    default=0,
    show_default=True,
    help="Seed of each tag's method where it draws (kos's and mmsr's starting values, mace's, ties broken at "
    "random): the same seed gives the same files.",
)
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="Rows shown per table; 0: none.")
@click.option("--scheduler", default=None, help=SCHEDULER_HELP)
@quiet_option
def aggregate_tags(
    answers_path,
    item_column,
    annotator_column,
    tags_column,
    tag_separator,
    method,
    params,
    threshold,
    min_tags,
    duplicates,
    out,
    random_state,
    top,
    superseded,
    scheduler=None,
    quiet=False,
):
    """Turn several annotators' tag sets in ANSWERS into one tag set per item.

    ANSWERS is a long table (CSV, Parquet or JSON Lines) with one row per answer: item,
    annotator and the tags chosen ("cat|dog"; an empty cell: none of them). Each tag is
    aggregated as a yes/no question by --method (binary relevance): an annotator who answered an
    item without choosing a tag said no to it. Writes labels.csv, probs.csv, annotators.csv and
    summary.json to --out. A folder of Parquet parts (or --scheduler) is read partition by
    partition, keeping integer codes only: the same files, without the table in memory.
    """
    from ..aggregate.multilabel import MultiLabelAggregator

    out = Path(out)
    tag_separator = check_tag_separator(tag_separator)
    extra = method_params(method, params)
    scaled = at_scale(answers_path, scheduler)
    if scaled:
        answers = read_parquet_answers(answers_path, scheduler)
    else:
        answers = read_input(
            answers_path,
            "ANSWERS",
            kind="answer table",
            text_columns=lambda names: [c for c in names if c in (item_column, annotator_column, tags_column)],
        )
    _columns(
        answers, {"--item-column": item_column, "--annotator-column": annotator_column, "--tags-column": tags_column}
    )
    if len({item_column, annotator_column, tags_column}) < 3:
        raise InvalidParameterError(
            f"--item-column, --annotator-column and --tags-column must be three different columns, got "
            f"{[item_column, annotator_column, tags_column]}"
        )
    markers = None if scaled else _marker_cells(Path(answers_path), tags_column, answers[tags_column])
    notices = [] if scaled else _cell_notices(answers[tags_column], tag_separator, tags_column, Path(answers_path))
    est = MultiLabelAggregator(
        method,
        threshold=threshold,
        min_tags=min_tags,
        tag_separator=tag_separator,
        duplicates=duplicates,
        item_col=item_column,
        annotator_col=annotator_column,
        tags_col=tags_column,
        random_state=random_state,
        **extra,
    )
    param_words = {name: f"--param {name}" for name in param_names(method)}
    code_words = [name for name in param_words if "_" in name or name in ("tol", "eps")]
    words = {"answers": "ANSWERS", "tag_separator": "--tag-separator", "min_tags": "--min-tags", **param_words}
    start = time.perf_counter()
    with renaming(words, within=[*code_words, "tag_separator", "min_tags"]):
        with on_scheduler(scheduler if scaled else None), stages(False if quiet or not scaled else None):
            est.fit(answers)
    seconds = time.perf_counter() - start
    labels, probs, skills = _frames(est, tag_separator)
    summary = {
        "method": method,
        "n_items": int(est.n_items_),
        "n_answers": int(est.n_answers_),
        "n_annotators": int(est.n_annotators_),
        "n_tags": int(est.n_tags_),
        "n_empty_answers": int(est.n_empty_answers_),
        "n_empty_answers_written_as_missing": markers["n_cells"] if markers else 0,
        "n_empty_items": int((labels["n_tags"] == 0).sum()),
        "mean_tags_per_item": finite(round(float(labels["n_tags"].mean()), 6)),
        "mean_confidence": finite(round(float(labels["confidence"].mean()), 6)),
        "seconds": round(seconds, 4),
        "duplicates": {
            "policy": duplicates,
            "n_duplicates": int(est.n_duplicates_),
            "n_dropped": int(est.n_duplicates_dropped_),
        },
        "tags": _tag_summary(est),
        "notices": notices,
        "input": {  # what labelwise review reads the answers again with
            "path": str(Path(answers_path).resolve()),
            "format": "parquet-parts" if Path(answers_path).is_dir() else "table",
            "columns": {"item": item_column, "annotator": annotator_column, "tags": tags_column},
        },
        "settings": {
            "path": str(answers_path),
            "columns": {"item": item_column, "annotator": annotator_column, "tags": tags_column},
            "tag_separator": tag_separator,
            "threshold": threshold,
            "min_tags": min_tags,
            "params": extra,
            "random_state": random_state,
            **na_values_setting(),
            **(scale_settings(answers, scheduler) if scaled else {}),
        },
    }
    with files_together(supersedes=superseded):
        write_csv(labels, out / "labels.csv")
        write_csv(probs, out / "probs.csv")
        write_csv(skills, out / "annotators.csv")
        write_json(summary, out / "summary.json")
    con = console()
    con.print(
        f"[bold]{summary['n_items']}[/] items, [bold]{summary['n_answers']}[/] answers from "
        f"[bold]{summary['n_annotators']}[/] annotators, [bold]{summary['n_tags']}[/] tags "
        f"({summary['n_empty_answers']} answer(s) chose no tag); method [bold]{method}[/] per tag, {seconds:.3f} s"
    )
    report(0, summary["duplicates"]["n_duplicates"], "tags", duplicates)  # as aggregate-numbers says them
    if markers:
        con.print(
            f"notice: {markers['n_cells']} tag cell(s) of ANSWERS written {', '.join(map(repr, markers['texts']))} "
            "are read as missing, so as the empty set ('none of them'); "
            + ('pass --na-values "" to read them as tags' if given_na_values() is None else "see --na-values")
        )
    for notice in notices:
        con.print(f"notice: {plain(notice)}")
    if top:
        tags = pd.DataFrame(summary["tags"]).head(top)
        print_frame(tags.astype({"fallback": object}).fillna({"fallback": "none"}), title="Tags")  # not "nan"
        print_frame(labels.sort_values("confidence", kind="stable").head(top), title="Least certain items")
    print_wrote(out / name for name in OUTPUTS)
