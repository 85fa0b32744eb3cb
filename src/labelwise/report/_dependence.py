"""The aggregation report's "Dependent annotators" section and the marks in its annotator table.

Dawid-Skene's dependence checks (``labelwise aggregate``, in memory and on Dask) record in
``summary.json`` the pairs of annotators whose answers agree more than the model fitted without the
pair predicts (``dependent_pairs``) and the copy rings of three or more accounts (``dependent_rings``);
the fit weighs each dependent group's answers on an item as one answer. :func:`dependence_section`
lists them with the check's numbers and says what the fit did; :func:`with_marks` adds the review's
words (``copy ring 1 of 5 accounts``, ``dependent on a03``) to the annotator table. Both read the
summary through :mod:`labelwise.io.dependence`; a folder without a pair or ring (a method without the
check, a folder written before the fields, a crowd without copies) gets neither.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..io.dependence import copy_marks, dependent_pairs_of, dependent_rings_of

__all__ = [
    "DEFAULT_THRESHOLD",
    "MARK_COLUMN",
    "MAX_NAMES",
    "MAX_PAIRS",
    "WHO",
    "Who",
    "dependence_section",
    "with_marks",
]

#: The annotator table's column for the marks.
MARK_COLUMN = "dependence"
#: Pairs listed at most (strongest ``z`` first; the rest are counted).
MAX_PAIRS = 100
#: Accounts named per ring at most (the rest are counted).
MAX_NAMES = 50
#: Dawid-Skene's default ``dependency_threshold`` (``aggregate.dawid_skene.DEFAULT_DEPENDENCY_THRESHOLD``,
#: pinned equal by a test): importing that module costs the page seconds.
DEFAULT_THRESHOLD = 5.0


@dataclass(frozen=True)
class Who:
    """The section's words for whoever gives the answers: its heading, the note's nouns and verbs and
    the tables' column names."""

    heading: str  # "Dependent annotators"
    many: str  # "annotators", in "pair(s) of annotators"
    one: str  # "annotator", the pair table's "annotator a" and "annotator b"
    members: str  # "accounts": a ring's members, the ring table's count column
    alike: str  # "who answer", in "who answer alike"
    answered: str  # "answered": "the items both answered"
    answers: str  # "answer" (the noun): "every other answer"
    table: str  # "the annotator table", which marks the members


#: The words of each kind of folder: an aggregation's annotators, ``labelwise weak``'s labeling functions.
WHO = {
    "annotators": Who(
        heading="Dependent annotators",
        many="annotators",
        one="annotator",
        members="accounts",
        alike="who answer",
        answered="answered",
        answers="answer",
        table="the annotator table",
    ),
    "functions": Who(
        heading="Dependent labeling functions",
        many="labeling functions",
        one="function",
        members="functions",
        alike="that vote",
        answered="voted on",
        answers="vote",
        table="the table of the model's functions",
    ),
}


def with_marks(annotators: pd.DataFrame, summary: dict[str, Any]) -> pd.DataFrame:
    """``annotators`` with a :data:`MARK_COLUMN` column after ``annotator`` saying how the fit found each
    annotator copying (:func:`~labelwise.io.dependence.copy_marks`; empty for the others), when the
    summary names a dependent pair or ring; ``annotators`` itself otherwise."""
    marks = copy_marks(dependent_pairs_of(summary), dependent_rings_of(summary))
    if not marks or "annotator" not in annotators.columns or MARK_COLUMN in annotators.columns:
        return annotators
    column = annotators["annotator"].astype(str).map(lambda who: marks.get(who, "")).astype(object)
    return annotators.assign(**{MARK_COLUMN: column})[_after_annotator(list(annotators.columns))]


def dependence_section(summary: dict[str, Any], *, fit: str | None = None, who: str = "annotators") -> str:
    """The ``dependence`` section: what the check found and what the fit did with it (one note), each
    copy ring's accounts, and each dependent pair with the check's numbers (strongest ``z`` first, at
    most :data:`MAX_PAIRS`). ``""`` when the summary names no pair and no ring.

    ``fit``: what the fit did with the pairs, in words, for a model that does not weigh a group's answers
    as one (``labelwise weak``'s label model, which models a clique's joint vote); default Dawid-Skene's.
    ``who``: a key of :data:`WHO`, whose words the heading, note and columns use (``"functions"`` on a
    ``labelwise weak`` folder's page)."""
    from ._build import _e, _table

    words = WHO[who]
    pairs, rings = dependent_pairs_of(summary), dependent_rings_of(summary)
    if pairs.empty and not rings:
        return ""
    parts = [
        f'<section id="dependence"><h2>{_e(words.heading)}</h2>'
        f'<p class="note">{_e(_note(summary, pairs, rings, fit, words))}</p>'
    ]
    if rings:
        parts.append(_table(_ring_rows(rings, words), numeric={words.members}, cls="rings"))
    if not pairs.empty:
        shown = pairs.sort_values("z", ascending=False, kind="stable", na_position="last").head(MAX_PAIRS)
        more = f" ({MAX_PAIRS} of {len(pairs)}, strongest first)" if len(pairs) > MAX_PAIRS else ""
        parts.append(
            f'<p class="note">Each dependent pair{_e(more)}: the items both {words.answered}, how many of them '
            f"they {words.answered.split()[0]} alike, how many a model fitted on every other {words.answers} "
            "expects, and z, the excess in standard deviations.</p>"
        )
        numeric = {"shared items", "agreed", "expected", "z"}
        parts.append(_table(_pair_rows(shown, rings, words), numeric=numeric, cls="pairs"))
    return "".join(parts) + "</section>"


