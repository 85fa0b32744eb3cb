"""Tests for the count matrix's data in the memory of the encoding's sorted keys
(labelwise.aggregate._observed._unit_data): only an encoding made for one fit is consumed, and the
fit equals the one on an encoding that is not."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import DawidSkene, OneCoinDawidSkene, _observed, _patterns, encode_answers
from labelwise.aggregate._bincount import cell_sums


def _sparse_crowd(seed: int = 0, n_items: int = 3_000, n_ann: int = 1_000, per_item: int = 4) -> pd.DataFrame:
    """Few answers per item from many annotators: the encoding sorts its keys (``row_keys``)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n_items)
    item = np.repeat(np.arange(n_items), per_item)
    right = rng.random(item.size) < 0.75
    label = np.where(right, truth[item], (truth[item] + rng.integers(1, 3, item.size)) % 3)
    return pd.DataFrame({"item": item, "annotator": rng.integers(0, n_ann, item.size), "label": label})


@pytest.fixture
def ungrouped(monkeypatch):
    """Pattern grouping decided on a small sample, so that this crowd's items are not grouped (as at 10M answers)."""
    monkeypatch.setattr(_patterns, "PATTERN_SAMPLE_ITEMS", 200)


@pytest.fixture
def consumed(monkeypatch):
    """Records, per count matrix built, whether its data took the memory of the encoding's keys."""
    calls: list[bool] = []
    original = _observed._unit_data

    def spy(enc, n, consume_keys):  # type: ignore[no-untyped-def]
        keys = enc.row_keys
        data = original(enc, n, consume_keys)
        calls.append(keys is not None and np.shares_memory(data, keys))
        return data

    monkeypatch.setattr(_observed, "_unit_data", spy)
    return calls


@pytest.mark.parametrize("cls", [DawidSkene, OneCoinDawidSkene])
def test_a_fit_consumes_its_own_keys_and_equals_a_fit_on_a_shared_encoding(cls, ungrouped, consumed):
    """``fit`` puts the data in its own encoding's keys; the result equals a fit that leaves a shared encoding's keys alone."""
    answers = _sparse_crowd()
    shared = encode_answers(answers)
    assert shared.row_keys is not None and not shared.patterns.grouped
    keys = shared.row_keys.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = cls()._fit_encoded(shared)
        assert consumed == [False]
        np.testing.assert_array_equal(shared.row_keys, keys)  # a shared encoding keeps its keys
        got = cls().fit(answers)
    assert consumed == [False, True]
    assert not hasattr(got, "_own_encoding")
    np.testing.assert_array_equal(got.label_codes_, ref.label_codes_)
    np.testing.assert_array_equal(got.probas_.to_numpy(), ref.probas_.to_numpy())
    np.testing.assert_array_equal(got.annotator_skill_.to_numpy(), ref.annotator_skill_.to_numpy())
    assert got.loss_history_ == ref.loss_history_


def test_a_consumed_encoding_counts_votes_from_its_codes(ungrouped):
    """After the keys are taken, ``row_keys`` is None and the vote counts come from the codes, equal to before."""
    enc = encode_answers(_sparse_crowd(1))
    before = enc.item_class_sum(None)
    data = _observed._unit_data(enc, enc.n_answers, True)
    assert enc.row_keys is None and (data == 1.0).all()
    after = enc.item_class_sum(None)
    np.testing.assert_array_equal(after, before)
    np.testing.assert_array_equal(after, cell_sums(enc.item_idx, enc.label_idx, enc.n_items, enc.n_classes))


def test_keys_that_cannot_hold_the_data_are_left_alone():
    """Read-only keys, keys of another length and ``consume_keys=False`` give fresh ones and keep ``row_keys``."""
    enc = encode_answers(_sparse_crowd(2))
    keys = enc.row_keys
    assert keys is not None
    for n, consume in ((enc.n_answers, False), (enc.n_answers - 1, True)):
        data = _observed._unit_data(enc, n, consume)
        assert enc.row_keys is keys and not np.shares_memory(data, keys) and (data == 1.0).all()
    keys.flags.writeable = False
    data = _observed._unit_data(enc, enc.n_answers, True)
    assert enc.row_keys is keys and not np.shares_memory(data, keys)


def test_vote_shares_consume_the_cached_counts_only_when_asked():
    """``consume=True`` divides the cached counts in place and drops them from the encoding; without it they stay intact."""
    from labelwise.aggregate.majority import _vote_shares_in_place, weighted_vote_shares

    answers = _sparse_crowd(3, n_items=500, n_ann=40, per_item=3)
    expected = weighted_vote_shares(encode_answers(answers))
    n_per_item = np.bincount(encode_answers(answers).item_idx)
    shared = encode_answers(answers)
    counts = shared.item_label_counts.copy()
    got = _vote_shares_in_place(shared)
    assert not np.shares_memory(got, shared.item_label_counts)
    np.testing.assert_array_equal(shared.item_label_counts, counts)
    own = encode_answers(answers)
    cached = own.item_label_counts
    got_own = _vote_shares_in_place(own, consume=True)
    assert got_own is cached and "item_label_counts" not in own.__dict__
    for shares in (got, got_own):
        np.testing.assert_array_equal(shares, expected)
    np.testing.assert_array_equal(own.answers_per_item, n_per_item)
    np.testing.assert_array_equal(own.item_label_counts, counts)  # counted again on a later use
