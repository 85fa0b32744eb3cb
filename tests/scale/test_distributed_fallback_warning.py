"""Dawid-Skene on a Dask DataFrame warns as the in-memory fit does once its guard has run: a fallback to majority
vote says whether EM converged and does not advise "raise max_iter" (a longer run ends in the same fallback); the
warnings point at the line that called the fit."""

from __future__ import annotations

import warnings

import pytest

from labelwise.aggregate import DawidSkene, distributed
from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd
from labelwise.errors import LabelwiseWarning

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")


@pytest.fixture(scope="module")
def one_answer_crowd():
    # one answer per item, K = 5: the model is not identified and the default's EM relabels classes
    return simulate_sparse_crowd(3000, 5, 60, answers_per_item=1, random_state=3).answers


def _caught(fit) -> tuple[DawidSkene, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = fit()
    return model, [w for w in caught if issubclass(w.category, LabelwiseWarning)]


def _dask_fit(answers, **params) -> tuple[DawidSkene, list[warnings.WarningMessage]]:
    with dask.config.set(scheduler="sync"):
        return _caught(lambda: distributed.fit(DawidSkene(**params), dd.from_pandas(answers, npartitions=3)))


def _memory_fit(answers, **params) -> tuple[DawidSkene, list[warnings.WarningMessage]]:
    return _caught(lambda: DawidSkene(**params).fit(answers))


@pytest.mark.parametrize("max_iter", [20, 1000], ids=["unconverged", "converged"])
def test_dask_fallback_warns_once_with_the_in_memory_words_and_no_max_iter_advice(one_answer_crowd, max_iter):
    """A Dask fit that falls back gives one warning, word for word the in-memory fit's, saying whether EM converged."""
    got, dask_said = _dask_fit(one_answer_crowd, max_iter=max_iter)
    ref, memory_said = _memory_fit(one_answer_crowd, max_iter=max_iter)
    assert got.fallback_ == ref.fallback_ == "majority-vote"
    assert got.converged_ == ref.converged_ == (max_iter == 1000)
    assert [str(w.message) for w in dask_said] == [str(w.message) for w in memory_said]
    (said,) = [str(w.message) for w in dask_said]
    assert "falling back to majority vote" in said and "raise max_iter" not in said
    assert ("EM had stopped at max_iter=20 unconverged" in said) == (max_iter == 20)


def test_dask_unconverged_run_without_fallback_still_advises_raising_max_iter(one_answer_crowd):
    """Stopped at max_iter=3 before any relabelling: the in-memory fit's "raise max_iter" warning, alone."""
    got, dask_said = _dask_fit(one_answer_crowd, max_iter=3)
    _, memory_said = _memory_fit(one_answer_crowd, max_iter=3)
    assert got.fallback_ is None and not got.converged_
    assert [str(w.message) for w in dask_said] == [str(w.message) for w in memory_said]
    assert len(dask_said) == 1 and str(dask_said[0].message).endswith("raise max_iter")


@pytest.mark.parametrize("max_iter", [3, 20], ids=["not-converged", "fallback"])
@pytest.mark.parametrize("entry", ["distributed.fit", "estimator.fit"])
def test_dask_fits_warnings_point_at_the_line_that_called_fit(one_answer_crowd, max_iter, entry):
    """``distributed.fit(est, ddf)`` and ``est.fit(ddf)`` (a wrapper deeper): the warning's file is the caller's."""
    ddf = dd.from_pandas(one_answer_crowd, npartitions=3)
    with dask.config.set(scheduler="sync"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if entry == "distributed.fit":
            distributed.fit(DawidSkene(max_iter=max_iter), ddf)
        else:
            DawidSkene(max_iter=max_iter).fit(ddf)
    (w,) = [w for w in caught if issubclass(w.category, LabelwiseWarning)]
    assert w.filename == __file__
