"""The image checks: one registered check per cleanvision issue, on one shared pass over the images.

``find_data_issues(..., images=paths)`` (and ``labelwise audit DATA --image-column path``) runs
``dark``, ``light``, ``odd_aspect_ratio``, ``low_information``, ``blurry``, ``grayscale``,
``odd_size``, ``image_exact_duplicate``, ``image_near_duplicate`` and, with labels,
``spurious_correlations``. The first image check to run scores every image once
(:func:`~labelwise.checks.image_properties.image_properties`, kept in the checks' shared cache);
each check adds ``is_<name>_issue`` and ``<name>_score`` (the duplicate checks also
``<name>_set``: the set's number, -1 outside any set) and one summary row.

Options (``check_options``): ``{"image": {...}}`` passes ``block_size``, ``n_jobs``, ``root``,
``unreadable``, ``near_duplicate_distance`` and ``iqr_factor`` to the shared pass, or gives
``properties``, an :class:`~labelwise.checks.image_properties.ImageProperties` of the rows scored
beforehand (``labelwise audit`` reads the images before it trains its model, so that an image that
does not decode stops the run early); ``{"dark": {"threshold": 0.2}}`` sets one issue's threshold
(not with ``properties``). With ``unreadable="flag"`` an unreadable image is scored NaN and
flagged by no check; each check's info counts them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ._base import Check, CheckInputs, CheckResult, summary_row
from .image_properties import THRESHOLDS, ImageProperties, image_properties

#: The check names of the issues of :data:`~labelwise.checks.image_properties.ISSUES`.
NAMES = {
    "dark": "dark",
    "light": "light",
    "odd_aspect_ratio": "odd_aspect_ratio",
    "low_information": "low_information",
    "blurry": "blurry",
    "grayscale": "grayscale",
    "odd_size": "odd_size",
    "image_exact_duplicate": "exact_duplicate",
    "image_near_duplicate": "near_duplicate",
}
PASS_OPTIONS = ("block_size", "n_jobs", "root", "unreadable", "near_duplicate_distance", "iqr_factor")
CACHE_KEY = "image_properties"


def shared_properties(inputs: CheckInputs) -> ImageProperties:
    """The images scored once for every image check (the shared cache), with the user's options."""
    found = inputs.cache.get(CACHE_KEY)
    if found is None:
        options = dict(inputs.options.get("image", {}))
        unknown = [k for k in options if k not in (*PASS_OPTIONS, "properties")]
        if unknown:
            raise InvalidParameterError(
                f"check_options['image'] must have keys among {[*PASS_OPTIONS, 'properties']}, got {unknown}"
            )
        limits = {
            issue: inputs.options[name]["threshold"]
            for name, issue in NAMES.items()
            if issue in THRESHOLDS and "threshold" in inputs.options.get(name, {})
        }
        if "properties" in options:
            found = _given_properties(options, inputs.n, limits)
        else:
            found = image_properties(inputs.images, thresholds=limits or None, **options)
        inputs.cache[CACHE_KEY] = found
    return found


def _given_properties(options: dict[str, Any], n: int, limits: dict[str, float]) -> ImageProperties:
    """``check_options["image"]["properties"]``: images scored beforehand, alone (the other options
    would change how they are read or scored)."""
    found = options["properties"]
    if not isinstance(found, ImageProperties):
        raise InvalidParameterError(
            f"check_options['image']['properties'] must be an ImageProperties (image_properties' result), "
            f"got {type(found).__name__}"
        )
    others = sorted(k for k in options if k != "properties") + [f"{issue} threshold" for issue in limits]
    if others:
        raise InvalidParameterError(
            f"check_options['image'] must hold 'properties' alone (the images were scored already), got also {others}"
        )
    if len(found.scores) != n:
        raise InvalidParameterError(
            f"check_options['image']['properties'] must score one image per row ({n}), got {len(found.scores)}"
        )
    return found


def _runner(name: str) -> Any:
    issue = NAMES[name]

    def run(inputs: CheckInputs) -> CheckResult:
        found = shared_properties(inputs)
        is_issue = found.flags[f"is_{issue}_issue"].to_numpy()
        score = found.scores[f"{issue}_score"].to_numpy()
        cols = {f"is_{name}_issue": is_issue, f"{name}_score": score}
        info: dict[str, Any] = {"unreadable": len(found.unreadable)}
        if issue in found.thresholds:
            info["threshold"] = found.thresholds[issue]
        if issue.endswith("duplicate"):
            sets = found.exact_duplicate_sets if issue == "exact_duplicate" else found.near_duplicate_sets
            cols[f"{name}_set"] = _set_numbers(sets, inputs.n)
            info.update(n_sets=len(sets), sets=sets[:20])
        readable = ~np.isnan(score)
        summary = summary_row(name, is_issue, score[readable])
        return CheckResult(cols, summary, info)

    run.__doc__ = f"The ``{name}`` check: cleanvision's ``{issue}`` score and flag per image."
    return run


def _set_numbers(sets: list[list[int]], n: int) -> np.ndarray:
    number = np.full(n, -1, dtype=np.int64)
    for i, members in enumerate(sets):
        number[members] = i
    return number


CHECKS = tuple(
    Check(
        name,
        requires=(("images",),),
        run=_runner(name),
        default=False,
        shares=(CACHE_KEY,),
        options={"threshold": None} if issue in THRESHOLDS else {},
    )
    for name, issue in NAMES.items()
)
#: The options of the shared pass, ``check_options["image"]`` (checked where the pass reads them).
PASS_KEYS = {name: None for name in (*PASS_OPTIONS, "properties")}
