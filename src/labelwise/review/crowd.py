"""Review an aggregation (``labelwise aggregate``): one card per item, its answers beside the label.

The units are the rows of the folder's ``labels.csv`` (one item each, ``row`` its position in the
file), least certain first: by the folder's own ``confidence`` column (the aggregation's probability
of the label it chose; the largest ``prob_<class>`` when the column is absent), ties by the share of
answers that agree with the label (``agreement``), then file order. An item is *contested*
(flagged, the page's default list) when an annotator answered otherwise than the label
(``agreement < 1``) or the aggregation gives its label less than even odds (confidence below 0.5).
The suggestion is the runner-up class (the second largest ``prob_<class>``).

A card lists the item's answers by annotator, most reliable first, with each annotator's estimated
accuracy from ``annotators.csv`` and, for an annotator that Dawid-Skene's dependence checks found
copying (``summary.json``'s ``dependent_pairs`` and ``dependent_rings``), its copy ring or the
annotators it depends on (:func:`copy_marks`); the page's header lists those pairs and rings
(:func:`dependence`). The answers are read again from the file (or folder of Parquet
parts) the aggregation read, with the format, column options and missing markers it read them with
(``summary.json``'s ``input`` record, :mod:`labelwise.review._answers_input`; ``--demo``'s
``answers.csv``); when that file is gone, cannot be read with them (a folder written before the
record, whose run needed ``--item-column`` and the like) or names items that ``labels.csv`` lacks
(it changed since), the card says so and shows the label and its probabilities alone.

The reviewer keeps, relabels (to one of the classes) or excludes items; :func:`crowd_cleaned` applies
the decisions to ``labels.csv``: a relabelled row gets the new label and, as ``confidence`` is the
probability of the row's label, ``confidence`` becomes its ``prob_<new label>``; every other cell is
as the aggregation wrote it. Excluded rows are dropped, or kept with an ``excluded`` column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataFileError, LabelwiseError
from ..io.annotations import read_annotations
from ..io.dependence import copy_marks, dependent_pairs_of, dependent_rings_of
from ..io.outputs import AuditOutput, is_aggregate_dir, is_audit_dir, load_aggregate
from ..report._folders import folder_view
from ..report._previews import Previewer
from ._answers_input import PARTS, AnswersInput, answers_input, gold_labels, read_parquet_parts
from ._label_dtype import class_of, relabelled_column
from ._task_formats import cleaned_rows
from .store import DB_NAME, Decision, DecisionStore
from .task_export import LOG_COLUMNS, TaskCleaned

__all__ = [
    "CONTESTED_BELOW",
    "CrowdPreviewer",
    "answers_file",
    "bound_decisions",
    "card_text",
    "copy_marks",
    "crowd_cleaned",
    "crowd_units",
    "dependence",
    "is_crowd_folder",
]

#: An item whose label has a probability below this is contested (its label is less likely than not).
CONTESTED_BELOW = 0.5
#: Answers listed on one card at most (the rest are counted).
MAX_ANSWERS_SHOWN = 40


def is_crowd_folder(folder: Path) -> bool:
    """Whether ``folder`` is ``labelwise aggregate``'s: ``labels.csv`` (with a ``label`` column) and
    ``annotators.csv``, no audit's ``issues.csv``, and no other command's ``summary.json``."""
    if is_audit_dir(folder) or not is_aggregate_dir(folder) or folder_view(folder) is not None:
        return False
    try:
        with (folder / "labels.csv").open(encoding="utf-8", newline="") as fh:
            return "label" in next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError):
        return True  # unreadable: the loader names the file


@dataclass(frozen=True)
class _Answers:
    """The answers sorted by row of ``labels.csv`` (row ``r``'s are ``starts[r]:starts[r + 1]`` of
    ``who`` and ``label``, as text); or why there are none (``missing``)."""

    who: np.ndarray
    label: np.ndarray
    starts: np.ndarray
    missing: str | None

    @classmethod
    def none(cls, why: str) -> _Answers:
        empty = np.array([], dtype=object)
        return cls(empty, empty, np.zeros(1, dtype=np.int64), why)

    def of_row(self, row: int) -> list[tuple[str, str]]:
        """Row ``row``'s answers as ``(annotator, label)``, in file order."""
        if row + 1 >= len(self.starts):
            return []
        lo, hi = self.starts[row], self.starts[row + 1]
        return list(zip(self.who[lo:hi].tolist(), self.label[lo:hi].tolist(), strict=True))


def answers_file(folder: Path, summary: dict) -> Path | None:
    """The answers file (or folder of Parquet parts) the aggregation read, found as
    :func:`~labelwise.review._answers_input.answers_input` finds it; None when it is not there."""
    return answers_input(folder, summary).path


