"""``labelwise aggregate --next N``: which items to label next, or once more (ActiveLab).

The options, their refusals, the ranking written to ``next_to_label.csv`` and the lines on screen;
``cli/aggregate.py`` calls these so that the command stays a list of steps.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from .._heavy import pandas as pd
from ..errors import InvalidParameterError, ShapeMismatchError
from ._common import console, load_item_probs, print_frame, renaming

if TYPE_CHECKING:
    from ..aggregate.activelab import ActiveLabScores

__all__ = [
    "NEXT_FILE",
    "active_options",
    "check_next",
    "load_models",
    "paths_setting",
    "next_summary",
    "next_temperature",
    "next_to_label",
    "print_next",
]

NEXT_FILE = "next_to_label.csv"


def active_options(function: Callable) -> Callable:
    """The ``--next``, ``--unlabeled-probs`` and ``--temperature`` options."""
    function = click.option(
        "--temperature",
        "next_temperature",
        default=None,
        help="With --next: the temperature ActiveLab scales --probs and --unlabeled-probs by before CROWDLAB, "
        "a number > 0 (1 keeps them as given: next_to_label.csv's consensus is then labels.csv's) [fit: the "
        "one that best fits the answers].",
    )(function)
    function = click.option(
        "--unlabeled-probs",
        "unlabeled_path",
        type=click.Path(path_type=Path),
        multiple=True,
        help="With --next: the model's probabilities of items nobody has answered yet, ranked with the others: "
        "a table with an item column and one column per class, or .npy (items numbered by row, "
        "refused where answered items have those numbers). With several --probs, one per --probs, in the same order.",
    )(function)
    return click.option(
        "--next",
        "next_n",
        type=click.IntRange(min=1),
        default=None,
        help=f"Rank items by ActiveLab (needs --probs, method crowdlab): write the N to label next, or once more, "
        f"to {NEXT_FILE}.",
    )(function)


def paths_setting(paths: Sequence[Path]) -> Any:
    """summary.json's value of a repeatable file option: None, the one path, or the list of them."""
    return None if not paths else str(paths[0]) if len(paths) == 1 else [str(p) for p in paths]


def _check_same_models(loaded: list[Any], paths: Sequence[Path], option: str) -> list[Any]:
    """An ensemble's files: all tables with the first one's items and class columns (rows put in its
    item order), or all ``.npy`` arrays of its shape; the error names the file that differs."""
    first, head = loaded[0], f"{option} {str(paths[0])!r}"
    same = [first]
    for other, path in zip(loaded[1:], paths[1:], strict=True):
        where = f"{option} {str(path)!r}"
        if isinstance(first, pd.DataFrame) != isinstance(other, pd.DataFrame):
            raise InvalidParameterError(
                f"{where} must be a {'table' if isinstance(first, pd.DataFrame) else '.npy array'} like {head} "
                "(the models of an ensemble are matched item by item)"
            )
        if not isinstance(first, pd.DataFrame):
            if np.shape(other) != np.shape(first):
                raise ShapeMismatchError(
                    f"{where} must have the shape of {head}, {np.shape(first)}, got {np.shape(other)}"
                )
            same.append(other)
            continue
        if sorted(map(str, other.columns)) != sorted(map(str, first.columns)):
            raise ShapeMismatchError(
                f"{where} must have the class columns of {head}, {[str(c) for c in first.columns]}, "
                f"got {[str(c) for c in other.columns]}"
            )
        lacks = first.index.difference(other.index, sort=False)
        extra = other.index.difference(first.index, sort=False)
        if len(lacks) or len(extra) or other.index.has_duplicates:
            got = f"{len(lacks)} of its items missing" + (f" (e.g. {lacks[0]!r})" if len(lacks) else "")
            got += f", {len(extra)} others" + (f" (e.g. {extra[0]!r})" if len(extra) else "")
            raise ShapeMismatchError(f"{where} must list the items of {head}, once each, got {got}")
        same.append(other.loc[first.index])
    return same


