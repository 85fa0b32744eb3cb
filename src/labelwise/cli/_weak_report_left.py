"""``labelwise weak --force``: the report of the run it replaces goes with that run's files.

``labelwise report OUT`` writes ``OUT/report.html`` from the files of a ``weak`` run. A ``--force``
run into the same folder replaces those files; a report left beside them would describe the earlier
run, and a user opening it would read stale figures. So when the folder held an earlier run (its
``summary.json``: the outputs :func:`labelwise.cli._out_folder.claim` hands over) and its
``report.html`` is one of labelwise's reports (:data:`labelwise.report._destination.TITLE_MARK`),
that report is superseded with the earlier files: removed once the new files are in place, in the
same group (:func:`~labelwise.io.files_together`), so a run that fails leaves it. A ``report.html``
that is not labelwise's is the user's and is kept.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["earlier_report", "removed_report_line"]


def earlier_report(out: Path, superseded: list[Path]) -> list[Path]:
    """``[OUT/report.html]`` when the folder held an earlier run (``superseded`` is not empty) and that
    file is a labelwise report; else ``[]``."""
    from ..report._destination import foreign_file_problem

    report = out / "report.html"
    if not superseded or not report.is_file() or foreign_file_problem(report) is not None:
        return []
    return [report]


def removed_report_line(out: Path) -> str:
    """The screen's notice that the earlier run's report was removed, and how to write this run's."""
    return f"notice: removed {out / 'report.html'}, the report of the run this one replaced; `labelwise report {out}` writes this run's"
