"""RASA's reliability of annotators who agree with the aggregates: bounded relative to the crowd
(``skill_floor="relative"``), free of the vectors' scale, flagged in ``skill_floored_``; crowd-kit's
absolute floor kept as ``skill_floor="absolute"`` (compared with crowd-kit in test_embeddings_vs_crowdkit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import HRRASA, RASA, TextRASA
from labelwise.aggregate._embed_math import RELATIVE_FLOOR, chi2_prior, floored_totals
from labelwise.aggregate._embed_simulate import simulate_vector_answers
from labelwise.errors import InvalidParameterError

TEXTS = ["the cat sat", "a dog ran", "hello world", "blue sky today", "red car fast"]


def _agreeing_pair() -> pd.DataFrame:
    rows = [(i, a, t + (" maybe" if a == "c" else "")) for i, t in enumerate(TEXTS) for a in "abc"]
    return pd.DataFrame(rows, columns=["item", "annotator", "text"])


def test_two_always_agreeing_annotators_get_the_relative_cap_not_prior_over_1e5():
    """views39's case: a and b write the same text on each of 5 items. crowd-kit's floor gave them
    prior / 1e-5 = 83,121; the relative floor caps them at 1/RELATIVE_FLOOR times the reliability of
    an annotator at the crowd's mean distance, and says they are at the floor."""
    est = TextRASA().fit(_agreeing_pair())
    skill = est.annotator_skill_
    assert est.skill_floored_.to_dict() == {"a": True, "b": True, "c": False}
    assert skill["a"] == pytest.approx(skill["b"]) and skill["a"] > 100 * skill["c"]
    prior = float(chi2_prior(np.array([5]), 0.05, "lower")[0])
    # c holds (almost) all of the crowd's distance: the crowd's mean per answer is c's total / 15
    crowd_mean = (prior / skill["c"]) / 15
    assert skill["a"] == pytest.approx(prior / (5 * RELATIVE_FLOOR * crowd_mean), rel=1e-6)
    absolute = TextRASA(skill_floor="absolute").fit(_agreeing_pair()).annotator_skill_
    assert absolute["a"] == pytest.approx(prior / 1e-5)  # crowd-kit's value, on request


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 50), st.floats(0.01, 100.0))
def test_scaling_every_vector_by_c_divides_every_reliability_by_c_squared(seed, c):
    """Fixed-iteration fits (tol=0): the relative change that stops the fit is scale-free, but a
    fixed count keeps the comparison off the tolerance's cut."""
    sim = simulate_vector_answers(30, 6, dim=5, random_state=seed)
    base = RASA(max_iter=25, tol=0).fit(sim.answers, sim.embeddings)
    scaled = RASA(max_iter=25, tol=0).fit(sim.answers, sim.embeddings * c)
    np.testing.assert_allclose(scaled.annotator_skill_, base.annotator_skill_ / c**2, rtol=1e-6)
    np.testing.assert_allclose(scaled.embeddings_, base.embeddings_ * c, rtol=1e-6, atol=1e-9 * c)
    assert scaled.skill_floored_.equals(base.skill_floored_)


def test_the_floor_rule():
    totals, counts = np.array([0.0, 3.0, 1e-9]), np.array([2, 3, 5])
    mean = totals.sum() / counts.sum()
    np.testing.assert_allclose(floored_totals(totals, counts), counts * RELATIVE_FLOOR * mean)
    np.testing.assert_allclose(floored_totals(np.zeros(3), counts), counts * 1e-5)
    np.testing.assert_allclose(floored_totals(totals, counts, "absolute"), 1e-5)


@pytest.mark.parametrize(("cls", "extra"), [(RASA, {}), (HRRASA, {"lambda_emb": 1.0})])
def test_an_unknown_floor_is_refused_naming_it(cls, extra):
    sim = simulate_vector_answers(10, 4, dim=3, random_state=0)
    with pytest.raises(InvalidParameterError, match="skill_floor must be one of"):
        cls(skill_floor="none", **extra).fit(sim.answers, sim.embeddings)
