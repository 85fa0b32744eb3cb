"""Pieces every annotation reader shares: the result type, file checks, cheap JSON sniffing."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..._heavy import pandas as pd
from ..._validate.labels import first_unhashable_row
from ...errors import AnnotationError, DataFileError, MissingColumnError
from ..json_records import json_records
from ..paths import require_file
from ..tables import not_utf8_error

__all__ = [
    "COLUMNS",
    "Annotations",
    "check_file",
    "clear_cache",
    "first_nested",
    "first_record",
    "json_document",
    "read_jsonl_records",
    "require_key",
]

COLUMNS = ("item", "annotator", "label")
_JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class Annotations:
    """Answers read from an annotation export, with what was dropped on the way.

    Attributes
    ----------
    answers : DataFrame
        One row per answer, columns ``item``, ``annotator``, ``label`` (in file order).
    format : str
        The format read: ``"long"``, ``"labelstudio"``, ``"labelstudio-min"``, ``"mturk"`` or
        ``"prodigy"``.
    source : str
        The file read.
    n_records : int
        Answers found in the file before anything was dropped (Label Studio: annotations,
        cancelled ones included; MTurk: assignments; Prodigy: lines; long: rows).
    n_cancelled : int
        Annotations cancelled or skipped in Label Studio (``was_cancelled``), dropped.
    dropped : dict
        Reason -> number of records dropped for it (``cancelled``, ``rejected``, ``ignored``,
        ``empty``, ``multiple_choices``, ``no_choice``).
    items_without_answers : tuple
        Items of the file whose every record was dropped (long tables and votes files): they have no
        answer left, so no aggregated label; ``summary()`` names the first 20.
    """

    answers: pd.DataFrame
    format: str
    source: str
    n_records: int
    n_cancelled: int = 0
    dropped: Mapping[str, int] = field(default_factory=dict)
    items_without_answers: tuple[Any, ...] = ()

    @property
    def n_answers(self) -> int:
        """Answers kept."""
        return int(self.answers.shape[0])

    @property
    def n_dropped(self) -> int:
        """Records dropped for any reason (cancelled ones included)."""
        return int(sum(self.dropped.values()))

    def summary(self) -> dict[str, Any]:
        """What was read, as a JSON-ready dict."""
        return {
            "format": self.format,
            "source": self.source,
            "n_records": int(self.n_records),
            "n_answers": self.n_answers,
            "n_cancelled": int(self.n_cancelled),
            "n_dropped": self.n_dropped,
            "dropped": {k: int(v) for k, v in sorted(self.dropped.items())},
            "n_items_without_answers": len(self.items_without_answers),
            "items_without_answers": [str(i) for i in self.items_without_answers[:20]],
        }

    def to_frame(self) -> pd.DataFrame:
        """A copy of the long table (item, annotator, label)."""
        return self.answers.copy()


def load_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8-sig") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"annotation file {str(path)!r}: line {exc.lineno} is not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise not_utf8_error(path, "annotation file") from None


def first_json_line(path: Path) -> tuple[int, Any] | None:
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    return number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataFileError(
                        f"annotation file {str(path)!r}: line {number} is not valid JSON ({exc.msg})"
                    ) from None
    return None


def check_file(path: str | os.PathLike) -> Path:
    p = require_file(path, parameter="path", kind="annotation file")
    if p.stat().st_size == 0:
        raise DataFileError(f"annotation file {str(p)!r} is empty")
    return p


def looks_like_jsonl(p: Path) -> bool:
    with p.open(encoding="utf-8-sig", errors="replace") as fh:
        lines = [line for _, line in zip(range(3), fh, strict=False) if line.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
        return True
    except json.JSONDecodeError:
        return False


def is_json_document(path: Path) -> bool:
    """A ``.json`` file holding one JSON document (a list or an object), not JSON Lines."""
    if path.suffix.lower() != ".json":
        return False
    with path.open(encoding="utf-8-sig", errors="replace") as fh:
        head = fh.read(64).lstrip()
    return head.startswith("[") or (head.startswith("{") and not looks_like_jsonl(path))


def is_json_lines(path: Path) -> bool:
    """A ``.jsonl``/``.ndjson`` file, or a ``.json`` file that is JSON Lines."""
    suffix = path.suffix.lower()
    return suffix in _JSONL_SUFFIXES or (suffix == ".json" and not is_json_document(path))


# One parsed document, so that recognising a format and reading it parse a large export once.
_CACHE: dict[tuple[str, int, int], Any] = {}


def json_document(path: Path) -> Any:
    """The parsed JSON document of ``path`` (a one-entry cache keyed by path, size and mtime)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _CACHE:
        _CACHE.clear()
        _CACHE[key] = load_json(path)
    return _CACHE[key]


