"""What the views of the other label folders share: the loaded folder, its view, the header, settings.

A :class:`FolderView` says which command wrote a folder (the files it always writes and the keys of
its ``summary.json`` that no other command's summary has), the tiles of its header and its sections.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataFileError
from ...io.tables import TextColumns, read_table, read_texts

#: Rows of a table of contested items (and drawings of them) a view shows at most.
MAX_ROWS, MAX_DRAWINGS = 30, 12
#: Summary keys a page shows in its own section (the dependent functions of ``labelwise weak``), not as settings.
NOT_SETTINGS = frozenset({"dependent_pairs", "dependent_rings", "joint_groups"})


@dataclass(frozen=True, eq=False)
class Folder:
    """An output folder of one of the commands of :data:`~labelwise.report._folders.FOLDER_VIEWS`.

    Attributes
    ----------
    out_dir : Path
    summary : dict
        ``summary.json``.
    """

    out_dir: Path
    summary: dict
    cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, folder: Path) -> Folder:
        """Read ``summary.json``; :class:`DataFileError` when it is unreadable or not an object."""
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataFileError(f"{str(folder / 'summary.json')!r} could not be read: {exc}") from None
        if not isinstance(summary, dict):
            raise DataFileError(
                f"{str(folder / 'summary.json')!r} must hold a JSON object, got {type(summary).__name__}"
            )
        return cls(out_dir=folder, summary=summary)

    def table(self, name: str, *, ids: TextColumns = (), required: tuple[str, ...] = ()) -> pd.DataFrame | None:
        """The CSV file ``name`` of the folder (None when absent), its ``ids`` columns the text the command
        wrote (names, not numbers: item ``2`` is ``"2"``, shown left-aligned as a name); :class:`DataFileError`
        naming the file when it lacks a ``required`` column."""
        if name not in self.cache:
            path = self.out_dir / name
            frame = read_table(path, text_columns=ids, na_values="") if path.is_file() else None
            names = (
                []
                if frame is None or callable(ids)
                else [c for c in ids if c in frame.columns and frame[c].dtype != object]
            )
            if frame is not None and names:  # the parser made numbers (or booleans) of them: the file's text
                texts = read_texts(path, names, na_values="")
                frame = frame.assign(**{c: texts[c].to_numpy() for c in names})
            self.cache[name] = frame
        frame = self.cache[name]
        missing = [c for c in required if frame is not None and c not in frame.columns]
        if missing:
            raise DataFileError(
                f"{str(self.out_dir / name)!r} must have the columns {list(required)}, missing {missing} "
                f"(has {[str(c) for c in frame.columns]})"
            )
        return self.cache[name]

    def get(self, key: str, default: Any = None) -> Any:
        """``summary[key]``, or ``summary["settings"][key]``, or ``default``."""
        settings = self.summary.get("settings")
        if key in self.summary:
            return self.summary[key]
        return settings.get(key, default) if isinstance(settings, dict) else default


@dataclass(frozen=True)
class FolderView:
    """The report view of one command's output folder.

    Attributes
    ----------
    command : str
        The command that writes the folder (``aggregate-boxes``).
    title : str
        The page's heading (``Merged boxes``).
    files : tuple of str
        Files the command always writes.
    marks : tuple of str
        Keys of its ``summary.json`` that no other command's summary has.
    tiles : callable
        ``Folder -> [(value, key, warn)]``: the header's numbers.
    sections : callable
        ``(Folder, top) -> [html]``.
    """

    command: str
    title: str
    files: tuple[str, ...]
    marks: tuple[str, ...]
    tiles: Callable[[Folder], list[tuple[str, str, bool]]]
    sections: Callable[[Folder, int], list[str]]

    def shows(self, folder: Path, summary: dict) -> bool:
        """Whether ``folder`` (its ``summary.json`` read as ``summary``) is this command's folder."""
        return all((folder / f).exists() for f in self.files) and all(k in summary for k in self.marks)


