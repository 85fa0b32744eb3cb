"""Read annotation exports into one long table of answers: ``item, annotator, label``.

Supported sources (``format=``):

``long``
    A table with one row per answer (CSV, TSV, Parquet, JSON Lines or a JSON list of records),
    read with :func:`labelwise.io.read_table`. Column names are configurable.
``labelstudio``
    A Label Studio export, either the full ``JSON`` export (a list of tasks, each with its
    ``annotations``; ``completed_by`` an integer or a user object; cancelled or skipped
    annotations, ``was_cancelled: true``, are dropped and counted) or the ``JSON_MIN`` export (one
    flat record per annotation with ``id``, ``annotator`` and one key per control). Answers come
    from ``choices`` results.
``mturk``
    An Amazon Mechanical Turk batch results CSV (``HITId``, ``WorkerId``, ``AssignmentStatus``,
    ``Input.*``, ``Answer.*``). Rejected assignments are dropped and counted. The answer is an
    ``Answer.<name>`` column, or a group of boolean ``Answer.<name>.<option>`` columns (radio
    buttons in crowd HTML forms).
``prodigy``
    A Prodigy ``db-out`` JSON Lines file. Choice tasks (``options`` plus an ``accept`` list) give
    the accepted option as the label; binary tasks (one ``label``, answered accept or reject) give
    ``"accept"`` or ``"reject"`` for the item (input, label). Ignored answers are dropped and
    counted; so are rejected choice tasks.
``auto``
    Detected from the suffix and the first record (see :func:`detect_format`).

Every reader returns an :class:`Annotations` result: the table plus counts of what was read and
what was dropped, and the format detected.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._validate import check_choice
from ..errors import AnnotationError, DataFileError, MissingColumnError
from .tables import iter_json_lines, read_table

__all__ = ["FORMATS", "Annotations", "detect_format", "read_annotations"]

FORMATS = ("auto", "long", "labelstudio", "mturk", "prodigy", "votes")
COLUMNS = ("item", "annotator", "label")

# Keys of a Label Studio JSON_MIN record that are metadata, never a control's answer.
_LS_MIN_META = frozenset(
    {
        "id", "annotator", "annotation_id", "created_at", "updated_at", "lead_time", "agreement",
        "was_cancelled", "ground_truth", "project", "updated_by", "inner_id", "drafts",
        "predictions", "meta", "total_annotations", "cancelled_annotations", "total_predictions",
        "comment_count", "unresolved_comment_count", "last_comment_updated_at", "file_upload",
        "annotation_count", "__line__",
    }
)
_MTURK_META = ("HITId", "WorkerId", "AssignmentId")


@dataclass(frozen=True)
class Annotations:
    """Answers read from an annotation export, with what was dropped on the way.

    Attributes
    ----------
    answers : DataFrame
        One row per answer, columns ``item``, ``annotator``, ``label`` (in file order).
    format : str
        The format read: ``"long"``, ``"labelstudio"``, ``"labelstudio-min"``, ``"mturk"`` or
        ``"prodigy"``.
    source : str
        The file read.
    n_records : int
        Answers found in the file before anything was dropped (Label Studio: annotations,
        cancelled ones included; MTurk: assignments; Prodigy: lines; long: rows).
    n_cancelled : int
        Annotations cancelled or skipped in Label Studio (``was_cancelled``), dropped.
    dropped : dict
        Reason -> number of records dropped for it (``cancelled``, ``rejected``, ``ignored``,
        ``empty``, ``multiple_choices``, ``no_choice``).
    """

    answers: pd.DataFrame
    format: str
    source: str
    n_records: int
    n_cancelled: int = 0
    dropped: Mapping[str, int] = field(default_factory=dict)

    @property
    def n_answers(self) -> int:
        """Answers kept."""
        return int(self.answers.shape[0])

    @property
    def n_dropped(self) -> int:
        """Records dropped for any reason (cancelled ones included)."""
        return int(sum(self.dropped.values()))

    def summary(self) -> dict[str, Any]:
        """What was read, as a JSON-ready dict."""
        return {
            "format": self.format,
            "source": self.source,
            "n_records": int(self.n_records),
            "n_answers": self.n_answers,
            "n_cancelled": int(self.n_cancelled),
            "n_dropped": self.n_dropped,
            "dropped": {k: int(v) for k, v in sorted(self.dropped.items())},
        }

    def to_frame(self) -> pd.DataFrame:
        """A copy of the long table (item, annotator, label)."""
        return self.answers.copy()


# --------------------------------------------------------------------------------------------
# format detection


def _load_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"annotation file {str(path)!r}: line {exc.lineno} is not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise DataFileError(f"annotation file {str(path)!r} is not UTF-8 text ({exc.reason})") from None


def _first_json_line(path: Path) -> tuple[int, Any] | None:
    with path.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    return number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DataFileError(
                        f"annotation file {str(path)!r}: line {number} is not valid JSON ({exc.msg})"
                    ) from None
    return None


def _check_file(path: str | os.PathLike) -> Path:
    p = Path(path)
    if not p.exists():
        raise DataFileError(f"annotation file {str(p)!r} does not exist")
    if p.is_dir():
        raise DataFileError(f"annotation file {str(p)!r} is a folder, expected a file")
    if p.stat().st_size == 0:
        raise DataFileError(f"annotation file {str(p)!r} is empty")
    return p


def _json_kind(data: Any) -> str | None:
    """``labelstudio`` / ``labelstudio-min`` / ``long`` for a parsed JSON document, or None."""
    records = data if isinstance(data, list) else [data]
    first = next((r for r in records if isinstance(r, dict)), None)
    if first is None:
        return None
    if "annotations" in first or "completions" in first:
        return "labelstudio"
    if "annotator" in first and ("annotation_id" in first or ("id" in first and "item" not in first)):
        return "labelstudio-min"
    return "long"


def detect_format(path: str | os.PathLike) -> str:
    """Guess the export format of ``path``.

    Rules: a ``.json`` list of tasks with ``annotations`` (or ``completions``) is Label Studio
    JSON; a list of flat records with ``annotator`` is Label Studio JSON_MIN; a ``.jsonl`` whose
    first record has Prodigy's ``_input_hash``, ``_task_hash`` or ``answer`` keys is Prodigy; a
    CSV with ``WorkerId`` and ``Answer.*`` columns is MTurk; anything else is a long table.

    Returns
    -------
    str
        ``"long"``, ``"labelstudio"``, ``"mturk"`` or ``"prodigy"``.
    """
    return _detect(_check_file(path))[0]


def _detect(p: Path) -> tuple[str, Any]:
    """The format, and the parsed JSON document when one was parsed to tell (to parse it once)."""
    suffix = p.suffix.lower()
    if suffix == ".json":
        with p.open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(64).lstrip()
        if head.startswith("[") or head.startswith("{") and not _looks_like_jsonl(p):
            document = _load_json(p)
            kind = _json_kind(document)
            return ("labelstudio", document) if kind in ("labelstudio", "labelstudio-min") else ("long", None)
        suffix = ".jsonl"
    if suffix in (".jsonl", ".ndjson"):
        first = _first_json_line(p)
        if first is not None and isinstance(first[1], dict):
            keys = set(first[1])
            if keys & {"_input_hash", "_task_hash", "_annotator_id", "_session_id"} or (
                "answer" in keys and keys & {"label", "accept", "options"}
            ):
                return "prodigy", None
            if "annotations" in keys or "completions" in keys:
                return "labelstudio", None
        return "long", None
    if suffix in (".csv", ".tsv", ".txt"):
        try:
            header = pd.read_csv(p, nrows=0, sep="\t" if suffix == ".tsv" else ",").columns
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
            return "long", None
        if "WorkerId" in header and any(str(c).startswith("Answer.") for c in header):
            return "mturk", None
    return "long", None


def _looks_like_jsonl(p: Path) -> bool:
    with p.open(encoding="utf-8", errors="replace") as fh:
        lines = [line for _, line in zip(range(3), fh) if line.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
        return True
    except json.JSONDecodeError:
        return False


# --------------------------------------------------------------------------------------------
# helpers


def _frame(item: Any, annotator: Any, label: Any) -> pd.DataFrame:
    return pd.DataFrame({"item": item, "annotator": annotator, "label": label})


def _empty_label(values: pd.Series) -> np.ndarray:
    """Missing labels: null, or a string that is blank."""
    missing = values.isna().to_numpy()
    if values.dtype == object:
        as_str = values.astype(str).str.strip()
        missing |= (as_str == "").to_numpy() & values.map(lambda v: isinstance(v, str)).to_numpy()
    return missing


def _require_ids(frame: pd.DataFrame, path: Path, where: str, first_line: int = 2) -> None:
    """Null item or annotator ids are an error naming the first offending row."""
    for col in ("item", "annotator"):
        null = frame[col].isna().to_numpy()
        if null.any():
            row = int(np.flatnonzero(null)[0])
            raise AnnotationError(
                f"annotation file {str(path)!r}: the {col} id must not be empty, {where} {row + first_line} has none"
            )


# --------------------------------------------------------------------------------------------
# long table


def _read_long(p: Path, item: str | None, annotator: str | None, label: str | None) -> Annotations:
    table = read_table(p)
    names = {"item": item or "item", "annotator": annotator or "annotator", "label": label or "label"}
    missing = [name for name in names.values() if name not in table.columns]
    if missing:
        raise MissingColumnError(
            f"annotation file {str(p)!r} must have columns {list(names.values())} (item, annotator, label; "
            f"rename with --item-column/--annotator-column/--label-column); missing {missing}, "
            f"found {[str(c) for c in table.columns]}"
        )
    frame = _frame(table[names["item"]].to_numpy(), table[names["annotator"]].to_numpy(), table[names["label"]].to_numpy())
    is_csv = p.suffix.lower() in (".csv", ".tsv", ".txt")
    _require_ids(frame, p, "line" if is_csv else "row", first_line=2 if is_csv else 1)
    empty = _empty_label(frame["label"])
    dropped = {"empty": int(empty.sum())} if empty.any() else {}
    kept = frame.loc[~empty].reset_index(drop=True)
    lab = kept["label"]
    if lab.dtype.kind == "f" and np.all(np.mod(lab.to_numpy(), 1) == 0):
        # a missing label turned an integer column into floats: give the integers back
        kept["label"] = lab.astype(np.int64)
    return Annotations(kept, "long", str(p), n_records=int(frame.shape[0]), dropped=dropped)


# --------------------------------------------------------------------------------------------
# Label Studio


def _ls_user(value: Any) -> Any:
    """``completed_by`` as an int, a string, or a user object with ``id`` (or ``email``)."""
    if isinstance(value, dict):
        for key in ("id", "email", "username"):
            if value.get(key) is not None:
                return value[key]
        return None
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return value
    return None


def _read_labelstudio_json(
    p: Path, tasks: list[Any], item_field: str | None, label_field: str | None
) -> Annotations:
    # Parsing nested JSON is inherently per record; everything after it is vectorised.
    items: list[Any] = []
    users: list[Any] = []
    names: list[Any] = []
    values: list[Any] = []
    result_keys: list[int] = []  # annotation number of each choices result
    n_records = 0
    n_cancelled = 0
    annotation_keys: list[int] = []
    for position, task in enumerate(tasks):
        if not isinstance(task, dict):
            raise DataFileError(
                f"annotation file {str(p)!r}: task #{position} must be a JSON object, got {type(task).__name__}"
            )
        task_id = task.get("id", f"#{position}")
        annotations = task.get("annotations", task.get("completions"))
        if not isinstance(annotations, list):
            raise DataFileError(
                f"annotation file {str(p)!r}: task {task_id} must have an 'annotations' list, "
                f"got {type(annotations).__name__ if annotations is not None else 'none'}"
            )
        if item_field is None:
            item = task.get("id")
            if item is None:
                raise DataFileError(f"annotation file {str(p)!r}: task #{position} has no 'id'")
        else:
            data = task.get("data")
            if not isinstance(data, dict) or data.get(item_field) is None:
                raise DataFileError(
                    f"annotation file {str(p)!r}: task {task_id} has no data field {item_field!r} "
                    f"(found {sorted(data) if isinstance(data, dict) else 'no data'})"
                )
            item = data[item_field]
        for annotation in annotations:
            if not isinstance(annotation, dict):
                raise DataFileError(
                    f"annotation file {str(p)!r}: task {task_id} has an annotation that is not a JSON object"
                )
            n_records += 1
            if annotation.get("was_cancelled"):
                n_cancelled += 1
                continue
            user = _ls_user(annotation.get("completed_by"))
            if user is None:
                raise DataFileError(
                    f"annotation file {str(p)!r}: task {task_id} has an annotation without 'completed_by' "
                    f"(an integer user id or a user object), got {annotation.get('completed_by')!r}"
                )
            result = annotation.get("result", [])
            if not isinstance(result, list):
                raise DataFileError(
                    f"annotation file {str(p)!r}: task {task_id} has an annotation whose 'result' is not a list"
                )
            key = len(annotation_keys)
            annotation_keys.append(key)
            items.append(item)
            users.append(user)
            for region in result:
                if not isinstance(region, dict) or region.get("type") != "choices":
                    continue
                value = region.get("value")
                choices = value.get("choices") if isinstance(value, dict) else None
                if not isinstance(choices, list):
                    raise DataFileError(
                        f"annotation file {str(p)!r}: task {task_id} has a choices result without a "
                        f"'value.choices' list"
                    )
                result_keys.append(key)
                names.append(region.get("from_name"))
                values.append(choices)
    n_kept = len(annotation_keys)
    control_names = sorted({str(n) for n in names})
    if label_field is None and len(control_names) > 1:
        raise AnnotationError(
            f"annotation file {str(p)!r} has several choices controls {control_names}; pass label_column= "
            f"(--label-column) to say which one holds the label"
        )
    if label_field is not None and names and label_field not in control_names:
        raise AnnotationError(
            f"annotation file {str(p)!r}: label_column must be one of the choices controls {control_names}, "
            f"got {label_field!r}"
        )
    res = pd.DataFrame({"key": np.asarray(result_keys, dtype=np.int64), "name": pd.Series(names, dtype=object)})
    res["choices"] = pd.Series(values, dtype=object)
    if label_field is not None:
        res = res.loc[res["name"] == label_field]
    n_choices = res["choices"].map(len).to_numpy() if len(res) else np.zeros(0, dtype=np.int64)
    per_annotation = np.bincount(res["key"].to_numpy(), weights=n_choices, minlength=n_kept)
    single = per_annotation == 1
    label = np.empty(n_kept, dtype=object)
    one = res.loc[n_choices == 1]
    label[one["key"].to_numpy()] = one["choices"].map(lambda c: c[0]).to_numpy()
    dropped = Counter()
    if n_cancelled:
        dropped["cancelled"] = n_cancelled
    if (per_annotation == 0).any():
        dropped["no_choice"] = int((per_annotation == 0).sum())
    if (per_annotation > 1).any():
        dropped["multiple_choices"] = int((per_annotation > 1).sum())
    frame = _frame(
        pd.Series(items, dtype=object).to_numpy()[single],
        pd.Series(users, dtype=object).to_numpy()[single],
        label[single],
    )
    frame = _infer_dtypes(frame)
    return Annotations(frame, "labelstudio", str(p), n_records=n_records, n_cancelled=n_cancelled, dropped=dict(dropped))


def _infer_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns of plain ints become int64, so ids compare equal to the same ids read from CSV."""
    return frame.infer_objects()