def load_models(paths: Sequence[Path], option: str) -> Any:
    """The probabilities ``--probs`` (or ``--unlabeled-probs``) names: None for no file, one model's for
    one, the ensemble's list for several (:func:`_check_same_models`)."""
    loaded = [load_item_probs(Path(p), option) for p in paths]
    if len(loaded) < 2:
        return loaded[0] if loaded else None
    return _check_same_models(loaded, list(paths), option)


def check_next(
    next_n: int | None,
    unlabeled_path: Sequence[Path],
    method: str,
    has_probs: bool,
    temperature: str | None = None,
    n_probs: int = 1,
) -> None:
    """Refuse ``--unlabeled-probs`` or ``--temperature`` without ``--next``, a ``--temperature`` that is
    not ``fit`` or a number > 0, and ``--next`` without CROWDLAB's inputs."""
    if temperature is not None:
        if next_n is None:
            raise InvalidParameterError(
                f"--temperature is only read with --next N (ActiveLab's calibration), got --temperature {temperature!r}"
            )
        next_temperature(temperature)
    if unlabeled_path and next_n is None:
        raise InvalidParameterError(
            "--unlabeled-probs is only read with --next N (it ranks the unanswered items with the answered ones); "
            f"got --unlabeled-probs {str(unlabeled_path[0])!r} without --next"
        )
    if unlabeled_path and len(unlabeled_path) != max(n_probs, 1):
        raise InvalidParameterError(
            f"--unlabeled-probs must be given once per --probs (the i-th is the i-th model's probabilities of the "
            f"unanswered items), got {len(unlabeled_path)} --unlabeled-probs for {n_probs} --probs"
        )
    if next_n is None:
        return
    if not has_probs:
        raise InvalidParameterError(
            f"--next {next_n} needs --probs: ActiveLab weighs the model's probabilities of the answered items "
            "against the annotators (CROWDLAB)"
        )
    if method != "crowdlab":
        raise InvalidParameterError(
            f"--next ranks items by CROWDLAB's weights, so it needs --method crowdlab, got --method {method}"
        )


def next_temperature(value: str | None) -> float | str:
    """``--temperature``: ``fit`` (the default) or a number > 0."""
    if value is None or value == "fit":
        return "fit"
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not (np.isfinite(number) and number > 0):
        raise InvalidParameterError(f"--temperature must be 'fit' or a number > 0, got {value!r}")
    return number


def ids_like(index: pd.Index, answered: pd.Series) -> pd.Index:
    """``--unlabeled-probs``'s item ids in the kind of the answers' ids: each file keeps its ids as
    text only where two would become one number (``007`` next to ``7``), so a pool's ``7`` can be read
    as a number where the answers' ``7`` is a text (or the other way round), and the item would be
    two (both answered and new, listed twice). Integers become texts next to text ids; texts written
    as integers (``7``, not ``007``) become integers next to integer ids."""
    if answered.dtype.kind == "O" and index.dtype.kind in "iu":
        return pd.Index(index.astype(str), dtype=object, name=index.name)
    if answered.dtype.kind in "iu" and index.dtype.kind == "O":
        canonical = [
            int(v) if isinstance(v, str) and v.lstrip("-").isdigit() and str(int(v)) == v else v for v in index
        ]
        return pd.Index(canonical, dtype=object, name=index.name)
    return index


def _check_row_ids(answered: pd.Series, n_rows: int, path: Path) -> None:
    """A ``.npy`` pool's items are its row numbers 0..n-1; refuse them where answered items have those ids
    (next_to_label.csv would list an answered item and a pool row under one id)."""
    if answered.dtype.kind not in "iuf":
        return
    ids = pd.unique(answered.to_numpy())
    clash = np.sort(ids[(ids >= 0) & (ids < n_rows) & (ids == np.floor(ids))])
    if len(clash):
        raise InvalidParameterError(
            f"--unlabeled-probs {str(path)!r} is a .npy, whose rows are the unanswered items 0..{n_rows - 1}, but "
            f"{len(clash)} answered item(s) have those ids, e.g. {', '.join(str(v) for v in clash[:5])}: give a table "
            "with an item column (ids the answers do not use) and one column per class"
        )


