"""Notices for a class written two ways but for case or surrounding spaces (``'barolo '`` beside
``'barolo'``) in a command's ``--label`` column, or between its labels and a model's predictions:
each spelling is a class of its own, which noise, detectors and scores use without a word."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["label_and_prediction_look_alike", "label_look_alike", "say_notice"]


def label_look_alike(column: pd.Series, label: str) -> str | None:
    """The notice for ``--label`` column ``label``'s classes written alike, or None (numbers: None)."""
    import pandas as pd  # here, not on top: the command line's --help does not import pandas

    from .._validate.labels import look_alike_classes

    if column.dtype.kind in "biufcmM":
        return None
    return look_alike_classes(pd.unique(column.dropna()), f"the labels of --label column {label!r}")


def label_and_prediction_look_alike(labels: pd.Series, predictions: Any, label: str) -> str | None:
    """The notice for a class of ``labels`` and one of ``predictions`` written alike ('barolo ' given,
    'barolo' predicted: scored wrong), or None."""
    import pandas as pd

    from .._validate.labels import look_alike_classes

    both = pd.unique(pd.Series([*labels.dropna().tolist(), *pd.Series(predictions).dropna().tolist()]))
    alike = look_alike_classes(both, f"the labels of --label column {label!r} and the predictions")
    return None if alike is None else f"{alike}; a prediction spelled otherwise than its label scores wrong"


def say_notice(notice: str | None) -> None:
    """Print ``notice: ...`` on the console (nothing for None)."""
    if notice is not None:
        from ._common import console, plain  # _common reads labels through this module

        console().print(f"notice: {plain(notice)}")
