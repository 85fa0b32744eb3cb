"""``labelwise aggregate-pairs``: crowd pairwise comparisons -> one score and rank per item."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import numpy as np

from .._caller import warn_at_caller
from .._heavy import pandas as pd
from .._stage_progress import stages
from ..aggregate._names import PAIRWISE_METHOD_NAMES
from ..errors import InvalidParameterError, LabelwiseWarning
from ..io import files_together, write_csv, write_json
from ._common import console, finite, option_given, print_frame, quiet_option, read_input, renaming
from ._na_values import na_values_option, na_values_setting
from ._out_folder import out_folder
from ._scale import scheduler as on_scheduler
from ._scheduler import SCHEDULERS_SAID
from ._tags_scale import at_scale, read_parquet_answers, scale_settings
from ._wrote import print_wrote

#: The API's parameter names and the options that give them, for the errors' wording.
OPTION_NAMES = {
    "left_col": "--left-column",
    "right_col": "--right-column",
    "winner_col": "--winner-column",
    "annotator_col": "--annotator-column",
    "prior": "--prior",
    "max_iter": "--max-iter",
    "tol": "--tol",
    "pairs": "PAIRS",
}


def same_id_kind(table: pd.DataFrame, columns: list[str]) -> None:
    """Give the item columns of ``table`` one kind of id, in place: each column of a CSV or JSON file
    keeps its texts only where two of them would become one number (``007`` next to ``7``), so a left
    column holding ``007`` and ``7`` stays text while a right column holding ``7`` becomes the number 7,
    and the item would be two. When some are texts, the numeric ones become their texts too (``7`` ->
    ``'7'``; a missing cell stays missing and is refused by the fit)."""
    present = [c for c in columns if c in table.columns]
    numeric = [c for c in present if table[c].dtype.kind in "iuf"]
    if not numeric or len(numeric) == len(present):
        return
    for column in numeric:
        values = table[column]
        texts = values.astype(str) if values.dtype.kind in "iu" else values.map(repr).str.removesuffix(".0")
        table[column] = texts.astype(object).where(values.notna())


def scores_frame(est: Any) -> pd.DataFrame:
    """scores.csv: item, score (log-strength), rank (within the component), component; best first."""
    return est.to_frame().reset_index()


def annotators_frame(est: Any) -> pd.DataFrame:
    """annotators.csv of the noisy model: annotator, skill (reliability), left_bias, comparisons."""
    return pd.DataFrame({"skill": est.annotator_skill_, "left_bias": est.annotator_bias_}).reset_index()


def summary(est: Any, method: str, pairs_path: Path, columns: dict[str, str | None]) -> dict[str, Any]:
    """summary.json: the settings, the data's sizes, the components and how the fit ended."""
    sizes = np.bincount(est.components_.to_numpy()).tolist()
    return {
        "method": method,
        "pairs": str(pairs_path),
        "columns": columns,
        "prior": float(est.prior),
        "max_iter": int(est.max_iter),
        "tol": float(est.tol),
        **na_values_setting(),
        "n_comparisons": int(est.n_comparisons_),
        "n_items": int(est.n_items_),
        "n_annotators": int(len(est.annotator_skill_)) if hasattr(est, "annotator_skill_") else None,
        "n_components": int(est.n_components_),
        "component_sizes": sizes,
        "scores_comparable_across_components": est.n_components_ == 1,
        "n_iter": int(est.n_iter_),
        "converged": bool(est.converged_),
        "final_loss": finite(est.loss_history_[-1]) if est.loss_history_ else None,
    }


def write_outputs(out: Path, est: Any, info: dict[str, Any], superseded: Iterable[Path] = ()) -> pd.DataFrame:
    """Write scores.csv, annotators.csv (noisy model) and summary.json together, replacing ``superseded``."""
    scores = scores_frame(est)
    with files_together(supersedes=superseded):
        write_csv(scores, out / "scores.csv")
        if hasattr(est, "annotator_skill_"):
            write_csv(annotators_frame(est), out / "annotators.csv")
        write_json(info, out / "summary.json")
    return scores


