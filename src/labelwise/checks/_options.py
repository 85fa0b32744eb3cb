"""``check_options``, checked before any work: each key a check (or a shared pass), each option one
that check reads, each value in its range.

Every check declares the options it reads (:attr:`~labelwise.checks._base.Check.options`: name ->
rule); a rule raises :class:`~labelwise.errors.InvalidParameterError` naming
``check_options[check][option]``, and ``None`` leaves the value to the check, which checks it where
it reads it (an option whose range depends on the data, such as a ``ColumnRoles``). Before session 43
an option name the check does not read (``{"near_duplicate": {"thresh": 0.2}}``) or a check name
that is none (``{"near_duplicates": ...}``) was ignored without a word, and the run used the defaults.
A wrong name is answered with the close one (:func:`labelwise._validate.names.did_you_mean`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._validate.arguments import check_fraction, check_positive, check_positive_int
from .._validate.names import did_you_mean  # the one rule of every "did you mean" (re-exported here)
from ..errors import InvalidParameterError

#: An option's rule: called with the option's name as the user wrote it (``check_options['outlier']['fence']``)
#: and its value; raises when the value is out of range. ``None``: the check checks it where it reads it.
Rule = Callable[[str, Any], object] | None


def positive_number(where: str, value: Any) -> object:
    """A finite number > 0 (a radius, a fence's multiple)."""
    return check_positive(where, value)


def positive_int(where: str, value: Any) -> object:
    """An integer >= 1 (a count of rows or neighbours)."""
    return check_positive_int(where, value)


def share(where: str, value: Any) -> object:
    """A number in (0, 1] (a share of the rows or of a score's range)."""
    return check_fraction(where, value, closed_low=False, closed_high=True)


def unit_interval(where: str, value: Any) -> object:
    """A number in [0, 1]."""
    return check_fraction(where, value, closed_high=True)


def checked_options(given: Any, rules: Mapping[str, Mapping[str, Rule]]) -> dict[str, dict[str, Any]]:
    """``given`` (``find_data_issues``'s ``check_options``) as a dict of dicts, or an error naming the key,
    the option or the value that no check reads or that is out of range.

    ``rules`` maps every key ``check_options`` may have (a check's name, or a pass several checks
    share, such as ``"image"``) to its options' rules. An option of a check that does not run is
    still checked (``leakage`` reads ``near_duplicate``'s threshold).
    """
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise InvalidParameterError(
            f"check_options must be a dict of check name -> {{option: value}}, got {type(given).__name__}"
        )
    out: dict[str, dict[str, Any]] = {}
    for key, options in given.items():
        if key not in rules:
            raise InvalidParameterError(
                f"check_options has no check {key!r}{did_you_mean(key, rules)}: its keys are check names among {list(rules)}"
            )
        if not isinstance(options, Mapping):
            raise InvalidParameterError(
                f"check_options[{key!r}] must be a dict of option -> value, got {type(options).__name__}"
            )
        known = rules[key]
        for name, value in options.items():
            if name not in known:
                offered = f"its options are {list(known)}" if known else "it takes no options"
                raise InvalidParameterError(
                    f"check_options[{key!r}] has no option {name!r}{did_you_mean(name, known)}: {offered}"
                )
            rule = known[name]
            if rule is not None:
                rule(f"check_options[{key!r}][{name!r}]", value)
        out[key] = dict(options)
    return out
