"""``labelwise weak``: apply labeling functions from a Python file to a table, analyse them, fit a label model."""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np

from .. import weak as weak_api
from .._heavy import pandas as pd
from .._validate.labels import look_alike_classes
from ..errors import DataFileError, InvalidParameterError, MissingColumnError
from ..io import files_together, write_csv, write_json
from ..io.paths import require_file
from ..weak._names import LABEL_MODEL_NAMES, TIE_BREAK_POLICIES
from . import _weak_model_flags as model_flags
from ._aggregate_outputs import finite
from ._common import (
    SEED,
    check_unique_ids,
    console,
    plain,
    print_frame,
    quiet_option,
    read_input,
    renaming,
    split_csv_option,
)
from ._lf_places import import_failure_line, refuse_repeated_names
from ._na_values import na_values_option
from ._out_folder import out_folder
from ._weak_baseline import gold_line, majority_vote_accuracy
from ._weak_dependence import dependence_fields
from ._weak_lines import naming_data_lines
from ._wrote import print_wrote

if TYPE_CHECKING:
    from ..weak import LabelingFunction


def load_lfs(path: Path) -> list[LabelingFunction]:
    """The labeling functions of a Python file (:func:`load_functions`)."""
    from ..weak import LabelingFunction

    return load_functions(path, LabelingFunction)


def load_functions(
    path: Path, cls: type[LabelingFunction], *, parameter: str = "LFS", listed: str = "lfs"
) -> list[Any]:
    """The functions of kind ``cls`` in a Python file: its list named ``listed`` if it defines one,
    else every ``cls`` at module level, in definition order (a function bound to two names counted
    once; a function of another kind, a slicing function in a file of labeling functions, is not
    taken). While it is imported its folder is first on ``sys.path``, so it may import modules
    beside it (``from kb import SPAM_WORDS``). ``parameter`` is the argument the errors name."""
    from ..weak import LabelingFunction

    kind = cls.kind
    require_file(path, parameter=parameter, kind="Python file (.py)")
    if path.suffix != ".py":
        raise DataFileError(
            f"{parameter} must be an existing Python file (.py): {str(path)!r} has suffix {path.suffix!r}"
        )
    name = f"_labelwise_{listed}_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)  # as `python lfs.py` would: the file may import a module beside it
    try:
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    except (Exception, SystemExit) as exc:  # SystemExit: e.g. an argparse call at module level
        sys.modules.pop(name, None)
        raise DataFileError(
            f"{parameter} file {str(path)!r} failed to import: {type(exc).__name__}: {exc}{import_failure_line(exc, path)}"
        ) from exc
    finally:
        sys.path.remove(folder)
    found = getattr(module, listed, None)
    if found is None:  # each function once, though a second name may refer to it (BEST = has_link)
        found = list({id(v): v for v in vars(module).values() if isinstance(v, cls) and v.kind == kind}.values())
    elif isinstance(found, LabelingFunction) or not isinstance(found, (list, tuple)):
        raise DataFileError(
            f"{parameter} file {str(path)!r}: {listed} must be a list of {kind}s, got {type(found).__name__}"
        )
    if not found:
        raise DataFileError(
            f"{parameter} file {str(path)!r} defines no {kind}s (decorate functions with "
            f"@labelwise.weak.{kind.replace(' ', '_')}, or define a list named {listed})"
        )
    bad = next((i for i, f in enumerate(found) if not callable(f)), None)
    if bad is not None:
        raise DataFileError(
            f"{parameter} file {str(path)!r}: {listed}[{bad}] must be a {kind} (or a function), "
            f"got {type(found[bad]).__name__} {found[bad]!r}"
        )
    if issubclass(cls, LabelingFunction):  # two of one name: said as the file names them
        refuse_repeated_names(path, module, list(found), listed, kind)
    return list(found)


def _check_columns(table: pd.DataFrame, data: Path, columns: dict[str, str | None]) -> None:
    """The columns the options name exist, are distinct, and ``--text-column`` can become ``text``."""
    named = {flag: column for flag, column in columns.items() if column is not None}
    for flag, column in named.items():
        if column not in table.columns:
            raise MissingColumnError(
                f"{flag} {column!r} is not a column of {str(data)!r}; columns are {[str(c) for c in table.columns]}"
            )
    flags = list(named)
    for i, first in enumerate(flags):
        for second in flags[i + 1 :]:
            if named[first] == named[second]:
                raise InvalidParameterError(
                    f"{first} and {second} must name different columns, both name {named[first]!r}"
                )
    text = named.get("--text-column")
    if text is not None and text != "text" and "text" in table.columns:
        raise InvalidParameterError(
            f"--text-column {text!r} is given to the functions as row.text, but {str(data)!r} already has a "
            "column named 'text'; pass --text-column text, or rename one of the columns"
        )


