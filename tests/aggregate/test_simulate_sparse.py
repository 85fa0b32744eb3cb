"""Tests for the sparse crowd simulator (labelwise.aggregate.simulate_sparse)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd
from labelwise.errors import InvalidParameterError


def test_shape_and_distinct_annotators_per_item():
    """Every item gets exactly answers_per_item distinct annotators; labels are in 0..K-1."""
    sim = simulate_sparse_crowd(2000, 7, 50, answers_per_item=3, random_state=1)
    a = sim.answers
    assert len(a) == 6000 and a["label"].between(0, 6).all()
    assert (a.groupby("item")["annotator"].nunique() == 3).all()
    assert len(sim.true_labels) == 2000


def test_is_seeded():
    """The same random_state gives the same crowd, another one a different crowd."""
    a = simulate_sparse_crowd(500, 5, 30, random_state=3).answers
    pd.testing.assert_frame_equal(a, simulate_sparse_crowd(500, 5, 30, random_state=3).answers)
    assert not a.equals(simulate_sparse_crowd(500, 5, 30, random_state=4).answers)


def test_worker_accuracy_and_adversaries():
    """Workers are right about as often as their accuracy range says; adversaries answer k+1."""
    sim = simulate_sparse_crowd(
        20000,
        4,
        40,
        answers_per_item=2,
        accuracy=(0.7, 0.7),
        spammer_share=0.2,
        adversary_share=0.2,
        activity_skew=0,
        random_state=0,
    )
    frame = sim.to_frame()
    kind = sim.annotator_kind.reindex(frame["annotator"]).to_numpy()
    assert frame["correct"][kind == "worker"].mean() == pytest.approx(0.7, abs=0.02)
    adv = frame[kind == "adversary"]
    assert ((adv["true_label"] + 1) % 4 == adv["label"]).mean() == pytest.approx(0.8 + 0.2 / 4, abs=0.03)
    assert set(np.unique(kind)) == {"worker", "spammer", "adversary"}


@pytest.mark.parametrize(
    "kw, param",
    [
        ({"n_classes": 1}, "n_classes"),
        ({"answers_per_item": 0}, "answers_per_item"),
        ({"answers_per_item": 99}, "answers_per_item"),
        ({"spammer_share": 0.6, "adversary_share": 0.5}, "spammer_share"),
        ({"accuracy": (0.9, 0.2)}, "accuracy"),
    ],
)
def test_bad_parameters(kw, param):
    """Bad parameters raise InvalidParameterError naming them."""
    args = {"n_items": 10, "n_classes": 3, "n_annotators": 5} | kw
    with pytest.raises(InvalidParameterError, match=param):
        simulate_sparse_crowd(**args)