def header(folder: Folder, view: FolderView) -> str:
    """The page header: the command's title, the folder and the view's tiles."""
    from .._build import _e, _tile

    tiles = "".join(_tile(value, key, warn=warn) for value, key, warn in view.tiles(folder))
    return (
        f'<header class="top"><h1>{_e(view.title)}: {_e(folder.out_dir.name)}</h1>'
        f'<div class="sub">labelwise {_e(view.command)} output {_e(folder.out_dir)}</div>'
        f'<div class="tiles" id="health">{tiles}</div></header>'
    )


def count(value: Any) -> str:
    """An integer with thousands separators ("" for a missing one)."""
    return "" if value is None else f"{int(value):,}"


def settings_rows(summary: dict) -> dict[str, Any]:
    """The settings a command ran with, from its ``summary.json``: ``settings`` when it has one, else
    the summary's values that are not counts (``n_*``), lists of records nor :data:`NOT_SETTINGS`; a dict's keys are joined
    to its name with a dot (``columns.item``)."""
    settings = summary.get("settings")
    source: dict = settings if isinstance(settings, dict) else summary
    rows: dict[str, Any] = {}
    for key, value in source.items():
        if key.startswith("n_") or key == "settings" or key in NOT_SETTINGS:
            continue
        if isinstance(value, dict):
            rows.update({f"{key}.{k}": v for k, v in value.items() if not isinstance(v, (dict, list))})
        elif not (isinstance(value, list) and any(isinstance(v, dict) for v in value)):
            rows[key] = value
    return rows


def histogram(values: pd.Series, marked: np.ndarray, *, xlabel: str, alt: str, ident: str, unit: str = "items") -> str:
    """The report's label-quality histogram over ``values`` (``marked``, the listed rows, in red), as an ``<img>``."""
    from .. import _plots
    from .._build import _img

    png = _plots.histogram_png(
        values.to_numpy(dtype=float),
        np.asarray(marked, dtype=bool),
        xlabel=xlabel,
        ylabel=unit,
        legend=("others", "listed below"),
    )
    return _img(png, alt=alt, id_=ident)


def worst(frame: pd.DataFrame, by: str, *, ascending: bool = True, n: int = MAX_ROWS) -> pd.DataFrame:
    """The ``n`` rows of ``frame`` worst by ``by`` (lowest first with ``ascending``), file order on ties."""
    return frame.sort_values(by, ascending=ascending, kind="stable", na_position="first").head(n)


def contested(frame: pd.DataFrame, by: str, *, ascending: bool = True, n: int = MAX_ROWS) -> pd.DataFrame:
    """:func:`worst`'s rows among those short of the best ``by`` in the folder (the largest with
    ``ascending``): rows at the best agreement there is are not contested; empty when all are there."""
    values = frame[by].astype(float)
    best = values.max() if ascending else values.min()
    return worst(frame[values.ne(best)], by, ascending=ascending, n=n)


def none_contested(frame: pd.DataFrame, by: str, what: str) -> str:
    """The note shown instead of an empty table: every row has the same ``by``."""
    from .._build import _e, _fmt

    value = frame[by].astype(float).max() if len(frame) else float("nan")
    return f'<p class="note">All {len(frame):,} {_e(what)} have the same {_e(by)} ({_e(_fmt(value))}): none is contested.</p>'


def input_table(folder: Folder, key: str, names: list[str]) -> pd.DataFrame | None:
    """The input table the command read (the file ``summary[key]`` names) with its columns ``names``
    read as text, as the run read it (its ``na_values``); None when the file is gone, unreadable or
    lacks one of ``names`` (the page then shows the folder's files alone)."""
    from ...errors import LabelwiseError

    source = folder.summary.get(key)
    if not isinstance(source, str) or not Path(source).is_file():
        return None
    try:
        table = read_table(source, text_columns=names, na_values=folder.get("na_values"))
    except (LabelwiseError, OSError, ValueError):
        return None
    return table if all(n in table.columns for n in names) else None
