"""``labelwise aggregate-masks`` in the report: the least agreed items' consensus masks, each annotator's Dice.

Reads ``items.csv`` (item, mask: the consensus mask's file, n_annotators, n_pixels, mean and least
Dice of the item's annotators to the consensus, per class for label maps), ``annotators.csv``
(n_items, mean Dice, and the method's skill: STAPLE's sensitivity and specificity, em's accuracy,
rasa's weight), the consensus masks under ``masks/`` and ``summary.json``.
"""

from __future__ import annotations

import numpy as np

from ...errors import LabelwiseError
from ...io.mask_files import read_mask
from .._annotators import Quality, annotator_section
from .._tasks._common import palette, pil, png, scale_to, section
from ._common import MAX_DRAWINGS, Folder, FolderView, contested, count, histogram, none_contested

#: Longest side of a mask's drawing (pixels), and of the strided view of the mask it is drawn from.
SIDE, READ_SIDE = 128, 256


def _tiles(folder: Folder) -> list[tuple[str, str, bool]]:
    s = folder.summary
    solo = s.get("n_single_annotator_items") or 0
    return [
        (str(s.get("method", "")), "method", False),
        (count(s.get("n_items")), "items", False),
        (count(s.get("n_annotators")), "annotators", False),
        (count(s.get("n_masks")), "masks drawn", False),
        (f"{float(s.get('mean_agreement', np.nan)):.3f}", "mean Dice to the consensus", False),
        (count(solo), "items drawn by one annotator", bool(solo)),
    ]


def mask_png(folder: Folder, relative: str) -> bytes | None:
    """The consensus mask ``relative`` (a path under the folder) in the classes' colours, or None
    when it cannot be read; a large mask is drawn from a strided view (a ``.npy`` is memory-mapped)."""
    classes = sorted(folder.summary.get("classes") or [0, 1])
    try:
        mask, _, _ = read_mask(folder.out_dir / relative, parameter="items.csv's mask")
    except (LabelwiseError, OSError, ValueError):
        return None
    if mask.ndim != 2 or mask.size == 0:
        return None
    step = max(1, int(np.ceil(max(mask.shape) / READ_SIDE)))
    view = np.asarray(mask[::step, ::step])
    codes = np.clip(np.searchsorted(np.asarray(classes, dtype=float), view.astype(float)), 0, len(classes) - 1)
    Image, _ = pil()
    return png(scale_to(Image.fromarray(palette(len(classes))[codes]), SIDE))


def _cards(folder: Folder, items: list) -> str:
    from .._build import _e, _img

    cards = []
    for rec in items[:MAX_DRAWINGS]:
        pic = mask_png(folder, str(rec["mask"]))
        drawn = (
            _img(pic, alt=f"consensus mask of {rec['item']}", cls="thumb overlay")
            if pic is not None
            else f'<span class="missing">mask not readable: {_e(rec["mask"])}</span>'
        )
        cards.append(
            f'<div class="example"><div class="thumbbox">{drawn}</div><div class="meta">{_e(rec["item"])} &middot; '
            f"mean Dice {float(rec['mean_dice']):.3f} &middot; {int(rec['n_annotators'])} annotators</div></div>"
        )
    return f'<div class="grid" id="masks-items">{"".join(cards)}</div>'


def sections(folder: Folder, top: int) -> list[str]:
    """The annotators' Dice to the consensus, the items' agreement and the least agreed items' masks."""
    from .._build import _table

    out = []
    ann = folder.table("annotators.csv", ids=("annotator",))
    if ann is not None and len(ann.columns):
        note = "Mean Dice of each annotator's masks to the consensus, and the method's estimate of its skill"
        quality = Quality("mean_dice", "mean Dice", "least agreeing", active="n_items")
        out.append(annotator_section(ann, quality, note=note, name=str(ann.columns[0])))
    items = folder.table("items.csv", ids=("item", "mask"), required=("item", "mask", "mean_dice", "n_annotators"))
    assert items is not None  # a file of the view
    listed = contested(items, "mean_dice", n=min(top, 30))
    plot = histogram(
        items["mean_dice"],
        items.index.isin(listed.index),
        xlabel="mean Dice of the item's annotators to the consensus",
        alt="histogram of the items' agreement",
        ident="masks-agreement",
    )
    note = (
        "Lowest mean Dice first (red in the histogram): the items whose annotators' masks differ most from "
        "the consensus, drawn in the classes' colours. An item drawn by one annotator agrees with itself (1.0)."
    )
    records = [row for _, row in listed.iterrows()]
    table = (
        f'<div class="scroll">{_table(listed)}</div>' if len(listed) else none_contested(items, "mean_dice", "items")
    )
    body = plot + _cards(folder, records) + table
    out.append(section("masks-contested", "Least agreed items", note, body))
    return out


VIEW = FolderView(
    command="aggregate-masks",
    title="Consensus masks",
    files=("items.csv", "masks"),
    marks=("n_masks", "mean_agreement"),
    tiles=_tiles,
    sections=sections,
)
