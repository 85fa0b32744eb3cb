"""Dawid-Skene's dependent-pair check on a Dask DataFrame: the same pairs, weights and fit as in memory."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.aggregate import DawidSkene, distributed
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate._dask_pairs import DaskPairs
from labelwise.aggregate._dependent import MemoryPairs, find_dependent_pairs
from labelwise.aggregate._observed import _Observed
from labelwise.aggregate._partition_stats import prepare
from labelwise.aggregate.majority import weighted_vote_shares
from tests.aggregate._crowd import confusion_crowd, pair_crowd

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")


def _fit(answers: pd.DataFrame, npartitions: int, **params) -> tuple[DawidSkene, DawidSkene]:
    """The in-memory fit and the Dask fit (on the current scheduler) of ``DawidSkene(**params)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = DawidSkene(**params).fit(answers)
        got = distributed.fit(
            DawidSkene(**params), dd.from_pandas(answers, npartitions=npartitions), npartitions=npartitions
        )
    return ref, got


def _assert_same(ref: DawidSkene, got: DawidSkene) -> None:
    pd.testing.assert_series_equal(got.labels_, ref.labels_, check_dtype=False, check_index_type=False)
    np.testing.assert_allclose(got.probas_.to_numpy(), ref.probas_.to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(got.annotator_confusion_, ref.annotator_confusion_, atol=1e-9)
    np.testing.assert_allclose(got.loss_history_, ref.loss_history_, rtol=1e-12)
    assert (got.n_iter_, got.fallback_) == (ref.n_iter_, ref.fallback_)
    pairs, ref_pairs = got.dependent_pairs_, ref.dependent_pairs_
    assert list(pairs.annotator_a) == list(ref_pairs.annotator_a)
    assert list(pairs.annotator_b) == list(ref_pairs.annotator_b)
    for col in ("n_shared", "agreements"):
        np.testing.assert_array_equal(pairs[col].to_numpy(), ref_pairs[col].to_numpy())
    for col in ("expected", "z"):
        np.testing.assert_allclose(pairs[col].to_numpy(), ref_pairs[col].to_numpy(), rtol=0, atol=1e-9)


class TestDistributedFitWithThePairCheck:
    def test_planted_pair_on_a_local_cluster(self, client):
        """On a crowd with a heavy dependent pair, the LocalCluster fit flags the same pair with the
        same z and gives the in-memory labels and posteriors."""
        answers, _ = pair_crowd(seed=0)
        ref, got = _fit(answers, 4)
        assert len(ref.dependent_pairs_) == 1  # the planted pair is flagged: the weighted model was fitted
        _assert_same(ref, got)

    def test_crowd_without_a_pair_on_a_local_cluster(self, client):
        """Independent annotators: no pair on either side, and the same fit."""
        answers, _ = confusion_crowd(600, 2, accuracies=np.linspace(0.6, 0.9, 8), seed=5)
        ref, got = _fit(answers, 3)
        assert ref.dependent_pairs_.empty and got.dependent_pairs_.empty
        _assert_same(ref, got)

    def test_copied_account_and_the_guard(self):
        """A copied account among near-chance annotators (maximum likelihood prior): the same pair,
        fallback decision and fit."""
        answers, _ = confusion_crowd(400, 3, accuracies=(0.9, 0.75, 0.6, 0.55, 0.5), seed=3)
        copy = answers[answers.annotator == "a2"].assign(annotator="copy")
        doubled = pd.concat([answers.astype({"annotator": object}), copy], ignore_index=True)
        with dask.config.set(scheduler="sync"):
            ref, got = _fit(doubled, 5, prior_strength=0)
        assert {ref.dependent_pairs_.annotator_a.iloc[0], ref.dependent_pairs_.annotator_b.iloc[0]} == {"a2", "copy"}
        _assert_same(ref, got)

    def test_check_off_is_the_plain_fit(self):
        """``dependency_threshold=None`` runs no check on Dask either: an empty frame and the plain fit."""
        answers, _ = pair_crowd(n_items=600, seed=1)
        with dask.config.set(scheduler="sync"):
            ref, got = _fit(answers, 3, dependency_threshold=None)
        assert got.dependent_pairs_.empty
        _assert_same(ref, got)

    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(npartitions=st.integers(1, 12), seed=st.integers(0, 2))
    def test_partition_count_does_not_change_the_answer(self, npartitions, seed):
        """Any number of partitions gives the in-memory pairs, labels and posteriors."""
        answers, _ = pair_crowd(n_items=500, seed=seed)
        with dask.config.set(scheduler="sync"):
            ref, got = _fit(answers, npartitions)
        _assert_same(ref, got)


def _codes(answers: pd.DataFrame) -> tuple[pd.DataFrame, object]:
    enc = encode_answers(answers)
    return pd.DataFrame({"i": enc.item_idx, "a": enc.annotator_idx, "l": enc.label_idx}).astype(np.int64), enc


def _in_memory(answers: pd.DataFrame, threshold: float = 5.0):
    est = DawidSkene()
    _, enc = _codes(answers)
    pat = enc.patterns
    pseudo = est._pseudo_counts(pat)
    obs = _Observed.build(pat)
    data = MemoryPairs(est, enc, pat, obs, weighted_vote_shares(pat.answers))
    return find_dependent_pairs(data, pseudo, threshold, est.max_iter, est.tol), pseudo


def _on_parts(answers: pd.DataFrame, cuts: list[int], pseudo: np.ndarray, threshold: float = 5.0):
    """The check on partitions holding the items ``cuts[i] .. cuts[i + 1] - 1`` (answers shuffled)."""
    codes, enc = _codes(answers.sample(frac=1.0, random_state=0))
    k = enc.n_classes
    parts = tuple(
        prepare(codes[(codes.i >= lo) & (codes.i < hi)], k) for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)
    )
    n = np.bincount(codes.i, minlength=enc.n_items).astype(np.float64)
    data = DaskPairs(parts, k, enc.n_items, enc.n_annotators, float((n * (n - 1)).sum()))
    with dask.config.set(scheduler="sync"):
        return find_dependent_pairs(data, pseudo, threshold, 100, 1e-5)


