"""Review an aggregation of tag sets (``labelwise aggregate-tags``): keep or exclude each item's tags.

The units are the rows of the folder's ``labels.csv`` (item, tags joined by the run's
``--tag-separator``, confidence, n_tags, n_answers; ``row`` is the position in the file), least
certain first: by ``confidence`` (the probability of the whole tag set), then file order. An item is
*contested* (flagged) when its tag set has less than even odds (confidence below 0.5) or an
annotator's tag set differs from it. A card shows the tag set with each tag's probability
(``probs.csv``) and every annotator's tag set, most reliable first, with the annotator's mean skill
over the tags (``annotators.csv``); the answers are read again from the file the command read
(``settings.path`` and ``settings.columns`` of ``summary.json``), and the card says so when that
file is gone or changed.

The review keeps or excludes an item (a tag set is not relabelled on the page);
:func:`tags_cleaned` writes ``labels.csv`` without the excluded items (or marked), every other
cell as the command wrote it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._tag_cells import DEFAULT_SEPARATOR, split_tags
from ..errors import DataFileError, LabelwiseError
from ..io.outputs import AuditOutput, check_out_dir, is_audit_dir
from ..io.tables import read_table
from ..report._folders import Folder, folder_view
from ..report._previews import Previewer
from ._task_formats import cleaned_rows
from .crowd import CONTESTED_BELOW, MAX_ANSWERS_SHOWN, answers_file, bound_decisions, card_text
from .task_export import TaskCleaned, keep_exclude_log

__all__ = ["TagSetPreviewer", "is_tags_folder", "tags_cleaned", "tags_units"]

COMMAND = "aggregate-tags"


def is_tags_folder(folder: Path) -> bool:
    """Whether ``folder`` is ``labelwise aggregate-tags``' (and not an audit's)."""
    view = folder_view(folder)
    return view is not None and view.command == COMMAND and not is_audit_dir(folder)


def _tag_set(cell: object, sep: str) -> frozenset[str]:
    return (
        frozenset()
        if cell is None or (isinstance(cell, float) and np.isnan(cell))
        else frozenset(split_tags(str(cell), sep))
    )


def _answers(run: Folder, items: pd.Series, sep: str) -> tuple[dict[int, list[tuple[str, frozenset[str]]]], str | None]:
    """Per row of ``labels.csv``: the ``(annotator, tag set)`` answers the command read; or why there are none."""
    path = answers_file(run.out_dir, run.summary)
    if path is None:
        return {}, f"the answers file {run.get('path')!r} named in summary.json was not found"
    columns = run.get("columns") or {}
    names = [str(columns.get(k, k)) for k in ("item", "annotator", "tags")]
    try:
        table = read_table(path, text_columns=names, na_values=run.get("na_values"))
    except (LabelwiseError, OSError, ValueError) as exc:
        return {}, f"the answers file {str(path)!r} could not be read ({exc})"
    if any(n not in table.columns for n in names):
        return {}, f"the answers file {str(path)!r} lacks the columns {names} the command read"
    position = {str(item): i for i, item in enumerate(items)}
    by_row: dict[int, list[tuple[str, frozenset[str]]]] = {}
    for item, who, cell in zip(table[names[0]].astype(str), table[names[1]].astype(str), table[names[2]], strict=True):
        if item not in position:
            return {}, f"the answers file {str(path)!r} has item {item!r}, which labels.csv lacks: it changed"
        by_row.setdefault(position[item], []).append((who, _tag_set(cell, sep)))
    return by_row, None


class TagSetPreviewer(Previewer):
    """The cards of a tag-set aggregation: the tags with their probabilities and each annotator's tags."""

    kind = "text"

    def __init__(
        self,
        units: pd.DataFrame,
        probs: pd.DataFrame | None,
        answers: dict,
        missing: str | None,
        skill: dict[str, float],
        sep: str,
    ) -> None:
        super().__init__(None)
        self.units = units.set_index("row", drop=False)
        self.probs = probs
        self.answers = answers
        self.missing = missing
        self.skill = skill
        self.sep = sep

    def answer_list(self, row: int) -> list[dict]:
        """The item's answers, most skilled annotator first: annotator, tags (sorted), skill (None if unknown)."""
        got = self.answers.get(int(row), [])
        skill = [self.skill.get(who, float("nan")) for who, _ in got]
        order = sorted(range(len(got)), key=lambda i: (-skill[i] if np.isfinite(skill[i]) else np.inf, got[i][0]))
        return [
            {"annotator": got[i][0], "tags": sorted(got[i][1]), "skill": skill[i] if np.isfinite(skill[i]) else None}
            for i in order
        ]

    def text(self, row: int, *, limit: int = 100_000) -> str | None:
        u = self.units.loc[int(row)]
        given = _tag_set(u["given_label"], self.sep)
        lines = [
            f"item {u['item']}: tags {self.sep.join(sorted(given)) or '(none)'} (probability {u['label_quality']:.2f})"
        ]
        if self.probs is not None:
            per_tag = self.probs.iloc[int(row)].drop(labels="item")
            lines.append("per tag: " + ", ".join(f"{t} {float(p):.2f}" for t, p in per_tag.items()))
        if self.missing is not None:
            lines.append(f"answers not shown: {self.missing}")
        shown = self.answer_list(row)
        for a in shown[:MAX_ANSWERS_SHOWN]:
            skill = "skill n/a" if a["skill"] is None else f"mean skill {a['skill']:.2f}"
            mark = "" if frozenset(a["tags"]) == given else "  *"
            lines.append(f"{a['annotator']} ({skill}): {self.sep.join(a['tags']) or '(none)'}{mark}")
        return card_text(lines, len(shown), limit)

    def media_value(self, row: int) -> str:
        return self.text(row) or ""

    def describe(self, row: int) -> dict:
        return {"kind": "text", "task": COMMAND, "text": self.text(row), "answers": self.answer_list(row)}


