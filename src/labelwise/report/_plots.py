"""Matplotlib figures of the report, rendered off-screen (Agg) to PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["bar_png", "heatmap_png", "histogram_png", "small_heatmaps_png"]

_BLUE = "#2563eb"
_RED = "#dc2626"
_GREY = "#94a3b8"


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _tick(value: Any, limit: int = 14) -> str:
    """A class name safe for matplotlib text: ``$`` would start mathtext, so it is escaped."""
    s = str(value)
    if len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    return s.replace("$", r"\$")


def _render(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    _plt().close(fig)
    return buf.getvalue()


def heatmap_png(
    matrix: np.ndarray,
    row_labels: Sequence[Any],
    col_labels: Sequence[Any],
    *,
    xlabel: str,
    ylabel: str,
    title: str = "",
    fmt: str = "{:.2f}",
    cmap: str = "Blues",
) -> bytes:
    """A heatmap of ``matrix`` with its values written in the cells when there are few classes."""
    plt = _plt()
    k_rows, k_cols = matrix.shape
    size = min(9.0, 2.2 + 0.48 * max(k_rows, k_cols))
    fig, ax = plt.subplots(figsize=(size + 1.0, size))
    im = ax.imshow(matrix, cmap=cmap, vmin=0.0, vmax=max(float(np.nanmax(matrix)), 1e-12), aspect="auto")
    ax.set_xticks(
        range(k_cols),
        [_tick(c) for c in col_labels],
        rotation=45 if k_cols > 8 else 0,
        ha="right" if k_cols > 8 else "center",
    )
    ax.set_yticks(range(k_rows), [_tick(c) for c in row_labels])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if max(k_rows, k_cols) <= 15:
        top = float(np.nanmax(matrix)) or 1.0
        for i in range(k_rows):
            for j in range(k_cols):
                v = matrix[i, j]
                if np.isnan(v):  # a cell left out (the joint's diagonal): blank
                    continue
                ax.text(
                    j,
                    i,
                    fmt.format(v),
                    ha="center",
                    va="center",
                    fontsize=7 if k_cols > 10 else 8,
                    color="white" if v > 0.55 * top else "#1e293b",
                )
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return _render(fig)


def bar_png(
    labels: Sequence[Any],
    values: Sequence[float],
    *,
    xlabel: str,
    ylabel: str,
    title: str = "",
    totals: Sequence[float] | None = None,
    horizontal: bool = False,
    color: str = _BLUE,
    value_fmt: str | None = None,
) -> bytes:
    """A bar chart; with ``totals``, the bars are drawn over grey total bars."""
    plt = _plt()
    n = len(labels)
    names = [_tick(x) for x in labels]
    if horizontal:
        fig, ax = plt.subplots(figsize=(6.4, min(9.0, 1.2 + 0.28 * n)))
        pos = np.arange(n)
        if totals is not None:
            ax.barh(pos, totals, color=_GREY, alpha=0.35, label="all")
        bars = ax.barh(pos, values, color=color)
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
        ax.set_ylabel(xlabel)
    else:
        fig, ax = plt.subplots(figsize=(min(10.0, 2.5 + 0.45 * n), 3.4))
        pos = np.arange(n)
        if totals is not None:
            ax.bar(pos, totals, color=_GREY, alpha=0.35, label="examples")
        bars = ax.bar(pos, values, color=color, label="flagged" if totals is not None else None)
        ax.set_xticks(pos, names, rotation=45 if n > 10 else 0, ha="right" if n > 10 else "center")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if totals is not None:
            ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if value_fmt is not None and n <= 40:
        ax.bar_label(bars, labels=[value_fmt.format(v) for v in values], fontsize=7, padding=2)
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return _render(fig)


def histogram_png(
    scores: np.ndarray,
    flagged: np.ndarray,
    *,
    xlabel: str = "label quality",
    title: str = "",
    ylabel: str = "examples",
    legend: tuple[str, str] = ("not flagged", "flagged"),
) -> bytes:
    """Stacked histogram of label-quality scores, flagged examples in red (``legend`` names both parts)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    scores = np.asarray(scores, dtype=float)
    flagged = np.asarray(flagged, dtype=bool)
    lo = float(np.nanmin(scores)) if scores.size else 0.0
    hi = float(np.nanmax(scores)) if scores.size else 1.0
    if hi <= lo:
        hi = lo + 1.0
    bins = np.linspace(min(lo, 0.0), max(hi, 1.0) if hi <= 1.0 else hi, 31)
    ax.hist(
        [scores[~flagged], scores[flagged]],
        bins=bins,
        stacked=True,
        color=[_GREY, _RED],
        label=list(legend),
    )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_yscale("symlog", linthresh=10)
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return _render(fig)


def small_heatmaps_png(matrices: Sequence[tuple[str, Sequence[Any], np.ndarray]], *, ncols: int = 4) -> bytes:
    """A grid of small row-normalised heatmaps (one per annotator): rows = true class, columns = answer."""
    plt = _plt()
    n = len(matrices)
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.6 * ncols, 2.5 * nrows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    for ax, (name, classes, matrix) in zip(axes.ravel(), matrices, strict=False):
        m = np.asarray(matrix, dtype=float)
        sums = m.sum(axis=1, keepdims=True)
        norm = np.divide(m, sums, out=np.zeros_like(m), where=sums > 0)
        ax.imshow(norm, cmap="Blues", vmin=0.0, vmax=1.0)
        k = len(classes)
        ticks = [_tick(c, 6) for c in classes]
        ax.set_xticks(range(k), ticks if k <= 10 else [""] * k, fontsize=6)
        ax.set_yticks(range(k), ticks if k <= 10 else [""] * k, fontsize=6)
        ax.set_title(_tick(name, 24), fontsize=8)
        if k <= 5:
            for i in range(k):
                for j in range(k):
                    ax.text(
                        j,
                        i,
                        f"{norm[i, j]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=6,
                        color="white" if norm[i, j] > 0.55 else "#1e293b",
                    )
    fig.supxlabel("answer", fontsize=8)
    fig.supylabel("true class (estimated)", fontsize=8)
    fig.tight_layout()
    return _render(fig)
