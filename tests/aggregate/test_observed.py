"""Tests for Dawid-Skene's count matrices built from the encoding's sorted keys a block at a time
(labelwise.aggregate._observed), the pair screen's annotator filter (``_pair_check.shared_pairs``)
and the blocked sums of ``priors.agreement_accuracy``."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise.aggregate._observed as observed
import labelwise.aggregate._pair_check as pc
import labelwise.aggregate.priors as priors
from labelwise.aggregate import DawidSkene, encode_answers
from labelwise.aggregate._observed import _Observed
from tests.aggregate._guard_reference import relabelled_reference


def _sparse_crowd(seed: int, n_answers: int = 3000, n_items: int = 3000, n_ann: int = 1000, k: int = 4) -> pd.DataFrame:
    """Few answers over many (item, annotator) pairs: the encoding sorts the keys (``row_keys``),
    and most annotators leave some labels unused (so the columns are renumbered)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "item": rng.integers(0, n_items, n_answers),
            "annotator": rng.integers(0, n_ann, n_answers),
            "label": rng.integers(0, k, n_answers),
        }
    )


def _assert_same_obs(a: _Observed, b: _Observed) -> None:
    assert a.m.shape == b.m.shape
    for name in ("indices", "indptr", "data"):
        got, want = getattr(a.m, name), getattr(b.m, name)
        assert got.dtype == want.dtype and np.array_equal(got, want), name
    for name in ("columns", "annotator_of", "label_of", "unused", "n_unused", "weights"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def _reference_obs(enc) -> _Observed:
    """The count matrix the way it was built before the blocks: the columns of every answer
    sorted by (item, column) as one int64 array, renumbered through a bincount's used columns."""
    n_cols = enc.n_annotators * enc.n_classes
    key = np.sort(enc.item_idx * n_cols + enc.annotator_idx * enc.n_classes + enc.label_idx)
    cols = key % n_cols
    used = np.bincount(cols, minlength=n_cols) > 0
    code = np.cumsum(used) - 1
    indptr = np.zeros(enc.n_items + 1, dtype=np.int64)
    np.cumsum(enc.answers_per_item, out=indptr[1:])
    m = sp.csr_matrix(
        (np.ones(len(cols)), code.astype(np.int32)[cols], indptr.astype(np.int32)),
        shape=(enc.n_items, int(used.sum())),
    )
    return m, np.flatnonzero(used)


class TestObservedFromSortedKeys:
    def test_the_encoding_sorts_the_keys_of_these_crowds(self):
        """The crowds below take the blocked path (otherwise the tests would not test it)."""
        assert encode_answers(_sparse_crowd(0)).row_keys is not None

    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 10_000), block=st.integers(1, 4000))
    def test_any_block_size_gives_the_matrix_of_one_sort(self, seed, block):
        """Block size, with or without the encoding's sorted keys: the same matrix, bit for bit,
        equal to the one-array construction."""
        enc = encode_answers(_sparse_crowd(seed))
        pat = enc.patterns
        whole = _Observed.build(dataclasses.replace(pat, answers=dataclasses.replace(pat.answers, row_keys=None)))
        saved = observed.BLOCK
        observed.BLOCK = block
        try:
            blocked = _Observed.build(pat)
        finally:
            observed.BLOCK = saved
        _assert_same_obs(blocked, whole)
        m, columns = _reference_obs(pat.answers)
        assert np.array_equal(blocked.columns, columns)
        assert (blocked.m != m).nnz == 0 and np.array_equal(blocked.m.indices, m.indices)

    def test_some_columns_unused_are_renumbered(self):
        """The crowd leaves columns unused: the matrix has fewer columns than annotators x K."""
        enc = encode_answers(_sparse_crowd(3))
        obs = _Observed.build(enc.patterns)
        assert obs.m.shape[1] < enc.n_annotators * enc.n_classes
        assert obs.m.indices.max() == obs.m.shape[1] - 1

    def test_one_answer_table(self):
        """A single answer: a 1 x 1 count matrix."""
        enc = encode_answers(pd.DataFrame({"item": [7], "annotator": ["a"], "label": ["x"]}))
        obs = _Observed.build(enc.patterns)
        assert obs.m.shape == (1, 1) and obs.m.toarray().tolist() == [[1.0]]

    @pytest.mark.filterwarnings("ignore::labelwise.errors.LabelwiseWarning")
    def test_read_only_and_memory_mapped_columns_give_the_same_fit(self, tmp_path):
        """Columns that are read-only views or memory maps: the same posterior as plain arrays."""
        answers = _sparse_crowd(5, n_answers=6000, n_items=2000, n_ann=1000)
        maps = {}
        for col in answers:
            path = tmp_path / f"{col}.npy"
            np.save(path, answers[col].to_numpy())
            maps[col] = np.load(path, mmap_mode="r")
        mapped = pd.DataFrame(maps, copy=False)
        assert encode_answers(mapped).row_keys is not None
        want = DawidSkene().fit(answers)
        got = DawidSkene().fit(mapped)
        assert np.array_equal(got.label_codes_, want.label_codes_)
        np.testing.assert_array_equal(got.probas_.to_numpy(), want.probas_.to_numpy())


