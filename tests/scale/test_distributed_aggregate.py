"""Aggregation on a dask DataFrame: the same labels and posteriors as the in-memory fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import labelwise as lw
from labelwise.aggregate import distributed
from labelwise.errors import LabelwiseError

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")


def _answers(n_items=2000, k=4, seed=0):
    true = np.random.default_rng(seed).integers(0, k, n_items)
    sim = lw.aggregate.simulate_annotators(true, n_annotators=30, answers_per_item=3, random_state=seed)
    answers = sim.answers.sample(frac=1, random_state=seed).reset_index(drop=True)
    answers["annotator"] = answers["annotator"].astype(object)
    return answers


ESTIMATORS = [
    lw.aggregate.MajorityVote(random_state=3),
    lw.aggregate.DawidSkene(),
    lw.aggregate.DawidSkene(smoothing=0.0, max_iter=30),
    lw.aggregate.OneCoinDawidSkene(),
]


def _assert_same_fit(got, ref):
    # dask stores strings as Arrow strings: compare values, not the string dtype
    pd.testing.assert_series_equal(got.labels_, ref.labels_, check_dtype=False, check_index_type=False)
    np.testing.assert_allclose(got.probas_.to_numpy(), ref.probas_.to_numpy(), rtol=0, atol=1e-9)
    assert list(got.probas_.columns) == list(ref.probas_.columns)
    pd.testing.assert_index_equal(got.probas_.index, ref.probas_.index, exact=False)
    np.testing.assert_allclose(got.annotator_skill_.to_numpy(), ref.annotator_skill_.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(got.loss_history_, ref.loss_history_, rtol=1e-12)
    assert (got.n_iter_, got.converged_, got.n_duplicates_) == (ref.n_iter_, ref.converged_, ref.n_duplicates_)
    pd.testing.assert_series_equal(got.n_answers_per_item_, ref.n_answers_per_item_, check_index_type=False)
    if hasattr(ref, "annotator_confusion_"):
        np.testing.assert_allclose(got.annotator_confusion_, ref.annotator_confusion_, atol=1e-9)
    if hasattr(ref, "priors_"):
        np.testing.assert_allclose(got.priors_.to_numpy(), ref.priors_.to_numpy(), atol=1e-12)


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: f"{type(e).__name__}-{e.get_params().get('smoothing', '')}")
def test_distributed_fit_matches_in_memory_fit(est):
    answers = _answers()
    ref = lw.base_clone(est).fit(answers) if hasattr(lw, "base_clone") else type(est)(**est.get_params()).fit(answers)
    with dask.config.set(scheduler="sync"):
        got = distributed.fit(type(est)(**est.get_params()), dd.from_pandas(answers, npartitions=5))
    _assert_same_fit(got, ref)


def test_distributed_fit_on_a_local_cluster_with_duplicates_and_string_labels(client):
    answers = _answers(800, 3, seed=2)
    answers["label"] = np.array(["cat", "dog", "eel"], dtype=object)[answers["label"].to_numpy()]
    answers = pd.concat([answers, answers.iloc[:50]], ignore_index=True)  # repeated (item, annotator) pairs
    ref = lw.aggregate.DawidSkene().fit(answers)
    got = distributed.fit(lw.aggregate.DawidSkene(), dd.from_pandas(answers, npartitions=3), npartitions=4)
    _assert_same_fit(got, ref)
    assert got.n_duplicates_ == 50


def test_any_partitioning_gives_the_same_labels():
    answers = _answers(500, 3, seed=4)
    ref = lw.aggregate.OneCoinDawidSkene().fit(answers)
    with dask.config.set(scheduler="sync"):
        for n in (1, 2, 7):
            got = distributed.fit(
                lw.aggregate.OneCoinDawidSkene(), dd.from_pandas(answers, npartitions=n), npartitions=n
            )
            _assert_same_fit(got, ref)


def test_dawid_skene_m_step_takes_a_pseudo_count_array():
    counts = np.array([[[3.0, 1.0], [0.0, 2.0]]])
    prior, given = distributed.dawid_skene_m_step(counts, np.array([3.0, 3.0]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_allclose(prior, [0.5, 0.5])
    # cells = counts + pseudo, floored at 1e-10 where the pseudo-count is 0; columns (true k) sum to 1
    cells = np.array([[4.0, 1.0], [1e-10, 3.0]])
    np.testing.assert_allclose(given[0], cells / cells.sum(axis=0), rtol=1e-12)


def test_bad_estimator_and_missing_columns_are_clear_errors():
    ddf = dd.from_pandas(_answers(50), npartitions=2)
    with pytest.raises(LabelwiseError, match="estimator must be a MajorityVote, DawidSkene or OneCoinDawidSkene"):
        distributed.fit(lw.aggregate.GLAD(), ddf)
    with pytest.raises(LabelwiseError, match=r"missing \['worker'\]"):
        distributed.fit(lw.aggregate.MajorityVote(annotator_col="worker"), ddf)
    with pytest.raises(LabelwiseError, match="duplicates must be 'keep'"):
        distributed.fit(lw.aggregate.MajorityVote(duplicates="last"), ddf)


@pytest.mark.parametrize("per_item", [1, 2])
def test_distributed_default_prior_and_guard_match_in_memory(per_item):
    """The diagonal prior's pseudo-counts and the relabelling guard's fallback are the in-memory ones."""
    from labelwise.aggregate.simulate_sparse import simulate_sparse_crowd

    answers = simulate_sparse_crowd(1500, 10, 80, answers_per_item=per_item, random_state=1).answers
    with pytest.warns() if per_item == 1 else _no_warning():
        ref = lw.aggregate.DawidSkene().fit(answers)
    with dask.config.set(scheduler="sync"), pytest.warns() if per_item == 1 else _no_warning():
        got = distributed.fit(lw.aggregate.DawidSkene(), dd.from_pandas(answers, npartitions=4))
    assert got.fallback_ == ref.fallback_ == ("majority-vote" if per_item == 1 else None)
    assert got.dependent_pairs_.empty and ref.dependent_pairs_.empty  # checked on both: no dependent pair
    np.testing.assert_allclose(got.pseudo_counts_, ref.pseudo_counts_, rtol=1e-12)
    _assert_same_fit(got, ref)


def _no_warning():
    import contextlib

    return contextlib.nullcontext()
