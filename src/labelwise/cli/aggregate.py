"""``labelwise aggregate``: many annotators' answers -> one training label per item."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from .. import aggregate as aggregate_api
from .._heavy import pandas as pd
from .._validate.arguments import show
from .._validate.labels import look_alike_classes
from ..errors import InvalidLabelsError, InvalidParameterError
from ..io import files_together, write_csv, write_json
from ..io.paths import require_file
from . import _aggregate_outputs
from ._aggregate_active import (
    NEXT_FILE,
    check_next,
    load_models,
    next_summary,
    next_to_label,
    paths_setting,
    print_next,
)
from ._aggregate_answers import answer_forms, check_reading, reading_said, unsure_answers
from ._aggregate_demo import GOLD_METHOD, demo_gold_params, run_demo
from ._aggregate_options import aggregate_options, refuse_demo_inputs
from ._aggregate_outputs import (
    annotators_frame,
    annotators_json,
    auto_line,
    dependence_line,
    finite,
    gold_accuracy,
    gold_labels_for,
    input_record,
    kos_order,
    labels_frame,
)
from ._aggregate_params import DEFAULT_METHOD as DEFAULT_METHOD  # re-exported: tests and benchmarks import it here
from ._aggregate_params import (
    PROBS_METHOD,
    build_method,
    default_method,
    method_params,
    param_names,
    probs_column_notice,
    run_method,
    with_shared_confusion,
)
from ._aggregate_read import read_answers
from ._aggregate_scale import aggregate_at_scale
from ._common import (
    coerce_like,
    console,
    option_given,
    plain,
    print_frame,
    renaming,
    split_csv_option,
)
from ._look_alike import say_notice
from ._na_values import na_values_setting
from ._out_folder import AGGREGATE_DEMO_FILES
from ._wrote import print_wrote

# ------------------------------------------------------------------------------------ inputs


def auto_summary(est: Any) -> dict[str, Any] | None:
    """``method="auto"``: the chosen method and each candidate's held-out log-likelihood per answer."""
    if not hasattr(est, "chosen_"):
        return None
    return {
        "chosen": est.chosen_,
        "scores": {str(k): finite(round(float(v), 6)) for k, v in est.scores_.items()},
        "n_scored": int(est.n_scored_),
    }


