"""Box answers in COCO JSON files -> the long box table of :mod:`labelwise.aggregate.boxes`, and back.

A COCO file holds one annotator's (or one model's) boxes and no annotator field, so each file is
one annotator: :func:`read_coco_boxes` reads several files into one table (annotator = the file
name's stem, or the names given). Two shapes are read:

- a *labels* file: an object with ``annotations`` (``image_id``, ``category_id``, ``bbox``
  ``[x, y, width, height]``, optionally ``score``), and optionally ``images`` (``id``, ``width``,
  ``height``) and ``categories`` (``id``, ``name``): an annotation of an image or category the
  file does not list is refused;
- a *results* file: a list of ``{image_id, category_id, bbox, score}`` (one model's detections).

COCO's ``bbox`` is ``[x, y, width, height]``; the table holds ``x_min, y_min, x_max, y_max`` with
``x_max = x + width`` (the same floats COCO's own tools compute). :func:`coco_results` writes a
box table back as a COCO results list (``bbox`` = ``[x_min, y_min, x_max - x_min, y_max - y_min]``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._stage_progress import current_stage
from .._validate.arguments import show
from ..errors import DataFileError, InvalidParameterError
from .coco import load_coco_json
from .paths import require_file

__all__ = ["CocoBoxTable", "read_coco_boxes", "coco_results"]

#: The columns of :attr:`CocoBoxTable.boxes`, in order.
BOX_COLUMNS = ("image", "annotator", "label", "x_min", "y_min", "x_max", "y_max", "score")


@dataclass(frozen=True)
class CocoBoxTable:
    """Boxes read from COCO files.

    Attributes
    ----------
    boxes : pandas.DataFrame
        One row per box: ``image`` (COCO ``image_id``), ``annotator``, ``label`` (COCO
        ``category_id``), ``x_min, y_min, x_max, y_max`` and ``score`` (NaN where the files give none).
    images : pandas.DataFrame
        The images each file lists (``image``, ``annotator``, ``width``, ``height``; NaN where a
        size is not given): the (image, annotator) pairs that were labeled, boxes drawn or not.
    categories : dict
        COCO ``category_id`` -> name, from the files' ``categories`` (the id as text for one no
        file names; two files naming one id differently are refused).
    has_scores : bool
        Whether every box has a score.
    """

    boxes: pd.DataFrame
    images: pd.DataFrame
    categories: dict[Any, str]
    has_scores: bool

    def normalised(self) -> pd.DataFrame:
        """``boxes`` with coordinates divided by their image's width and height (WBF's [0, 1] frame).

        Raises
        ------
        DataFileError
            An image of a box has no width or height in any file's ``images``, or two files give it
            different sizes.
        """
        known = self.images.dropna(subset=["width", "height"])
        sizes = known.drop_duplicates("image").set_index("image")
        differ = known.groupby("image", sort=False)[["width", "height"]].nunique().max(axis=1) > 1
        if differ.any():
            image = differ.index[int(np.argmax(differ.to_numpy()))]
            given = known.loc[known["image"] == image, ["annotator", "width", "height"]]
            raise DataFileError(
                f"normalised boxes need one width and height per image, got image_id {show(image)} with "
                + ", ".join(f"{w:g}x{h:g} ({a})" for a, w, h in given.itertuples(index=False))
            )
        width = sizes["width"].reindex(self.boxes["image"]).to_numpy(dtype=np.float64)
        height = sizes["height"].reindex(self.boxes["image"]).to_numpy(dtype=np.float64)
        bad = ~(np.isfinite(width) & np.isfinite(height) & (width > 0) & (height > 0))
        if bad.any():
            image = self.boxes["image"].iloc[int(np.argmax(bad))]
            raise DataFileError(
                f"normalised boxes need each image's width and height (> 0) from a COCO file's 'images', "
                f"got none for image_id {show(image)}"
            )
        out = self.boxes.copy()
        for column, size in (("x_min", width), ("x_max", width), ("y_min", height), ("y_max", height)):
            out[column] = out[column].to_numpy() / size
        return out


def _ids(records: list, key: str, where: str) -> list:
    out = []
    for k, rec in enumerate(records):
        if not isinstance(rec, dict) or key not in rec:
            raise DataFileError(f"{where}[{k}] must be an object with the key {key!r}, got {show(rec)}")
        value = rec[key]
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise DataFileError(f"{where}[{k}] must have an integer or text {key!r}, got {show(value)}")
        out.append(value)
    return out


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return math.nan
    return float(value)


def _read_one(path: Path, parameter: str) -> tuple[list, dict, pd.DataFrame, np.ndarray]:
    """One file's boxes (records), categories (id -> name or None), images and a mask of the boxes with a score."""
    data = load_coco_json(path, parameter)
    name = f"{parameter}: {str(path)!r}"
    categories: dict[Any, str | None] = {}
    images = pd.DataFrame({"image": pd.Series([], dtype=object), "width": [], "height": []})
    if isinstance(data, list):
        records, what = data, "results list"
    elif isinstance(data, dict):
        if "annotations" not in data or not isinstance(data["annotations"], list):
            raise DataFileError(
                f"{name} must be a COCO results list or an object with an 'annotations' list, got an object "
                f"with keys {sorted(map(str, data))[:10]}"
            )
        records, what = data["annotations"], "annotations"
        if "categories" in data:
            cats = data["categories"] if isinstance(data["categories"], list) else [data["categories"]]
            ids = _ids(cats, "id", f"{name} categories")
            # None: listed without a name (named by its id unless another file names it)
            categories = {i: None if c.get("name") is None else str(c["name"]) for i, c in zip(ids, cats, strict=True)}
        if "images" in data:
            listed = data["images"] if isinstance(data["images"], list) else [data["images"]]
            ids = _ids(listed, "id", f"{name} images")
            images = pd.DataFrame(
                {
                    "image": pd.Series(ids, dtype=object),
                    "width": [_number(im.get("width")) for im in listed],
                    "height": [_number(im.get("height")) for im in listed],
                }
            )
    else:
        raise DataFileError(f"{name} must be a COCO results list or an object with 'annotations', got {show(data)}")
    for key in ("image_id", "category_id"):
        _ids(records, key, f"{name} {what}")
    for k, rec in enumerate(records):
        bbox = rec.get("bbox")
        if not isinstance(bbox, list) or len(bbox) != 4 or not all(math.isfinite(_number(v)) for v in bbox):
            raise DataFileError(
                f"{name} {what}[{k}] must have a 'bbox' of 4 numbers [x, y, width, height], got {show(bbox)}"
            )
        if not (bbox[2] > 0 and bbox[3] > 0):
            raise DataFileError(
                f"{name} {what}[{k}] must have a 'bbox' of positive width and height, got width {show(bbox[2])} "
                f"and height {show(bbox[3])}"
            )
        if "score" in rec and not (_number(rec["score"]) > 0):
            raise DataFileError(f"{name} {what}[{k}] must have a 'score' > 0, got {show(rec['score'])}")
    if categories:
        unknown = [k for k, rec in enumerate(records) if rec["category_id"] not in categories]
        if unknown:
            k = unknown[0]
            raise DataFileError(
                f"{name} {what}[{k}] must have a category_id of the file's categories {sorted(categories, key=str)[:20]}, "
                f"got {show(records[k]['category_id'])}"
            )
    if len(images):
        listed_ids = set(images["image"])
        unknown = [k for k, rec in enumerate(records) if rec["image_id"] not in listed_ids]
        if unknown:
            k = unknown[0]
            raise DataFileError(
                f"{name} {what}[{k}] must have an image_id of the file's images, got {show(records[k]['image_id'])}"
            )
    scored = np.array(["score" in rec for rec in records], dtype=bool)
    return records, categories, images, scored