def tags_units(out_dir: Path, *, with_answers: bool = True) -> tuple[AuditOutput, TagSetPreviewer, pd.DataFrame]:
    """An ``aggregate-tags`` folder's items as the review's units (least certain first), their
    previewer (without the answers unless ``with_answers``, and then contested by confidence alone:
    the export needs neither), and ``labels.csv`` as read.

    Raises
    ------
    DataFileError
        If ``labels.csv`` cannot be read or lacks its columns.
    """
    run = Folder.load(check_out_dir(out_dir))
    labels = run.table("labels.csv", ids=("item", "tags"), required=("item", "tags", "confidence"))
    if labels is None:
        raise DataFileError(f"{str(run.out_dir / 'labels.csv')!r} does not exist")
    labels = labels.reset_index(drop=True)
    sep = str(run.get("tag_separator") or DEFAULT_SEPARATOR)
    probs = run.table("probs.csv", ids=("item",))
    if probs is not None and ("item" not in probs.columns or len(probs) != len(labels)):
        probs = None
    answers, missing = _answers(run, labels["item"], sep) if with_answers else ({}, "not read")
    given = [_tag_set(c, sep) for c in labels["tags"]]
    quality = pd.to_numeric(labels["confidence"], errors="coerce").to_numpy(dtype=np.float64)
    differs = np.array([any(t != given[r] for _, t in answers.get(r, [])) for r in range(len(labels))], dtype=bool)
    text = [sep.join(sorted(g)) for g in given]
    units = pd.DataFrame(
        {
            "row": np.arange(len(labels), dtype=np.int64),
            "item": labels["item"].astype(str).to_numpy(),
            "given_label": text,
            "suggested_label": text,
            "label_quality": quality,
            "is_issue": (quality < CONTESTED_BELOW) | differs,
        }
    )
    units = units.sort_values("label_quality", kind="stable", na_position="first").reset_index(drop=True)
    units["rank"] = np.arange(1, len(units) + 1, dtype=np.int64)
    skills = run.table("annotators.csv", ids=("annotator",))
    skill: dict[str, float] = {}
    if skills is not None and "annotator" in skills.columns:
        values = skills.drop(columns="annotator").apply(pd.to_numeric, errors="coerce")
        skill = dict(zip(skills["annotator"].astype(str), values.mean(axis=1).to_numpy(), strict=True))
    previewer = TagSetPreviewer(units, probs, answers, missing, skill, sep)
    audit = AuditOutput(
        out_dir=run.out_dir,
        summary=run.summary,
        issues=units,
        classes=[],
        probs=None,
        data=None,
        data_path=None,
        label_column="tags",
        image_column=None,
    )
    return audit, previewer, labels


def tags_cleaned(out_dir: Path, *, mark_excluded: bool = False, excluded_column: str = "excluded") -> TaskCleaned:
    """``labels.csv`` of the ``aggregate-tags`` folder without the excluded items (or with them marked),
    and the change log (row, item, action, given_label, new_label, changed, reviewer, decided_at, version).

    Raises
    ------
    DataFileError
        If ``review.sqlite`` holds a relabel (a tag set is kept or excluded).
    StorageError
        If ``review.sqlite`` belongs to another folder.
    """
    audit, _, labels = tags_units(out_dir, with_answers=False)
    decided = bound_decisions(audit)
    relabelled = [d.row for d in decided if d.action == "relabel"]
    if relabelled:
        raise DataFileError(
            f"review.sqlite relabels row {relabelled[0]}, which an {COMMAND} folder's export cannot apply: its "
            "items are kept or excluded; record keep or exclude for them on the review page"
        )
    excluded = [d.row for d in decided if d.action == "exclude"]
    rows = np.array([d.row for d in decided], dtype=np.int64)
    old = list(labels["tags"].astype(object).to_numpy()[rows])
    changes = keep_exclude_log(decided, old, pd.DataFrame({"item": labels["item"].astype(str).to_numpy()[rows]}))
    cleaned = cleaned_rows(labels, excluded, mark_excluded=mark_excluded, column=excluded_column)
    return TaskCleaned(
        task=COMMAND,
        content=cleaned,
        changes=changes,
        unit="rows",
        n_written=len(cleaned),
        n_removed=0 if mark_excluded else len(excluded),
        n_excluded=len(excluded),
        n_kept=sum(d.action == "keep" for d in decided),
    )