def _note(summary: dict[str, Any], pairs: pd.DataFrame, rings: list[list[str]], fit: str | None, words: Who) -> str:
    """What the check found and what the fit did with it (``fit`` when given), in words."""
    said = (
        f"Dawid-Skene's dependence check found {len(pairs)} pair(s) of {words.many} {words.alike} alike more "
        f"often than a model fitted on every other {words.answers} predicts (z above {_threshold(summary)})"
    )
    if rings:
        said += (
            f", among them {len(rings)} copy ring(s): three or more {words.members} whose every pair passes the check"
        )
    if fit is not None:
        return f"{said}. {fit}"
    if summary.get("fallback"):
        return (
            f"{said}. The fit weighed each such group's answers on an item as one answer, but the labels are "
            f"{summary['fallback']}'s (the fit fell back to it), which counts every answer."
        )
    return (
        f"{said}. The fit weighed each such group's answers on an item as one answer (each of its m members "
        f"1/m), so copied answers were counted once; {words.table} marks the members."
    )


def _threshold(summary: dict[str, Any]) -> str:
    """The check's ``z`` threshold: the run's ``--param dependency_threshold`` (or the summary's own
    ``dependency_threshold``, as ``labelwise weak`` writes it), else Dawid-Skene's default; a folder that
    records neither (a Dask run's) leaves it open."""
    settings = summary.get("settings")
    params = settings.get("params") if isinstance(settings, dict) else None
    if not isinstance(params, dict) and "dependency_threshold" in summary:
        params = {"dependency_threshold": summary["dependency_threshold"]}
    default = f"{DEFAULT_THRESHOLD:g}"
    if not isinstance(params, dict):
        return f"the run's dependency_threshold, {default} unless set; this folder does not record it"
    given = params.get("dependency_threshold")
    if isinstance(given, (int, float)) and not isinstance(given, bool):
        return f"{given:g}"
    return f"{default}, the default" if given is None else str(given)


def _ring_rows(rings: list[list[str]], words: Who) -> pd.DataFrame:
    names = [
        ", ".join(r[:MAX_NAMES]) + (f" and {len(r) - MAX_NAMES} more" if len(r) > MAX_NAMES else "") for r in rings
    ]
    return pd.DataFrame(
        {"copy ring": range(1, len(rings) + 1), words.members: [len(r) for r in rings], "members": names}
    ).astype(object)


def _pair_rows(pairs: pd.DataFrame, rings: list[list[str]], words: Who) -> pd.DataFrame:
    """The pairs as text: ring number (when both are of one ring), counts, rates and ``z``."""
    ring_of = {who: n for n, ring in enumerate(rings, 1) for who in ring}
    rows = []
    for p in pairs.itertuples(index=False):
        same = ring_of.get(p.annotator_a) if ring_of.get(p.annotator_a) == ring_of.get(p.annotator_b) else None
        rows.append(
            {
                f"{words.one} a": p.annotator_a,
                f"{words.one} b": p.annotator_b,
                "copy ring": "" if same is None else str(same),
                "shared items": _count(p.n_shared),
                "agreed": _share(p.agreements, p.n_shared, "{:.0f}"),
                "expected": _share(p.expected, p.n_shared, "{:.1f}"),
                "z": "" if math.isnan(p.z) else f"{p.z:.1f}",
            }
        )
    columns = [f"{words.one} a", f"{words.one} b", "copy ring", "shared items", "agreed", "expected", "z"]
    return pd.DataFrame(rows, columns=columns)


def _count(value: float) -> str:
    return "" if math.isnan(value) else f"{value:,.0f}"


def _share(value: float, of: float, fmt: str) -> str:
    """``value`` and its share of ``of`` (``188 (93.1%)``); ``""`` when the file lacks it."""
    if math.isnan(value):
        return ""
    return fmt.format(value) + (f" ({100.0 * value / of:.1f}%)" if of > 0 and not math.isnan(of) else "")


def _after_annotator(columns: list[str]) -> list[str]:
    at = columns.index("annotator") + 1
    return [*columns[:at], MARK_COLUMN, *columns[at:]]
