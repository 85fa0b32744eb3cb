"""The exact top selections behind prune_by_noise_rate and prune_by_class."""

from __future__ import annotations

import itertools
from functools import partial
from unittest import mock

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise.audit import _columns, _select, _selection


def _reference_top(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per column, the ``counts[j]`` largest values by a stable sort (ties: lower row first)."""
    mask = np.zeros(values.shape, dtype=bool)
    for j in range(values.shape[1]):
        order = np.argsort(-values[:, j], kind="stable")[: counts[j]]
        mask[order, j] = True
    return mask


_matrices = st.tuples(st.integers(1, 40), st.integers(1, 6), st.integers(0, 2**31 - 1)).map(
    lambda t: (
        # few distinct values, some negative, some -inf: many ties, at the cut too
        np.round(np.random.default_rng(t[2]).normal(size=(t[0], t[1])), 1).astype(np.float32),
        np.random.default_rng(t[2] + 1).integers(0, t[0] + 2, t[1]),
    )
)


class TestTopCountsByRow:
    @settings(max_examples=80, deadline=None)
    @given(
        data=_matrices,
        above=st.sampled_from([None, 0.0, -np.inf, 0.3]),
        with_out=st.booleans(),
        with_work=st.booleans(),
    )
    def test_matches_a_stable_sort_and_above_is_the_same_as_masking_after(self, data, above, with_out, with_work):
        """Per row of the column layout, a stable sort's top counts; ``above`` equals ``& (values > above)``;
        the same with reused (stale) buffers for the mask and for the partitioned copy."""
        values, counts = data
        values[values < -1.5] = -np.inf
        expected = _reference_top(values, counts)
        if above is not None:
            expected &= values > above
        by_row = np.ascontiguousarray(values.T)
        out = np.ones(by_row.shape, bool) if with_out else None  # a reused buffer holding stale values
        work = np.full(by_row.size + 3, 7.0, by_row.dtype) if with_work else None
        kept = by_row.copy()
        chosen, cut = _columns.top_counts_by_row(kept, counts, above=above, out=out, work=work)
        np.testing.assert_array_equal(kept, by_row)  # the input is never partitioned in place
        np.testing.assert_array_equal(chosen.T, expected)
        assert out is None or chosen is out
        np.testing.assert_array_equal(np.isinf(cut) & (cut > 0), np.minimum(counts, values.shape[0]) == 0)

    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(1, 300),
        k=st.integers(2, 7),
        block=st.integers(1, 40),
        seed=st.integers(0, 2**31 - 1),
        dtype=st.sampled_from([np.float32, np.float64]),
    )
    def test_blocked_gather_gives_the_row_layouts_margins_bit_for_bit(self, n, k, block, seed, dtype):
        """Margins gathered by column in blocks of any size equal ``probs[idx] - probs[idx, cls]``, transposed."""
        rng = np.random.default_rng(seed)
        probs = rng.dirichlet(np.ones(k), n).astype(dtype)
        idx = np.sort(rng.choice(n, rng.integers(1, n + 1), replace=False))
        cls = int(rng.integers(0, k))
        out = np.full((k, idx.size), np.nan, dtype)
        _columns.gather_margins_by_column(probs, idx, cls, out, np.empty((block, k), dtype))
        expected = probs[idx] - probs[idx, cls][:, None]
        np.testing.assert_array_equal(out, expected.T)


class TestBalancedGroups:
    @settings(max_examples=60, deadline=None)
    @given(
        weights=st.lists(st.integers(0, 1000), min_size=1, max_size=60),
        n_groups=st.integers(1, 5),
    )
    def test_every_class_once_and_the_largest_load_within_graham_bound(self, weights, n_groups):
        weights = np.array(weights, dtype=np.int64)
        groups = _select.balanced_groups(weights, n_groups)
        assert len(groups) == min(n_groups, weights.size)
        np.testing.assert_array_equal(np.sort(np.concatenate(groups)), np.arange(weights.size))
        loads = np.array([weights[g].sum() for g in groups])
        # LPT: the largest load is at most the mean load plus the largest single weight
        assert loads.max() <= weights.sum() / len(groups) + weights.max()

    def test_split_by_size_not_by_index(self):
        """One large class and many small ones: the large one gets a thread of its own."""
        weights = np.array([1000, *([10] * 99)])
        groups = _select.balanced_groups(weights, 2)
        assert [weights[g].sum() for g in groups] == [1000, 990]


class _Rows:
    """Sliceable by rows but not a numpy array: select_top takes its chunked, two-round path."""

    def __init__(self, values: np.ndarray) -> None:
        self.values, self.shape, self.dtype = values, values.shape, values.dtype

    def __getitem__(self, rows: slice) -> np.ndarray:
        return self.values[rows]


class TestSelectTopInRounds:
    @settings(max_examples=40, deadline=None)
    @given(
        n=st.integers(5, 400),
        chunk=st.integers(1, 120),
        sort=st.booleans(),
        seed=st.integers(0, 2**31 - 1),
        dtype=st.sampled_from([np.float32, np.float64]),
        group_keys=st.sampled_from([1, 4, 1 << 20]),
        told=st.booleans(),
    )
    @example(n=56, chunk=56, sort=False, seed=58, dtype=np.float32, group_keys=1 << 20, told=True)  # one chunk
    @example(n=300, chunk=1, sort=False, seed=3, dtype=np.float32, group_keys=4, told=True)  # one-row chunks
    def test_two_rounds_over_chunks_equal_one_selection_over_all_rows(
        self, n, chunk, sort, seed, dtype, group_keys, told
    ):
        """Chunked TPUT rounds and the per-chunk cut are exact: ties at the bound split across chunks
        (tie quotas), float64 keys (a bound that is not a key: those cells merged), any groups of
        cells for round one's merge (``GROUP_KEYS``), lists short in the first chunks (re-read), and
        with the keys' dtype ``told`` (float32: the cut from round one's counts, no round two)."""
        from labelwise._chunks import RowChunks, chunk_bounds

        rng = np.random.default_rng(seed)
        k = 3
        codes = rng.integers(0, k, n)
        scores = np.round(rng.random(n), 2).astype(dtype)  # ties
        if sort:  # the best entries crowd into the first chunks: their round-one lists fall short
            scores = np.sort(scores)
        limits = rng.integers(0, n // 2 + 2, k)
        fn = partial(_select.score_entries, by_class=True)
        whole = RowChunks(n, [(0, n)], use_dask=False, n_jobs=1)
        expected = _select.merge_top(_selection.select_top(whole, fn, [codes, scores], limits).parts, limits)
        chunks = RowChunks(n, chunk_bounds(n, chunk), use_dask=False, n_jobs=1)
        with mock.patch.object(_selection, "GROUP_KEYS", group_keys):
            selection = _selection.select_top(
                chunks, fn, [_Rows(codes), _Rows(scores)], limits, key_dtype=scores.dtype if told else None
            )
        assert selection.per_chunk and len(selection.parts) == len(chunks.bounds)
        for (start, stop), part in zip(chunks.bounds, selection.parts, strict=True):  # each chunk keeps its own rows
            assert np.all((part[2] >= start) & (part[2] < stop))
        np.testing.assert_array_equal(selection.counts, np.bincount(expected[0], minlength=k))
        got = _select.merge_top(selection.parts, np.full(k, n))  # sorted, nothing cut
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)

    def test_ties_shared_by_quota_without_round_two(self):
        """Lists complete within the bound (each chunk holds fewer entries than its share): float32
        keys are cut from round one's counts alone, no chunk read again, and the ties at the bound
        go to the first rows, across chunks, as one selection over all rows keeps them."""
        from labelwise._chunks import RowChunks, chunk_bounds

        n, k = 40, 2
        codes = np.tile([0, 1], n // 2)
        scores = np.full(n, 0.5, dtype=np.float32)
        scores[[17, 33]] = 0.25  # below the bound, in later chunks
        limits = np.array([6, 9])
        fn = partial(_select.score_entries, by_class=True)
        whole = RowChunks(n, [(0, n)], use_dask=False, n_jobs=1)
        expected = _select.merge_top(_selection.select_top(whole, fn, [codes, scores], limits).parts, limits)
        chunks = RowChunks(n, chunk_bounds(n, 4), use_dask=False, n_jobs=1)  # 2 rows a class, share 6 / 9
        with mock.patch.object(_selection, "_second_round", side_effect=AssertionError("round two ran")):
            selection = _selection.select_top(chunks, fn, [_Rows(codes), _Rows(scores)], limits, key_dtype=np.float32)
        got = _select.merge_top(selection.parts, np.full(k, n))
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.sort(got[2]), [*range(12), 13, 17, 33])

    def test_float64_keys_told_as_float32_raise(self):
        """``key_dtype`` float32 with float64 keys: round one refuses (the counts would not be exact)."""
        from labelwise._chunks import RowChunks, chunk_bounds

        codes, scores = np.zeros(10, dtype=np.int64), np.linspace(0, 1, 10)
        fn = partial(_select.score_entries, by_class=True)
        chunks = RowChunks(10, chunk_bounds(10, 3), use_dask=False, n_jobs=1)
        with pytest.raises(TypeError, match="key_dtype"):
            _selection.select_top(chunks, fn, [_Rows(codes), _Rows(scores)], np.array([4]), key_dtype=np.float32)


class TestExactCut:
    @settings(max_examples=60, deadline=None)
    @given(
        below=st.lists(st.integers(0, 30), min_size=1, max_size=6),
        seed=st.integers(0, 2**31 - 1),
        n_chunks=st.integers(1, 5),
    )
    def test_tie_quotas_fill_each_cell_to_its_limit_in_chunk_order(self, below, seed, n_chunks):
        """Quotas give a cell ``limit - below`` of its ties (or all), earlier chunks first; cells with
        more entries below the bound than their limit are marked ``over`` and get none."""
        rng = np.random.default_rng(seed)
        below = np.array(below, dtype=np.int64)
        n_cells = below.size
        ties_dense = rng.integers(0, 4, (n_chunks, n_cells)) * (rng.random((n_chunks, n_cells)) < 0.6)
        limits = rng.integers(0, 40, n_cells)
        ties = [(np.flatnonzero(t), t[t > 0]) for t in ties_dense]
        quotas, over, counts = _selection.tie_quotas(limits, below, ties)
        np.testing.assert_array_equal(over, below > limits)
        given_dense = np.zeros((n_chunks, n_cells), dtype=np.int64)
        for i, (cells, q) in enumerate(quotas):
            given_dense[i, cells] = q
        assert np.all(given_dense <= ties_dense)
        room = np.clip(limits - below, 0, None)
        expected_total = np.where(over, 0, np.minimum(room, ties_dense.sum(axis=0)))
        np.testing.assert_array_equal(given_dense.sum(axis=0), expected_total)
        # chunk order: a chunk gets ties only if every earlier chunk got all of its own
        short = np.cumsum(ties_dense - given_dense, axis=0) > 0
        assert not np.any(short[:-1] & (given_dense[1:] > 0))
        np.testing.assert_array_equal(counts, np.where(over, limits, np.minimum(limits, below + ties_dense.sum(0))))

    @settings(max_examples=60, deadline=None)
    @given(spec=st.data(), max_groups=st.integers(1, 12), group_keys=st.integers(1, 50))
    def test_bounds_merged_by_any_groups_of_cells_equal_one_merge(self, spec, max_groups, group_keys):
        """Round one's keys split by :func:`cell_groups` and merged per group give packed_bound of all keys."""
        parts, limits = _make_parts(spec.draw(_parts))
        with mock.patch.object(_selection, "GROUP_KEYS", group_keys):
            edges = _selection.cell_groups(limits.astype(np.float64) * len(parts), max_groups)
        assert edges[0] == 0 and edges[-1] == limits.size and np.all(np.diff(edges) > 0)
        assert edges.size - 1 <= max(1, max_groups)
        packed = [_selection.packed_keys(p) for p in parts]
        cuts = [np.searchsorted(k, edges[1:-1].astype(np.uint64) << np.uint64(32)) for k in packed]
        pieces = [np.split(k, c) for k, c in zip(packed, cuts, strict=True)]
        got = np.concatenate(
            [
                _selection.group_bound([p[g] for p in pieces], limits, int(lo), int(hi))
                for g, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True))
            ]
        )
        np.testing.assert_array_equal(got, _selection.packed_bound(np.sort(np.concatenate(packed)), limits))

    @settings(max_examples=60, deadline=None)
    @given(spec=st.data(), max_groups=st.integers(1, 12), group_keys=st.integers(1, 50), share_at=st.integers(0, 4))
    def test_group_counts_equal_the_counts_on_the_keys(self, spec, max_groups, group_keys, share_at):
        """float32 keys (infinities, signed zeros, ties): per group of cells, the bound, the keys below
        it, each chunk's keys equal to it and the chunks whose list may miss entries, all from the
        packed bits, equal those computed on the keys themselves (round two's counts)."""
        n_parts, size, n_cells, _, seed = spec.draw(_parts)
        parts, limits = _make_parts((n_parts, size, n_cells, np.float32, seed))
        share = np.minimum(limits, share_at)  # full lists (redo) and not
        with mock.patch.object(_selection, "GROUP_KEYS", group_keys):
            edges = _selection.cell_groups(limits.astype(np.float64) * len(parts), max_groups)
        packed = [_selection.packed_keys(p) for p in parts]
        cuts = [np.searchsorted(k, edges[1:-1].astype(np.uint64) << np.uint64(32)) for k in packed]
        pieces = [np.split(k, c) for k, c in zip(packed, cuts, strict=True)]
        results = [
            _selection.group_counts([p[g] for p in pieces], limits, share, int(lo), int(hi))
            for g, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True))
        ]
        bound, below, ties, redo = _selection.join_group_counts(results, len(parts))
        np.testing.assert_array_equal(bound, _selection.packed_bound(np.sort(np.concatenate(packed)), limits))
        expected_below = np.zeros(n_cells, dtype=np.int64)
        for i, (cell, key, _) in enumerate(parts):
            expected_below += np.bincount(cell[key < bound[cell]], minlength=n_cells)
            tied = np.bincount(cell[key == bound[cell]], minlength=n_cells)
            np.testing.assert_array_equal(ties[i][0], np.flatnonzero(tied))
            np.testing.assert_array_equal(ties[i][1], tied[tied > 0])
            assert redo[i] == _selection._cells_to_redo(parts[i], share, bound).any()
        np.testing.assert_array_equal(below, expected_below)


