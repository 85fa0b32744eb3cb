"""``labelwise train-tags``: fit a model on noisy tags (several per row) with a CleanMultilabelClassifier."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from .._heavy import pandas as pd
from .._validate.arguments import plain
from ..io import files_together, write_csv, write_json
from ..models._names import MODELS
from ..robust._names import MULTILABEL_ACTIONS
from ._common import SEED, console, nonzero_jobs, print_frame, quiet_option, read_input, renaming, split_label
from ._na_values import na_values_option, na_values_setting
from ._out_folder import out_folder
from ._tag_option import check_tag_separator, tag_lists, tag_separator_option
from ._wrote import print_wrote
from .train import save_model

FOLDS = ("iterative", "kfold")


def _splitter(folds: str, cv: int, random_state: int | None) -> Any:
    """``--cv`` and ``--folds`` as the model's ``cv``: a fold count (iterative stratification) or a shuffled ``KFold``."""
    from sklearn.model_selection import KFold

    return cv if folds == "iterative" else KFold(cv, shuffle=True, random_state=random_state)


class AutoOrFraction(click.FloatRange):
    """``auto`` or a number in (0, 1): the ``--thresholds`` of ``train-tags``."""

    name = "auto|fraction"

    def __init__(self) -> None:
        super().__init__(0, 1, min_open=True, max_open=True)

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value.strip().lower() == "auto":
            return "auto"
        number = super().convert(value, param, ctx)
        if math.isnan(number):  # a range check passes NaN
            self.fail(f"{value!r} is not in the range 0<x<1.", param, ctx)
        return number


def _check_weighted(estimator: Any, model: str) -> None:
    """``--clean reweight`` weighs each cell in its tag's fit: the model family must take sample weights."""
    from .._meta import accepts_sample_weight

    if not accepts_sample_weight(estimator):
        raise click.BadParameter(
            f"reweight weighs the flagged cells in each tag's fit, but --model {model} takes no sample "
            "weights; "
            "use --clean flip or drop, or another --model",
            param_hint="'--clean'",
        ) from None


