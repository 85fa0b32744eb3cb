"""The ``auto`` chooser's last step: among near-equal options, the one whose flagged set the candidates agree with.

Each finished candidate of :func:`labelwise.models.choose_model` is a filter of mislabelled rows:
confident learning on its own out-of-sample probabilities [2]_. A row flagged by more than half
of these filters is what the *majority filter* of Brodley & Friedl [1]_ flags. Of the chooser's
options whose out-of-fold log loss is within ``FINALIST_SHARE`` of the lowest (every single
candidate as the chooser would take it alone, and the blend), the one whose own flagged set
agrees best with the majority filter's is chosen. Only the pick changes: the audited
probabilities are still one option's, within ``FINALIST_SHARE`` of the best log loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Options whose log loss is within this share of the lowest are finalists.
FINALIST_SHARE = 0.02


@dataclass(frozen=True, eq=False)
class Option:
    """One set of probabilities the chooser could return.

    ``temperature`` is set for a temperature-scaled single family, ``weights`` for the blend.
    """

    log_loss: float
    probs: np.ndarray
    temperature: float | None = None
    weights: dict[str, float] | None = None


def dice(a: np.ndarray, b: np.ndarray) -> float:
    """Agreement of two flagged sets: ``2 |a ∩ b| / (|a| + |b|)`` (two empty sets agree fully)."""
    total = int(a.sum()) + int(b.sum())
    return 1.0 if total == 0 else 2.0 * float(np.sum(a & b)) / total


def finalists(options: dict[str, Option], present: str) -> list[str]:
    """The options within ``FINALIST_SHARE`` of the lowest log loss, and always ``present``, in order."""
    lowest = min(o.log_loss for o in options.values())
    return [n for n, o in options.items() if o.log_loss <= lowest * (1 + FINALIST_SHARE) or n == present]


def agreeing_pick(
    options: dict[str, Option], singles: Sequence[str], present: str, codes: np.ndarray
) -> tuple[str, dict[str, float]]:
    """The finalist whose flagged set agrees best with the majority filter of the single candidates.

    Parameters
    ----------
    options : dict of str to Option
        Every option of the chooser (each single family as it would be taken alone, the blend).
    singles : sequence of str
        The single families among ``options``: the filters that vote.
    present : str
        The option chosen by log loss alone; it wins ties, then the lower log loss does.
    codes : ndarray of shape (n,)
        The given labels, encoded 0..K-1.

    Returns
    -------
    chosen : str
    agreement : dict of str to float
        Each finalist's Dice agreement with the majority filter's flagged set (empty when there
        is a single finalist: nothing is audited then).

    References
    ----------
    .. [1] Brodley & Friedl, "Identifying Mislabeled Training Data", JAIR 11, 1999 (majority
       and consensus filters: an ensemble of classifiers, each a filter of mislabelled rows).
    .. [2] Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
       Labels", JAIR 70, 2021.
    """
    from ..audit import find_label_issues  # the audit's own flags; imported here, where they are needed

    names = finalists(options, present)
    if len(names) == 1:
        return present, {}
    flags = {n: find_label_issues(codes, options[n].probs).is_issue for n in dict.fromkeys([*names, *singles])}
    majority = np.sum([flags[n] for n in singles], axis=0) * 2 > len(singles)
    agreement = {n: dice(flags[n], majority) for n in names}
    chosen = max(names, key=lambda n: (agreement[n], n == present, -options[n].log_loss))
    return chosen, agreement
