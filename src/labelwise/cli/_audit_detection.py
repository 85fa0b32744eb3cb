"""``labelwise audit --task detection``: a COCO file and its results, each image named by its ``image_id``.

The library names an image by its position in the lists it is given (``labels[3] box 0``, ``image 3
box 0``); the command line's user gave COCO files, whose images are known by ``image_id``. Errors
and warnings alike name ``image_id`` (issues.csv has both: ``image``, the position, and ``image_id``).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .._caller import warn_at_caller
from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import InvalidLabelsError, InvalidParameterError

#: The detection audit's way of naming an image's box: ``labels[3] box 0`` (its list position, then the box's).
_BOX_AT = re.compile(r"^(labels|predictions)\[(\d+)\] (?=box \d+)")
#: The detection audit's way of naming an image's size: ``image_sizes[3] must be ...``.
_SIZE_AT = re.compile(r"^image_sizes\[(\d+)\] must be the image's \(width, height\), (.*)$")
#: The clipped-box warning's first box: ``the first: image 3 box 0``.
_CLIPPED_AT = re.compile(r"\(the first: image (\d+) (?=box \d+)")


def _sizes_or_none(sizes: list) -> list | None:
    return None if any(s is None for s in sizes) else sizes


def _image_named(image_ids: list, position: int) -> str:
    """``image_id 8``: the COCO id of the image at ``position``."""
    return f"image_id {show(image_ids[position])}"


def _renamed_warning(message: warnings.WarningMessage, image_ids: list) -> None:
    """Warn ``message`` again, its image named by ``image_id`` where the library gave a position."""
    text = str(message.message)
    found = _CLIPPED_AT.search(text)
    if found is not None:
        text = text[: found.start()] + f"(the first: {_image_named(image_ids, int(found[1]))} " + text[found.end() :]
    warn_at_caller(message.category(text))


def run_detection(data: Path, predictions_path: Path | None, **_: Any) -> tuple[Any, dict]:
    """The detection audit of a COCO file and its results: the result, and issues.csv and images.csv
    with the COCO ids beside the positions."""
    from ..audit import detection
    from ..io import read_coco, read_coco_predictions

    if predictions_path is None:
        raise InvalidParameterError("--task detection needs --predictions (a COCO results JSON)")
    coco = read_coco(data)
    preds = read_coco_predictions(predictions_path, coco)
    sizes = [None if np.isinf(w) else (w, h) for w, h in coco.image_sizes]
    try:
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            result = detection.find_label_issues(coco.labels, preds, image_sizes=_sizes_or_none(sizes))
    except InvalidLabelsError as exc:  # "labels[3] box 0 ..." names a list position the user never saw
        found = _BOX_AT.match(str(exc))
        if found is None:
            raise
        source = "DATA" if found[1] == "labels" else "--predictions"
        where = f"{source} {_image_named(coco.image_ids, int(found[2]))}: "
        raise InvalidLabelsError(
            where + ("given " if source == "DATA" else "predicted ") + str(exc)[found.end() :]
        ) from exc
    except InvalidParameterError as exc:  # "image_sizes[3]": the width and height of DATA's image with that position
        found = _SIZE_AT.match(str(exc))
        if found is None:
            raise
        raise InvalidLabelsError(
            f"DATA {_image_named(coco.image_ids, int(found[1]))}: width and height must be {found[2]}"
        ) from exc
    for message in said:
        _renamed_warning(message, coco.image_ids)
    order = np.argsort(result.image_quality, kind="stable")
    images = pd.DataFrame(
        {
            "image": order,
            "image_id": [coco.image_ids[i] for i in order],
            "image_quality": result.image_quality[order],
            "is_issue": result.is_image_issue[order],
        }
    )
    frame = result.to_frame()  # image and class codes index the file's images and sorted category ids: add those
    frame["image_id"] = [coco.image_ids[i] for i in frame["image"]]
    for column in ("given", "suggested"):
        frame[f"{column}_category_id"] = pd.array(
            [coco.categories[c] if c >= 0 else None for c in frame[column]], dtype=object
        )
    return result, {"issues.csv": frame, "images.csv": images}
