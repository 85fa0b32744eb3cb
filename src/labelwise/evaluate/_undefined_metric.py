"""scikit-learn's ``UndefinedMetricWarning`` (a class never predicted, or never true), said once in labelwise's words.

Precision of a class no row is predicted as is 0/0; scikit-learn sets it to ``zero_division``'s
value (0.0 by default) and warns in its own words at every call, naming neither the class nor the
model. A scorer here collects those warnings over all its metric calls and says them once: the
metric, which class, which model (or slice), on which labels, and the value used.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning

from .._caller import warn_at_caller
from .._validate.arguments import plain, show
from ..errors import LabelwiseWarning

__all__ = ["UndefinedScores"]

#: scikit-learn's wording -> (which rows are missing, the quantity that is 0/0)
_KINDS = (
    ("no true nor predicted", "neither a true nor a predicted row"),
    ("no true or predicted", "neither a true nor a predicted row"),
    ("no predicted", "no predicted row"),
    ("no true", "no true row"),
)


class UndefinedScores:
    """Collects scikit-learn's undefined-metric warnings of many calls; :meth:`say` warns once.

    Parameters
    ----------
    metric : str
        The metric's name, as the output's column names it.
    classes : ndarray
        The class of each code ``0..K-1`` (calls given class codes), or None when calls are given
        the classes themselves.
    """

    def __init__(self, metric: str, classes: np.ndarray | None = None) -> None:
        self.metric = metric
        self.classes = classes
        self.value: str | None = None
        self.notes: dict[tuple[str, str], dict[str, list[str]]] = {}  # (kind, who) -> class -> [where]
        self.unnamed = 0
        self.unnamed_where = ""

    @contextmanager
    def watch(self, who: str, where: str, y_true: Any, y_pred: Any, positive: Any = None) -> Iterator[None]:
        """Run one metric call on ``y_true``/``y_pred``, keeping its undefined-metric warnings (other
        warnings pass on). ``positive``: the one class a binary metric scores."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UndefinedMetricWarning)
            yield
        for w in caught:
            if not issubclass(w.category, UndefinedMetricWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
                continue
            self._note(str(w.message), who, where, np.asarray(y_true), np.asarray(y_pred), positive)

    def _note(self, text: str, who: str, where: str, y_true: np.ndarray, y_pred: np.ndarray, positive: Any) -> None:
        found = re.search(r"set to (\S+?)\.?\s", text + " ")
        self.value = self.value or (found.group(1) if found else "0.0")
        kind = next((k for phrase, k in _KINDS if phrase in text), None)
        true, pred = set(y_true.tolist()), set(y_pred.tolist())
        if kind == "no predicted row":
            missing = (true | pred) - pred
        elif kind == "no true row":
            missing = (true | pred) - true
        else:
            missing = set()
        if positive is not None:
            missing &= {positive}
        if kind is None or not missing:
            self.unnamed += 1
            self.unnamed_where = where
            return
        per_class = self.notes.setdefault((kind, who), {})
        for c in sorted(missing, key=str):
            name = show(plain(self.classes[c] if self.classes is not None else c))
            seen = per_class.setdefault(name, [])
            if where not in seen:
                seen.append(where)

    def say(self) -> None:
        """One :class:`~labelwise.errors.LabelwiseWarning` with everything collected (none when nothing was)."""
        if not self.notes and not self.unnamed:
            return
        parts = [
            f"{who}: {kind} of class {name}" + (f" ({', '.join(where)})" if any(where) else "")
            for (kind, who), per_class in self.notes.items()
            for name, where in per_class.items()
        ]
        shown = "; ".join(parts[:10]) + (f"; and {len(parts) - 10} more" if len(parts) > 10 else "")
        if self.unnamed:
            shown += ("; " if shown else "") + f"{self.unnamed} score(s) {self.unnamed_where or 'on subsets'}"
        warn_at_caller(
            LabelwiseWarning(
                f"metric {self.metric!r} is undefined (0/0) for a class without predicted or true rows, and "
                f"scikit-learn used {self.value or '0.0'} for it: {shown}. The scores count that class as "
                f"{self.value or '0.0'}; to leave it out of an average, pass a callable with zero_division=np.nan "
                "(e.g. functools.partial(sklearn.metrics.precision_score, average='macro', zero_division=np.nan))"
            )
        )
