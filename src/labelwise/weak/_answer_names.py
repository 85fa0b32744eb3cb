"""The names of the answer parsers and of what becomes of an unparsed answer.

This module imports nothing: ``labelwise aggregate --help`` lists these names without importing
pandas. :mod:`labelwise.weak._answer_parsers` builds its registry from them.
"""

__all__ = ["ANSWER_PARSER_NAMES", "UNPARSED_POLICIES"]

#: The keys of :data:`labelwise.weak.ANSWER_PARSERS`.
ANSWER_PARSER_NAMES = ("multiple-choice", "number", "last-line")
#: What becomes of an answer the parser cannot read: kept as written (a class of its own), or dropped.
UNPARSED_POLICIES = ("keep", "drop")
