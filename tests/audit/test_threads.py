"""The in-memory audit's answer does not depend on how its work is cut: threads, row blocks, chunks."""

from __future__ import annotations

import tracemalloc
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise import _chunks
from labelwise.audit import _blocks, _columns, _passes, _ranking

from ._data import noisy_probs

FIELDS = (
    "is_issue",
    "ranked_indices",
    "label_quality",
    "suggested_codes",
    "thresholds",
    "confident_joint",
    "calibrated_confident_joint",
)


class TestCutsOfTheWork:
    @settings(max_examples=25, deadline=None)
    @given(
        n=st.integers(30, 600),
        k=st.integers(2, 9),
        seed=st.integers(0, 2**31 - 1),
        dtype=st.sampled_from([np.float32, np.float64]),
        n_jobs=st.integers(1, 4),
        first_block=st.integers(1, 400),
        gather_block=st.integers(1, 400),
        coarse_rows=st.integers(1, 700),
        second_block=st.integers(1, 400),
        chunk_rows=st.integers(1, 700),
        filter_by=st.sampled_from(["prune_by_noise_rate", "prune_by_class", "both"]),
        rank_by=st.sampled_from(["self_confidence", "normalized_margin", "confidence_weighted_entropy"]),
    )
    def test_same_answer_for_any_threads_blocks_and_chunks(
        self,
        n,
        k,
        seed,
        dtype,
        n_jobs,
        first_block,
        gather_block,
        coarse_rows,
        second_block,
        chunk_rows,
        filter_by,
        rank_by,
    ):
        """Pass 1's row blocks, the selection's gather blocks, pass 2's coarse chunks and row blocks,
        the chunks and the threads (the ranking's sample sort included) change nothing in the result."""
        labels, probs, _ = noisy_probs(n, k, noise=0.2, seed=seed, dtype=dtype)
        reference = lw.find_label_issues(labels, probs, filter_by=filter_by, rank_by=rank_by, n_jobs=1)
        with (
            mock.patch.object(_passes, "FIRST_PASS_ELEMENTS", first_block),
            mock.patch.object(_passes, "SECOND_PASS_ROWS", second_block),
            mock.patch.object(_columns, "GATHER_ELEMENTS", gather_block),
            mock.patch.object(_chunks, "COARSE_ROWS", coarse_rows),
            mock.patch.object(_ranking, "MIN_THREAD_ROWS", 0),
        ):
            got = lw.find_label_issues(
                labels, probs, filter_by=filter_by, rank_by=rank_by, n_jobs=n_jobs, chunk_rows=chunk_rows
            )
        for field in FIELDS:
            np.testing.assert_array_equal(getattr(got, field), getattr(reference, field), err_msg=field)
        flagged = np.flatnonzero(reference.is_issue)
        expected = flagged[np.argsort(reference.label_quality[flagged], kind="stable")]
        np.testing.assert_array_equal(got.ranked_indices, expected)