def gold_as_classes(gold: pd.Series, classes: Any) -> pd.Series:
    """``--gold-column`` values as the functions' classes where only their type differs.

    The table's gold ``1`` (an integer: a CSV column of plain integers is read as one) is the
    class ``"1"`` a function returned as text, and the other way round; values that spell no class
    (``01`` beside the class ``1``, a class no function voted) are left as they are.
    """
    known = set(classes)
    spelled = {str(c): c for c in classes}

    def as_class(value: Any) -> Any:
        if value in known or pd.isna(value):
            return value
        return spelled.get(str(value), value)

    return gold.map(as_class).astype(object)


def labelers_json(model: Any, model_name: str) -> dict[str, Any]:
    """``labelers.json``: the label model's view of each function, its estimated accuracy, its confusion matrix
    given that it votes (``confusion_``) and its vote distribution with the abstain (``get_conditional_probs``, for
    a model of the abstains: not IWMV's)."""
    confusion = np.asarray(model.confusion_)
    conditional = getattr(model, "get_conditional_probs", None)
    with_abstain = None if conditional is None else np.transpose(conditional(), (0, 2, 1))  # [j, y, abstain, a...]
    return {
        "model": model_name,
        "classes": [finite(c) for c in model.classes_],
        "confusion_layout": "rows = true class, columns = the function's vote, given that it votes: each row sums "
        "to 1 (a row of nulls where the model gives the function no vote on that class)",
        "votes_layout": None
        if with_abstain is None
        else "rows = true class, columns = abstain then the classes: P(the function's output | class), each row "
        "sums to 1",
        "labelers": [
            {
                "labeler": str(name),
                "estimated_accuracy": finite(float(model.accuracies_.iloc[j])),
                "confusion": [[finite(float(x)) for x in row] for row in confusion[j]],
                **({} if with_abstain is None else {"votes": finite(with_abstain[j])}),
            }
            for j, name in enumerate(model.labelers_)
        ],
    }


