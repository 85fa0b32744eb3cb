"""``labelwise aggregate-numbers``: numeric answers of several annotators -> one value per item."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import numpy as np

from .._caller import warn_at_caller
from .._heavy import pandas as pd
from .._validate.arguments import show
from .._validate.labels import row_label
from ..aggregate._names import NUMERIC_METHOD_NAMES
from ..errors import AnnotationError, InvalidParameterError, LabelwiseWarning
from ..io import files_together, write_csv, write_json
from ._answer_rows import drop_missing, duplicates_summary, n_repeated, numbers_duplicates_option, report
from ._common import console, finite, option_given, print_frame, quiet_option, read_input, renaming
from ._na_values import na_values_option, na_values_setting
from ._out_folder import out_folder
from ._wrote import print_wrote

#: The API's parameter names and the options that give them, for the errors' wording.
OPTION_NAMES = {
    "item_col": "--item-column",
    "annotator_col": "--annotator-column",
    "value_col": "--value-column",
    "prior": "--prior",
    "max_iter": "--max-iter",
    "tol": "--tol",
    "df": "--df",
    "duplicates": "--duplicates",
    "answers": "ANSWERS",
}
#: The methods that fit a model (mean and median have no parameters).
MODEL_METHODS = ("bias-precision", "robust")
#: The options only the models read.
MODEL_OPTIONS = {"prior": "--prior", "max_iter": "--max-iter", "tol": "--tol"}
#: The method that reads --df (the Student-t noise's degrees of freedom).
DF_METHOD = "robust"


def values_frame(est: Any) -> pd.DataFrame:
    """values.csv: item, value, sd (posterior sd; the mean's standard error; empty for the median), n."""
    return est.to_frame().reset_index()


def annotators_frame(est: Any) -> pd.DataFrame:
    """annotators.csv: annotator, bias, sd (noise sd), n (answers), n_items (its items holding two answers or
    more, which the bias and sd rest on: 1 is a guess from one item, 0 no estimate at all)."""
    frame = pd.DataFrame(
        {
            "bias": est.annotator_bias_,
            "sd": est.annotator_sd_,
            "n": est.annotator_n_answers_,
            "n_items": est.annotator_n_items_,
        }
    )
    return frame.reset_index()


def check_numbers(table: pd.DataFrame, column: str, path: Path | None = None) -> None:
    """Refuse a text of ``column`` that is not a number, naming its row in ANSWERS as read (and its
    line in ``path``): the fit sees the table without the rows of no value, where a later row has
    another number."""
    col = table[column]
    if col.dtype.kind in "iufb" or str(col.dtype) == "boolean":
        return  # numbers, or booleans that the fit refuses as a column
    bad = np.flatnonzero(pd.to_numeric(col, errors="coerce").isna().to_numpy() & col.notna().to_numpy())
    if bad.size:
        row = int(bad[0])
        from ._row_lines import line_words

        words = "" if path is None else line_words(path, row)
        line = f" ({words})" if words.startswith("line") else ""
        raise AnnotationError(
            f"--value-column column {column!r} must hold numbers, {row_label(table.index, row)}{line} is "
            f"{show(col.iloc[row])}"
        )


def summary(
    est: Any,
    method: str,
    answers_path: Path,
    columns: dict[str, str],
    n_answers: int,
    n_dropped: int = 0,
    n_repeats: int = 0,
) -> dict[str, Any]:
    """summary.json: the settings, the data's sizes and how the fit ended."""
    model = method in MODEL_METHODS
    duplicates = getattr(est, "duplicates", "keep")
    return {
        "method": method,
        "answers": str(answers_path),
        "columns": columns,
        "prior": float(est.prior) if model else None,
        "prior_scale": finite(est.prior_scale_) if model else None,
        "max_iter": int(est.max_iter) if model else None,
        "tol": float(est.tol) if model else None,
        "df": float(est.df) if method == DF_METHOD else None,
        **na_values_setting(),
        "n_answers": int(n_answers),
        "n_dropped": int(n_dropped),
        "n_repeated": int(n_repeats),
        "duplicates": duplicates_summary(duplicates, n_repeats, getattr(est, "n_duplicates_dropped_", 0)),
        "n_items": int(est.n_items_),
        "n_annotators": int(est.n_annotators_),
        "n_components": int(est.n_components_),
        "biases_comparable_across_components": est.n_components_ == 1,
        "n_iter": int(est.n_iter_),
        "converged": bool(est.converged_),
        "final_loss": finite(est.loss_history_[-1]) if est.loss_history_ else None,
    }


def write_outputs(
    out: Path, values: pd.DataFrame, annotators: pd.DataFrame, info: dict[str, Any], superseded: Iterable[Path] = ()
) -> None:
    """Write values.csv, annotators.csv and summary.json together, replacing ``superseded``."""
    with files_together(supersedes=superseded):
        write_csv(values, out / "values.csv")
        write_csv(annotators, out / "annotators.csv")
        write_json(info, out / "summary.json")


@click.command("aggregate-numbers")
@click.argument("answers", type=click.Path(path_type=Path))
@click.option("--item-column", default="item", show_default=True, help="Column of the item.")
@click.option("--annotator-column", default="annotator", show_default=True, help="Column of the annotator.")
@click.option("--value-column", default="value", show_default=True, help="Column of the numeric answer.")
@click.option(
    "--method",
    type=click.Choice(list(NUMERIC_METHOD_NAMES)),
    default="bias-precision",
    show_default=True,
    help="bias-precision: each annotator's bias and noise learnt by EM, answers weighed by them; "
    "robust: the same with Student-t noise (a wild answer weighs little); mean, median: of each item's answers.",
)
@click.option(
    "--prior",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="bias-precision, robust: weight, in virtual answers per annotator, of the prior that keeps an annotator "
    "with few answers near no bias and the pooled noise.",
)
@click.option(
    "--max-iter",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="bias-precision, robust: most EM iterations.",
)
@click.option(
    "--tol",
    type=click.FloatRange(min=0),
    default=1e-8,
    show_default=True,
    help="bias-precision, robust: converged when the objective per answer falls by less.",
)
@click.option(
    "--df",
    type=click.FloatRange(min=0, min_open=True),
    default=4.0,
    show_default=True,
    help="robust: degrees of freedom of the Student-t noise (smaller: heavier tails, a wild answer weighs less; "
    "large: bias-precision).",
)
@numbers_duplicates_option
@na_values_option
@out_folder("aggregate-numbers", Path("labelwise-numbers"))
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="Annotators to print; 0: none.")
@quiet_option
def aggregate_numbers(
    answers,
    item_column,
    annotator_column,
    value_column,
    method,
    prior,
    max_iter,
    tol,
    df,
    duplicates,
    out,
    top,
    quiet,
    superseded,
):
    """Aggregate the numeric answers in ANSWERS (one row per answer: item, annotator, value).

    Writes values.csv (item, value, sd, n: the value of each item, its uncertainty and its number
    of answers), annotators.csv (annotator, bias, sd, n, n_items: how much the annotator's answers exceed
    the values on average, the spread of its errors, its answers, and the items with two answers or more
    those two rest on; an estimate from 1 item is a guess) and summary.json.
    """
    from ..aggregate.numeric import NUMERIC_METHODS

    model = method in MODEL_METHODS
    if not model:
        given = [option for name, option in MODEL_OPTIONS.items() if option_given(name)]
        if given:
            raise InvalidParameterError(
                f"{given[0]} is only read by --method bias-precision or robust ({method} has no parameters), "
                f"got {given[0]} with --method {method}"
            )
    if method != DF_METHOD and option_given("df"):
        raise InvalidParameterError(
            f"--df is only read by --method {DF_METHOD} (the Student-t noise's degrees of freedom), "
            f"got --df with --method {method}"
        )
    columns = [item_column, annotator_column]
    table = read_input(
        answers, "ANSWERS", kind="answer table", text_columns=lambda names: [c for c in columns if c in names]
    )
    if value_column in table.columns:  # else the fit names --value-column
        check_numbers(table, value_column, Path(answers))
        ids = {"--item-column": item_column, "--annotator-column": annotator_column}
        table, n_dropped = drop_missing(table, value_column, ids)
    else:
        n_dropped = 0
    n_repeats = n_repeated(table, item_column, annotator_column) if {item_column, annotator_column} <= set(table) else 0
    cols = {"item_col": item_column, "annotator_col": annotator_column, "value_col": value_column}
    params: dict[str, Any] = {"prior": prior, "max_iter": max_iter, "tol": tol} if model else {}
    if method == DF_METHOD:
        params["df"] = df
    est = NUMERIC_METHODS[method](**params, **cols, duplicates=duplicates)
    with renaming(OPTION_NAMES, within=("answers", "item_col", "annotator_col")):
        est.fit(table)
    values = values_frame(est)
    n_used = len(table) - est.n_duplicates_dropped_  # the answers the fit read
    annotators = annotators_frame(est)
    used = {"item": item_column, "annotator": annotator_column, "value": value_column}
    out = Path(out)
    write_outputs(
        out, values, annotators, summary(est, method, Path(answers), used, n_used, n_dropped, n_repeats), superseded
    )
    if top and not quiet:
        worst = annotators.sort_values("sd", ascending=False).head(top)
        print_frame(worst, title=f"{method}: noisiest annotators of {est.n_annotators_} ({n_used} answers)")
    report(n_dropped, n_repeats, "value", duplicates)
    if model and est.n_components_ > 1:  # the baselines centre no bias
        console().print(
            f"{est.n_components_} separate groups of annotators (no item links them): biases are centred in each "
            "(summary.json: n_components)"
        )
    if not est.converged_:
        warn_at_caller(LabelwiseWarning(f"not converged after {est.n_iter_} iterations: raise --max-iter or --tol"))
    print_wrote(out / name for name in ("values.csv", "annotators.csv", "summary.json"))
