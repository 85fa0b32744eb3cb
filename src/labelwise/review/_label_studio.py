"""Label Studio import tasks of an audit's flagged examples, and the labeling config that matches them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from ..errors import InvalidParameterError
from ..io.atomic import atomic_write
from ..io.outputs import load_audit
from ..report._previews import PREVIEWERS, Previewer
from ._audited_data import load_reviewed_audit
from ._data_ids import data_ids, id_key, jsonable_id
from ._export_paths import label_studio_paths, refuse_audit_file, refuse_audited_data
from .task_export import refuse_label_studio

__all__ = ["export_label_studio", "label_studio_config", "label_studio_tasks"]


#: Each preview kind's Label Studio medium (``Previewer.media``).
_MEDIA_OF_KIND = {previewer.kind: previewer.media for previewer in PREVIEWERS}
_LS_FIELDS = ("row", "given_label", "suggested_label", "label_quality", "rank")
_LS_OBJECTS = {"image": '<Image name="image" value="$image"/>', "text": '<Text name="text" value="$text"/>'}


def label_studio_tasks(
    out_dir: str | os.PathLike,
    *,
    scope: str = "flagged",
    from_name: str = "label",
    model_version: str = "labelwise-audit",
) -> list[dict]:
    """Label Studio import tasks (JSON-ready) for the flagged examples, worst first.

    Each task's ``data`` holds the preview (``image``: a file path or a PNG data URI for pixel
    columns; ``text``: the text, or the feature values) and the audit's fields (row, given label,
    label quality), and the data's id under its column's name, as written (``data_<name>`` when the
    name is one of those fields; none when the data has no id column:
    :mod:`labelwise.review._data_ids`); its ``predictions`` carry the suggested label as a ``choices`` result with
    the model's probability of that label as ``score``. Use :func:`label_studio_config` as the
    project's labeling config.

    Parameters
    ----------
    scope : {"flagged", "all"}
        Export only the flagged examples, or every example.
    from_name : str
        Name of the Choices control in the labeling config.

    Raises
    ------
    InvalidParameterError
        If ``out_dir`` is a task audit (``audit --task``): its units have no single class to choose.
    """
    if scope not in ("flagged", "all"):
        raise InvalidParameterError(f"scope must be one of ['flagged', 'all'], got {scope!r}")
    refuse_label_studio(out_dir)
    audit = load_reviewed_audit(out_dir)  # refused when the data changed since the audit
    previewer = Previewer.from_audit(audit)
    rows = audit.flagged if scope == "flagged" else audit.issues
    class_index = {str(c): i for i, c in enumerate(audit.classes)}
    to_name = previewer.media
    name, ids = data_ids(audit)
    key = id_key(name, _LS_FIELDS + (previewer.media,)) if name is not None else None
    tasks = []
    for rec in rows.itertuples(index=False):
        row = int(rec.row)
        data: dict[str, Any] = {
            "row": row,
            "given_label": str(rec.given_label),
            "suggested_label": str(rec.suggested_label),
            "label_quality": float(rec.label_quality),
            "rank": int(rec.rank),
        }
        if key is not None and ids is not None:
            data[key] = jsonable_id(ids.iloc[row])
        data[previewer.media] = previewer.media_value(row)
        score = 1.0 - float(rec.label_quality)
        col = class_index.get(str(rec.suggested_label))
        if audit.probs is not None and col is not None and audit.probs.shape[0] > row and audit.probs.shape[1] > col:
            score = float(audit.probs[row, col])
        tasks.append(
            {
                "data": data,
                "predictions": [
                    {
                        "model_version": model_version,
                        "score": round(score, 6),
                        "result": [
                            {
                                "from_name": from_name,
                                "to_name": to_name,
                                "type": "choices",
                                "value": {"choices": [str(rec.suggested_label)]},
                            }
                        ],
                    }
                ],
            }
        )
    return tasks


def label_studio_config(classes: list, *, kind: str = "image", from_name: str = "label") -> str:
    """A Label Studio labeling config (XML) matching :func:`label_studio_tasks` (values escaped).

    ``kind`` is a preview kind (``"image"``, ``"pixels"``, ``"text"``, ``"features"``, ``"none"``)
    or directly the medium shown (``"image"`` or ``"text"``).
    """
    media = _MEDIA_OF_KIND.get(kind, "text")
    obj = _LS_OBJECTS[media]
    to_name = media
    choices = "\n    ".join(f"<Choice value={quoteattr(str(c))}/>" for c in classes)
    return (
        f'<View>\n  {obj}\n  <Header value="Given label: $given_label"/>\n'
        f'  <Choices name={quoteattr(from_name)} toName="{to_name}" choice="single">\n    {choices}\n'
        "  </Choices>\n</View>\n"
    )


def export_label_studio(
    out_dir: str | os.PathLike, out: str | os.PathLike, *, scope: str = "flagged", force: bool = False
) -> Path:
    """Write the flagged examples as a Label Studio import file (JSON list of tasks).

    A labeling config for the project is written beside it as ``<stem>.label_config.xml``.
    Refuses to overwrite existing files unless ``force``, and task audits (see :func:`label_studio_tasks`).
    """
    path, config_path = label_studio_paths(out, force)
    for name, target in (("out", path), ("label config", config_path)):
        refuse_audit_file(out_dir, target, name)
    tasks = label_studio_tasks(out_dir, scope=scope)
    audit = load_audit(out_dir, with_data=False)
    for name, target in (("out", path), ("label config", config_path)):
        refuse_audited_data(audit.data_path, target, name)
    kind = "image" if tasks and "image" in tasks[0]["data"] else "text"
    with atomic_write(config_path, "w") as fh:
        fh.write(label_studio_config(audit.classes, kind=kind))
    with atomic_write(path, "w") as fh:
        json.dump(tasks, fh, indent=1, ensure_ascii=False, allow_nan=False)
        fh.write("\n")
    return path