class TestOrderByKey:
    @settings(max_examples=80, deadline=None)
    @given(
        n=st.integers(0, 300),
        dtype=st.sampled_from([np.float32, np.float64]),
        seed=st.integers(0, 2**31 - 1),
        with_nan=st.booleans(),
    )
    def test_equals_a_stable_argsort_with_ties_signed_zeros_and_infinities(self, n, dtype, seed, with_nan):
        rng = np.random.default_rng(seed)
        keys = rng.choice(np.array([-np.inf, -1.5, -0.0, 0.0, 0.25, 0.5, np.inf], dtype=dtype), n)
        if with_nan and n:
            keys[rng.integers(0, n)] = np.nan
        rows = np.sort(rng.choice(10 * n + 1, n, replace=False)).astype(np.int64)
        expected = rows[np.argsort(keys, kind="stable")]
        np.testing.assert_array_equal(_select.order_by_key(keys, rows), expected)


def _merge_top_reference(parts, limits):
    """Concatenate, stable sort by (cell, key) with numpy's own sorts, keep the first limits[cell]."""
    cell, key, row = (np.concatenate([p[i] for p in parts]) for i in range(3))
    order = np.lexsort((key, cell))  # lexsort is stable
    cell, key, row = cell[order], key[order], row[order]
    rank = np.array([np.count_nonzero(cell[:i] == cell[i]) for i in range(cell.size)], dtype=np.int64)
    keep = rank < limits[cell]
    return cell[keep], key[keep], row[keep]