def next_to_label(
    est: Any,
    answers: pd.DataFrame,
    probs: Any,
    unlabeled_path: Sequence[Path],
    next_n: int,
    temperature: str | None = None,
) -> tuple[pd.DataFrame, ActiveLabScores]:
    """The ``next_n`` items to label next (item, score, labeled, consensus), lowest score first, and all scores;
    ``probs`` and ``unlabeled_path``: one model's, or an ensemble's (matched by position)."""
    from ..aggregate.activelab import active_learning_scores

    unlabeled = load_models(unlabeled_path, "--unlabeled-probs")  # a .npy: items numbered by row
    for part in unlabeled if isinstance(unlabeled, list) else [unlabeled] if unlabeled is not None else []:
        if isinstance(part, pd.DataFrame):
            part.index = ids_like(part.index, answers["item"])
        else:
            _check_row_ids(answers["item"], len(part), Path(unlabeled_path[0]))
    words = {"probs_unlabeled": "--unlabeled-probs", "probs": "--probs"}
    with renaming(words, within=["probs_unlabeled"]):
        scores = active_learning_scores(
            answers,
            probs,
            unlabeled,
            temperature=next_temperature(temperature),
            max_iter=est.max_iter,
            labels=est.labels,
            duplicates=est.duplicates,
            random_state=est.random_state,
        )
    return scores.next(next_n), scores


def consensus_changes(scores: ActiveLabScores, labels: pd.Series) -> int:
    """How many answered items ActiveLab's consensus gives another label than ``labels`` (labels.csv's):
    ActiveLab fits CROWDLAB again on the temperature-calibrated --probs, which can move a close item."""
    answered = scores.labeled.index
    consensus = scores.consensus.to_numpy(object)[: len(answered)]
    return int((consensus != labels.reindex(answered).to_numpy(object)).sum())


def next_summary(
    scores: ActiveLabScores, frame: pd.DataFrame, unlabeled_path: Sequence[Path], labels: pd.Series
) -> dict[str, Any]:
    """summary.json's ``next`` entry (``labels``: labels.csv's label per item)."""
    return {
        "file": NEXT_FILE,
        "n": len(frame),
        "n_labeled_in_next": int(frame["labeled"].sum()),
        "n_unlabeled_scored": len(scores.unlabeled),
        "n_consensus_not_as_labels_csv": consensus_changes(scores, labels),
        "temperature": scores.temperature,
        "model_weight": scores.model_weight,
        "mean_annotator_weight": scores.mean_annotator_weight,
        "unlabeled_probs": paths_setting(unlabeled_path),
    }


def print_next(frame: pd.DataFrame, top: int, entry: dict[str, Any]) -> None:
    """The first ``top`` of the items to label next, how many are new, and whether ActiveLab's consensus
    (``entry``: summary.json's ``next``) gives some items another label than labels.csv."""
    new = int((~frame["labeled"]).sum())
    console().print(
        f"next to label: {len(frame)} item(s) by ActiveLab ({new} without answers, {len(frame) - new} to relabel), "
        f"lowest score first in {NEXT_FILE}"
    )
    if entry["n_consensus_not_as_labels_csv"]:
        temps = np.atleast_1d(entry["temperature"])
        temperature = f"temperature{'s' if len(temps) > 1 else ''} {', '.join(f'{t:g}' for t in temps)}"
        console().print(
            f"notice: {entry['n_consensus_not_as_labels_csv']} answered item(s) have another consensus in "
            f"{NEXT_FILE} than in labels.csv: ActiveLab calibrates --probs first ({temperature}) "
            "and refits CROWDLAB on them; labels.csv is CROWDLAB on --probs as given"
        )
    if top:
        print_frame(frame.head(top), title="Items to label next (lowest ActiveLab score first)")
