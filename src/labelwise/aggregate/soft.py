"""Soft labels from several aggregation methods, averaged (Wu et al. 2023)."""

from __future__ import annotations

import re
import warnings
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

__all__ = ["SOFT_MEMBERS", "SoftLabelAverage", "member_warning"]

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

#: Parameters a member gets from the average (not its own to set).
_SHARED = ("labels", "duplicates", "item_col", "annotator_col", "label_col", "random_state")


def member_warning(message: str, name: str, member: Any, names: Sequence[str]) -> str:
    """A warning of member ``name`` (of the average's members ``names``), said so that its advice can be
    followed: the member's own parameters it names are set on the member, in ``methods=``, which
    ``--param`` on the command line cannot reach (there: the method alone, or the average without it).

    The two-audience hint ``set ... on the member, methods=[...] (on the command line ...)`` is said
    for the command line by ``labelwise.cli._common.cli_wording``.
    """
    own = [p for p in member.get_params(deep=False) if p not in _SHARED]
    named = [p for p in own if re.search(rf"(?<![\w.]){re.escape(p)}(?!\w)", message)]
    said = f"SoftLabelAverage's member {name!r} warned: {message}"
    if not named:
        return said
    cls = type(member).__name__
    key = next((k for k, v in SOFT_MEMBERS.items() if type(member) is v), None)
    settings = ", ".join(f"{p}=..." for p in named)
    them = "it" if len(named) == 1 else "them"
    others = [n for n in names if n != name and n in SOFT_MEMBERS]
    run_alone = f"run --method {key} --param {named[0]}=... on its own" if key else "run that method on its own"
    leave_out = f", or leave {name} out with --param methods={','.join(others)}" if others else ""
    return (
        f"{said}; {' and '.join(named)} {'is' if len(named) == 1 else 'are'} {cls}'s own: set {them} on the member, "
        f"methods=[{cls}({settings}), ...] (on the command line --param cannot reach a member's parameters: "
        f"{run_alone}{leave_out})"
    )


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
    A member's warning is issued again naming the member; where it names the member's own
    parameters (DawidSkene's ``raise max_iter``), it says how to set them: on a member passed as an
    estimator in ``methods`` (:func:`member_warning`).

    A member named in ``methods`` runs with its own defaults (as ``METHODS[name]()``, given only
    the shared settings below), so a change of a member's default changes the average on purpose.
    Since session 1 every change of the default average's accuracy on the real crowd sets
    came from Dawid-Skene's defaults: its empirical-Bayes prior (``smoothing="auto"`` and
    ``prior_strength``) and its check of dependent annotator pairs; the commits and each set's
    numbers are in ``benchmarks/RESULTS.md`` (session 47, trace47). Pass an estimator, e.g.
    ``DawidSkene(smoothing=0.01, dependency_threshold=None)`` (session 1's Dawid-Skene,
    which gives session 1's averages again), to average another setting.

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
        names = [name for name, _ in members]
        for (name, est), wm in zip(members, w, strict=False):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                est._fit_encoded(enc)
            for found in caught:  # the member named, and its advice said as the average's user can follow it
                said = member_warning(str(found.message), name, est, names)
                warnings.warn_explicit(said, found.category, found.filename, found.lineno, module=__name__)
            self.estimators_[name] = est
            total += wm * est.probas_.to_numpy()
        post = total / w.sum()
        self.n_iter_ = int(sum(est.n_iter_ for est in self.estimators_.values()))
        self.converged_ = all(est.converged_ for est in self.estimators_.values())
        return post, soft_agreement_skill(enc, post)
