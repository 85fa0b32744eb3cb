"""The options of ``labelwise aggregate`` (in the order ``--help`` lists them), and the ones ``--demo`` refuses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..aggregate._names import METHOD_NAMES, POLICIES
from ..errors import InvalidParameterError
from ..io.annotations import FORMATS
from ._aggregate_active import active_options
from ._aggregate_answers import answer_options
from ._aggregate_params import (
    DEFAULT_METHOD,
    PROBS_METHOD,
    SAMPLES_METHOD,
    duplicates_option,
    param_option,
    shared_confusion_option,
)
from ._common import SEED, option_given, quiet_option
from ._na_values import na_values_option
from ._out_folder import out_folder
from ._scheduler import SCHEDULERS_SAID

F = TypeVar("F", bound=Callable[..., Any])

#: The command's argument and options, top to bottom as ``--help`` shows them.
OPTIONS: tuple[Callable[[Any], Any], ...] = (
    click.argument("path", required=False, type=click.Path(path_type=Path)),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(list(FORMATS)),
        default="auto",
        show_default=True,
        help="Export format of PATH.",
    ),
    click.option(
        "--method",
        type=click.Choice(list(METHOD_NAMES)),
        default=None,
        help=f"Aggregation method [default: {DEFAULT_METHOD}; {PROBS_METHOD} when --probs is given; {SAMPLES_METHOD} "
        "for a votes file whose annotators are sample numbers].",
    ),
    param_option,
    click.option(
        "--gold", type=click.Path(path_type=Path), help="Table of true labels (item, label) to measure accuracy."
    ),
    na_values_option,
    click.option(
        "--probs",
        "probs_path",
        type=click.Path(path_type=Path),
        multiple=True,
        help="A model's out-of-fold probabilities: .npy (n_items x K, sorted items and classes) or a table with an item column and one column per class. Repeat for an ensemble of models (same items and classes).",
    ),
    click.option("--unsure", default=None, help="Label value that means 'unsure' (e.g. -1 or uncertain)."),
    click.option(
        "--unsure-policy",
        type=click.Choice(list(POLICIES)),
        default="ignore",
        show_default=True,
        help="CheXpert policy for unsure answers: drop them, map to 0 / to 1, or keep as a class.",
    ),
    duplicates_option,
    answer_options,
    click.option(
        "--classes",
        "--labels",
        "declared",
        default=None,
        help="The classes, comma-separated, in their order (an answer outside them is an error; a class holding a "
        "comma in double quotes: '\"sports, outdoor\",tech'); --labels is the same option, its older name.",
    ),
    click.option("--item-column", default=None, help="Item column / field (default depends on the format)."),
    click.option("--annotator-column", default=None, help="Annotator column / field (long table, Prodigy)."),
    click.option("--label-column", default=None, help="Label column, Label Studio control or MTurk answer name."),
    out_folder("aggregate", Path("labelwise-agg")),
    click.option(
        "--random-state",
        type=SEED,
        default=0,
        show_default=True,
        help="Seed of the random draws: tied votes broken at random, a method's random start, --method auto's held-out "
        "answers and --demo's simulated annotators.",
    ),
    click.option(
        "--top", type=click.IntRange(min=0), default=10, show_default=True, help="Rows shown per table; 0: none."
    ),
    click.option(
        "--demo",
        is_flag=True,
        help="Simulate 20 annotators of known skill over scikit-learn digits and compare every method.",
    ),
    click.option(
        "--demo-items",
        type=click.IntRange(min=50, max=1797),
        default=1797,
        show_default=True,
        help="Digits used by --demo.",
    ),
    click.option(
        "--scheduler",
        default=None,
        help=f"Dask scheduler for a Parquet directory of answers: {SCHEDULERS_SAID} (majority-vote, dawid-skene, one-coin).",
    ),
    shared_confusion_option,
    quiet_option,
    active_options,
)


def aggregate_options(command: F) -> F:
    """Give ``command`` the argument and options of :data:`OPTIONS`, as the same decorators stacked in that order."""
    for option in reversed(OPTIONS):
        command = option(command)
    return command


#: Options that give the command its inputs: --demo simulates its own, so they would be ignored.
DEMO_IGNORES = {
    "gold": "--gold",
    "probs_path": "--probs",
    "fmt": "--format",
    "item_column": "--item-column",
    "annotator_column": "--annotator-column",
    "label_column": "--label-column",
    "scheduler": "--scheduler",
    "normalize_answers": "--normalize-answers",
    "parse_answers": "--parse-answers",
    "unparsed": "--unparsed",
}


def refuse_demo_inputs() -> None:
    """--demo with an option about the user's own answers: refused (the simulated ones were used instead)."""
    given = [option for name, option in DEMO_IGNORES.items() if option_given(name)]
    if given:
        raise InvalidParameterError(
            f"--demo simulates its own answers, gold labels and probabilities, so it takes none of {', '.join(given)}; "
            "leave them out, or aggregate your own answers without --demo"
        )
