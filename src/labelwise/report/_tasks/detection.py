"""Detection audit in the report: boxes drawn on each flagged image, given vs predicted, flagged in red.

Reads ``issues.csv`` of ``labelwise audit --task detection`` (one row per given box and per
overlooked-candidate prediction: image, box, source, x1 y1 x2 y2, given and suggested class, kind,
flag), ``images.csv`` (image scores, worst first), the COCO file (``settings.data``: image files,
sizes and category names) and the predictions (``settings.predictions``). An image file is looked
up beside the COCO file (and in its ``images/`` folder); without it the boxes are drawn on a grey
canvas of the image's size.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import LabelwiseError
from ._common import BLUE, ORANGE, RED, TaskRun, TaskView, pil, png, scale_to, section

#: Images drawn (the worst first), the longest side of a drawing, and the score a prediction needs to be drawn.
MAX_IMAGES = 12
SIDE = 320
MIN_SCORE = 0.5


def _coco(run: TaskRun) -> tuple[dict, Path | None]:
    path = run.path("data")
    if path is None:
        return {}, None
    try:
        return json.loads(path.read_text(encoding="utf-8")), path.parent
    except (OSError, ValueError):
        return {}, None


def _predictions(run: TaskRun) -> list[dict] | None:
    data, preds = run.path("data"), run.path("predictions")
    if data is None or preds is None:
        return None
    from ...io import read_coco, read_coco_predictions

    try:
        return read_coco_predictions(preds, read_coco(data))
    except (LabelwiseError, OSError, ValueError):
        return None


def _canvas(meta: dict, root: Path | None, boxes: pd.DataFrame) -> Any:
    Image, _ = pil()
    name = meta.get("file_name")
    if root is not None and name:
        for cand in (root / name, root / "images" / name):
            if cand.is_file():
                try:
                    with Image.open(cand) as im:
                        return im.convert("RGB")
                except OSError:
                    break
    w = meta.get("width") or (float(boxes["x2"].max()) + 10 if len(boxes) else 100)
    h = meta.get("height") or (float(boxes["y2"].max()) + 10 if len(boxes) else 100)
    return Image.new("RGB", (max(1, int(w)), max(1, int(h))), (200, 200, 200))


def boxes_png(canvas: Any, boxes: pd.DataFrame, predicted: dict | None, names: list[str]) -> bytes:
    """Predicted boxes in orange, given boxes in blue, flagged boxes in thick red with their kind."""
    _, ImageDraw = pil()
    image = scale_to(canvas, SIDE)
    f = image.size[0] / canvas.size[0]
    draw = ImageDraw.Draw(image)
    name = lambda c: names[int(c)] if 0 <= int(c) < len(names) else str(int(c))  # noqa: E731
    if predicted is not None:
        for box, score in zip(predicted["boxes"], predicted["scores"], strict=False):
            if score >= MIN_SCORE:
                draw.rectangle([v * f for v in box], outline=ORANGE, width=1)
    for r in boxes.sort_values("is_issue", kind="stable").itertuples(index=False):
        xy = [r.x1 * f, r.y1 * f, r.x2 * f, r.y2 * f]
        if r.is_issue:
            draw.rectangle(xy, outline=RED, width=3)
            text = f"{r.kind}: {name(r.given) if r.given >= 0 else '-'} > {name(r.suggested)}"
            draw.text((xy[0] + 3, max(0, xy[1] - 12)), text, fill=RED)
        elif r.source == "given":
            draw.rectangle(xy, outline=BLUE, width=2)
    return png(image)


def sections(run: TaskRun, top: int) -> list[str]:
    """Counts per kind, the flagged images with their boxes, and the flagged boxes."""
    from .._build import _e, _img, _quality, _table

    coco, root = _coco(run)
    images = coco.get("images") or []
    cats = sorted(coco.get("categories") or [], key=lambda c: c.get("id", 0))
    names = [str(c.get("name", c.get("id"))) for c in cats]
    preds = _predictions(run)
    issues = run.issues
    out = []
    kinds = pd.DataFrame(
        {
            "kind": list((run.summary.get("per_kind") or {}).keys()),
            "flagged boxes": list((run.summary.get("per_kind") or {}).values()),
        }
    )
    if len(kinds):
        out.append(
            section(
                "detection-kinds",
                "Flagged boxes by kind",
                "Overlooked objects, badly located boxes and swapped classes.",
                _table(kinds),
            )
        )
    table = run.table("images.csv")
    order = (
        table.loc[table["is_issue"].astype(bool), "image"].to_numpy()
        if table is not None
        else np.unique(issues.loc[issues["is_issue"], "image"])
    )
    quality = dict(zip(table["image"], table["image_quality"], strict=False)) if table is not None else {}
    cards = []
    for i in order[: min(top, MAX_IMAGES)]:
        i = int(i)
        mine = issues[issues["image"] == i]
        meta = images[i] if i < len(images) else {}
        pic = boxes_png(
            _canvas(meta, root, mine), mine, preds[i] if preds is not None and i < len(preds) else None, names
        )
        label = str(meta.get("file_name") or meta.get("id", f"image {i}"))
        q = f" &middot; quality {_quality(float(quality[i]))}" if i in quality else ""
        cards.append(
            f'<div class="example" data-image="{i}">{_img(pic, alt=f"boxes of {label}", cls="thumb boxes")}'
            f'<div class="meta">{_e(label)}{q} &middot; {int(mine["is_issue"].sum())} flagged boxes</div></div>'
        )
    note = "Worst images first. Blue: given boxes; orange: the model's boxes (score >= 0.5); red: flagged, with kind and given > suggested class."
    body = f'<div class="grid">{"".join(cards)}</div>' if cards else '<p class="note">No image was flagged.</p>'
    out.append(section("detection-images", "Flagged images", note, body))
    flagged = issues[issues["is_issue"]].head(top)
    if len(flagged):
        cols = [
            c
            for c in ("image", "box", "source", "kind", "given", "suggested", "x1", "y1", "x2", "y2", "label_quality")
            if c in flagged
        ]
        out.append(
            section(
                "detection-boxes", "Flagged boxes", "Worst first.", f'<div class="scroll">{_table(flagged[cols])}</div>'
            )
        )
    return out


TASK_VIEW = TaskView("detection", "boxes", sections)
