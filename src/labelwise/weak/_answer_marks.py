"""What the answer parsers share: the phrases that announce a final answer, and the last ``\\boxed{...}``.

The phrases follow the common extraction rules of evaluation suites: OpenAI simple-evals'
``Answer: X`` and lm-evaluation-harness's ``The answer is X`` (chain-of-thought tasks) and GSM8K's
``#### X``; the last ``\\boxed{...}`` is the MATH convention (Hendrycks et al. 2021).
"""

from __future__ import annotations

import re

__all__ = ["ANSWER_MARK", "last_boxed", "unwrap_latex"]

#: A phrase announcing the answer, case-insensitive: ``Answer:``, ``The answer is``, ``Final answer:``,
#: ``The correct option is``, ``choice is`` (whole words: not ``answers``); then an optional colon.
ANSWER_MARK = (
    r"(?i:\b(?:(?:final|correct|best)\s+)?answer(?:\s+is)?"
    r"|\b(?:correct|right|best)\s+(?:option|choice)(?:\s+is)?"
    r"|\b(?:option|choice)\s+is)\b\s*[:\uff1a]?"
)
_BOXED = re.compile(r"\\(?:boxed|fbox)\s*\{")
_WRAPPER = re.compile(r"\\(?:text|textbf|mathrm|mathbf|mbox)\s*\{([^{}]*)\}")


def last_boxed(text: str) -> str | None:
    """The content of the last ``\\boxed{...}`` (or ``\\fbox{...}``) of ``text``, braces balanced; None
    when there is none or it is not closed."""
    starts = [m.end() for m in _BOXED.finditer(text)]
    if not starts:
        return None
    depth, start = 1, starts[-1]
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i]
    return None


def unwrap_latex(text: str) -> str:
    """``text`` without ``\\text{...}``-like wrappers (their content kept), ``$`` signs and ``\\!`` / ``\\,``
    spacing: ``\\text{B}`` is ``B``, ``\\$1{,}000`` is ``1,000``."""
    before = None
    while before != text:
        before, text = text, _WRAPPER.sub(r"\1", text)
    return text.replace("{,}", ",").replace("\\$", "").replace("$", "").replace("\\!", "").replace("\\,", "").strip()
