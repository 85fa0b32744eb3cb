"""``labelwise aggregate-boxes`` in the report: the merged boxes, the least supported ones, each annotator's F1.

Reads ``boxes.csv`` (image, label, the four coordinates, score, votes, n_boxes: one row per merged
box; the columns carry the input's names, in that order), ``annotators.csv`` (consensus: each
annotator's precision, recall, F1 and mean IoU against the consensus) and ``summary.json``. A merged
box's ``score`` is the share of the image's annotators that drew it (consensus) or its fused
confidence (wbf): the lowest scores are the boxes the annotators agreed on least. Each image is
drawn from its file when ``image`` names one beside the input table, else on a grey canvas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import DataFileError
from .._annotators import Quality, annotator_section
from .._tasks._common import BLUE, RED, pil, png, scale_to, section
from ._common import MAX_DRAWINGS, Folder, FolderView, contested, count, histogram, none_contested

#: The longest side of an image's drawing.
SIDE = 320


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


def _boxes(folder: Folder) -> pd.DataFrame:
    """``boxes.csv`` with its image, label and coordinate columns (as ``summary["columns"]`` names them,
    else the first two and the four after the label, past ``--coco``'s ``label_name``) named image,
    label, x1, y1, x2, y2."""
    frame = folder.table("boxes.csv", required=("score",))
    assert frame is not None  # a file of the view
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


def _canvas(folder: Folder, image: Any, boxes: pd.DataFrame) -> Any:
    """The image's file beside the input table, or a grey canvas holding its boxes."""
    Image, _ = pil()
    source = folder.summary.get("boxes")
    if isinstance(source, str):
        path = Path(source).parent / str(image)
        if path.is_file():
            try:
                with Image.open(path) as im:
                    return im.convert("RGB")
            except OSError:
                pass
    w, h = float(boxes["x2"].max()) + 10, float(boxes["y2"].max()) + 10
    return Image.new("RGB", (max(1, int(w)), max(1, int(h))), (200, 200, 200))


def image_png(folder: Folder, boxes: pd.DataFrame, image: Any, cut: float) -> bytes:
    """The image's merged boxes: blue, red when their score is below ``cut`` (the best score of the folder), each with label and score."""
    _, ImageDraw = pil()
    canvas = _canvas(folder, image, boxes)
    drawing = scale_to(canvas, SIDE)
    f = drawing.size[0] / canvas.size[0]
    draw = ImageDraw.Draw(drawing)
    for r in boxes.itertuples(index=False):
        colour = RED if r.score < cut else BLUE
        draw.rectangle([r.x1 * f, r.y1 * f, r.x2 * f, r.y2 * f], outline=colour, width=2)
        draw.text((r.x1 * f + 3, max(0, r.y1 * f - 12)), f"{r.label} {r.score:.2f}", fill=colour)
    return png(drawing)


def _images(folder: Folder, boxes: pd.DataFrame, contested: pd.DataFrame) -> str:
    """The images of the least supported boxes, each drawn with all its merged boxes."""
    from .._build import _e, _img

    cut = float(boxes["score"].max())
    cards = []
    for image in pd.unique(contested["image"])[:MAX_DRAWINGS]:
        mine = boxes[boxes["image"] == image]
        pic = _img(image_png(folder, mine, image, cut), alt=f"merged boxes of {image}", cls="thumb boxes")
        low = float(mine["score"].min())
        cards.append(
            f'<div class="example">{pic}<div class="meta">{_e(image)} &middot; {len(mine)} boxes &middot; '
            f"lowest score {low:.2f}</div></div>"
        )
    return f'<div class="grid" id="boxes-images">{"".join(cards)}</div>'


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
        quality = Quality("f1", "F1 against the consensus", "lowest F1", active="n_boxes")
        out.append(annotator_section(ann, quality, note=note, name=str(ann.columns[0])))
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
        body = plot + _images(folder, boxes, listed) + f'<div class="scroll">{table}</div>'
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
