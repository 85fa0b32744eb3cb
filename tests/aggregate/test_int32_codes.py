"""Tests for int32 answer codes (labelwise.aggregate._factorize.code_dtype): codes gathered from a
table of ranks are int32, and every fit on them equals the fit on the same codes in int64."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene, MajorityVote, OneCoinDawidSkene, encode_answers
from labelwise.aggregate._base import agreement_skill
from labelwise.aggregate._factorize import code_dtype
from labelwise.aggregate._observed import _sorted_column_codes
from labelwise.aggregate._patterns import sorted_columns
from labelwise.errors import AnnotationError

METHODS = (MajorityVote, DawidSkene, OneCoinDawidSkene)


def _gapped(rng: np.random.Generator, n: int, n_items: int, n_ann: int, k: int = 3) -> pd.DataFrame:
    """Integer ids with gaps (even numbers only), so the codes are gathered from a rank table."""
    return pd.DataFrame(
        {
            "item": 2 * rng.integers(0, n_items, n),
            "annotator": 2 * rng.integers(0, n_ann, n) + 1,
            "label": rng.integers(0, k, n),
        }
    )


def _widened(enc):  # type: ignore[no-untyped-def]
    """The same encoding with every code array in int64."""
    return dataclasses.replace(
        enc,
        item_idx=enc.item_idx.astype(np.int64),
        annotator_idx=enc.annotator_idx.astype(np.int64),
        label_idx=enc.label_idx.astype(np.int64),
    )


def _fit_encoded(cls, enc):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls()._fit_encoded(enc)


class TestCodeDtype:
    def test_int32_below_two_to_the_31(self):
        """int32 while every code and -1 fit, int64 from 2**31 distinct values on."""
        assert code_dtype(0) is np.int32 and code_dtype(2**31 - 1) is np.int32
        assert code_dtype(2**31) is np.int64

    def test_gathered_codes_are_int32_and_column_views_stay_int64(self):
        """Ids with gaps and Arrow strings give int32 codes; int64 ids 0..n-1 stay a view of the column."""
        enc = encode_answers(_gapped(np.random.default_rng(0), 300, 40, 9))
        assert enc.item_idx.dtype == np.int32 and enc.annotator_idx.dtype == np.int32
        strings = pd.DataFrame({"item": pd.array(["b", "a", "c"], dtype="str"), "annotator": ["w", "w", "v"]})
        strings["annotator"] = strings["annotator"].astype("str")
        strings["label"] = [0, 1, 1]
        enc = encode_answers(strings)
        if isinstance(strings["item"].array, pd.arrays.ArrowExtensionArray):
            assert enc.item_idx.dtype == np.int32
        assert enc.items[enc.item_idx].tolist() == ["b", "a", "c"]
        dense = pd.DataFrame({"item": np.arange(5), "annotator": np.arange(5) % 2, "label": np.arange(5) % 3})
        assert encode_answers(dense).item_idx.dtype == np.int64


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    n=st.integers(1, 400),
    n_items=st.integers(1, 60),
    n_ann=st.integers(1, 12),
    duplicates=st.sampled_from(["keep", "last"]),
)
def test_fits_on_int32_codes_equal_fits_on_int64_codes(seed, n, n_items, n_ann, duplicates):
    """Labels, posteriors and skills of every method are equal bit for bit whether the codes are int32 or int64."""
    table = _gapped(np.random.default_rng(seed), n, n_items, n_ann)
    enc = encode_answers(table, duplicates=duplicates)
    assert enc.item_idx.dtype == np.int32 or enc.n_items == 1  # one id: a full range, int64 offsets
    wide = _widened(enc)
    np.testing.assert_array_equal(sorted_columns(enc), sorted_columns(wide))
    for cls in METHODS:
        a, b = _fit_encoded(cls, enc), _fit_encoded(cls, wide)
        np.testing.assert_array_equal(a.label_codes_, b.label_codes_)
        np.testing.assert_array_equal(a.probas_.to_numpy(), b.probas_.to_numpy())
        np.testing.assert_array_equal(a.annotator_skill_.to_numpy(), b.annotator_skill_.to_numpy())


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), n=st.integers(1, 300), block=st.sampled_from([1, 3, 64, 1 << 20]))
def test_agreement_skill_on_int32_codes_equals_a_direct_count(seed, n, block):
    """Each annotator's share of answers equal to the item's label, in any block size, equals a direct count."""
    rng = np.random.default_rng(seed)
    enc = encode_answers(_gapped(rng, n, 30, 7))
    codes = rng.integers(0, enc.n_classes, enc.n_items)
    hit = enc.label_idx == codes[enc.item_idx]
    expected = np.bincount(enc.annotator_idx, weights=hit) / np.bincount(enc.annotator_idx)
    np.testing.assert_array_equal(agreement_skill(enc, codes, block), expected)
    np.testing.assert_array_equal(agreement_skill(_widened(enc), codes, block), expected)


class TestLargeCodes:
    """Codes whose products pass 2**31: 50,000 items by 50,000 annotators (int32 codes, int64 keys)."""

    @staticmethod
    def _table() -> pd.DataFrame:
        rng = np.random.default_rng(3)
        n_items = n_ann = 50_000
        items = np.r_[np.arange(n_items), rng.integers(0, n_items, 40_000), [n_items - 1] * 2]
        anns = np.r_[rng.permutation(n_ann), rng.integers(0, n_ann, 40_000), [n_ann - 1] * 2]
        labels = rng.integers(0, 4, len(items))
        return pd.DataFrame({"item": 3 * items + 7, "annotator": 5 * anns + 11, "label": labels})

    def test_duplicates_and_keys_equal_those_of_int64_codes(self):
        """Duplicate counts, kept rows, sorted keys and count-matrix columns equal those of object ids (int64 codes)."""
        table = self._table()
        objects = table.astype({"item": object, "annotator": object})
        for duplicates in ("keep", "last"):
            enc, ref = encode_answers(table, duplicates=duplicates), encode_answers(objects, duplicates=duplicates)
            assert enc.item_idx.dtype == np.int32 and ref.item_idx.dtype == np.int64
            assert enc.n_items * enc.n_annotators > 2**31
            expected_dup = int(table.duplicated(["item", "annotator"]).sum())
            assert enc.n_duplicates == ref.n_duplicates == expected_dup >= 2
            np.testing.assert_array_equal(enc.item_idx, ref.item_idx)
            np.testing.assert_array_equal(enc.annotator_idx, ref.annotator_idx)
            if ref.row_keys is None:
                assert enc.row_keys is None
            else:
                np.testing.assert_array_equal(enc.row_keys, ref.row_keys)
            np.testing.assert_array_equal(sorted_columns(enc), sorted_columns(ref))
            np.testing.assert_array_equal(_sorted_column_codes(enc)[0], _sorted_column_codes(ref)[0])

    def test_majority_vote_equals_that_of_int64_codes(self):
        """Labels, shares and skills equal those of the same table with object ids."""
        table = self._table()
        a = MajorityVote().fit(table)
        b = MajorityVote().fit(table.astype({"item": object, "annotator": object}))
        np.testing.assert_array_equal(a.label_codes_, b.label_codes_)
        np.testing.assert_array_equal(a.probas_.to_numpy(), b.probas_.to_numpy())
        np.testing.assert_array_equal(a.annotator_skill_.to_numpy(), b.annotator_skill_.to_numpy())
        assert a.n_duplicates_ == b.n_duplicates_


class TestInputs:
    def test_read_only_and_memory_mapped_columns_give_the_same_fit(self, tmp_path):
        """Columns that are read-only arrays or memory-mapped files give the in-memory fit."""
        table = _gapped(np.random.default_rng(5), 2_000, 300, 20)
        columns = {}
        for name in table.columns:
            path = tmp_path / f"{name}.npy"
            np.save(path, table[name].to_numpy())
            columns[name] = np.load(path, mmap_mode="r")
        mapped = pd.DataFrame(columns, copy=False)
        frozen = {name: table[name].to_numpy().copy() for name in table.columns}
        for arr in frozen.values():
            arr.flags.writeable = False
        for cls in METHODS:
            ref = _fit_encoded(cls, encode_answers(table))
            for other in (mapped, pd.DataFrame(frozen, copy=False)):
                got = _fit_encoded(cls, encode_answers(other))
                np.testing.assert_array_equal(got.label_codes_, ref.label_codes_)
                np.testing.assert_array_equal(got.probas_.to_numpy(), ref.probas_.to_numpy())

    def test_one_answer_and_empty_tables(self):
        """One answer fits every method; an empty table is refused, naming the parameter."""
        one = pd.DataFrame({"item": pd.array(["x"], dtype="str"), "annotator": [3], "label": ["cat"]})
        for cls in METHODS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est = cls(labels=["cat", "dog"]).fit(one)
            assert est.labels_.tolist() == ["cat"] and est.n_answers_ == 1
        with pytest.raises(AnnotationError, match="answers must have at least one answer"):
            MajorityVote().fit(one.iloc[:0])


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.integers(0, 9), min_size=1, max_size=80),
    n_extra=st.integers(0, 3),
    per_value=st.integers(0, 4),
    min_prefix=st.integers(0, 20),
)
def test_presence_by_prefix_equals_a_full_count(values, n_extra, per_value, min_prefix):
    """The presence table marked prefix first equals ``bincount > 0`` whatever the prefix's size."""
    from labelwise.aggregate import _factorize

    offset = np.asarray(values, dtype=np.int64)
    n_values = int(offset.max()) + 1 + n_extra
    expected = np.bincount(offset, minlength=n_values) > 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_factorize, "PRESENCE_PREFIX_PER_VALUE", per_value)
        patch.setattr(_factorize, "PRESENCE_MIN_PREFIX", min_prefix)
        np.testing.assert_array_equal(_factorize._presence(offset, n_values), expected)


def test_a_value_seen_only_after_the_prefix_is_present(monkeypatch):
    """A value that first occurs after the prefix gets a code (the rest is read when the prefix lacks a value)."""
    from labelwise.aggregate import _factorize

    monkeypatch.setattr(_factorize, "PRESENCE_MIN_PREFIX", 4)
    monkeypatch.setattr(_factorize, "PRESENCE_PREFIX_PER_VALUE", 1)
    ids = pd.Series(np.r_[np.zeros(10, dtype=np.int64), [1, 3]])
    codes, uniques = _factorize._factorize_dense_ints(ids)
    assert uniques.tolist() == [0, 1, 3] and codes.tolist() == [0] * 10 + [1, 2]
    full = pd.Series(np.r_[np.zeros(10, dtype=np.int64), [2, 1]])
    codes, uniques = _factorize._factorize_dense_ints(full)
    assert uniques.tolist() == [0, 1, 2] and codes.tolist() == [0] * 10 + [2, 1]
