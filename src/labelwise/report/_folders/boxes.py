"""``labelwise aggregate-boxes`` in the report: the merged boxes, the least supported ones, each annotator's F1.

Reads ``boxes.csv`` (image, label, the four coordinates, score, votes, n_boxes: one row per merged
box; the columns carry the input's names, in that order), ``annotators.csv`` (consensus: each
annotator's precision, recall, F1 and mean IoU against the consensus) and ``summary.json``. A merged
box's ``score`` is the share of the image's annotators that drew it (consensus) or its fused
confidence (wbf): the lowest scores are the boxes the annotators agreed on least. Each image is
drawn on its file when it can be found (:mod:`._box_images`), else on a grey canvas. A folder
without ``annotators.csv`` (wbf) scores each annotator here: its boxes, read from the input the run
read, matched one to one with the fused boxes a strict majority of the models found, as
``annotators.csv`` matches them with the consensus.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...errors import DataFileError, LabelwiseError
from ...io.tables import read_table
from .._annotators import Quality, annotator_section, unscored_section
from .._tasks._common import section
from ._box_images import images
from ._common import MAX_DRAWINGS, Folder, FolderView, contested, count, histogram, input_table, none_contested

#: How consensus' annotators.csv ranks the annotators.
#: The input's columns once renamed (as the API's defaults).
_STANDARD = ("image", "annotator", "label", "x_min", "y_min", "x_max", "y_max")
QUALITY = Quality("f1", "F1 against the consensus", "lowest F1", active="n_boxes")


def _tiles(folder: Folder) -> list[tuple[str, str, bool]]:
    s = folder.summary
    kept = s.get("n_input_boxes_in_output")
    share = f"{kept / s['n_input_boxes']:.0%}" if kept is not None and s.get("n_input_boxes") else ""
    return [
        (str(s.get("method", "")), "method", False),
        (count(s.get("n_images")), "images", False),
        (count(s.get("n_annotators")), "annotators", False),
        (count(s.get("n_input_boxes")), "boxes drawn", False),
        (count(s.get("n_boxes")), "merged boxes", False),
        (share, "drawn boxes kept", False),
    ]


def _boxes(folder: Folder, *, as_text: bool = False) -> pd.DataFrame:
    """``boxes.csv`` with its image, label and coordinate columns (as ``summary["columns"]`` names them,
    else the first two and the four after the label, past ``--coco``'s ``label_name``) named image,
    label, x1, y1, x2, y2; ``as_text``: its first two columns read as text, as the input's ids are."""
    frame = folder.table("boxes.csv", required=("score",))
    assert frame is not None  # a file of the view
    if as_text:
        frame = read_table(folder.out_dir / "boxes.csv", text_columns=list(frame.columns[:2]), na_values="")
    given = folder.summary.get("columns") or {}
    named = [given.get("image_col"), given.get("label_col"), *(given.get("coord_cols") or [])]
    if len(named) != 6 or any(c not in frame.columns for c in named):
        rest = [c for c in frame.columns[2:] if c != "label_name"]
        named = [*frame.columns[:2], *rest[:4]]
    missing = 6 - len(named)
    if missing:
        raise DataFileError(
            f"{str(folder.out_dir / 'boxes.csv')!r} must have image, label and four coordinate columns, got {list(frame.columns)}"
        )
    return frame.rename(columns=dict(zip(named, ("image", "label", "x1", "y1", "x2", "y2"), strict=True)))


def _answers(folder: Folder) -> tuple[pd.DataFrame | None, str]:
    """The boxes the run read (the input table or COCO files ``summary["boxes"]`` names) with the
    columns image, annotator, label, x_min, y_min, x_max, y_max and score (when read); or None and
    why they cannot be read (gone, changed since the run, unreadable)."""
    from ...io.box_answers import read_coco_boxes

    given, columns = folder.summary.get("boxes"), folder.summary.get("columns") or {}
    if isinstance(given, list):  # --coco: fixed keys, annotators named as the run named them
        named = folder.get("annotator_names")
        try:
            table = read_coco_boxes([Path(p) for p in given], annotator_names=named or None, parameter="boxes")
        except (LabelwiseError, OSError, ValueError) as exc:
            return None, f"the COCO files the run read cannot be read now: {exc}"
        frame = table.boxes
    else:
        names = [columns.get(k) or k for k in ("image_col", "annotator_col", "label_col")]
        coords = list(columns.get("coord_cols") or ("x_min", "y_min", "x_max", "y_max"))
        frame = input_table(folder, "boxes", names)  # the ids as text, as the run read them
        if frame is None or any(c not in frame.columns for c in coords):
            return None, f"the box table the run read ({given}) is not there, or lacks its columns {[*names, *coords]}"
        score = columns.get("score_col")
        keep = [*names, *coords, *([score] if score in frame.columns else [])]
        frame = frame.loc[:, keep].set_axis([*_STANDARD, *(["score"] if len(keep) > 7 else [])], axis=1)
    expected = folder.summary.get("n_input_boxes")
    if expected is not None and len(frame) != int(expected):
        return None, f"the boxes the run read have changed since: {len(frame):,} boxes now, {int(expected):,} then"
    return frame, ""


def majority(folder: Folder) -> int:
    """The votes a merged box needs to be a reference of the annotators' scores: a strict majority of the
    run's models (``n_annotators // 2 + 1``), as :class:`~labelwise.aggregate.boxes.BoxConsensus` keeps a box."""
    return int(folder.summary.get("n_annotators") or 1) // 2 + 1


def agreement(folder: Folder) -> tuple[pd.DataFrame | None, str]:
    """Each annotator's boxes matched one to one with the merged boxes a strict majority of the models
    found (:func:`majority`; same image and class, IoU >= the run's ``iou``, greedily by IoU:
    :func:`~labelwise.aggregate.boxes.compare_boxes`): n_images, n_boxes, n_reference, n_matched,
    precision (its boxes matched: the match rate), recall (reference boxes of its images it
    matched), f1, mean_iou; or None and why not.

    WBF turns every box into a merged box, a lone false one too: scored against all of them, a model
    drawing random boxes would match its own boxes at IoU 1. Boxes the run left out (a score below
    ``skip_box_thr``) are not scored.
    """
    from ...aggregate.boxes import compare_boxes

    answers, why = _answers(folder)
    if answers is None:
        return None, why
    skip = folder.get("skip_box_thr")
    if "score" in answers.columns and isinstance(skip, (int, float)) and skip > 0:
        answers = answers[answers["score"].astype(float) >= float(skip)]
    merged = _boxes(folder, as_text=True)
    if "votes" in merged.columns:
        merged = merged[merged["votes"] >= majority(folder)]
    reference = merged.loc[:, ["image", "label", "x1", "y1", "x2", "y2"]].set_axis(
        ["image", "label", "x_min", "y_min", "x_max", "y_max"], axis=1
    )
    ids = {"image": str, "label": str}
    try:
        scored = compare_boxes(answers.astype(ids), reference.astype(ids), iou_thr=float(folder.get("iou", 0.5)))
    except LabelwiseError as exc:
        return None, f"the boxes the run read could not be scored: {exc}"
    return scored.reset_index(), ""


def _scored_here(folder: Folder) -> str:
    """The annotators section of a folder without annotators.csv: scored against the merged boxes, or why not."""
    from .._build import _e

    scored, why = agreement(folder)
    if scored is None:
        return unscored_section(f"No annotators.csv in the folder ({folder.summary.get('method')}), and {why}.")
    note = (
        f"Each annotator's boxes (from {_e(folder.summary.get('boxes'))}) matched one to one with the merged boxes "
        f"{majority(folder)} or more of the {_e(folder.summary.get('n_annotators'))} models found (a strict "
        f"majority), of the same image and class at IoU &ge; {_e(folder.get('iou', 0.5))}: precision (the share "
        "of its boxes matched), recall, F1, mean IoU of the matched boxes (its own boxes entered the fusion, so "
        "the figures favour every annotator somewhat; they rank them)"
        + (
            ", each COCO file's annotator named by the file's stem"
            if isinstance(folder.summary.get("boxes"), list) and not folder.get("annotator_names")
            else ""
        )
    )
    fused = Quality("f1", "F1 against the merged boxes", "lowest F1", active="n_boxes")
    return annotator_section(scored, fused, note=note, name="annotator")


def sections(folder: Folder, top: int) -> list[str]:
    """Boxes per class, the annotators' match to the consensus, the score distribution and the least supported boxes."""
    from .._build import _table

    boxes, out = _boxes(folder), []
    per_class = boxes.groupby("label", sort=True).agg(
        boxes=("score", "size"),
        mean_score=("score", "mean"),
        **({"mean_votes": ("votes", "mean")} if "votes" in boxes else {}),
    )
    note = "Merged boxes of each class and their mean score (the share of annotators who drew them, or the fused confidence)."
    out.append(section("boxes-classes", "Merged boxes per class", note, _table(per_class.reset_index())))
    ann = folder.table("annotators.csv", ids=("annotator",))
    if ann is not None and len(ann.columns):
        note = "Each annotator's boxes matched one to one with the consensus: precision, recall, F1, mean IoU"
        out.append(annotator_section(ann, QUALITY, note=note, name=str(ann.columns[0])))
    else:
        out.append(_scored_here(folder))
    listed = contested(boxes, "score", n=min(top, 30))
    plot = histogram(
        boxes["score"],
        boxes.index.isin(listed.index),
        xlabel="score of the merged box",
        alt="histogram of the merged boxes' scores",
        ident="boxes-scores",
        unit="boxes",
    )
    note = (
        "Lowest score first (red in the histogram and the drawings), below the best score of the folder: the boxes fewest "
        "annotators drew, or the least confident fused ones."
    )
    as_written = folder.table("boxes.csv")
    assert as_written is not None
    if listed.empty:
        body = plot + none_contested(boxes, "score", "merged boxes")
    else:
        table = _table(as_written.loc[listed.index])
        body = plot + images(folder, boxes, listed, MAX_DRAWINGS) + f'<div class="scroll">{table}</div>'
    out.append(section("boxes-contested", "Least supported boxes", note, body))
    return out


VIEW = FolderView(
    command="aggregate-boxes",
    title="Merged boxes",
    files=("boxes.csv",),
    marks=("n_input_boxes", "n_input_boxes_in_output"),
    tiles=_tiles,
    sections=sections,
)
