"""Tests of the gate of ``weak._contracted_pairs`` (trig57): the contracted learner's second solve runs only where the
join strength estimated from the first solve reaches the bar, and where it does not the fit is the fit without
the joins."""

from __future__ import annotations

import importlib
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import LabelModel, _contracted_pairs, _structure_learning, simulate_lfs
from labelwise.weak._structure_learning import learned_pairs, solve_learner

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def sim1004() -> np.ndarray:
    """``bench_weak.py``'s sim1004 (15 functions, 4 copies, K = 3): the one of its 19 sets where the joins may form."""
    sim = simulate_lfs(10_000, 15, 3, n_correlated=4, coverage=(0.05, 0.6), imbalance=3.0, random_state=1004)
    return sim.votes.matrix()


@pytest.fixture(scope="module")
def split_set() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Seen shared-trigger set 551 K=2: ``feat1``'s readers learned as two cliques (``dev_weak_shared_triggers``)."""
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module("dev_weak_shared_triggers").shared_trigger_set(551, 2)
    finally:
        sys.path.remove(str(BENCH))


def _solves(monkeypatch: pytest.MonkeyPatch) -> tuple[list[int], list[int]]:
    """Two lists that grow by one at each call of ``contracted_joins`` and at each solve of the learner's program
    made inside it (its second solve, on the contracted columns)."""
    calls: list[int] = []
    solves: list[int] = []
    inner_solve, inner_joins = _structure_learning.solve_learner, _contracted_pairs.contracted_joins

    def solve(*args, **kw):
        if calls and calls[-1]:  # inside contracted_joins
            solves.append(1)
        return inner_solve(*args, **kw)

    def joins(*args, **kw):
        calls.append(1)
        try:
            return inner_joins(*args, **kw)
        finally:
            calls[-1] = 0

    monkeypatch.setattr(_structure_learning, "solve_learner", solve)
    monkeypatch.setattr(_contracted_pairs, "contracted_joins", joins)
    return calls, solves


def _fit(matrix: np.ndarray, k: int | None = None) -> LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (LabelModel() if k is None else LabelModel(labels=list(range(k)))).fit(matrix)


def test_the_gate_skips_the_second_solve_where_the_estimated_join_is_under_the_bar(sim1004, monkeypatch):
    """sim1004's one pair that may join (``lf_11`` to the copy pair ``[lf_8, lf_13]``) is estimated under the bar, so
    the contracted learner does not run; ungated it runs and finds the pair under the bar (0.064)."""
    w = np.ones(len(sim1004))
    solved = solve_learner(sim1004, w, 3)
    pairs = learned_pairs(sim1004, w, 3)
    assert pairs
    calls, solves = _solves(monkeypatch)
    assert _contracted_pairs.contracted_joins(sim1004, w, 3, pairs, solved) == []
    assert len(calls) == 1 and solves == []
    ungated = _contracted_pairs.contracted_joins(sim1004, w, 3, pairs, solved, gated=False)
    assert len(calls) == 2 and solves == [1]
    assert [(a, b) for a, b, _ in ungated] == [(8, 11)]
    assert ungated[0][2] < _contracted_pairs.JOIN_STRENGTH
    groups = _contracted_pairs.learned_groups(sim1004.shape[1], pairs)
    strength = _contracted_pairs.estimated_strength(sim1004, w, 3, groups, solved)
    a, b = (next(i for i, g in enumerate(groups) if g[0] == j) for j in (8, 11))
    assert strength[a, b] < _contracted_pairs.JOIN_STRENGTH


def test_with_the_joins_on_a_fit_the_gate_stops_equals_the_fit_with_them_off(sim1004, monkeypatch):
    """The label model on sim1004 with the joins on makes no second solve and gives the same posterior, bit for bit."""
    off = _fit(sim1004)
    monkeypatch.setattr(_contracted_pairs, "ENABLED", True)
    calls, solves = _solves(monkeypatch)
    on = _fit(sim1004)
    assert calls and not solves
    assert on.probas_.to_numpy().tobytes() == off.probas_.to_numpy().tobytes()


def test_the_gate_lets_a_split_trigger_clique_join_as_without_it(split_set, monkeypatch):
    """Set 551 K=2: the estimate reaches the bar and the join is trig56's, value for value."""
    matrix, _, names = split_set
    w = np.ones(len(matrix))
    solved = solve_learner(matrix, w, 2)
    monkeypatch.setattr(_contracted_pairs, "ENABLED", False)
    pairs = learned_pairs(matrix, w, 2)
    gated = _contracted_pairs.contracted_joins(matrix, w, 2, pairs, solved)
    assert gated == _contracted_pairs.contracted_joins(matrix, w, 2, pairs, solved, gated=False)
    assert len(gated) == 1 and gated[0][2] >= _contracted_pairs.JOIN_STRENGTH
    assert names[gated[0][0]].startswith("feat1_") and names[gated[0][1]].startswith("feat1_")


