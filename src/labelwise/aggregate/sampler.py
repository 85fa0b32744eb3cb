"""Per-epoch training labels drawn from several observers.

When every training item has labels from several observers, a training loop can use, at each
epoch, the label of one observer picked at random per item, a fixed consensus label, or a mix of
the two. Chalcroft et al. (2021) compared such sampling strategies for the labels of multiple
observers when training on intraoperative ultrasound, and found that the choice changed the
classifier's accuracy. :class:`ObserverLabelSampler` provides the three strategies for any
classification training loop.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_choice, check_fraction, check_random_state
from ..errors import InvalidParameterError
from ._answers import encode_answers
from ._base import argmax_random_ties

__all__ = ["STRATEGIES", "ObserverLabelSampler"]

STRATEGIES = ("random", "consensus", "mix")


class ObserverLabelSampler:
    """Draw one training label per item for each epoch from several observers' answers.

    Strategies
    ----------
    ``"random"``
        Each epoch, each item takes the answer of one of its observers, chosen uniformly at random
        (every answer of the item equally likely).
    ``"consensus"``
        Each item always takes its consensus label: majority vote with seeded random
        tie-breaking, or the labels given as ``consensus``.
    ``"mix"``
        Each epoch, each item takes its consensus label with probability ``p_consensus`` and a
        random observer's answer otherwise.

    Draws are vectorised over items and depend only on ``(random_state, epoch)`` and the set of
    answers: ``sample(3)`` returns the same labels whether or not epochs 0-2 were sampled before,
    and two samplers with the same seed agree whatever the order of the answer rows.

    Parameters
    ----------
    answers : DataFrame
        Long table with columns ``item``, ``annotator``, ``label``.
    strategy : {"random", "consensus", "mix"}
    p_consensus : float in [0, 1], default 0.5
        Probability of the consensus label per item and epoch under ``"mix"``.
    consensus : Series or fitted aggregator, optional
        Consensus label per item (index = item), e.g. ``DawidSkene().fit(answers).labels_`` or
        the fitted estimator itself. Default: majority vote.
    labels : sequence, optional
        Declared label set (fixes ``classes_`` and their order).
    random_state : int, Generator or None, default 0

    Attributes
    ----------
    items_ : pandas.Index
        The items, in the order of every returned array.
    classes_ : ndarray
        The classes; :meth:`sample_codes` returns indices into it.
    consensus_ : pandas.Series
        The consensus label of each item.

    References
    ----------
    .. [1] Chalcroft, L. F., Qu, J., Martin, S. A., Gayo, I. J. M. B., Minore, G. V., Singh,
       I. R. D., Saeed, S. U., Yang, Q., Baum, Z. M. C., Altmann, A., & Hu, Y. (2021).
       Development and evaluation of intraoperative ultrasound segmentation with negative image
       frames and multiple observer labels. Simplifying Medical Ultrasound (ASMUS 2021),
       Springer LNCS. doi:10.1007/978-3-030-87583-1_3, arXiv:2108.04114.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"item": [1, 1, 1, 2, 2], "annotator": list("abcab"),
    ...                         "label": ["cat", "cat", "dog", "dog", "dog"]})
    >>> sampler = ObserverLabelSampler(answers, strategy="consensus")
    >>> sampler.sample(0).tolist()
    ['cat', 'dog']
    """

    def __init__(
        self,
        answers: pd.DataFrame,
        *,
        strategy: str = "random",
        p_consensus: float = 0.5,
        consensus: Any = None,
        labels: Any = None,
        random_state: Any = 0,
    ) -> None:
        check_choice("strategy", strategy, STRATEGIES)
        self.p_consensus = check_fraction("p_consensus", p_consensus, closed_high=True)
        self.strategy = strategy
        enc = encode_answers(answers, labels=labels)
        # One integer seed drawn once: every epoch's generator is seeded by (seed, epoch).
        self._seed = int(check_random_state(random_state).integers(0, 2**63 - 1))
        self.items_ = enc.item_index()
        self.classes_ = enc.classes
        # answers grouped by item, in a canonical (annotator, label) order within each item so
        # that the draws do not depend on the order of the input rows
        order = np.lexsort((enc.label_idx, enc.annotator_idx, enc.item_idx))
        self._labels_by_item = enc.label_idx[order]
        counts = enc.answers_per_item
        self._counts = counts
        self._starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        if consensus is None:
            codes = argmax_random_ties(enc.item_class_sum(None), np.random.default_rng([self._seed, 2**32]))
        else:
            codes = self._consensus_codes(consensus, enc)
        self._consensus = codes
        self.consensus_ = pd.Series(enc.classes[codes], index=self.items_, name="label")

    @staticmethod
    def _consensus_codes(consensus: Any, enc: Any) -> np.ndarray:
        series = getattr(consensus, "labels_", consensus)
        if not isinstance(series, pd.Series):
            raise InvalidParameterError(
                f"consensus must be a pandas Series of labels indexed by item or a fitted aggregator, "
                f"got {type(consensus).__name__}"
            )
        per_item = series.reindex(enc.item_index())
        missing = per_item.isna().to_numpy()
        if missing.any():
            raise InvalidParameterError(
                f"consensus must give a label for every item; {int(missing.sum())} item(s) have none, "
                f"e.g. {enc.items[np.flatnonzero(missing)[0]]!r}"
            )
        codes = pd.Index(enc.classes).get_indexer(per_item.to_numpy())
        if (codes < 0).any():
            pos = int(np.flatnonzero(codes < 0)[0])
            raise InvalidParameterError(
                f"consensus labels must be among the answers' classes {list(enc.classes[:20])}, "
                f"item {enc.items[pos]!r} has {per_item.iloc[pos]!r}"
            )
        return codes.astype(np.int64)

    def _check_epoch(self, epoch: Any) -> int:
        if isinstance(epoch, bool) or not isinstance(epoch, (numbers.Integral, np.integer)) or epoch < 0:
            raise InvalidParameterError(f"epoch must be an integer >= 0, got {epoch!r}")
        return int(epoch)

    def sample_codes(self, epoch: int) -> np.ndarray:
        """Class codes (indices into ``classes_``) for ``epoch``, one per item of ``items_``."""
        epoch = self._check_epoch(epoch)
        if self.strategy == "consensus":
            return self._consensus.copy()
        rng = np.random.default_rng([self._seed, epoch])
        # One uniform draw per item picks one of its answers: start + floor(u * count).
        pick = self._starts + np.minimum(
            (rng.random(self._counts.shape[0]) * self._counts).astype(np.int64), self._counts - 1
        )
        codes = self._labels_by_item[pick]
        if self.strategy == "mix":
            use_consensus = rng.random(codes.shape[0]) < self.p_consensus
            codes = np.where(use_consensus, self._consensus, codes)
        return codes

    def sample(self, epoch: int) -> pd.Series:
        """Labels for ``epoch``: a Series indexed by item (``items_``), named ``"label"``."""
        return pd.Series(self.classes_[self.sample_codes(epoch)], index=self.items_, name="label")

    def __repr__(self) -> str:
        extra = f", p_consensus={self.p_consensus:g}" if self.strategy == "mix" else ""
        return f"ObserverLabelSampler(strategy={self.strategy!r}{extra}, n_items={len(self.items_)})"
