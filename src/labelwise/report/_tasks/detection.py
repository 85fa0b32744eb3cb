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

import pandas as pd

from ...errors import LabelwiseError
from ._common import BLUE, ORANGE, RED, TaskRun, TaskView, pil, png, scale_to, section

#: Images drawn (the worst first), the longest side of a drawing, and the score a prediction needs to be drawn.
MAX_IMAGES = 12
SIDE = 320
MIN_SCORE = 0.5
_BOX_COLUMNS = ("image", "box", "source", "kind", "given", "suggested", "x1", "y1", "x2", "y2", "label_quality")


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


def _inputs(run: TaskRun) -> dict[str, Any]:
    """COCO image entries, category names, predictions and image scores, read once per run."""
    if "detection" not in run.cache:
        coco, root = _coco(run)
        cats = sorted(coco.get("categories") or [], key=lambda c: c.get("id", 0))
        table = run.table("images.csv")
        if table is None:  # worst first from the boxes themselves
            worst = run.issues.groupby("image")["label_quality"].min().sort_values(kind="stable")
            table = pd.DataFrame({"image": worst.index, "image_quality": worst.to_numpy(), "is_issue": worst < 1.0})
        run.cache["detection"] = {
            "images": coco.get("images") or [],
            "root": root,
            "names": [str(c.get("name", c.get("id"))) for c in cats],
            "preds": _predictions(run),
            "table": table,
        }
    return run.cache["detection"]


def image_label(run: TaskRun, i: int) -> str:
    """The file name (or id) of image ``i``."""
    images = _inputs(run)["images"]
    meta = images[i] if i < len(images) else {}
    return str(meta.get("file_name") or meta.get("id", f"image {i}"))


def image_png(run: TaskRun, i: int) -> bytes | None:
    """Image ``i`` with its given, predicted and flagged boxes drawn."""
    inp = _inputs(run)
    mine = run.issues[run.issues["image"] == i]
    meta = inp["images"][i] if i < len(inp["images"]) else {}
    preds = inp["preds"]
    return boxes_png(
        _canvas(meta, inp["root"], mine), mine, preds[i] if preds is not None and i < len(preds) else None, inp["names"]
    )


def sections(run: TaskRun, top: int) -> list[str]:
    """Counts per kind, the flagged images with their boxes, and the flagged boxes."""
    from .._build import _e, _img, _quality, _table

    issues, table = run.issues, _inputs(run)["table"]
    out = []
    per_kind = run.summary.get("per_kind") or {}
    if per_kind:
        kinds = pd.DataFrame({"kind": list(per_kind), "flagged boxes": list(per_kind.values())})
        note = "Overlooked objects, badly located boxes and swapped classes."
        out.append(section("detection-kinds", "Flagged boxes by kind", note, _table(kinds)))
    quality = dict(zip(table["image"], table["image_quality"], strict=False))
    cards = []
    for i in table.loc[table["is_issue"].astype(bool), "image"].to_numpy()[: min(top, MAX_IMAGES)]:
        i, label = int(i), image_label(run, int(i))
        pic = image_png(run, i)
        assert pic is not None  # drawn on a canvas when the file is missing
        n_flagged = int(issues.loc[issues["image"] == i, "is_issue"].sum())
        cards.append(
            f'<div class="example" data-image="{i}">{_img(pic, alt=f"boxes of {label}", cls="thumb boxes")}'
            f'<div class="meta">{_e(label)} &middot; quality {_quality(float(quality[i]))} &middot; '
            f"{n_flagged} flagged boxes</div></div>"
        )
    note = (
        "Worst images first. Blue: given boxes; orange: the model's boxes (score >= 0.5); red: flagged, "
        "with kind and given > suggested class."
    )
    body = f'<div class="grid">{"".join(cards)}</div>' if cards else '<p class="note">No image was flagged.</p>'
    out.append(section("detection-images", "Flagged images", note, body))
    flagged = issues[issues["is_issue"]].head(top)
    if len(flagged):
        cols = [c for c in _BOX_COLUMNS if c in flagged]
        body = f'<div class="scroll">{_table(flagged[cols])}</div>'
        out.append(section("detection-boxes", "Flagged boxes", "Worst first.", body))
    return out


def units(run: TaskRun) -> pd.DataFrame:
    """Review units: one per image, worst first (given: the file; suggested: the kinds flagged)."""
    table = _inputs(run)["table"]
    flagged = run.issues[run.issues["is_issue"]]
    kinds = flagged.groupby("image")["kind"].agg(lambda k: ", ".join(sorted(set(map(str, k)))))
    return pd.DataFrame(
        {
            "row": table["image"].astype(int),
            "given_label": [image_label(run, int(i)) for i in table["image"]],
            "suggested_label": [kinds.get(i, "fine") for i in table["image"]],
            "label_quality": table["image_quality"].astype(float),
            "is_issue": table["is_issue"].astype(bool),
        }
    )


TASK_VIEW = TaskView("detection", "boxes", sections, units=units, unit_png=image_png)
