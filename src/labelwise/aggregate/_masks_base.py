"""The shared final pass of the crowd-mask estimators (:mod:`labelwise.aggregate.masks`,
``SegmentationEM``, ``SegmentationRASA``): consensus masks, probabilities and each annotator's Dice
to the consensus, and the classes of label maps (with an optional ignore value, which is no class)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from .._validate.arguments import check_positive_int, show
from ..errors import InvalidParameterError
from ._masks_input import MaskSet
from ._masks_labels import LabelPatterns, all_bool, check_classes, count_label_patterns, find_classes, finish_labels
from ._masks_majority import dice
from ._masks_patterns import Patterns, pixel_values

__all__ = ["_TIE", "_MaskAggregator"]

#: A probability within this of the threshold is a tie (foreground): sums made in another order
#: (another block size) must not flip a pixel whose two readings are equally likely.
_TIE = 1e-9


class _MaskAggregator(BaseEstimator):
    """Shared final pass: consensus masks, foreground probabilities, Dice of each annotator to the consensus."""

    block_size: int
    ignore_value: Any = None

    def _check_block(self) -> int:
        return check_positive_int("block_size", self.block_size)

    def _check_ignore(self) -> int | None:
        """``ignore_value``: None or an integer (a bool is refused: it reads as 0/1)."""
        ignore = self.ignore_value
        if ignore is not None and (isinstance(ignore, bool) or not isinstance(ignore, int | np.integer)):
            raise InvalidParameterError(f"ignore_value must be None or an integer, got {show(ignore)}")
        return None if ignore is None else int(ignore)

    def _binary_ignore(self, ignore: int) -> np.ndarray:
        """The classes ``[0, 1]`` of a binary-only model fitted with an ``ignore`` value (which must not be
        0 or 1); sets ``classes_``."""
        if ignore in (0, 1):
            raise InvalidParameterError(f"ignore_value must not be one of the classes [0, 1], got {show(ignore)}")
        self.classes_ = np.array([0, 1])
        return self.classes_

    def _classes(self, data: MaskSet, block: int, ignore: int | None = None) -> np.ndarray | None:
        """The classes of a label map (sorted), or None for binary masks (values within 0/1, classes not given
        or [0, 1]); sets ``classes_``. With an ``ignore`` value (not a class) masks within 0/1 are the label
        map of classes [0, 1], so that an ignored pixel can be told from a background one."""
        given = check_classes(self.classes)
        if given is not None and ignore is not None and ignore in given.tolist():
            raise InvalidParameterError(
                f"ignore_value must not be one of the classes {given.tolist()}, got {show(ignore)}"
            )
        if given is not None:
            found = given
        elif all_bool(data) and ignore is None:
            found = np.array([0, 1])
        else:
            found = find_classes(data, block, ignore)
        binary = len(found) <= 2 and set(found.tolist()) <= {0, 1}
        self.classes_ = np.array([0, 1]) if binary else found
        if binary and ignore is not None:
            return self.classes_
        return None if binary else found

    def _fit_labels(
        self,
        data: MaskSet,
        block: int,
        classes: np.ndarray,
        post_of: Any,
        threshold: float = 0.5,
        ignore: int | None = None,
    ) -> list[LabelPatterns]:
        patterns = count_label_patterns(data, block, classes, ignore)
        maps, probas, scores, fg = finish_labels(data, block, patterns, post_of(patterns), classes, threshold, ignore)
        self._record(data, maps, probas, scores, fg)
        return patterns

    def _finish(
        self, data: MaskSet, block: int, patterns: list[Patterns], post: list[np.ndarray], threshold: float
    ) -> None:
        """``post[i][u]``: the foreground probability of item ``i``'s vote pattern ``u``; the consensus is
        ``probability >= threshold`` (within ``_TIE``: a tie is foreground). Dice comes from the
        patterns' counts; one pass writes the pixels."""
        cut = threshold - _TIE
        inter, drawn, fg = [], [], []
        for pat, w in zip(patterns, post, strict=True):
            on = pat.counts * (w >= cut)
            inter.append(on @ pat.votes)
            drawn.append(pat.counts @ pat.votes)
            fg.append(on.sum())
        probas = pixel_values(data, patterns, post, block)
        fg_pixels = np.rint(fg).astype(np.int64)
        scores = [dice(inter[i], drawn[i], fg_pixels[i]) for i in range(len(data.items))]
        self._record(data, [p >= cut for p in probas], probas, scores, fg_pixels)

    def _record(self, data: MaskSet, consensus: list, probas: list, scores: list, fg_pixels: np.ndarray) -> None:
        """The fitted attributes, from each item's flat consensus and probabilities and its annotators' Dice."""
        self.masks_ = {it: c.reshape(s) for it, c, s in zip(data.items, consensus, data.shapes, strict=True)}
        self.probas_ = {
            it: p.reshape(s + p.shape[1:]) for it, p, s in zip(data.items, probas, data.shapes, strict=True)
        }
        index = pd.Index(data.items, name="item")
        self.items_ = pd.DataFrame(
            {
                "n_annotators": [len(c) for c in data.codes],
                "n_pixels": data.n_pixels,
                "foreground": fg_pixels / data.n_pixels,
                "mean_dice": [float(s.mean()) for s in scores],
                "min_dice": [float(s.min()) for s in scores],
            },
            index=index,
        )
        self.agreement_ = self.items_["mean_dice"].rename("agreement")
        long_codes = np.concatenate(data.codes)
        long_dice = np.concatenate(scores)
        n_ann = len(data.annotators)
        counts = np.bincount(long_codes, minlength=n_ann)
        self.annotators_ = pd.DataFrame(
            {
                "n_items": counts,
                "mean_dice": np.bincount(long_codes, weights=long_dice, minlength=n_ann) / counts,
            },
            index=data.annotators.rename("annotator"),
        )
        self.dice_ = pd.Series(
            long_dice,
            index=pd.MultiIndex.from_arrays(
                [
                    np.repeat(np.array(data.items, dtype=object), [len(c) for c in data.codes]),
                    data.annotators[long_codes],
                ],
                names=["item", "annotator"],
            ),
            name="dice",
        )

    def fit_predict(self, masks: Any) -> dict:
        """Fit, then return ``masks_`` (item -> consensus mask)."""
        return self.fit(masks).masks_
