"""Read a plain-text list of names, one per line (label sets for ``labelwise label-shift``)."""

from __future__ import annotations

import os

from ..errors import DataFileError
from .paths import require_file
from .tables import not_utf8_error

__all__ = ["read_names"]


def read_names(path: str | os.PathLike, *, parameter: str = "path") -> list[str]:
    """The non-blank lines of a UTF-8 text file, stripped, in file order (repeats kept).

    A UTF-8 byte-order mark (written by Windows editors and spreadsheet exports) is dropped and
    Windows line ends are accepted, so the first name of such a file equals the same name typed
    elsewhere.

    Raises
    ------
    DataFileError
        If the file is not UTF-8 text (naming the line and byte) or holds no name.
    """
    p = require_file(path, parameter=parameter, kind="file of names")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise not_utf8_error(p, f"{parameter} file") from None
    names = [line.strip() for line in text.splitlines() if line.strip()]
    if not names:
        raise DataFileError(f"{parameter} file {str(p)!r} has no labels (one per line)")
    return names
