"""``corrected_benchmark`` and ``ranking_agreement`` are annotated with the random states they take: an int,
a numpy Generator or None (main: ``int`` and ``Any``), and they take each of them."""

from __future__ import annotations

import typing

import numpy as np
import pytest

from labelwise.evaluate import corrected_benchmark, ranking_agreement

ACCEPTED = int | np.random.Generator | None


@pytest.mark.parametrize("function", [corrected_benchmark, ranking_agreement], ids=lambda f: f.__name__)
def test_random_state_is_annotated_as_the_function_accepts(function):
    assert typing.get_type_hints(function)["random_state"] == ACCEPTED


@pytest.mark.parametrize("state", [3, np.random.default_rng(3), None], ids=["int", "Generator", "None"])
def test_ranking_agreement_takes_each_annotated_kind(state):
    a = {"s1": 0.9, "s2": 0.5, "s3": 0.7, "s4": 0.1}
    b = {"s1": 0.8, "s2": 0.6, "s3": 0.4, "s4": 0.2}
    res = ranking_agreement(a, b, n_boot=20, random_state=state)
    assert np.isfinite(res.values["kendall_tau"])