class TestPassTwoBlocks:
    @staticmethod
    def _peak(n: int, k: int, seed: int) -> tuple[int, int]:
        """Peak bytes numpy allocated during pass 2 on an ``n``-row chunk, and its outputs' bytes."""
        rng = np.random.default_rng(seed)
        probs = rng.dirichlet(np.ones(k), n).astype(np.float32)
        codes = rng.integers(0, k, n)
        (conf, predicted, top), _ = _passes.self_confidence_pass(0, probs, codes, n_classes=k, atol=1e-4)
        thresholds = np.full(k, 1.5 / k)
        tracemalloc.start()
        try:
            rows, _ = _passes.row_statistics_pass(
                0, probs, codes, conf, predicted, top, thresholds=thresholds, rule="among_confident", scorers=()
            )
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        return peak, sum(r.nbytes for r in rows if not np.shares_memory(r, predicted))

    def test_temporaries_do_not_grow_with_the_chunk(self):
        """Pass 2's memory beyond its outputs is that of one row block: a chunk of 8 blocks peaks
        no more above its outputs than a chunk of 2 (a thread's heap does not grow with its chunk)."""
        rows = 1 << 12
        # both chunks' blocks at the cap (a small chunk's blocks are smaller still: _blocks.step_rows)
        with mock.patch.object(_passes, "SECOND_PASS_ROWS", rows), mock.patch.object(_blocks, "MIN_STEP_ROWS", rows):
            small, small_out = self._peak(2 * rows, 6, 0)
            large, large_out = self._peak(8 * rows, 6, 0)
        assert large - large_out <= small - small_out + 16 * 1024

    @settings(max_examples=25, deadline=None)
    @given(n=st.integers(0, 300), k=st.integers(2, 7), block=st.integers(1, 80), seed=st.integers(0, 2**31 - 1))
    def test_any_block_size_gives_the_whole_chunk_answer(self, n, k, block, seed):
        """Every output and the partial counts of pass 2, with every scorer, equal those of one block."""
        from labelwise.audit.scores import SCORERS

        rng = np.random.default_rng(seed)
        probs = rng.dirichlet(np.full(k, 0.5), n).astype(np.float32)
        codes = rng.integers(0, k, n)
        (conf, predicted, top), _ = _passes.self_confidence_pass(0, probs, codes, n_classes=k, atol=1e-4)
        kwargs = {"thresholds": rng.uniform(0.1, 0.6, k), "rule": "among_confident", "scorers": tuple(SCORERS.values())}
        with mock.patch.object(_passes, "SECOND_PASS_ROWS", max(1, n)):
            want_rows, want = _passes.row_statistics_pass(0, probs, codes, conf, predicted, top, **kwargs)
        with mock.patch.object(_passes, "SECOND_PASS_ROWS", block):
            got_rows, got = _passes.row_statistics_pass(0, probs, codes, conf, predicted, top, **kwargs)
        for a, b in zip(got_rows, want_rows, strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype
        np.testing.assert_array_equal(got[0], want[0])
        assert got[1] == want[1]


class TestCoarse:
    def test_one_chunk_per_thread_capped_and_never_finer(self):
        """``coarse`` merges chunks into one per thread, at most ``max_rows`` rows, never smaller than now."""
        chunks = _chunks.RowChunks(1000, _chunks.chunk_bounds(1000, 10), use_dask=False, n_jobs=2)
        assert chunks.coarse().bounds == [(0, 500), (500, 1000)]
        assert chunks.coarse(max_rows=300).bounds == [(0, 300), (300, 600), (600, 900), (900, 1000)]
        assert chunks.coarse(max_rows=3).bounds == chunks.bounds
        few = _chunks.RowChunks(1000, _chunks.chunk_bounds(1000, 600), use_dask=False, n_jobs=2)
        assert few.coarse() is few


class TestExactMeans:
    @settings(max_examples=80, deadline=None)
    @given(
        sums=st.lists(st.integers(0, 2**100), min_size=1, max_size=6),
        counts=st.lists(st.integers(0, 2**40), min_size=6, max_size=6),
    )
    def test_is_the_correctly_rounded_quotient(self, sums, counts):
        """Each mean is ``float(Fraction(total, count * 2**90))``: the exact quotient rounded once."""
        from fractions import Fraction

        from labelwise.audit import _exact

        n = len(sums)
        bits, limbs = _exact._LIMB_BITS, _exact._N_LIMBS
        table = np.array(
            [[(s >> (bits * (limbs - 1 - i))) & ((1 << bits) - 1) for s in sums] for i in range(limbs)],
            dtype=np.int64,
        )
        totals = [sum(int(table[i, j]) << (bits * (limbs - 1 - i)) for i in range(limbs)) for j in range(n)]
        got = _exact.exact_means(table, np.array(counts[:n], dtype=np.int64))
        for j in range(n):
            if counts[j] == 0:
                assert np.isnan(got[j])
            else:
                assert got[j] == float(Fraction(totals[j], counts[j] << (bits * limbs)))


class TestClassLimbSums:
    @settings(max_examples=40, deadline=None)
    @given(
        n=st.integers(1, 400),
        k=st.integers(1, 5),
        rows=st.sampled_from([1, 3, 64, 1 << 13]),
        dtype=st.sampled_from([np.float32, np.float64]),
        seed=st.integers(0, 2**31 - 1),
    )
    def test_limbs_sum_to_each_class_exact_fixed_point_total_in_blocks_of_any_size(self, n, k, rows, dtype, seed):
        """Per class, the limbs add up to ``sum(floor(v * 2**90))`` exactly, however many rows a block has."""
        from fractions import Fraction

        from labelwise.audit import _exact

        rng = np.random.default_rng(seed)
        values = rng.random(n).astype(dtype)
        values[rng.random(n) < 0.1] = 1.0
        codes = rng.integers(0, k, n)
        bits, limbs = _exact._LIMB_BITS, _exact._N_LIMBS
        with mock.patch.object(_exact, "_SUM_ROWS", rows):
            got = _exact.class_limb_sums(codes, values, k)
        for cls in range(k):
            total = sum(int(got[i, cls]) << (bits * (limbs - 1 - i)) for i in range(limbs))
            expected = sum(int(Fraction(float(v)) * (1 << (bits * limbs))) for v in values[codes == cls])
            assert total == expected


class TestReadOnlyChunks:
    @pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")  # NaN limbs
    @settings(max_examples=30, deadline=None)
    @given(
        n=st.integers(1, 300),
        k=st.integers(2, 6),
        elements=st.sampled_from([1, 7, 64, 1 << 18]),
        dtype=st.sampled_from([np.float32, np.float64]),
        seed=st.integers(0, 2**31 - 1),
        bad=st.sampled_from([None, np.nan, -0.5, 3.0]),
    )
    def test_pass_one_on_a_read_only_chunk_equals_a_writeable_one(self, n, k, elements, dtype, seed, bad):
        """A read-only chunk (a memory map opened ``"r"``, as Dask workers read ``.npy`` files) is copied
        block by block into one buffer: every output and partial, value problems included, is unchanged."""
        rng = np.random.default_rng(seed)
        probs = np.round(rng.dirichlet(np.full(k, 0.7), n), 2).astype(dtype)
        if bad is not None:
            probs[rng.integers(0, n), rng.integers(0, k)] = bad
        codes = rng.integers(0, k, n)
        frozen = probs.copy()
        frozen.setflags(write=False)
        with mock.patch.object(_passes, "FIRST_PASS_ELEMENTS", elements):
            rows_w, part_w = _passes.self_confidence_pass(5, probs, codes, n_classes=k, atol=1e-4)
            rows_r, part_r = _passes.self_confidence_pass(5, frozen, codes, n_classes=k, atol=1e-4)
        for a, b in zip((*rows_w, *part_w), (*rows_r, *part_r), strict=True):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(rows_w[1], probs.argmax(axis=1))


class TestPassOneChecks:
    @pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # NaN rows
    @pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(1, 300),
        k=st.integers(2, 40),
        elements=st.sampled_from([1, 7, 64, 500, 1 << 18]),
        dtype=st.sampled_from([np.float32, np.float64]),
        seed=st.integers(0, 2**31 - 1),
        bads=st.lists(
            st.sampled_from([np.nan, np.inf, -0.5, -1e-30, -0.0, 3.0, 1e38, "sum+", "sum-", "edge+", "edge-"]),
            max_size=3,
        ),
    )
    def test_problems_equal_the_checks_block_by_block(self, n, k, elements, dtype, seed, bads):
        """Pass 1 checks float32 chunks on their row sums once per chunk (and block by block only if
        that finds a problem): the first non-finite, negative and not-summing-to-1 rows are those that
        :func:`~labelwise._validate.probabilities.probs_problems` finds on every row block, whatever is wrong where,
        rows whose sum is within float32 rounding of ``1 +- atol`` included."""
        from labelwise._validate.probabilities import first_problem_rows, probs_problems
        from labelwise.audit._blocks import row_blocks

        atol = 1e-4
        rng = np.random.default_rng(seed)
        probs = rng.dirichlet(np.full(k, 0.7), n).astype(dtype)
        for bad in bads:
            i, j = rng.integers(0, n), rng.integers(0, k)
            if isinstance(bad, str):  # a row summing just outside (or inside) 1 +- atol
                shift = atol * (1.0 + (1e-6 if bad.startswith("edge") else 0.5))
                probs[i, j] += dtype(shift if bad.endswith("+") else -min(shift, probs[i, j]))
            else:
                probs[i, j] = bad
        codes = rng.integers(0, k, n)
        with mock.patch.object(_passes, "FIRST_PASS_ELEMENTS", elements):
            _, (problems, _, _) = _passes.self_confidence_pass(11, probs, codes, n_classes=k, atol=atol)
            blocks = [probs_problems(11 + b.start, probs[b], atol) for b in row_blocks(n, k, elements)]
        np.testing.assert_array_equal(problems, first_problem_rows(blocks))


