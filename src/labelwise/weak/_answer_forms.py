"""Model answers written several ways for one answer (``B``, ``B.``, ``"B"``, `` b ``, ``(B)``, ``Answer: B``):
the one rule that finds them, a notice naming them, and the same rule applied when asked."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from .._validate.arguments import show

__all__ = ["answer_forms_notice", "normal_answer", "normal_text", "normalize_answers"]

#: A leading ``Answer:``, ``The answer is``, ``Final answer:`` (after casefolding).
_PREFIX = re.compile(r"^(?:the\s+)?(?:final\s+)?answer\s*(?::|is\s*:?)\s*")
#: Removed from the start (quotes, opening brackets, emphasis) and from the end (quotes, closing
#: brackets, emphasis, sentence punctuation); a sign or a decimal point inside is kept (``-1``, ``0.5``).
_LEAD = "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb([{<*_"
_TRAIL = "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb)]}>*_.,;:!?"


def normal_answer(answer: Any) -> Any:
    """The normal form of one answer: a text stripped of surrounding spaces, casefolded, without a
    leading ``Answer:`` / ``The answer is`` / ``Final answer:``, and stripped of surrounding quotes,
    brackets, ``*``/``_`` emphasis and trailing sentence punctuation, repeatedly until nothing
    changes (``"(B)."`` and ``Answer: "B"`` are ``b``). A text that would become empty, and any value that is not a text, is returned as it is.

    Examples
    --------
    >>> [normal_answer(a) for a in ["B", "B.", '"B"', " b ", "(B)", "Answer: B", "-1", 2]]
    ['b', 'b', 'b', 'b', 'b', 'b', '-1', 2]
    """
    if not isinstance(answer, str):
        return answer
    return normal_text(answer) or answer


def normal_text(answer: str) -> str:
    """:func:`normal_answer` of a text, empty where the rule empties it (``...``, ``Answer:``)."""
    text, before = answer.casefold(), None
    while before != text:
        before = text
        text = _PREFIX.sub("", text.strip(), count=1).strip().lstrip(_LEAD).rstrip(_TRAIL)
    return text


def normalize_answers(values: pd.Series) -> pd.Series:
    """``values`` with every text replaced by its :func:`normal_answer` (other values unchanged)."""
    uniques = pd.unique(values.dropna())
    mapping = {v: normal_answer(v) for v in uniques if isinstance(v, str)}
    if not mapping:
        return values
    return values.map(lambda v: mapping.get(v, v) if isinstance(v, str) else v)


def answer_forms_notice(values: pd.Series, what: str, fix: str, *, beyond_case: bool = False) -> str | None:
    """A notice naming the answers of ``values`` that :func:`normal_answer` makes one (each spelling
    with its count, most frequent first), and ``fix``; ``None`` when no two spellings meet.
    ``beyond_case``: only when two spellings of one answer differ by more than case and surrounding
    spaces (which :func:`labelwise._validate.labels.look_alike_classes` names already)."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):  # no texts
        return None
    counts = values.value_counts(sort=False, dropna=True)  # one count per spelling, then the texts among them
    groups: dict[str, list[tuple[str, int]]] = {}
    for spelling, n in counts.items():
        if isinstance(spelling, str):
            groups.setdefault(normal_answer(spelling), []).append((spelling, int(n)))
    found = [sorted(g, key=lambda sn: (-sn[1], sn[0])) for g in groups.values() if len(g) > 1]
    if beyond_case and not any(len({s.strip().casefold() for s, _ in g}) > 1 for g in found):
        return None
    if not found:
        return None
    found.sort(key=lambda g: -sum(n for _, n in g))
    shown = "; ".join(", ".join(f"{show(s)} ({n})" for s, n in g) for g in found[:5])
    n_answers = int(sum(n for g in found for _, n in g))
    return (
        f"{what} hold {len(found)} answer(s) written in two or more ways ({n_answers} answers in all): {shown}"
        + ("; ..." if len(found) > 5 else "")
        + f". Each spelling is a class of its own, with its own votes; {fix} to vote on each answer's normal "
        "form (stripped, casefolded, without a leading 'Answer:' and surrounding quotes, brackets and punctuation)"
    )
