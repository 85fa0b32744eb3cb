"""Zero-based skill: weighted voting with skills refined by gradient steps toward agreement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validate.arguments import check_fraction, check_positive_int
from ._answers import EncodedAnswers
from ._base import BaseAggregator, agreement_skill
from ._sparse_votes import answer_cells, dense_too_large
from .majority import vote_shares

__all__ = ["ZeroBasedSkill"]


class ZeroBasedSkill(BaseAggregator):
    """Zero-based skill (ZBS): weighted majority vote with iteratively re-estimated skills.

    Every annotator starts at skill ``s_j = 1/K + eps``. Each iteration ``t = 1, 2, ...``:

    1. weighted vote ``z_i = argmax_k sum_{j : y_ij = k} s_j``;
    2. agreement ``a_j = #{i : y_ij = z_i} / #{i : j answered i}``;
    3. gradient step on the squared error ``(a_j - s_j)^2 / 2``:
       ``s_j <- s_j + lr_t (a_j - s_j)``, where the learning rate starts at ``lr_init`` and is
       multiplied by ``lr_reduce_factor`` every ``lr_steps_to_reduce`` iterations.

    Stops after ``max_iter`` iterations or when no skill moves by more than ``tol``. The result is
    the vote weighted by the final skills (``probas_`` = weighted vote shares);
    ``annotator_skill_`` is ``s``. Above a dense table's byte budget (free-text answers) the votes
    are counted on the answered (item, label) cells alone, with the same results, as in
    :class:`~labelwise.aggregate.Wawa`.

    Parameters
    ----------
    max_iter : int, default 100
    lr_init : float, default 1.0
    lr_steps_to_reduce : int, default 20
    lr_reduce_factor : float, default 0.5
    eps : float, default 1e-5
        Added to the initial skill ``1/K``.
    tol : float, default 1e-6
        Stop when ``max_j |Δ s_j| < tol``.
    labels, duplicates, item_col, annotator_col, label_col, random_state
        As in :class:`~labelwise.aggregate.MajorityVote`.

    References
    ----------
    .. [1] Ustalov, Pavlichenko, Tseitlin, "Learning from Crowds with Crowd-Kit", Journal of Open
       Source Software 9(96), 2024 (the ZeroBasedSkill method, https://crowd-kit.readthedocs.io).
    """

    def __init__(
        self,
        *,
        max_iter: int = 100,
        lr_init: float = 1.0,
        lr_steps_to_reduce: int = 20,
        lr_reduce_factor: float = 0.5,
        eps: float = 1e-5,
        tol: float = 1e-6,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.max_iter = max_iter
        self.lr_init = lr_init
        self.lr_steps_to_reduce = lr_steps_to_reduce
        self.lr_reduce_factor = lr_reduce_factor
        self.eps = eps
        self.tol = tol
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    def _check_params(self) -> None:
        super()._check_params()
        check_positive_int("lr_steps_to_reduce", self.lr_steps_to_reduce)
        check_fraction("lr_init", self.lr_init, low=0.0, high=1.0, closed_high=True)
        check_fraction("lr_reduce_factor", self.lr_reduce_factor, low=0.0, high=1.0, closed_high=True)
        check_fraction("eps", self.eps, low=0.0, high=1.0)

    _any_k = True  # sparse shares above DENSE_BYTES_LIMIT

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[Any, np.ndarray]:
        cells = answer_cells(enc) if dense_too_large(enc.n_items, enc.n_classes) else None
        state: dict[str, Any] = {
            "skill": np.full(enc.n_annotators, 1.0 / enc.n_classes + self.eps),
            "lr": float(self.lr_init),
        }

        def step(it: int) -> float:
            if it % self.lr_steps_to_reduce == 0:
                state["lr"] *= self.lr_reduce_factor
            codes = self._hard_labels(vote_shares(enc, state["skill"], cells))
            move = state["lr"] * (agreement_skill(enc, codes) - state["skill"])
            state["skill"] = state["skill"] + move
            return float(np.abs(move).max())

        self._iterate(step, monitor="change")
        skill = state["skill"]
        self.skills_ = skill
        return vote_shares(enc, skill, cells), skill