def _brute_shared(enc, min_shared: float) -> dict[tuple[int, int], float]:
    """Items each pair of annotators answered, by a loop over items (duplicates count once)."""
    by_item: dict[int, set[int]] = {}
    for i, j in zip(enc.item_idx.tolist(), enc.annotator_idx.tolist(), strict=True):
        by_item.setdefault(i, set()).add(j)
    out: dict[tuple[int, int], float] = {}
    for anns in by_item.values():
        ordered = sorted(anns)
        for x, a in enumerate(ordered):
            for b in ordered[x + 1 :]:
                out[(a, b)] = out.get((a, b), 0.0) + 1.0
    return {p: n for p, n in out.items() if n >= min_shared}


class TestSharedPairsFilter:
    @settings(max_examples=30, deadline=None)
    @given(seed=st.integers(0, 10_000), min_shared=st.sampled_from([1, 2, 3, 5, 8, 2.5]))
    def test_pairs_equal_a_loop_over_items(self, seed, min_shared):
        """Leaving out annotators with fewer items than ``min_shared`` loses no pair: the pairs and
        counts equal a direct count (duplicate answers included)."""
        rng = np.random.default_rng(seed)
        n = 400
        answers = pd.DataFrame(
            {"item": rng.integers(0, 60, n), "annotator": rng.integers(0, 25, n), "label": rng.integers(0, 3, n)}
        )
        answers = pd.concat([answers, answers.iloc[:20]], ignore_index=True)  # duplicate answers
        enc = encode_answers(answers)
        obs = _Observed.build(enc.patterns)  # rows: answer patterns, weighted by their items
        a, b, n_shared = pc.shared_pairs(obs.m, obs.weights, obs.annotator_of, enc.n_annotators, min_shared)
        want = _brute_shared(enc, min_shared)
        assert dict(zip(zip(a.tolist(), b.tolist(), strict=True), n_shared.tolist(), strict=True)) == want
        assert np.all(np.diff(a * enc.n_annotators + b) > 0)

    def test_a_pair_of_annotators_with_exactly_the_bound_is_kept(self):
        """Two annotators who answered only the three items they share, with ``min_shared=3``."""
        answers = pd.DataFrame(
            {
                "item": [0, 0, 1, 1, 2, 2, 3, 4],
                "annotator": ["a", "b", "a", "b", "a", "b", "c", "c"],
                "label": [0, 0, 1, 1, 0, 1, 0, 1],
            }
        )
        enc = encode_answers(answers)
        obs = _Observed.build(enc.patterns)
        a, b, n_shared = pc.shared_pairs(obs.m, obs.weights, obs.annotator_of, enc.n_annotators, 3)
        assert (a.tolist(), b.tolist(), n_shared.tolist()) == ([0], [1], [3.0])

    @settings(max_examples=30, deadline=None)
    @given(seed=st.integers(0, 10_000), min_items=st.floats(0.5, 12.0))
    def test_the_filter_keeps_every_count_of_the_full_gram(self, seed, min_items):
        """With row weights: every pair the filter keeps has the full gram's count, bit for bit,
        and every pair of the full gram at or over the bound is kept."""
        rng = np.random.default_rng(seed)
        m = sp.random(80, 40, density=0.15, format="csr", random_state=rng)
        m.data[:] = 1.0
        annotator_of = rng.integers(0, 15, 40)
        weights = rng.integers(1, 4, 80).astype(np.float64)
        full = pc._gram(m, weights, annotator_of, 15).tocsr()
        part = pc._gram(m, weights, annotator_of, 15, min_items=min_items).tocsr()
        kept = full.multiply(full >= min_items)
        assert ((part != part.multiply(full != 0)).nnz, (part.multiply(part >= min_items) != kept).nnz) == (0, 0)
        assert np.array_equal(part.toarray()[part.toarray() != 0], full.toarray()[part.toarray() != 0])


