"""Token (NER) audit in the report: the worst sentences with their flagged tokens highlighted.

Reads ``issues.csv`` of ``labelwise audit --task token`` (one row per token: sentence, position,
token, given and suggested tag, flag) and rebuilds each sentence from it; the common confusions
come from ``summary.json``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import TaskRun, TaskView, section


def _sentence_html(tokens: pd.DataFrame, ident: str | None = None) -> str:
    """The sentence's tokens in order; a flagged token is marked with its given and suggested tag (and, with
    the audit's ``--id-column`` as ``ident``, its id as written)."""
    from .._build import _e

    parts = []
    for _, t in tokens.sort_values("position").iterrows():
        word = _e(t["token"]) if "token" in t and isinstance(t["token"], str) else f"#{int(t['position'])}"
        given = _e(t["given_label"])
        if t["is_issue"] or str(t["given_label"]) != str(t["suggested_label"]):
            title = f"given {t['given_label']}, suggested {t['suggested_label']}"
            title += f", {ident} {t[ident]}" if ident is not None else ""
            kind = "flagged" if t["is_issue"] else "doubt"
            data_id = f' data-id="{_e(t[ident])}"' if ident is not None else ""
            parts.append(
                f'<mark class="tok {kind}"{data_id} title="{_e(title)}">{word}<sub>{given} &rarr; '
                f"{_e(t['suggested_label'])}</sub></mark>"
            )
        elif str(t["given_label"]) != "O":
            parts.append(f'<span class="tok entity">{word}<sub>{given}</sub></span>')
        else:
            parts.append(f'<span class="tok">{word}</span>')
    return " ".join(parts)


def sections(run: TaskRun, top: int) -> list[str]:
    """Confusions by tag and entity type, then the worst sentences."""
    from .._build import _e, _quality, _table

    out = []
    for key, ident, title in (
        ("confusions_by_tag", "token-confusions", "Most common (given, suggested) tags"),
        ("confusions_by_entity", "entity-confusions", "Most common confusions by entity type"),
    ):
        table = pd.DataFrame(run.summary.get(key) or [])
        if len(table):
            out.append(
                section(ident, title, "Flagged tokens by their given and suggested tag.", _table(table.head(15)))
            )
    issues = run.issues
    quality = issues.groupby("sentence")["sentence_quality"].first() if "sentence_quality" in issues else None
    flagged = np.unique(issues.loc[issues["is_issue"], "sentence"].to_numpy())
    note = f"The {min(len(flagged), top)} sentences with flagged tokens, worst first"
    if not len(flagged):  # nothing flagged: the lowest-quality sentences, as the classification report does
        flagged = np.unique(issues["sentence"].to_numpy())
        note = "No token was flagged; these are the sentences with the lowest quality"
        top = min(top, 12)
    if quality is not None:
        flagged = flagged[np.argsort(quality.reindex(flagged).to_numpy(), kind="stable")]
    shown = flagged[:top]
    by_sentence = {s: g for s, g in issues[issues["sentence"].isin(shown)].groupby("sentence")}
    named = _sentence_names(run)
    items = "".join(
        f'<li class="sentence" data-sentence="{int(s)}"><span class="meta">sentence {int(s)}'
        + (f" ({_e(named[s])})" if named is not None else "")
        + (f" &middot; quality {_quality(float(quality[s]))}" if quality is not None else "")
        + f"</span> {_sentence_html(by_sentence[s], run.id_column)}</li>"
        for s in shown
    )
    body = f'<ol class="sentences">{items}</ol>' if items else '<p class="note">The corpus is empty.</p>'
    note += "; a marked token shows its given → suggested tag (red: flagged, amber: the model disagrees)."
    out.append(section("token-sentences", "Worst sentences", note, body))
    return out


def _sentence_names(run: TaskRun) -> dict | None:
    """Each sentence's id as the token table writes it (the audit's ``--sentence-column``, carried into
    ``issues.csv`` under its name, or ``sentence_id``), or None for a CoNLL file."""
    name = run.settings.get("sentence_column")
    col = "sentence_id" if name == "sentence" else name
    if not col or col not in run.issues:
        return None
    return dict(zip(run.issues["sentence"], run.issues[col].astype(str), strict=True))


def units(run: TaskRun) -> pd.DataFrame:
    """Review units: one per token (given and suggested tag)."""
    issues = run.issues
    return pd.DataFrame(
        {
            "row": issues["token_index"].astype(int),
            "given_label": issues["given_label"].astype(str),
            "suggested_label": issues["suggested_label"].astype(str),
            "label_quality": issues["label_quality"].astype(float),
            "is_issue": issues["is_issue"].astype(bool),
        }
    )


def unit_text(run: TaskRun, row: int) -> str | None:
    """The token's sentence with the token in ``[[ ]]``."""
    rec = run.issue(row, key="token_index")
    if "sentences" not in run.cache:
        run.cache["sentences"] = dict(tuple(run.issues.groupby("sentence")))
    words = run.cache["sentences"][rec["sentence"]].sort_values("position")
    has_words = "token" in words
    return " ".join(
        (f"[[{w}]]" if p == rec["position"] else str(w))
        for p, w in zip(words["position"], words["token"] if has_words else words["position"], strict=True)
    )


TASK_VIEW = TaskView("token", "tokens", sections, units=units, unit_text=unit_text)