_parts = st.tuples(
    st.integers(1, 4),  # parts
    st.integers(1, 70),  # entries per part at most
    st.sampled_from([3, 40000]),  # cells: 16-bit radix path, or not
    st.sampled_from([np.float32, np.float64]),
    st.integers(0, 2**31 - 1),
)


def _make_parts(spec):
    n_parts, size, n_cells, dtype, seed = spec
    rng = np.random.default_rng(seed)
    parts, start = [], 0
    for _ in range(n_parts):
        m = int(rng.integers(0, size + 1))
        cell = rng.integers(0, n_cells, m).astype(np.int64)
        key = rng.choice(np.array([-np.inf, -0.5, -0.0, 0.0, 0.25, 3.0], dtype=dtype), m)
        row = start + np.sort(rng.choice(10 * size + 1, m, replace=False)).astype(np.int64)
        start += 10 * size + 1
        order = np.lexsort((row, key, cell))
        parts.append((cell[order], key[order], row[order]))
    limits = rng.integers(0, 6, n_cells)
    return parts, limits


class TestMerges:
    @settings(max_examples=80, deadline=None)
    @given(spec=_parts)
    def test_merge_top_equals_a_stable_lexsort_and_per_cell_limits(self, spec):
        parts, limits = _make_parts(spec)
        expected = _merge_top_reference(parts, limits)
        got = _select.merge_top(parts, limits)
        # -0.0 and 0.0 are equal keys: compare the rows and cells, and the keys as values
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[2], expected[2])
        np.testing.assert_array_equal(got[1], expected[1])

    @settings(max_examples=80, deadline=None)
    @given(spec=_parts)
    def test_packed_bound_is_the_exact_cut_for_float32_and_an_upper_bound_for_float64(self, spec):
        """Keys-only merging (round one of select_top) gives each cell's limit-th key, or one above it."""
        parts, limits = _make_parts(spec)
        merged = _select.merge_top(parts, limits)
        counts = np.bincount(merged[0], minlength=limits.size)
        exact = np.full(limits.size, np.inf)
        full = np.flatnonzero((counts >= limits) & (limits > 0))
        exact[full] = merged[1][np.cumsum(counts)[full] - 1]
        packed = _selection.merge_packed([_selection.packed_keys(p) for p in parts], limits)
        bound = _selection.packed_bound(packed, limits)
        if parts[0][1].dtype == np.float32:
            np.testing.assert_array_equal(bound, exact)
        else:
            assert np.all(bound >= exact)
            assert np.all(
                bound[np.isfinite(exact)] <= np.nextafter(exact[np.isfinite(exact)].astype(np.float32), np.inf)
            )


