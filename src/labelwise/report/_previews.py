"""Previews of examples: image thumbnails, pixel-column thumbnails, text snippets, feature values.

The kind of preview is chosen once per data table, and each kind is one :class:`Previewer`
subclass (listed in :data:`PREVIEWERS`, tried in order; the first that accepts the table wins):

- ``image``: an image column of file paths (relative paths are taken from the data file's folder).
  Only existing files with an image suffix are ever read, so a crafted table cannot make the review
  server hand out other files.
- ``pixels``: 64 or 784 numeric columns named ``pixel_<i>`` (8x8 digits, 28x28 MNIST-like images).
- ``text``: the longest free-text column among the features.
- ``features``: the feature values otherwise.
- ``none``: no data table (or no feature column).

``Previewer(data, ...)`` returns an instance of the right subclass. The report, the review
page and the exports ask the previewer what to show (``shows_image``, ``shows_features``,
``media``...) and never compare kinds as strings.
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._extras import require

__all__ = [
    "IMAGE_SUFFIXES",
    "PREVIEWERS",
    "FeaturePreviewer",
    "ImagePreviewer",
    "NoPreviewer",
    "PixelPreviewer",
    "Previewer",
    "TextPreviewer",
    "data_uri",
    "png_bytes_from_array",
]

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
_PIXEL_RE = re.compile(r"^pixel_?(\d+)$")
_MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
}


def data_uri(payload: bytes, mime: str = "image/png") -> str:
    """``data:`` URI of ``payload`` (base64)."""
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def png_bytes_from_array(pixels: np.ndarray) -> bytes:
    """Encode a 2-D uint8 array as a grayscale PNG."""
    Image = require("PIL.Image", "drawing pixel previews")
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels, dtype=np.uint8), mode="L").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _pixel_columns(columns: list[str]) -> list[str] | None:
    found = []
    for col in columns:
        m = _PIXEL_RE.match(str(col))
        if m:
            found.append((int(m.group(1)), str(col)))
    if len(found) not in (64, 784):
        return None
    found.sort()
    if [i for i, _ in found] != list(range(found[0][0], found[0][0] + len(found))):
        return None
    return [c for _, c in found]


class Previewer:
    """Build previews for the rows of a data table; ``Previewer(...)`` picks the subclass of its kind.

    Parameters
    ----------
    data : DataFrame or None
        The original data table (None: no previews).
    label_column, image_column : str or None
    feature_columns : list of str
        The model's features (all other columns when empty).
    base_dir : Path or None
        Folder that relative image paths are taken from (the data file's folder).

    Attributes
    ----------
    kind : str
        ``"image"``, ``"pixels"``, ``"text"``, ``"features"`` or ``"none"`` (sent to the review
        page's script as is).
    """

    kind: ClassVar[str] = "none"
    #: A thumbnail is drawn for each example (pixel columns or an image file).
    shows_image: ClassVar[bool] = False
    #: Feature values are listed beside the preview.
    shows_features: ClassVar[bool] = False
    #: Features listed in a card by :meth:`describe`.
    feature_limit: ClassVar[int] = 8
    #: What a Label Studio task shows: ``"image"`` or ``"text"`` (see :meth:`media_value`).
    media: ClassVar[str] = "text"
    #: Shown instead of a preview, when there is none.
    placeholder: ClassVar[str | None] = None

    def __new__(cls, data: pd.DataFrame | None = None, *args: Any, **kwargs: Any) -> Previewer:
        if cls is Previewer:
            table = _Table.of(data, *args, **kwargs)
            cls = next(kind for kind in PREVIEWERS if kind.accepts(table))
        return super().__new__(cls)

    def __init__(
        self,
        data: pd.DataFrame | None,
        label_column: str | None = None,
        image_column: str | None = None,
        feature_columns: list | None = None,
        base_dir: Path | None = None,
    ) -> None:
        self.data: Any = data  # a DataFrame for every kind but NoPreviewer
        self.label_column = label_column
        self.image_column = image_column
        self.feature_columns = feature_columns
        self.base_dir = base_dir
        self._table = _Table.of(data, label_column, image_column, feature_columns)
        self._features = self._table.features

    @classmethod
    def accepts(cls, table: _Table) -> bool:
        """Whether this kind of preview suits ``table`` (the first kind in :data:`PREVIEWERS` that does wins)."""
        return True

    @classmethod
    def from_audit(cls, audit: Any) -> Previewer:
        """The previewer of an audit's data table (an :class:`AuditOutput` from ``load_audit``):
        its label, image and feature columns, images taken relative to the data file's folder."""
        return cls(
            audit.data,
            label_column=audit.label_column,
            image_column=audit.image_column,
            feature_columns=audit.feature_columns,
            base_dir=audit.data_path.parent if audit.data_path else None,
        )

    @property
    def side(self) -> int:
        """Side length of a pixel-column image (8 or 28); 0 for other kinds."""
        return 0

    @property
    def text_column(self) -> str | None:
        """The column shown as text, if any."""
        return None

    def image_path(self, row: int) -> Path | None:
        """The image file of ``row`` when it exists and has an image suffix; otherwise None."""
        return None

    def thumbnail_png(self, row: int, *, max_side: int = 128) -> bytes | None:
        """PNG bytes of a thumbnail of ``row`` (pixel columns or image file), or None."""
        return None

    def image_source(self, row: int) -> bytes | Path | None:
        """What the review page serves as ``row``'s image: PNG bytes, an image file, or None."""
        return None

    def text(self, row: int, *, limit: int = 600) -> str | None:
        """The text of ``row`` (truncated to ``limit`` characters) for text data."""
        return None

    def features(self, row: int, *, limit: int = 12) -> list[tuple[str, Any]]:
        """Up to ``limit`` (name, value) pairs of ``row``'s features."""
        if self.data is None:
            return []
        cols = self._features[:limit]
        values = self.data.iloc[int(row)][cols].tolist() if cols else []
        out = []
        for col, v in zip(cols, values, strict=True):
            if isinstance(v, (float, np.floating)):
                v = float(v)
                v = round(v, 4) if np.isfinite(v) else str(v)
            elif isinstance(v, np.generic):
                v = v.item()
            out.append((col, v))
        return out

    def media_value(self, row: int) -> str:
        """``row`` as one Label Studio data value of type :attr:`media` (features as ``name=value`` text)."""
        return ", ".join(f"{k}={_plain(v)}" for k, v in self.features(row, limit=50))

    def describe(self, row: int) -> dict:
        """A JSON-ready description of ``row``'s preview (without image bytes)."""
        info: dict[str, Any] = {"kind": self.kind}
        if self.shows_features:
            info["features"] = [
                [k, v] for k, v in self.features(row, limit=self.feature_limit) if k != self.text_column
            ]
        return info

    @staticmethod
    def mime_of(path: Path) -> str:
        """MIME type of an image file by suffix."""
        return _MIME.get(path.suffix.lower(), "application/octet-stream")


class _Table:
    """The columns of a data table that the kinds of preview look at."""

    def __init__(self, data: pd.DataFrame | None, label_column: str | None, image_column: str | None, feature_columns):
        self.data: Any = data
        self.image_column = image_column
        self.columns = [str(c) for c in data.columns] if data is not None else []
        self.others = [c for c in self.columns if c != label_column]
        self.features = [c for c in (feature_columns or []) if c in self.columns] or [
            c for c in self.others if c != image_column
        ]

    @classmethod
    def of(
        cls,
        data: pd.DataFrame | None,
        label_column: str | None = None,
        image_column: str | None = None,
        feature_columns: list | None = None,
        base_dir: Path | None = None,
    ) -> _Table:
        return cls(data, label_column, image_column, feature_columns)

    def pixel_columns(self) -> list[str] | None:
        """64 or 784 consecutive numeric ``pixel_<i>`` columns, in order; None otherwise."""
        pixels = _pixel_columns(self.others)
        if pixels is None or not all(self.data[c].dtype.kind in "iufb" for c in pixels):
            return None
        return pixels

    def text_column(self) -> str | None:
        """The longest free-text column among the features (mean length >= 20 or >= 3 words)."""
        best, best_len = None, 0.0
        for col in self.features or self.others:
            series = self.data[col]
            if series.dtype.kind not in "OSU" and not isinstance(series.dtype, pd.StringDtype):
                continue
            sample = series.dropna().astype(str).head(500)
            if sample.empty:
                continue
            mean_len = float(sample.str.len().mean())
            words = float(sample.str.count(r"\s+").mean()) + 1
            if (mean_len >= 20 or words >= 3) and mean_len > best_len:
                best, best_len = col, mean_len
        return best


class ImagePreviewer(Previewer):
    """Thumbnails of the image files named in ``image_column``, with a few feature values."""

    kind = "image"
    shows_image = True
    shows_features = True
    media = "image"

    @classmethod
    def accepts(cls, table: _Table) -> bool:
        return bool(table.image_column) and table.image_column in table.columns

    def image_path(self, row: int) -> Path | None:
        value = self.data[self.image_column].iloc[int(row)]
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        p = Path(str(value)).expanduser()
        candidates = [p] if p.is_absolute() else ([self.base_dir / p] if self.base_dir else []) + [p]
        for cand in candidates:
            try:
                resolved = cand.resolve()
            except (OSError, RuntimeError):
                continue
            if resolved.suffix.lower() in IMAGE_SUFFIXES and resolved.is_file():
                return resolved
        return None

    def thumbnail_png(self, row: int, *, max_side: int = 128) -> bytes | None:
        path = self.image_path(row)
        if path is None:
            return None
        Image = require("PIL.Image", "image thumbnails")  # a missing Pillow is said, not taken for a bad image
        try:
            with Image.open(path) as im:
                im.thumbnail((max_side, max_side))
                shown = im if im.mode in ("RGB", "RGBA", "L") else im.convert("RGBA")
                buf = io.BytesIO()
                shown.save(buf, format="PNG", optimize=True)
                return buf.getvalue()
        except Exception:  # unreadable or not an image: no thumbnail, the path is still shown
            return None

    def image_source(self, row: int) -> bytes | Path | None:
        return self.image_path(row)

    def media_value(self, row: int) -> str:
        path = self.image_path(row)
        return str(path) if path is not None else self.raw_path(row)

    def raw_path(self, row: int) -> str:
        """The image column's value for ``row``, as written in the table."""
        return str(self.data[self.image_column].iloc[int(row)])

    def describe(self, row: int) -> dict:
        info = {"kind": self.kind, "has_image": self.image_path(row) is not None, "path": self.raw_path(row)}
        info.update(super().describe(row))
        return info


class PixelPreviewer(Previewer):
    """Images drawn from 64 or 784 ``pixel_<i>`` columns (8x8 digits, 28x28 MNIST-like)."""

    kind = "pixels"
    shows_image = True
    media = "image"

    @classmethod
    def accepts(cls, table: _Table) -> bool:
        return table.data is not None and table.pixel_columns() is not None

    def __init__(self, data: pd.DataFrame | None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self._pixels: list[str] = self._table.pixel_columns() or []
        # Kept in the table's own dtype (no float copy of a 784-column table); rows are
        # converted only when drawn.
        block = self.data[self._pixels].to_numpy()
        self._block = block
        self._lo = float(np.nanmin(block)) if block.size else 0.0
        self._hi = float(np.nanmax(block)) if block.size else 1.0

    @property
    def side(self) -> int:
        return int(round(len(self._pixels) ** 0.5))

    def pixel_array(self, rows: np.ndarray | list[int]) -> np.ndarray:
        """uint8 images of shape (len(rows), side, side); ink is dark (high values map to black)."""
        block = self._block[np.asarray(rows, dtype=np.int64)].astype(np.float64)
        span = (self._hi - self._lo) or 1.0
        scaled = np.clip((block - self._lo) / span, 0.0, 1.0)
        scaled = np.nan_to_num(scaled, nan=0.0)
        img = (255.0 * (1.0 - scaled)).round().astype(np.uint8)
        return img.reshape(len(img), self.side, self.side)

    def thumbnail_png(self, row: int, *, max_side: int = 128) -> bytes | None:
        return png_bytes_from_array(self.pixel_array([row])[0])

    def image_source(self, row: int) -> bytes | Path | None:
        return self.thumbnail_png(row)

    def media_value(self, row: int) -> str:
        return data_uri(png_bytes_from_array(self.pixel_array([row])[0]))

    def describe(self, row: int) -> dict:
        return {"kind": self.kind, "has_image": True}


class TextPreviewer(Previewer):
    """The text of the longest free-text column, with a few other feature values."""

    kind = "text"
    shows_features = True

    @classmethod
    def accepts(cls, table: _Table) -> bool:
        return table.data is not None and table.text_column() is not None

    def __init__(self, data: pd.DataFrame | None, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self._text = self._table.text_column()

    @property
    def text_column(self) -> str | None:
        return self._text

    def text(self, row: int, *, limit: int = 600) -> str | None:
        value = self.data[self._text].iloc[int(row)]
        s = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        return s if len(s) <= limit else s[: limit - 1] + "\u2026"

    def media_value(self, row: int) -> str:
        return self.text(row, limit=100_000) or ""

    def describe(self, row: int) -> dict:
        info = {"kind": self.kind, "text": self.text(row)}
        info.update(super().describe(row))
        return info


class FeaturePreviewer(Previewer):
    """The feature values of the example."""

    kind = "features"
    shows_features = True
    feature_limit = 12

    @classmethod
    def accepts(cls, table: _Table) -> bool:
        return table.data is not None and bool(table.features)


class NoPreviewer(Previewer):
    """No data table (or nothing in it to show)."""

    kind = "none"
    placeholder = "no preview: data table not found, or changed since the audit"


#: The kinds of preview, in the order they are tried on a data table.
PREVIEWERS: tuple[type[Previewer], ...] = (ImagePreviewer, PixelPreviewer, TextPreviewer, FeaturePreviewer, NoPreviewer)


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: numpy scalars as Python ones, non-finite floats as None."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
