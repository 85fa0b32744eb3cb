"""``labelwise aggregate --next N``: which items to label next, or once more (ActiveLab).

The options, their refusals, the ranking written to ``next_to_label.csv`` and the lines on screen;
``cli/aggregate.py`` calls these so that the command stays a list of steps.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pandas as pd

from ..aggregate.activelab import ActiveLabScores, active_learning_scores
from ..errors import InvalidParameterError, MissingColumnError
from ._common import console, load_npy, print_frame, read_input, renaming

__all__ = ["NEXT_FILE", "active_options", "check_next", "next_summary", "next_to_label", "print_next"]

NEXT_FILE = "next_to_label.csv"


def active_options(function: Callable) -> Callable:
    """The ``--next`` and ``--unlabeled-probs`` options."""
    function = click.option(
        "--unlabeled-probs",
        "unlabeled_path",
        type=click.Path(path_type=Path),
        default=None,
        help="With --next: the model's probabilities of items nobody has answered yet, ranked with the others: "
        "a table with an item column and one column per class, or .npy (items numbered by row).",
    )(function)
    return click.option(
        "--next",
        "next_n",
        type=click.IntRange(min=1),
        default=None,
        help=f"Rank items by ActiveLab (needs --probs, method crowdlab): write the N to label next, or once more, "
        f"to {NEXT_FILE}.",
    )(function)


def check_next(next_n: int | None, unlabeled_path: Path | None, method: str, has_probs: bool) -> None:
    """Refuse ``--unlabeled-probs`` without ``--next``, and ``--next`` without CROWDLAB's inputs."""
    if unlabeled_path is not None and next_n is None:
        raise InvalidParameterError(
            "--unlabeled-probs is only read with --next N (it ranks the unanswered items with the answered ones); "
            f"got --unlabeled-probs {str(unlabeled_path)!r} without --next"
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


def _load_unlabeled(path: Path) -> Any:
    """``.npy`` (items numbered by row) or a table with an ``item`` column and one column per class."""
    if path.suffix.lower() == ".npy":
        return load_npy(path, "--unlabeled-probs")
    table = read_input(path, "--unlabeled-probs", kind=".npy file or table", text_columns=["item"])
    if "item" not in table.columns:
        raise MissingColumnError(
            f"--unlabeled-probs table {str(path)!r} must have an 'item' column and one column per class; "
            f"found {[str(c) for c in table.columns]}"
        )
    return table.set_index("item")


def next_to_label(
    est: Any, answers: pd.DataFrame, probs: Any, unlabeled_path: Path | None, next_n: int
) -> tuple[pd.DataFrame, ActiveLabScores]:
    """The ``next_n`` items to label next (item, score, labeled, consensus), lowest score first, and all scores."""
    unlabeled = _load_unlabeled(Path(unlabeled_path)) if unlabeled_path is not None else None
    words = {"probs_unlabeled": "--unlabeled-probs", "probs": "--probs"}
    with renaming(words, within=["probs_unlabeled"]):
        scores = active_learning_scores(
            answers,
            probs,
            unlabeled,
            max_iter=est.max_iter,
            labels=est.labels,
            duplicates=est.duplicates,
            random_state=est.random_state,
        )
    return scores.next(next_n), scores


def next_summary(scores: ActiveLabScores, frame: pd.DataFrame, unlabeled_path: Path | None) -> dict[str, Any]:
    """summary.json's ``next`` entry."""
    return {
        "file": NEXT_FILE,
        "n": len(frame),
        "n_labeled_in_next": int(frame["labeled"].sum()),
        "n_unlabeled_scored": len(scores.unlabeled),
        "temperature": scores.temperature,
        "model_weight": scores.model_weight,
        "mean_annotator_weight": scores.mean_annotator_weight,
        "unlabeled_probs": str(unlabeled_path) if unlabeled_path is not None else None,
    }


def print_next(frame: pd.DataFrame, top: int) -> None:
    """The first ``top`` of the items to label next, and how many are new."""
    new = int((~frame["labeled"]).sum())
    console().print(
        f"next to label: {len(frame)} item(s) by ActiveLab ({new} without answers, {len(frame) - new} to relabel), "
        f"lowest score first in {NEXT_FILE}"
    )
    if top:
        print_frame(frame.head(top), title="Items to label next (lowest ActiveLab score first)")
