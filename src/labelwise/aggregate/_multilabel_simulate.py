"""Simulated multi-label crowds: tag-specific annotator sensitivity and specificity, spammers,
sparse answers (for tests and ``benchmarks/bench_multilabel.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_positive_int, check_random_state

__all__ = ["MultiLabelCrowd", "simulate_multilabel_crowd"]


@dataclass(frozen=True)
class MultiLabelCrowd:
    """A simulated multi-label crowd.

    Attributes
    ----------
    answers : pandas.DataFrame
        Columns ``item``, ``annotator``, ``tags`` (a tuple of tag names per answer, possibly empty).
    truth : pandas.DataFrame
        Items x tags, boolean: the true tag sets.
    sensitivity, specificity : pandas.DataFrame
        Annotators x tags: ``P(chosen | tag true)`` and ``P(not chosen | tag false)``.
    """

    answers: pd.DataFrame
    truth: pd.DataFrame
    sensitivity: pd.DataFrame
    specificity: pd.DataFrame

    def true_sets(self) -> pd.Series:
        """The true tag set of each item as a sorted tuple."""
        tags = self.truth.columns.to_numpy(dtype=object)
        return pd.Series([tuple(tags[row]) for row in self.truth.to_numpy()], index=self.truth.index, name="tags")


def simulate_multilabel_crowd(
    n_items: int = 500,
    n_tags: int = 8,
    n_annotators: int = 30,
    *,
    per_item: int = 5,
    prevalence: float = 0.25,
    spammers: float = 0.1,
    random_state: Any = 0,
) -> MultiLabelCrowd:
    """Draw a multi-label crowd: each item has each tag with probability ``prevalence`` (per tag
    scaled between 0.5x and 1.5x), ``per_item`` annotators drawn at random answer each item.

    A good annotator has, per tag, a sensitivity drawn from U(0.55, 0.95) and a specificity from
    U(0.8, 0.99) (missing a tag is commoner than adding a wrong one); a spammer (a fraction
    ``spammers`` of the annotators) chooses each tag with a fixed probability, whatever the truth
    (sensitivity = 1 - specificity).
    """
    for name, value in (("n_items", n_items), ("n_tags", n_tags), ("n_annotators", n_annotators)):
        check_positive_int(name, value)
    check_positive_int("per_item", per_item)
    per_item = min(int(per_item), int(n_annotators))
    check_fraction("prevalence", prevalence, closed_low=False)
    check_fraction("spammers", spammers, closed_high=True)
    rng = check_random_state(random_state)
    tags = np.array([f"tag{t:02d}" for t in range(n_tags)], dtype=object)
    rate = np.clip(prevalence * rng.uniform(0.5, 1.5, n_tags), 0.01, 0.95)
    truth = rng.random((n_items, n_tags)) < rate
    sens = rng.uniform(0.55, 0.95, (n_annotators, n_tags))
    spec = rng.uniform(0.8, 0.99, (n_annotators, n_tags))
    spam = rng.random(n_annotators) < spammers
    if spam.any():
        p = rng.uniform(0.1, 0.5, (int(spam.sum()), 1))
        sens[spam], spec[spam] = np.broadcast_to(p, (p.shape[0], n_tags)), 1.0 - p
    # each item: per_item distinct annotators (argsort of uniform keys, one row per item)
    who = np.argsort(rng.random((n_items, n_annotators)), axis=1)[:, :per_item]
    item = np.repeat(np.arange(n_items), per_item)
    ann = who.ravel()
    true = truth[item]
    p_choose = np.where(true, sens[ann], 1.0 - spec[ann])
    chosen = rng.random(p_choose.shape) < p_choose
    sets = [tuple(tags[row]) for row in chosen]
    answers = pd.DataFrame({"item": item, "annotator": [f"w{a:03d}" for a in ann], "tags": sets})
    annotators = [f"w{a:03d}" for a in range(n_annotators)]
    return MultiLabelCrowd(
        answers=answers,
        truth=pd.DataFrame(truth, index=pd.RangeIndex(n_items, name="item"), columns=tags),
        sensitivity=pd.DataFrame(sens, index=annotators, columns=tags),
        specificity=pd.DataFrame(spec, index=annotators, columns=tags),
    )
