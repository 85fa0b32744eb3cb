"""Where a report may be written: over an earlier labelwise report, never over another file."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidParameterError

#: The start of every report's ``<title>``: a file beginning otherwise is not one of labelwise's reports.
TITLE_MARK = "<title>labelwise report"


def refuse_foreign_file(dest: Path) -> None:
    """Refuse to replace an existing file ``dest`` that is not a labelwise report (the user's own file).

    An earlier report (its head has :data:`TITLE_MARK`) is rewritten, as every run rewrites
    ``report.html``; any other file is left alone.
    """
    if not dest.is_file():
        return
    try:
        with dest.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError as exc:
        raise InvalidParameterError(f"out {str(dest)!r} exists and cannot be read ({exc.strerror or exc})") from None
    if TITLE_MARK not in head:
        raise InvalidParameterError(
            f"out {str(dest)!r} already exists and is not a labelwise report; choose another file "
            "(a report is only written over an earlier report)"
        )


def report_destination(folder: Path, out: str | os.PathLike | None) -> Path:
    """The file a report goes to: ``out``, or ``folder / "report.html"``; refused when it is a folder
    or a file that is not an earlier report (:func:`refuse_foreign_file`)."""
    dest = Path(out) if out is not None else folder / "report.html"
    if dest.exists() and dest.is_dir():
        raise InvalidParameterError(f"out must be a file path, got the folder {str(dest)!r}")
    refuse_foreign_file(dest)
    return dest
