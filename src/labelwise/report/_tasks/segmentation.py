"""Segmentation audit in the report: each flagged image's mask with its wrong regions overlaid.

Reads ``issues.csv`` of ``labelwise audit --task segmentation`` (one row per image, worst first),
``regions.csv`` (connected regions of flagged pixels with their box, given and suggested class),
the mask PNGs (``settings.data``, sorted by name as the audit read them) and the probabilities
(``settings.probs``, memory-mapped: only the shown images are read). A pixel is drawn as flagged
when it lies in a flagged region's box and the model's top class differs from its given class
(the audit's own pixel flags are not written to the folder; without the probabilities the region
boxes are outlined instead).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...io.arrays import load_npy
from ._common import RED, TaskRun, TaskView, palette, pil, png, scale_to, section

#: Images drawn (the worst first) and the side of each panel in pixels.
MAX_IMAGES = 12
PANEL = 160
_REGION_COLUMNS = ["image", "region", "area", "top", "left", "bottom", "right", "given", "suggested"]


def _probs(run: TaskRun) -> Any:
    path = run.path("probs")
    if path is None or path.suffix != ".npy":
        return None
    return load_npy(path, parameter="summary.json settings.probs", mmap=True)


def flagged_pixels(mask: np.ndarray, top_class: np.ndarray | None, regions: pd.DataFrame) -> np.ndarray:
    """Pixels inside the regions' boxes whose top class is not the given one (the whole boxes without probs)."""
    inside = np.zeros(mask.shape, dtype=bool)
    for r in regions.itertuples(index=False):
        inside[int(r.top) : int(r.bottom), int(r.left) : int(r.right)] = True
    return inside if top_class is None else inside & (top_class != mask)


def overlay_png(mask: np.ndarray, top_class: np.ndarray | None, regions: pd.DataFrame, k: int) -> bytes:
    """Two panels: the given mask with flagged pixels in red, and the model's top class."""
    Image, ImageDraw = pil()
    colours = palette(k)
    given = colours[np.clip(mask, 0, k - 1)]
    flag = flagged_pixels(mask, top_class, regions)
    given[flag] = RED
    left = scale_to(Image.fromarray(given), PANEL)
    if top_class is None:
        draw = ImageDraw.Draw(left)
        f = left.size[0] / mask.shape[1]
        for r in regions.itertuples(index=False):
            draw.rectangle([r.left * f, r.top * f, r.right * f - 1, r.bottom * f - 1], outline=RED, width=2)
        return png(left)
    right = scale_to(Image.fromarray(colours[np.clip(top_class, 0, k - 1)]), PANEL)
    canvas = Image.new("RGB", (left.size[0] * 2 + 6, left.size[1]), (255, 255, 255))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.size[0] + 6, 0))
    return png(canvas)


def _mask(files: list[Path], i: int) -> np.ndarray | None:
    Image, _ = pil()
    if i >= len(files):
        return None
    try:
        with Image.open(files[i]) as im:
            return np.asarray(im).astype(np.int64)
    except OSError:
        return None


def _inputs(run: TaskRun) -> dict[str, Any]:
    """Mask files, memory-mapped probs, regions and the number of classes, read once per run."""
    if "segmentation" not in run.cache:
        per_class = pd.DataFrame(run.summary.get("per_class") or [])
        regions = run.table("regions.csv")
        folder = run.path("data")
        probs = _probs(run)
        run.cache["segmentation"] = {
            "per_class": per_class,
            "regions": regions if regions is not None else pd.DataFrame(columns=_REGION_COLUMNS),
            "files": sorted(folder.glob("*.png")) if folder is not None and folder.is_dir() else [],
            "probs": probs,
            "k": len(per_class) if len(per_class) else (int(probs.shape[1]) if probs is not None else 10),
        }
    return run.cache["segmentation"]


def image_png(run: TaskRun, i: int) -> bytes | None:
    """The overlay of image ``i`` (None when its mask file cannot be read)."""
    inp = _inputs(run)
    mask = _mask(inp["files"], i)
    if mask is None:
        return None
    probs, top_class = inp["probs"], None
    if probs is not None and probs.shape[0] > i and probs.shape[2:] == mask.shape:
        top_class = np.asarray(probs[i]).argmax(axis=0)
    regions = inp["regions"]
    return overlay_png(mask, top_class, regions[regions["image"] == i], inp["k"])


def image_name(run: TaskRun, i: int) -> str:
    """The mask file name of image ``i``."""
    files = _inputs(run)["files"]
    return files[i].name if i < len(files) else f"image {i}"


def sections(run: TaskRun, top: int) -> list[str]:
    """The per-class pixel noise table and the worst images with their overlays."""
    from .._build import _e, _img, _quality, _table

    inp = _inputs(run)
    out = []
    if len(inp["per_class"]):
        note = "Pixels per given class and their estimated noise rates."
        out.append(section("segmentation-classes", "Pixel noise per class", note, _table(inp["per_class"])))
    regions = inp["regions"]
    cards = []
    for rec in run.issues[run.issues["is_issue"]].head(min(top, MAX_IMAGES)).itertuples(index=False):
        i = int(rec.image)
        name, pic = image_name(run, i), image_png(run, i)
        if pic is None:
            cards.append(f'<div class="example"><span class="missing">mask not readable: {_e(name)}</span></div>')
            continue
        alt = f"mask of {name} with flagged pixels in red"
        cards.append(
            f'<div class="example" data-image="{i}">{_img(pic, alt=alt, cls="thumb overlay")}<div class="meta">'
            f"{_e(name)} &middot; quality {_quality(float(rec.image_quality))} &middot; "
            f"{int(rec.n_flagged_pixels)} flagged pixels, {int((regions['image'] == i).sum())} regions</div></div>"
        )
    note = "Worst images first. Left: the given mask, flagged pixels in red; right: the model's top class."
    body = f'<div class="grid">{"".join(cards)}</div>' if cards else '<p class="note">No image was flagged.</p>'
    out.append(section("segmentation-images", "Flagged images", note, body))
    if len(regions):
        largest = _table(regions.sort_values("area", ascending=False, kind="stable").head(20))
        note = "Connected regions of flagged pixels, largest first."
        out.append(section("segmentation-regions", "Largest wrong regions", note, largest))
    return out


def units(run: TaskRun) -> pd.DataFrame:
    """Review units: one per image, worst first (given: the file; suggested: how much is flagged)."""
    issues = run.issues
    return pd.DataFrame(
        {
            "row": issues["image"].astype(int),
            "given_label": [image_name(run, int(i)) for i in issues["image"]],
            "suggested_label": [f"{int(n)} flagged px" for n in issues["n_flagged_pixels"]],
            "label_quality": issues["image_quality"].astype(float),
            "is_issue": issues["is_issue"].astype(bool),
        }
    )


TASK_VIEW = TaskView("segmentation", "images", sections, units=units, unit_png=image_png)
