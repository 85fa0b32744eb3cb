"""The files of ``labelwise corrupt``: where it writes, checked first, and a copy of DATA with only the labels changed.

``--out noisy.csv`` writes three files together (all or none, :func:`labelwise.io.files_together`):
``noisy.csv`` (DATA, its label column corrupted), ``noisy.truth.csv`` (one row per row of DATA: its id
or row number, the true and the written label, whether it changed) and ``noisy.summary.json``. The
table keeps DATA's format where the suffixes are of one family: a CSV (or TSV, or text) file is
copied cell by cell as text, so a number keeps its digits (``0.1`` stays ``0.1``, ``007`` stays
``007``) and an empty cell stays empty; a Parquet file keeps its column types. Across families
(CSV in, Parquet out) the table is written as the commands read it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ..io.atomic import atomic_write

#: Output suffixes, by family.
_TEXT = {".csv": ",", ".tsv": "\t"}
_PARQUET = {".parquet", ".pq"}
_JSONL = {".jsonl", ".ndjson"}
WRITERS = (*_TEXT, *sorted(_PARQUET), *sorted(_JSONL))
#: Input suffixes read as delimited text (``.txt``: delimiter sniffed, as ``labelwise.io.read_table`` does).
_TEXT_IN = {".csv": ",", ".tsv": "\t", ".txt": None}


def output_paths(out: Path, data: Path, force: bool) -> dict[str, Path]:
    """The table's, the truth file's and the summary's paths, checked before DATA is read.

    Raises
    ------
    InvalidParameterError
        ``--out`` has a suffix no writer takes; one of the three is DATA itself (``--force`` or not);
        or one exists and ``force`` is off.
    """
    suffix = out.suffix.lower()
    if suffix not in WRITERS:
        raise InvalidParameterError(f"--out must end in one of {list(WRITERS)}, got {str(out)!r}")
    paths = {
        "table": out,
        "truth": out.with_name(f"{out.stem}.truth{out.suffix}"),
        "summary": out.with_name(f"{out.stem}.summary.json"),
    }
    for role, path in paths.items():
        if _same_file(path, data):
            what = "--out" if role == "table" else f"the {role} file of --out ({path.name})"
            raise InvalidParameterError(
                f"{what} must not be DATA itself, got {str(path)!r}: the corrupted copy would replace your data; "
                "choose another --out (nothing was written)"
            )
    existing = [str(p) for p in paths.values() if p.exists()]
    if existing and not force:
        raise InvalidParameterError(
            f"--out {str(out)!r} would replace {', '.join(repr(p) for p in existing)}; pass --force to replace "
            "them, or choose another --out"
        )
    return paths


def _same_file(path: Path, data: Path) -> bool:
    try:
        return path.resolve() == data.resolve() or (path.exists() and os.path.samefile(path, data))
    except OSError:
        return False


def copies_cells(data: Path, out: Path) -> bool:
    """Whether DATA is copied cell by cell as text: both are delimited text files."""
    return data.suffix.lower() in _TEXT_IN and out.suffix.lower() in _TEXT


def raw_cells(data: Path, n_rows: int) -> pd.DataFrame:
    """DATA's cells as written (every one a string, an empty cell ``""``), as many rows as the typed read."""
    suffix = data.suffix.lower()
    sep = _TEXT_IN[suffix]
    frame = pd.read_csv(
        data,
        sep=sep,
        engine="python" if sep is None else "c",
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        encoding="utf-8-sig",
    )
    if len(frame) != n_rows:  # blank lines are skipped by both reads; anything else is a bug to report
        raise InvalidParameterError(
            f"DATA {str(data)!r} read as {n_rows} rows but as text {len(frame)}: write it with --out .parquet instead"
        )
    return frame


def text_labels(raw: pd.Series, codes: np.ndarray, new_codes: np.ndarray) -> pd.Series:
    """The label column's cells after the flips: a flipped row gets the text its new class is written
    with in DATA (the first row of that class), every other row keeps its own."""
    first = np.full(int(max(codes.max(), new_codes.max())) + 1, -1, dtype=np.int64)
    rows = np.arange(codes.size)[::-1]
    first[codes[::-1]] = rows  # the last write wins: the first row of each class
    out = raw.to_numpy(dtype=object, copy=True)
    changed = new_codes != codes
    out[changed] = raw.to_numpy(dtype=object)[first[new_codes[changed]]]
    return pd.Series(out, index=raw.index, name=raw.name)


def typed_labels(column: pd.Series, noisy: np.ndarray) -> pd.Series:
    """The corrupted labels in the column's own dtype (a category stays a category, ``Int64`` stays ``Int64``)."""
    series = pd.Series(noisy, index=column.index, name=column.name)
    try:
        return series.astype(column.dtype)
    except (TypeError, ValueError):
        return series


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` atomically in the format of ``path``'s suffix (one of :data:`WRITERS`)."""
    suffix = path.suffix.lower()
    if suffix in _PARQUET:
        with atomic_write(path, "wb") as fh:
            frame.to_parquet(fh, index=False)
    elif suffix in _JSONL:
        with atomic_write(path, "w") as fh:
            frame.to_json(fh, orient="records", lines=True, force_ascii=False)
    else:
        with atomic_write(path, "w") as fh:
            frame.to_csv(fh, index=False, sep=_TEXT[suffix])
