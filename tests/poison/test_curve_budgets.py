"""robustness_curve: each budget runs once per seed (budget 0 beside the clean reference, a repeated budget)."""

from __future__ import annotations

import pytest

from labelwise.poison import robustness_curve


class TestBudgetsOnce:
    @pytest.mark.parametrize("budgets", [[0.0, 0.1], [0, 0.1], [0.1, 0.1], [0.0, 0.1, 0.1, 0]])
    def test_every_cell_has_one_row_per_seed(self, moons, budgets):
        """Budget 0 (the clean reference's own budget) or a budget given twice adds no second row per seed."""
        X, y, _, _ = moons
        curve = robustness_curve(["svc"], X, y, attacks=["random"], budgets=budgets, seeds=1)
        table = curve.to_frame()
        assert sorted(table["budget"].tolist()) == [0.0, 0.1]
        assert set(curve.summary()["n_seeds"]) == {1}

    def test_budget_zero_without_the_reference_is_kept(self, moons):
        """With include_clean=False a budget of 0 is the user's own reference: it runs, once per seed."""
        X, y, _, _ = moons
        table = robustness_curve(
            ["svc"], X, y, attacks=["random"], budgets=[0.0, 0.1], seeds=2, include_clean=False
        ).to_frame()
        assert sorted(table["budget"].tolist()) == [0.0, 0.0, 0.1, 0.1]
