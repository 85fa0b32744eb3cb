"""Label Studio exports: the full ``JSON`` export and the flat ``JSON_MIN`` one.

JSON: a list of tasks, each with its ``annotations``; ``completed_by`` an integer or a user
object; cancelled or skipped annotations (``was_cancelled: true``) are dropped and counted.
JSON_MIN: one flat record per annotation with ``id``, ``annotator`` and one key per control.
Answers come from ``choices`` results. The result's ``format`` is ``"labelstudio"`` or
``"labelstudio-min"``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from ..._heavy import pandas as pd
from ...errors import AnnotationError, DataFileError, MissingColumnError
from ._common import (
    Annotations,
    empty_label,
    first_record,
    frame_of,
    infer_dtypes,
    is_json_document,
    is_json_lines,
    json_document,
    json_kind,
    read_jsonl_records,
)

NAME = "labelstudio"

# Keys of a Label Studio JSON_MIN record that are metadata, never a control's answer.
_LS_MIN_META = frozenset(
    {
        "id",
        "annotator",
        "annotation_id",
        "created_at",
        "updated_at",
        "lead_time",
        "agreement",
        "was_cancelled",
        "ground_truth",
        "project",
        "updated_by",
        "inner_id",
        "drafts",
        "predictions",
        "meta",
        "total_annotations",
        "cancelled_annotations",
        "total_predictions",
        "comment_count",
        "unresolved_comment_count",
        "last_comment_updated_at",
        "file_upload",
        "annotation_count",
        "__line__",
    }
)
_MTURK_META = ("HITId", "WorkerId", "AssignmentId")


def recognise(path: Path) -> bool:
    """A JSON list of tasks with ``annotations`` (or of JSON_MIN records), or JSON Lines of such tasks."""
    if is_json_document(path):
        return json_kind(json_document(path)) in ("labelstudio", "labelstudio-min")
    if is_json_lines(path):
        first = first_record(path)
        return first is not None and ("annotations" in first or "completions" in first)
    return False


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


def _read_labelstudio_json(p: Path, tasks: list[Any], item_field: str | None, label_field: str | None) -> Annotations:
    # Parsing nested JSON is inherently per record; everything after it is vectorised.
    """Long because the nested task/annotation/result walk validates each level where it meets it, so every error can name the task; everything after the walk is vectorised."""
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
    dropped: Counter[str] = Counter()
    if n_cancelled:
        dropped["cancelled"] = n_cancelled
    if (per_annotation == 0).any():
        dropped["no_choice"] = int((per_annotation == 0).sum())
    if (per_annotation > 1).any():
        dropped["multiple_choices"] = int((per_annotation > 1).sum())
    frame = frame_of(
        pd.Series(items, dtype=object).to_numpy()[single],
        pd.Series(users, dtype=object).to_numpy()[single],
        label[single],
    )
    frame = infer_dtypes(frame)
    return Annotations(
        frame, "labelstudio", str(p), n_records=n_records, n_cancelled=n_cancelled, dropped=dict(dropped)
    )


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
    frame = frame_of(table[item_col].to_numpy(), users.to_numpy(), table[label_field].to_numpy())
    missing_ids = frame["item"].isna() | frame["annotator"].isna()
    if missing_ids.any():
        row = int(np.flatnonzero(missing_ids.to_numpy())[0])
        raise DataFileError(
            f"annotation file {str(p)!r}: record #{row} (task {table[item_col].iloc[row]!r}) "
            "has no item id or annotator"
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
    empty = ~cancelled & ~multi & empty_label(flat.map(lambda v: None if isinstance(v, list) else v))
    keep = ~cancelled & ~multi & ~empty
    dropped = {
        k: int(v)
        for k, v in (
            ("cancelled", cancelled.sum()),
            ("multiple_choices", (multi & ~cancelled).sum()),
            ("empty", empty.sum()),
        )
        if v
    }
    out = frame_of(frame["item"].to_numpy()[keep], frame["annotator"].to_numpy()[keep], flat.to_numpy()[keep])
    return Annotations(
        infer_dtypes(out),
        "labelstudio-min",
        str(p),
        n_records=len(table),
        n_cancelled=int(cancelled.sum()),
        dropped=dropped,
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


def read(path: Path, *, item_column: str | None = None, label_column: str | None = None, **options: Any) -> Annotations:
    """Read a Label Studio JSON or JSON_MIN export (the annotator is always ``completed_by``/``annotator``)."""
    p, item, label = path, item_column, label_column
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        records = read_jsonl_records(p)
    else:
        records = json_document(p)
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        raise DataFileError(f"annotation file {str(p)!r} must hold a JSON list of tasks, got {type(records).__name__}")
    if not records:
        raise DataFileError(f"annotation file {str(p)!r} holds no tasks")
    kind = json_kind(records)
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
