"""What the task views share: the loaded task audit folder, the page header and drawing helpers."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..._extras import require
from ..._tag_cells import DEFAULT_SEPARATOR, split_tags
from ...errors import DataFileError

#: Colours of the drawings: flagged (red), given (blue), predicted (orange).
RED, BLUE, ORANGE = (220, 38, 38), (37, 99, 235), (234, 88, 12)
#: Columns of the task audits' ``issues.csv`` that hold text even when they look like numbers.
_TEXT = {c: str for c in ("given_tags", "suggested_tags", "missing_tags", "spurious_tags", "token", "file")}


#: Number columns a task audit writes itself: a data column of such a name is written as ``id`` (or
#: ``sentence_id``), so these keep their types.
_AUDIT_NUMBERS = frozenset(
    "row token_index sentence position residual scale score label_quality error_probability sentence_quality"
    " is_issue".split()
)


@dataclass(frozen=True, eq=False)
class TaskRun:
    """A task audit's output folder: ``issues.csv``, ``summary.json`` and its task table.

    Attributes
    ----------
    out_dir : Path
    summary : dict
    issues : DataFrame
        ``issues.csv`` as written (one row per unit: example, token, image or box).
    """

    out_dir: Path
    summary: dict
    issues: pd.DataFrame
    #: What a view read once and draws from many times (mask files, memory-mapped probs...).
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, folder: Path) -> TaskRun:
        """Read the folder; :class:`DataFileError` when a file is unreadable."""
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
            written = _written_columns(summary)  # the data's ids and sentence ids: "007" stays "007"
            issues = pd.read_csv(
                folder / "issues.csv", keep_default_na=False, na_values=[""], dtype={**_TEXT, **written}
            )
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise DataFileError(f"task audit folder {str(folder)!r} could not be read: {exc}") from None
        if "is_issue" in issues:
            issues["is_issue"] = issues["is_issue"].astype(str).str.lower().isin(["true", "1"])
        return cls(out_dir=folder, summary=summary, issues=issues)

    @property
    def settings(self) -> dict:
        """``summary["settings"]`` (empty when absent)."""
        return dict(self.summary.get("settings") or {})

    @property
    def id_column(self) -> str | None:
        """``issues.csv``'s column of the data's ids (the audit's ``--id-column``, written after ``row``, or
        after ``token_index`` for tokens, under its name or as ``id`` where the audit writes a column of that
        name), or None when the audit had none."""
        name = self.settings.get("id_column")
        cols = list(self.issues.columns)
        at = "token_index" if "token_index" in cols else "row"
        if not name or at not in cols or cols.index(at) + 1 >= len(cols):
            return None
        after = cols[cols.index(at) + 1]
        return after if after in (str(name), "id") else None

    def id_of(self, unit: Any, *, key: str = "row") -> str | None:
        """The data's id of ``unit`` as written (None without an id column)."""
        col = self.id_column
        return None if col is None else str(self.issue(int(unit), key=key)[col])

    @property
    def name(self) -> str:
        """The audited file or folder's name."""
        return Path(str(self.settings.get("data") or self.out_dir.name)).name

    def path(self, key: str) -> Path | None:
        """The input file named by ``settings[key]`` (absolute; or, moved with the output, by its name in
        the output folder or beside it), if it exists."""
        raw = self.settings.get(key)
        if not raw:
            return None
        p = Path(str(raw)).expanduser()
        for cand in (p, self.out_dir / p, self.out_dir / p.name, self.out_dir.parent / p.name):
            if cand.exists():
                return cand
        return None

    def issue(self, unit: int, *, key: str = "row") -> pd.Series:
        """The row of ``issues`` whose ``key`` column is ``unit`` (the table is indexed by ``key`` once,
        in :attr:`cache`, for the review's many look-ups)."""
        by = f"issues_by_{key}"
        if by not in self.cache:
            self.cache[by] = self.issues.set_index(key)
        return self.cache[by].loc[unit]

    def table(self, name: str) -> pd.DataFrame | None:
        """A task table of the folder (``classes.csv``, ``sentences.csv``...), or None."""
        path = self.out_dir / name
        return pd.read_csv(path) if path.is_file() else None


def _written_columns(summary: Any) -> dict[str, type]:
    """The columns of ``issues.csv`` read as text: the ``--id-column`` (under its name or ``id``) and the
    ``--sentence-column`` the audit recorded."""
    settings = summary.get("settings") if isinstance(summary, dict) else None
    if not isinstance(settings, dict):
        return {}
    ids, sentences = settings.get("id_column"), settings.get("sentence_column")
    names = [ids, "sentence_id" if sentences == "sentence" else sentences]
    out: dict[str, type] = {n: str for n in names if isinstance(n, str) and n and n not in _AUDIT_NUMBERS}
    if ids:
        out["id"] = str
    return out


