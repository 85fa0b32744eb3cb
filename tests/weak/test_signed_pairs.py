"""Tests of ``weak._signed_pairs``: the learner's pairs kept only where the two functions' votes are positively
dependent given the class (a negative partial correlation across two triggers' rules is refused)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import _signed_pairs
from labelwise.weak._structure_learning import SparseLowRank, learned_pairs, learner_pairs, solve_learner
from tests.weak.test_contracted_pairs import _codes, _fit


@pytest.fixture(scope="module")
def triggers():
    """``benchmarks/dev_weak_shared_triggers.py``, loaded from its path."""
    path = Path(__file__).parents[2] / "benchmarks" / "dev_weak_shared_triggers.py"
    spec = importlib.util.spec_from_file_location("dev_weak_shared_triggers", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def false_pair_set(triggers):
    """Seen set 433 K=2 (3,000 items): the learner joins ``feat0_rule0`` and ``feat2_rule0`` (different triggers,
    different classes) at a partial correlation of -0.215."""
    return triggers.shared_trigger_set(433, 2)


def test_a_pair_across_two_triggers_is_not_fitted_and_the_default_is_within_half_a_point_of_majority_vote(
    triggers, false_pair_set
):
    """The default was 26.1 points below majority vote on this set (``feat0_rule0`` and ``feat2_rule0`` fitted as
    one clique)."""
    matrix, truth, names = false_pair_set
    model = _fit(matrix, 2)
    mv = triggers.accuracy(triggers.bench_majority(matrix), matrix, truth)
    feature = {j: name.split("_")[0] for j, name in enumerate(names)}
    assert all(len({feature[j] for j in g}) == 1 for g in model._groups)
    assert triggers.accuracy(_codes(model), matrix, truth) >= mv - 0.005


def test_only_the_negatively_dependent_pair_is_refused_and_the_order_is_kept(false_pair_set, monkeypatch):
    matrix, _, names = false_pair_set
    w = np.ones(len(matrix))
    monkeypatch.setattr(_signed_pairs, "ENABLED", False)
    plain = learned_pairs(matrix, w, 2)
    monkeypatch.setattr(_signed_pairs, "ENABLED", True)
    kept = learned_pairs(matrix, w, 2)
    assert plain is not None and kept is not None
    refused = [p for p in plain if p not in kept]
    assert [(names[a], names[b]) for a, b in refused] == [("feat0_rule0", "feat2_rule0")]
    assert kept == [p for p in plain if p in kept]
    solved = solve_learner(matrix, w, 2)
    strength = {(a, b): v for a, b, v in learner_pairs(solved, 0.05)}
    assert all(strength[p] > 0.05 for p in kept)


def test_a_pair_is_kept_where_any_of_its_indicator_pairs_is_positively_correlated():
    """Function 0 votes two classes (indicators 0, 1), functions 1 and 2 one each: ``Ŝ_02 < 0`` is a positive
    partial correlation (kept, though ``Ŝ_12 > 0`` is a stronger negative one); ``Ŝ_13 > 0`` alone is refused."""
    sparse = np.eye(4)
    sparse[0, 2] = sparse[2, 0] = -0.1
    sparse[1, 2] = sparse[2, 1] = 0.3
    sparse[1, 3] = sparse[3, 1] = 0.2
    fit = SparseLowRank(sparse, np.zeros((4, 4)), 1, True, True)
    owner = np.array([0, 0, 1, 2])
    assert _signed_pairs.positive_pairs([(0, 1), (0, 2)], (fit, owner), 0.05) == [(0, 1)]
    assert _signed_pairs.positive_pairs([(1, 0)], (fit, owner), 0.05) == [(1, 0)]
    assert _signed_pairs.positive_pairs([], (fit, owner), 0.05) == []


@settings(max_examples=6, deadline=None)
@given(st.permutations(range(8)), st.permutations([0, 1]))
def test_the_refused_pair_and_the_labels_follow_a_renaming_of_functions_and_classes(false_pair_set, cols, classes):
    """A column permutation and a class renaming refuse the same pair, renamed, and give the same labels, renamed."""
    matrix = false_pair_set[0]
    code = np.asarray(classes)
    renamed = np.where(matrix[:, cols] >= 0, code[np.maximum(matrix[:, cols], 0)], -1)
    w = np.ones(len(matrix))
    where = {old: new for new, old in enumerate(cols)}
    pairs = {tuple(sorted((where[a], where[b]))) for a, b in learned_pairs(matrix, w, 2) or []}
    assert pairs == {tuple(sorted(p)) for p in learned_pairs(renamed, w, 2) or []}
    assert np.array_equal(code[_codes(_fit(matrix, 2))], _codes(_fit(renamed, 2)))
