"""Tests for the count matrix's column indices in the memory of the encoding's own item codes
(``EncodedAnswers.owns_item_idx``, ``give_up_item_idx``; ``_Observed.build(consume_codes=True)``):
only codes the encoder allocated, of an encoding a fit made for itself, are taken; the fit equals
one on a shared encoding, which is left intact, and a user's arrays are never written."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene, MajorityVote, OneCoinDawidSkene, _answers, _patterns, encode_answers
from labelwise.aggregate._answers import EncodedAnswers, GivenUpCodes
from labelwise.aggregate._factorize import factorize_codes
from labelwise.aggregate._observed import _Observed
from labelwise.errors import EstimatorError, InvalidParameterError

METHODS = [DawidSkene, OneCoinDawidSkene]


def _crowd(seed: int = 0, n_items: int = 600, n_ann: int = 200, per_item: int = 4, gaps: bool = True) -> pd.DataFrame:
    """Few answers per item from many annotators; item ids with gaps (codes gathered, int32)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n_items)
    item = np.repeat(np.arange(n_items), per_item)
    right = rng.random(item.size) < 0.75
    label = np.where(right, truth[item], (truth[item] + rng.integers(1, 3, item.size)) % 3)
    ids = 3 * item + 7 if gaps else item
    return pd.DataFrame({"item": ids, "annotator": rng.integers(0, n_ann, item.size), "label": label})


@pytest.fixture
def given_up(monkeypatch):
    """Records, per call of ``give_up_item_idx``, whether the codes were given up."""
    calls: list[bool] = []
    original = EncodedAnswers.give_up_item_idx

    def spy(self, dtype):  # type: ignore[no-untyped-def]
        out = original(self, dtype)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(EncodedAnswers, "give_up_item_idx", spy)
    return calls


def _fit(cls, answers_or_enc, **params):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if isinstance(answers_or_enc, EncodedAnswers):
            return cls(**params)._fit_encoded(answers_or_enc)
        return cls(**params).fit(answers_or_enc)


def _assert_same(a, b) -> None:  # type: ignore[no-untyped-def]
    np.testing.assert_array_equal(a.label_codes_, b.label_codes_)
    np.testing.assert_array_equal(a.probas_.to_numpy(), b.probas_.to_numpy())
    np.testing.assert_array_equal(a.annotator_skill_.to_numpy(), b.annotator_skill_.to_numpy())
    np.testing.assert_array_equal(a.n_answers_per_item_.to_numpy(), b.n_answers_per_item_.to_numpy())
    assert a.loss_history_ == b.loss_history_ and a.n_answers_ == b.n_answers_
    assert a.labels_.index.equals(b.labels_.index)


class TestOwnership:
    def test_the_encoder_owns_only_codes_it_allocated(self):
        """Gathered, offset and widened integer codes are owned; the column's own 0..n-1 values are not."""
        gaps = pd.Series(np.array([5, 9, 5, 12], dtype=np.int64))
        assert factorize_codes(gaps)[2]
        dense = pd.Series(np.array([0, 1, 2, 1], dtype=np.int64))
        codes, _, own = factorize_codes(dense)
        assert not own and np.shares_memory(codes, dense.to_numpy()) and not codes.flags.writeable
        assert factorize_codes(pd.Series(np.array([0, 1, 2, 1], dtype=np.int32)))[2]  # an int64 copy
        assert factorize_codes(pd.Series(np.array([3, 4, 5], dtype=np.int64)))[2]  # offset - lo

    def test_arrow_and_pandas_codes_are_owned_only_when_gathered_here(self):
        """Arrow's dictionary indices and pandas' unchanged codes are not the encoder's; a gather into sorted order is."""
        pytest.importorskip("pyarrow")
        in_order = pd.Series(["a", "b", "a", "c"], dtype="string[pyarrow]")
        assert not factorize_codes(in_order)[2]
        assert factorize_codes(pd.Series(["c", "a", "c", "b"], dtype="string[pyarrow]"))[2]
        assert not factorize_codes(pd.Series(["a", "b", "a"], dtype=object))[2]  # first-seen = sorted
        assert factorize_codes(pd.Series(["b", "a", "b"], dtype=object))[2]

    def test_an_encoding_records_whether_its_item_codes_are_its_own(self):
        """encode_answers sets ``owns_item_idx`` from the factorisation; kept rows of ``duplicates='last'`` are its own."""
        assert encode_answers(_crowd(gaps=True)).owns_item_idx
        assert not encode_answers(_crowd(gaps=False)).owns_item_idx
        dup = pd.concat([_crowd(gaps=False).iloc[:50]] * 2, ignore_index=True)
        assert encode_answers(dup, duplicates="last").owns_item_idx
        enc = encode_answers(_crowd())
        assert not EncodedAnswers(
            enc.item_idx, enc.annotator_idx, enc.label_idx, enc.item_values, enc.annotator_values, enc.classes
        ).owns_item_idx


