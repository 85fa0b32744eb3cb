"""The audit's chunk functions give the same answer with the thread's scratch buffers reused: across
chunks of any size, with whatever an earlier call left in them, on read-only chunks, on two threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import _scratch
from labelwise._validate.probabilities import row_sums_checked
from labelwise.audit import _passes, _select, _selection
from labelwise.audit._packed_cut import ordered_bits


def _poison() -> None:
    """Fill every scratch buffer of this thread with bytes that are NaN as floats and -1 as integers."""
    for buf in _scratch._buffers().values():
        buf.fill(0xFF)


def _chunk(n: int, k: int, seed: int, read_only: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(k, 0.6), n).astype(np.float32)
    codes = rng.integers(0, k, n)
    probs.setflags(write=not read_only)
    return probs, codes


def _first(start: int, probs: np.ndarray, codes: np.ndarray) -> list[np.ndarray]:
    rows, part = _passes.self_confidence_pass(start, probs, codes, n_classes=probs.shape[1], atol=1e-4)
    return [*rows, *part]


def _second(start: int, probs: np.ndarray, codes: np.ndarray) -> list[np.ndarray]:
    """Pass 2 with thresholds from pass 1 (each class's mean self-confidence in the chunk)."""
    from labelwise.audit.scores import SCORERS

    k = probs.shape[1]
    (conf, predicted, top), _ = _passes.self_confidence_pass(start, probs, codes, n_classes=k, atol=1e-4)
    thresholds = np.bincount(codes, weights=conf, minlength=k) / np.maximum(np.bincount(codes, minlength=k), 1)
    rows, (joint, n_off) = _passes.row_statistics_pass(
        start,
        probs,
        codes,
        conf,
        predicted,
        top,
        thresholds=thresholds,
        rule="among_confident",
        scorers=(SCORERS["self_confidence"],),
    )
    return [*rows, joint, np.array(n_off)]


def _round_one(start: int, probs: np.ndarray, codes: np.ndarray, limits: np.ndarray) -> list[np.ndarray]:
    k = probs.shape[1]
    predicted = probs.argmax(axis=1).astype(np.int16)
    share = _selection.tput_share(limits, 3)
    edges = _selection.cell_groups(share * 3.0, 3)
    fn = partial(_select.margin_entries, mispredicted_only=True)
    out = _selection._round_one(start, probs, codes, predicted, fn=fn, share=share, edges=edges, key_dtype=np.float32)
    assert k > 0
    return [*out[0], *out[1:]]


def _fresh(fn, *args) -> list[np.ndarray]:
    _scratch.release()
    return fn(*args)


class TestReuseAcrossChunks:
    @settings(max_examples=25, deadline=None)
    @given(
        sizes=st.lists(st.integers(1, 900), min_size=2, max_size=5),
        k=st.integers(2, 12),
        seed=st.integers(0, 2**31 - 1),
        read_only=st.booleans(),
    )
    def test_passes_and_round_one_equal_fresh_buffers_after_any_earlier_chunk(self, sizes, k, seed, read_only):
        """Chunks of growing and shrinking sizes in one thread, each after the buffers were filled
        with garbage: every output and partial of pass 1 and pass 2, and every round-one list, equals
        the call on fresh buffers."""
        rng = np.random.default_rng(seed)
        limits = rng.integers(0, 40, k * k)
        reused = []
        for i, n in enumerate(sizes):
            probs, codes = _chunk(n, k, seed + i, read_only)
            _poison()
            reused.append(
                (_first(10 * i, probs, codes), _round_one(10 * i, probs, codes, limits), _second(10 * i, probs, codes))
            )
        for i, n in enumerate(sizes):
            probs, codes = _chunk(n, k, seed + i, read_only)
            expected = (
                _fresh(_first, 10 * i, probs, codes),
                _fresh(_round_one, 10 * i, probs, codes, limits),
                _fresh(_second, 10 * i, probs, codes),
            )
            for got, want in zip(reused[i], expected, strict=True):
                for a, b in zip(got, want, strict=True):
                    np.testing.assert_array_equal(a, b)

    def test_outputs_never_live_in_a_scratch_buffer(self):
        """No returned array shares memory with the thread's scratch buffers (they are reused)."""
        probs, codes = _chunk(700, 5, 3, True)
        out = _first(0, probs, codes) + _round_one(0, probs, codes, np.full(25, 30)) + _second(0, probs, codes)
        for buf in _scratch._buffers().values():
            assert not any(np.shares_memory(a, buf) for a in out if isinstance(a, np.ndarray))

    def test_two_threads_at_once_equal_one_thread(self):
        """Chunks audited on two threads at once (each with its own buffers) give the one-thread answer."""
        chunks = [_chunk(n, 7, s, True) for s, n in enumerate([800, 300, 650, 90, 800, 420])]
        limits = np.full(49, 25)

        def one(i: int) -> list[np.ndarray]:
            probs, codes = chunks[i]
            return _first(i, probs, codes) + _round_one(i, probs, codes, limits)

        alone = [_fresh(one, i) for i in range(len(chunks))]
        with ThreadPoolExecutor(2) as pool:
            together = list(pool.map(one, list(range(len(chunks))) * 3))
        for i, got in enumerate(together):
            for a, b in zip(got, alone[i % len(chunks)], strict=True):
                np.testing.assert_array_equal(a, b)


class TestCleanChunkCheck:
    @pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
    @pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
    @settings(max_examples=80, deadline=None)
    @given(
        n=st.integers(1, 400),
        k=st.integers(2, 30),
        seed=st.integers(0, 2**31 - 1),
        bads=st.lists(st.sampled_from([np.nan, np.inf, 1e38, 3.0, "sum+", "sum-", "edge+", "edge-"]), max_size=3),
        block=st.sampled_from([1, 3, 64, 1 << 14]),
    )
    def test_equals_the_row_sums_checked_test_on_poisoned_buffers(self, n, k, seed, bads, block):
        """The scratch-buffer steps decide as ``|row_sums_checked - 1| <= atol`` for every row, rows at
        the float32 rounding edge of ``1 +- atol`` and non-finite sums included, whatever the rows per
        step of the check."""
        atol = 1e-4
        rng = np.random.default_rng(seed)
        probs = rng.dirichlet(np.full(k, 0.7), n).astype(np.float32)
        for bad in bads:
            i, j = rng.integers(0, n), rng.integers(0, k)
            if isinstance(bad, str):
                shift = atol * (1.0 + (1e-6 if bad.startswith("edge") else 0.5))
                probs[i, j] += np.float32(shift if bad.endswith("+") else -min(shift, probs[i, j]))
            else:
                probs[i, j] = bad
        with np.errstate(over="ignore", invalid="ignore"):
            sums = np.einsum("ij->i", probs)
        expected = bool((np.abs(row_sums_checked(probs, atol, sums) - 1.0) <= atol).all())
        _poison()
        with mock.patch.object(_passes, "CLEAN_CHECK_ROWS", block):
            assert _passes._clean_float32_chunk(probs, sums, float(probs.min()), atol) == expected

    def test_scratch_vectors_do_not_grow_with_the_chunk(self):
        """A chunk of 100,000 float32 rows is checked in steps: none of the check's scratch vectors
        holds a value per row of the chunk (they weighed about a float32 chunk of 10 classes)."""
        n = 100_000
        probs, _ = _chunk(n, 10, 0, read_only=False)
        sums = np.einsum("ij->i", probs)
        _scratch._buffers().clear()
        assert _passes._clean_float32_chunk(probs, sums, float(probs.min()), 1e-4)
        held = {name: b.nbytes for name, b in _scratch._buffers().items()}
        assert "audit._passes.clean.sums" in held
        assert max(held.values()) <= n * 8 // 4, held  # float64 vectors of at most a quarter of the rows


class TestOrderedBitsInto:
    @settings(max_examples=40, deadline=None)
    @given(
        values=st.lists(st.floats(width=32, allow_nan=False), min_size=0, max_size=50),
        dtype=st.sampled_from([np.float32, np.float64]),
    )
    def test_out_and_reused_mask_give_the_fresh_bits(self, values, dtype):
        """``ordered_bits(key, out=)`` into a dirty buffer equals ``ordered_bits(key)``, and never
        changes ``key``."""
        key = np.array(values, dtype=dtype)
        before = key.copy()
        utype = np.uint32 if key.dtype.itemsize == 4 else np.uint64
        expected = _fresh(ordered_bits, key)
        _poison()
        out = np.full(key.shape, 12345, dtype=utype)
        got = ordered_bits(key, out=out)
        np.testing.assert_array_equal(got, expected)
        assert key.size == 0 or np.shares_memory(got, out)
        np.testing.assert_array_equal(key, before)


class TestEntryBuffer:
    def test_entries_past_the_expected_size_are_kept_in_order(self):
        """More entries than the buffer was sized for grow it; the entries come out in the order added."""
        from labelwise.audit._select import _EntryBuffer

        margins = np.arange(12, dtype=np.float32).reshape(3, 4)
        found = _EntryBuffer(1, np.dtype(np.float32))
        for base in (0, 3):  # positions 1 and 11 of the raveled (3, 4) mask: (j, r) = (0, 1) and (2, 3)
            found.add(base, np.array([1, 11]), margins, 100, np.array([7, 8, 9, 10]))
        cell, key, row = found.entries()
        np.testing.assert_array_equal(cell, [0, 2, 3, 5])
        np.testing.assert_array_equal(key, [-1, -11, -1, -11])
        np.testing.assert_array_equal(row, [108, 110, 108, 110])
        assert cell.dtype == np.int64 and key.dtype == np.float32 and row.dtype == np.int64
