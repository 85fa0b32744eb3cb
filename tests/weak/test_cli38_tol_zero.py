"""``LabelModel(tol=0)`` ends at EM's fixed point: the first SQUAREM cycle that does not raise the
objective stops it, converged, without a warning. A cycle had to raise it by less than 0, which the
monotone guard never allows, so such a run went to its ``n_em_iter`` cap (gains of exactly 0 for
hundreds of cycles) and warned that it had not converged."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import simulate_annotators
from labelwise.errors import LabelwiseWarning
from labelwise.weak import LabelModel, as_votes


def _crowd(seed: int, k: int, errors: str):
    """400 items, 10 annotators, 3 answers per item (as_votes reads the annotator column)."""
    y = pd.Series(np.random.default_rng(seed).integers(0, k, 400))
    sim = simulate_annotators(y, n_annotators=10, answers_per_item=3, errors=errors, random_state=seed)
    return as_votes(sim.answers)


class TestTolZero:
    @pytest.mark.parametrize("seed", [8, 21])
    def test_tol_zero_stops_at_the_first_cycle_without_gain(self, seed):
        """Converged well before the cap, no LabelwiseWarning; every earlier cycle raised the objective."""
        votes = _crowd(seed, 3, "confusion")
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            model = LabelModel(tol=0.0, n_em_iter=400).fit(votes)
        gains = np.diff(model.em_objective_history_)
        assert model.em_converged_ and model.n_em_evals_ < 100
        assert gains[-1] <= 0 and (gains[:-1] > 0).all()

    def test_the_fixed_point_labels_are_those_of_a_longer_budget(self):
        """The stop is no budget's cut: a 4x larger n_em_iter ends at the same point, bit for bit."""
        votes = _crowd(8, 3, "confusion")
        a = LabelModel(tol=0.0, n_em_iter=400).fit(votes)
        b = LabelModel(tol=0.0, n_em_iter=1600).fit(votes)
        assert a.n_em_evals_ == b.n_em_evals_
        pd.testing.assert_frame_equal(a.probas_, b.probas_)

    def test_a_run_still_gaining_at_its_cap_still_warns(self):
        """Where the objective still rises at the cap the warning stays (it is not silenced for tol=0)."""
        votes = _crowd(8, 3, "confusion")
        with pytest.warns(LabelwiseWarning, match=r"did not converge in n_em_iter=3 EM steps"):
            model = LabelModel(tol=0.0, n_em_iter=3).fit(votes)
        assert not model.em_converged_