class TestAgreementAccuracyBlocks:
    @settings(max_examples=40, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        n=st.integers(1, 300),
        k=st.integers(2, 9),
        block=st.integers(1, 64),
        fractional=st.booleans(),
    )
    def test_any_row_block_gives_the_whole_array_value(self, seed, n, k, block, fractional):
        """Blocks of rows: the same estimate, bit for bit, as the sums over the whole array."""
        rng = np.random.default_rng(seed)
        counts = rng.integers(0, 4, (n, k)).astype(np.float64)
        if fractional:
            counts *= rng.random((n, k))
        w = rng.random(n) * 3
        nn = counts.sum(axis=1)
        pairs = float(w @ (nn * (nn - 1)))
        want = (
            None
            if pairs <= 0
            else priors.accuracy_from_agreement(float(w @ (counts * (counts - 1)).sum(axis=1)), pairs, k)
        )
        saved = priors.ROW_BLOCK
        priors.ROW_BLOCK = block
        try:
            assert priors.agreement_accuracy(counts, w) == want
        finally:
            priors.ROW_BLOCK = saved


@pytest.mark.parametrize("k", [2, 5])
def test_dawid_skene_on_a_crowd_whose_screen_drops_annotators(k):
    """A crowd where many annotators have too few items for any pair: the fit finds the heavy
    copied pair as before the filter (the check is unchanged by it)."""
    rng = np.random.default_rng(k)
    n_items, n_light = 400, 200
    truth = rng.integers(0, k, n_items)
    rows = []
    for i in range(n_items):
        heavy = truth[i] if rng.random() < 0.7 else int(rng.integers(0, k))
        rows += [(i, "h1", heavy), (i, "h2", heavy)]  # h2 copies h1
        for j in rng.choice(n_light, 3, replace=False):
            rows.append((i, f"l{j}", truth[i] if rng.random() < 0.75 else int(rng.integers(0, k))))
    answers = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    est = DawidSkene().fit(answers)
    pairs = est.dependent_pairs_
    assert {(a, b) for a, b in zip(pairs.annotator_a, pairs.annotator_b, strict=True)} == {("h1", "h2")}


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 200), k=st.integers(2, 7), weighted=st.booleans())
def test_relabelled_classes_counts_ties_as_before(seed, n, k, weighted):
    """Strict rows counted a column at a time: the classes of the whole-array count (tied rows,
    rows within 1e-12 of the maximum, permuted posteriors)."""
    from labelwise.aggregate.dawid_skene import relabelled_classes

    rng = np.random.default_rng(seed)
    reference = rng.integers(0, 3, (n, k)).astype(np.float64)  # small counts: many ties
    reference[rng.random(n) < 0.2, 0] += 1e-13  # within the tie tolerance
    post = rng.random((n, k))
    if rng.random() < 0.5:
        post = reference[:, rng.permutation(k)] + rng.random((n, k)) * 0.1  # a relabelling
    weights = rng.integers(1, 5, n).astype(np.float64) if weighted else None
    got = relabelled_classes(reference, post, weights)
    assert np.array_equal(got, relabelled_reference(reference, post, weights))


