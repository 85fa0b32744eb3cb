"""Answer parsers: a model's answer read as the final answer it gives, before the vote.

Self-consistency samples several reasoning paths and votes on the final answers they reach, which
are parsed out of the generated text first (Wang et al. 2023). :data:`ANSWER_PARSERS` holds one rule
per kind of answer, each in a module of its own, taking one answer and returning its parsed form, or
None where the answer gives none (never a guess): those answers are counted, a few are named, and
they are kept as written or dropped (``unparsed``), as the user chooses.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice, show
from ..errors import InvalidParameterError
from ._answer_choice import parse_choice
from ._answer_last_line import parse_last_line
from ._answer_names import ANSWER_PARSER_NAMES, UNPARSED_POLICIES
from ._answer_number import parse_number

__all__ = ["ANSWER_PARSERS", "UNPARSED_POLICIES", "ParsedAnswers", "parse_answer_values"]

#: The parsers by name: ``multiple-choice`` (the option letter, upper case), ``number`` (one
#: spelling per number) and ``last-line`` (the last line's normal form).
ANSWER_PARSERS: Mapping[str, Callable[[Any], Any]] = dict(
    zip(ANSWER_PARSER_NAMES, (parse_choice, parse_number, parse_last_line), strict=True)
)
#: Unparsed answers named in a notice, at most; each shown to this many characters.
_SHOWN, _WIDTH = 3, 60


@dataclass(frozen=True)
class ParsedAnswers:
    """Answers after a parser: ``values`` (the parsed form; an unparsed answer as written), which are
    ``unparsed``, the parser's name and how many answers parsing changed (``n_changed``)."""

    values: pd.Series
    unparsed: np.ndarray
    parser: str
    n_changed: int

    def notice(self, what: str, policy: str, other: str) -> str | None:
        """The unparsed answers counted, the most frequent named (cut to 60 characters), what became of
        them under ``policy`` and the other choice ``other``; None when every answer was parsed."""
        n = int(self.unparsed.sum())
        if not n:
            return None
        counts = self.values[self.unparsed].astype(str).value_counts()
        named = ", ".join(f"{show(_cut(str(text)))} ({int(k)})" for text, k in counts.head(_SHOWN).items())
        kept = "kept as written, each a class of its own" if policy == "keep" else "dropped from the vote"
        return (
            f"{n} of {len(self.values)} {what} could not be parsed as {self.parser} answers and were {kept} "
            f"({len(counts)} distinct; e.g. {named}{', ...' if len(counts) > _SHOWN else ''}); {other}"
        )


def parse_answer_values(values: pd.Series, parser: Any, *, parameter: str = "parse_answers") -> ParsedAnswers:
    """``values`` parsed by ``parser``: a name of :data:`ANSWER_PARSERS` or a function of one answer
    returning its parsed form or None; each distinct value is parsed once.

    Raises
    ------
    InvalidParameterError
        ``parser`` is neither a parser's name nor callable (the message names ``parameter``).
    """
    if isinstance(parser, str):
        check_choice(parameter, parser, tuple(ANSWER_PARSERS))
        function, name = ANSWER_PARSERS[parser], parser
    elif callable(parser):
        function, name = parser, getattr(parser, "__name__", type(parser).__name__)
    else:
        raise InvalidParameterError(
            f"{parameter} must be one of {list(ANSWER_PARSERS)} or a function of one answer, got {show(parser)}"
        )
    codes, uniques = pd.factorize(values)  # each distinct answer parsed once; a missing one is -1
    results = [function(u) for u in uniques]
    failed = np.array([r is None for r in results] + [False], dtype=bool)
    changed = np.array([r is not None and not _same(r, u) for r, u in zip(results, uniques, strict=True)] + [False])
    unparsed = failed[codes]
    out = values.to_numpy(dtype=object).copy()
    parsed = (codes >= 0) & ~unparsed
    table = np.empty(len(results) + 1, dtype=object)  # not np.array(results): a tuple would make it 2-D
    table[: len(results)] = results
    out[parsed] = table[codes[parsed]]
    series = pd.Series(out, index=values.index, name=values.name)
    return ParsedAnswers(series, unparsed, name, int(changed[codes].sum()))


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."
