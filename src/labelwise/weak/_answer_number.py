"""The ``number`` answer parser: the number a model's answer gives, in one canonical spelling."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from numbers import Integral, Real
from typing import Any

from ._answer_marks import ANSWER_MARK, last_boxed, unwrap_latex

__all__ = ["canonical_number", "parse_number"]

#: A number as answers write it: a sign (``-`` or the minus sign), digits with or without thousands
#: commas, a decimal part, or a fraction ``3/4``.
_NUMBER = r"[-+\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:/\d+)?|[-+\u2212]?\.\d+"
_OPEN, _CLOSE = r"[\s*_\"'(\[{$]*", r"[\s*_\"')\]}%]*"
#: GSM8K's ``#### 42``, and an answer phrase followed by a number (``The answer is $1,234.``).
_MARKED = re.compile(r"(?:####|" + ANSWER_MARK + r")" + _OPEN + r"(" + _NUMBER + r")(?![\d,]*\d)")
#: The whole answer one number, with emphasis, brackets, a dollar or percent sign or a full stop.
_ALONE = re.compile(_OPEN + r"(" + _NUMBER + r")" + _CLOSE + r"[.!]?" + _CLOSE)
_FRAC = re.compile(r"\\[dt]?frac\s*\{\s*([-+]?\d+)\s*\}\s*\{\s*(\d+)\s*\}")


def canonical_number(text: str) -> str | None:
    """One spelling per number: no thousands commas, no ``+``, no trailing zeros (``1,234.50`` is
    ``1234.5``, ``42.0`` is ``42``, ``-0`` is ``0``); a fraction keeps its numerator and denominator
    (``3/4``, ``-3/4``); None when ``text`` is not such a number."""
    text = text.replace("\u2212", "-").replace(",", "")
    if "/" in text:
        num, _, den = text.partition("/")
        top, bottom = canonical_number(num), canonical_number(den)
        return None if top is None or bottom is None or bottom == "0" else f"{top}/{bottom}"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def parse_number(answer: Any) -> str | None:
    """The number a model's answer gives, as :func:`canonical_number` writes it; None when it gives none.

    Rules, the first that applies: a number value (not a bool) is its canonical text; the last
    ``\\boxed{...}`` (its content one number, ``\\frac{3}{4}`` read as ``3/4``); else the last ``####``
    (GSM8K) or answer phrase followed by a number (``The answer is $1,234.``, ``Final answer: -3``);
    else the whole answer one number (``42``, ``**42**``, ``$1,234``, ``7.``). A number anywhere else
    in the text (the steps of a chain of thought) is not taken.

    Examples
    --------
    >>> [parse_number(a) for a in ["\\\\boxed{42}", "#### 1,234", "The answer is 7.5 apples.", "42.0", 3]]
    ['42', '1234', '7.5', '42', '3']
    >>> parse_number("about ten") is None
    True
    """
    if isinstance(answer, Real) and not isinstance(answer, bool):
        return canonical_number(str(answer) if isinstance(answer, Integral) else repr(float(answer)))
    if not isinstance(answer, str):
        return None
    boxed = last_boxed(answer)
    if boxed is not None:
        alone = _ALONE.fullmatch(_FRAC.sub(r"\1/\2", unwrap_latex(boxed)))
        return canonical_number(alone.group(1)) if alone else None
    marked = list(_MARKED.finditer(answer))
    if marked:
        return canonical_number(marked[-1].group(1))
    alone = _ALONE.fullmatch(answer)
    return canonical_number(alone.group(1)) if alone else None
