"""DawidSkene's convergence report when its guard falls back to majority vote (issue 15 part 1: "convergence
reported honestly"): no "raise max_iter" advice for a run that a longer run would not rescue."""

from __future__ import annotations

import warnings

import pytest

from labelwise.aggregate import DawidSkene
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd
from labelwise.errors import LabelwiseWarning


@pytest.fixture(scope="module")
def one_answer_crowd():
    # one answer per item, K = 5: the model is not identified and the default's EM relabels classes
    return simulate_sparse_crowd(3000, 5, 60, answers_per_item=1, random_state=3).answers


def _fit(answers, **params) -> tuple[DawidSkene, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = DawidSkene(**params).fit(answers)
    return model, [str(w.message) for w in caught if issubclass(w.category, LabelwiseWarning)]


def test_fallback_after_unconverged_em_does_not_advise_raising_max_iter(one_answer_crowd):
    model, said = _fit(one_answer_crowd, max_iter=20)
    assert model.fallback_ == "majority-vote" and not model.converged_
    assert not any("raise max_iter" in s for s in said)
    (fallback,) = said
    assert "falling back to majority vote" in fallback
    assert "EM had stopped at max_iter=20 unconverged" in fallback


def test_fallback_after_converged_em_does_not_call_it_unconverged(one_answer_crowd):
    model, said = _fit(one_answer_crowd, max_iter=1000)
    assert model.fallback_ == "majority-vote" and model.converged_
    (fallback,) = said
    assert "unconverged" not in fallback


def test_unconverged_em_without_fallback_still_warns_to_raise_max_iter(one_answer_crowd):
    model, said = _fit(one_answer_crowd, max_iter=3)
    assert model.fallback_ is None and not model.converged_
    assert said == [s for s in said if "did not converge in max_iter=3" in s and s.endswith("raise max_iter")]
    assert len(said) == 1


def test_plain_estimate_unconverged_warns_as_before(one_answer_crowd):
    model, said = _fit(one_answer_crowd, smoothing=0, max_iter=2)
    assert model.fallback_ is None and not model.converged_
    assert len(said) == 1 and "did not converge in max_iter=2" in said[0]


@pytest.mark.parametrize("max_iter", [3, 20], ids=["not-converged", "fallback"])
def test_the_fits_warnings_point_at_the_line_that_called_fit(one_answer_crowd, max_iter):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        DawidSkene(max_iter=max_iter).fit(one_answer_crowd)
    (w,) = [w for w in caught if issubclass(w.category, LabelwiseWarning)]
    assert w.filename == __file__
