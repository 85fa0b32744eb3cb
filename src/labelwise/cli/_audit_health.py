"""``labelwise audit``'s label health: the ``health`` block of summary.json, ``class_overlap.csv`` and
the lines on screen (the health score and the classes that overlap most).

The numbers are :meth:`labelwise.LabelIssues.health` and :meth:`labelwise.LabelIssues.class_overlap`
(see :mod:`labelwise.audit.overlap`): K x K estimates only, so the in-memory and the
``--scheduler`` / ``--labels`` audits share this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io import write_csv

#: The table of every overlapping pair of classes, beside issues.csv.
OVERLAP_FILE = "class_overlap.csv"


def add_health(summary: dict[str, Any], result: Any) -> dict[str, Any]:
    """``summary`` with its ``health`` block: score, noise rate, top pairs, classes by quality."""
    from ..audit.overlap import MAX_SHOWN_PAIRS

    summary["health"] = result.health(max_pairs=MAX_SHOWN_PAIRS)
    return summary


def write_overlap(result: Any, out: Path) -> Path:
    """Write ``class_overlap.csv``: every pair of classes of non-zero joint, largest first."""
    return write_csv(result.class_overlap().to_frame(), Path(out) / OVERLAP_FILE)


def print_health(con: Any, health: dict[str, Any]) -> None:
    """The health score, then one line per overlapping pair (at most five, joint >= the floor: three
    times a pair's share of the estimated noise, at most half the noise, at least 0.1% of the
    examples; the line names the bound that set it)."""
    issues = health["n_label_issues"]
    said = (  # a count of its own, next to the estimated noise rate (the calibrated joint) printed above it
        ""
        if issues is None
        else f": {issues:,} of {health['n_examples']:,} labels confidently counted in another class"
    )
    con.print(f"label health [bold]{health['health_score']:.3f}[/]{said}")
    pairs = health["overlapping_pairs"]
    floor = f"{health['overlap_floor']:.2%}"
    rule = _floor_rule(health)
    if not pairs:
        con.print(f"no two classes overlap in {floor} of the examples or more ({rule})")
        return
    con.print(
        f"classes that overlap (share of examples >= {floor}, {rule}; consider merging them or defining them apart):"
    )
    for pair in pairs:
        a, b = pair["class_a"], pair["class_b"]
        same = str(a).strip().casefold() == str(b).strip().casefold()
        con.print(
            f"  {_shown(a)} / {_shown(b)}: about {pair['n_overlapping']:,} examples "
            f"({pair['joint_probability']:.1%})" + ("; the same name but for case or spaces" if same else ""),
            markup=False,
            highlight=False,
        )


def _floor_rule(health: dict[str, Any]) -> str:
    """Which bound of :attr:`labelwise.audit.ClassOverlap.overlap_floor` set the floor, in words."""
    from ..audit.overlap import MIN_OVERLAP_JOINT, OVERLAP_RATIO

    k = len(health["classes_by_quality"])
    n_pairs = k * (k - 1) / 2
    ratio = min(OVERLAP_RATIO, n_pairs / 2)
    if ratio * max(health["noise_rate"], 0.0) / max(n_pairs, 1.0) <= MIN_OVERLAP_JOINT:
        return f"the floor of {MIN_OVERLAP_JOINT:.1%} of the examples"
    if ratio < OVERLAP_RATIO:
        return "half the estimated noise"
    return f"{OVERLAP_RATIO:g}x a pair's share of the noise"


def _shown(label: Any) -> str:
    """A class name as printed: quoted when spaces begin or end it (``'Adelie '`` beside ``Adelie``)."""
    text = str(label)
    return repr(text) if text != text.strip() or not text else text