def _read_labelstudio_min(p: Path, records: list[Any], item_field: str | None, label_field: str | None) -> Annotations:
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise DataFileError(f"annotation file {str(p)!r}: record #{bad} must be a JSON object")
    table = pd.DataFrame.from_records(records)
    item_col = item_field or "id"
    for col in (item_col, "annotator"):
        if col not in table.columns:
            raise MissingColumnError(
                f"annotation file {str(p)!r} (Label Studio JSON_MIN) must have a {col!r} key in every record; "
                f"found {sorted(map(str, table.columns))}"
            )
    candidates = [c for c in table.columns if c not in _LS_MIN_META and c != item_col]
    if label_field is None:
        label_field = _pick_min_label(p, table, candidates, item_col)
    elif label_field not in table.columns:
        raise MissingColumnError(
            f"annotation file {str(p)!r}: label_column {label_field!r} is not a key of the records; "
            f"candidates are {sorted(map(str, candidates))}"
        )
    users = table["annotator"].map(_ls_user)
    frame = _frame(table[item_col].to_numpy(), users.to_numpy(), table[label_field].to_numpy())
    missing_ids = frame["item"].isna() | frame["annotator"].isna()
    if missing_ids.any():
        row = int(np.flatnonzero(missing_ids.to_numpy())[0])
        raise DataFileError(
            f"annotation file {str(p)!r}: record #{row} (task {table[item_col].iloc[row]!r}) has no item id or annotator"
        )
    cancelled = (
        table["was_cancelled"].fillna(False).astype(bool).to_numpy()
        if "was_cancelled" in table.columns
        else np.zeros(len(table), dtype=bool)
    )
    raw = frame["label"]
    is_multi = raw.map(lambda v: isinstance(v, dict) or isinstance(v, list)).to_numpy()
    flat = raw.map(_min_choice)
    multi = is_multi & flat.map(lambda v: isinstance(v, list)).to_numpy()
    empty = ~cancelled & ~multi & _empty_label(flat.map(lambda v: None if isinstance(v, list) else v))
    keep = ~cancelled & ~multi & ~empty
    dropped = {
        k: int(v)
        for k, v in (("cancelled", cancelled.sum()), ("multiple_choices", (multi & ~cancelled).sum()), ("empty", empty.sum()))
        if v
    }
    out = _frame(frame["item"].to_numpy()[keep], frame["annotator"].to_numpy()[keep], flat.to_numpy()[keep])
    return Annotations(
        _infer_dtypes(out), "labelstudio-min", str(p), n_records=len(table), n_cancelled=int(cancelled.sum()), dropped=dropped
    )


