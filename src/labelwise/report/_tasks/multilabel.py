"""Multi-label audit in the report: each flagged example's tag list, suspected missing and extra tags marked.

Reads ``issues.csv`` of ``labelwise audit --task multilabel`` (``given_tags``, ``missing_tags``,
``spurious_tags``, ``suggested_tags``: tags joined by the audit's ``--tag-separator``, ``|`` by
default, as summary.json's settings say), ``classes.csv`` (per-class missing vs
spurious counts and noise rates) and the confused pairs of ``summary.json``.
"""

from __future__ import annotations

import pandas as pd

from ..._tag_cells import DEFAULT_SEPARATOR
from ._common import TaskRun, TaskView, section, tags


def _separator(run: TaskRun) -> str:
    """The separator the audit joined the tags with (``|`` before the audit recorded one)."""
    return str(run.settings.get("tag_separator") or DEFAULT_SEPARATOR)


def _tag_list(row: pd.Series, sep: str) -> str:
    """The given tags (extra ones struck through) followed by the suspected missing tags."""
    from .._build import _e

    extra = set(tags(row.get("spurious_tags"), sep))
    chips = [
        f'<span class="tag extra" title="suspected extra tag"><s>{_e(t)}</s></span>'
        if t in extra
        else f'<span class="tag">{_e(t)}</span>'
        for t in tags(row.get("given_tags"), sep)
    ]
    chips += [
        f'<span class="tag missing" title="suspected missing tag">+{_e(t)}</span>'
        for t in tags(row.get("missing_tags"), sep)
    ]
    return " ".join(chips) or '<span class="note">(no tag)</span>'


def sections(run: TaskRun, top: int) -> list[str]:
    """Per-class table, confused pairs and the worst examples' tag lists."""
    from .._build import _e, _quality, _table

    out = []
    classes = run.table("classes.csv")
    if classes is None and run.summary.get("per_class"):
        classes = pd.DataFrame(run.summary["per_class"])
    if classes is not None:
        out.append(
            section(
                "multilabel-classes",
                "Tags: missing vs extra",
                "Per tag: given positives the model doubts (extra) and negatives it believes (missing). "
                "Noise hides in the negatives.",
                f'<div class="scroll">{_table(classes)}</div>',
            )
        )
    pairs = pd.DataFrame(run.summary.get("confused_pairs") or [])
    if len(pairs):
        out.append(
            section(
                "multilabel-pairs",
                "Tag pairs",
                "Given tag and the tag suspected missing beside it, most frequent first.",
                _table(pairs.head(15)),
            )
        )
    flagged = run.issues[run.issues["is_issue"]].head(top)
    ident = run.id_column  # the data's id as written beside the row, as the classification report's cards
    rows = "".join(
        f'<tr><td class="num">{int(r["row"])}</td>'
        + (f"<td>{_e(r[ident])}</td>" if ident is not None else "")
        + f'<td class="tags">{_tag_list(r, _separator(run))}</td>'
        f'<td class="num">{_quality(float(r["label_quality"]))}</td></tr>'
        for _, r in flagged.iterrows()
    )
    id_head = f"<th>{_e(ident)}</th>" if ident is not None else ""
    body = (
        f'<table id="multilabel-examples"><thead><tr><th class="num">row</th>{id_head}'
        "<th>tags (<s>extra</s>, +missing)</th>"
        f'<th class="num">quality</th></tr></thead><tbody>{rows}</tbody></table>'
        if rows
        else '<p class="note">No example was flagged.</p>'
    )
    note = f"The {len(flagged)} flagged examples, worst first: given tags, suspected extra ones struck through, suspected missing ones marked +."
    out.append(section("multilabel-worst", "Worst examples", note, body))
    return out


def units(run: TaskRun) -> pd.DataFrame:
    """Review units: one per example (given and suggested tag lists)."""
    issues = run.issues
    return pd.DataFrame(
        {
            "row": issues["row"].astype(int),
            "given_label": issues["given_tags"].fillna(""),
            "suggested_label": issues["suggested_tags"].fillna(""),
            "label_quality": issues["label_quality"].astype(float),
            "is_issue": issues["is_issue"].astype(bool),
        }
    )


def unit_text(run: TaskRun, row: int) -> str | None:
    """The example's tags, the suspected extra ones marked ``(extra?)`` and the missing ones ``+tag``."""
    rec, sep = run.issue(row), _separator(run)
    extra = set(tags(rec.get("spurious_tags"), sep))
    given = [f"{t} (extra?)" if t in extra else t for t in tags(rec.get("given_tags"), sep)]
    missing = tags(rec.get("missing_tags"), sep)
    return "tags: " + (", ".join(given) or "none") + "".join(f"  +{t} (missing?)" for t in missing)


TASK_VIEW = TaskView("multilabel", "examples", sections, units=units, unit_text=unit_text)