def write_outputs(
    out: Path,
    est: Any,
    method: str,
    answers: pd.DataFrame,
    summary: dict[str, Any],
    superseded: Iterable[Path] = (),
    tables: dict[str, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write labels.csv, annotators.csv, annotators.json, summary.json and ``tables`` (more CSVs by file
    name) atomically, replacing ``superseded``."""
    lab = labels_frame(est, answers)
    ann = annotators_frame(est, answers)
    # this run's --demo wrote its files before this block: they are not left-overs
    with files_together(supersedes=[p for p in superseded if p.name not in AGGREGATE_DEMO_FILES]):
        write_csv(lab, out / "labels.csv")
        write_csv(ann, out / "annotators.csv")
        for name, table in (tables or {}).items():
            write_csv(table, out / name)
        write_json(annotators_json(est, method, ann), out / "annotators.json")
        write_json(
            {k: finite(v) if not isinstance(v, (dict, list)) else v for k, v in summary.items()}, out / "summary.json"
        )
    return lab, ann


# ------------------------------------------------------------------------------------ command


@click.command()
@aggregate_options
def aggregate(
    path,
    fmt,
    method,
    params,
    gold,
    probs_path,
    unsure,
    unsure_policy,
    duplicates,
    normalize_answers,
    parse_answers,
    unparsed,
    declared,
    item_column,
    annotator_column,
    label_column,
    out,
    random_state,
    top,
    demo,
    demo_items,
    superseded,
    scheduler=None,
    shared_confusion=None,
    quiet=False,
    next_n=None,
    unlabeled_path=None,
    next_temperature=None,
):
    """Turn several annotators' answers in PATH into one label per item.

    PATH is a long table (item, annotator, label as CSV, Parquet or JSON Lines), a Label Studio
    JSON / JSON_MIN export, an MTurk batch results CSV, a Prodigy db-out JSONL file, or a votes
    file of repeated model samples (item, sample or prompt / model, answer; --format votes, with
    --method majority-vote for self-consistency). Writes labels.csv, annotators.csv,
    annotators.json and summary.json to --out.
    """
    out = Path(out)
    con = console()
    if unsure is None and option_given("unsure_policy"):  # it was silently a no-op
        raise InvalidParameterError(f"--unsure-policy {unsure_policy} needs --unsure (the label value meaning unsure)")
    if demo:
        refuse_demo_inputs()
    method, method_notice = method, None
    if method is None:  # a notice about the file is said once it has been read: an error about it comes alone
        method, method_notice = default_method(None if demo else path, fmt, annotator_column, bool(probs_path))
    if method == PROBS_METHOD and not probs_path and not demo:
        raise InvalidParameterError(
            f"--method {PROBS_METHOD} needs --probs: a model's predicted probabilities of every item "
            "(a .npy of shape (n_items, K), rows in sorted item order, or a table with an 'item' column "
            "and one column per class)"
        )
    check_next(next_n, unlabeled_path, method, bool(probs_path) or demo, next_temperature, len(probs_path))
    extra = with_shared_confusion(method, method_params(method, params), shared_confusion)
    if gold is not None and not demo:  # checked before the fit; gold_accuracy reads it after
        require_file(gold, parameter="--gold", kind="table of true labels")
    if method == GOLD_METHOD and gold is None and not demo:
        raise InvalidParameterError(
            f"--method {GOLD_METHOD} needs --gold: a table of true labels (item, label) for some items, "
            "by which each annotator's answers are weighted"
        )
    demo_table, forms_notice = None, None
    if not demo:
        check_reading(normalize_answers, parse_answers, unparsed, path, scheduler)
    # the estimator's errors about a --param value, and its warnings (``raise max_iter``)
    param_words = {name: f"--param {name}" for name in param_names(method)}
    code_words = [name for name in param_words if "_" in name or name in ("tol", "eps")]  # not English words
    with renaming(param_words, within=code_words):
        scaled = not demo and aggregate_at_scale(
            path,
            build_method(method, duplicates=duplicates, labels=None, random_state=random_state),
            spec=scheduler,
            out=out,
            quiet=quiet,
            superseded=superseded,
        )
    if scaled:
        return
    if demo:
        if path is not None:
            raise InvalidParameterError("--demo simulates its own answers; do not pass PATH with --demo")
        sim, demo_table, _, probs = run_demo(out, method, random_state, duplicates, demo_items)
        answers = sim.answers
        read_info = {
            "format": "simulated",
            "source": str(out / "answers.csv"),
            "n_records": len(answers),
            "n_answers": len(answers),
            "n_cancelled": 0,
            "n_dropped": 0,
            "dropped": {},
        }
        gold = out / "gold.csv"
        if method != PROBS_METHOD:
            probs = None
    else:
        if path is None:
            raise InvalidParameterError("PATH is required (an annotation export), or use --demo")
        read = read_answers(path, fmt, item_column, annotator_column, label_column)
        say_notice(method_notice)
        answers, forms_notice, reading = answer_forms(read.answers, normalize_answers, parse_answers, unparsed)
        read_info = {**read.summary(), **reading}
        probs = load_models(probs_path, "--probs")  # a .npy: rows in sorted item order; several: a list

    unsure_info = None
    if unsure is not None:
        value = coerce_like(unsure, answers["label"])
        result = unsure_answers(answers, value, unsure_policy, unsure)
        unsure_info = result.summary()
        if not result.n_unsure:  # a typo or a value of another type: nothing was handled, say so
            seen = sorted(map(str, pd.unique(answers["label"])))
            unsure_info["notice"] = f"no answer has the --unsure value {unsure!r}; the labels are {seen[:10]}" + (
                f" (10 of {len(seen)})" if len(seen) > 10 else ""
            )
        answers = result.answers
    labels = None
    if declared:
        labels = [coerce_like(v, answers["label"]) for v in split_csv_option(declared)]
        outside = ~answers["label"].isin(labels)
        if outside.any():
            raise InvalidLabelsError(
                f"--classes (--labels) must list every label of the answers: answer row {int(outside.argmax())} is "
                f"{show(answers['label'][outside].iloc[0])}, not one of the declared labels {labels} "
                f"({int(outside.sum())} answer(s) outside the label set)"
            )

    fit_params = extra  # --gold weighs gold-majority-vote's annotators (and is still the accuracy's reference)
    if method == GOLD_METHOD:
        gold_params = demo_gold_params(sim.true_labels) if demo else {"gold": gold_labels_for(Path(gold), answers)}
        fit_params = {**gold_params, **extra}
    est = build_method(method, duplicates=duplicates, labels=labels, random_state=random_state, params=fit_params)
    if probs is not None and not getattr(est, "_uses_probs", False):
        raise InvalidParameterError(f"--probs is only used by --method {PROBS_METHOD}, got --method {method}")
    with renaming({"probs": "--probs", **param_words}, within=code_words):  # and about the --probs table
        est, seconds = run_method(est, answers, probs)
    probs_notice = probs_column_notice(probs[0] if isinstance(probs, list) else probs, est.classes_)
    if duplicates == "last":  # agreement on the answers the method used
        answers = answers.drop_duplicates(["item", "annotator"], keep="last").reset_index(drop=True)
    agree = aggregate_api.agreement(answers, labels=labels)
    summary: dict[str, Any] = {
        **_aggregate_outputs.fit_summary(est, method),
        "auto": auto_summary(est),
        "seconds": round(seconds, 4),
        **_aggregate_outputs.size_summary(est),
        "krippendorff_alpha": finite(agree.krippendorff_alpha),
        "fleiss_kappa": finite(agree.fleiss_kappa),
        "n_single_answer_items": int((est.n_answers_per_item_ < 2).sum()),
        "duplicates": {
            "policy": duplicates,
            "n_duplicates": int(est.n_duplicates_),
            "n_dropped": int(est.n_duplicates_dropped_),
        },
        "read": read_info,
        "n_cancelled": int(read_info["n_cancelled"]),
        "n_dropped": int(read_info["n_dropped"]),
        "unsure": unsure_info,
        "gold": gold_accuracy(Path(gold), est.labels_, est.classes_) if gold is not None else None,
        "input": None if demo else input_record(path, read_info["format"], item_column, annotator_column, label_column),
        "settings": {
            "path": str(path) if path is not None else None,
            "format": fmt,
            **na_values_setting(),
            "probs": paths_setting(probs_path),
            "labels": labels,
            **{"normalize_answers": bool(normalize_answers), "parse_answers": parse_answers, "unparsed": unparsed},
            "params": extra,
            "random_state": random_state,
            "demo": bool(demo),
        },
    }
    if demo_table is not None:
        summary["demo"] = [{k: finite(v) for k, v in row.items()} for row in demo_table.to_dict(orient="records")]
    tables = {}
    if next_n is not None:
        tables[NEXT_FILE], scores = next_to_label(est, answers, probs, unlabeled_path, next_n, next_temperature)
        summary["next"] = next_summary(scores, tables[NEXT_FILE], unlabeled_path, est.labels_)
    lab, ann = write_outputs(out, est, method, answers, summary, superseded, tables)

    con.print(
        f"[bold]{summary['n_items']}[/] items, [bold]{summary['n_answers']}[/] answers from "
        f"[bold]{summary['n_annotators']}[/] annotators ({read_info['format']}"
        + (f"; {read_info['n_dropped']} dropped: {read_info['dropped']}" if read_info["n_dropped"] else "")
        + reading_said(read_info, normalize_answers)
        + ")"
    )
    if read_info.get("n_items_without_answers"):
        say_notice(
            f"{read_info['n_items_without_answers']} item(s) of PATH had only dropped answers and have no label in "
            f"labels.csv: {', '.join(read_info['items_without_answers'][:10])} (summary.json read.items_without_answers)"
        )
    alpha, kappa = summary["krippendorff_alpha"], summary["fleiss_kappa"]
    con.print(
        f"agreement: Krippendorff's alpha {'n/a' if alpha is None else f'{alpha:.3f}'}, "
        f"Fleiss' kappa {'n/a' if kappa is None else f'{kappa:.3f}'}; "
        f"{summary['duplicates']['n_duplicates']} duplicate answer(s)"
    )
    con.print(
        f"method [bold]{method}[/]: {summary['iterations']} iteration(s), "
        f"{'converged' if summary['converged'] else 'not converged'}, {seconds:.3f} s"
        + (f"; fell back to {summary['fallback']} (EM relabelled the classes)" if summary["fallback"] else "")
    )
    if (dependence := dependence_line(summary)) is not None:
        con.print(plain(dependence))
    alike = look_alike_classes(est.classes_, "the answers")
    for notice in (probs_notice, alike, forms_notice, kos_order(est, method, labels)):
        if notice is not None:
            con.print(f"notice: {plain(notice)}")
    if summary["auto"] is not None:
        con.print(auto_line(summary["auto"], est))
    if unsure_info is not None:
        con.print(f"unsure answers: {unsure_info['n_unsure']} handled by policy {unsure_info['policy']!r}")
        if "notice" in unsure_info:
            con.print(f"notice: {plain(unsure_info['notice'])}")
    if summary["gold"] is not None:
        g = summary["gold"]
        con.print(f"accuracy vs gold: [bold]{g['accuracy']:.4f}[/] on {g['n_matched']} of {g['n_gold']} gold items")
    if demo_table is not None:
        print_frame(demo_table, title="Demo: recovery of true labels and annotator accuracy per method")
        con.print(
            "accuracy = share of items whose aggregated label is the true label; skill_mae / skill_corr = "
            "mean absolute error and correlation of each annotator's estimated accuracy vs their true one "
            "(the share of their simulated answers that are correct)"
        )
    if top:
        print_frame(
            ann.sort_values("accuracy", kind="stable").head(top), title="Annotators (lowest estimated accuracy first)"
        )
        cols = ["item", "label", "confidence", "n_answers", "agreement"]
        # a decision method (KOS) gives every item confidence 1: its ties go by the answers' agreement
        least = lab.sort_values(["confidence", "agreement"], kind="stable")
        print_frame(least[cols].head(top), title="Least certain items")
    if next_n is not None:
        print_next(tables[NEXT_FILE], top, summary["next"])
    written = ("labels.csv", "annotators.csv", "annotators.json", "summary.json", *tables)
    print_wrote(out / name for name in written + (AGGREGATE_DEMO_FILES if demo else ()))
