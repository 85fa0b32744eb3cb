"""The one-class check's groups past ``max_clique`` kept where the search's linkage joins their parts (session 54,
bars54: ``_clique_cap.CHECK_LINK``, ``linked_parts``)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from labelwise import weak
from labelwise.weak import _clique_cap
from labelwise.weak._moments import indicator

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _copy_family(seed: int, n_items: int) -> tuple[np.ndarray, int, np.ndarray]:
    """``benchmarks/dev_weak_clique_cap.copy_set``'s set (the copy family: K 2-5, 8-15 simulated functions, one or two
    of them with 3-5 copies each): its votes as a matrix, ``K`` and the true class of each item."""
    sys.path.insert(0, str(BENCH))
    try:
        from dev_weak_clique_cap import copy_set
    finally:
        sys.path.remove(str(BENCH))
    _, votes, truth, k = copy_set(seed, n_items)
    return votes.matrix(), k, truth


def _rows(matrix: np.ndarray, k: int) -> tuple:
    """``linked_parts``' rows argument for ``matrix`` with unit weights (no gram) and the default threshold 5."""
    return matrix, indicator(matrix, k), np.ones(len(matrix)), k, None, 5.0


@pytest.fixture(scope="module")
def copies() -> tuple[np.ndarray, int]:
    """Copy-family set 3055 at 1,000 items (seen): K = 4, lf_10 with copies lf_14-lf_17, lf_0 with lf_18-lf_21."""
    return _copy_family(3055, 1_000)[:2]


class TestLinkedParts:
    def test_a_rule_and_its_copies_are_linked_and_independent_functions_are_not(self, copies):
        """Parts of one copied rule pass the search's linkage; a group of independent functions does not."""
        matrix, k = copies
        singles = [[j] for j in range(matrix.shape[1])]
        assert _clique_cap.linked_parts([[0, 18, 19, 20, 21]], singles, *_rows(matrix, k))
        assert not _clique_cap.linked_parts([[1, 2, 3, 4]], singles, *_rows(matrix, k))
        assert not _clique_cap.linked_parts([[0, 18, 19, 20, 21], [1, 2, 3, 4]], singles, *_rows(matrix, k))

    def test_functions_of_one_given_group_are_not_asked_again(self, copies):
        """Only pairs across the given groups are asked: an independent function inside a given group is left alone."""
        matrix, k = copies
        given = [[0, 18, 19, 1]] + [[j] for j in range(matrix.shape[1]) if j not in (0, 18, 19, 1)]
        assert _clique_cap.linked_parts([[0, 1, 18, 19]], given, *_rows(matrix, k))
        assert not _clique_cap.linked_parts([[0, 1, 18, 19, 20]], given, *_rows(matrix, k))

    def test_the_answer_does_not_depend_on_the_order_of_the_items(self, copies):
        """The rows shuffled, every answer stays."""
        matrix, k = copies
        shuffled = matrix[np.random.default_rng(7).permutation(len(matrix))]
        singles = [[j] for j in range(matrix.shape[1])]
        for grown in ([[0, 18, 19, 20, 21]], [[10, 14, 15, 16, 17]], [[1, 2, 3, 4]], [[0, 18, 19, 5]]):
            want = _clique_cap.linked_parts(grown, singles, *_rows(matrix, k))
            assert _clique_cap.linked_parts(grown, singles, *_rows(shuffled, k)) == want


class TestCheckKeepsCapWithLinkage:
    @pytest.mark.parametrize("check_link", [False, True])
    def test_a_linked_group_past_the_cap_is_kept_only_with_the_switch(self, monkeypatch, copies, check_link):
        """The check's group of a rule and its four copies is kept with ``CHECK_LINK``, dropped without (main)."""
        monkeypatch.setattr(_clique_cap, "CHECK_LINK", check_link)
        matrix, k = copies
        groups = [[0, 18, 19]] + [[j] for j in range(1, 18)] + [[20], [21]]
        new = [[0, 18, 19, 20, 21]] + [[j] for j in range(1, 18)]
        got = _clique_cap.check_keeps_cap(SimpleNamespace(max_clique=3), groups, new, _rows(matrix, k))
        assert got == (new if check_link else None)

    def test_an_unlinked_group_past_the_cap_is_dropped_with_the_switch(self, monkeypatch, copies):
        """A group of independent functions the check grew past the cap is dropped, the switch on or not."""
        monkeypatch.setattr(_clique_cap, "CHECK_LINK", True)
        matrix, k = copies
        groups = [[j] for j in range(matrix.shape[1])]
        new = [[1, 2, 3, 4]] + [[j] for j in range(5, matrix.shape[1])] + [[0]]
        assert _clique_cap.check_keeps_cap(SimpleNamespace(max_clique=3), groups, new, _rows(matrix, k)) is None


class TestLabelModelKeepsALinkedCheckGroup:
    def test_a_rule_and_its_four_copies_found_by_the_check_are_one_clique(self):
        """Copy-family set 3055 at 1,000 items (seen): the search grows lf_10's copies into one clique, the one-class
        check finds lf_0 with its four copies; the clique is kept (main dropped it: lf_20, lf_21 counted independent)
        and over 96% of the items with a vote get their true class (96.8%; main 91.7%, majority vote 80.6%)."""
        matrix, k, truth = _copy_family(3055, 1_000)
        model = weak.LabelModel(labels=list(range(k))).fit(matrix)
        assert ("lf_0", "lf_18", "lf_19", "lf_20", "lf_21") in model.groups_
        scored = (matrix >= 0).any(axis=1)
        assert np.mean(model.labels_.to_numpy()[scored] == truth[scored]) > 0.96

    def test_the_fit_does_not_depend_on_the_order_of_the_items(self):
        """The items shuffled, the cliques and every item's label stay."""
        matrix, k, _ = _copy_family(3055, 1_000)
        order = np.random.default_rng(11).permutation(len(matrix))
        first = weak.LabelModel(labels=list(range(k))).fit(matrix)
        again = weak.LabelModel(labels=list(range(k))).fit(matrix[order])
        assert sorted(again.groups_) == sorted(first.groups_)
        np.testing.assert_array_equal(again.labels_.to_numpy(), first.labels_.to_numpy()[order])