def _min_choice(value: Any) -> Any:
    """A JSON_MIN answer: a string, or ``{"choices": [...]}`` (a list when several were chosen)."""
    if isinstance(value, dict):
        value = value.get("choices", value.get("labels"))
    if isinstance(value, list):
        if len(value) == 1:
            return value[0]
        return value if value else None
    return value


def _pick_min_label(p: Path, table: pd.DataFrame, candidates: list[Any], item_col: str) -> Any:
    """The JSON_MIN key that holds the answer, when the user did not name it."""
    if "label" in candidates:
        return "label"
    if len(candidates) == 1:
        return candidates[0]
    # Data fields (text, image URL) are the same for every annotation of a task; an answer varies
    # between annotators somewhere, or is a {"choices": [...]} object.
    choice_like = [c for c in candidates if table[c].map(lambda v: isinstance(v, dict) and "choices" in v).any()]
    if len(choice_like) == 1:
        return choice_like[0]
    varying = []
    for c in candidates:
        as_text = table[c].map(lambda v: json.dumps(v, sort_keys=True, default=str))
        if (as_text.groupby(table[item_col].map(str)).nunique() > 1).any():
            varying.append(c)
    if len(varying) == 1:
        return varying[0]
    raise AnnotationError(
        f"annotation file {str(p)!r} (Label Studio JSON_MIN) has several fields that could hold the label "
        f"{sorted(map(str, candidates))}; pass label_column= (--label-column) to say which one"
    )


