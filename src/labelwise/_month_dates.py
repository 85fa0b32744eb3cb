"""Dates written with English month names: their shape, and the ``strftime`` formats they are written in.

:func:`labelwise.columns.infer_column_roles` calls a string column a date when one format parses
nearly all of it. Numeric dates (``2021-03-04``) have their own shape test there; this module adds
the written-out forms: ``March 4, 2021``, ``Mar 4 2021``, ``4 March 2021``, ``04-Mar-2021``,
``2021-Mar-04``, with an optional weekday in front (``Thu, 04 Mar 2021 10:00:00 +0000``, the
RFC 2822 form) and an optional time (24-hour or with AM/PM) and zone. Month and weekday names are
English, full or abbreviated, in any case (pandas' ``%b``/``%B``/``%a``/``%A`` match them
case-insensitively). The shape must cover the whole string, so free text that merely holds a month
word ("meeting in March about budgets") is not date-shaped.

The format is built from the value itself (each matched part replaced by its directive, separators
kept), not guessed by pandas' ``guess_datetime_format``, which gives up on lower-case names,
two-digit years after a month name and 12-hour times after a month name.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["MONTH_DATE_LIKE", "month_date_formats", "month_date_shaped"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
_SEP = r"(?:\.?,?[ ]+|[-/])"  # "Mar 4", "Mar. 4", "Mar, 4", "04-Mar", "04/Mar"
#: A whole string that is a date written with a month name (case-insensitive, see the module docstring).
MONTH_DATE_LIKE = re.compile(
    rf"""^\s*
    (?:(?P<weekday>{_WEEKDAY})\.?,?[ ]+)?
    (?:
        (?P<m1>{_MONTH}){_SEP}(?P<d1>\d{{1,2}}),?(?:[ ]+|[-/])(?P<y1>\d{{4}}|\d{{2}})
      | (?P<d2>\d{{1,2}})(?:[ ]+|[-/])(?P<m2>{_MONTH}){_SEP}(?P<y2>\d{{4}}|\d{{2}})
      | (?P<y3>\d{{4}})[-/ ](?P<m3>{_MONTH})\.?[-/ ](?P<d3>\d{{1,2}})
    )
    (?:(?:,?[ ]+|T)(?P<hour>\d{{1,2}}):(?P<minute>\d{{2}})(?::(?P<second>\d{{2}})(?:\.(?P<fraction>\d+))?)?
       (?:[ ]*(?P<ampm>[ap]m))?)?
    (?:[ ]*(?P<offset>z|[+-]\d{{2}}:?\d{{2}})|[ ]+(?P<zone>utc|gmt))?
    \s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_FULL_MONTHS = {
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}
_FULL_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_DIRECTIVES = {"d": "%d", "minute": "%M", "second": "%S", "fraction": "%f", "ampm": "%p", "offset": "%z", "zone": "%Z"}
#: How many distinct values a column's candidate formats are built from.
_FORMAT_SOURCES = 5
#: Directives swapped to make the other candidates: "May" is both a full and an abbreviated month.
_SWAPS = (("%B", "%b"), ("%A", "%a"))


def month_date_shaped(strings: pd.Series) -> pd.Series:
    """Whether each string is wholly a date written with a month name (boolean Series, same index)."""
    return strings.astype(str).str.match(MONTH_DATE_LIKE)


def _directive(group: str, text: str) -> str:
    """The ``strftime`` directive for one matched part (regex group ``group``) of a date."""
    kind = group.rstrip("123")
    if kind == "m":
        return "%B" if text.lower() in _FULL_MONTHS else "%b"
    if kind == "y":
        return "%Y" if len(text) == 4 else "%y"
    if kind == "weekday":
        return "%A" if text.lower() in _FULL_WEEKDAYS else "%a"
    return _DIRECTIVES[kind]


def format_of(value: str) -> str | None:
    """The ``strftime`` format ``value`` is written in, or None when it is not month-name date-shaped.

    Examples
    --------
    >>> format_of("Thu, 04 Mar 2021 10:00:00 +0000")
    '%a, %d %b %Y %H:%M:%S %z'
    >>> format_of("4-mar-21"), format_of("meeting in March about budgets")
    ('%d-%b-%y', None)
    """
    match = MONTH_DATE_LIKE.match(value)
    if match is None:
        return None
    parts = match.groupdict()
    spans = []
    for group, text in parts.items():
        if text is None:
            continue
        if group == "hour":
            directive = "%I" if parts["ampm"] else "%H"
        else:
            directive = _directive(group, text)
        spans.append((match.start(group), match.end(group), directive))
    out, last = [], 0
    for start, end, directive in sorted(spans):
        out += [value[last:start].replace("%", "%%"), directive]
        last = end
    out.append(value[last:].replace("%", "%%"))
    return "".join(out)


def month_date_formats(strings: pd.Series) -> list[str]:
    """Candidate formats for a column of month-name dates, most likely first.

    The formats of its first ``_FORMAT_SOURCES`` distinct month-name-shaped values, each followed
    by its variants with full and abbreviated names swapped (a column whose first value is "May 4,
    2021" may write "Mar 4, 2021" or "March 4, 2021" next); duplicates removed. The caller keeps
    the one format that parses most of the column.
    """
    values = strings.astype(str)
    shaped = values[month_date_shaped(values)].drop_duplicates().iloc[:_FORMAT_SOURCES]
    candidates: list[str] = []
    for value in shaped:
        fmt = format_of(value)
        if fmt is None:  # pragma: no cover - shaped values always match
            continue
        variants = [fmt]
        for full, short in _SWAPS:
            variants += [v.replace(full, short) for v in variants] + [v.replace(short, full) for v in variants]
        candidates += variants
    return list(dict.fromkeys(candidates))
