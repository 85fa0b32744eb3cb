"""The ring check of DawidSkene: several accounts of one worker, held out together, decided per group.

A worker behind four or more accounts is not found by the pair check (each pair is checked against
a model the other copies dominate), so main counts one mediocre worker four or more times. The
tests with a ring fail on main: its ``DawidSkene()`` finds no pair there, has no
``dependency_rings`` parameter, no ``dependent_rings_`` and no ``_ring_check`` module.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene
from labelwise.aggregate.simulate import simulate_annotators
from labelwise.cli import main
from labelwise.errors import InvalidParameterError


def crowd(seed: int, k: int = 4) -> tuple[pd.DataFrame, pd.Series, str]:
    """600 items, 15 annotators of accuracy 0.45-0.8, 5 answers per item, and the median annotator."""
    truth = pd.Series(np.random.default_rng(seed).integers(0, k, 600))
    sim = simulate_annotators(truth, n_annotators=15, answers_per_item=5, accuracy=(0.45, 0.8), random_state=seed)
    median = sim.annotator_accuracy.sort_values(kind="stable").index[7]
    return sim.answers, truth, str(median)


def with_ring(answers: pd.DataFrame, who: str, size: int, flip: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """``who`` copied into ``size - 1`` more accounts, each answer redrawn with probability ``flip``."""
    rng = np.random.default_rng(seed)
    own = answers[answers["annotator"] == who]
    k = int(answers["label"].max()) + 1
    copies = []
    for c in range(1, size):
        labels = own["label"].to_numpy().copy()
        redraw = rng.random(len(labels)) < flip
        labels[redraw] = rng.integers(0, k, int(redraw.sum()))
        copies.append(own.assign(annotator=f"{who}_copy{c}", label=labels))
    return pd.concat([answers, *copies], ignore_index=True)


def fit(answers: pd.DataFrame, **kwargs) -> DawidSkene:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return DawidSkene(**kwargs).fit(answers)


def accuracy(est: DawidSkene, truth: pd.Series) -> float:
    return float((est.labels_.to_numpy() == truth.reindex(est.labels_.index).to_numpy()).mean())


def pair_set(est: DawidSkene) -> set[frozenset]:
    return {frozenset(p) for p in est.dependent_pairs_[["annotator_a", "annotator_b"]].itertuples(index=False)}


@pytest.mark.parametrize("flip", [0.0, 0.1])
def test_a_ring_of_five_accounts_is_found_and_counted_once(flip):
    """Every pair of the five accounts is found, the ring is reported, and the labels are those of
    the crowd without the copies (the ring's answers on an item weigh as one), well above the fit
    that counts them 5 times."""
    answers, truth, who = crowd(0)
    ring = with_ring(answers, who, 5, flip)
    est = fit(ring, dependency_rings=True)
    accounts = sorted({who, *(f"{who}_copy{c}" for c in range(1, 5))})
    assert pair_set(est) == {frozenset((a, b)) for a in accounts for b in accounts if a < b}
    assert est.dependent_pairs_.z.min() > 5.0
    assert est.dependent_rings_ == [accounts]
    alone, counted = accuracy(fit(answers), truth), accuracy(fit(ring), truth)  # off by default
    assert accuracy(est, truth) >= alone - 0.01
    assert accuracy(est, truth) > counted + 0.03


def test_the_ring_check_is_off_by_default_and_found_nothing_there():
    """The default leaves a ring as main has it (counted five times), and reports no ring."""
    answers, _, who = crowd(0)
    est = fit(with_ring(answers, who, 5))
    assert est.dependency_rings is False and est.dependent_rings_ == [] and len(est.dependent_pairs_) == 0


def test_the_ring_check_does_not_change_a_crowd_without_a_ring():
    """No ring: the same labels, posterior and (no) pairs with and without the check."""
    answers, _, _ = crowd(1)
    on, off = fit(answers, dependency_rings=True), fit(answers)
    assert len(on.dependent_pairs_) == 0 and on.dependent_rings_ == []
    np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())


def test_a_copied_pair_is_left_to_the_pair_check():
    """Two accounts are a pair, not a ring: the pair check finds it and the ring check adds nothing."""
    answers, _, who = crowd(3)
    two = with_ring(answers, who, 2)
    on, off = fit(two, dependency_rings=True), fit(two)
    assert pair_set(on) == pair_set(off) == {frozenset((who, f"{who}_copy1"))}
    assert on.dependent_rings_ == []
    np.testing.assert_array_equal(on.probas_.to_numpy(), off.probas_.to_numpy())


def test_only_a_clique_of_confirmed_pairs_is_a_ring():
    """Decided per group: a lone pair or a star is no ring; of a group, only the largest set whose
    every pair passed is kept (ties by summed z, then positions)."""
    from labelwise.aggregate._ring_check import largest_clique

    def rows(pairs, z=6.0):
        return [(a, b, 100.0, 90.0, 60.0, z) for a, b in pairs]

    assert largest_clique(rows([(0, 1)])) == []
    assert largest_clique(rows([(0, 1), (0, 2), (0, 3), (0, 4)])) == []  # a star
    five = [(a, b) for a in range(5) for b in range(a + 1, 5)]
    kept = largest_clique(rows([*five, (4, 5), (5, 6)]))  # the ring and a member's two stray pairs
    assert sorted((int(r[0]), int(r[1])) for r in kept) == five
    tie = largest_clique(rows([(0, 1), (0, 2), (1, 2)]) + rows([(3, 4), (3, 5), (4, 5)], z=9.0))
    assert {int(j) for r in tie for j in r[:2]} == {3, 4, 5}
    even = largest_clique(rows([(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5)]))
    assert {int(j) for r in even for j in r[:2]} == {0, 1, 2}


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 1000), size=st.integers(4, 7), perm_seed=st.integers(0, 2**16))
def test_the_ring_found_does_not_depend_on_row_order_or_class_names(seed, size, perm_seed):
    """Shuffled rows and renamed classes: the same pairs and ring found, the same (renamed) labels
    (fixed-iteration fits: no stopping tolerance decides)."""
    answers, _, who = crowd(seed, k=3)
    ring = with_ring(answers, who, size)
    base = fit(ring, max_iter=50, tol=0.0, dependency_rings=True)
    rng = np.random.default_rng(perm_seed)
    names = np.array(["zeta", "alpha", "mu"])[rng.permutation(3)]
    shuffled = ring.iloc[rng.permutation(len(ring))].assign(label=lambda f: names[f["label"].to_numpy()])
    other = fit(shuffled, max_iter=50, tol=0.0, dependency_rings=True)
    assert pair_set(other) == pair_set(base)
    assert len(pair_set(base)) == size * (size - 1) // 2
    assert other.dependent_rings_ == base.dependent_rings_ and len(base.dependent_rings_[0]) == size
    relabelled = pd.Series(names[base.labels_.to_numpy()], index=base.labels_.index)
    pd.testing.assert_series_equal(other.labels_.sort_index(), relabelled.sort_index(), check_names=False)


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_dependency_rings_must_be_a_bool(value):
    answers, _, _ = crowd(2)
    with pytest.raises(InvalidParameterError, match="dependency_rings must be True or False, got"):
        DawidSkene(dependency_rings=value).fit(answers)


def test_the_cli_runs_the_ring_check_on_request(tmp_path):
    """``aggregate --param dependency_rings=true`` reports the ring's ten pairs in summary.json;
    without it, none (the default)."""
    answers, _, who = crowd(0)
    path = tmp_path / "answers.csv"
    with_ring(answers, who, 5).to_csv(path, index=False)
    found = {}
    for name, extra in (("on", ["--param", "dependency_rings=true"]), ("off", [])):
        args = ["aggregate", str(path), "--method", "dawid-skene", *extra, "--out", str(tmp_path / name)]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        found[name] = json.loads((tmp_path / name / "summary.json").read_text())["dependent_pairs"]
    assert len(found["on"]) == 10 and found["off"] == []