def _read_labelstudio(p: Path, item: str | None, label: str | None, document: Any = None) -> Annotations:
    if document is not None:
        records = document
    elif p.suffix.lower() in (".jsonl", ".ndjson"):
        records = _read_jsonl_records(p)
    else:
        records = _load_json(p)
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise DataFileError(f"annotation file {str(p)!r} must hold a JSON list of tasks, got {type(records).__name__}")
    if not records:
        raise DataFileError(f"annotation file {str(p)!r} holds no tasks")
    kind = _json_kind(records)
    if kind == "labelstudio":
        return _read_labelstudio_json(p, records, item, label)
    if kind == "labelstudio-min":
        return _read_labelstudio_min(p, records, item, label)
    first = records[0]
    raise DataFileError(
        f"annotation file {str(p)!r} is not a Label Studio export: expected tasks with 'annotations' (JSON) or "
        f"records with 'annotator' (JSON_MIN), the first record has keys "
        f"{sorted(first) if isinstance(first, dict) else type(first).__name__}"
    )


# --------------------------------------------------------------------------------------------
# MTurk


def _read_mturk(p: Path, item: str | None, label: str | None) -> Annotations:
    try:
        table = pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataFileError(f"annotation file {str(p)!r} could not be read as an MTurk batch CSV: {exc}") from None
    cols = [str(c) for c in table.columns]
    if "WorkerId" not in cols:
        raise MissingColumnError(f"annotation file {str(p)!r} (MTurk batch results) must have a 'WorkerId' column; found {cols}")
    inputs = [c for c in cols if c.startswith("Input.")]
    answers = [c for c in cols if c.startswith("Answer.")]
    if not answers:
        raise MissingColumnError(f"annotation file {str(p)!r} (MTurk batch results) has no 'Answer.*' column; found {cols}")
    # item: Input.<item>, else Input.id, else HITId
    if item is not None:
        item_col = item if item in cols else f"Input.{item}"
        if item_col not in cols:
            raise MissingColumnError(
                f"annotation file {str(p)!r}: item_column {item!r} is not a column (as is or as 'Input.{item}'); "
                f"input columns are {inputs}"
            )
    elif "Input.id" in cols:
        item_col = "Input.id"
    elif "HITId" in cols:
        item_col = "HITId"
    else:
        raise MissingColumnError(
            f"annotation file {str(p)!r} (MTurk batch results) needs 'HITId' or an item column (item_column=); found {cols}"
        )
    groups: dict[str, list[str]] = {}
    for c in answers:
        parts = c[len("Answer.") :].split(".", 1)
        groups.setdefault(parts[0], []).append(c)
    if label is not None:
        name = label[len("Answer.") :] if label.startswith("Answer.") else label
        if name not in groups and label in cols:
            groups[name] = [label]
        if name not in groups:
            raise MissingColumnError(
                f"annotation file {str(p)!r}: label_column {label!r} is not an answer; answers are {sorted(groups)}"
            )
    elif len(groups) == 1:
        name = next(iter(groups))
    else:
        raise AnnotationError(
            f"annotation file {str(p)!r} has several answers {sorted(groups)}; pass label_column= (--label-column) "
            f"to say which one holds the label"
        )
    group = groups[name]
    n = len(table)
    if group == [f"Answer.{name}"] or len(group) == 1:
        labels = table[group[0]].to_numpy(dtype=object)
        multi = np.zeros(n, dtype=bool)
    else:
        # one boolean column per option: Answer.<name>.<option> = true/false
        options = [c[len(f"Answer.{name}.") :] for c in group]
        flags = table[group].apply(lambda s: s.astype(str).str.strip().str.lower().isin(("true", "1", "on", "yes")))
        flag_arr = flags.to_numpy()
        count = flag_arr.sum(axis=1)
        labels = np.where(count == 1, np.asarray(options, dtype=object)[flag_arr.argmax(axis=1)], None)
        multi = count > 1
    status = table["AssignmentStatus"].astype(str).str.strip() if "AssignmentStatus" in cols else pd.Series([""] * n)
    rejected = (status == "Rejected").to_numpy()
    frame = _frame(table[item_col].to_numpy(dtype=object), table["WorkerId"].to_numpy(dtype=object), labels)
    _require_ids(frame, p, "line")
    empty = _empty_label(frame["label"]) & ~multi
    keep = ~rejected & ~multi & ~empty
    dropped = {
        k: int(v)
        for k, v in (("rejected", rejected.sum()), ("multiple_choices", (multi & ~rejected).sum()), ("empty", (empty & ~rejected).sum()))
        if v
    }
    out = frame.loc[keep].reset_index(drop=True)
    return Annotations(out, "mturk", str(p), n_records=n, dropped=dropped)


