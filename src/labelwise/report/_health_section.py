"""The report's label-health section: the health score, the classes that overlap most and, for up to
:data:`MAX_HEATMAP_CLASSES` classes, a heat map of the estimated joint of given and true labels.

Reads ``summary.json["health"]`` (written by ``labelwise audit``; absent from older audits, which
get no section) and the summary's ``joint`` matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Above this many classes the joint's heat map is left out: its cells would be too small to read.
MAX_HEATMAP_CLASSES = 20


def health_sections(audit: Any) -> list[str]:
    """The section as one HTML snippet in a list (empty when the audit has no ``health`` block)."""
    from . import _plots
    from ._build import _e, _img, _table

    health = audit.summary.get("health")
    if not isinstance(health, dict) or "health_score" not in health:
        return []
    pairs = pd.DataFrame(
        health.get("overlapping_pairs") or [], columns=["class_a", "class_b", "n_overlapping", "joint_probability"]
    )
    floor = float(health.get("overlap_floor") or 0.0)
    issues = health.get("n_label_issues")
    said = (
        ""
        if issues is None
        else f" ({int(issues):,} of {int(health.get('n_examples') or 0):,} labels confidently counted in another class)"
    )
    parts = [
        f'<p>Label health score <b id="health-score">{float(health["health_score"]):.3f}</b>{_e(said)}: the '
        "estimated share of correct labels.</p>"
    ]
    if len(pairs):
        pairs = pairs.rename(
            columns={
                "class_a": "class A",
                "class_b": "class B",
                "n_overlapping": "examples",
                "joint_probability": "joint",
            }
        )
        parts.append(
            f'<p class="note">Pairs of classes whose labels are swapped in at least {floor:.2%} of the examples '
            "(joint probability of the two directions; three times a pair's share of the estimated noise): candidates to merge, or to define apart for the annotators. "
            "Every pair is in class_overlap.csv.</p>"
            f'<div class="scroll" id="overlap-table">{_table(pairs)}</div>'
        )
    else:
        parts.append(f'<p class="note">No two classes overlap in {floor:.2%} of the examples or more.</p>')
    joint = audit.matrix("joint")
    if joint is not None and 2 <= len(audit.classes) <= MAX_HEATMAP_CLASSES:
        off = 100.0 * np.asarray(joint, dtype=np.float64)
        np.fill_diagonal(off, np.nan)  # the correct labels would dwarf the overlaps
        png = _plots.heatmap_png(
            off,
            audit.classes,
            audit.classes,
            xlabel="true label (estimated)",
            ylabel="given label",
            title="% of examples per (given, true) pair, diagonal left out",
            fmt="{:.1f}",
        )
        parts.append(
            _img(
                png,
                alt="heatmap of the estimated joint of given and true labels",
                cls="plot heatmap",
                id_="joint-heatmap",
            )
        )
    return [f'<section id="label-health"><h2>Label health and overlapping classes</h2>{"".join(parts)}</section>']
