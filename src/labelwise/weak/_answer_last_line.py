"""The ``last-line`` answer parser: a free-text answer read from its last line, in its normal form."""

from __future__ import annotations

from typing import Any

from ._answer_forms import normal_text

__all__ = ["parse_last_line"]


def parse_last_line(answer: Any) -> str | None:
    """The last non-blank line of a text answer in its :func:`~labelwise.weak._answer_forms.normal_answer`
    form (casefolded, without a leading ``Answer:`` and surrounding quotes, brackets, emphasis and
    punctuation): a chain of thought ending ``Final answer: Paris`` is ``paris``. None for a value that
    is not a text, a text without a line, and a last line the rule empties (``...``, ``Final answer:``).

    Examples
    --------
    >>> parse_last_line("Paris is the capital.\\n\\n**Final answer: Paris**\\n")
    'paris'
    """
    if not isinstance(answer, str):
        return None
    lines = [line for line in answer.splitlines() if line.strip()]
    if not lines:
        return None
    return normal_text(lines[-1]) or None
