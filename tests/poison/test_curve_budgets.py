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


class TestBudgetsAsGiven:
    def test_a_count_beside_fractions_stays_an_integer(self, moons):
        """budgets=[5, 0.1]: to_frame and summary hold the int 5 and the float 0.1, the reference 0 (fix44a)."""
        X, y, _, _ = moons
        curve = robustness_curve(["svc"], X, y, attacks=["random"], budgets=[5, 0.1], seeds=1)
        for frame in (curve.to_frame(), curve.summary()):
            assert [(b, type(b)) for b in frame["budget"]] == [(0, int), (0.1, float), (5, int)]
        assert curve.to_frame()["n_flipped"].tolist()[2] == 5

    def test_the_plot_names_counts_on_its_axis(self, moons):
        """Counts only: the x axis says flipped labels, not a fraction."""
        X, y, _, _ = moons
        figure = robustness_curve(["svc"], X, y, attacks=["random"], budgets=[3, 6], seeds=1).plot()
        assert figure.axes[0].get_xlabel() == "budget (training labels flipped)"