class TestMergeWithin:
    @settings(max_examples=80, deadline=None)
    @given(spec=_parts, split=st.integers(1, 3))
    def test_same_entries_as_merge_top_and_can_be_merged_again(self, spec, split):
        """Merging in two levels (as a reduction tree does) keeps exactly merge_top's entries."""
        parts, limits = _make_parts(spec)
        expected = _select.merge_top(parts, limits)
        level = [_select.merge_within(parts[i : i + split], limits) for i in range(0, len(parts), split)]
        got = _select.merge_within(level, limits)
        everything = np.full(limits.size, sum(p[0].size for p in parts))
        got = _select.merge_top([got], everything)  # sorted, nothing cut
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)


class TestMergeAll:
    @settings(max_examples=60, deadline=None)
    @given(spec=_parts)
    def test_keeps_every_entry_in_key_then_row_order_like_merge_top(self, spec):
        parts, _ = _make_parts(spec)
        # one cell, each part sorted by (key, row) as flagged_entries makes them
        by_row = [np.argsort(p[2]) for p in parts]
        parts = [
            _select.merge_top([(np.zeros(p[0].size, np.int64), p[1][o], p[2][o])], np.array([p[0].size]))
            for p, o in zip(parts, by_row, strict=True)
        ]
        total = sum(p[0].size for p in parts)
        expected = _select.merge_top(parts, np.array([total]))
        got = _select.merge_all(parts)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)


