"""Which output folders the review opens, and how: a small registry of folder kinds.

``labelwise review`` and ``labelwise export`` open an audit's folder (classification: the app's own
loader; ``audit --task``: :mod:`labelwise.review.tasks`) and the folders of :data:`FOLDER_KINDS`,
one module per kind: ``labelwise aggregate``'s (:mod:`labelwise.review.crowd`) and
``labelwise aggregate-tags``' (:mod:`labelwise.review.tag_sets`). Each kind says how
its folder is recognised, turns it into the review's units (an :class:`~labelwise.io.outputs.AuditOutput`
whose ``issues`` are the units, worst first, and a previewer for their cards) and applies the
decisions to its labels file. The folders of the other label commands (``aggregate-boxes``,
``aggregate-numbers``... whose pages ``labelwise report`` shows) are refused with one message naming
the folder's command and what the review opens (:func:`refuse_unopened`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DataFileError, InvalidParameterError
from ..io.output_sets import AGGREGATE_OUTPUTS
from ..io.outputs import AuditOutput, check_out_dir, is_aggregate_dir, is_audit_dir
from ..report._folders import folder_view
from ..report._previews import Previewer
from ..report._summary_file import summary_or_none
from ..report._tasks import TASK_VIEWS
from ._answers_input import answers_input
from .crowd import crowd_cleaned, crowd_units, is_crowd_folder
from .store import DB_NAME
from .tag_sets import is_tags_folder, tags_cleaned, tags_units
from .task_export import TaskCleaned
from .tasks import load_task_audit

__all__ = [
    "FOLDER_KINDS",
    "OPENS",
    "FolderKind",
    "ReviewUnits",
    "folder_kind",
    "load_units",
    "refuse_own_file",
    "refuse_unopened",
]


@dataclass(frozen=True)
class ReviewUnits:
    """What the review page lists for a folder other than a classification audit's.

    Attributes
    ----------
    audit : AuditOutput
        ``issues``: one row per unit (row, given_label, suggested_label, label_quality, is_issue,
        rank), worst first; ``classes``: what a unit may be relabelled to.
    previewer : Previewer
        The cards' previews.
    task : str
        Shown on the page (``meta.task``): the audit's task, or the command that wrote the folder.
    relabel : bool
        Whether a unit may be relabelled (else kept or excluded only).
    data_found : bool
        Whether the export can be written (the data it cleans is there).
    tags : dict, optional
        For units whose label is a tag set: ``{"names": the tags a relabel chooses among (the page's
        checkboxes), "separator": what joins them in a label}``.
    resolve : callable, optional
        A relabel's posted label -> the label stored (checked: an error naming what is wrong); None:
        one of ``audit.classes``.
    """

    audit: AuditOutput
    previewer: Previewer
    task: str
    relabel: bool
    data_found: bool
    tags: dict[str, Any] | None = None
    resolve: Callable[[Any], Any] | None = None

    @property
    def kind(self) -> str:
        """The folder, in messages: ``a token audit``, ``a labelwise aggregate-tags folder``."""
        return f"a {self.task} audit" if self.task in TASK_VIEWS else f"a labelwise {self.task} folder"


@dataclass(frozen=True)
class FolderKind:
    """A kind of output folder the review opens besides an audit's.

    Attributes
    ----------
    command : str
        The command that writes it.
    what : str
        Its labels, in a few words (for messages).
    recognise : callable
        ``Path -> bool``.
    load : callable
        ``Path -> ReviewUnits``.
    cleaned : callable
        ``(Path, mark_excluded, excluded_column) -> TaskCleaned``: its labels file with the decisions applied.
    own_files : tuple of str
        The files the command writes in the folder (an export never overwrites them).
    source : callable
        ``Path -> Path or None``: the file the command read, when it is there (never overwritten either).
    """

    command: str
    what: str
    recognise: Callable[[Path], bool]
    load: Callable[[Path], ReviewUnits]
    cleaned: Callable[[Path, bool, str], TaskCleaned]
    own_files: tuple[str, ...]
    source: Callable[[Path], Path | None]


def _crowd_review(folder: Path) -> ReviewUnits:
    audit, previewer, _ = crowd_units(folder)
    return ReviewUnits(audit, previewer, task="aggregate", relabel=True, data_found=True)


def _crowd_cleaned(folder: Path, mark_excluded: bool, column: str) -> TaskCleaned:
    return crowd_cleaned(folder, mark_excluded=mark_excluded, excluded_column=column)


def _tags_review(folder: Path) -> ReviewUnits:
    audit, previewer, _ = tags_units(folder)
    return ReviewUnits(
        audit, previewer, "aggregate-tags", relabel=True, data_found=True,
        tags={"names": previewer.vocabulary, "separator": previewer.sep}, resolve=previewer.tag_set_label,
    )  # fmt: skip


def _tags_cleaned(folder: Path, mark_excluded: bool, column: str) -> TaskCleaned:
    return tags_cleaned(folder, mark_excluded=mark_excluded, excluded_column=column)


def _source(folder: Path) -> Path | None:
    return answers_input(folder, summary_or_none(folder) or {}).path


#: The folder kinds besides an audit's that the review opens (one module each).
FOLDER_KINDS: tuple[FolderKind, ...] = (
    FolderKind(
        command="aggregate",
        what="one class per item",
        recognise=is_crowd_folder,
        load=_crowd_review,
        cleaned=_crowd_cleaned,
        own_files=(*AGGREGATE_OUTPUTS, "answers.csv", "gold.csv", "demo.csv"),  # and --demo's files
        source=_source,
    ),
    FolderKind(
        command="aggregate-tags",
        what="a tag set per item",
        recognise=is_tags_folder,
        load=_tags_review,
        cleaned=_tags_cleaned,
        own_files=("labels.csv", "probs.csv", "annotators.csv", "summary.json"),
        source=_source,
    ),
)

#: What the review opens, for messages.
OPENS = "an audit's folder (labelwise audit, any --task) or " + ", ".join(
    f"labelwise {k.command}'{'' if k.command.endswith('s') else 's'} ({k.what})" for k in FOLDER_KINDS
)


def refuse_unopened(folder: Path) -> None:
    """Raise :class:`DataFileError` when ``folder`` is the output of a label command the review does
    not open (one of the report's other folders, or a ``labels.csv`` without a ``label`` column),
    naming the command and what the review opens; return for any other folder."""
    view = folder_view(folder)
    if view is not None:
        raise DataFileError(
            f"{str(folder)!r} is a labelwise {view.command} folder ({view.title.lower()}): labelwise review and "
            f"export do not open it; they open {OPENS}. `labelwise report {folder}` shows it as a page"
        )
    if is_aggregate_dir(folder) and not is_audit_dir(folder):
        raise DataFileError(
            f"{str(folder)!r} has a labels.csv without the 'label' column of labelwise aggregate's (tag sets, or "
            f"another tool's labels, without their command's summary.json): labelwise review and export open {OPENS}"
        )


def folder_kind(out_dir: str | os.PathLike) -> FolderKind | None:
    """The kind of ``out_dir`` among :data:`FOLDER_KINDS`; None for an audit's folder (or a folder of
    no kind, which the audit's loader refuses).

    Raises
    ------
    DataFileError
        If ``out_dir`` is a label command's folder that the review does not open (:func:`refuse_unopened`).
    """
    folder = check_out_dir(out_dir)
    if is_audit_dir(folder):
        return None
    kind = next((k for k in FOLDER_KINDS if k.recognise(folder)), None)
    if kind is None:
        refuse_unopened(folder)
    return kind


def load_units(out_dir: str | os.PathLike) -> ReviewUnits | None:
    """The review's units of ``out_dir``: a task audit's (:func:`~labelwise.review.tasks.load_task_audit`)
    or a :data:`FOLDER_KINDS` folder's; None for a classification audit (read by ``load_audit``).

    Raises
    ------
    DataFileError
        If ``out_dir`` is a folder the review does not open (:func:`refuse_unopened`).
    """
    task = load_task_audit(out_dir)
    if task is not None:
        audit, previewer = task
        found = previewer.run.path("data") is not None
        return ReviewUnits(audit, previewer, task=previewer.view.task, relabel=False, data_found=found)
    kind = folder_kind(out_dir)
    return None if kind is None else kind.load(check_out_dir(out_dir))


def refuse_own_file(kind: FolderKind, out_dir: Path, target: Path, name: str) -> None:
    """Refuse, even with ``force``, an export ``target`` that is one of the folder's own files (or the
    review's database, or the report)."""
    own = {(out_dir / f).resolve() for f in (*kind.own_files, DB_NAME, "report.html")}
    if target.resolve() in own:
        raise InvalidParameterError(
            f"{name} {str(target)!r} is the {kind.command} folder's own {target.name}; write to another file: over "
            "it, the folder (and its review) could no longer be read"
        )
