"""Read a plain-text list of names, one per line (label sets for ``labelwise label-shift``)."""

from __future__ import annotations

import os

from ..errors import DataFileError
from .paths import require_file
from .plain_text import plain_text
from .tables import not_utf8_error

__all__ = ["read_names"]


def read_names(path: str | os.PathLike, *, parameter: str = "path", holes: bool = True) -> list[str]:
    """The non-blank lines of a UTF-8 text file, stripped, in file order (repeats kept).

    With ``holes=False`` a blank (or all-space) line before the last name is refused, naming the
    file and the line: in a list of names it is most often a name lost in an edit, which would
    otherwise pass unnoticed (the API refuses a blank name). Blank lines after the last name, such
    as the newline that ends the file, are never holes.

    A compressed file (``names.txt.gz``) or UTF-16 text is read as the text it holds. A UTF-8 byte-order mark (written by Windows editors and spreadsheet exports) is dropped and
    Windows line ends are accepted, so the first name of such a file equals the same name typed
    elsewhere. Lines end at ``\n``, ``\r\n`` or ``\r`` only: other Unicode line breaks (U+2028,
    U+0085, form feed) are part of a name, as in a CSV cell.

    Raises
    ------
    DataFileError
        If the file is not UTF-8 text (naming the line and byte), holds no name, or (with
        ``holes=False``) has a blank line between names.
    """
    p = require_file(path, parameter=parameter, kind="file of names")
    try:
        text = plain_text(p).read_text(encoding="utf-8-sig")  # names.txt.gz, UTF-16: the decoded copy
    except UnicodeDecodeError:
        raise not_utf8_error(p, f"{parameter} file") from None
    # read_text reads "\r\n" and "\r" as "\n"; str.splitlines would also break a name at U+2028, U+0085, \f ...
    lines = [line.strip() for line in text.split("\n")]
    names = [line for line in lines if line]
    if not names:
        raise DataFileError(f"{parameter} file {str(p)!r} has no labels (one per line)")
    if not holes:
        last = max(i for i, line in enumerate(lines) if line)
        blank = [i + 1 for i, line in enumerate(lines[:last]) if not line]
        if blank:
            more = f" (and {len(blank) - 1} more blank line{'s' if len(blank) > 2 else ''})" if len(blank) > 1 else ""
            raise DataFileError(
                f"{parameter} file {str(p)!r} has a blank line between labels at line {blank[0]}{more}: "
                "write one label per line, with no empty lines"
            )
    return names
