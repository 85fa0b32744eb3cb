"""The report's data-check sections: one overview table, duplicate sets side by side, outliers, weak groups.

Reads what ``labelwise audit`` wrote: ``summary.json["data_checks"]`` and the check columns of
``issues.csv``; the rows themselves come from the original table when it can be found.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

#: Sets and rows shown per section.
MAX_SETS = 8
MAX_ROWS = 10
#: The checks whose ``info["sets"]`` the report shows side by side, with their section titles.
DUPLICATE_SECTIONS = (
    ("exact_duplicate", "Exact duplicates"),
    ("near_duplicate", "Near duplicates"),
    ("near_duplicate_text", "Near-duplicate texts"),
)


def _rows(audit: Any, rows: list[int], own: tuple[str, ...] = ("row",)) -> pd.DataFrame:
    """The data rows (feature columns, label) of ``rows``, or just their row numbers; a data column named
    as one of the section's ``own`` columns is shown as ``data_<name>``."""
    from ._tasks._common import data_names

    if audit.data is not None:
        cols = [c for c in [*audit.feature_columns, audit.label_column] if c in audit.data.columns][:12]
        frame = audit.data.iloc[rows][cols].copy()
        frame = frame.rename(columns=data_names(frame.columns, own))
    else:
        frame = pd.DataFrame(index=rows)
    frame.insert(0, "row", rows)
    return frame.reset_index(drop=True)


def _thumbs(audit: Any, rows: list[int]) -> str:
    """The rows' thumbnails side by side, when the data has images (pixel columns or image files)."""
    from ._build import _e, _img
    from ._previews import Previewer

    previewer = Previewer.from_audit(audit)
    if not previewer.shows_image:
        return ""
    cells = []
    for r in rows:
        png = previewer.thumbnail_png(r, max_side=96)
        pic = _img(png, alt=f"row {r}", cls="thumb") if png is not None else '<span class="missing">not readable</span>'
        cells.append(
            f'<div class="example" data-row="{r}"><div class="thumbbox">{pic}</div><div class="meta">row {_e(r)}</div></div>'
        )
    return f'<div class="grid dupset">{"".join(cells)}</div>'


def check_finding(name: str, section: dict) -> str:
    """What a check found beyond its count of flagged rows, in words (empty when nothing more).

    The count alone can hide the finding: the ``non_iid`` test may reject (the row order carries
    information) with no single row flagged, ``null`` flags only rows with every value missing, and
    ``identifier_column`` counts columns and ``spurious_correlations`` image properties, not rows.
    Read by the audit's screen and the report.
    """
    if section.get("status") != "ran":
        return ""
    info = section.get("info") or {}
    if name == "non_iid":
        p, alpha = info.get("p_value", section.get("p_value")), info.get("alpha")
        if p is None or alpha is None:
            return ""
        if p < alpha:
            return (
                f"the row order is not random (permutation test p = {p:.3g} < {alpha:g}): neighbours lie closer "
                "in row order than chance, as when rows are sorted by class, time or source; split at random, "
                "not by position"
            )
        return f"no sign that the row order matters (p = {p:.3g})"
    if name == "null" and info.get("rows_with_missing"):
        return (
            f"{info['rows_with_missing']} rows have missing values ({info.get('missing_values', '?')} values); "
            "a row is flagged only when every value is missing"
        )
    if name == "identifier_column" and section.get("n_issues"):
        named = list((info.get("columns") or {}).keys())
        shown = ", ".join(str(c) for c in named[:5]) + (", ..." if len(named) > 5 else "")
        return f"columns, not rows: {shown}" if shown else "columns, not rows"
    if name == "spurious_correlations" and info.get("unit") == "properties":
        named = [str(p).removesuffix("_score") for p in info.get("flagged_properties") or []]
        if not named:
            return "image properties, not rows: none predicts the label"
        verb = "predicts" if len(named) == 1 else "predict"
        limit = info.get("threshold", "?")
        return f"image properties, not rows: {', '.join(named)} {verb} the label (score < {limit}; a possible shortcut)"
    return ""


