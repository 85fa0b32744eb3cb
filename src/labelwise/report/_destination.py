"""Where a report may be written: over an earlier labelwise report, never over another file."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InvalidParameterError

#: The start of every report's ``<title>``: a file beginning otherwise is not one of labelwise's reports.
TITLE_MARK = "<title>labelwise report"


def foreign_file_problem(dest: Path) -> str | None:
    """Why an existing ``dest`` may not be replaced by a report (it is not an earlier labelwise report,
    or cannot be read), or None when a report may be written there (no file, or an earlier report)."""
    if not dest.is_file():
        return None
    try:
        with dest.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if TITLE_MARK not in head:
        return "is not a labelwise report"
    return None


def refuse_foreign_file(dest: Path) -> None:
    """Refuse to replace an existing file ``dest`` that is not a labelwise report (the user's own file).

    An earlier report (its head has :data:`TITLE_MARK`) is rewritten, as every run rewrites
    ``report.html``; any other file is left alone.
    """
    problem = foreign_file_problem(dest)
    if problem is not None:
        raise InvalidParameterError(
            f"out {str(dest)!r} already exists and {problem}; choose another file (a report is only written over an earlier report)"
        )


def report_destination(folder: Path, out: str | os.PathLike | None) -> Path:
    """The file a report goes to: ``out``, or ``folder / "report.html"``; refused when it is a folder
    or a file that is not an earlier report (:func:`refuse_foreign_file`)."""
    if out is not None:
        dest = Path(out)
        if dest.exists() and dest.is_dir():
            raise InvalidParameterError(f"out must be a file path, got the folder {str(dest)!r}")
        refuse_foreign_file(dest)
        return dest
    dest = folder / "report.html"
    problem = "is a folder" if dest.is_dir() else foreign_file_problem(dest)
    if problem is not None:  # the default file: the message names the folder the caller gave, not ``out``
        raise InvalidParameterError(
            f"out_dir {str(folder)!r} holds a report.html that {problem}; pass out= (--out on the command line) "
            "to write the report to another file (a report is only written over an earlier report)"
        )
    return dest