def _refuse_ids_written_two_ways(
    frames: list[pd.DataFrame], images: list[pd.DataFrame], files: list[str], parameter: str
) -> None:
    """Refuse an image_id or category_id written as a number in one place and as text in another
    (``1`` and ``"1"``): they would be two images (or classes) whose boxes never meet."""
    for key, column in (("image_id", "image"), ("category_id", "label")):
        seen: dict[str, tuple[Any, str]] = {}
        for path, boxes, listed in zip(files, frames, images, strict=True):
            values = boxes[column] if key == "category_id" else pd.concat([boxes[column], listed[column]])
            for value in pd.unique(values.to_numpy(dtype=object)):
                first = seen.setdefault(str(value), (value, path))
                if isinstance(first[0], str) != isinstance(value, str):
                    (number, in_number), (text, in_text) = sorted(
                        [first, (value, path)], key=lambda pair: isinstance(pair[0], str)
                    )
                    raise DataFileError(
                        f"{parameter} must write each {key} one way, got {number!r} (a number) in {in_number!r} "
                        f"and {text!r} (text) in {in_text!r}: they would be two different "
                        f"{'images' if key == 'image_id' else 'categories'}; write them alike"
                    )


def read_coco_boxes(
    paths: Sequence[str | os.PathLike], *, annotator_names: Sequence[Any] | None = None, parameter: str = "paths"
) -> CocoBoxTable:
    """Read COCO files, one per annotator (or model), into one long box table.

    Parameters
    ----------
    paths : sequence of path-like
        COCO labels files (``annotations`` with ``bbox`` [x, y, width, height]) or COCO results
        lists (``image_id, category_id, bbox, score``); the shapes may be mixed.
    annotator_names : sequence, optional
        One name per file (default: each file name's stem, which must then differ).
    parameter : str, default "paths"
        How errors name ``paths`` (a command line says ``BOXES``).

    Returns
    -------
    CocoBoxTable
        ``boxes`` in the column order of ``image, annotator, label, x_min, y_min, x_max, y_max, score``.

    Raises
    ------
    InvalidParameterError
        No path, names that are not one per file or repeat.
    DataFileError
        A file that is missing, not JSON (the line and column are named), not COCO, or holds a box
        with a missing key, a bbox that is not 4 finite numbers or has a width or height <= 0, a
        score <= 0, a category_id or image_id the file's ``categories``/``images`` do not list,
        scores on some boxes and not on others, an image_id or category_id written as a number in
        one place and as text in another (``1`` and ``"1"``), or a category_id two files name
        differently.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "model_a.json").write_text(json.dumps(
    ...     [{"image_id": 1, "category_id": 3, "bbox": [10, 20, 30, 40], "score": 0.9}]))
    >>> read_coco_boxes([folder / "model_a.json"]).boxes[["annotator", "x_min", "x_max", "y_max"]]
      annotator  x_min  x_max  y_max
    0   model_a   10.0   40.0   60.0
    """
    if isinstance(paths, str | os.PathLike) or not isinstance(paths, Sequence) or len(paths) == 0:
        raise InvalidParameterError(f"{parameter} must be a list of one or more COCO files, got {show(paths)}")
    files = [require_file(p, parameter=parameter, kind="COCO JSON file") for p in paths]
    if annotator_names is None:
        names: list[Any] = [f.stem for f in files]
        what = "file names' stems (the annotators)"
    else:
        names = list(annotator_names)
        what = "annotator names"
        if len(names) != len(files):
            raise InvalidParameterError(
                f"annotator_names must give one name per file ({len(files)}), got {len(names)}: {show(names)}"
            )
    repeated = pd.Index(names)[pd.Index(names).duplicated()]
    if len(repeated):
        param = parameter if annotator_names is None else "annotator_names"
        raise InvalidParameterError(f"{param} must have distinct {what}, got {show(repeated[0])} twice")
    frames, images, scored = [], [], []
    categories: dict[Any, tuple[str, str] | None] = {}
    shown = current_stage()  # a command's bar for the reading, one unit per file
    for path, annotator in zip(files, names, strict=True):
        records, cats, listed, has_score = _read_one(path, parameter)
        if shown is not None:
            shown.advance()
        bbox = np.array([rec["bbox"] for rec in records], dtype=np.float64).reshape(-1, 4)
        frames.append(
            pd.DataFrame(
                {
                    "image": pd.Series([rec["image_id"] for rec in records], dtype=object),
                    "annotator": pd.Series([annotator] * len(records), dtype=object),
                    "label": pd.Series([rec["category_id"] for rec in records], dtype=object),
                    "x_min": bbox[:, 0],
                    "y_min": bbox[:, 1],
                    "x_max": bbox[:, 0] + bbox[:, 2],
                    "y_max": bbox[:, 1] + bbox[:, 3],
                    "score": [float(rec["score"]) if "score" in rec else math.nan for rec in records],
                }
            )
        )
        images.append(listed.assign(annotator=pd.Series([annotator] * len(listed), dtype=object)))
        _merge_categories(categories, cats, str(path), parameter)
        scored.append((str(path), has_score))
    _refuse_ids_written_two_ways(frames, images, [str(f) for f in files], parameter)
    some = [name for name, s in scored if s.any()]
    partial = [name for name, s in scored if len(s) and not s.all()]
    if some and (partial or len(some) < sum(len(s) > 0 for _, s in scored)):
        unscored = partial[0] if partial else next(name for name, s in scored if len(s) and not s.any())
        raise DataFileError(
            f"{parameter} must give a 'score' for every box or for none, got scores in {some[0]!r} and a box "
            f"without one in {unscored!r}"
        )
    boxes = pd.concat(frames, ignore_index=True).loc[:, list(BOX_COLUMNS)]
    sizes = pd.concat(images, ignore_index=True).loc[:, ["image", "annotator", "width", "height"]]
    named = {i: str(i) if c is None else c[0] for i, c in categories.items()}
    return CocoBoxTable(boxes, sizes, named, bool(some))