class TestCsrTimesDense:
    @settings(max_examples=40, deadline=None)
    @given(seed=st.integers(0, 10_000), n=st.integers(1, 60), c=st.integers(1, 30), k=st.integers(1, 6))
    def test_into_a_used_buffer_equals_the_product(self, seed, n, c, k):
        """Into a buffer holding old values: ``m @ x`` bit for bit (int32 and int64 indices)."""
        from labelwise.aggregate._observed import csr_times_dense

        rng = np.random.default_rng(seed)
        m = sp.random(n, c, density=0.3, format="csr", random_state=rng)
        x = rng.standard_normal((c, k))
        want = np.asarray(m @ x)
        out = rng.standard_normal((n, k))
        got = csr_times_dense(m, x, out)
        assert got is out and np.array_equal(got, want)
        m64 = sp.csr_matrix((m.data, m.indices.astype(np.int64), m.indptr.astype(np.int64)), shape=m.shape)
        assert np.array_equal(csr_times_dense(m64, x, np.empty((n, k))), want)

    def test_other_cases_fall_back_to_the_product(self):
        """No buffer, a wrong shape, a non-contiguous or read-only buffer, a CSC matrix: ``m @ x``,
        and the buffer is left alone."""
        from labelwise.aggregate._observed import csr_times_dense

        rng = np.random.default_rng(0)
        m = sp.random(8, 5, density=0.5, format="csr", random_state=rng)
        x = rng.standard_normal((5, 3))
        want = np.asarray(m @ x)
        wrong = np.full((8, 4), 7.0)
        strided = np.full((8, 6), 7.0)[:, ::2]
        frozen = np.full((8, 3), 7.0)
        frozen.flags.writeable = False
        for out in (None, wrong, strided, frozen):
            got = csr_times_dense(m, x, out)
            assert got is not out and np.array_equal(got, want)
        assert (wrong == 7.0).all() and (strided == 7.0).all() and (frozen == 7.0).all()
        assert np.array_equal(csr_times_dense(m.tocsc(), x, np.empty((8, 3))), want)


@pytest.mark.parametrize(
    ("module", "name", "seed"), [("dawid_skene", "DawidSkene", 11), ("one_coin", "OneCoinDawidSkene", 12)]
)
def test_em_writing_into_the_last_posterior_gives_the_posterior_of_fresh_arrays(monkeypatch, module, name, seed):
    """EM with each E-step in the previous posterior's memory (one-coin's first in the vote shares
    made for the fit): the same iterates as with a new array per E-step (the fit's posterior,
    labels, losses and, for one-coin, skills, bit for bit)."""
    import importlib

    import labelwise.aggregate as agg

    em_module = importlib.import_module(f"labelwise.aggregate.{module}")
    answers = _sparse_crowd(seed, n_answers=8000, n_items=1500, n_ann=60, k=3)
    reused = getattr(agg, name)(tol=1e-9, max_iter=30).fit(answers)
    monkeypatch.setattr(em_module, "csr_times_dense", lambda m, x, out=None: np.asarray(m @ x))
    fresh = getattr(agg, name)(tol=1e-9, max_iter=30).fit(answers)
    assert reused.n_iter_ == fresh.n_iter_ > 2
    assert reused.loss_history_ == fresh.loss_history_
    np.testing.assert_array_equal(reused.probas_.to_numpy(), fresh.probas_.to_numpy())
    if hasattr(fresh, "skills_"):
        np.testing.assert_array_equal(reused.skills_, fresh.skills_)