# --------------------------------------------------------------------------------------------
# Prodigy


def _read_jsonl_records(p: Path) -> list[Any]:
    records = []
    for number, value in iter_json_lines(p, kind="annotation file"):
        value["__line__"] = number
        records.append(value)
    if not records:
        raise DataFileError(f"annotation file {str(p)!r} holds no records")
    return records


def _read_prodigy(p: Path, item: str | None, annotator: str | None) -> Annotations:
    table = pd.DataFrame.from_records(_read_jsonl_records(p))
    lines = table["__line__"].to_numpy()
    n = len(table)

    def col(name: str) -> pd.Series:
        return table[name] if name in table.columns else pd.Series([None] * n, index=table.index, dtype=object)

    if "answer" not in table.columns or col("answer").isna().any():
        row = int(np.flatnonzero(col("answer").isna().to_numpy())[0])
        raise DataFileError(f"annotation file {str(p)!r}: line {lines[row]} has no 'answer' (accept, reject or ignore)")
    answer = col("answer").astype(str).str.lower()
    unknown = ~answer.isin(("accept", "reject", "ignore"))
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataFileError(
            f"annotation file {str(p)!r}: line {lines[row]} has answer {col('answer').iloc[row]!r}, "
            f"expected 'accept', 'reject' or 'ignore'"
        )
    if annotator is not None:
        if annotator not in table.columns:
            raise MissingColumnError(
                f"annotation file {str(p)!r}: annotator_column {annotator!r} is not a key; found {sorted(map(str, table.columns))}"
            )
        who = col(annotator)
    else:
        who = col("_annotator_id").where(col("_annotator_id").notna(), col("_session_id"))
    if who.isna().any():
        row = int(np.flatnonzero(who.isna().to_numpy())[0])
        raise DataFileError(
            f"annotation file {str(p)!r}: line {lines[row]} has no annotator ('_annotator_id' or '_session_id')"
        )
    has_options = col("options").map(lambda v: isinstance(v, list)).to_numpy()
    accept = col("accept")
    label_value = col("label")
    is_choice = has_options | accept.map(lambda v: isinstance(v, list)).to_numpy()
    is_binary = ~is_choice & label_value.notna().to_numpy()
    unsupported = ~is_choice & ~is_binary
    if item is not None:
        if item not in table.columns:
            raise MissingColumnError(
                f"annotation file {str(p)!r}: item_column {item!r} is not a key; found {sorted(map(str, table.columns))}"
            )
        item_ids = col(item)
    else:
        # choice task: the input is the item; binary task: the (input, label) question is the item
        input_id = col("_input_hash")
        fallback = (input_id.astype(str) + ":" + label_value.astype(str)).where(input_id.notna())
        binary_id = col("_task_hash").where(col("_task_hash").notna(), fallback)
        item_ids = pd.Series(np.where(is_binary, binary_id.to_numpy(dtype=object), input_id.to_numpy(dtype=object)), index=table.index)
    no_item = item_ids.isna().to_numpy() & ~unsupported
    if no_item.any():
        row = int(np.flatnonzero(no_item)[0])
        raise DataFileError(f"annotation file {str(p)!r}: line {lines[row]} has no item id ('_input_hash' or '_task_hash')")
    n_accepted = accept.map(lambda v: len(v) if isinstance(v, list) else 0).to_numpy()
    choice_label = accept.map(lambda v: v[0] if isinstance(v, list) and len(v) == 1 else None).to_numpy(dtype=object)
    ans = answer.to_numpy()
    ignored = ans == "ignore"
    labels = np.where(is_binary, ans, choice_label)
    rejected_choice = is_choice & (ans == "reject") & ~ignored
    multi = is_choice & (ans == "accept") & (n_accepted > 1)
    empty = is_choice & (ans == "accept") & (n_accepted == 0)
    keep = ~ignored & ~rejected_choice & ~multi & ~empty & ~unsupported
    dropped = {
        k: int(v)
        for k, v in (
            ("ignored", ignored.sum()),
            ("rejected", rejected_choice.sum()),
            ("multiple_choices", multi.sum()),
            ("empty", empty.sum()),
            ("unsupported", (unsupported & ~ignored).sum()),
        )
        if v
    }
    out = _frame(item_ids.to_numpy(dtype=object)[keep], who.to_numpy(dtype=object)[keep], labels[keep])
    return Annotations(_infer_dtypes(out), "prodigy", str(p), n_records=n, dropped=dropped)