@dataclass(frozen=True)
class TaskView:
    """The report view of one task: its name, what its units are, and its sections."""

    task: str
    unit: str
    sections: Callable[[TaskRun, int], list[str]]
    #: For the review page: one row per reviewed unit (``row`` = its id, given, suggested, quality, flag).
    units: Callable[[TaskRun], pd.DataFrame] | None = None
    #: For the review page: a unit's drawing (PNG bytes) or None.
    unit_png: Callable[[TaskRun, int], bytes | None] | None = None
    #: For the review page: a unit's text preview or None.
    unit_text: Callable[[TaskRun, int], str | None] | None = None


def data_names(data: Any, own: Any) -> dict[Any, str]:
    """New names for the data columns ``data`` shown beside a report's ``own`` columns where a name is
    taken (a data column ``row`` beside the row number): ``data_row``, as the review's change log names it,
    so no two columns share a name."""
    taken = {str(c) for c in own}
    out: dict[Any, str] = {}
    for c in data:
        if str(c) in taken:
            name = f"data_{c}"
            while name in taken:
                name = f"data_{name}"
            out[c] = name
        taken.add(out.get(c, str(c)))
    return out


def task_header(run: TaskRun, view: TaskView) -> str:
    """The page header: the task, units audited and flagged."""
    from .._build import _e, _tile

    s = run.summary
    n = s.get("n_examples", s.get("n_images", s.get("n_tokens", len(run.issues))))
    flagged = s.get("n_issues", int(run.issues["is_issue"].sum()) if "is_issue" in run.issues else 0)
    tiles = [
        _tile(view.task, "task"),
        _tile(f"{int(n):,}", view.unit),
        _tile(f"{int(flagged):,}", "flagged", warn=bool(flagged)),
    ]
    for key, label in (
        ("n_images_flagged", "images flagged"),
        ("n_sentences_flagged", "sentences flagged"),
        ("n_regions", "regions"),
    ):
        if key in s:
            tiles.append(_tile(f"{int(s[key]):,}", label, warn=bool(s[key])))
    return (
        f'<header class="top"><h1>Label health: {_e(run.name)}</h1>'
        f'<div class="sub">{_e(view.task)} audit output {_e(run.out_dir)}</div>'
        f'<div class="tiles" id="health">{"".join(tiles)}</div></header>'
    )


#: Keys of a task audit's summary that say how units were flagged (shown with the settings).
FLAG_KEYS = ("rule", "threshold", "mixture_prior", "mixture_fit")


def settings_section(run: TaskRun) -> str:
    """The settings the audit ran with (``summary["settings"]``) and how it flagged (:data:`FLAG_KEYS`:
    for regression the rule, threshold, mixture prior and the fit it led to), as the classification report
    shows its settings (:func:`settings_html`); empty when the summary has neither."""
    rows = {k: v for k, v in run.settings.items() if k != "task"}
    rows.update({k: run.summary[k] for k in FLAG_KEYS if k in run.summary})
    return settings_html(rows)


def settings_html(rows: dict) -> str:
    """A report's Settings section: one table row per setting (lists joined by commas, values cut
    at 300 characters); empty when there are no settings."""
    from .._build import _table

    if not rows:
        return ""
    values = [", ".join(map(str, v)) if isinstance(v, list) else str(v) for v in rows.values()]
    table = pd.DataFrame({"setting": list(rows), "value": [v[:300] for v in values]})
    return f'<section id="settings"><h2>Settings</h2>{_table(table)}</section>'


def section(ident: str, title: str, note: str, body: str) -> str:
    """One ``<section>`` with a title, a note (escaped) and an HTML body."""
    from .._build import _e

    return f'<section id="{_e(ident)}"><h2>{_e(title)}</h2><p class="note">{_e(note)}</p>{body}</section>'


def pil() -> Any:
    """The PIL modules (``Image``, ``ImageDraw``), imported on first use."""
    require("PIL.ImageDraw", "drawing task previews")
    from PIL import Image, ImageDraw

    return Image, ImageDraw


def png(image: Any) -> bytes:
    """A PIL image as PNG bytes."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def palette(k: int) -> np.ndarray:
    """``k`` distinct muted RGB colours (class 0, usually background, is dark grey)."""
    base = np.array(
        [
            [40, 40, 40],
            [96, 165, 250],
            [74, 222, 128],
            [250, 204, 21],
            [192, 132, 252],
            [45, 212, 191],
            [251, 146, 60],
            [244, 114, 182],
            [163, 230, 53],
            [148, 163, 184],
        ],
        dtype=np.uint8,
    )
    return base[np.arange(max(k, 1)) % len(base)]


def scale_to(image: Any, max_side: int) -> Any:
    """Resize so that the longer side is ``max_side`` (nearest neighbour: masks keep hard edges)."""
    w, h = image.size
    f = max_side / max(w, h)
    Image, _ = pil()
    return image.resize((max(1, round(w * f)), max(1, round(h * f))), Image.NEAREST)


def tags(value: Any, separator: str = DEFAULT_SEPARATOR) -> list[str]:
    """A ``a|b|c`` cell as its tags, split at the audit's ``separator`` (empty cell: none)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return split_tags(str(value), separator)
