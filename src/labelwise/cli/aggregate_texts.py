"""``labelwise aggregate-texts``: several free-text answers per item -> one chosen answer per item."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
import numpy as np

from .._caller import warn_at_caller
from .._heavy import pandas as pd
from ..aggregate._names import TEXT_METHOD_NAMES
from ..errors import InvalidParameterError, LabelwiseWarning, MissingColumnError
from ..io import files_together, write_csv, write_json
from ._aggregate_params import duplicates_option
from ._answer_rows import drop_missing, duplicates_summary, keep_last, n_repeated, report
from ._common import console, finite, option_given, print_frame, quiet_option, read_input, renaming
from ._na_values import na_values_option, na_values_setting
from ._out_folder import out_folder
from ._wrote import print_wrote

#: closest: on simulated crowds of typo-laden copies (dev seeds 100-101 of benchmarks/bench_embeddings.py)
#: it chose the true text more often than rasa and hrrasa (0.71-0.73 against 0.64-0.66): with a few
#: answers per item, a reliability measured as the distance to aggregates the same annotator's
#: answers dominate confirms itself, and the weighted mean follows one annotator, typos included,
#: where the plain mean's nearest text is the consensus. It also needs no iterations.
DEFAULT_METHOD = "closest"

#: The API's parameter names and the options that give them, for the errors' wording.
OPTION_NAMES = {
    "item_col": "--item-column",
    "annotator_col": "--annotator-column",
    "text_col": "--text-column",
    "max_iter": "--max-iter",
    "tol": "--tol",
    "answers": "ANSWERS",
}


def _columns(answers: pd.DataFrame, given: dict[str, str]) -> None:
    """Each column option names a column of ANSWERS (checked here, so that the error names the option)."""
    names = [str(c) for c in answers.columns]
    for option, column in given.items():
        if column not in answers.columns:
            raise MissingColumnError(
                f"{option} {column!r} is not a column of ANSWERS; its columns are {names[:30]} "
                "(give the item, annotator and text columns with --item-column, --annotator-column, --text-column)"
            )


def cosine_similarity(distance: np.ndarray) -> np.ndarray:
    """``1 - distance`` of cosine distances, within [-1, 1] (rounding can pass 1); NaN where the cosine is
    undefined (a blank answer's all-zero vector has no direction: distance ``inf``)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(distance), np.clip(1.0 - distance, -1.0, 1.0), np.nan)


def _mean(values: np.ndarray) -> float | None:
    """The mean of the defined values (None if there is none)."""
    values = values[np.isfinite(values)]
    return finite(float(values.mean())) if values.size else None


def texts_frame(est: Any, n_answers: pd.Series) -> pd.DataFrame:
    """texts.csv: item, the chosen text, its cosine similarity to the item's aggregated vector (the
    methods that have one), the item's number of answers."""
    frame = pd.DataFrame({"item": est.texts_.index, "text": est.texts_.to_numpy()})
    if getattr(est, "distance_", None) is not None:
        frame["similarity"] = cosine_similarity(est.distance_.reindex(est.texts_.index).to_numpy(dtype=float))
    frame["n_answers"] = n_answers.reindex(est.texts_.index).to_numpy()
    return frame


def annotators_frame(est: Any, n_answers: pd.Series) -> pd.DataFrame:
    """annotators.csv: annotator, skill (the reliability; empty where undefined), answers."""
    skill = est.annotator_skill_
    return pd.DataFrame(
        {"annotator": skill.index, "skill": skill.to_numpy(), "n_answers": n_answers.reindex(skill.index).to_numpy()}
    )


def summary(
    est: Any,
    method: str,
    path: Path,
    columns: dict[str, str],
    n_answers: int,
    n_dropped: int = 0,
    n_repeats: int = 0,
    duplicates: str = "keep",
) -> dict[str, Any]:
    """summary.json: the settings, the sizes and how the fit ended (where the method iterates)."""
    skill = getattr(est, "annotator_skill_", None)
    distance = getattr(est, "distance_", None)
    losses = getattr(est, "loss_history_", None)
    encodes = "encoder" in est.get_params()
    return {
        "method": method,
        "answers": str(path),
        "columns": columns,
        "encoder": "tfidf: character 2-4-grams within words, fitted on all answers, L2-normalised" if encodes else None,
        "max_iter": int(est.max_iter) if hasattr(est, "max_iter") else None,
        "tol": float(est.tol) if hasattr(est, "tol") else None,
        **na_values_setting(),
        "n_answers": int(n_answers),
        "n_dropped": int(n_dropped),
        "n_repeated": int(n_repeats),
        "duplicates": duplicates_summary(duplicates, n_repeats, n_repeats if duplicates == "last" else 0),
        "n_items": int(len(est.texts_)),
        "n_annotators": None if skill is None else int(len(skill)),
        "mean_similarity": None if distance is None else _mean(cosine_similarity(distance.to_numpy(dtype=float))),
        "n_iter": int(est.n_iter_) if hasattr(est, "n_iter_") else None,
        "converged": bool(est.converged_) if hasattr(est, "converged_") else None,
        "final_loss": finite(losses[-1]) if losses else None,
    }


def write_outputs(
    out: Path, texts: pd.DataFrame, annotators: pd.DataFrame | None, info: dict, superseded: Iterable[Path] = ()
) -> None:
    """Write texts.csv, annotators.csv (methods with reliabilities) and summary.json together."""
    with files_together(supersedes=superseded):
        write_csv(texts, out / "texts.csv")
        if annotators is not None:
            write_csv(annotators, out / "annotators.csv")
        write_json(info, out / "summary.json")


@click.command("aggregate-texts")
@click.argument("answers", type=click.Path(path_type=Path))
@click.option("--item-column", default="item", show_default=True, help="Column of the item ids.")
@click.option("--annotator-column", default="annotator", show_default=True, help="Column of the annotator ids.")
@click.option("--text-column", default="text", show_default=True, help="Column of the answers' texts.")
@click.option(
    "--method",
    type=click.Choice(list(TEXT_METHOD_NAMES)),
    default=DEFAULT_METHOD,
    show_default=True,
    help="closest: the text nearest the mean of its item's TF-IDF vectors; rasa: annotators weighted by "
    "reliabilities estimated on all items (Li & Fukumoto 2019); hrrasa: also each answer's agreement with "
    "the item's other answers (Li 2020); rover: word-by-word vote after aligning the answers (Fiscus 1997), "
    "which may compose a text no one wrote.",
)
@click.option(
    "--max-iter",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Most iterations (rasa, hrrasa).",
)
@click.option(
    "--tol",
    type=click.FloatRange(min=0),
    default=1e-9,
    show_default=True,
    help="Stop when the relative change of the aggregated vectors is below it (rasa, hrrasa).",
)
@duplicates_option
@na_values_option
@out_folder("aggregate-texts", Path("labelwise-texts"))
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="Items to print; 0: none.")
@quiet_option
def aggregate_texts(
    answers, item_column, annotator_column, text_column, method, max_iter, tol, duplicates, out, top, quiet, superseded
):
    """Choose one text per item among the answers in ANSWERS (one row per answer: item, annotator, text).

    Each text is encoded by TF-IDF over character n-grams (offline; typos and inflections stay close);
    the chosen text is the one closest to its item's (weighted) mean vector. Writes texts.csv (item,
    text, similarity to the mean, n_answers), annotators.csv (rasa, hrrasa: each annotator's
    reliability) and summary.json.
    """
    from ..aggregate.texts import TEXT_METHODS

    cls = TEXT_METHODS[method]
    params = cls().get_params()
    for name, option in (("max_iter", "--max-iter"), ("tol", "--tol")):
        if option_given(name) and name not in params:
            readers = [m for m, c in TEXT_METHODS.items() if name in c().get_params()]
            raise InvalidParameterError(
                f"{option} is only read by --method {', '.join(readers)} (the iterative methods), "
                f"got {option} with --method {method}"
            )
    columns = [item_column, annotator_column, text_column]
    table = read_input(
        answers, "ANSWERS", kind="answer table", text_columns=lambda names: [c for c in columns if c in names]
    )
    _columns(
        table, {"--item-column": item_column, "--annotator-column": annotator_column, "--text-column": text_column}
    )
    ids = {"--item-column": item_column, "--annotator-column": annotator_column}
    table, n_dropped = drop_missing(table, text_column, ids)
    n_repeats = n_repeated(table, item_column, annotator_column)
    table = keep_last(table, item_column, annotator_column, duplicates)
    given = {k: v for k, v in (("max_iter", max_iter), ("tol", tol)) if k in params}
    names = {"item_col": item_column, "annotator_col": annotator_column, "text_col": text_column}
    keys = columns
    if all(k in params for k in names):
        given.update(names)
    else:  # a method without column parameters (ROVER) reads the columns item, annotator, text
        keys = ["item", "annotator", "text"]
        table = table[columns].set_axis(keys, axis=1)
    est = cls(**given)
    with renaming(OPTION_NAMES):
        est.fit(table)
    texts = texts_frame(est, table[keys[0]].value_counts())
    annotators = None
    if getattr(est, "annotator_skill_", None) is not None:
        annotators = annotators_frame(est, table[keys[1]].value_counts())
    used = {"item": item_column, "annotator": annotator_column, "text": text_column}
    out = Path(out)
    write_outputs(
        out,
        texts,
        annotators,
        summary(est, method, Path(answers), used, len(table), n_dropped, n_repeats, duplicates),
        superseded,
    )
    if top and not quiet:
        print_frame(texts.head(top), title=f"{method}: chosen texts of {len(texts)} items ({len(table)} answers)")
    if annotators is not None and top and not quiet:
        print_frame(annotators.sort_values("skill").head(top), title="Least reliable annotators")
    report(n_dropped, n_repeats, "text", duplicates)
    floored = getattr(est, "skill_floored_", None)
    if floored is not None and floored.any() and not quiet:
        names = ", ".join(map(str, floored.index[floored.to_numpy()][:10]))
        console().print(
            f"notice: annotator(s) {names} agree with the aggregates almost exactly: their skill is the floor's "
            f"cap ({est.skill_floor} floor of the summed distance), not a measured reliability"
        )
    if hasattr(est, "max_iter") and not getattr(est, "converged_", True):
        warn_at_caller(LabelwiseWarning(f"not converged after {est.n_iter_} iterations: raise --max-iter or --tol"))
    print_wrote(out / n for n in ("texts.csv", *(["annotators.csv"] if annotators is not None else []), "summary.json"))
