"""``labelwise aggregate-boxes``: bounding boxes drawn by several annotators -> one set of boxes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import aggregate as aggregate_api
from .._heavy import pandas as pd
from .._stage_progress import current_stage, stage, stages
from .._validate.labels import look_alike_classes
from ..aggregate._names import BOX_METHOD_NAMES, CONF_TYPES, SKILL_TYPES
from ..errors import InvalidParameterError
from ..io import files_together, write_csv, write_json
from ..io.box_answers import CocoBoxTable, coco_results, read_coco_boxes
from ..io.paths import require_folder
from ._common import console, option_given, plain, print_frame, quiet_option, read_input, renaming, split_csv_option
from ._na_values import na_values_option, na_values_setting
from ._out_folder import out_folder
from ._wrote import print_wrote

if TYPE_CHECKING:
    from ..aggregate.boxes import BoxConsensus, WeightedBoxesFusion

#: The API's parameter names and the options that give them, for the errors' wording.
OPTION_NAMES = {
    "image_col": "--image-column",
    "annotator_col": "--annotator-column",
    "label_col": "--label-column",
    "x_min_col": "--x-min-column",
    "y_min_col": "--y-min-column",
    "x_max_col": "--x-max-column",
    "y_max_col": "--y-max-column",
    "score_col": "--score-column",
    "iou_thr": "--iou",
    "min_votes": "--min-votes",
    "skip_box_thr": "--skip-box-thr",
    "boxes": "BOXES",
    "labeled": "--labeled",
}
#: Options that one method reads and the other does not (refused with the other, as they would be ignored).
METHOD_OPTIONS = {
    "wbf": ("score_column", "conf_type", "skip_box_thr", "allow_overflow"),
    "consensus": ("min_votes", "fuse", "labeled", "skill"),
}
#: The column options, which COCO files (fixed keys) do not read.
COLUMN_OPTIONS = (
    "image_column",
    "annotator_column",
    "label_column",
    "x_min_column",
    "y_min_column",
    "x_max_column",
    "y_max_column",
    "score_column",
)


def _refuse_other_method(method: str) -> None:
    for other, names in METHOD_OPTIONS.items():
        for name in names if other != method else ():
            if option_given(name):
                option = "--" + name.replace("_", "-")
                raise InvalidParameterError(
                    f"{option} is only read by --method {other}, got it with --method {method} (it would be ignored)"
                )


def _read_coco(paths: tuple[Path, ...], annotator_names: str | None) -> CocoBoxTable:
    """BOXES as COCO files (one per annotator), --annotator-names checked against them."""
    for name in COLUMN_OPTIONS:
        if option_given(name):
            option = "--" + name.replace("_", "-")
            raise InvalidParameterError(f"{option} is not read with --coco (COCO files have fixed keys), got {option}")
    names = None
    if annotator_names is not None:
        names = split_csv_option(annotator_names)
        if len(names) != len(paths):
            raise InvalidParameterError(
                f"--annotator-names must give one name per BOXES file ({len(paths)}), got {len(names)}: {annotator_names!r}"
            )
    with renaming({"annotator_names": "--annotator-names"}):
        return read_coco_boxes(list(paths), annotator_names=names, parameter="BOXES")


def summary(est: Any, method: str, boxes: Path | list[Path], settings: dict[str, Any]) -> dict[str, Any]:
    """summary.json: the settings, the sizes of input and output, and how many input boxes were kept."""
    kept = int((est.box_index_ >= 0).sum())
    info = {
        "method": method,
        "boxes": [str(p) for p in boxes] if isinstance(boxes, list) else str(boxes),
        **settings,
        **na_values_setting(),
        "n_input_boxes": int(est.n_input_boxes_),
        "n_images": int(est.n_images_),
        "n_annotators": int(est.n_annotators_),
        "n_boxes": len(est.boxes_),
        "n_input_boxes_in_output": kept,
        "n_images_with_boxes": int(est.boxes_.iloc[:, 0].nunique()),
    }
    if method == "consensus":
        info["n_clusters"] = int(est.n_clusters_)
        info["n_repeated_boxes"] = int(est.n_repeated_boxes_)
    return info


def write_outputs(
    out: Path,
    est: Any,
    info: dict[str, Any],
    superseded: Iterable[Path] = (),
    *,
    coco: bool = False,
    categories: dict[Any, str] | None = None,
) -> None:
    """Write boxes.csv, annotators.csv (consensus), boxes.coco.json (``coco``) and summary.json together,
    replacing ``superseded``; with ``categories`` (COCO id -> name) boxes.csv gets a ``label_name``
    column and summary.json the ``categories`` list. A stage open around the call counts the files."""
    boxes = est.boxes_
    if categories:
        at = list(boxes.columns).index("label") + 1
        boxes = boxes.copy()
        boxes.insert(at, "label_name", boxes["label"].map(categories))
        info = {**info, "categories": [{"id": _plain(i), "name": n} for i, n in categories.items()]}
    writes: list[tuple[Any, Any, str]] = [(write_csv, boxes, "boxes.csv")]
    if coco:
        writes.append((write_json, coco_results(est.boxes_), "boxes.coco.json"))
    if hasattr(est, "annotators_"):
        writes.append((write_csv, est.annotators_.reset_index(), "annotators.csv"))
    writes.append((write_json, info, "summary.json"))
    shown = current_stage()
    if shown is not None:
        shown.add(len(writes))
    with files_together(supersedes=superseded):
        for write, value, name in writes:
            write(value, out / name)
            if shown is not None:
                shown.advance()


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


@click.command("aggregate-boxes")
@click.argument("boxes", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--method",
    type=click.Choice(list(BOX_METHOD_NAMES)),
    default="consensus",
    show_default=True,
    help="consensus: human annotators (one box per annotator in a cluster, median, majority vote); "
    "wbf: weighted boxes fusion of models' boxes (score-weighted mean, confidence rescaled).",
)
@click.option("--image-column", default="image", show_default=True, help="Column of the image.")
@click.option("--annotator-column", default="annotator", show_default=True, help="Column of the annotator (model).")
@click.option("--label-column", default="label", show_default=True, help="Column of the box's class.")
@click.option("--x-min-column", default="x_min", show_default=True, help="Column of the left edge.")
@click.option("--y-min-column", default="y_min", show_default=True, help="Column of the top edge.")
@click.option("--x-max-column", default="x_max", show_default=True, help="Column of the right edge.")
@click.option("--y-max-column", default="y_max", show_default=True, help="Column of the bottom edge.")
@click.option(
    "--score-column", default=None, help="wbf: column of each box's confidence (> 0); without it every box scores 1."
)
@click.option(
    "--iou",
    type=click.FloatRange(min=0, max=1, min_open=True),
    default=None,
    help="IoU at which boxes match [consensus: 0.5, every two boxes of a cluster; wbf: 0.55, above it].",
)
@click.option(
    "--min-votes",
    type=click.IntRange(min=1),
    default=None,
    help="consensus: annotators a box needs [a strict majority of the image's annotators].",
)
@click.option(
    "--fuse",
    type=click.Choice(("median", "mean")),
    default="median",
    show_default=True,
    help="consensus: how a cluster's coordinates are combined.",
)
@click.option(
    "--skill",
    type=click.Choice(SKILL_TYPES),
    default="in-sample",
    show_default=True,
    help="consensus: annotators.csv scores each annotator against the consensus, or (leave-one-out) on each "
    "image against the other annotators' consensus, which its own vote does not enter.",
)
@click.option(
    "--labeled",
    type=click.Path(path_type=Path),
    default=None,
    help="consensus: table of (image, annotator) pairs who looked at each image, drawn boxes or not "
    "[those who drew a box on it].",
)
@click.option(
    "--conf-type",
    type=click.Choice(CONF_TYPES),
    default="avg",
    show_default=True,
    help="wbf: how a fused box is scored (ensemble-boxes' names).",
)
@click.option(
    "--skip-box-thr", type=click.FloatRange(min=0), default=0.0, show_default=True, help="wbf: drop boxes scored below."
)
@click.option("--allow-overflow", is_flag=True, help="wbf, avg: let a fused box's score exceed 1.")
@click.option(
    "--coco",
    is_flag=True,
    help="BOXES are COCO JSON files, one per annotator or model (labels files with 'annotations', or "
    "results lists); also writes boxes.coco.json (a COCO results list).",
)
@click.option(
    "--annotator-names",
    default=None,
    help="--coco: comma-separated names of the BOXES files' annotators, in order [the file names' stems].",
)
@click.option(
    "--images",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of the images the boxes are drawn on (recorded in summary.json: labelwise report draws the "
    "merged boxes on them) [the BOXES files' folder and its images/].",
)
@na_values_option
@out_folder("aggregate-boxes", Path("labelwise-boxes"))
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True, help="Rows to print; 0: none.")
@quiet_option
def aggregate_boxes(
    boxes,
    method,
    image_column,
    annotator_column,
    label_column,
    x_min_column,
    y_min_column,
    x_max_column,
    y_max_column,
    score_column,
    iou,
    min_votes,
    fuse,
    skill,
    labeled,
    conf_type,
    skip_box_thr,
    allow_overflow,
    coco,
    annotator_names,
    images,
    out,
    top,
    quiet,
    superseded,
):
    """Merge the boxes of BOXES (one row per box: image, annotator, x_min, y_min, x_max, y_max, label).

    Writes boxes.csv (image, label, coordinates, score, votes, n_boxes: one row per merged box),
    annotators.csv (consensus: each annotator's precision, recall and mean IoU against the
    consensus) and summary.json to --out. With --coco, BOXES are COCO JSON files (one per
    annotator or model; label = category_id) and boxes.coco.json holds the merged boxes.

    \b
    Example:
      labelwise aggregate-boxes boxes.csv --out merged
      labelwise aggregate-boxes detections.csv --method wbf --score-column score --out fused
      labelwise aggregate-boxes model_a.json model_b.json model_c.json --coco --method wbf --out fused
    """
    _refuse_other_method(method)
    images_root = None if images is None else require_folder(images, parameter="--images", kind="images folder")
    with stages(False if quiet else None):  # a bar per stage on a terminal's stderr; none with --quiet
        ids = [image_column, annotator_column, label_column]
        reading = f"reading {len(boxes)} COCO file{'s' if len(boxes) != 1 else ''}" if coco else "reading BOXES"
        with stage(reading, total=len(boxes) if coco else 1, count_tasks=False):
            table, read = _read_boxes(boxes, coco, annotator_names, labeled, ids)
        if read is not None:
            score_column = "score" if read.has_scores and method == "wbf" else None
        columns = {
            "image_col": image_column,
            "annotator_col": annotator_column,
            "label_col": label_column,
            "coord_cols": (x_min_column, y_min_column, x_max_column, y_max_column),
        }
        settings: dict[str, Any] = {"columns": {**columns, "score_col": score_column}}
        est: WeightedBoxesFusion | BoxConsensus
        merging = stage(f"merging boxes ({method})", total=1, count_tasks=False)
        lines = _lines(None if coco else Path(boxes[0]))
        if method == "wbf":
            fusion = aggregate_api.WeightedBoxesFusion(
                iou_thr=0.55 if iou is None else iou,
                skip_box_thr=skip_box_thr,
                conf_type=conf_type,
                allow_overflow=allow_overflow,
                score_col=score_column,
                **columns,
            )
            settings |= {"iou": fusion.iou_thr, "conf_type": conf_type, "skip_box_thr": skip_box_thr}
            settings["allow_overflow"] = allow_overflow
            with lines, renaming(OPTION_NAMES, within=("boxes",)), merging:
                est = fusion.fit(table)
        else:
            pairs = _labeled_pairs(read, labeled, ids)
            consensus = aggregate_api.BoxConsensus(
                iou_thr=0.5 if iou is None else iou, min_votes=min_votes, fuse=fuse, skill=skill, **columns
            )
            settings |= {"iou": consensus.iou_thr, "min_votes": min_votes, "fuse": fuse, "skill": skill}
            settings["labeled"] = None if labeled is None else str(labeled)
            with lines, renaming(OPTION_NAMES, within=("boxes",)), merging:
                est = consensus.fit(table, labeled=pairs)
        out = Path(out)
        settings |= _sources(coco, images_root, annotator_names)
        given = list(boxes) if coco else Path(boxes[0])
        categories = read.categories if read is not None else None
        with stage("writing boxes.csv and more", count_tasks=False):
            write_outputs(out, est, summary(est, method, given, settings), superseded, coco=coco, categories=categories)
    if not quiet:  # after the bars close: the report alone on stdout
        _print(est, method, out, top, coco, categories, pd.unique(table[label_column]))


def _lines(table: Path | None) -> Any:
    """Errors of the fit that name a row of BOXES' ``table`` (a CSV/TSV) name its line too."""
    from ._row_lines import naming_lines

    return naming_lines(table, "BOXES")


