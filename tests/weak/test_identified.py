"""The label model's structure kept to at least three conditionally independent groups (``weak._identified``)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.weak import _identified


def three_with_a_copy(seed: int, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Three functions of ``simulate_lfs`` (K 2), the third made a 90% copy of the second: votes and truth codes."""
    sim = weak.simulate_lfs(n, 3, 2, coverage=(0.5, 0.9), random_state=seed)
    matrix = sim.votes.matrix().copy()
    rng = np.random.default_rng(seed)
    matrix[:, 2] = np.where(rng.random(n) < 0.9, matrix[:, 1], matrix[:, 2])
    return matrix, sim.truth.reindex(sim.votes.items).to_numpy()


def fit(votes, **params) -> weak.LabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return weak.LabelModel(labels=[0, 1], **params).fit(votes)


class TestTooFew:
    def test_two_groups_of_three_functions_are_too_few(self) -> None:
        """Two groups where three functions could each be one are too few; three groups, or two functions, are not."""
        assert _identified.too_few([[0], [1, 2]], 3)
        assert not _identified.too_few([[0], [1], [2]], 3)
        assert not _identified.too_few([[0, 1]], 2)

    def test_the_search_falls_back_to_one_group_per_function(self) -> None:
        """Too few searched groups become one group per function; enough are kept as they are."""
        assert _identified.searched([[0, 2, 3], [1]], 4) == [[0], [1], [2], [3]]
        assert _identified.searched([[0, 1], [2], [3]], 4) == [[0, 1], [2], [3]]

    def test_a_check_that_would_leave_two_groups_is_refused(self) -> None:
        """The fitted check's change to two groups of three functions is refused (``None``); one to three is kept."""
        assert _identified.checked(([[0, 1], [2]], "lam", "n", None), [[0], [1], [2]]) is None
        change = ([[0, 1], [2], [3]], "lam", "n", None)
        assert _identified.checked(change, [[0], [1], [2], [3]]) is change
        assert _identified.checked(None, [[0], [1], [2]]) is None


class TestLabelModel:
    def test_a_copied_function_among_three_leaves_three_groups(self) -> None:
        """Three functions, one a copy of another: main joins the copy (two groups, not identified); kept apart."""
        matrix, _ = three_with_a_copy(3)
        assert len(fit(matrix).groups_) == 3

    def test_enough_groups_are_left_alone(self) -> None:
        """Five functions, one copied: the joined copy still leaves four groups, as main's search gives them."""
        matrix, _ = three_with_a_copy(3)
        rng = np.random.default_rng(0)
        truth = three_with_a_copy(3)[1]
        extra = np.where(rng.random((len(matrix), 2)) < 0.6, truth[:, None], -1)
        groups = fit(np.column_stack([matrix, extra])).groups_
        assert ("lf_1", "lf_2") in groups and len(groups) == 4

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(seed=st.integers(0, 50), order=st.randoms(use_true_random=False))
    def test_renaming_labelers_and_reordering_rows_change_no_label(self, seed: int, order) -> None:
        """The kept structure and the labels do not depend on the labelers' names or the items' order."""
        matrix, _ = three_with_a_copy(seed, n=600)
        names = ["c", "a", "b"]
        frame = pd.DataFrame(matrix, columns=names)
        base = fit(frame)
        rows = list(range(len(frame)))
        order.shuffle(rows)
        shuffled = fit(frame.iloc[rows])
        renamed = fit(frame.rename(columns={"c": "z", "a": "y", "b": "x"}))
        assert len(base.groups_) == len(shuffled.groups_) == len(renamed.groups_) == 3
        assert shuffled.labels_.loc[base.labels_.index].equals(base.labels_)
        assert renamed.labels_.equals(base.labels_)