def labels_frame(model: Any, votes: Any, tie_break: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    """``labels.csv``'s rows (label, confidence, votes, one probability per class) and which items
    abstained: with a ``tie_break`` policy (Snorkel's), the labels are ``model.predict``'s under it,
    and an abstained item's label is empty; else the fitted ``labels_``."""
    from ..weak._model_api import abstain_value

    probs, predicted = model.probas_, model.labels_
    abstained = np.zeros(len(predicted), dtype=bool)
    if tie_break is not None:
        predicted = model.predict(votes, tie_break_policy=tie_break)
        fill = abstain_value(model.classes_)
        abstained = (predicted.isna() if fill is None else predicted.eq(fill)).to_numpy()
        predicted = predicted.astype(object).where(~abstained, None)
    labels = pd.DataFrame(
        {"label": predicted, "confidence": probs.max(axis=1), "n_votes": model.n_votes_},
        index=pd.Index(votes.items, name="item"),
    )
    for c in probs.columns:
        labels[f"prob_{c}"] = probs[c].to_numpy()
    return labels, abstained


def _classes(value: str | None) -> list[Any] | None:
    """``--classes``: integers when every name is an integer as Python writes it (``0,1,-2``), else text.

    ``01`` and ``1`` (or ``1`` and ``1.0``) are two names, so such a list stays text: the functions'
    return values are compared with them as written.
    """
    parts = split_csv_option(value)
    if not parts:
        return None
    if all(re.fullmatch(r"-?(0|[1-9][0-9]*)", p) for p in parts):
        return [int(p) for p in parts]
    return parts


@click.command()
@click.argument("lfs_path", metavar="LFS", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@click.option(
    "--text-column", default=None, help="Column the functions read as row.text (renamed to 'text' if needed)."
)
@click.option("--id-column", default=None, help="Column of item ids (default: the row number).")
@na_values_option
@click.option(
    "--classes",
    default=None,
    help="Allowed labels, comma-separated (any other returned value is an error); a label holding a comma in "
    "double quotes: '\"sports, outdoor\",tech'.",
)
@click.option(
    "--gold-column", default=None, help="Column of true labels, for empirical accuracy (not given to the functions)."
)
@click.option(
    "--model",
    "model_name",
    type=click.Choice(list(LABEL_MODEL_NAMES)),
    default="label-model",
    show_default=True,
    help="Label model.",
)
@click.option(
    "--tie-break",
    "tie",
    type=click.Choice(list(TIE_BREAK_POLICIES)),
    default=None,
    help="Snorkel's policy for items whose top classes are within 1e-5: abstain (empty label), random (a hash "
    "of the row), true-random (drawn from --random-state). Default: one seeded draw per tied item.",
)
@click.option(
    "--lured-items/--no-lured-items",
    "lured",
    default=None,
    help="--model label-model: refine the fit by a mixture of normal and lured items (an item whose voters share "
    "one wrong look-alike class) where it applies: 3+ classes, 10+ votes per item on average [default: on]. "
    "summary.json: lured_items (asked) and lured_items_applied.",
)
@click.option(
    "--spectral-start/--no-spectral-start",
    "spectral",
    default=None,
    help="--model label-model: also run its Dawid-Skene MAP fit from Zhang et al.'s spectral estimate and keep the "
    "fit of higher objective, where the crowd allows it [default: off]. summary.json: spectral_start (asked) and "
    "spectral_start_result (kept, not kept, or not run: why).",
)
@click.option(
    "--one-class-rules/--no-one-class-rules",
    "one_class",
    default=None,
    help="--model label-model: on rules whose votes come mostly from one-class functions (keyword rules), learn "
    "their dependencies (Varma et al. 2019) and anchor the class balance on the vote shares [default: on]. "
    "summary.json: one_class_rules.",
)
@out_folder("weak", Path("labelwise-weak"))
@click.option("--random-state", type=SEED, default=0, show_default=True)
@quiet_option
def weak(
    lfs_path,
    data,
    text_column,
    id_column,
    classes,
    gold_column,
    model_name,
    tie,
    lured,
    spectral,
    one_class,
    out,
    random_state,
    quiet,
    superseded,
):
    """Apply the labeling functions in LFS to every row of DATA, analyse them and fit a label model.

    LFS is a Python file defining functions decorated with @labelwise.weak.labeling_function (or a
    list named lfs). Writes labels.csv (label, confidence, votes and one probability per class),
    votes.csv (item, labeler, label), analysis.csv, labelers.json (each function's estimated
    accuracy and confusion matrix) and summary.json to --out, all or none of them.
    """
    flags = {"lured_items": lured, "spectral_start": spectral, "one_class_rules": one_class}
    model_options = model_flags.model_options(model_name, flags)
    lfs = load_lfs(Path(lfs_path))
    # ids and gold labels as written where a number parser would merge two (007 and 7, 01 and 1)
    table = read_input(data, "DATA", text_columns=[c for c in (id_column, gold_column) if c is not None])
    _check_columns(table, data, {"--text-column": text_column, "--id-column": id_column, "--gold-column": gold_column})
    if id_column is not None:
        # a missing id also made the others floats (1.0, 2.0)
        check_unique_ids(table[id_column])
        table = table.set_index(id_column)
    table.index.name = "item"
    gold = table.pop(gold_column) if gold_column is not None else None
    if text_column is not None and text_column != "text":
        table = table.rename(columns={text_column: "text"})
    started = time.perf_counter()
    with (
        naming_data_lines(Path(data)),
        renaming({"classes": "--classes"}),
        _held_back(id_column, gold_column, text_column),
    ):
        votes = weak_api.apply(lfs, table, classes=_classes(classes), verbose=False if quiet else None)
    applied = time.perf_counter() - started
    if len(votes.classes) < 2:
        raise InvalidParameterError(
            f"the labeling functions voted one class only ({votes.classes.tolist()}); a label model needs two or "
            "more: name every class with --classes (e.g. --classes ham,spam)"
        )
    model = weak_api.LABEL_MODELS[model_name](random_state=random_state, **model_options).fit(votes)
    gold = None if gold is None else gold_as_classes(gold, votes.classes)
    with renaming({"gold labels": "--gold-column", "gold": "--gold-column"}):
        report = weak_api.analysis(votes, gold=gold, model=model)
    labels, abstained = labels_frame(model, votes, tie)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with files_together(supersedes=superseded):
        write_csv(labels.reset_index(), out / "labels.csv")
        write_csv(votes.to_frame(), out / "votes.csv")
        write_csv(
            report.assign(polarity=report["polarity"].map(lambda v: " ".join(map(str, v)))).reset_index(),
            out / "analysis.csv",
        )
        summary = {"lfs": str(lfs_path), "data": str(data), "model": model_name}
        summary.update(_summary(votes, model, labels, abstained, gold, tie, applied))
        write_json(summary, out / "summary.json")
        write_json(labelers_json(model, model_name), out / "labelers.json")
    con = console()
    con.print(
        f"[bold]{votes.n_labelers}[/] labeling functions on [bold]{votes.n_items}[/] rows: "
        f"{len(votes.answers)} votes, coverage {summary['coverage']:.1%} ({applied:.2f} s)"
    )
    print_frame(
        report.reset_index().assign(polarity=report["polarity"].map(str).to_numpy()), title="labeling functions"
    )
    _print_notes(con, summary, votes.classes, report)
    print_wrote(out / n for n in ("labels.csv", "votes.csv", "analysis.csv", "labelers.json", "summary.json"))


def _summary(
    votes: Any, model: Any, labels: pd.DataFrame, abstained: np.ndarray, gold: Any, tie: Any, applied: float
) -> dict[str, Any]:
    """summary.json's counts, classes, settings and (with ``gold``) accuracy of a fitted label model."""
    covered = labels["n_votes"].to_numpy() > 0
    summary = {
        "n_items": votes.n_items,
        "n_labelers": votes.n_labelers,
        "n_votes": len(votes.answers),
        "coverage": float(covered.mean()),
        "classes": [c.item() if hasattr(c, "item") else c for c in votes.classes],
        "class_balance": [float(x) for x in model.class_balance_],
        "tie_break": tie or "seeded draw per tied item",
        "n_abstained": int(abstained.sum()),
        "apply_seconds": round(applied, 3),
        **model_flags.model_settings(model),
        **dependence_fields(model),
    }
    if gold is not None:
        summary.update(_gold_accuracy(gold, labels, covered & ~abstained))
        summary.update(majority_vote_accuracy(votes, gold, covered & ~abstained))
    return summary


def _gold_accuracy(gold: pd.Series, labels: pd.DataFrame, counted: np.ndarray) -> dict[str, Any]:
    """summary.json's accuracy of the labels against ``gold`` on the ``counted`` items that have a gold label."""
    g = gold.reindex(labels.index)
    has = g.notna().to_numpy() & counted
    accuracy = float(np.mean(labels["label"].to_numpy()[has] == g.to_numpy()[has])) if has.any() else None
    return {"accuracy_on_covered_gold": accuracy, "n_covered_gold": int(has.sum())}


@contextmanager
def _held_back(id_column: str | None, gold_column: str | None, text_column: str | None) -> Iterator[None]:
    """A function that reads a column the command keeps from the rows (``row.id`` of --id-column,
    ``row.label`` of --gold-column, ``row.body`` of a --text-column renamed ``text``) fails with an
    AttributeError that listed the fields but not why the column is missing: the error says it."""
    from ..weak.apply import LabelingFunctionError

    why: dict[str, str] = {}
    if text_column not in (None, "text"):
        why[str(text_column)] = f"--text-column {text_column!r} is given to the functions as row.text"
    if gold_column is not None:
        why[gold_column] = f"--gold-column {gold_column!r} is kept from the functions"
    if id_column is not None:
        why[id_column] = f"--id-column {id_column!r} gives the items, not a field of the rows"
    try:
        yield
    except LabelingFunctionError as exc:
        cause = exc.__cause__
        name = getattr(cause, "name", None) if isinstance(cause, AttributeError) else None
        if name not in why:
            raise
        raise LabelingFunctionError(f"{exc}; {why[name]}", row=exc.row, position=exc.position) from cause


def _print_notes(con: Any, summary: dict[str, Any], classes: Any, report: pd.DataFrame) -> None:
    """The lines under the functions' table: the accuracy against gold, classes written two ways,
    functions that never voted (each only when it applies)."""
    if (line := gold_line(summary)) is not None:  # as aggregate's "accuracy vs gold"
        con.print(line)
    alike = look_alike_classes(classes, "the functions' votes")
    if alike is not None:
        con.print(f"notice: {plain(alike)}")
    silent = [str(name) for name, share in report["coverage"].items() if share == 0]
    if silent:  # their estimated accuracy would be the model's prior alone
        con.print(
            f"notice: {len(silent)} labeling function(s) never voted ({plain(', '.join(silent[:10]))}"
            f"{', ...' if len(silent) > 10 else ''}): no estimated accuracy (empty in analysis.csv, null in "
            "labelers.json)"
        )
