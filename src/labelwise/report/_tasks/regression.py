"""Regression audit in the report: given vs predicted targets, the flagged rows in red and listed.

Reads ``issues.csv`` of ``labelwise audit --task regression`` (row, given_label, suggested_label =
the out-of-fold prediction, residual, scale, score, label_quality, is_issue) and, when it can be
found, the data table (``settings.data``) for the flagged rows' other columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import LabelwiseError
from ...io import read_table
from .._data_as_written import columns_as_written
from ._common import TaskRun, TaskView, data_names, section

#: Other columns of the data table shown beside each flagged row.
MAX_FEATURES = 6


def scatter_png(given: np.ndarray, predicted: np.ndarray, flagged: np.ndarray) -> bytes:
    """Given target against prediction, the diagonal dashed, flagged rows in red."""
    from .. import _plots

    plt = _plots._plt()
    fig, ax = plt.subplots(figsize=(4.6, 4.2))
    ax.scatter(predicted[~flagged], given[~flagged], s=6, c=_plots._GREY, alpha=0.6, label="not flagged", lw=0)
    ax.scatter(predicted[flagged], given[flagged], s=14, c=_plots._RED, label="flagged", lw=0)
    both = np.concatenate([given, predicted])
    lo, hi = (float(both.min()), float(both.max())) if both.size else (0.0, 1.0)
    ax.plot([lo, hi], [lo, hi], ls="--", c=_plots._BLUE, lw=1)
    ax.set_xlabel("predicted (out of fold)")
    ax.set_ylabel("given target")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    fig.tight_layout()
    return _plots._render(fig)


def sections(run: TaskRun, top: int) -> list[str]:
    """The scatter plot and the flagged rows with given vs predicted values."""
    from .._build import _img, _table

    issues = run.issues
    given = issues["given_label"].to_numpy(dtype=float)
    predicted = issues["suggested_label"].to_numpy(dtype=float)
    flagged = issues["is_issue"].to_numpy(dtype=bool)
    plot = _img(
        scatter_png(given, predicted, flagged),
        alt="given vs predicted targets, flagged rows in red",
        id_="regression-scatter",
    )
    out = [
        section(
            "regression-scatter",
            "Given vs predicted",
            "Each point is a row; far from the dashed diagonal = the given target is doubtful.",
            plot,
        )
    ]
    worst = issues[flagged].head(top)
    ident = run.id_column
    own = ("row", ident, "given_label", "suggested_label", "residual", "scale", "label_quality")
    cols = [c for c in own if c is not None and c in worst]
    shown = worst[cols].rename(columns={"given_label": "given", "suggested_label": "predicted"}).reset_index(drop=True)
    data_path = run.path("data")
    if data_path is not None and len(shown):
        try:
            data = columns_as_written(read_table(data_path), data_path, exclude=(run.settings.get("label"),))
        except (LabelwiseError, OSError, ValueError):  # the report still shows the audit's own columns
            data = None
        if data is not None and len(data) > int(shown["row"].max()):
            skip = (run.settings.get("label"), run.settings.get("id_column"))  # the id is shown as written
            extra = [c for c in data.columns if c not in skip][:MAX_FEATURES]
            feats = data.iloc[shown["row"].to_numpy()][extra].reset_index(drop=True)
            shown = pd.concat([shown, feats.rename(columns=data_names(feats.columns, shown.columns))], axis=1)
    body = f'<div class="scroll">{_table(shown)}</div>' if len(shown) else '<p class="note">No row was flagged.</p>'
    out.append(
        section(
            "regression-worst",
            "Flagged rows",
            f"The {len(shown)} flagged rows, worst first: given target vs the out-of-fold prediction.",
            body,
        )
    )
    return out


def units(run: TaskRun) -> pd.DataFrame:
    """Review units: one per row (given target and the out-of-fold prediction, 4 significant digits)."""
    issues = run.issues
    return pd.DataFrame(
        {
            "row": issues["row"].astype(int),
            "given_label": [f"{v:.4g}" for v in issues["given_label"].astype(float)],
            "suggested_label": [f"{v:.4g}" for v in issues["suggested_label"].astype(float)],
            "label_quality": issues["label_quality"].astype(float),
            "is_issue": issues["is_issue"].astype(bool),
        }
    )


def unit_text(run: TaskRun, row: int) -> str | None:
    """Given vs predicted target and the residual in units of its out-of-fold scale."""
    rec = run.issue(row)
    scaled = float(rec["residual"]) / float(rec["scale"]) if float(rec.get("scale", 0) or 0) > 0 else float("nan")
    return f"given {float(rec['given_label']):.4g}, predicted {float(rec['suggested_label']):.4g}, residual {float(rec['residual']):.4g} ({scaled:.1f} x scale)"


TASK_VIEW = TaskView("regression", "examples", sections, units=units, unit_text=unit_text)
