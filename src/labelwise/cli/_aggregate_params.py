"""``labelwise aggregate``'s methods: ``--param name=value`` parsed for ``METHODS[method]``; building and fitting one."""

from __future__ import annotations

import time
from typing import Any

import click

from .._heavy import pandas as pd
from .._validate.arguments import plain
from ..errors import InvalidParameterError, LabelwiseError
from ..io.annotations import votes
from ..io.annotations.registry import detect_format

#: ``aggregate``'s method when none is given: Dawid-Skene (``auto`` is about as accurate on the simulated dev crowds,
#: +0.7 points mean, but 7-10x slower on large sets: K-fold refits; ``--method auto`` chooses by held-out likelihood).
DEFAULT_METHOD = "dawid-skene"
#: ... with ``--probs``: CROWDLAB.
PROBS_METHOD = "crowdlab"
#: ... for a votes file whose annotators are sample numbers (exchangeable draws of one model): self-consistency.
SAMPLES_METHOD = "majority-vote"

#: ``--param NAME=VALUE`` (repeatable, parsed by :func:`method_params`), shared by ``aggregate`` and ``aggregate-tags``.
param_option = click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A method-specific parameter, e.g. --param smoothing=0 --param max_iter=500 (repeatable).",
)
#: ``--duplicates``, shared by ``aggregate`` and ``aggregate-tags``.
duplicates_option = click.option(
    "--duplicates",
    type=click.Choice(["keep", "last"]),
    default="keep",
    show_default=True,
    help="Several answers of one annotator on one item: keep all, or the last.",
)

#: ``--shared-confusion``'s choices -> ``DawidSkene(shared_confusion=...)``.
SHARED_CONFUSION = {"auto": "auto", "on": True, "off": False}
#: ``--shared-confusion``, read by ``--method dawid-skene`` (:func:`with_shared_confusion`).
shared_confusion_option = click.option(
    "--shared-confusion",
    type=click.Choice(list(SHARED_CONFUSION)),
    default=None,
    help="--method dawid-skene: one confusion matrix for every annotator (on), one each (off), or one shared where a "
    "likelihood-ratio test does not reject it (auto; for tables stored by slot, columns annotator_1..3) "
    "[default: off].",
)


def with_shared_confusion(method: str, params: dict[str, Any], choice: str | None) -> dict[str, Any]:
    """``params`` with ``--shared-confusion``'s ``shared_confusion`` (unchanged when it was not given); an error for a
    method other than dawid-skene, or beside ``--param shared_confusion``."""
    if choice is None:
        return params
    if method != "dawid-skene":
        raise InvalidParameterError(f"--shared-confusion is read by --method dawid-skene only, got --method {method}")
    if "shared_confusion" in params:
        raise InvalidParameterError("give --shared-confusion or --param shared_confusion, not both")
    return {**params, "shared_confusion": SHARED_CONFUSION[choice]}


#: Parameters every method shares, and gold-majority-vote's gold (``--gold``): they have their own
#: command-line options, not ``--param``.
SHARED_PARAMS = ("labels", "duplicates", "item_col", "annotator_col", "label_col", "random_state", "gold")


def _parse_value(text: str) -> Any:
    """A ``--param`` value as int, float, bool or None when it reads as one, else the string."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def param_names(method: str) -> list[str]:
    """The names ``--param`` takes for ``method``: its estimator's parameters less the shared options."""
    from ..aggregate import METHODS

    return sorted(k for k in METHODS[method]().get_params() if k not in SHARED_PARAMS)


def method_params(method: str, pairs: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """``--param name=value`` pairs as estimator parameters of ``METHODS[method]``.

    Values are parsed as int, float, bool (``true``/``false``), ``none`` or else kept as strings;
    a parameter whose default is a tuple or list (e.g. ``auto``'s ``candidates``) takes a
    comma-separated list, each item parsed the same way. The estimator validates them when it fits.
    An unknown name or a pair without ``=`` is an error that lists the method's parameters.
    """
    from ..aggregate import METHODS

    defaults = METHODS[method]().get_params()
    valid = param_names(method)
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InvalidParameterError(f"--param must be name=value, got {pair!r}")
        if name not in valid:
            raise InvalidParameterError(
                f"--param {name!r} is not a parameter of --method {method}; valid: {', '.join(valid) or 'none'}"
            )
        if isinstance(defaults[name], (tuple, list)):
            params[name] = tuple(_parse_value(item) for item in value.split(",") if item.strip())
        else:
            params[name] = _parse_value(value)
    return params


def build_method(
    method: str, *, duplicates: str, labels: Any, random_state: int, params: dict[str, Any] | None = None
) -> Any:
    """An estimator of ``METHODS[method]`` with the shared options and method-specific ``params``."""
    from ..aggregate import METHODS

    if method not in METHODS:
        raise InvalidParameterError(f"--method must be one of {sorted(METHODS)}, got {method!r}")
    return METHODS[method](labels=labels, duplicates=duplicates, random_state=random_state, **(params or {}))


def run_method(est: Any, answers: pd.DataFrame, probs: Any) -> tuple[Any, float]:
    """Fit ``est`` and time it."""
    start = time.perf_counter()
    est.fit(answers, probs)
    return est, time.perf_counter() - start


def probs_column_notice(probs: Any, classes: Any) -> str | None:
    """The notice for a ``--probs`` table whose columns name no class (CrowdLab then takes them in
    class order): which column was read as which class; ``None`` for an array or a named header."""
    if not isinstance(probs, pd.DataFrame):
        return None
    names = [str(c) for c in probs.columns]
    bare = [n[len("prob_") :] for n in names] if all(n.startswith("prob_") for n in names) else names
    wanted = [str(plain(c)) for c in classes]
    if set(bare) & set(wanted) or len(names) != len(wanted):
        return None
    pairs = ", ".join(f"{n} = {w!r}" for n, w in zip(names[:10], wanted[:10], strict=True))
    return (
        f"the --probs table's columns {names[:10]} name no class, so they were taken in class order: {pairs}"
        + (f" (10 of {len(names)})" if len(names) > 10 else "")
        + "; name the columns by class to be sure"
    )


def default_method(path: Any, fmt: str, annotator_column: str | None, with_probs: bool) -> tuple[str, str | None]:
    """``aggregate``'s method when ``--method`` is not given: :data:`PROBS_METHOD` with ``--probs``;
    :data:`SAMPLES_METHOD` for a votes file whose annotators would be its ``sample`` numbers
    (:func:`~labelwise.io.annotations.votes.annotators_are_samples`); else :data:`DEFAULT_METHOD`. With
    the notice that says the choice of :data:`SAMPLES_METHOD` (None otherwise), for the command to print
    once the file has been read: an error reading it comes first and alone."""
    if with_probs:
        return PROBS_METHOD, None
    try:
        is_votes = path is not None and (fmt == votes.NAME or (fmt == "auto" and detect_format(path) == votes.NAME))
    except (LabelwiseError, OSError):  # a missing or unreadable PATH is reported by the reader, with its own message
        return DEFAULT_METHOD, None
    if is_votes and votes.annotators_are_samples(path, annotator_column):
        return SAMPLES_METHOD, (
            f"the annotators are the votes file's sample numbers, draws of one model rather than annotators with "
            f"skills of their own: --method {SAMPLES_METHOD} (self-consistency); give --method to choose another"
        )
    return DEFAULT_METHOD, None
