"""Review an aggregation of tag sets (``labelwise aggregate-tags``): keep, set or exclude each item's tags.

The units are the rows of the folder's ``labels.csv`` (item, tags joined by the run's
``--tag-separator``, confidence, n_tags, n_answers; ``row`` is the position in the file), least
certain first: by ``confidence`` (the probability of the whole tag set), then file order. An item is
*contested* (flagged) when its tag set has less than even odds (confidence below 0.5) or an
annotator's tag set differs from it. A card shows the tag set with each tag's probability
(``probs.csv``) and every annotator's tag set, most reliable first, with the annotator's mean skill
over the tags (``annotators.csv``); the answers are read again from the file (or folder of Parquet
parts) the command read, with its columns (``summary.json``'s ``input`` record,
:mod:`labelwise.review._answers_input`), and the card says so when that file is gone or changed.

The review keeps, relabels or excludes an item. A relabel sets the item's tag set among the folder's
tags (the vocabulary: ``probs.csv``'s columns, in their order); the page posts the chosen tags (a
list, or a text joined by the separator) and :meth:`TagSetPreviewer.tag_set_label` refuses a tag
outside the vocabulary by name. :func:`tags_cleaned` writes ``labels.csv`` with the new sets in the
folder's own format (tags in vocabulary order, joined by the separator), ``n_tags`` their number and
``confidence`` the probability of the new set under the per-tag probabilities of ``probs.csv``
(the product of ``p`` over its tags and ``1 - p`` over the others, as the command computes it for
its own set; missing when ``probs.csv`` is not there); excluded items are dropped (or marked), every
other cell as the command wrote it. The change log has the old and the new set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._tag_cells import DEFAULT_SEPARATOR, join_tags, split_tags
from ..errors import DataFileError, InvalidParameterError, LabelwiseError
from ..io.outputs import AuditOutput, check_out_dir, is_audit_dir
from ..io.tables import read_table
from ..report._folders import Folder, folder_view
from ..report._previews import Previewer
from ._answers_input import PARTS, answers_input, read_parquet_parts
from ._task_formats import cleaned_rows
from .crowd import CONTESTED_BELOW, MAX_ANSWERS_SHOWN, bound_decisions, card_text
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
    src = answers_input(run.out_dir, run.summary)
    if src.path is None:
        return {}, f"the answers file {src.named!r} named in summary.json was not found{src.note}"
    path = src.path
    names = [str(src.columns.get(k) or k) for k in ("item", "annotator", "tags")]
    try:
        if src.format == PARTS:
            table = read_parquet_parts(path, names)
        else:
            table = read_table(path, text_columns=names, na_values=src.na_values)
    except (LabelwiseError, OSError, ValueError) as exc:
        return {}, f"the answers file {str(path)!r} could not be read ({exc}){src.note}"
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
        vocabulary: list[str] | None = None,
    ) -> None:
        super().__init__(None)
        self.units = units.set_index("row", drop=False)
        self.probs = probs
        self.answers = answers
        self.missing = missing
        self.skill = skill
        self.sep = sep
        self.vocabulary = list(vocabulary or [])

    def tag_set_label(self, value: Any) -> str:
        """A relabel's new tag set (a list of tags, or a text of tags joined by the separator) as the
        folder writes one: the tags in vocabulary order, joined by the separator (``""``: no tag).

        Raises
        ------
        InvalidParameterError
            If ``value`` is neither, or names a tag outside the vocabulary (the message names it and
            the folder's tags).
        """
        if isinstance(value, str):
            tags = split_tags(value, self.sep)
        elif isinstance(value, list | tuple) and all(isinstance(t, str) for t in value):
            tags = [t.strip() for t in value]
        else:
            raise InvalidParameterError(
                f"label must be the item's new tag set: a list of tags, or a text of tags joined by {self.sep!r} "
                f"(the folder's tags {self.vocabulary[:50]}), got {value!r}"
            )
        unknown = [t for t in tags if t not in self.vocabulary]
        if unknown:
            raise InvalidParameterError(
                f"label must name tags of the folder, got the tag {unknown[0]!r}, which is not one; the tags are "
                f"{self.vocabulary[:50]}" + (f" ({len(self.vocabulary)} in all)" if len(self.vocabulary) > 50 else "")
            )
        return join_tags([t for t in self.vocabulary if t in set(tags)], self.sep)

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


def _vocabulary(run: Folder, probs: pd.DataFrame | None, given: list[frozenset[str]]) -> list[str]:
    """The folder's tags: ``probs.csv``'s columns (the command's order), else ``summary.json``'s, else those
    of ``labels.csv``, sorted."""
    if probs is not None:
        return [str(c) for c in probs.columns if c != "item"]
    listed = [str(t["tag"]) for t in run.summary.get("tags") or [] if isinstance(t, dict) and "tag" in t]
    return listed or sorted(set().union(*given))


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
    if probs is not None and (
        "item" not in probs.columns
        or len(probs) != len(labels)
        or not np.array_equal(probs["item"].astype(str).to_numpy(), labels["item"].astype(str).to_numpy())
    ):
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
    previewer = TagSetPreviewer(units, probs, answers, missing, skill, sep, _vocabulary(run, probs, given))
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


def _new_sets(previewer: TagSetPreviewer, decided: list) -> dict[int, str]:
    """Each relabelled row's new tag set as the folder writes one, checked against the vocabulary."""
    out = {}
    for d in decided:
        if d.action != "relabel":
            continue
        try:
            out[d.row] = previewer.tag_set_label(d.label)
        except InvalidParameterError as exc:
            raise DataFileError(
                f"review.sqlite relabels row {d.row} to {d.label!r}, which the {COMMAND} folder's export cannot "
                f"write ({exc}); record another decision for it on the review page"
            ) from None
    return out


def _set_confidence(probs: pd.DataFrame | None, row: int, tags: frozenset[str]) -> float:
    """The probability of the tag set ``tags`` for ``row``: the product of ``p`` over its tags and of
    ``1 - p`` over the others (the command's ``confidence``); NaN without ``probs.csv``."""
    if probs is None:
        return float("nan")
    p = probs.drop(columns="item").iloc[row].to_numpy(dtype=np.float64)
    chosen = np.array([str(c) in tags for c in probs.columns if c != "item"], dtype=bool)
    return float(np.prod(np.where(chosen, p, 1.0 - p)))


def tags_cleaned(out_dir: Path, *, mark_excluded: bool = False, excluded_column: str = "excluded") -> TaskCleaned:
    """``labels.csv`` of the ``aggregate-tags`` folder with the new tag sets of relabelled items (their
    ``n_tags`` and ``confidence`` too), without the excluded items (or with them marked), and the change
    log (row, item, action, given_label, new_label, changed, reviewer, decided_at, version).

    Raises
    ------
    DataFileError
        If ``review.sqlite`` relabels an item to a tag outside the folder's tags.
    StorageError
        If ``review.sqlite`` belongs to another folder.
    """
    audit, previewer, labels = tags_units(out_dir, with_answers=False)
    decided = bound_decisions(audit)
    new = _new_sets(previewer, decided)
    rows = np.array([d.row for d in decided], dtype=np.int64)
    old = list(labels["tags"].astype(object).to_numpy()[rows])  # as labels.csv writes them
    labels = labels.copy()
    if new:
        labels["tags"] = labels["tags"].astype(object)
        for row, text in new.items():
            tags = frozenset(split_tags(text, previewer.sep))
            labels.loc[row, "tags"] = text or None  # no tag: a missing cell, as labels.csv reads an empty one
            if "n_tags" in labels.columns:
                labels.loc[row, "n_tags"] = len(tags)
            labels.loc[row, "confidence"] = _set_confidence(previewer.probs, row, tags)
    excluded = [d.row for d in decided if d.action == "exclude"]
    changes = keep_exclude_log(decided, old, pd.DataFrame({"item": labels["item"].astype(str).to_numpy()[rows]}))
    if new:
        at = changes["action"].to_numpy() == "relabel"
        after = [new[int(r)] for r in changes["row"].to_numpy()[at]]
        changes.loc[at, "new_label"] = pd.Series(after, index=changes.index[at], dtype=object)
        given = [_tag_set(o, previewer.sep) for o in changes["given_label"].to_numpy()[at]]
        changes.loc[at, "changed"] = [
            g != frozenset(split_tags(a, previewer.sep)) for g, a in zip(given, after, strict=True)
        ]
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