def _merge_categories(
    seen: dict[Any, tuple[str, str] | None], cats: dict[Any, str | None], path: str, parameter: str
) -> None:
    """Add one file's categories to ``seen`` (id -> (name, file) or None), refusing an id named two ways."""
    for i, name in cats.items():
        first = seen.get(i)
        if name is None:
            seen.setdefault(i, None)
        elif first is None:
            seen[i] = (name, path)
        elif first[0] != name:
            raise DataFileError(
                f"{parameter} must name each category_id one way, got category_id {show(i)} named "
                f"{first[0]!r} in {first[1]!r} and {name!r} in {path!r}"
            )


def coco_results(
    boxes: pd.DataFrame,
    *,
    image_col: str = "image",
    label_col: str = "label",
    coord_cols: Sequence[str] = ("x_min", "y_min", "x_max", "y_max"),
    score_col: str = "score",
) -> list[dict[str, Any]]:
    """A box table as a COCO results list: ``image_id``, ``category_id``, ``bbox`` [x, y, width, height], ``score``.

    Ids are written as they are (numpy integers as JSON integers); ``bbox`` is
    ``[x_min, y_min, x_max - x_min, y_max - y_min]``.
    """
    xy = boxes.loc[:, list(coord_cols)].to_numpy(dtype=np.float64)
    bbox = np.column_stack([xy[:, :2], xy[:, 2:] - xy[:, :2]]).tolist()
    images = [v.item() if isinstance(v, np.generic) else v for v in boxes[image_col]]
    labels = [v.item() if isinstance(v, np.generic) else v for v in boxes[label_col]]
    scores = boxes[score_col].to_numpy(dtype=np.float64).tolist()
    return [
        {"image_id": i, "category_id": c, "bbox": b, "score": s}
        for i, c, b, s in zip(images, labels, bbox, scores, strict=True)
    ]
