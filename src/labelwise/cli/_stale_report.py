"""``--force``: the ``report.html`` of the run being replaced goes with that run's files, and the user hears of it.

``labelwise report OUT`` writes ``OUT/report.html`` from the files of a command's run (an audit, an
aggregation, a ``weak`` run...). A ``--force`` run into the same folder replaces those files; a report
left beside them would describe the earlier run, and a user opening it would read stale figures. So
when the folder held an earlier run (its ``summary.json``: the outputs
:func:`labelwise.cli._out_folder.claim` hands over are not empty) and its ``report.html`` is one of
labelwise's reports (:data:`labelwise.report._destination.TITLE_MARK`), that report is superseded with
the earlier files (:func:`earlier_report`): removed once the new files are in place, in the same group
(:func:`~labelwise.io.files_together`), so a run that fails leaves it. A ``report.html`` that is not
labelwise's is the user's and is kept; so is ``review.sqlite`` (a person's decisions, which the review
refuses to apply to other labels: :meth:`labelwise.review.DecisionStore.bind`).

After the run, :func:`removed_notice` names what the run removed (the report, and the earlier outputs
this run does not write) and how to write this run's report.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path

__all__ = ["REPORT_FILE", "earlier_report", "removed_notice"]

#: The file ``labelwise report OUT`` writes by default (and ``audit --report``).
REPORT_FILE = "report.html"
#: How many removed names the notice shows before "...".
_SHOWN = 6


def earlier_report(out: Path, superseded: list[Path], inputs: AbstractSet[Path] = frozenset()) -> list[Path]:
    """``[OUT/report.html]`` when the folder held an earlier run (``superseded`` is not empty), that file
    is a labelwise report and it is not one of the run's ``inputs`` (resolved paths); else ``[]``."""
    from ..report._destination import foreign_file_problem

    report = out / REPORT_FILE
    if not superseded or not report.is_file() or foreign_file_problem(report) is not None:
        return []
    return [] if report.resolve() in inputs else [report]


def removed_notice(out: Path, superseded: Iterable[Path]) -> str | None:
    """The screen's one notice, after a run, naming those of ``superseded`` that are gone (the run removed
    them) and, when the report was one, how to write this run's; None when nothing was removed."""
    gone = [p for p in superseded if not p.exists()]
    if not gone:
        return None
    names = [str(p.relative_to(out)) if p.is_relative_to(out) else str(p) for p in gone]
    shown = ", ".join(names[:_SHOWN]) + (f", ... ({len(names)} in all)" if len(names) > _SHOWN else "")
    line = f"notice: --force removed the replaced run's files this run does not write from {out}: {shown}"
    if any(p.name == REPORT_FILE and p.parent == out for p in gone):
        line += f"; report.html described that run: `labelwise report {out}` writes this run's"
    return line
