"""The column delimiter of a ``.txt`` table: the one character that splits every line as it splits the header.

pandas guesses a ``.txt`` file's delimiter from its first line alone (``csv.Sniffer`` on the
header), which misreads two kinds of tables without a word:

* a table of one column (``label``, then ``0``, ``1``, ...): the sniffer takes a letter of the
  header for the delimiter (``l``), and the column comes back cut into pieces;
* a table whose cells hold its own delimiter, such as tags joined by ``;`` in a ``;``-delimited
  file (``id;tags`` then ``1;cat;dog``): the extra cell of a line shifts it, its first cell
  becoming the row index, or the line is cut.

What a user means by a ``.txt`` table is a grid: each line holds as many cells as the header names
columns. :func:`guess_delimiter` takes that literally. It reads the start of the file (the header
and the lines after it, up to :data:`SAMPLE_CHARS` characters), splits it as CSV (quotes honoured)
at each candidate (tab, ``,``, ``;``, ``|``, ``:``, then space), and keeps a candidate that splits
the header into two or more cells and every sampled line into as many (or more, the ones past the
header's last column empty: a delimiter ending the line, which the reader drops):

1. exactly one such candidate among tab, ``,``, ``;``, ``|`` and ``:``: that one;
2. more than one: the file is ambiguous, and refused (save it as ``.csv`` or ``.tsv``);
3. none, but space fits and no other candidate splits the header: space;
4. none, but a candidate splits the header (so the table looks delimited by it) while some line
   has another number of cells: refused, naming the candidate, the line and its count (a tag
   separator or another delimiter inside unquoted cells: quote them, or save the table as
   ``.csv`` / ``.tsv``, or join the tags with another ``--tag-separator``);
5. otherwise the header is one column name, and each line is one cell (:data:`ONE_COLUMN`).

A refusal is a :class:`~labelwise.errors.DataFileError` that names the file; ``.tsv`` files are never
guessed (tab), nor ``.csv`` files but for one case: Excel in most of Europe saves "CSV" with ``;``
(the comma being the decimal mark), so a ``.csv`` whose header has no ``,`` and which is a ``;`` grid
by the rule above (:func:`semicolon_grid`) is read at ``;``; any other ``.csv`` at ``,``.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ..errors import DataFileError
from .plain_text import table_suffix

__all__ = [
    "CANDIDATES",
    "CSV_SUFFIXES",
    "ONE_COLUMN",
    "SAMPLE_CHARS",
    "csv_delimiter",
    "guess_delimiter",
    "is_csv",
    "semicolon_grid",
]

#: The suffixes of the delimited text tables labelwise reads (:func:`labelwise.io.read_table`): one set
#: for every module that asks whether a file is a CSV (its rows are lines, its cells text).
CSV_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})


def is_csv(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a CSV-family table: its format's suffix (under a compression one:
    :func:`labelwise.io.plain_text.table_suffix`) is one of :data:`CSV_SUFFIXES`."""
    return table_suffix(path) in CSV_SUFFIXES


#: The delimiters a ``.txt`` table may use, in the order of the messages; space is tried last.
CANDIDATES = ("\t", ",", ";", "|", ":")
#: The delimiter a one-column table is read with: the ASCII unit separator, which no text table holds.
ONE_COLUMN = "\x1f"
#: How much of the file the guess reads (the header and the lines after it).
SAMPLE_CHARS = 1 << 16

_NAMES = {"\t": "tab", " ": "space"}


def _name(sep: str) -> str:
    return _NAMES.get(sep, repr(sep))


def _sample(path: Path) -> list[str]:
    """The start of ``path`` as text, cut after its last complete line unless the whole file was read."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        text = fh.read(SAMPLE_CHARS)
        more = fh.read(1) != ""
    if more and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text.splitlines(keepends=True)


def _cells_per_record(lines: list[str], sep: str) -> list[tuple[int, int, int]]:
    """``(line number, number of cells, cells up to the last non-empty one)`` of each non-blank CSV
    record of ``lines`` split at ``sep``."""
    reader = csv.reader(lines, delimiter=sep)
    out = []
    try:
        for record in reader:
            if record and any(cell.strip() for cell in record):
                filled = max(i + 1 for i, cell in enumerate(record) if cell.strip())
                out.append((reader.line_num, len(record), filled))
    except csv.Error:  # a stray quote: this candidate does not read the file as a grid
        out.append((reader.line_num, -1, -1))
    return out


def _fits(n: int, filled: int, width: int) -> bool:
    """Whether a record of ``n`` cells fits a header of ``width``: as many cells, or more that are empty
    past the header's last column (a delimiter ending the line)."""
    return n == width or (n > width and filled <= width)


def guess_delimiter(path: str | Path) -> str:
    """The column delimiter of the ``.txt`` table ``path`` (see the module's rules), or :data:`ONE_COLUMN`.

    Raises
    ------
    DataFileError
        When two delimiters fit every line, or when the header is split by one that some line
        splits into another number of cells.
    UnicodeDecodeError
        When the start of the file is not UTF-8 (the caller names the line).
    """
    p = Path(path)
    lines = _sample(p)
    counts = {sep: _cells_per_record(lines, sep) for sep in (*CANDIDATES, " ")}
    header = {sep: c[0][1] if c else 1 for sep, c in counts.items()}
    fits = [sep for sep, c in counts.items() if header[sep] >= 2 and all(_fits(n, f, header[sep]) for _, n, f in c)]
    strong = [sep for sep in fits if sep != " "]
    if len(strong) == 1:
        return strong[0]
    if len(strong) > 1:
        which = " and ".join(f"{_name(s)} ({header[s]} cells)" for s in strong)
        raise DataFileError(
            f"data file {str(p)!r}: the column delimiter of a .txt table is guessed, and here {which} each split "
            "every line into as many cells as the header: save the table as .csv (commas) or .tsv (tabs)"
        )
    split = [sep for sep in CANDIDATES if header[sep] >= 2]
    if fits and not split:
        return " "
    if split:
        sep = split[0]
        line, n = next((line, n) for line, n, f in counts[sep] if not _fits(n, f, header[sep]))
        cells = "a stray quote" if n < 0 else f"{n} cell(s)"
        raise DataFileError(
            f"data file {str(p)!r}: its column delimiter looks like {_name(sep)} (the header has {header[sep]} "
            f"columns), but line {line} has {cells}: {_name(sep)} also appears inside cells (a tag separator?). "
            f"Quote such cells, or save the table as .csv or .tsv, or join the tags with another --tag-separator"
        )
    return ONE_COLUMN


def semicolon_grid(path: str | os.PathLike) -> bool:
    """Whether the ``.csv`` file ``path`` is a ``;`` table (as Excel saves CSV where the decimal mark is a
    comma): its header holds no ``,`` and splits at ``;`` into two or more cells, and every sampled line
    into as many (or more, the ones past the header's last column empty)."""
    lines = _sample(Path(path))
    header = next((line for line in lines if line.strip()), "")
    if "," in header or ";" not in header:
        return False
    counts = _cells_per_record(lines, ";")
    width = counts[0][1]
    return width >= 2 and all(_fits(n, f, width) for _, n, f in counts)


def csv_delimiter(path: str | os.PathLike) -> str:
    """The column delimiter of a plain (uncompressed, UTF-8) CSV-family file: tab for ``.tsv``; for
    ``.csv``, ``;`` when :func:`semicolon_grid` says so, else ``,``; for any other suffix (``.txt``)
    the one :func:`guess_delimiter` finds (it may refuse the file)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        return ";" if semicolon_grid(p) else ","
    return "\t" if suffix == ".tsv" else guess_delimiter(p)