def test_the_estimate_is_the_partial_correlation_of_the_inverse_correlation_plus_the_low_rank_part(split_set):
    """Checked against numpy's ``corrcoef`` of the groups' first members' indicators (unit weights)."""
    matrix, _, _ = split_set
    w = np.ones(len(matrix))
    solved = solve_learner(matrix, w, 2)
    pairs = learned_pairs(matrix, w, 2)
    assert pairs is not None
    groups = _contracted_pairs.learned_groups(matrix.shape[1], pairs)
    got = _contracted_pairs.estimated_strength(matrix, w, 2, groups, solved)
    fit, owner = solved
    columns = [(j, a) for j in range(matrix.shape[1]) for a in range(2) if 0 < (matrix[:, j] == a).sum() < len(matrix)]
    assert [j for j, _ in columns] == owner.tolist()
    group = {j: i for i, g in enumerate(groups) for j in g}
    kept = [x for x, (j, _) in enumerate(columns) if groups[group[j]][0] == j]
    indicators = np.stack([matrix[:, columns[x][0]] == columns[x][1] for x in kept], axis=1).astype(float)
    e = np.linalg.inv(np.corrcoef(indicators, rowvar=False)) + fit.low_rank[np.ix_(kept, kept)]
    partial = -e / np.sqrt(np.outer(np.diag(e), np.diag(e)))
    want = np.full_like(got, -np.inf)
    for x, i in enumerate(kept):
        for y, j in enumerate(kept):
            a, b = group[columns[i][0]], group[columns[j][0]]
            if a != b:
                want[a, b] = max(want[a, b], partial[x, y])
    assert np.allclose(got, want, rtol=0, atol=1e-9)
    assert np.allclose(got, got.T, rtol=0, atol=1e-12)


@settings(max_examples=6, deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_gated_joins_give_the_same_cliques_whatever_the_functions_order(split_set, rnd):
    """A column permutation gives the same connected groups of the learned pairs and joins, renamed."""
    matrix, _, _ = split_set
    cols = list(range(matrix.shape[1]))
    rnd.shuffle(cols)
    w = np.ones(len(matrix))
    held = _contracted_pairs.ENABLED
    try:
        _contracted_pairs.ENABLED = True
        before = learned_pairs(matrix, w, 2)
        after = learned_pairs(matrix[:, cols], w, 2)
    finally:
        _contracted_pairs.ENABLED = held
    assert before is not None and after is not None
    m = matrix.shape[1]
    renamed = {frozenset(cols[j] for j in g) for g in _contracted_pairs.learned_groups(m, after)}
    assert renamed == {frozenset(g) for g in _contracted_pairs.learned_groups(m, before)}


def _may_join_by_definition(matrix, groups, solved):  # type: ignore[no-untyped-def]
    """d78a1de3's order: each group's one class first, then the support test on the pairs of one class."""
    one_class = _contracted_pairs._one_class_groups(matrix, groups)
    fit, owner = solved
    support = np.zeros((matrix.shape[1],) * 2, dtype=bool)
    rows, cols = np.nonzero((fit.sparse != 0) & (owner[:, None] != owner[None, :]))
    support[owner[rows], owner[cols]] = True
    return {
        (a, b)
        for a in range(len(groups))
        for b in range(a + 1, len(groups))
        if one_class[a] is not None
        and one_class[a] == one_class[b]
        and max(len(groups[a]), len(groups[b])) > 1
        and support[np.ix_(groups[a], groups[b])].any()
    }


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_pairs_that_may_join_do_not_depend_on_the_order_of_the_three_tests(data):
    """The support test made first and the one-class test on the groups it leaves give the pairs of the definition
    (one class first), on random votes, groups and first-solve supports."""
    m = data.draw(st.integers(2, 8))
    n = data.draw(st.integers(0, 12))
    matrix = np.array(data.draw(st.lists(st.lists(st.integers(-1, 2), min_size=m, max_size=m), min_size=n, max_size=n)))
    matrix = matrix.reshape(n, m)
    pairs = data.draw(st.lists(st.tuples(st.integers(0, m - 1), st.integers(0, m - 1)), max_size=m))
    groups = _contracted_pairs.learned_groups(m, [(a, b) for a, b in pairs if a != b])
    owner = np.array(data.draw(st.lists(st.integers(0, m - 1), min_size=1, max_size=2 * m)))
    sparse = np.array(data.draw(st.lists(st.booleans(), min_size=len(owner) ** 2, max_size=len(owner) ** 2)))
    fit = type("Fit", (), {"sparse": sparse.reshape(len(owner), len(owner)).astype(float)})()
    want = _may_join_by_definition(matrix, groups, (fit, owner))
    assert _contracted_pairs._may_join(matrix, groups, (fit, owner)) == want
