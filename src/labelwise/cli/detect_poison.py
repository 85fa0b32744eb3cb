"""``labelwise detect-poison``: flag training rows whose representation looks poisoned (a backdoor's),
whose addition to a trusted base lowers a model's accuracy (RONI), or whose data source's removal
raises it (provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import numpy as np

from .._heavy import pandas as pd
from ..errors import InvalidParameterError, MissingColumnError
from ..io import files_together, write_csv, write_json
from ..poison._names import ANALYSES, CENTERS, ORDERS, REDUCTIONS
from ._column_hint import column_hint
from ._common import (
    SEED,
    check_unique_ids,
    console,
    finite,
    option_given,
    print_frame,
    quiet_option,
    read_input,
    renaming,
)
from ._detect_poison_features import data_features, unread_columns, unread_notice
from ._detect_poison_runs import model_of, run_provenance, run_roni
from ._detect_poison_sources import unjudged_sources_note
from ._look_alike import label_look_alike, say_notice
from ._na_values import na_values_option
from ._out_folder import out_folder
from ._wrote import wrote_text

DETECTORS = ("spectral-signatures", "activation-clustering", "roni", "provenance")
_REDUCE_HELP = (
    "activation-clustering: before 2-means, ica (the paper's: top principal components whitened) or pca (ART's)."
)
_ANALYSIS_HELP = (
    "activation-clustering: the poisoned cluster: relative-size (the smaller under --size-threshold of its class), "
    "silhouette (the same where the split is real), smaller (always; ART's default), distance or distance-reduced "
    "(nearer another class's centre; ART's distance analysis)."
)
#: The models of RONI, provenance and reclassification: a fresh scikit-learn classifier per fit (``--model``).
RONI_MODELS = ("logistic", "svc")
#: The options each detector reads; one given with another detector is refused (it would be ignored).
DETECTOR_OPTIONS = {
    "spectral-signatures": ("eps", "block_size"),
    "activation-clustering": (
        "block_size",
        "n_components",
        "reduce",
        "analysis",
        "size_threshold",
        "reclassify",
        "reclassify_threshold",
        "model",
    ),
    "roni": ("trusted", "model", "n_base", "n_calibration", "k", "center", "draws"),
    "provenance": ("source_column", "trusted", "model", "threshold", "order"),
}


@click.command("detect-poison")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--label", required=True, help="Name of the label column (the labels the model was trained on).")
@click.option(
    "--id-column",
    default=None,
    help="Column of row ids, written to flags.csv and never read as a feature (default: the row number).",
)
@click.option(
    "--features",
    "features_path",
    type=click.Path(path_type=Path),
    default=None,
    help="A .npy of each row's representation (penultimate-layer activations, an embedding), one row "
    "per row of DATA; default: DATA's numeric columns other than --label.",
)
@na_values_option
@click.option(
    "--detector", type=click.Choice(DETECTORS), default=DETECTORS[0], show_default=True, help="Which (see above)."
)
@click.option(
    "--eps",
    type=click.FloatRange(0, 0.5, min_open=True, max_open=True),
    default=0.1,
    show_default=True,
    help="spectral-signatures: the expected share of poisoned rows in a poisoned class; 1.5 x eps of each "
    "class is flagged.",
)
@click.option(
    "--n-components",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="activation-clustering: dimensions kept before 2-means (all of them with fewer features; summary.json "
    "records the number used).",
)
@click.option(
    "--block-size",
    type=click.IntRange(min=1),
    default=None,
    help="spectral-signatures, activation-clustering: rows of --features read per block (default: about 4 "
    "million values per block); the flags do not depend on it. summary.json records the rows used.",
)
@click.option("--reduce", type=click.Choice(REDUCTIONS), default="ica", show_default=True, help=_REDUCE_HELP)
@click.option(
    "--analysis", type=click.Choice(ANALYSES), default="relative-size", show_default=True, help=_ANALYSIS_HELP
)
@click.option(
    "--size-threshold",
    type=click.FloatRange(0, 0.5, min_open=True),
    default=0.35,
    show_default=True,
    help="activation-clustering: a smaller cluster holding less than this share of its class is poisoned.",
)
@click.option(
    "--trusted",
    type=click.Path(path_type=Path),
    default=None,
    help="roni (required), provenance (optional): a table of trusted rows, with the --label column and DATA's "
    "feature columns; roni cuts it into the base, calibration rows and quiz set, provenance evaluates on it "
    "(without it, on a fifth of each source's rows held out).",
)
@click.option(
    "--model",
    type=click.Choice(RONI_MODELS),
    default="logistic",
    show_default=True,
    help="roni, provenance and --reclassify: the classifier refitted (logistic regression, or an RBF SVC with C=10).",
)
@click.option(
    "--reclassify",
    is_flag=True,
    help="activation-clustering: exclusionary reclassification: refit --model on the unflagged rows (on "
    "DATA's numeric columns) and unflag a cluster it predicts mostly as its label.",
)
@click.option(
    "--reclassify-threshold",
    type=click.FloatRange(0, min_open=True),
    default=1.0,
    show_default=True,
    help="activation-clustering --reclassify: a cluster is legitimate when its rows predicted as their label "
    "outnumber those of the most frequent other class by more than this factor.",
)
@click.option(
    "--source-column",
    default=None,
    help="provenance (required): the column naming each row's data source (device, vendor, annotator, "
    "batch); never read as a feature.",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.0,
    show_default=True,
    help="provenance: a source is poisoned when removing it raises the model's accuracy by more than this.",
)
@click.option(
    "--order",
    type=click.Choice(ORDERS),
    default="sequential",
    show_default=True,
    help="provenance: sequential removes a poisoned source before judging the next (sorted names); "
    "independent judges each against all rows.",
)
@click.option(
    "--n-base",
    type=click.IntRange(min=2),
    default=None,
    help="roni: trusted rows in the base (default: a third of --trusted, at least 2).",
)
@click.option(
    "--n-calibration",
    type=click.IntRange(min=2),
    default=None,
    help="roni: trusted rows whose impact calibrates the threshold (default: a third of --trusted).",
)
@click.option(
    "--k",
    type=click.FloatRange(min=0),
    default=3.0,
    show_default=True,
    help="roni: flag rows whose impact is below the calibration's centre minus k standard deviations.",
)
@click.option(
    "--center", type=click.Choice(CENTERS), default="mean", show_default=True, help="roni: the centre --k counts from."
)
@click.option(
    "--draws",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="roni: draws of base and quiz rows to average each row's impact over (the calibration rows stay; "
    "1 is n times faster).",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Rows of the printed table: classes (those with the most flagged rows first when there are more; all in "
    "classes.csv), or sources for provenance (the highest removal effect first; all in sources.csv); 0: none.",
)
@click.option(
    "--random-state",
    type=SEED,
    default=0,
    show_default=True,
    help="Seeds every draw: roni's base, calibration and quiz rows, provenance's held-out rows (without "
    "--trusted), activation-clustering's silhouette sample (--analysis silhouette).",
)
@quiet_option
@out_folder("detect-poison", Path("labelwise-poison"))
def detect_poison(
    data,
    label,
    id_column,
    features_path,
    detector,
    eps,
    n_components,
    block_size,
    reduce,
    analysis,
    size_threshold,
    trusted,
    model,
    n_base,
    n_calibration,
    k,
    center,
    reclassify,
    reclassify_threshold,
    source_column,
    threshold,
    order,
    top,
    random_state,
    quiet,
    out,
    superseded,
    draws=5,
):
    """Flag the rows of DATA whose representation looks poisoned, class by class.

    spectral-signatures (Tran et al. 2018) flags the rows farthest along their class's top singular
    direction; activation-clustering (Chen et al. 2019) splits each class in two and flags a
    cluster that is too small; roni (Nelson et al. 2008) needs no representation: it refits a model
    on a trusted base plus each row and flags the rows that lower its accuracy on trusted quiz rows
    (DATA's numeric columns are the model's inputs; --trusted is required); provenance (Baracaldo et al.
    2017) refits a model without each --source-column source and flags the sources whose removal raises
    its accuracy by more than --threshold. Writes flags.csv (one row per row of DATA, flagged first,
    then by score), classes.csv (one row per class), sources.csv (provenance: one row per source) and
    summary.json to --out, and prints the classes (the sources for provenance).
    """
    from ..poison import activation_clustering, spectral_signatures

    for name in sorted({n for names in DETECTOR_OPTIONS.values() for n in names} - set(DETECTOR_OPTIONS[detector])):
        if option_given(name):
            option = "--" + name.replace("_", "-")
            readers = " or ".join(d for d, names in DETECTOR_OPTIONS.items() if name in names)
            raise InvalidParameterError(
                f"{option} is only read by --detector {readers}, got it with --detector {detector} (it would be ignored)"
            )
    if detector == "provenance" and (source_column is None or features_path is not None):
        raise InvalidParameterError(
            "--detector provenance needs --source-column (each row's data source) and reads DATA's numeric "
            "columns, got "
            + ("no --source-column" if source_column is None else "--features (a representation it does not read)")
        )
    if reclassify_threshold != 1.0 and not reclassify:
        raise InvalidParameterError(
            f"--reclassify-threshold is only read with --reclassify, got {reclassify_threshold} without it"
        )
    if detector == "roni" and (trusted is None or features_path is not None):
        raise InvalidParameterError(
            "--detector roni needs --trusted (a table of trusted rows) and reads DATA's numeric columns, got "
            + ("no --trusted" if trusted is None else "--features (a representation RONI does not read)")
        )
    if option_given("model") and detector == "activation-clustering" and not reclassify:
        raise InvalidParameterError("--model is only read with --reclassify for activation-clustering, got it without")
    for option, column in (("--id-column", id_column), ("--source-column", source_column)):
        if column is not None and column == label:
            raise InvalidParameterError(f"{option} must name another column than --label, got {column!r} for both")
    texts = [c for c in (label, id_column, source_column) if c is not None]
    frame = read_input(data, "DATA", text_columns=texts)
    for option, column in (("--label", label), ("--id-column", id_column), ("--source-column", source_column)):
        if column is not None and column not in frame.columns:
            raise MissingColumnError(
                f"{option} column {column!r} is not in the data{column_hint(column, frame.columns)}; "
                f"columns are {list(frame.columns)}"
            )
    if id_column is not None:
        check_unique_ids(frame[id_column])
    features, columns = data_features(frame, label, features_path, id_column, source_column)
    reads_data = columns is not None or reclassify
    unread = unread_columns(frame, label, id_column, source_column) if reads_data else {}
    labels = frame[label].to_numpy()
    say_notice(label_look_alike(frame[label], label))
    say_notice(unread_notice(unread))
    with renaming(
        {"labels": "--label", "labels:": "--label:", "features": "--features" if columns is None else "DATA features"}
    ):
        if detector == "roni":
            found = run_roni(
                frame,
                label,
                features,
                columns,
                trusted,
                model,
                n_base,
                n_calibration,
                k,
                center,
                draws,
                random_state=random_state,
            )
        elif detector == "provenance":
            found = run_provenance(
                frame,
                label,
                features,
                columns,
                source_column,
                trusted,
                model,
                threshold,
                order,
                random_state=random_state,
                quiet=quiet,
            )
        elif detector == "spectral-signatures":
            found = spectral_signatures(features, labels, eps=eps, block_size=block_size)
        else:
            found = activation_clustering(
                features,
                labels,
                n_components=n_components,
                reduce=reduce,
                analysis=analysis,
                size_threshold=size_threshold,
                estimator=model_of(model) if reclassify else None,
                X=_data_columns(frame, label, id_column) if reclassify and columns is None else None,
                reclassify_threshold=reclassify_threshold,
                random_state=random_state,
                block_size=block_size,
            )
    out = Path(out)
    flags = found.to_frame().reset_index()
    if id_column is not None:
        flags.insert(1, "id", frame[id_column].to_numpy()[flags["row"].to_numpy()])
    with files_together(supersedes=superseded):
        write_csv(flags, out / "flags.csv")
        write_csv(found.per_class, out / "classes.csv")
        if found.per_source is not None:
            write_csv(found.per_source, out / "sources.csv")
        write_json(
            {
                "data": str(Path(data).resolve()),
                "label": label,
                "id_column": id_column,
                "source_column": source_column,
                "features": str(Path(features_path).resolve()) if columns is None else "DATA columns",
                "feature_columns": columns,
                "unread_columns": list(unread) if reads_data else None,
                "detector": detector,
                "random_state": random_state,
                "block_size": _block_rows(detector, features, block_size),
                "params": found.params,
                "n_rows": int(len(frame)),
                "n_flagged": found.n_flagged,
                "classes": [
                    {k: finite(v) for k, v in row.items()} for row in found.per_class.to_dict(orient="records")
                ],
            },
            out / "summary.json",
        )
    if not quiet:
        _print(found, detector, columns, top, len(frame), out)


def _block_rows(detector: str, features: Any, block_size: int | None) -> int | None:
    """The rows per block the representation detectors read (--block-size, or their default); None
    for roni and provenance (they read no blocks)."""
    if detector not in ("spectral-signatures", "activation-clustering"):
        return None
    from .._chunks import RowChunks

    if block_size is not None:
        return min(int(block_size), int(features.shape[0]))  # a block larger than the data reads it all
    return RowChunks.for_arrays(features).bounds[0][1]


def _data_columns(frame: pd.DataFrame, label: str, id_column: str | None) -> np.ndarray:
    """DATA's numeric columns (the model's inputs when --features gives the representation)."""
    return data_features(frame, label, None, id_column)[0]  # type: ignore[return-value]


def _print(found: Any, detector: str, columns: list[str] | None, top: int, n_rows: int, out: Path) -> None:
    """The feature columns used, the class table (``top`` classes) and what was written."""
    if columns is not None:
        shown = ", ".join(columns[:8]) + (f" and {len(columns) - 8} more" if len(columns) > 8 else "")
        console().print(f"features: {len(columns)} numeric column(s) of DATA ({shown})")
    if found.per_source is not None:
        sources = found.per_source
        if len(sources) > top:
            sources = sources.sort_values("effect", ascending=False, kind="stable").head(top)
        if top:
            print_frame(sources, title=f"{detector}: removal effect of each source", float_format="{:.3f}")
        if note := unjudged_sources_note(found.per_source):
            console().print(note)
        console().print(
            f"flagged {int(found.per_source['flagged'].sum())} of {len(found.per_source)} sources "
            f"({found.n_flagged} of {n_rows} rows); "
            + wrote_text(out / n for n in ("flags.csv", "sources.csv", "classes.csv", "summary.json"))
        )
        return
    classes = found.per_class
    title = f"{detector}: rows flagged by class"
    if len(classes) > top:
        classes = classes.sort_values("flagged", ascending=False, kind="stable").head(top)
        title += f" ({top} of {len(found.per_class)} classes, most flagged first; all in classes.csv)"
    if top:
        print_frame(classes, title=title, float_format="{:.3f}")
    console().print(
        f"flagged {found.n_flagged} of {n_rows} rows; "
        + wrote_text(out / n for n in ("flags.csv", "classes.csv", "summary.json"))
    )
