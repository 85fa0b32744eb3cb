"""``estimator.fit(dask_dataframe)``: the issue's Python line, routed to the distributed fit."""

from __future__ import annotations

import pytest

import labelwise as lw
from labelwise.errors import LabelwiseError
from tests.scale.test_distributed_aggregate import ESTIMATORS, _answers, _assert_same_fit

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: f"{type(e).__name__}-{e.get_params().get('smoothing', '')}")
def test_fit_on_a_dask_dataframe_equals_the_in_memory_fit(est):
    answers = _answers(600, 3, seed=4)
    ref = type(est)(**est.get_params()).fit(answers)
    with dask.config.set(scheduler="sync"):
        got = type(est)(**est.get_params()).fit(dd.from_pandas(answers, npartitions=3))
    _assert_same_fit(got, ref)


@pytest.mark.parametrize("est", [lw.aggregate.GLAD(), lw.aggregate.Wawa()], ids=lambda e: type(e).__name__)
def test_a_method_without_a_distributed_fit_names_the_ones_that_have_one(est):
    frame = dd.from_pandas(_answers(100, 3), npartitions=2)
    with pytest.raises(LabelwiseError, match=rf"answers: a dask DataFrame .*DawidSkene.*got {type(est).__name__}"):
        est.fit(frame)


def test_probs_with_a_dask_dataframe_are_refused():
    frame = dd.from_pandas(_answers(100, 3), npartitions=2)
    with pytest.raises(LabelwiseError, match="probs is only used"):
        lw.aggregate.DawidSkene().fit(frame, probs=[[0.5, 0.5]])
