"""Soft labels from several aggregation methods, averaged (Wu et al. 2023)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import clone

from ..errors import InvalidParameterError
from ._answers import EncodedAnswers
from ._base import BaseAggregator, soft_agreement_skill
from .dawid_skene import DawidSkene
from .glad import GLAD
from .mace import MACE
from .majority import MajorityVote
from .one_coin import OneCoinDawidSkene
from .wawa import Wawa
from .zero_based_skill import ZeroBasedSkill

__all__ = ["SOFT_MEMBERS", "SoftLabelAverage"]

#: The methods :class:`SoftLabelAverage` averages by name (the first entries of
#: ``labelwise.aggregate.METHODS``, which is built from this map).
SOFT_MEMBERS: dict[str, type[BaseAggregator]] = {
    "majority-vote": MajorityVote,
    "wawa": Wawa,
    "zero-based-skill": ZeroBasedSkill,
    "dawid-skene": DawidSkene,
    "one-coin": OneCoinDawidSkene,
    "glad": GLAD,
    "mace": MACE,
}

DEFAULT_METHODS = ("majority-vote", "wawa", "zero-based-skill", "dawid-skene", "glad", "mace")


class SoftLabelAverage(BaseAggregator):
    r"""Average the soft labels (posteriors) of several aggregation methods.

    Each method ``m`` gives a soft label ``q_m[i]`` (its posterior over classes for item ``i``);
    the aggregate is their (weighted) mean

    .. math:: q[i, k] = \frac{\sum_m w_m\, q_m[i, k]}{\sum_m w_m}

    and ``labels_`` its argmax. The default members are the paper's soft-labelling methods that
    labelwise implements (vote shares, Wawa, ZBS, Dawid-Skene, GLAD, MACE). Wright and Augenstein
    (2023) show that averaging the soft labels of several
    aggregation methods gives better-calibrated training targets, and models trained on them
    better uncertainty under distribution shift, than any single method's labels.
    ``annotator_skill_`` is each annotator's mean averaged probability of the labels they gave.

    Parameters
    ----------
    methods : sequence of str or estimators, default ("majority-vote", "wawa", "zero-based-skill", "dawid-skene", "glad", "mace")
        Names (keys of ``labelwise.aggregate.METHODS`` other than this one) or unfitted
        labelwise aggregators; each is cloned and fitted on the same encoded answers with this
        estimator's ``labels``/``duplicates``/column settings and ``random_state``.
    weights : sequence of float, optional
        One non-negative weight per method (default equal).
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.MajorityVote`.

    Attributes
    ----------
    estimators_ : dict
        Method name -> fitted estimator.

    References
    ----------
    .. [1] D. Wright and I. Augenstein, "Aggregating Soft Labels from Crowd Annotations Improves
       Uncertainty Estimation Under Distribution Shift", arXiv:2212.09409 (2023); PLOS ONE 20(6),
       e0323064 (2025). (The project issue cites it as "Wu et al. 2023".)
    """

    def __init__(
        self,
        *,
        methods: Sequence[Any] = DEFAULT_METHODS,
        weights: Sequence[float] | None = None,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.methods = methods
        self.weights = weights
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    def _members(self) -> list[tuple[str, BaseAggregator]]:
        if isinstance(self.methods, str) or not isinstance(self.methods, Sequence) or len(self.methods) == 0:
            raise InvalidParameterError(
                f"methods must be a non-empty sequence of method names {sorted(SOFT_MEMBERS)} or "
                f"labelwise aggregators, got {self.methods!r}"
            )
        members: list[tuple[str, BaseAggregator]] = []
        for m in self.methods:
            if isinstance(m, str):
                if m not in SOFT_MEMBERS:
                    raise InvalidParameterError(f"methods must name methods among {sorted(SOFT_MEMBERS)}, got {m!r}")
                est = SOFT_MEMBERS[m]()
                name = m
            elif isinstance(m, BaseAggregator) and not isinstance(m, SoftLabelAverage) and not m._uses_probs:
                est = clone(m)
                name = type(m).__name__
            else:
                raise InvalidParameterError(
                    f"methods must hold method names or labelwise aggregators (not SoftLabelAverage "
                    f"or CrowdLab), got {m!r}"
                )
            params = {**self._common_params(), "random_state": self.random_state}
            est.set_params(**{k: v for k, v in params.items() if k in est.get_params()})
            base, n = name, 2
            while name in {nm for nm, _ in members}:
                name, n = f"{base}-{n}", n + 1
            members.append((name, est))
        return members

    def _check_params(self) -> None:
        super()._check_params()
        members = self._members()
        for _, est in members:
            est._check_params()
        if self.weights is not None:
            try:
                w = np.asarray(self.weights, dtype=np.float64)
            except (TypeError, ValueError):
                w = np.full(1, np.nan)  # not numbers: refused below
            if w.shape != (len(members),) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
                raise InvalidParameterError(
                    f"weights must be {len(members)} non-negative numbers (one per method), not all 0, "
                    f"got {self.weights!r}"
                )

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[np.ndarray, np.ndarray]:
        members = self._members()
        w = np.ones(len(members)) if self.weights is None else np.asarray(self.weights, dtype=np.float64)
        self.estimators_ = {}
        total = np.zeros((enc.n_items, enc.n_classes))
        for (name, est), wm in zip(members, w, strict=False):
            est._fit_encoded(enc)
            self.estimators_[name] = est
            total += wm * est.probas_.to_numpy()
        post = total / w.sum()
        self.n_iter_ = int(sum(est.n_iter_ for est in self.estimators_.values()))
        self.converged_ = all(est.converged_ for est in self.estimators_.values())
        return post, soft_agreement_skill(enc, post)
