"""A self-contained HTML page for ``labelwise evaluate``: score table, prevalence curves, rank scatter."""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd

from ._plots import _plt, _render
from ._previews import data_uri

__all__ = ["evaluation_html", "prevalence_png", "rank_scatter_png"]

_COLORS = [
    "#2563eb",
    "#dc2626",
    "#16a34a",
    "#9333ea",
    "#ea580c",
    "#0891b2",
    "#4b5563",
    "#db2777",
]


def prevalence_png(
    curve: Any,
    crossovers: pd.DataFrame | None = None,
    *,
    ylabel: str = "accuracy on corrected labels",
) -> bytes:
    """Mean score vs prevalence of correctable items per model, a band over seeds, crossovers marked."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    frame = curve.to_frame()
    for i, model in enumerate(curve.models):
        f = frame[frame["model"] == model]
        color = _COLORS[i % len(_COLORS)]
        ax.plot(100 * f["prevalence"], f["mean"], color=color, label=str(model))
        ax.fill_between(
            100 * f["prevalence"],
            f["low"],
            f["high"],
            color=color,
            alpha=0.15,
            linewidth=0,
        )
    if crossovers is not None and len(crossovers):
        hit = crossovers[np.isfinite(crossovers["prevalence"].to_numpy(dtype=float))]
        hit = hit[hit["model_a"].isin(curve.models) & hit["model_b"].isin(curve.models)]
        lo, hi = (
            100 * float(frame["prevalence"].min()),
            100 * float(frame["prevalence"].max()),
        )
        for row in hit.itertuples(index=False):
            x = 100 * float(row.prevalence)
            if lo <= x <= hi:
                ax.axvline(x, color="#94a3b8", linestyle="--", linewidth=0.8)
                ax.annotate(
                    f"{row.model_b} > {row.model_a}",
                    (x, ax.get_ylim()[0]),
                    rotation=90,
                    fontsize=7,
                    va="bottom",
                    ha="right",
                    color="#475569",
                )
    ax.set_xlabel("prevalence of originally mislabelled (corrected) test items, %")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    return _render(fig)


def rank_scatter_png(x: np.ndarray, y: np.ndarray, names: Any, *, xlabel: str, ylabel: str) -> bytes:
    """One point per model/system: its score under two judgments, with the diagonal."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(x, y, color="#2563eb", zorder=3)
    for xi, yi, n in zip(x, y, names, strict=False):
        ax.annotate(str(n), (xi, yi), fontsize=8, xytext=(3, 3), textcoords="offset points")
    lo, hi = (
        float(np.nanmin([np.nanmin(x), np.nanmin(y)])),
        float(np.nanmax([np.nanmax(x), np.nanmax(y)])),
    )
    pad = 0.05 * (hi - lo or 1.0)
    ax.plot(
        [lo - pad, hi + pad],
        [lo - pad, hi + pad],
        color="#94a3b8",
        linestyle="--",
        linewidth=1,
    )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return _render(fig)


#: The rank scatters of the page: heading, the two score columns (shown when the table has both),
#: the axis labels.
_SCATTERS = (
    ("Original vs corrected", ("original", "corrected"), ("score on original labels", "score on corrected labels")),
    (
        "Agreement of the two rankings",
        ("score_a", "score_b"),
        ("score under judgments a", "score under judgments b"),
    ),
)


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(float_format=lambda v: f"{v:.4f}", na_rep="–", border=0, classes="t")


def evaluation_html(
    table: pd.DataFrame,
    curve: Any = None,
    crossovers: pd.DataFrame | None = None,
    agreement: pd.DataFrame | None = None,
    *,
    title: str = "labelwise evaluate",
    notes: str = "",
) -> str:
    """The page as one HTML string (figures embedded as PNG data URIs, no external files)."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if notes:
        parts.append(f"<p>{html.escape(notes)}</p>")
    parts += ["<h2>Scores and ranks</h2>", _table(table)]
    for heading, (x, y), (xlabel, ylabel) in _SCATTERS:
        if {x, y} <= set(table.columns):
            png = rank_scatter_png(
                table[x].to_numpy(float), table[y].to_numpy(float), table.index, xlabel=xlabel, ylabel=ylabel
            )
            parts += [f"<h2>{heading}</h2>", f'<img alt="agreement scatter" src="{data_uri(png)}">']
    if curve is not None:
        parts += [
            "<h2>Removing correctly labelled items</h2>",
            f'<img alt="prevalence curve" src="{data_uri(prevalence_png(curve, crossovers))}">',
        ]
    if crossovers is not None:
        parts += ["<h2>Ranking crossovers</h2>", _table(crossovers)]
    if agreement is not None:
        parts += ["<h2>Ranking agreement</h2>", _table(agreement)]
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}"
        "table.t{border-collapse:collapse;font-size:13px}table.t td,table.t th{padding:3px 8px;border-bottom:1px solid #e2e8f0}"
        "img{max-width:100%}"
    )
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>"
    )
