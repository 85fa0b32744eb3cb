"""Uncertain answers: the CheXpert policies for a label value that means "unsure".

Irvin et al. (2019) label each chest radiograph observation positive, negative or *uncertain* and
compare ways to train on the uncertain labels: ignore them (U-Ignore), map them to negative
(U-Zeros) or positive (U-Ones), or keep them as a class of their own (U-MultiClass). Here the same
policies apply to the answers of a long table before aggregation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice, plain
from ..errors import AnnotationError, InvalidParameterError
from ._names import POLICIES
from .agreement import check_answers

__all__ = ["POLICIES", "UncertainAnswers", "apply_uncertain_policy"]


@dataclass(frozen=True)
class UncertainAnswers:
    """Answers after an uncertain-label policy.

    Attributes
    ----------
    answers : DataFrame
        The long table (item, annotator, label) after the policy.
    policy : str
        ``"ignore"``, ``"zeros"``, ``"ones"`` or ``"class"``.
    unsure : object
        The label value that meant "unsure".
    replacement : object or None
        What unsure answers became (``None`` for ``"ignore"``).
    n_unsure : int
        Unsure answers in the input.
    n_items_lost : int
        Items left with no answer (only ``"ignore"`` can lose items).
    """

    answers: pd.DataFrame
    policy: str
    unsure: Any
    replacement: Any
    n_unsure: int
    n_items_lost: int

    def summary(self) -> dict[str, Any]:
        """JSON-ready description (the unsure and replacement values as given)."""
        return {
            "policy": self.policy,
            "unsure": plain(self.unsure),
            "replacement": plain(self.replacement),
            "n_unsure": int(self.n_unsure),
            "n_items_lost": int(self.n_items_lost),
        }

    def to_frame(self) -> pd.DataFrame:
        """A copy of the long table after the policy."""
        return self.answers.copy()


def _binary_default(labels: np.ndarray, which: str) -> Any:
    """The negative (0) or positive (1) class when the other labels are 0/1 or False/True."""
    values = pd.unique(labels).tolist()
    if values and all(isinstance(v, (bool, np.bool_)) for v in values):
        return which == "positive"
    if values and all(isinstance(v, (int, np.integer)) for v in values) and set(values) <= {0, 1}:
        return 0 if which == "negative" else 1
    return None


def apply_uncertain_policy(
    answers: pd.DataFrame,
    unsure: Any,
    policy: str = "ignore",
    *,
    negative: Any = None,
    positive: Any = None,
    class_label: Any = None,
) -> UncertainAnswers:
    """Handle answers whose label is ``unsure`` with one of the CheXpert policies.

    Parameters
    ----------
    answers : DataFrame
        Long table with columns ``item``, ``annotator``, ``label``.
    unsure : object
        The label value that means "unsure" (e.g. ``-1``, ``"uncertain"``).
    policy : {"ignore", "zeros", "ones", "class"}
        ``"ignore"`` (U-Ignore) drops unsure answers; ``"zeros"`` (U-Zeros) maps them to the
        negative class; ``"ones"`` (U-Ones) to the positive class; ``"class"`` (U-MultiClass)
        keeps them as a class of their own, renamed to ``class_label`` when given.
    negative, positive : object, optional
        The classes that ``"zeros"`` and ``"ones"`` map to. Default ``0`` and ``1`` when the other
        labels are 0/1 (or False/True); otherwise they must be given.
    class_label : object, optional
        New name of the unsure class under ``"class"`` (default: keep ``unsure``).

    Returns
    -------
    UncertainAnswers

    Raises
    ------
    InvalidParameterError
        Unknown policy, or ``negative``/``positive`` needed but not given.
    AnnotationError
        Every answer is unsure under ``"ignore"`` (nothing left to aggregate).

    References
    ----------
    .. [1] Irvin, J., Rajpurkar, P., Ko, M., et al. (2019). CheXpert: A Large Chest Radiograph
       Dataset with Uncertainty Labels and Expert Comparison. Proceedings of the AAAI Conference
       on Artificial Intelligence, 33(01), 590-597.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"item": [1, 1, 2], "annotator": ["a", "b", "a"], "label": [1, -1, 0]})
    >>> apply_uncertain_policy(answers, -1, "ones").answers["label"].tolist()
    [1, 1, 0]
    """
    check_choice("policy", policy, POLICIES)
    enc = check_answers(answers)
    label = answers["label"]
    try:
        is_unsure = (label == unsure).to_numpy(dtype=bool)
    except (TypeError, ValueError):
        is_unsure = np.zeros(len(label), dtype=bool)
    n_unsure = int(is_unsure.sum())
    others = label.to_numpy()[~is_unsure]
    out = answers[["item", "annotator", "label"]].copy()
    replacement: Any = None
    if policy == "ignore":
        out = out.loc[~is_unsure].reset_index(drop=True)
        if out.shape[0] == 0:
            raise AnnotationError(
                f"answers: every answer is the unsure value {unsure!r}; nothing is left after policy='ignore'"
            )
    elif policy in ("zeros", "ones"):
        which = "negative" if policy == "zeros" else "positive"
        replacement = negative if policy == "zeros" else positive
        if replacement is None:
            replacement = _binary_default(others, which)
        if replacement is None:
            raise InvalidParameterError(
                f"{which} must be given for policy={policy!r} when the labels are not 0/1 "
                f"(labels other than {unsure!r}: {sorted(map(str, pd.unique(others)))[:10]})"
            )
        if replacement == unsure:
            raise InvalidParameterError(f"{which} must differ from the unsure value {unsure!r}")
        if is_unsure.any():
            out["label"] = out["label"].astype(object)
            out.loc[is_unsure, "label"] = replacement
            out["label"] = out["label"].infer_objects()
    else:
        replacement = unsure if class_label is None else class_label
        if class_label is not None and is_unsure.any():
            out["label"] = out["label"].astype(object)
            out.loc[is_unsure, "label"] = class_label
            out["label"] = out["label"].infer_objects()
    kept_items = pd.unique(out["item"]).shape[0]
    return UncertainAnswers(
        answers=out,
        policy=policy,
        unsure=unsure,
        replacement=replacement,
        n_unsure=n_unsure,
        n_items_lost=len(enc.items) - kept_items,
    )