def _read_table(src: AnswersInput, path: Path) -> pd.DataFrame:
    """The answers (item, annotator, label) at ``path`` as the aggregation read them (``src``)."""
    if src.format == PARTS:
        names = [str(src.columns.get(k) or k) for k in ("item", "annotator", "label")]
        table = read_parquet_parts(path, names).set_axis(["item", "annotator", "label"], axis=1)
        return table.dropna().reset_index(drop=True)
    read = read_annotations(
        path,
        src.format,
        item_column=src.columns.get("item"),
        annotator_column=src.columns.get("annotator"),
        label_column=src.columns.get("label"),
        na_values=src.na_values,
    )
    return read.answers


def _read_answers(folder: Path, summary: dict, items: pd.Series) -> _Answers:
    """The answers the aggregation read, by row of ``labels.csv`` (items matched as text)."""
    src = answers_input(folder, summary)
    if src.path is None:
        return _Answers.none(f"the answers file {src.named!r} named in summary.json was not found{src.note}")
    try:
        answers = _read_table(src, src.path)
    except LabelwiseError as exc:
        why = f"could not be read as the aggregation read it ({exc}){src.note}"
        return _Answers.none(f"the answers file {str(src.path)!r} {why}")
    keys = answers["item"].astype(str).to_numpy(dtype=object)
    index = pd.Index(items.astype(str).to_numpy(dtype=object))
    if not index.is_unique:
        return _Answers.none(f"labels.csv names item {index[index.duplicated()][0]!r} twice")
    rows = index.get_indexer(keys)
    if (rows < 0).any():
        stray = keys[int(np.argmax(rows < 0))]
        return _Answers.none(
            f"the answers file {str(src.path)!r} has item {stray!r}, which labels.csv lacks: it changed"
        )
    order = np.argsort(rows, kind="stable")
    return _Answers(
        who=answers["annotator"].astype(str).to_numpy(dtype=object)[order],
        label=answers["label"].astype(str).to_numpy(dtype=object)[order],
        starts=np.searchsorted(rows[order], np.arange(len(items) + 1)),
        missing=None,
    )


def card_text(lines: list[str], n_answers: int, limit: int) -> str:
    """A card's text: ``lines`` (the header and the first :data:`MAX_ANSWERS_SHOWN` answers), a line for the
    ``n_answers`` not shown, cut to ``limit`` characters with an ellipsis."""
    if n_answers > MAX_ANSWERS_SHOWN:
        lines = [*lines, f"... and {n_answers - MAX_ANSWERS_SHOWN} more answers"]
    s = "\n".join(lines)
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"


def _fmt(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.2f}"


class CrowdPreviewer(Previewer):
    """The cards of an aggregation's items: the label, its probability and the answers by annotator."""

    kind = "text"

    def __init__(
        self,
        units: pd.DataFrame,
        answers: _Answers,
        accuracy: dict[str, float],
        gold: tuple[dict[str, str], str | None] = ({}, None),
        copies: dict[str, str] | None = None,
    ) -> None:
        super().__init__(None)
        self.units = units.set_index("row", drop=False)
        self.answers = answers
        self.gold, self.gold_missing = gold
        self.accuracy = accuracy
        self.copies = copies or {}

    def answer_list(self, row: int) -> list[dict[str, Any]]:
        """The item's answers, most reliable annotator first: annotator, label, accuracy (None if unknown),
        and ``copies``: how the aggregation found the annotator copying (:func:`copy_marks`; None if not)."""
        got = self.answers.of_row(int(row))
        acc = [self.accuracy.get(who, float("nan")) for who, _ in got]
        order = sorted(range(len(got)), key=lambda i: (-acc[i] if np.isfinite(acc[i]) else np.inf, got[i][0]))
        return [
            {
                "annotator": got[i][0],
                "label": got[i][1],
                "accuracy": acc[i] if np.isfinite(acc[i]) else None,
                "copies": self.copies.get(got[i][0]),
            }
            for i in order
        ]

    def text(self, row: int, *, limit: int = 100_000) -> str | None:
        u = self.units.loc[int(row)]
        lines = [
            f"item {u['item']}: label {u['given_label']} (probability {_fmt(float(u['label_quality']))}), "
            f"runner-up {u['suggested_label']} ({_fmt(float(u['runner_up_prob']))}); "
            f"{int(u['n_answers'])} answers, agreement {_fmt(float(u['agreement']))}"
        ]
        truth = self.gold.get(str(u["item"]))
        if truth is not None:
            lines.append(f"gold label {truth}" + ("" if truth == str(u["given_label"]) else "  * not the label"))
        if self.gold_missing is not None:
            lines.append(f"gold labels not shown: {self.gold_missing}")
        if self.answers.missing is not None:
            lines.append(f"answers not shown: {self.answers.missing}")
        shown = self.answer_list(row)
        for a in shown[:MAX_ANSWERS_SHOWN]:
            acc = "accuracy n/a" if a["accuracy"] is None else f"accuracy {a['accuracy']:.2f}"
            acc += "" if a["copies"] is None else f"; {a['copies']}"
            mark = "" if a["label"] == str(u["given_label"]) else "  *"
            lines.append(f"{a['annotator']} ({acc}): {a['label']}{mark}")
        return card_text(lines, len(shown), limit)

    def media_value(self, row: int) -> str:
        return self.text(row) or ""

    def describe(self, row: int) -> dict:
        gold = self.gold.get(str(self.units.loc[int(row), "item"]))
        return {
            "kind": "text",
            "task": "aggregate",
            "text": self.text(row),
            "answers": self.answer_list(row),
            "gold": gold,
        }