def clear_cache() -> None:
    """Forget the document kept by :func:`json_document`."""
    _CACHE.clear()


def first_record(path: Path) -> dict[str, Any] | None:
    """The first record of a JSON Lines file when it is a JSON object, else None."""
    first = first_json_line(path)
    return first[1] if first is not None and isinstance(first[1], dict) else None


def json_kind(data: Any) -> str | None:
    """``labelstudio`` / ``labelstudio-min`` / ``long`` for a parsed JSON document, or None."""
    records = data if isinstance(data, list) else [data]
    first = next((r for r in records if isinstance(r, dict)), None)
    if first is None:
        return None
    if "annotations" in first or "completions" in first:
        return "labelstudio"
    if "annotator" in first and ("annotation_id" in first or ("id" in first and "item" not in first)):
        return "labelstudio-min"
    return "long"


def frame_of(item: Any, annotator: Any, label: Any) -> pd.DataFrame:
    return pd.DataFrame({"item": item, "annotator": annotator, "label": label})


def empty_label(values: pd.Series) -> np.ndarray:
    """Missing labels: null, or a string that is blank."""
    missing = values.isna().to_numpy().copy()  # pandas may hand out a read-only view
    if values.dtype == object:
        as_str = values.astype(str).str.strip()
        missing |= (as_str == "").to_numpy() & values.map(lambda v: isinstance(v, str)).to_numpy()
    elif pd.api.types.is_string_dtype(values.dtype):  # pandas' str columns: every value is a string or null
        missing |= (values.str.strip() == "").fillna(False).to_numpy(dtype=bool)
    return missing


def integer_labels(kept: pd.DataFrame) -> pd.DataFrame:
    """``kept`` (the answers left when empty ones are dropped) with a float label column of whole
    numbers made int64 again: a missing label had turned the integer column into floats."""
    lab = kept["label"]
    if lab.dtype.kind == "f" and np.all(np.mod(lab.to_numpy(), 1) == 0):
        kept["label"] = lab.astype(np.int64)
    return kept


def require_ids(frame: pd.DataFrame, path: Path, where: str, first_line: int = 2) -> None:
    """Null item or annotator ids are an error naming the first offending row, and so is a list or
    an object (nested JSON) as an item, annotator or label, which cannot be counted."""
    for col in ("item", "annotator"):
        null = frame[col].isna().to_numpy()
        if null.any():
            row = int(np.flatnonzero(null)[0])
            raise AnnotationError(
                f"annotation file {str(path)!r}: the {col} id must not be empty, {where} {row + first_line} has none"
            )
    found = first_nested(frame, ("item", "annotator", "label"))
    if found is not None:
        col, row, value = found
        raise AnnotationError(
            f"annotation file {str(path)!r}: the {col} must be a single value (a string or a number), "
            f"{where} {row + first_line} holds a {type(value).__name__} ({value!r})"
        )


def first_nested(frame: pd.DataFrame, columns: tuple[str, ...]) -> tuple[str, int, Any] | None:
    """The first value of ``columns`` that cannot be hashed (a list or a dict from nested JSON) as
    (column, row position, value), or None."""
    for col in columns:
        row = first_unhashable_row(frame[col])
        if row is not None:
            return col, row, frame[col].iloc[row]
    return None


def read_jsonl_records(p: Path) -> list[Any]:
    numbers, records = json_records(p, kind="annotation file")
    for number, value in zip(numbers, records, strict=True):
        value["__line__"] = number
    if not records:
        raise DataFileError(f"annotation file {str(p)!r} holds no records")
    return records


def infer_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns of plain ints become int64, so ids compare equal to the same ids read from CSV."""
    return frame.infer_objects()


def require_key(path: Path, table: pd.DataFrame, option: str, key: str | None) -> None:
    """A column named by the user (``option=key``) must be a key of the records."""
    if key is not None and key not in table.columns:
        raise MissingColumnError(
            f"annotation file {str(path)!r}: {option} {key!r} is not a key; found {sorted(map(str, table.columns))}"
        )


def items_without_answers(items: pd.Series, kept: np.ndarray) -> tuple[Any, ...]:
    """The distinct ``items`` (in file order) none of whose rows is ``kept``."""
    lost = pd.unique(items[~kept].to_numpy())
    if not lost.size:
        return ()
    still = set(items[kept].to_numpy().tolist())
    return tuple(i for i in lost.tolist() if i not in still)