# --------------------------------------------------------------------------------------------
# entry point


def read_annotations(
    path: str | os.PathLike,
    format: str = "auto",
    *,
    item_column: str | None = None,
    annotator_column: str | None = None,
    label_column: str | None = None,
) -> Annotations:
    """Read an annotation export into one long table of answers.

    Parameters
    ----------
    path : path-like
        The export file.
    format : {"auto", "long", "labelstudio", "mturk", "prodigy"}
        The source format; ``"auto"`` detects it with :func:`detect_format`.
    item_column : str, optional
        Long table: the item column (default ``"item"``). Label Studio: a ``data`` field (JSON) or
        record key (JSON_MIN) to use as item id instead of the task id. MTurk: an ``Input.*``
        column (default ``Input.id`` when present, else ``HITId``). Prodigy: a record key
        (default ``_input_hash`` for choice tasks, ``_task_hash`` for binary ones).
    annotator_column : str, optional
        Long table: the annotator column (default ``"annotator"``). Prodigy: a record key
        (default ``_annotator_id``, else ``_session_id``).
    label_column : str, optional
        Long table: the label column (default ``"label"``). Label Studio: the ``from_name`` of the
        choices control (JSON) or the record key (JSON_MIN); needed only when there are several.
        MTurk: the answer name (``Answer.<name>``); needed only when there are several.

    Returns
    -------
    Annotations
        The long table and counts of records read and dropped.

    Raises
    ------
    DataFileError
        The file is missing, empty or malformed (the message names the file and the line, or the
        Label Studio task id).
    MissingColumnError
        A needed column is absent (the message lists those present).
    AnnotationError
        Null item or annotator ids, or an ambiguous label field.

    Examples
    --------
    >>> from labelwise.io import read_annotations
    >>> read = read_annotations("export.json", format="labelstudio")   # doctest: +SKIP
    >>> read.answers.columns.tolist(), read.n_cancelled                # doctest: +SKIP
    (['item', 'annotator', 'label'], 2)
    """
    check_choice("format", format, FORMATS)
    p = _check_file(path)
    from . import votes as _votes  # repeated model samples (the lead moves this into the registry)

    fmt, document = _detect(p) if format == "auto" else (format, None)
    if format == "auto" and _votes.recognise(p):
        fmt = _votes.NAME
    if fmt == _votes.NAME:
        result = _votes.read(p, item_column=item_column, annotator_column=annotator_column, label_column=label_column)
    elif fmt == "long":
        result = _read_long(p, item_column, annotator_column, label_column)
    elif fmt == "labelstudio":
        result = _read_labelstudio(p, item_column, label_column, document)
    elif fmt == "mturk":
        result = _read_mturk(p, item_column, label_column)
    else:
        result = _read_prodigy(p, item_column, annotator_column)
    if result.answers.shape[0] == 0:
        raise AnnotationError(
            f"annotation file {str(p)!r} ({result.format}) has no usable answers: {result.n_records} record(s) read, "
            f"dropped {dict(result.dropped) or 'none'}"
            + (" (only 'choices' results are read)" if result.format.startswith("labelstudio") else "")
        )
    return result