def _labeled_pairs(read: CocoBoxTable | None, labeled: Path | None, ids: list[str]) -> pd.DataFrame | None:
    """The (image, annotator) pairs that were labeled: each COCO file's images (its annotator looked at
    them, boxes drawn or not), or --labeled's table; None when neither says."""
    if read is not None:
        return read.images.loc[:, ["image", "annotator"]] if len(read.images) else None
    if labeled is not None:
        return read_input(labeled, "--labeled", kind="table of (image, annotator) pairs", text_columns=ids[:2])
    return None


def _sources(coco: bool, images: Path | None, annotator_names: str | None) -> dict[str, Any]:
    """summary.json's record of where the boxes and images came from: --coco, --images (resolved) and,
    for COCO files, --annotator-names (so the report names each file's annotator as the run did)."""
    info: dict[str, Any] = {"coco": coco, "images": None if images is None else str(images.resolve())}
    if coco:
        info["annotator_names"] = None if annotator_names is None else split_csv_option(annotator_names)
    return info


def _read_boxes(
    boxes: tuple[Path, ...], coco: bool, annotator_names: str | None, labeled: Path | None, ids: list[str]
) -> tuple[pd.DataFrame, CocoBoxTable | None]:
    """BOXES as a table (one file) or COCO files (--coco), and what the COCO files held."""
    if annotator_names is not None and not coco:
        raise InvalidParameterError("--annotator-names names the files of --coco, got it without --coco")
    if coco and labeled is not None:
        raise InvalidParameterError(
            "--labeled is not read with --coco (each COCO file's 'images' are the images its annotator labeled), got it"
        )
    if coco:
        read = _read_coco(boxes, annotator_names)
        return (read.boxes if read.has_scores else read.boxes.drop(columns="score")), read
    if len(boxes) > 1:
        raise InvalidParameterError(
            f"BOXES must be one table (or, with --coco, one COCO file per annotator), got {len(boxes)} files"
        )
    table = read_input(boxes[0], "BOXES", kind="box table", text_columns=lambda names: [c for c in ids if c in names])
    return table, None


def _print(
    est: Any, method: str, out: Path, top: int, coco: bool, categories: dict[Any, str] | None, labels: Any
) -> None:
    """The merged boxes, the least precise annotators, a notice for labels written alike, the files."""
    if top:
        shown = est.boxes_.sort_values("score", ascending=False, kind="stable").head(top)
        if categories:
            shown = shown.assign(label=shown["label"].map(lambda c: f"{c} {categories[c]}" if c in categories else c))
        print_frame(shown, title=f"{method}: {len(est.boxes_)} boxes from {est.n_input_boxes_} drawn")
    if top and method == "consensus":
        print_frame(_worst(est.annotators_).head(top), title="Annotators, least precise first")
    alike = look_alike_classes(labels, "BOXES' labels")  # 'car ' beside 'car': two classes, never merged
    if alike is not None:
        console().print(f"notice: {plain(alike)}")
    extra = (["annotators.csv"] if method == "consensus" else []) + (["boxes.coco.json"] if coco else [])
    print_wrote(out / n for n in ("boxes.csv", *extra, "summary.json"))


def _worst(skill: pd.DataFrame) -> pd.DataFrame:
    return skill.sort_values(["precision", "recall"], na_position="last", kind="stable").reset_index()