class TestGiveUp:
    @pytest.mark.parametrize("dtype", [np.int32, np.int64])
    def test_given_up_codes_keep_the_count_and_refuse_reads(self, dtype):
        """After the give-up, n_answers and answers_per_item hold; any read of the codes raises EstimatorError."""
        enc = encode_answers(_crowd(1))
        per_item = np.bincount(enc.item_idx, minlength=enc.n_items)
        n = enc.n_answers
        buf = enc.give_up_item_idx(dtype)
        if dtype is np.int64 and enc.item_idx.dtype == np.int32:  # int32 codes cannot hold int64 indices
            assert buf is None and enc.owns_item_idx
            return
        assert buf is not None and buf.dtype == dtype and buf.shape == (n,) and buf.flags.writeable
        assert isinstance(enc.item_idx, GivenUpCodes) and not enc.owns_item_idx
        assert enc.n_answers == n and len(enc.item_idx) == n
        np.testing.assert_array_equal(enc.answers_per_item, per_item)
        for read in (
            lambda: np.asarray(enc.item_idx),
            lambda: enc.item_idx[0],
            lambda: np.bincount(enc.item_idx),
            lambda: enc.item_sum(np.ones(n)),
            enc.to_frame,
        ):
            with pytest.raises(EstimatorError, match="given up"):
                read()
        assert enc.give_up_item_idx(dtype) is None  # only once

    def test_codes_that_cannot_be_given_up_stay(self):
        """Codes not owned, read-only, or narrower than the indices are kept; a bad dtype names the parameter."""
        enc = encode_answers(_crowd(2, gaps=False))  # the column's own int64 values
        assert enc.give_up_item_idx(np.int32) is None and not isinstance(enc.item_idx, GivenUpCodes)
        own = encode_answers(_crowd(2))
        own.item_idx.flags.writeable = False
        assert own.give_up_item_idx(np.int32) is None and own.owns_item_idx
        for bad in (np.float64, "nonsense", np.uint32):
            with pytest.raises(InvalidParameterError, match="dtype"):
                own.give_up_item_idx(bad)

    def test_the_count_matrix_equals_the_one_with_fresh_indices(self, given_up):
        """``build(consume_codes=True)`` writes the same indices into the codes' memory (sorted keys and sorted here)."""
        for drop_keys in (False, True):
            ref_enc, enc = encode_answers(_crowd(3)), encode_answers(_crowd(3))
            if drop_keys:
                for e in (ref_enc, enc):
                    object.__setattr__(e, "row_keys", None)
            codes = enc.item_idx
            ref = _Observed.build(ref_enc.patterns)
            got = _Observed.build(enc.patterns, consume_codes=True)
            assert np.shares_memory(got.m.indices, codes) == (not enc.patterns.grouped)
            for x, y in ((ref.m.indices, got.m.indices), (ref.m.indptr, got.m.indptr), (ref.m.data, got.m.data)):
                np.testing.assert_array_equal(x, y)


