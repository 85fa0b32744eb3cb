"""F1, precision, recall and Jaccard of more than two classes: which average, said in the name.

scikit-learn's ``f1_score`` (and ``precision_score``, ``recall_score``, ``jaccard_score``) default
to ``average='binary'`` with ``pos_label=1``, which raises on three classes or on two classes
that do not include ``1``. Where that default cannot apply, these metrics are macro-averaged (the
unweighted mean over the classes present, each class counting the same however rare) and the
column is named ``<metric>_macro`` so the output says which average it holds; ``f1_micro``,
``f1_weighted`` (and ``f1_macro``) pick an average explicitly, as scikit-learn's scorer names do.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

__all__ = ["averaged_metric", "positive_code", "with_default_average"]

AVERAGED = ("f1", "precision", "recall", "jaccard")
AVERAGES = ("macro", "micro", "weighted")


def averaged_metric(name: Any) -> tuple[str, Callable[..., float]] | None:
    """``(name, metric)`` for a name such as ``f1_macro`` or ``recall_score_weighted``, else None."""
    if not isinstance(name, str):
        return None
    base, _, average = name.rpartition("_")
    base = base.removesuffix("_score")
    if base not in AVERAGED or average not in AVERAGES:
        return None
    import sklearn.metrics as skm

    return f"{base}_{average}", partial(getattr(skm, f"{base}_score"), average=average)


def with_default_average(
    name: str, metric: Callable[..., float], given: Any, classes: np.ndarray
) -> tuple[str, Callable[..., float]]:
    """The macro average of ``given`` (a name of :data:`AVERAGED`) when scikit-learn's binary
    default cannot score ``classes`` (more than two, or no class ``1``); else it unchanged."""
    base = given.removesuffix("_score") if isinstance(given, str) else None
    if base not in AVERAGED:
        return name, metric
    if positive_code(given, classes) is not None:
        return name, metric
    return f"{base}_macro", partial(metric, average="macro")


def positive_code(given: Any, classes: np.ndarray) -> int | None:
    """The position of class ``1`` in ``classes`` when ``given`` names a metric of :data:`AVERAGED` with
    scikit-learn's binary default that can score ``classes`` (at most two, one of them the number 1),
    else None. A caller that scores class codes ``0..K-1`` instead of the classes passes it as
    ``pos_label``, so that the positive class is the class 1 (not whichever class has code 1)."""
    base = given.removesuffix("_score") if isinstance(given, str) else None
    if base not in AVERAGED or len(classes) > 2:
        return None
    where = [i for i, c in enumerate(classes.tolist()) if c == 1 and not isinstance(c, str)]
    return where[0] if where else None