class TestPassOneGathers:
    @pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # NaN rows
    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(1, 300),
        k=st.integers(1, 12),
        elements=st.sampled_from([1, 7, 64, 500, 1 << 18]),
        dtype=st.sampled_from([np.float32, np.float64]),
        layout=st.sampled_from(["C", "F", "strided", "read-only"]),
        code_dtype=st.sampled_from([np.int16, np.int64]),
        seed=st.integers(0, 2**31 - 1),
        bad=st.sampled_from([None, np.nan, -0.0, np.inf]),
    )
    def test_top_value_argmax_and_self_confidence_are_those_of_numpy_indexing(
        self, n, k, elements, dtype, layout, code_dtype, seed, bad
    ):
        """Pass 1's gathers per row block give bit for bit ``probs[i, argmax_i]`` and ``probs[i, codes[i]]``,
        and the argmax as numpy's, for any block size, memory layout (Fortran order, strided, read-only),
        value (ties, NaN, -0.0, inf) and code dtype; the per-class sums and counts follow the same values."""
        rng = np.random.default_rng(seed)
        values = np.round(rng.dirichlet(np.full(k, 0.7), n), 1).astype(dtype)  # rounded: ties
        if bad is not None:
            values[rng.integers(0, n), rng.integers(0, k)] = bad
        codes = rng.integers(0, k, n).astype(code_dtype)
        if layout == "F":
            probs = np.asfortranarray(values)
        elif layout == "strided":
            probs = np.repeat(values, 2, axis=0)[::2]
        else:
            probs = values.copy()
            probs.setflags(write=layout != "read-only")
        with mock.patch.object(_passes, "FIRST_PASS_ELEMENTS", elements):
            (conf, predicted, top), (_, limb_sums, counts) = _passes.self_confidence_pass(
                3, probs, codes, n_classes=k, atol=1e-4
            )
        at = np.arange(n)
        argmax = values.argmax(axis=1)
        assert predicted.dtype == np.int16
        np.testing.assert_array_equal(predicted, argmax)
        for got, want in ((top, values[at, argmax]), (conf, values[at, codes])):
            assert got.dtype == dtype
            np.testing.assert_array_equal(np.ascontiguousarray(got).view(np.uint8), want.view(np.uint8))  # bits
        from labelwise.audit._exact import class_limb_sums

        np.testing.assert_array_equal(limb_sums, class_limb_sums(codes, values[at, codes], k))
        np.testing.assert_array_equal(counts, np.bincount(codes, minlength=k))