class TestFits:
    @pytest.mark.parametrize("cls", METHODS)
    @pytest.mark.parametrize("grouped", [False, True])
    @pytest.mark.parametrize("duplicates", ["keep", "last"])
    def test_a_fit_that_gives_up_its_codes_equals_a_fit_on_a_shared_encoding(
        self, cls, grouped, duplicates, given_up, monkeypatch
    ):
        """Labels, posteriors, skills, loss history equal; the shared encoding's codes and counts stay intact."""
        if not grouped:  # decided on a small sample: not grouped, as at 10M answers
            monkeypatch.setattr(_patterns, "PATTERN_SAMPLE_ITEMS", 100)
        answers = _crowd(4, n_ann=6 if grouped else 200)
        answers = pd.concat([answers, answers.iloc[:40]], ignore_index=True)  # some repeated pairs
        shared = encode_answers(answers, duplicates=duplicates)
        assert shared.patterns.grouped == grouped
        copies = [a.copy() for a in (shared.item_idx, shared.annotator_idx, shared.label_idx)]
        ref = _fit(cls, shared, duplicates=duplicates)
        assert given_up == [False] * len(given_up)
        got = _fit(cls, answers, duplicates=duplicates)
        assert any(given_up)
        _assert_same(got, ref)
        again = _fit(cls, shared, duplicates=duplicates)  # the user's encoding fitted twice: the same
        _assert_same(again, ref)
        for a, b in zip(copies, (shared.item_idx, shared.annotator_idx, shared.label_idx), strict=True):
            np.testing.assert_array_equal(a, b)

    @pytest.mark.parametrize("smoothing", [0.0, 0.01, "auto"])
    def test_dawid_skene_with_any_smoothing_and_the_fallback(self, smoothing, given_up, monkeypatch):
        """The vote shares are counted before the codes go (numeric smoothing: no prior counted them); a fallback equals majority vote."""
        monkeypatch.setattr(_patterns, "PATTERN_SAMPLE_ITEMS", 100)
        answers = _crowd(5)
        ref = _fit(DawidSkene, encode_answers(answers), smoothing=smoothing)
        got = _fit(DawidSkene, answers, smoothing=smoothing)
        assert given_up[-1]
        _assert_same(got, ref)
        real_e_step = DawidSkene._e_step

        def swapped(*args, **kwargs):  # type: ignore[no-untyped-def]  # classes 0 and 1 swapped: the guard falls back
            post, nll = real_e_step(*args, **kwargs)
            return post[:, [1, 0, 2]], nll

        est = DawidSkene(max_iter=1, smoothing=smoothing)
        est._e_step = swapped  # type: ignore[method-assign]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(answers)
        assert given_up[-1]
        if smoothing == "auto":  # the guard protects the default only
            assert est.fallback_ == "majority-vote"
            mv = _fit(MajorityVote, answers)
            np.testing.assert_array_equal(est.probas_.to_numpy(), mv.probas_.to_numpy())
            np.testing.assert_array_equal(est.label_codes_, mv.label_codes_)

    def test_a_users_categorical_column_is_left_intact(self, given_up):
        """A categorical item column's codes are not written; the fit equals the one on plain ids."""
        answers = _crowd(6)
        cat = answers.assign(item=pd.Categorical(answers["item"], categories=np.unique(answers["item"])))
        codes = cat["item"].cat.codes.to_numpy().copy()
        for cls in METHODS:
            got, ref = _fit(cls, cat), _fit(cls, answers)
            np.testing.assert_array_equal(cat["item"].cat.codes.to_numpy(), codes)
            np.testing.assert_array_equal(got.probas_.to_numpy(), ref.probas_.to_numpy())

    def test_read_only_and_memory_mapped_columns(self, tmp_path, given_up):
        """Read-only and memory-mapped id columns: results equal, the columns unchanged."""
        answers = _crowd(7, gaps=False)
        path = tmp_path / "items.npy"
        np.save(path, answers["item"].to_numpy())
        mapped = answers.assign(item=np.load(path, mmap_mode="r"))
        frozen = answers["item"].to_numpy().copy()
        frozen.flags.writeable = False
        read_only = answers.assign(item=frozen)
        for cls in METHODS:
            ref = _fit(cls, answers)
            for table in (mapped, read_only):
                _assert_same(_fit(cls, table), ref)
        np.testing.assert_array_equal(np.load(path), answers["item"].to_numpy())

    @pytest.mark.parametrize("cls", METHODS)
    def test_one_answer(self, cls):
        """A one-answer table fits (one item, its codes given up or not)."""
        got = _fit(cls, pd.DataFrame({"item": [10], "annotator": ["a"], "label": ["x"]}))
        assert got.labels_.tolist() == ["x"] and got.n_answers_ == 1

    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 10_000), n_items=st.integers(1, 60), n_ann=st.integers(1, 12), k=st.integers(2, 4))
    def test_any_small_crowd(self, seed, n_items, n_ann, k):
        """Property: on any small crowd (ids with gaps), a fit equals a fit on a shared encoding."""
        rng = np.random.default_rng(seed)
        n = int(rng.integers(1, 4 * n_items + 2))
        answers = pd.DataFrame(
            {
                "item": 2 * rng.integers(0, n_items, n) + 1,
                "annotator": rng.integers(0, n_ann, n),
                "label": rng.integers(0, k, n),
            }
        )
        for cls in METHODS:
            _assert_same(_fit(cls, answers), _fit(cls, encode_answers(answers)))


def test_the_module_exports_the_stand_in():
    """The stand-in for given-up codes lives next to EncodedAnswers."""
    assert _answers.GivenUpCodes is GivenUpCodes
