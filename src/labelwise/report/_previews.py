"""Previews of examples: image thumbnails, pixel-column thumbnails, text snippets, feature values.

The kind of preview is chosen once per data table:

- ``image``: an image column of file paths (relative paths are taken from the data file's folder).
  Only existing files with an image suffix are ever read, so a crafted table cannot make the review
  server hand out other files.
- ``pixels``: 64 or 784 numeric columns named ``pixel_<i>`` (8x8 digits, 28x28 MNIST-like images).
- ``text``: the longest free-text column among the features.
- ``features``: the feature values otherwise.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["IMAGE_SUFFIXES", "Previewer", "data_uri", "png_bytes_from_array"]

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
    from PIL import Image

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


@dataclass
class Previewer:
    """Build previews for the rows of a data table.

    Parameters
    ----------
    data : DataFrame or None
        The original data table (None: no previews).
    label_column, image_column : str or None
    feature_columns : list of str
        The model's features (all other columns when empty).
    base_dir : Path or None
        Folder that relative image paths are taken from (the data file's folder).
    """

    data: pd.DataFrame | None
    label_column: str | None = None
    image_column: str | None = None
    feature_columns: list | None = None
    base_dir: Path | None = None

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

    def __post_init__(self) -> None:
        self.kind = "none"
        self._pixels: list[str] | None = None
        self._text: str | None = None
        self._features: list[str] = []
        self._lo = 0.0
        self._hi = 1.0
        if self.data is None:
            return
        cols = [str(c) for c in self.data.columns]
        others = [c for c in cols if c != self.label_column]
        features = [c for c in (self.feature_columns or []) if c in cols] or [
            c for c in others if c != self.image_column
        ]
        self._features = features
        if self.image_column and self.image_column in cols:
            self.kind = "image"
            return
        pixels = _pixel_columns(others)
        if pixels is not None and all(self.data[c].dtype.kind in "iufb" for c in pixels):
            # Kept in the table's own dtype (no float copy of a 784-column table); rows are
            # converted only when drawn.
            block = self.data[pixels].to_numpy()
            self._block = block
            self._pixels = pixels
            self._lo = float(np.nanmin(block)) if block.size else 0.0
            self._hi = float(np.nanmax(block)) if block.size else 1.0
            self.kind = "pixels"
            return
        text = self._find_text_column(features or others)
        if text is not None:
            self._text = text
            self.kind = "text"
            return
        self.kind = "features" if features else "none"

    def _find_text_column(self, columns: list[str]) -> str | None:
        best, best_len = None, 0.0
        for col in columns:
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

    @property
    def side(self) -> int:
        """Side length of a pixel-column image (8 or 28); 0 for other kinds."""
        return int(round(len(self._pixels) ** 0.5)) if self._pixels else 0

    @property
    def text_column(self) -> str | None:
        """The column shown as text, if any."""
        return self._text

    def pixel_array(self, rows: np.ndarray | list[int]) -> np.ndarray:
        """uint8 images of shape (len(rows), side, side); ink is dark (high values map to black)."""
        block = self._block[np.asarray(rows, dtype=np.int64)].astype(np.float64)
        span = (self._hi - self._lo) or 1.0
        scaled = np.clip((block - self._lo) / span, 0.0, 1.0)
        scaled = np.nan_to_num(scaled, nan=0.0)
        img = (255.0 * (1.0 - scaled)).round().astype(np.uint8)
        return img.reshape(len(img), self.side, self.side)

    def image_path(self, row: int) -> Path | None:
        """The image file of ``row`` when it exists and has an image suffix; otherwise None."""
        if self.kind != "image":
            return None
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
        """PNG bytes of a thumbnail of ``row`` (pixel columns or image file), or None."""
        if self.kind == "pixels":
            return png_bytes_from_array(self.pixel_array([row])[0])
        path = self.image_path(row)
        if path is None:
            return None
        try:
            from PIL import Image

            with Image.open(path) as im:
                im.thumbnail((max_side, max_side))
                if im.mode not in ("RGB", "RGBA", "L"):
                    im = im.convert("RGBA")
                buf = io.BytesIO()
                im.save(buf, format="PNG", optimize=True)
                return buf.getvalue()
        except Exception:  # unreadable or not an image: no thumbnail, the path is still shown
            return None

    def text(self, row: int, *, limit: int = 600) -> str | None:
        """The text of ``row`` (truncated to ``limit`` characters) for text data."""
        if self._text is None:
            return None
        value = self.data[self._text].iloc[int(row)]
        s = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
        return s if len(s) <= limit else s[: limit - 1] + "\u2026"

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

    def describe(self, row: int) -> dict:
        """A JSON-ready description of ``row``'s preview (without image bytes)."""
        info: dict[str, Any] = {"kind": self.kind}
        if self.kind in ("pixels", "image"):
            info["has_image"] = self.kind == "pixels" or self.image_path(row) is not None
            if self.kind == "image":
                info["path"] = str(self.data[self.image_column].iloc[int(row)])
        if self.kind == "text":
            info["text"] = self.text(row)
        if self.kind in ("features", "image", "text"):
            info["features"] = [
                [k, v] for k, v in self.features(row, limit=8 if self.kind != "features" else 12) if k != self._text
            ]
        return info

    @staticmethod
    def mime_of(path: Path) -> str:
        """MIME type of an image file by suffix."""
        return _MIME.get(path.suffix.lower(), "application/octet-stream")
