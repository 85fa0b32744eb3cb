"""The files of ``labelwise corrupt``: where it writes, checked first, and a copy of DATA with only the labels changed.

``--out noisy.csv`` writes three files together (all or none, :func:`labelwise.io.files_together`):
``noisy.csv`` (DATA, its label column corrupted), ``noisy.truth.csv`` (one row per row of DATA: its id
or row number, the true and the written label, whether it changed) and ``noisy.summary.json``. The
table keeps DATA's format where the suffixes are of one family: a CSV (or TSV, or text) file is
copied cell by cell as text, so a number keeps its digits (``0.1`` stays ``0.1``, ``007`` stays
``007``) and an empty cell stays empty; a Parquet file keeps its column types. Across families
(CSV in, Parquet out) the table is written as the commands read it. One stem has one summary: a run
to ``noisy.parquet`` replaces a run to ``noisy.csv`` whole (:func:`other_run`).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._heavy import pyarrow as pa
from .._heavy import pyarrow_csv as pa_csv
from ..errors import InvalidParameterError
from ..io.atomic import TABLE_FORMATS, atomic_write, written_suffix
from ..io.atomic import write_table as io_write_table
from ..io.delimiter import csv_delimiter, is_csv
from ..io.plain_text import COMPRESSIONS, compressed_writer, plain_text, shown_as

#: Output suffixes, by family.
_TEXT = {".csv": ",", ".tsv": "\t"}
WRITERS = tuple(TABLE_FORMATS)


def output_paths(out: Path, data: Path, force: bool) -> dict[str, Path]:
    """The table's, the truth file's and the summary's paths, checked before DATA is read.

    Raises
    ------
    InvalidParameterError
        ``--out`` has a suffix no writer takes; one of the three is DATA itself (``--force`` or not);
        or one exists and ``force`` is off.
    """
    suffix = written_suffix(out)
    if suffix is None:
        raise InvalidParameterError(
            f"--out must end in one of {list(WRITERS)}, each but Parquet also compressed (e.g. .csv.gz), "
            f"got {str(out)!r}"
        )
    stem = out.name[: -len(suffix)]
    paths = {
        "table": out,
        "truth": out.with_name(f"{stem}.truth{suffix}"),
        "summary": out.with_name(f"{stem}.summary.json"),
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
        other = other_run(paths)
        of_other = (
            f" ({paths['summary'].name} is the summary of {' and '.join(p.name for p in other)}, an earlier run with "
            "this stem: --force replaces that run and removes them)"
            if other
            else ""
        )
        raise InvalidParameterError(
            f"--out {str(out)!r} would replace {', '.join(repr(p) for p in existing)}{of_other}; pass --force to "
            "replace them, or choose another --out"
        )
    return paths


def other_run(paths: dict[str, Path]) -> list[Path]:
    """The table and truth file of an earlier run whose ``--out`` had the same stem and another suffix
    (``noisy.csv`` before ``--out noisy.parquet``): the summary they share (``noisy.summary.json``)
    names them. Replacing the summary supersedes that run, so that no table is left beside a summary
    of another (:func:`labelwise.io.files_together`'s ``supersedes``). Only files beside ``--out``
    that the summary names as its ``out`` and ``truth`` are returned; none when the summary is not
    one of corrupt's."""
    try:
        summary = json.loads(paths["summary"].read_text(encoding="utf-8"))
        named = {Path(str(summary[key])).name for key in ("out", "truth")}
    except (OSError, ValueError, TypeError, KeyError):
        return []
    folder = paths["table"].parent
    stem = paths["summary"].name[: -len(".summary.json")]
    own = {paths["table"].name, paths["truth"].name}
    found = []
    for name in named - own:
        suffix = written_suffix(name)
        if suffix and name[: -len(suffix)] in (stem, f"{stem}.truth") and (folder / name).is_file():
            found.append(folder / name)
    return sorted(found)


def _same_file(path: Path, data: Path) -> bool:
    try:
        return path.resolve() == data.resolve() or (path.exists() and os.path.samefile(path, data))
    except OSError:
        return False


def copies_cells(data: Path, out: Path) -> bool:
    """Whether DATA is copied cell by cell as text: both are delimited text files."""
    return is_csv(data) and _format(out) in _TEXT


def _format(out: Path) -> str:
    """The format suffix of an output name :func:`written_suffix` takes (``noisy.tsv.gz`` -> ``.tsv``)."""
    return out.suffix.lower() if out.suffix.lower() not in COMPRESSIONS else Path(out.stem).suffix.lower()


#: A table's cells as written, column by column (every cell a string, an empty cell ``""``): Arrow's
#: strings as read (converted to Python's block by block when written), or an array of them.
Cells = dict[str, "pa.ChunkedArray | np.ndarray"]
#: Cells of :data:`Cells` converted to Python strings and written at a time (65,536 rows of 8 columns;
#: fewer rows of a wide table, such as images of 784 pixel columns).
_BLOCK_CELLS = 1 << 19


def raw_cells(data: Path, n_rows: int, *, typed: pd.DataFrame | None = None, out: Path | None = None) -> Cells:
    """DATA's cells as written, as many rows as the typed read (Arrow's parser; pandas' where Arrow
    cannot parse the file); with ``typed`` (DATA as the commands read it) and ``out``, the numbers
    written with commas as ``out``'s delimiter reads them (:func:`numbers_for`)."""
    shown, data = data, plain_text(data)  # a compressed or UTF-16 file: its decoded copy
    with shown_as(data, shown):
        sep = csv_delimiter(data)  # .txt: the delimiter read_table guessed
    names = [str(c) for c in pd.read_csv(data, sep=sep, nrows=0, encoding="utf-8-sig").columns]
    cells: Cells | None = None
    with contextlib.suppress(pa.ArrowInvalid):
        table = pa_csv.read_csv(
            data,
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
        cells = {name: table.column(name) for name in names}
    if cells is None:
        frame = pd.read_csv(
            data, sep=sep, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig", index_col=False
        )
        cells = {str(name): frame[name].to_numpy(dtype=object) for name in frame.columns}
    found = len(next(iter(cells.values())))
    if found != n_rows:  # both reads skip blank lines; anything else is a bug to report
        raise InvalidParameterError(
            f"DATA {str(shown)!r} read as {n_rows} rows but as text {found}: write it with --out .parquet instead"
        )
    return cells if typed is None or out is None else numbers_for(cells, typed, sep, _TEXT[_format(out)])


def numbers_for(cells: Cells, typed: pd.DataFrame, sep: str, out_sep: str) -> Cells:
    """``cells`` (read at ``sep``) to be written at ``out_sep``, the numbers that the commands read from
    cells with a comma (``typed``'s float columns) written as a file at ``out_sep`` reads them.

    A table read at a delimiter other than ``,`` has its decimal commas read as decimal marks (``1,5``
    is 1.5), and one read at ``,`` its commas between thousands (``"1,234.5"``):
    :func:`labelwise.io.csv_grid.read_decimal_commas`. Copied as written into a file at the other kind
    of delimiter, the cell is read otherwise (``1,5`` in a ``,`` file is the text ``"1,5"``; ``0,758``
    is 758): so it is written ``1.5`` (or ``1234.5``), the number read from DATA. Text and integer
    columns, and copies to a delimiter of the same kind (``;`` to tab), are left as written.
    """
    if (sep == ",") == (out_sep == ","):
        return cells
    from .._heavy import pyarrow_compute as pc

    mark = "" if sep == "," else "."
    fixed = dict(cells)
    for name, column in cells.items():
        if name not in typed.columns or typed[name].dtype.kind != "f":
            continue
        as_arrow = column if isinstance(column, pa.ChunkedArray) else pa.chunked_array([pa.array(column, pa.string())])
        if pc.any(pc.match_substring(as_arrow, ",")).as_py():
            fixed[name] = pc.replace_substring(as_arrow, ",", mark)
    return fixed


def texts(column: pa.ChunkedArray | np.ndarray) -> np.ndarray:
    """A column of :data:`Cells` as an array of Python strings."""
    return column.to_numpy(zero_copy_only=False) if isinstance(column, pa.ChunkedArray) else np.asarray(column)


def text_labels(raw: pa.ChunkedArray | np.ndarray, codes: np.ndarray, new_codes: np.ndarray) -> np.ndarray:
    """The label column's cells after the flips: a flipped row gets the text its new class is written
    with in DATA (the first row of that class), every other row keeps its own."""
    first = np.full(int(max(codes.max(), new_codes.max())) + 1, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size)[::-1]  # the last write wins: the first row of each class
    out = np.array(texts(raw), dtype=object, copy=True)
    changed = new_codes != codes
    out[changed] = out[first[new_codes[changed]]]
    return out


def typed_labels(column: pd.Series, noisy: Any) -> pd.Series:
    """The corrupted labels (one per row, in order) in the column's own dtype (a category stays a category,
    ``Int64`` stays ``Int64``)."""
    series = pd.Series(np.asarray(noisy), index=column.index, name=column.name)
    try:
        return series.astype(column.dtype)
    except (TypeError, ValueError):
        return series


def write_table(table: pd.DataFrame | Cells, path: Path) -> None:
    """Write ``table`` atomically in the format of ``path``'s suffix (one of :data:`WRITERS`): a frame by
    :func:`labelwise.io.atomic.write_table` (a Parquet DATA's named index is a column since it was read,
    :func:`labelwise.io.read_table`); cells as written (:data:`Cells`) to a delimited text file, quoted
    only where the text needs it."""
    if not isinstance(table, dict):
        io_write_table(table, path)
        return
    codec = COMPRESSIONS.get(path.suffix.lower())
    with atomic_write(path, "wb" if codec else "w") as raw:
        if codec:
            with compressed_writer(raw, codec, path.stem) as fh:
                _write_cells(table, fh, _TEXT[_format(path)])
        else:
            _write_cells(table, raw, _TEXT[_format(path)])


def _write_cells(table: Cells, fh: Any, delimiter: str) -> None:
    """:data:`Cells` to the text handle ``fh``, quoted only where the text needs it."""
    writer = csv.writer(fh, delimiter=delimiter, lineterminator="\n")
    writer.writerow(list(table))
    n_rows = len(next(iter(table.values())))
    block = max(1, _BLOCK_CELLS // len(table))
    for start in range(0, n_rows, block):  # Python's strings for one block of rows at a time
        writer.writerows(zip(*(texts(c[start : start + block]) for c in table.values()), strict=True))
