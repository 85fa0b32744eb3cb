"""Checks of scalar arguments (choices, fractions, positive numbers, random states) and ``show``,
which writes a received value into a message."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import InvalidParameterError


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (``10``, not ``np.int64(10)``); any other value as it is."""
    return value.item() if isinstance(value, np.generic) else value


def show(value: Any) -> str:
    """``repr`` of a value for messages, numpy scalars shown as plain Python values."""
    return repr(plain(value))


def _is_seed(value: Any) -> bool:
    """An int that numpy and scikit-learn both take as a seed: in [0, 2**32)."""
    return isinstance(value, (numbers.Integral, np.integer)) and 0 <= int(value) < 2**32


def check_random_state(random_state: Any) -> np.random.Generator:
    """Turn ``None``, an int, a ``Generator`` or a ``RandomState`` into a ``Generator``."""
    if random_state is None or _is_seed(random_state):
        return np.random.default_rng(None if random_state is None else int(random_state))
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    raise InvalidParameterError(
        f"random_state must be None, an int in [0, 2**32) or a numpy Generator, got {show(random_state)}"
    )


def seed_from(random_state: Any) -> int | None:
    """An int seed for APIs (scikit-learn) that want one; ``None`` stays ``None``."""
    if random_state is None or _is_seed(random_state):
        return None if random_state is None else int(random_state)
    return int(check_random_state(random_state).integers(0, 2**31 - 1))


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Raise :class:`InvalidParameterError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise InvalidParameterError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def is_number(value: Any) -> bool:
    """A number (:class:`numbers.Number`, numpy scalars included), not a boolean (``True == 1``)."""
    return isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    """A real number: :class:`numbers.Real` or a numpy real scalar, not a boolean nor a text."""
    return isinstance(value, (numbers.Real, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def check_fraction(
    name: str,
    value: Any,
    *,
    low: float = 0.0,
    high: float = 1.0,
    closed_high: bool = False,
    closed_low: bool = True,
) -> float:
    """Raise :class:`InvalidParameterError` unless ``low <= value < high``.

    ``closed_high`` makes the upper end ``<=``; ``closed_low=False`` makes the lower one ``<``.
    Only real numbers (:class:`numbers.Real`, numpy's real scalars included) are numbers here: not
    booleans, and not texts such as ``"0.1"`` that ``float`` would parse.
    """
    if not _is_real(value):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}")
    v = float(value)
    above = low <= v if closed_low else low < v
    below = v <= high if closed_high else v < high
    if not (above and below) or np.isnan(v):
        opening = "[" if closed_low else "("
        bracket = "]" if closed_high else ")"
        # "a number in (0, 1]" reads better than "in (0, 1]" when zero itself is excluded
        what = "in" if closed_low else "a number in"
        raise InvalidParameterError(f"{name} must be {what} {opening}{low:g}, {high:g}{bracket}, got {value!r}")
    return v


def check_positive(name: str, value: Any) -> float:
    """Raise :class:`InvalidParameterError` unless ``value`` is a finite real number > 0."""
    if not _is_real(value) or not (float(value) > 0) or not np.isfinite(float(value)):
        raise InvalidParameterError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """Raise :class:`InvalidParameterError` unless ``value`` is an int ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