@click.command("aggregate-pairs")
@click.argument("pairs", type=click.Path(path_type=Path))
@click.option("--left-column", default="left", show_default=True, help="Column of the first item of each pair.")
@click.option("--right-column", default="right", show_default=True, help="Column of the second item.")
@click.option(
    "--winner-column", default="winner", show_default=True, help="Column of the winner (the left or the right item)."
)
@click.option(
    "--annotator-column",
    default="annotator",
    show_default=True,
    help="Column of the annotator (noisy-bt only: refused with bt, which does not read it).",
)
@click.option(
    "--method",
    type=click.Choice(list(PAIRWISE_METHOD_NAMES)),
    default="bt",
    show_default=True,
    help="bt: Bradley-Terry (MM); noisy-bt: with each annotator's reliability and left/right bias.",
)
@click.option(
    "--prior",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Weight of the Gamma prior on the strengths (finite scores for items that never win or lose); "
    "0 for the maximum likelihood, refused when it does not exist.",
)
@click.option("--max-iter", type=click.IntRange(min=1), default=1000, show_default=True, help="Most iterations.")
@click.option("--tol", type=click.FloatRange(min=0), default=1e-7, show_default=True, help="Convergence tolerance.")
@na_values_option
@out_folder("aggregate-pairs", Path("labelwise-pairs"))
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="Items to print; 0: none.")
@click.option(
    "--scheduler",
    default=None,
    help=f"Dask scheduler for a Parquet folder of comparisons, read partition by partition: {SCHEDULERS_SAID} "
    "(every --method).",
)
@quiet_option
def aggregate_pairs(
    pairs,
    left_column,
    right_column,
    winner_column,
    annotator_column,
    method,
    prior,
    max_iter,
    tol,
    out,
    top,
    superseded,
    scheduler=None,
    quiet=False,
):
    """Score the items compared in PAIRS (one row per comparison: two items and the winner).

    Writes scores.csv (item, score, rank, component: the log-strength, the rank within the item's
    connected component of the comparison graph, and that component; scores compare only within
    one), annotators.csv (noisy-bt: each annotator's reliability and left bias) and summary.json.
    Ties (no winner) are refused: drop those rows.
    """
    from ..aggregate.pairwise import PAIRWISE_METHODS

    noisy = method == "noisy-bt"
    if not noisy and option_given("annotator_column"):
        raise InvalidParameterError(
            f"--annotator-column is only read by --method noisy-bt (bt does not weigh annotators), got "
            f"--annotator-column {annotator_column!r} with --method {method}"
        )
    columns = [left_column, right_column, winner_column] + ([annotator_column] if noisy else [])
    scaled = at_scale(pairs, scheduler)
    if scaled:  # Parquet: each column has one type, so no ids to reconcile
        table = read_parquet_answers(pairs, scheduler, "PAIRS", "comparisons")
    else:
        table = read_input(
            pairs, "PAIRS", kind="comparison table", text_columns=lambda names: [c for c in columns if c in names]
        )
        same_id_kind(table, [left_column, right_column, winner_column])
    columns_given = {"left_col": left_column, "right_col": right_column, "winner_col": winner_column}
    if noisy:
        columns_given["annotator_col"] = annotator_column
    est = PAIRWISE_METHODS[method](prior=prior, max_iter=max_iter, tol=tol, **columns_given)
    with renaming(OPTION_NAMES, within=("prior", "pairs", "right_col")):
        with on_scheduler(scheduler if scaled else None), stages(False if quiet or not scaled else None):
            est.fit(table)
    used = {
        "left": left_column,
        "right": right_column,
        "winner": winner_column,
        "annotator": annotator_column if noisy else None,
    }
    out = Path(out)
    info = {**summary(est, method, Path(pairs), used), **(scale_settings(table, scheduler) if scaled else {})}
    scores = write_outputs(out, est, info, superseded)
    if top:
        print_frame(scores.head(top), title=f"{method}: top items of {est.n_items_} ({est.n_comparisons_} comparisons)")
    if noisy and top:
        print_frame(annotators_frame(est).sort_values("skill").head(top), title="Least reliable annotators")
    if est.n_components_ > 1:
        console().print(
            f"{est.n_components_} separate groups of items: scores and ranks compare only within one "
            "(scores.csv: component)"
        )
    if not est.converged_:
        warn_at_caller(LabelwiseWarning(f"not converged after {est.n_iter_} iterations: raise --max-iter or --tol"))
    print_wrote(out / n for n in ("scores.csv", *(["annotators.csv"] if noisy else []), "summary.json"))
