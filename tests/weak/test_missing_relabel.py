"""Every missing-abstain fit of the label model gets Dawid-Skene's relabelling guard, not only one-class votes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labelwise import weak
from labelwise.weak import _missing_relabel

# few multi-class functions of low coverage (``benchmarks/dev_weak_low_coverage.py``'s seeds 5127 and 5186): the
# missing-abstain fit, its class balance estimated, empties classes that majority vote gives many items
SPARSE_SETS = {
    5127: dict(n_items=882, n_lfs=5, n_classes=3, unipolar=0.25545, n_correlated=1, imbalance=1.21085),
    5186: dict(n_items=1654, n_lfs=3, n_classes=5, unipolar=0.57158, n_correlated=1, imbalance=1.26417),
}


def sparse_votes(seed: int) -> weak.SimulatedVotes:
    params = SPARSE_SETS[seed]
    k = params["n_classes"]
    return weak.simulate_lfs(coverage=(0.05, 0.6), accuracy=(0.3 + 0.5 / k, 0.9), random_state=seed, **params)


def strict_majority(matrix: np.ndarray, k: int) -> np.ndarray:
    """Each item's strict majority class (-1: a tie or no vote)."""
    counts = np.stack([(matrix == c).sum(axis=1) for c in range(k)], axis=1)
    top = counts == counts.max(axis=1, keepdims=True)
    return np.where((top.sum(axis=1) == 1) & (counts.max(axis=1) > 0), counts.argmax(axis=1), -1)


def fit(votes: weak.Votes, k: int, **params) -> tuple[weak.LabelModel, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = weak.LabelModel(labels=list(range(k)), **params).fit(votes)
    return model, [str(w.message) for w in caught]


@pytest.mark.parametrize("seed", sorted(SPARSE_SETS))
def test_missing_fit_that_empties_a_class_on_multi_class_rules_falls_back_to_majority_vote(seed: int) -> None:
    """The default's missing-abstain fit on few low-coverage multi-class rules: majority vote, with a warning."""
    sim = sparse_votes(seed)
    k = len(sim.votes.classes)
    model, messages = fit(sim.votes, k)
    assert model.abstains_ == "missing"
    assert any("relabelled" in m and "few votes per item" in m for m in messages)
    strict = strict_majority(sim.votes.matrix(), k)
    assert np.array_equal(model.labels_.to_numpy(dtype=int)[strict >= 0], strict[strict >= 0])
    assert model.class_balance_.min() > 0.05  # no class emptied


def test_missing_guard_on_multi_class_rules_is_the_candidate_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the switch off (main's guard before session 51) the same fit empties a class and is kept, silently."""
    monkeypatch.setattr(_missing_relabel, "EVERY_MISSING_FIT", False)
    sim = sparse_votes(5127)
    model, messages = fit(sim.votes, 3)
    assert not any("relabelled" in m for m in messages)
    assert model.class_balance_.min() < 0.01


def test_checked_keeps_the_one_class_gate_for_the_informative_fit() -> None:
    """Missing-abstain fits are checked whatever their one-class share; informative ones only above the threshold."""
    assert _missing_relabel.checked("missing", 0.0, 0.5)
    assert not _missing_relabel.checked("informative", 0.5, 0.5)
    assert _missing_relabel.checked("informative", 0.6, 0.5)


def test_missing_fit_that_keeps_the_classes_on_multi_class_rules_is_not_replaced() -> None:
    """Five workers answering every item: the missing-abstain fit keeps its classes and its own class balance."""
    rng = np.random.default_rng(4)
    y = rng.choice(3, 900, p=[0.6, 0.3, 0.1])
    matrix = np.where(rng.random((900, 5)) < 0.75, y[:, None], (y[:, None] + rng.integers(1, 3, (900, 5))) % 3)
    model, messages = fit(matrix, 3, abstains="missing")
    assert not any("relabelled" in m for m in messages)
    assert (model.labels_.to_numpy(dtype=int) == y).mean() > 0.9