def dependence(summary: dict[str, Any]) -> dict[str, Any]:
    """The review page's note on an aggregation's copying annotators: ``summary.json``'s dependent pairs
    (names, shared items, agreements, expected, z) and copy rings; both empty for a method without the
    check or a folder written before it."""
    rows = [
        {c: v if isinstance(v, str) else (float(v) if np.isfinite(v) else None) for c, v in row.items()}
        for row in dependent_pairs_of(summary).to_dict("records")
    ]
    return {"pairs": rows, "rings": dependent_rings_of(summary)}


def _units(labels: pd.DataFrame, classes: list[str]) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The review's units, least certain first, and the ``prob_<class>`` matrix in ``classes``' order."""
    n = len(labels)
    cols = [f"prob_{c}" for c in classes]
    probs = labels[cols].to_numpy(dtype=np.float64) if cols and all(c in labels.columns for c in cols) else None
    given = labels["label"].astype(str).to_numpy()
    if "confidence" in labels.columns:
        quality = pd.to_numeric(labels["confidence"], errors="coerce").to_numpy(dtype=np.float64)
    elif probs is not None:
        quality = probs.max(axis=1)
    else:
        quality = np.ones(n)
    agreement = (
        pd.to_numeric(labels["agreement"], errors="coerce").to_numpy(dtype=np.float64)
        if "agreement" in labels.columns
        else np.full(n, np.nan)
    )
    runner, runner_p = given.copy(), np.full(n, np.nan)
    if probs is not None and probs.shape[1] > 1:
        top2 = np.argsort(-probs, axis=1, kind="stable")[:, :2]
        names = np.array(classes, dtype=object)
        # the runner-up is the best class that is not the label (the label may not be the top one)
        pick = np.where(names[top2[:, 0]] == given, top2[:, 1], top2[:, 0])
        runner, runner_p = names[pick].astype(str), probs[np.arange(n), pick]
    n_answers = labels["n_answers"].to_numpy() if "n_answers" in labels.columns else np.zeros(n, dtype=np.int64)
    units = pd.DataFrame(
        {
            "row": np.arange(n, dtype=np.int64),
            "item": labels["item"].astype(str).to_numpy(),
            "given_label": given,
            "suggested_label": runner,
            "label_quality": quality,
            "runner_up_prob": runner_p,
            "agreement": agreement,
            "n_answers": n_answers,
            "is_issue": (agreement < 1) | (quality < CONTESTED_BELOW),
        }
    )
    units = units.sort_values(["label_quality", "agreement"], kind="stable", na_position="first")
    units = units.reset_index(drop=True)
    units["rank"] = np.arange(1, n + 1, dtype=np.int64)
    return units, probs


def crowd_units(out_dir: Path, *, with_answers: bool = True) -> tuple[AuditOutput, CrowdPreviewer, pd.DataFrame]:
    """An aggregation folder's items as the review's units (an :class:`AuditOutput`, least certain
    first), their previewer (its cards without answers unless ``with_answers``: the export needs
    none), and ``labels.csv`` as read (ids and labels as text).

    Raises
    ------
    DataFileError, MissingColumnError
        If ``labels.csv`` or ``annotators.csv`` cannot be read or lack their columns.
    """
    agg = load_aggregate(out_dir)
    labels = agg.labels
    written = [str(c)[5:] for c in labels.columns if str(c).startswith("prob_")]
    classes = written or [str(c) for c in agg.classes]
    units, probs = _units(labels, classes)
    ann = agg.annotators
    accuracy = (
        dict(zip(ann["annotator"].astype(str), pd.to_numeric(ann["accuracy"], errors="coerce"), strict=True))
        if "accuracy" in ann.columns
        else {}
    )
    answers = _read_answers(agg.out_dir, agg.summary, labels["item"]) if with_answers else _Answers.none("not read")
    gold = gold_labels(agg.out_dir, agg.summary) if with_answers else ({}, None)
    if gold[0]:  # an item whose label is not its gold label is contested too
        truth = units["item"].map(gold[0])
        units["is_issue"] |= truth.notna().to_numpy() & (truth != units["given_label"]).to_numpy()
    previewer = CrowdPreviewer(units, answers, accuracy, gold, copy_marks(agg.dependent_pairs, agg.dependent_rings))
    audit = AuditOutput(
        out_dir=agg.out_dir,
        summary=agg.summary,
        issues=units,
        classes=list(classes),
        probs=probs,
        data=None,
        data_path=None,
        label_column="label",
        image_column=None,
    )
    return audit, previewer, labels


def bound_decisions(audit: AuditOutput) -> list[Decision]:
    """The current decisions, the store bound as the review page binds it (refused when it is another folder's)."""
    path = audit.out_dir / DB_NAME
    if not path.is_file():
        return []
    store = DecisionStore(path, n_examples=len(audit.issues))
    store.bind_audit(audit.issues, what="aggregation")
    return sorted((d for d in store.current().values() if d.action != "clear"), key=lambda d: d.row)


def _new_label(classes: list[str], d: Decision) -> str:
    found = class_of(classes, d.label)
    if found is None:
        raise DataFileError(
            f"review.sqlite relabels row {d.row} to {d.label!r}, which is not a class of the aggregation "
            f"{classes[:20]}; record another decision for it on the review page"
        )
    return str(found)


def _typed(column: pd.Series, text: str) -> Any:
    """The class ``text`` as a value of ``column``'s type (``labels.csv`` reads plain integers as integers)."""
    try:
        if column.dtype.kind in "iu":
            return int(text)
        if column.dtype.kind == "f":
            return float(text)
    except ValueError:
        pass
    return text


def crowd_cleaned(out_dir: Path, *, mark_excluded: bool = False, excluded_column: str = "excluded") -> TaskCleaned:
    """``labels.csv`` of the aggregation in ``out_dir`` with the review's decisions applied (see the
    module docstring), and the change log (row, item, action, given_label, new_label, changed,
    reviewer, decided_at, version).

    Raises
    ------
    DataFileError
        If a relabel names no class of the aggregation.
    InvalidParameterError
        If ``mark_excluded`` and ``labels.csv`` already has ``excluded_column``.
    StorageError
        If ``review.sqlite`` belongs to another folder.
    """
    audit, _, labels = crowd_units(out_dir, with_answers=False)
    decided = bound_decisions(audit)
    rows = np.array([d.row for d in decided], dtype=np.int64)
    old = labels["label"].astype(str).to_numpy()
    new = [
        _new_label(audit.classes, d) if d.action == "relabel" else (None if d.action == "exclude" else old[d.row])
        for d in decided
    ]
    cleaned = labels.reset_index(drop=True)
    relabel = [(d.row, str(label)) for d, label in zip(decided, new, strict=True) if d.action == "relabel"]
    if relabel:
        at = np.array([r for r, _ in relabel], dtype=np.int64)
        typed = pd.Series([_typed(cleaned["label"], label) for _, label in relabel], dtype=object).to_numpy()
        cleaned["label"] = relabelled_column(cleaned["label"], at, typed)
        if "confidence" in cleaned.columns:  # the probability of the row's label, now the new one's
            for r, label in relabel:
                if f"prob_{label}" in cleaned.columns:
                    cleaned.loc[r, "confidence"] = cleaned.loc[r, f"prob_{label}"]
    excluded = [d.row for d in decided if d.action == "exclude"]
    cleaned = cleaned_rows(cleaned, excluded, mark_excluded=mark_excluded, column=excluded_column)
    changes = pd.DataFrame(
        {
            "row": rows,
            "item": labels["item"].astype(str).to_numpy()[rows],
            "action": [d.action for d in decided],
            "given_label": pd.Series(old[rows], dtype=object),
            "new_label": pd.Series(new, dtype=object),
            "changed": [
                d.action == "exclude" or (d.action == "relabel" and n != old[d.row])
                for d, n in zip(decided, new, strict=True)
            ],
            "reviewer": [d.reviewer for d in decided],
            "decided_at": [d.decided_at for d in decided],
            "version": np.array([d.version for d in decided], dtype=np.int64),
        },
        columns=["row", "item", *LOG_COLUMNS[1:]],
    )
    return TaskCleaned(
        task="aggregate",
        content=cleaned,
        changes=changes,
        unit="rows",
        n_written=len(cleaned),
        n_removed=0 if mark_excluded else len(excluded),
        n_excluded=len(excluded),
        n_kept=sum(d.action == "keep" for d in decided),
    )
