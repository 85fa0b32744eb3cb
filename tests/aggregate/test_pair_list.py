"""The pair check's z of many pairs in one pass equals check_one_pair's, bit for bit (dsspeed41)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import DawidSkene, _dependent
from labelwise.aggregate import _pair_check as pc
from labelwise.aggregate import _pair_list as pl
from labelwise.aggregate._base import log_normalize
from labelwise.aggregate._pair_check import Entries, check_one_pair, log_given_of, posterior_without_pair
from labelwise.aggregate._pair_list import check_pair_list
from labelwise.aggregate._pair_rows import gather_rows, rows_times_dense
from labelwise.aggregate._pair_triad import MatrixRows, triad_keep, triad_pairs

FIELDS = ("n_shared", "observed", "expected", "variance")


def count_rows(seed: int, k: int, twice: bool) -> tuple[MatrixRows, int]:
    """Random count rows of a label matrix; ``twice``: some annotators answer some rows twice, and
    rows weigh 1-3 items (answer patterns)."""
    rng = np.random.default_rng(seed)
    n_items, n_ann = int(rng.integers(5, 200)), int(rng.integers(2, 10))
    obs = MatrixRows.build(rng.integers(-1, k, (n_items, n_ann)), k)
    if not twice:
        return obs, n_ann
    coo = obs.m.tocoo()
    extra = rng.random(coo.nnz) < 0.25
    rows = np.concatenate([coo.row, coo.row[extra]])
    cols = np.concatenate([coo.col, (coo.col[extra] // k) * k + rng.integers(0, k, int(extra.sum()))])
    m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=obs.m.shape)
    m.sum_duplicates()
    m.data[:] = 1.0
    return MatrixRows(m, rng.integers(1, 4, n_items).astype(float), obs.annotator_of, obs.label_of), n_ann


def _assert_same_as_one_by_one(obs, n_ann, k, rng, per_pair_conf: bool) -> None:
    conf = rng.dirichlet(np.ones(k), (n_ann, k))
    ent = Entries.build(obs, n_ann)
    log_given, log_prior = log_given_of(obs, conf), np.log(rng.dirichlet(np.ones(k)))
    pairs = [(x, y) for x in range(n_ann) for y in range(n_ann) if x != y and rng.random() < 0.6]
    if not pairs:
        return
    confs = [rng.dirichlet(np.ones(k), (n_ann, k)) for _ in pairs] if per_pair_conf else conf
    a, b = np.array(pairs).T
    got = check_pair_list(obs, ent, log_given, log_prior, confs, a, b)
    for p, (x, y) in enumerate(pairs):
        ref = check_one_pair(obs, ent, log_given, log_prior, confs[p] if per_pair_conf else conf, x, y)
        for field in FIELDS:
            assert getattr(got, field)[p] == getattr(ref, field)[0], (p, field)


@pytest.mark.parametrize("k", [2, 3, 5, 9, 12])
@pytest.mark.parametrize("twice", [False, True])
def test_check_pair_list_is_check_one_pair_bit_for_bit(k, twice):
    """Every pair's counts, expectation and variance are check_one_pair's exactly (any K, repeated
    answers of one annotator on a row, rows weighing several items, one model or one per pair)."""
    for seed in range(12):
        obs, n_ann = count_rows(seed, k, twice)
        _assert_same_as_one_by_one(obs, n_ann, k, np.random.default_rng(100 + seed), per_pair_conf=seed % 2 == 1)


@pytest.mark.parametrize("twice", [False, True])
def test_small_blocks_and_the_grouped_path_give_the_same_bits(monkeypatch, twice):
    """Pairs that check_pairs sums in several blocks are left to it; blocks of listed pairs and the
    grouping path (tables too large) change no bit."""
    monkeypatch.setattr(pc, "PAIR_BLOCK", 3)
    monkeypatch.setattr(pl, "PAIR_BLOCK", 3)
    monkeypatch.setattr(pl, "LIST_BLOCK", 7)
    for cells in (1, 1 << 22):
        monkeypatch.setattr(pl, "DENSE_CELLS", cells)
        for seed in range(8):
            obs, n_ann = count_rows(seed, 3, twice)
            _assert_same_as_one_by_one(obs, n_ann, 3, np.random.default_rng(seed), per_pair_conf=False)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), order_seed=st.integers(0, 10_000))
def test_a_pairs_numbers_do_not_depend_on_the_list(seed, order_seed):
    """A pair's numbers are its own: the same bits in any order and beside any other pairs."""
    obs, n_ann = count_rows(seed, 3, seed % 2 == 0)
    rng = np.random.default_rng(seed)
    conf = rng.dirichlet(np.ones(3), (n_ann, 3))
    ent = Entries.build(obs, n_ann)
    log_given, log_prior = log_given_of(obs, conf), np.log(rng.dirichlet(np.ones(3)))
    a, b = np.array([(x, y) for x in range(n_ann) for y in range(x + 1, n_ann)]).T
    whole = check_pair_list(obs, ent, log_given, log_prior, conf, a, b)
    keep = np.random.default_rng(order_seed).permutation(len(a))[: max(1, len(a) // 2)]
    part = check_pair_list(obs, ent, log_given, log_prior, conf, a[keep], b[keep])
    for field in FIELDS:
        np.testing.assert_array_equal(getattr(part, field), getattr(whole, field)[keep])


def test_rows_times_dense_is_the_sliced_sparse_product():
    """The gathered rows' product, some columns weighted 0, is the bits of the sparse slice's."""
    rng = np.random.default_rng(0)
    m = sp.random(60, 25, density=0.2, random_state=1, format="csr")
    x = rng.normal(size=(25, 4))
    rows = np.sort(rng.integers(0, 60, 40))
    drop = rng.random(25) < 0.3
    sub = m[rows]
    ref = sp.csr_matrix((np.where(drop[sub.indices], 0.0, sub.data), sub.indices, sub.indptr), shape=sub.shape) @ x
    np.testing.assert_array_equal(rows_times_dense(m, rows, x, drop), ref)
    np.testing.assert_array_equal(rows_times_dense(m, rows, x), m[rows] @ x)
    indptr, positions = gather_rows(m.indptr, rows)
    np.testing.assert_array_equal(indptr, sub.indptr)
    np.testing.assert_array_equal(m.indices[positions], sub.indices)


def test_posterior_without_pair_and_shared_rows_keep_their_bits():
    """The held-out posterior is the old sparse construction's bits; shared rows are intersect1d's."""
    obs, n_ann = count_rows(3, 4, True)
    rng = np.random.default_rng(3)
    conf = rng.dirichlet(np.ones(4), (n_ann, 4))
    ent = Entries.build(obs, n_ann)
    log_given, log_prior = log_given_of(obs, conf), np.log(rng.dirichlet(np.ones(4)))
    for a, b in [(0, 1), (1, 0), (0, n_ann - 1)]:
        np.testing.assert_array_equal(ent.shared_rows(a, b), np.intersect1d(ent.of(a)[1], ent.of(b)[1]))
        for j in (a, b):
            sub = obs.m[ent.of(j)[1]]
            pair = np.isin(obs.annotator_of[sub.indices], (a, b))
            rest = sp.csr_matrix((np.where(pair, 0.0, sub.data), sub.indices, sub.indptr), shape=sub.shape)
            ref, _ = log_normalize(np.asarray(rest @ log_given) + log_prior, overwrite=True)
            np.testing.assert_array_equal(posterior_without_pair(obs, ent, log_given, log_prior, a, b, j), ref)


def test_triad_pairs_lists_every_z_the_gate_reads():
    """The gate reads the z of exactly the pairs triad_pairs lists (so computing them at once is enough)."""
    rng = np.random.default_rng(0)
    x, y = np.array([(u, v) for u in range(7) for v in range(u + 1, 7)]).T
    shared = (x, y, rng.choice([10.0, 80.0], len(x)))
    found = np.array([[0, 1, 0, 0, 0, 9.0], [2, 3, 0, 0, 0, 8.0], [1, 2, 0, 0, 0, 7.0]])
    read: list[tuple[int, int]] = []

    def z_of(u: int, v: int) -> float:
        read.append((u, v))
        return float(rng.normal(3.0, 3.0))

    triad_keep(found, z_of, shared, 50, 5.0)
    assert set(read) == set(triad_pairs(found, shared, 50))


def _one_by_one(self, prior, conf, pair_conf, a, b):  # the reference: check_pair, pair by pair
    confs = [pair_conf] * len(a) if isinstance(pair_conf, np.ndarray) else list(pair_conf)
    checks = [self.check_pair(prior, conf, c, int(x), int(y)) for x, y, c in zip(a, b, confs, strict=True)]
    return pc.PairCheck(np.asarray(a), np.asarray(b), *(np.array([getattr(c, f)[0] for c in checks]) for f in FIELDS))


def _copied_crowd(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, 500)
    rows = []
    for j in range(8):
        items = np.flatnonzero(rng.random(500) < 0.6)
        right = rng.random(len(items)) < rng.uniform(0.55, 0.85)
        rows.append(pd.DataFrame({"item": items, "annotator": f"a{j}", "label": np.where(right, y[items], 0)}))
    answers = pd.concat(rows, ignore_index=True)
    copies = [answers[answers.annotator == "a0"].assign(annotator=f"a0_{c}") for c in ("x", "y")]
    return pd.concat([answers, *copies], ignore_index=True)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_one_pass_check_gives_the_reference_fit(monkeypatch, seed):
    """On crowds with flagged, confirmed and gated pairs, DawidSkene() with the one-pass check gives
    the labels, posteriors and pairs of the pair-by-pair check, bit for bit."""
    answers = _copied_crowd(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = DawidSkene().fit(answers)
        monkeypatch.setattr(_dependent.MemoryPairs, "check_pair_list", _one_by_one)
        ref = DawidSkene().fit(answers)
    assert len(ref.dependent_pairs_) >= 2  # the check confirmed pairs and the gate ran
    pd.testing.assert_series_equal(fast.labels_, ref.labels_)
    pd.testing.assert_frame_equal(fast.probas_, ref.probas_, check_exact=True)
    pd.testing.assert_frame_equal(fast.dependent_pairs_, ref.dependent_pairs_, check_exact=True)
