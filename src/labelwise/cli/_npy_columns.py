"""A line when probabilities without a header (an ``.npy``) are read beside text labels.

An ``.npy`` has no header, so its columns are taken as the labels' classes in sorted order. With text
labels that order is alphabetical (``eight, five, four, ...``): right for a scikit-learn model fitted
on those labels (its ``classes_`` are sorted), wrong in silence for columns in any other order (digits
``0..9`` beside their names scored 0.11 instead of 0.91), so the commands say which order they took.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._heavy import pandas as pd


def sorted_text_columns_line(arrays: dict[str, Any], classes: Any, fix: str) -> str | None:
    """The line for the 2-D arrays of ``arrays`` (option or file -> values) when ``classes`` hold text.

    ``fix`` says how the command names the columns otherwise (``--classes``, a header of class names).
    """
    shown = [str(c) for c in np.asarray(classes, dtype=object)]
    if not any(isinstance(c, str) for c in np.asarray(classes, dtype=object)):
        return None
    names = [name for name, a in arrays.items() if not isinstance(a, pd.DataFrame) and np.ndim(a) == 2]
    if not names:
        return None
    listed = ", ".join(shown[:10]) + (f", ... ({len(shown)} classes)" if len(shown) > 10 else "")
    return (
        f"{_listed(names)} {'have' if len(names) > 1 else 'has'} no header: the columns are taken as the text "
        f"classes in sorted order ({listed}), the order of a scikit-learn model's classes_; if they follow another "
        f"order, the results belong to other classes: {fix}"
    )


def _listed(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
