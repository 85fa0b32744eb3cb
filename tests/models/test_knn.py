"""The kNN family's classifier: at most as many neighbours as the training rows, so that ``auto``
compares kNN on small tables (it was skipped with scikit-learn's error when a fold held fewer
than 15 training rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import KNeighborsClassifier

from labelwise.models import FAMILIES, choose_model
from labelwise.models._knn import CappedNeighbors, capped_neighbors_note


def _table(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    return pd.DataFrame({"a": rng.normal(size=n) + y, "b": rng.normal(size=n)}), y


class TestCappedNeighbors:
    def test_fewer_rows_than_neighbours_uses_every_row(self):
        """On 8 rows, 15 neighbours become 8: the probabilities of scikit-learn's kNN with 8."""
        x, y = _table(8)
        ours = CappedNeighbors(n_neighbors=15).fit(x.to_numpy(), y)
        theirs = KNeighborsClassifier(n_neighbors=8, weights="distance").fit(x.to_numpy(), y)
        x_new = np.random.default_rng(1).normal(size=(5, 2))
        assert ours.n_neighbors_ == 8
        np.testing.assert_array_equal(ours.predict_proba(x_new), theirs.predict_proba(x_new))
        np.testing.assert_array_equal(ours.predict(x_new), theirs.predict(x_new))

    def test_enough_rows_keep_the_setting(self):
        """On 40 rows it is scikit-learn's kNN with 15 neighbours, and its classes."""
        x, y = _table(40)
        ours = CappedNeighbors(n_neighbors=15).fit(x.to_numpy(), y)
        theirs = KNeighborsClassifier(n_neighbors=15, weights="distance").fit(x.to_numpy(), y)
        assert ours.n_neighbors_ == 15
        np.testing.assert_array_equal(ours.classes_, [0, 1])
        np.testing.assert_array_equal(ours.predict_proba(x.to_numpy()), theirs.predict_proba(x.to_numpy()))

    def test_settings_are_parameters(self):
        """get_params shows the setting; fitting leaves it unchanged (the cap is n_neighbors_)."""
        x, y = _table(6)
        model = CappedNeighbors(n_neighbors=15).fit(x.to_numpy(), y)
        assert model.get_params() == {"n_neighbors": 15, "weights": "distance"}


class TestNote:
    @pytest.mark.parametrize(
        ("rows", "said"),
        [([15, 16], None), ([12, 13, 13], "(12 to 13 rows)"), ([8, 8], "(8 rows)")],
    )
    def test_the_note_says_the_cap_only_when_a_fold_is_short(self, rows, said):
        """No words while every fold holds 15 rows; else the fold sizes."""
        note = capped_neighbors_note(15, rows)
        assert note is None if said is None else (said in note and "n_neighbors capped" in note)


class TestAutoOnASmallTable:
    def test_knn_is_compared_with_its_cap_said(self):
        """16 rows, 5 folds (12-13 training rows each): kNN runs, and its description and a notice
        say the neighbours were capped."""
        x, y = _table(16)
        choice = choose_model(x, y, time_budget=60, families=["logistic", "knn"])
        knn = next(c for c in choice.candidates if c.name == "knn")
        assert knn.skipped is None and knn.log_loss is not None
        assert knn.description.startswith(FAMILIES["knn"].description)
        assert "n_neighbors capped" in knn.description and "(12 to 13 rows)" in knn.description
        assert any(n.startswith("knn: n_neighbors capped") for n in choice.notices)

    def test_a_large_enough_table_says_nothing(self):
        """100 rows: folds of 80 training rows hold 15 neighbours; the description is the menu's."""
        x, y = _table(100)
        choice = choose_model(x, y, time_budget=60, families=["logistic", "knn"])
        knn = next(c for c in choice.candidates if c.name == "knn")
        assert knn.description == FAMILIES["knn"].description
        assert not any("capped" in n for n in choice.notices)

    def test_the_knn_family_trains_on_a_table_smaller_than_its_neighbours(self):
        """--model knn on 10 rows: the pipeline fits and predicts (it used to fail at predict)."""
        from labelwise.models import default_model

        x, y = _table(10)
        model = default_model(x, model="knn").fit(x, y)
        assert model.predict_proba(x).shape == (10, 2)


def test_passes_scikit_learns_estimator_checks():
    """sklearn.utils.estimator_checks.check_estimator passes."""
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(CappedNeighbors(n_neighbors=5))
