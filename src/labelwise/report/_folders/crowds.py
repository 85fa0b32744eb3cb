"""``labelwise train-crowds`` in the report: the inferred labels, each annotator's confusion matrix and accuracy.

Reads ``soft_labels.csv`` (one row per row of the data: its id, the inferred label, ``p_<class>``
for each class, n_answers), ``confusions.csv`` (annotator, true, given, probability: the EM's
confusion matrices) and ``summary.json``. An annotator's accuracy is the model's,
``sum_k p_k pi_j[k, k]`` with ``p`` the mean soft label of the answered rows (Raykar et al. 2010).

References
----------
.. [1] Raykar, V. C., Yu, S., Zhao, L. H., Valadez, G. H., Florin, C., Bogoni, L. and Moy, L.
   "Learning from crowds." Journal of Machine Learning Research 11 (2010): 1297-1322.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._annotators import Quality, annotator_section
from .._tasks._common import section
from ._common import Folder, FolderView, contested, count, histogram, none_contested


def _tiles(folder: Folder) -> list[tuple[str, str, bool]]:
    s = folder.summary
    never = s.get("classes_never_inferred") or []
    return [
        (count(s.get("n_rows")), "rows", False),
        (count(s.get("n_rows_answered")), "rows answered", False),
        (count(s.get("n_answers")), "answers", False),
        (count(s.get("n_annotators")), "annotators", False),
        (str(len(s.get("classes") or [])), "classes", False),
        (
            f"{count(s.get('n_iter'))}{'' if s.get('converged', True) else ' (not converged)'}",
            "EM iterations",
            not s.get("converged", True),
        ),
        *([(str(len(never)), "classes never inferred", True)] if never else []),
    ]


def _soft(folder: Folder) -> tuple[pd.DataFrame, list[str]]:
    """``soft_labels.csv`` and its probability columns, in the classes' order."""
    soft = folder.table("soft_labels.csv", ids=lambda names: [names[0], "label"] if names else [], required=("label",))
    assert soft is not None  # a file of the view
    return soft, [c for c in soft.columns if str(c).startswith("p_")]


def matrices(folder: Folder) -> dict[str, tuple[list[str], np.ndarray]]:
    """Annotator -> (classes, confusion matrix: rows the true class, columns the answer), from ``confusions.csv``."""
    long = folder.table(
        "confusions.csv", ids=("annotator", "true", "given"), required=("annotator", "true", "given", "probability")
    )
    assert long is not None  # a file of the view
    classes = [str(c) for c in folder.summary.get("classes") or sorted(long["true"].astype(str).unique())]
    out = {}
    for name, rows in long.groupby(long["annotator"].astype(str), sort=False):
        wide = rows.pivot_table(index=rows["true"].astype(str), columns=rows["given"].astype(str), values="probability")
        out[name] = (classes, wide.reindex(index=classes, columns=classes).fillna(0.0).to_numpy())
    return out


def accuracy(folder: Folder) -> pd.DataFrame:
    """Per annotator, its estimated accuracy ``sum_k p_k pi_j[k, k]`` (``p``: the answered rows' mean soft label)."""
    soft, probs = _soft(folder)
    answered = soft["n_answers"].to_numpy() > 0 if "n_answers" in soft.columns else np.ones(len(soft), bool)
    prior = soft.loc[answered, probs].to_numpy(dtype=float).mean(axis=0)
    mats = matrices(folder)
    return pd.DataFrame(
        {
            "annotator": list(mats),
            "accuracy": [float(prior @ np.diag(m)) if len(prior) == len(m) else np.nan for _, m in mats.values()],
        }
    )


def sections(folder: Folder, top: int) -> list[str]:
    """Inferred labels per class, annotators' accuracy and confusions, and the least certain rows."""
    from .. import _plots
    from .._build import _img, _table

    out = []
    soft, probs = _soft(folder)
    classes = [str(c) for c in folder.summary.get("classes") or [p[2:] for p in probs]]
    counts = soft["label"].astype(str).value_counts().reindex(classes, fill_value=0)
    bar = _plots.bar_png(
        classes,
        counts.to_numpy(),
        xlabel="inferred label",
        ylabel="rows",
        title="rows per inferred label",
        value_fmt="{:.0f}",
    )
    never = [
        str(u.get("class", u)) if isinstance(u, dict) else str(u)
        for u in folder.summary.get("classes_never_inferred") or []
    ]
    note = "Rows of the data by the label the model and the crowd together infer" + (
        f"; never inferred: {', '.join(never)}." if never else "."
    )
    out.append(section("crowds-labels", "Inferred labels", note, _img(bar, alt="bar chart of rows per inferred label")))
    note = "Each annotator's estimated accuracy: its confusion matrix's diagonal weighed by the classes' shares"
    out.append(
        annotator_section(accuracy(folder), Quality("accuracy", "estimated accuracy", "least accurate"), note=note)
    )
    mats = matrices(folder)
    acc = accuracy(folder).sort_values("accuracy", kind="stable")["annotator"].tolist()[:12]
    png = _plots.small_heatmaps_png([(a, mats[a][0], mats[a][1]) for a in acc])
    out.append(
        '<section id="annotator-confusions"><h2>Annotator confusion matrices</h2>'
        f'<p class="note">Rows: true class, columns: the annotator\'s answer ({len(acc)} least accurate annotators).</p>'
        f"{_img(png, alt='per-annotator confusion matrices', cls='plot heatmap', id_='confusion-heatmaps')}</section>"
    )
    soft = soft.assign(confidence=soft[probs].to_numpy(dtype=float).max(axis=1)) if probs else soft
    if probs:
        listed = contested(soft, "confidence", n=min(top, 30))
        plot = histogram(
            soft["confidence"],
            soft.index.isin(listed.index),
            xlabel="probability of the inferred label",
            alt="histogram of the rows' confidence",
            ident="crowds-confidence",
            unit="rows",
        )
        note = "Lowest probability of the inferred label first (red in the histogram): the rows model and crowd are least sure of."
        out.append(
            section(
                "crowds-contested",
                "Least certain rows",
                note,
                plot
                + (
                    f'<div class="scroll">{_table(listed)}</div>'
                    if len(listed)
                    else none_contested(soft, "confidence", "rows")
                ),
            )
        )
    return out


VIEW = FolderView(
    command="train-crowds",
    title="Model trained on the crowd",
    files=("soft_labels.csv", "confusions.csv"),
    marks=("n_rows_answered", "classes_never_inferred"),
    tiles=_tiles,
    sections=sections,
)
