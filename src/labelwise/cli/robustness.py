"""``labelwise robustness``: accuracy of defences against label-flipping attacks, by budget."""

from __future__ import annotations

import math
from pathlib import Path

import click
import numpy as np

from .._heavy import pandas as pd
from .._validate.labels import encode_labels
from ..errors import InvalidParameterError, MissingColumnError
from ..io import files_together, write_csv, write_json
from ..poison._names import ATTACK_NAMES, BINARY_ONLY_ATTACKS, MODELS, MULTICLASS_ATTACKS
from ._audit_model import check_two_classes
from ._column_hint import column_hint
from ._common import option_given, print_frame, quiet_option, read_input, renaming, split_csv_option
from ._look_alike import label_look_alike, say_notice
from ._na_values import na_values_option
from ._out_folder import out_folder
from ._wrote import print_wrote


def _parse_budgets(text: str) -> list:
    out = []
    for part in split_csv_option(text):
        try:
            value = int(part) if part.isdigit() else float(part)
        except ValueError:
            value = math.nan
        if isinstance(value, float) and not 0 <= value < 1:
            raise InvalidParameterError(f"--budgets must be fractions in [0, 1) or counts, got {part!r}")
        out.append(value)
    if not out:
        raise InvalidParameterError("--budgets must list at least one budget, e.g. 0.05,0.1,0.25")
    return out


def _parse_gamma(text: str) -> float | str:
    if text in ("scale", "auto"):
        return text
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InvalidParameterError(f"--gamma must be 'scale', 'auto' or a positive number, got {text!r}")
    return value


def _names(text: str, allowed, option: str) -> list[str]:
    names = split_csv_option(text)
    if not names:
        raise InvalidParameterError(f"{option} must list at least one of {list(allowed)}")
    bad = [n for n in names if n not in allowed]
    if bad:
        raise InvalidParameterError(f"{option} must be among {list(allowed)}, got {bad[0]!r}")
    return names


def _row_number_notice(features: pd.DataFrame) -> str | None:
    """A notice naming the feature columns that look like row ids: at least 10 distinct whole numbers in
    increasing order (a row number, or ids given in order). Read as a feature, such a column can give
    the class away (rows sorted by class), so the command says so and names --id-column."""
    names = []
    for name in features.columns:
        values = features[name].to_numpy(dtype=float, na_value=np.nan)
        if values.size >= 10 and np.isfinite(values).all() and (values == np.round(values)).all():
            if (np.diff(values) > 0).all():
                names.append(str(name))
    if not names:
        return None
    return (
        f"column(s) {', '.join(map(repr, names))} hold distinct whole numbers in increasing order, like row ids, "
        f"and are read as features (on rows sorted by class a row number gives the class away); if "
        f"{names[0]!r} is an id, pass --id-column {names[0]}"
    )


def _binary_attacks_need_two_classes(attacks: list[str], n_classes: int, label: str) -> None:
    """Refuse, naming ``--attacks``, binary-only attacks on labels of more than two classes."""
    binary = [name for name in attacks if name in BINARY_ONLY_ATTACKS]
    if binary and n_classes != 2:
        given = option_given("attacks")
        raise InvalidParameterError(
            f"--attacks {','.join(binary)} {'needs' if len(binary) == 1 else 'need'} binary labels, but --label column "
            f"{label!r} has {n_classes} classes{'' if given else ' (--attacks defaults to random,alfa)'}; pass "
            f"--attacks {','.join(MULTICLASS_ATTACKS)} (the attacks for any number of classes)"
        )


