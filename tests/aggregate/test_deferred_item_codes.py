"""Item codes whose gather the encoding defers (integer ids with gaps): every read of ``item_idx``
sees the gathered codes, and a majority vote counted from the sorted keys never gathers them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene, MajorityVote, encode_answers
from labelwise.aggregate._base import _agreement_from_keys, agreement_skill
from labelwise.aggregate._factorize import GatheredCodes, _factorize_dense_ints


def _sparse_crowd(seed: int, n: int = 12_000, n_items: int = 2500, n_ann: int = 900) -> pd.DataFrame:
    """Few answers on many items x annotators (the encoding sorts its keys), item ids from 0 with
    gaps (the deferred gather), 75% right answers, one pair answered many times, ties."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n_items)
    item = rng.integers(0, n_items, n)
    item[0] = 0  # ids from 0: the codes are a gather by the column itself
    ann = rng.integers(0, n_ann, n)
    ann[1:40], item[1:40] = ann[0], item[0]
    label = np.where(rng.random(n) < 0.75, truth[item], rng.integers(0, 3, n))
    return pd.DataFrame({"item": item * 3, "annotator": ann, "label": label})


class TestDeferredCodes:
    def test_the_encoding_defers_and_a_read_gathers_the_same_codes(self):
        """Integer ids from 0 with gaps are deferred; the first read of item_idx gives the codes
        of the plain gather (int32), and n_answers does not gather them."""
        frame = _sparse_crowd(0)
        enc = encode_answers(frame)
        assert not enc.item_codes_gathered and enc.row_keys is not None
        assert enc.n_answers == len(frame) and not enc.item_codes_gathered
        expect, _ = _factorize_dense_ints(frame["item"])
        codes = enc.item_idx
        assert enc.item_codes_gathered and enc.item_idx is codes  # gathered once, then kept
        assert codes.dtype == np.int32
        np.testing.assert_array_equal(codes, expect)
        np.testing.assert_array_equal(codes, pd.factorize(frame["item"], sort=True)[0])

    def test_other_id_columns_are_not_deferred(self):
        """Ids without gaps, ids not from 0 (an offset made for the gather) and int32 columns are
        gathered at once, as before."""
        for item in ([0, 1, 2, 2], [3, 5, 9, 5], np.array([0, 4, 8], dtype=np.int32)):
            codes, _ = _factorize_dense_ints(pd.Series(item), defer=True)
            assert isinstance(codes, np.ndarray)

    def test_scaled_codes_equal_the_widened_product(self):
        """GatheredCodes.scaled gives np.multiply(gather, factor, dtype=int64) across blocks,
        also past the int32 range."""
        rng = np.random.default_rng(1)
        table = np.cumsum(rng.random(5000) < 0.7, dtype=np.int32)
        index = rng.integers(0, 5000, 200_003)
        deferred = GatheredCodes(table, index)
        expect = np.multiply(table[index], 2**31 - 5, dtype=np.int64)
        np.testing.assert_array_equal(deferred.scaled(2**31 - 5), expect)
        assert len(deferred) == 200_003 and deferred.dtype == np.int32

    @pytest.mark.parametrize("duplicates", ["keep", "last"])
    def test_majority_vote_never_gathers_and_equals_a_fit_on_gathered_codes(self, duplicates):
        """A majority vote on a deferred encoding reads the sorted keys only (the codes stay
        ungathered with "keep"); its labels, posteriors and skills equal those of a fit on the same
        encoding with the codes gathered first, and of a fit on ids without gaps."""
        frame = _sparse_crowd(2)
        enc = encode_answers(frame, duplicates=duplicates)
        mv = MajorityVote(duplicates=duplicates)._fit_encoded(enc, owned=True)
        assert enc.item_codes_gathered == (duplicates == "last")
        gathered = encode_answers(frame, duplicates=duplicates)
        _ = gathered.item_idx
        ref = MajorityVote(duplicates=duplicates)._fit_encoded(gathered, owned=True)
        plain = frame.assign(item=pd.factorize(frame["item"], sort=True)[0])  # the same items, no gaps
        no_gaps = MajorityVote(duplicates=duplicates).fit(plain)
        for other in (ref, no_gaps):
            np.testing.assert_array_equal(mv.label_codes_, other.label_codes_)
            assert np.array_equal(mv.probas_.to_numpy(), other.probas_.to_numpy())
            assert np.array_equal(mv.annotator_skill_.to_numpy(), other.annotator_skill_.to_numpy())
            np.testing.assert_array_equal(mv.n_answers_per_item_.to_numpy(), other.n_answers_per_item_.to_numpy())
        np.testing.assert_array_equal(mv.labels_.index.to_numpy(), ref.labels_.index.to_numpy())

    def test_dawid_skene_and_replace_read_deferred_codes_as_arrays(self):
        """Dawid-Skene (which takes the codes' memory for its count matrix) and dataclasses.replace
        on a deferred encoding give what they give on gathered codes."""
        frame = _sparse_crowd(3)
        deferred = DawidSkene()._fit_encoded(encode_answers(frame), owned=True)
        gathered_enc = encode_answers(frame)
        _ = gathered_enc.item_idx
        gathered = DawidSkene()._fit_encoded(gathered_enc, owned=True)
        assert np.array_equal(deferred.probas_.to_numpy(), gathered.probas_.to_numpy())
        enc = encode_answers(frame)
        copy = dataclasses.replace(enc, row_keys=None)
        assert isinstance(copy.item_idx, np.ndarray) and copy.item_codes_gathered
        np.testing.assert_array_equal(copy.item_idx, enc.item_idx)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 200),
    st.integers(1, 9),
    st.integers(1, 7),
    st.integers(2, 6),
    st.integers(1, 50),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_agreement_from_keys_equals_a_count_from_the_codes(n, n_items, n_ann, k, block, shuffle, seed):
    """Misses and hits decoded from ``(item * n_ann + annotator) * k + label`` keys, by blocks of
    any size and in any order, equal a direct count from the codes."""
    rng = np.random.default_rng(seed)
    item, ann, label = rng.integers(0, n_items, n), rng.integers(0, n_ann, n), rng.integers(0, k, n)
    keys = (item * n_ann + ann) * k + label
    keys = rng.permutation(keys) if shuffle else np.sort(keys)
    table = rng.integers(0, k, n_items).astype(np.int8)
    expect = np.bincount(2 * ann + (label == table[item]), minlength=2 * n_ann)
    np.testing.assert_array_equal(_agreement_from_keys(keys, table, n_ann, k, block), expect)


def test_agreement_skill_from_keys_equals_it_from_codes():
    """agreement_skill on a deferred encoding (from its keys) equals it on the gathered codes."""
    frame = _sparse_crowd(4)
    codes = np.random.default_rng(4).integers(0, 3, frame["item"].nunique())
    deferred = encode_answers(frame)
    from_keys = agreement_skill(deferred, codes, block=1000)
    assert not deferred.item_codes_gathered
    gathered = encode_answers(frame)
    _ = gathered.item_idx
    assert np.array_equal(from_keys, agreement_skill(gathered, codes, block=777))
    np.testing.assert_array_equal(deferred.answers_per_annotator, np.bincount(gathered.annotator_idx))