@click.command("train-tags")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--label", help="Name of the tags column ('a|b' per row, empty: no tag); the other columns are features.")
@tag_separator_option("The separator of the tags in a --label cell ('a|b'); issues.csv joins them with it.")
@na_values_option
@click.option(
    "--clean",
    type=click.Choice(list(MULTILABEL_ACTIONS)),
    default=None,
    help="What to do with each flagged (row, tag) cell: drop leaves it out of that tag's fit, flip toggles it, "
    "reweight down-weights it in that tag's fit (needs a --model that takes sample weights).  [default: reweight; "
    "flip for a --model that takes no sample weights, said on the screen]",
)
@out_folder("train-tags", Path("labelwise-tag-model"))
@click.option(
    "--cv",
    type=click.IntRange(min=2),
    default=5,
    show_default=True,
    help="Cross-validation folds (one split of the rows for all tags).",
)
@click.option(
    "--folds",
    type=click.Choice(list(FOLDS)),
    default="iterative",
    show_default=True,
    help="How the rows are split into the --cv folds: iterative stratification (each tag's rows spread evenly "
    "over the folds, rare tags included) or plain shuffled K-fold.",
)
@click.option(
    "--n-jobs",
    type=int,
    default=None,
    callback=nonzero_jobs,
    help="Per-tag (and per-fold) fits in parallel, the same model as one at a time (default: one at a time; "
    "-1: all cores).",
)
@click.option(
    "--model",
    type=click.Choice(list(MODELS)),
    default="logistic",
    show_default=True,
    help="Model family of each tag's binary model (no auto: it compares families on one label).",
)
@click.option(
    "--thresholds",
    type=AutoOrFraction(),
    default="auto",
    show_default=True,
    help="Decision threshold of every tag: auto (per tag, the F1-best cut of its out-of-fold probabilities) "
    "or a number in (0, 1).",
)
@click.option("--random-state", type=SEED, default=0, show_default=True)
@quiet_option
def train_tags(
    data, label, tag_separator, clean, out, cv, folds, n_jobs, model, thresholds, random_state, quiet, superseded
):
    """Fit one model per tag on DATA whose tags may be missing or wrong: flag the noisy (row, tag)
    cells by confident learning, clean them, refit.

    Writes model.joblib (the fitted CleanMultilabelClassifier: ``joblib.load`` it and call
    ``predict_tags`` or ``predict_proba`` on a table with the same feature columns), issues.csv
    (one row per example, flagged first, with its missing and spurious tags), classes.csv (per
    tag: flagged counts, estimated missing/spurious rates and the decision threshold) and
    summary.json to --out. Folds are iterative stratified (each tag's rows spread evenly over them;
    --folds kfold: plain shuffled K-fold; a tag present, or absent, on fewer than --cv rows, or
    missing from some fold's training rows, is skipped with a warning); --thresholds auto picks,
    per tag, the threshold with the best F1 on its out-of-fold probabilities.
    """
    from .._meta import accepts_sample_weight
    from ..models import default_model
    from ..robust import CleanMultilabelClassifier
    from ..robust._multilabel_targets import encode_tag_targets, trainable_tags
    from ._tag_cell_notices import tag_cell_notices  # audit's notices on cells read otherwise than written

    separator = check_tag_separator(tag_separator)
    frame = read_input(data, "DATA", text_columns=[label] if label else ())
    features, tags = split_label(frame, label, several=True)
    cells = tag_lists(tags, separator)
    read_notices = tag_cell_notices(tags, separator, str(label), Path(data))
    with renaming({"y": f"--label column {label!r}", "cv": "--cv"}, within=["cv"]):
        trainable_tags(encode_tag_targets(cells, len(cells))[0], cv)  # the tags' own errors before the features'
        estimator = default_model(features, model=model, random_state=random_state)
        notices = list(read_notices)
        if clean is None:
            clean = "reweight" if accepts_sample_weight(estimator) else "flip"
            if clean == "flip":
                notices.append(f"--model {model} takes no sample weights: the flagged cells are flipped (--clean flip)")
        elif clean == "reweight":
            _check_weighted(estimator, model)
        cleaner = CleanMultilabelClassifier(
            estimator,
            cv=_splitter(folds, cv, random_state),
            action=clean,
            thresholds=thresholds,
            n_jobs=n_jobs,
            random_state=random_state,
            tag_separator=separator,
        )
        fitted = cleaner.fit(features, cells)
    issues = fitted.issues_
    fitted_tags = [m is not None for m in fitted.estimators_]
    per_tag = issues.class_summary.assign(fitted=fitted_tags, threshold=fitted.thresholds_)
    summary = {
        "task": "multilabel",  # issues.csv and classes.csv are a multi-label audit's: report, review, export read them
        "n_examples": int(len(cells)),
        "n_tags": int(fitted.classes_.size),
        "n_issues": issues.n_issues,
        "n_missing": int(issues.is_missing.sum()),
        "n_spurious": int(issues.is_spurious.sum()),
        "skipped_tags": [plain(t) for t in fitted.skipped_tags_],
        "notices": notices,
        "classes": [plain(t) for t in fitted.classes_],
        "settings": {
            "task": "multilabel",
            "data": str(Path(data).resolve()),
            "label": label,
            "tag_separator": separator,
            **na_values_setting(),
            "clean": clean,
            "cv": cv,
            "folds": folds,
            "n_jobs": n_jobs,
            "model": model,
            "thresholds": thresholds,
            "random_state": random_state,
            "feature_columns": list(features.columns),
        },
    }
    with files_together(supersedes=superseded):
        save_model(fitted, out / "model.joblib")
        write_csv(replace(issues, tag_separator=separator).to_frame(), out / "issues.csv")
        write_csv(per_tag, out / "classes.csv")
        write_json(summary, out / "summary.json")

    con = console()
    for line in notices:
        con.print(f"note: {plain(line)}")
    con.print(
        f"[bold]{len(cells)}[/] examples, {fitted.classes_.size} tags: [bold red]{summary['n_missing']}[/] missing and "
        f"[bold red]{summary['n_spurious']}[/] spurious tags flagged on {issues.n_issues} examples; cleaned by {clean}"
    )
    print_frame(pd.DataFrame(per_tag), title="per tag")
    print_wrote(out / n for n in ("model.joblib", "issues.csv", "classes.csv", "summary.json"))