class TestDaskPairsOnChosenPartitions:
    @pytest.mark.parametrize(
        "cuts",
        [[0, 1, 1500], [0, 700, 701, 702, 1500], [0, 3, 1400, 1499, 1500], [0, 0, 200, 1500]],
        ids=["one-item-first", "one-item-middle", "uneven", "empty"],
    )
    def test_uneven_partitions_and_one_item(self, cuts):
        """Partitions of very uneven sizes, one holding a single item (or none), give the in-memory
        pairs: the same counts, and the same expected agreements and z to 1e-9."""
        answers, _ = pair_crowd(seed=2)
        ref, pseudo = _in_memory(answers)
        got = _on_parts(answers, cuts, pseudo)
        assert ref is not None and got is not None
        np.testing.assert_array_equal(got[:, :4], ref[:, :4])
        np.testing.assert_allclose(got[:, 4:], ref[:, 4:], rtol=0, atol=1e-9)

    def test_screen_on_a_sample_of_items(self, monkeypatch):
        """Above ``SAMPLE_ROWS`` items both sides screen the same sample of items (answer patterns
        in memory, items on the partitions) and find the same pairs."""
        import labelwise.aggregate._pair_check as pc

        monkeypatch.setattr(pc, "SAMPLE_ROWS", 400)
        answers, _ = pair_crowd(seed=0)
        ref, pseudo = _in_memory(answers)
        got = _on_parts(answers, [0, 500, 900, 1500], pseudo)
        assert ref is not None and got is not None
        np.testing.assert_array_equal(got[:, :4], ref[:, :4])
        np.testing.assert_allclose(got[:, 4:], ref[:, 4:], rtol=0, atol=1e-9)

    def test_pair_counts_are_bucketed_without_changing_them(self, monkeypatch):
        """Pair counts reduced in many buckets (a small :data:`KEYS_PER_BUCKET`) are the same."""
        import labelwise.aggregate._dask_pairs as dp

        answers, _ = pair_crowd(n_items=600, seed=1)
        ref, pseudo = _in_memory(answers, threshold=2.0)
        monkeypatch.setattr(dp, "KEYS_PER_BUCKET", 50)
        got = _on_parts(answers, [0, 100, 350, 600], pseudo, threshold=2.0)
        if ref is None:
            assert got is None
        else:
            np.testing.assert_array_equal(got[:, :4], ref[:, :4])

    def test_one_coin_is_unchanged_by_the_sorted_partitions(self):
        """One-coin (no pair check) on partitions whose answers are sorted by item: the in-memory fit."""
        answers, _ = pair_crowd(n_items=400, seed=0)
        ref = lw.aggregate.OneCoinDawidSkene().fit(answers)
        with dask.config.set(scheduler="sync"):
            got = distributed.fit(lw.aggregate.OneCoinDawidSkene(), dd.from_pandas(answers, npartitions=3))
        np.testing.assert_allclose(got.probas_.to_numpy(), ref.probas_.to_numpy(), rtol=0, atol=1e-9)
