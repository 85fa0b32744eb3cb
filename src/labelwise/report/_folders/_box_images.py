"""What ``aggregate-boxes``' page draws an image's merged boxes on: the image's file, else a grey canvas.

An image's file is looked up by its name: with ``--coco``, the ``file_name`` that the COCO files'
``images`` give its ``image_id``; with a box table, the image value itself. The name is taken
relative to an images folder recorded in ``summary.json`` (``images``, when the run recorded one),
then to each input file's folder and that folder's ``images/`` (where COCO datasets keep them).
Without a readable file the boxes are drawn on a grey canvas of the image's size (the COCO
``width`` and ``height``, else just past the boxes), and the page says why in one line; without
Pillow (the ``images`` extra) nothing is drawn, and the line says that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import MissingDependencyError
from .._tasks._common import BLUE, RED, pil, png, scale_to
from ._common import Folder

#: The longest side of an image's drawing.
SIDE = 320
#: The grey of the canvas an image is drawn on when its file cannot be read.
GREY = (200, 200, 200)


@dataclass(frozen=True)
class Sources:
    """Where the images of a boxes folder are.

    Attributes
    ----------
    coco : bool
        The run read COCO files (an image is its ``image_id``).
    names : dict
        ``str(image_id)`` -> the COCO ``file_name`` (COCO runs only).
    sizes : dict
        ``str(image_id)`` -> ``(width, height)`` the COCO files give.
    roots : list of Path
        The folders a name is looked up in, in order.
    """

    coco: bool
    names: dict[str, str]
    sizes: dict[str, tuple[float, float]]
    roots: list[Path]


def _coco_images(paths: list[Path]) -> tuple[dict[str, str], dict[str, tuple[float, float]]]:
    """The file names and sizes of the COCO files' ``images`` (a file that cannot be read adds none)."""
    names: dict[str, str] = {}
    sizes: dict[str, tuple[float, float]] = {}
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        listed = data.get("images") if isinstance(data, dict) else None
        for entry in listed if isinstance(listed, list) else []:
            if not isinstance(entry, dict) or "id" not in entry:
                continue
            key = str(entry["id"])
            if isinstance(entry.get("file_name"), str) and entry["file_name"]:
                names.setdefault(key, entry["file_name"])
            w, h = entry.get("width"), entry.get("height")
            if isinstance(w, (int, float)) and isinstance(h, (int, float)) and w > 0 and h > 0:
                sizes.setdefault(key, (float(w), float(h)))
    return names, sizes


def sources(folder: Folder) -> Sources:
    """The folder's :class:`Sources`, read once."""
    if "box-images" not in folder.cache:
        given = folder.summary.get("boxes")
        inputs = [Path(p) for p in (given if isinstance(given, list) else [given]) if isinstance(p, str)]
        recorded = folder.get("images")
        roots = [Path(recorded)] if isinstance(recorded, str) else []
        for parent in dict.fromkeys(p.parent for p in inputs):
            roots += [parent, parent / "images"]
        coco = bool(folder.get("coco")) or isinstance(given, list)
        names, sizes = _coco_images(inputs) if coco else ({}, {})
        folder.cache["box-images"] = Sources(coco=coco, names=names, sizes=sizes, roots=roots)
    return folder.cache["box-images"]


def canvas(folder: Folder, image: Any, boxes: pd.DataFrame) -> tuple[Any, str | None]:
    """The image's file read as RGB and None, or a grey canvas and why the file was not used."""
    Image, _ = pil()
    src, key = sources(folder), str(image)
    name = src.names.get(key) if src.coco else key
    if name is None:
        why = f"the COCO files give image_id {key} no file_name"
    else:
        why = f"{name!r} is in none of {[str(r) for r in src.roots]}" if src.roots else f"no folder to find {name!r} in"
        for path in (root / name for root in src.roots):
            if path.is_file():
                try:
                    with Image.open(path) as im:
                        return im.convert("RGB"), None
                except OSError as exc:  # PIL's UnidentifiedImageError is an OSError
                    why = f"{str(path)!r} could not be read as an image ({exc})"
                    break
    w, h = src.sizes.get(key) or (float(boxes["x2"].max()) + 10, float(boxes["y2"].max()) + 10)
    return Image.new("RGB", (max(1, int(w)), max(1, int(h))), GREY), why


def image_png(folder: Folder, boxes: pd.DataFrame, image: Any, cut: float) -> tuple[bytes, str | None]:
    """The image's merged boxes, blue, red where their score is below ``cut`` (the best score of the
    folder), each with label and score; and why it is drawn on a canvas (None: on the image)."""
    _, ImageDraw = pil()
    base, why = canvas(folder, image, boxes)
    drawing = scale_to(base, SIDE)
    f = drawing.size[0] / base.size[0]
    draw = ImageDraw.Draw(drawing)
    for r in boxes.itertuples(index=False):
        colour = RED if r.score < cut else BLUE
        draw.rectangle([r.x1 * f, r.y1 * f, r.x2 * f, r.y2 * f], outline=colour, width=2)
        draw.text((r.x1 * f + 3, max(0, r.y1 * f - 12)), f"{r.label} {r.score:.2f}", fill=colour)
    return png(drawing), why


def drawn_on(reasons: list[str | None]) -> str:
    """The line saying what the drawings are drawn on, and why not on the images' files."""
    missing = [r for r in reasons if r is not None]
    if not missing:
        return f"Drawn on the images' files ({len(reasons)})."
    more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    if len(missing) == len(reasons):
        return f"Drawn on grey canvases: {missing[0]}{more}."
    return (
        f"{len(reasons) - len(missing)} of {len(reasons)} images drawn on their files, the others on grey "
        f"canvases: {missing[0]}{more}."
    )


def images(folder: Folder, boxes: pd.DataFrame, contested: pd.DataFrame, most: int) -> str:
    """The images of the least supported boxes (``most`` of them), each drawn with all its merged boxes,
    after one line saying what they are drawn on."""
    from .._build import _e, _img

    cut = float(boxes["score"].max())
    cards, reasons = [], []
    for image in pd.unique(contested["image"])[:most]:
        mine = boxes[boxes["image"] == image]
        try:
            picture, why = image_png(folder, mine, image, cut)
        except MissingDependencyError as exc:
            return f'<p class="note" id="boxes-drawn-on">No drawings: {_e(exc)}</p>'
        reasons.append(why)
        pic = _img(picture, alt=f"merged boxes of {image}", cls="thumb boxes")
        cards.append(
            f'<div class="example">{pic}<div class="meta">{_e(image)} &middot; {len(mine)} boxes &middot; '
            f"lowest score {float(mine['score'].min()):.2f}</div></div>"
        )
    line = f'<p class="note" id="boxes-drawn-on">{_e(drawn_on(reasons))}</p>' if reasons else ""
    return f'{line}<div class="grid" id="boxes-images">{"".join(cards)}</div>'