def checks_sections(audit: Any) -> list[str]:
    """HTML sections for the data checks (empty when the audit ran none)."""
    from ._build import _e, _table

    checks = audit.summary.get("data_checks")
    if not checks:
        return []
    names = [n for n, v in checks.items() if isinstance(v, dict) and "status" in v]
    overview = pd.DataFrame(
        {
            "check": names,
            "status": [checks[n]["status"] for n in names],
            "flagged": [checks[n].get("n_issues", "") for n in names],
            "mean score": [checks[n].get("score", "") for n in names],
            "reason skipped": [checks[n].get("reason", "") for n in names],
            "finding": [check_finding(n, checks[n]) for n in names],
        }
    )
    graph = checks.get("graph")
    intro = (
        f'<section id="data-checks"><h2>Data checks</h2><p class="note">Each check\'s flagged rows and mean '
        f"score (1 = fine, low = worse){_graph_words(graph)}.</p>"
    )
    out = [f"{intro}{_table(overview)}</section>"]
    for name, title in DUPLICATE_SECTIONS:
        sets = checks.get(name, {}).get("info", {}).get("sets", [])
        if sets:
            blocks = "".join(
                f"<h3>Set {i + 1}: rows {_e(', '.join(map(str, s[:10])))}</h3>{_thumbs(audit, s[:10])}"
                f"{_table(_rows(audit, s[:10]))}"
                for i, s in enumerate(sets[:MAX_SETS])
            )
            out.append(
                f'<section id="{name}"><h2>{title}</h2><p class="note">{len(sets)} sets; the first '
                f"{min(len(sets), MAX_SETS)} side by side.</p>{blocks}</section>"
            )
    if "outlier_score" in audit.issues:
        worst = audit.issues.sort_values("outlier_score", kind="stable").head(MAX_ROWS)
        frame = _rows(audit, worst["row"].astype(int).tolist(), own=("row", "outlier_score", "flagged"))
        frame.insert(1, "outlier_score", worst["outlier_score"].to_numpy())
        flagged = worst.get("is_outlier_issue")
        if flagged is not None:
            frame.insert(2, "flagged", np.where(flagged.to_numpy(dtype=bool), "yes", "no"))
            n_flagged = int(audit.issues["is_outlier_issue"].sum())
            said = f"; {n_flagged} flagged in all" if n_flagged else "; none is flagged"
        else:
            said = ""
        out.append(
            f'<section id="outliers"><h2>Outliers</h2><p class="note">The {len(frame)} rows farthest '
            f"from their neighbours{said}.</p>{_table(frame)}</section>"
        )
    out += _columns_section(audit.summary, checks)
    weak = checks.get("underperforming_group", {}).get("info", {}).get("weak_groups", [])
    if weak:
        out.append(
            f'<section id="weak-groups"><h2>Weak groups</h2><p class="note">Clusters whose labels agree '
            f"less than the data set's.</p>{_table(pd.DataFrame(weak))}</section>"
        )
    return out


def _graph_words(graph: Any) -> str:
    """`` on the neighbour graph (...)`` in the words the audit's screen uses, or empty without a graph."""
    from ._build import _e

    if not isinstance(graph, dict):
        return ""
    from ..checks._graph_record import GraphSearch, describe_graph

    try:
        search = GraphSearch.from_dict(graph["search"]) if graph.get("search") is not None else None
        fields = {name: graph[name] for name in ("k", "metric", "standardized", "method")}
        words = describe_graph(SimpleNamespace(**fields, scaling=graph.get("scaling", "zscore"), search=search))
    except (KeyError, TypeError, ValueError):  # a summary.json written by hand or by another version
        words = ", ".join(f"{k} {v}" for k, v in graph.items() if not isinstance(v, dict))
    return f" on the neighbour graph ({_e(words)})"


def _columns_section(summary: dict, checks: dict) -> list[str]:
    """Identifier and constant columns: dropped by the table reader, or flagged among given features."""
    from ._build import _table

    roles = summary.get("column_roles", {})
    why = {
        str(c): f"{r['role']}: {r['reason']}" for c, r in roles.items() if r.get("role") in ("identifier", "constant")
    }
    why.update(checks.get("identifier_column", {}).get("info", {}).get("columns", {}))
    if not why:
        return []
    frame = pd.DataFrame({"column": list(why), "why": list(why.values())})
    return [
        '<section id="id-columns"><h2>Identifier and constant columns</h2><p class="note">Left out of the '
        "table's features, or found among the given features (a row id used as a feature is a bug in the "
        f"pipeline).</p>{_table(frame)}</section>"
    ]
