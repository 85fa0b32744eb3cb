"""The ``labelwise weak`` command's flags of the label model's own options, and summary.json's record of them."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidParameterError

__all__ = ["MODEL_FLAGS", "model_options", "model_settings"]

#: The label model's own options: keyword of ``LabelModel`` -> the flag on and the flag off.
MODEL_FLAGS = {
    "lured_items": ("--lured-items", "--no-lured-items"),
    "spectral_start": ("--spectral-start", "--no-spectral-start"),
    "one_class_rules": ("--one-class-rules", "--no-one-class-rules"),
}

#: What each flag of :data:`MODEL_FLAGS` switches, for the refusal of a flag with another ``--model``.
_WHAT = {
    "lured_items": "its lured-item mixture",
    "spectral_start": "its spectral start",
    "one_class_rules": "its one-class-rule fit",
}


def model_options(model_name: str, flags: dict[str, bool | None]) -> dict[str, Any]:
    """The label model's options given on the command line, by ``LabelModel`` keyword (none given:
    the model's defaults).

    Raises
    ------
    InvalidParameterError
        A flag of :data:`MODEL_FLAGS` with a ``--model`` other than ``label-model`` (Dawid-Skene's
        model has neither the lured-item mixture, the spectral start nor the one-class-rule fit).
    """
    given = {key: value for key, value in flags.items() if value is not None}
    if given and model_name != "label-model":
        key, value = next(iter(given.items()))
        flag = MODEL_FLAGS[key][0 if value else 1]
        raise InvalidParameterError(
            f"{flag} is an option of --model label-model ({_WHAT[key]}), got --model {model_name}"
        )
    return given


def model_settings(model: Any) -> dict[str, Any]:
    """summary.json's record of the label model's lured-item mixture, spectral start and one-class-rule fit: each
    asked (``lured_items``, ``spectral_start``, ``one_class_rules``: the model's default when no flag was given),
    what came of the first two and the exchangeable labelers' test (``shared_confusion``)
    (``lured_items_applied``: whether its gate let it run; ``spectral_start_result``: ``kept``, ``not
    kept`` or ``not run: <why>``)."""
    if not hasattr(model, "lured_items_"):
        return {}
    return {
        "lured_items": bool(model.lured_items),
        "lured_items_applied": bool(model.lured_items_),
        "spectral_start": model.spectral_start if isinstance(model.spectral_start, str) else bool(model.spectral_start),
        "spectral_start_result": str(model.spectral_start_),
        "one_class_rules": bool(model.one_class_rules),
        "shared_confusion": _shared_confusion(getattr(model, "shared_confusion_", None)),
    }


def _shared_confusion(test: Any) -> dict[str, Any] | None:
    """summary.json's record of the exchangeable labelers' test (``weak._exchangeable``): None where it did not run,
    else its statistic, degrees of freedom, p-value and whether the one shared confusion was kept."""
    if test is None:
        return None
    from ..weak._exchangeable import ALPHA

    kept = bool(test.p_value >= ALPHA)
    return {"statistic": float(test.statistic), "df": int(test.df), "p_value": float(test.p_value), "kept": kept}