@click.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--label", required=True, help="Name of the label column; the other (numeric) columns are features.")
@click.option(
    "--id-column",
    default=None,
    help="Column of row ids (text or numbers), never read as a feature (default: none; every other column is one).",
)
@na_values_option
@click.option(
    "--attacks", default="random,alfa", show_default=True, help=f"Comma-separated, from {list(ATTACK_NAMES)}."
)
@click.option(
    "--budgets", default="0.05,0.1,0.25", show_default=True, help="Fractions in [0, 1) or counts of training labels."
)
@click.option(
    "--models", default="svc,floral,ln-svm,audit", show_default=True, help=f"Comma-separated, from {list(MODELS)}."
)
@click.option(
    "--seeds",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Repetitions (split, attack and model seeds 0..N-1).",
)
@click.option(
    "--test-size",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.3,
    show_default=True,
    help="Share of DATA's rows held out (stratified, per seed) as the clean test set; the attacks flip labels of "
    "the others.",
)
@click.option(
    "--standardize/--no-standardize",
    default=True,
    show_default=True,
    help="Scale features to zero mean, unit variance first.",
)
@click.option(
    "--C", "C", type=click.FloatRange(0, min_open=True), default=10.0, show_default=True, help="SVM C of every model."
)
@click.option(
    "--gamma", default="scale", show_default=True, help="RBF gamma of every model: a number, 'scale' or 'auto'."
)
@out_folder("robustness", Path("labelwise-robustness"))
@quiet_option
def robustness(
    data, label, id_column, attacks, budgets, models, seeds, test_size, standardize, C, gamma, out, quiet, superseded
):
    """Attack the training labels of DATA at several budgets and measure each defence.

    Writes robustness.csv (one row per model, attack, budget and seed: clean test accuracy),
    robustness.png (mean accuracy against budget, error bars = standard deviation over seeds) and
    summary.json to --out, and prints the mean accuracy table.
    """
    from ..poison import robustness_curve
    from ..poison._common import check_X

    attack_names = _names(attacks, ATTACK_NAMES, "--attacks")
    model_names = _names(models, MODELS, "--models")
    budget_list = _parse_budgets(budgets)
    gamma_value = _parse_gamma(gamma)
    if id_column is not None and id_column == label:
        raise InvalidParameterError(f"--id-column must name another column than --label, got {id_column!r} for both")
    frame = read_input(data, "DATA", text_columns=[c for c in (label, id_column) if c])
    for option, column in (("--label", label), ("--id-column", id_column)):
        if column is not None and column not in frame.columns:
            raise MissingColumnError(
                f"{option} column {column!r} is not in the data{column_hint(column, frame.columns)}; columns are "
                f"{list(frame.columns)}"
            )
    features = frame.drop(columns=[c for c in (label, id_column) if c is not None])
    non_numeric = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if non_numeric:
        more = f", and {len(non_numeric) - 1} more column(s) are not numeric" if len(non_numeric) > 1 else ""
        raise InvalidParameterError(
            f"features must be numeric; column {non_numeric[0]!r} has dtype {features[non_numeric[0]].dtype}{more} "
            "(every column of DATA but --label and --id-column is a feature: name a column of row ids with "
            "--id-column, drop the others from DATA)"
        )
    if features.shape[1] == 0:
        raise InvalidParameterError("the data has no feature columns besides --label and --id-column")
    # checked before scaling: one NaN would make its whole column NaN and the error point at row 0
    X = check_X(features, name="DATA features")
    say_notice(_row_number_notice(features))
    if standardize:
        sd = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    classes = encode_labels(frame[label], name=f"--label column {label!r}")[1]
    say_notice(label_look_alike(frame[label], label))
    check_two_classes(classes, label, hint="")
    _binary_attacks_need_two_classes(attack_names, classes.size, label)
    with renaming({"budgets": "--budgets", "test": "--test-size"}):
        curve = robustness_curve(
            model_names,
            X,
            frame[label].to_numpy(),
            attacks=attack_names,
            budgets=budget_list,
            seeds=seeds,
            test=test_size,
            C=C,
            gamma=gamma_value,
            verbose=None,
        )
    out = Path(out)
    table = curve.to_frame()
    with files_together(supersedes=superseded):
        write_csv(table, out / "robustness.csv")
        curve.plot(out / "robustness.png", title=f"{Path(data).name}: clean test accuracy under label flipping")
        summ = curve.summary()
        write_json(
            {
                "data": str(Path(data).resolve()),
                "label": label,
                "id_column": id_column,
                "feature_columns": [str(c) for c in features.columns],
                "n_examples": int(len(frame)),
                "attacks": attack_names,
                "budgets": budget_list,
                "models": model_names,
                "seeds": seeds,
                "test_size": test_size,
                "standardize": standardize,
                "C": C,
                "gamma": gamma_value,
                "mean_accuracy": summ.to_dict(orient="records"),
            },
            out / "summary.json",
        )
    # budgets as given (5 a count, 0.1 a fraction): text before the pivot, whose keys would be floats
    shown = summ.assign(budget=summ["budget"].map(str))
    wide = shown.pivot_table(index=["attack", "budget"], columns="model", values="mean", sort=False).reset_index()
    wide = wide[["attack", "budget", *[m for m in model_names if m in wide.columns]]]
    print_frame(wide, title=f"mean clean test accuracy over {seeds} seed(s)", float_format="{:.3f}")
    print_wrote(out / n for n in ("robustness.csv", "robustness.png", "summary.json"))