class TestRankingParts:
    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(0, 300),
        cuts=st.lists(st.integers(1, 299), max_size=5, unique=True),
        split=st.integers(1, 4),
        seed=st.integers(0, 2**31 - 1),
        packed=st.booleans(),
    )
    def test_merged_in_a_tree_the_rows_come_in_quality_then_row_order(self, n, cuts, split, seed, packed):
        """Per-chunk ranking parts merged in levels give ``order_by_key`` over all flagged rows, packed or not."""
        rng = np.random.default_rng(seed)
        is_issue = rng.random(n) < 0.5
        quality = np.round(rng.random(n), 1).astype(np.float32)  # ties: by row
        quality[rng.random(n) < 0.1] = -0.0
        edges = [0, *sorted(c for c in cuts if c < n), n]
        parts = [
            _select.ranking_part(a, is_issue[a:b], quality[a:b], packed=packed) for a, b in itertools.pairwise(edges)
        ]
        while len(parts) > 1:
            parts = [_select.merge_ranking(parts[i : i + split + 1]) for i in range(0, len(parts), split + 1)]
        flagged = np.flatnonzero(is_issue)
        expected = _select.order_by_key(quality[flagged], flagged)
        np.testing.assert_array_equal(_select.ranked_rows(parts[0]), expected)


class TestOrderedBits:
    @settings(max_examples=60, deadline=None)
    @given(
        values=st.lists(
            st.one_of(
                st.floats(allow_nan=True, allow_infinity=True, width=32),
                st.sampled_from([0.0, -0.0, 1e-45, -1e-45]),
            ),
            min_size=1,
            max_size=60,
        ),
        dtype=st.sampled_from([np.float32, np.float64]),
        step=st.integers(1, 3),
    )
    def test_equal_to_flipping_negatives_and_setting_the_sign_bit_of_the_others(self, values, dtype, step):
        """The in-place XOR mask gives the bits of the two-branch definition, for every float, any stride."""
        from labelwise.audit._packed_cut import ordered_bits

        key = np.array(values, dtype=dtype)[::step]
        utype = np.uint32 if key.dtype.itemsize == 4 else np.uint64
        bits = (key + key.dtype.type(0)).view(utype)
        sign = utype(1 << (8 * key.dtype.itemsize - 1))
        expected = np.where(bits & sign, ~bits, bits | sign)
        got = ordered_bits(key)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
        finite = np.isfinite(key)
        order = np.argsort(got[finite], kind="stable")
        assert np.all(np.diff(key[finite][order]) >= 0)  # ordered as the floats
