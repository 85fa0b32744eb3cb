"""The ``multiple-choice`` answer parser: the letter of the option a model's answer gives."""

from __future__ import annotations

import re
from typing import Any

from ._answer_marks import ANSWER_MARK, last_boxed, unwrap_latex

__all__ = ["parse_choice"]

#: Emphasis, brackets and quotes around a letter.
_OPEN, _CLOSE = r"[\s*_\"'(\[{]*", r"[\s*_\"')\]}]*"
#: After an answer phrase: a capital letter not followed by a word character (``The answer is B.``,
#: ``Answer: (B) Paris``), or a small one that ends its line (``answer: b``; not ``the answer is a cat``).
_MARKED = re.compile(
    ANSWER_MARK + _OPEN + r"(?:([A-Z])(?![\w'])|([a-z])(?=" + _CLOSE + r"[.!]?" + _CLOSE + r"$))", re.M
)
#: The whole answer one letter, with emphasis, brackets, quotes or a full stop: ``**B**``, ``(b)``, ``B.``.
_ALONE = re.compile(_OPEN + r"([A-Za-z])" + _CLOSE + r"[.:!]?" + _CLOSE)
#: An option as written in the question: ``B) Paris``, ``(B) Paris``, ``B. Paris``, ``**B:** Paris``.
_LEADING = re.compile(r"[\s*_]*(?:\(([A-Za-z])\)|([A-Z])[).:])[\s*_]+\S")


def parse_choice(answer: Any) -> str | None:
    """The option letter (upper case) of a multiple-choice answer; None when the answer names none.

    Rules, the first that applies: the last ``\\boxed{...}`` (its content must be one of the forms
    below); else the last answer phrase followed by a letter (``The answer is (B)``, ``Final answer:
    **C**``, ``Answer: d``: a small letter only where it ends its line); else the whole answer one
    letter (``**B**``, ``(b)``, ``B.``); else an option as the question writes it (``B) Paris``, ``(B)
    Paris``, ``B. Paris``). A letter anywhere else (``I think B``) is not taken.

    Examples
    --------
    >>> [parse_choice(a) for a in ["The answer is B because ...", "**B**", "Final answer: (B)", "B) Paris"]]
    ['B', 'B', 'B', 'B']
    >>> parse_choice("I am not sure") is None
    True
    """
    if not isinstance(answer, str):
        return None
    boxed = last_boxed(answer)
    if boxed is not None:
        return _whole(unwrap_latex(boxed))
    marked = list(_MARKED.finditer(answer))
    if marked:
        return (marked[-1].group(1) or marked[-1].group(2)).upper()
    return _whole(answer)


def _whole(text: str) -> str | None:
    """The letter of a text that is one letter, or an option as written; else None."""
    alone = _ALONE.fullmatch(text)
    if alone:
        return alone.group(1).upper()
    leading = _LEADING.match(text)
    if leading:
        return (leading.group(1) or leading.group(2)).upper()
    return None
