"""Scratch buffers and step temporaries sized by the work they serve: a small audit's peak extra memory
stays below one copy of its probabilities, and the step sizes change no answer."""

from __future__ import annotations

import threading
import tracemalloc
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.audit import _blocks, _passes
from labelwise.audit._blocks import MIN_STEP_ROWS, SCRATCH_SHARE, step_rows


def _noisy(n: int, k: int, dtype: Any, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Labels with 10% flipped and softmax probabilities right about 80% of the time (the benchmark's data)."""
    rng = np.random.default_rng(seed)
    true = rng.integers(0, k, n)
    logits = rng.standard_normal((n, k))
    logits[np.arange(n), true] += 3.0
    probs = np.exp(logits)
    probs /= probs.sum(axis=1, keepdims=True)
    labels = true.copy()
    flip = rng.random(n) < 0.1
    labels[flip] = (true[flip] + rng.integers(1, k, int(flip.sum()))) % k
    probs = probs.astype(dtype)
    probs /= probs.sum(axis=1, keepdims=True)
    return labels, probs


def _on_a_new_thread(fn: Any) -> Any:
    """``fn()`` on a thread that then ends: it starts without scratch buffers, and they go with it."""
    out: list[Any] = []
    worker = threading.Thread(target=lambda: out.append(fn()))
    worker.start()
    worker.join()
    return out[0]


class TestStepRows:
    @settings(max_examples=200, deadline=None)
    @given(
        n=st.integers(0, 10**7),
        row_bytes=st.integers(1, 4000),
        temp_bytes=st.integers(1, 100),
        cap=st.integers(1, 1 << 17),
    )
    def test_within_the_cap_the_rows_and_the_chunks_share_unless_at_the_floor(self, n, row_bytes, temp_bytes, cap):
        """A step has at least one row, no more than the cap or the chunk's rows, and its temporaries
        take at most ``1 / SCRATCH_SHARE`` of the chunk's bytes unless it is at the floor; a chunk large
        enough keeps the cap."""
        rows = step_rows(n, row_bytes, temp_bytes, cap)
        assert 1 <= rows <= max(1, min(n, cap))
        assert rows * temp_bytes * SCRATCH_SHARE <= n * row_bytes or rows <= MIN_STEP_ROWS
        if n * row_bytes >= cap * temp_bytes * SCRATCH_SHARE:
            assert rows == min(n, cap)


class TestSmallAuditMemory:
    @pytest.mark.parametrize(
        ("n", "k", "dtype"), [(10_000, 10, np.float32), (10_000, 10, np.float64), (100_000, 10, np.float32)]
    )
    def test_peak_extra_memory_is_below_one_copy_of_probs_on_a_fresh_thread(self, n, k, dtype):
        """An audit on a thread without scratch buffers (as a process's first call) allocates at its
        peak less than ``probs`` weighs (0.4-0.9x), where fixed 1-2 MB buffers per thread, and vectors
        as long as the chunk, took 1.8-7.9x of these small arrays."""
        labels, probs = _noisy(n, k, dtype)
        _on_a_new_thread(lambda: lw.find_label_issues(labels[:500], probs[:500], n_jobs=2))  # imports
        if tracemalloc.is_tracing():  # pragma: no cover - a run under -X tracemalloc
            pytest.skip("tracemalloc is already tracing")

        def measured() -> int:
            tracemalloc.start()
            try:
                base = tracemalloc.get_traced_memory()[0]
                lw.find_label_issues(labels, probs, n_jobs=2)
                return tracemalloc.get_traced_memory()[1] - base
            finally:
                tracemalloc.stop()

        peak = _on_a_new_thread(measured)
        assert peak < probs.nbytes, f"peak extra {peak / probs.nbytes:.2f}x of probs"


class TestStepsChangeNothing:
    @pytest.mark.parametrize("dtype", [np.float32, np.float64])
    @pytest.mark.parametrize("chunk_rows", [None, 700])
    def test_every_field_equals_that_of_the_steps_before_and_of_one_row_steps(self, dtype, chunk_rows):
        """The audit with steps as large as before (the caps, whatever the chunk), with the default
        steps and with steps of one row gives the same flags, scores, ranking and estimates."""
        labels, probs = _noisy(4000, 7, dtype, seed=3)

        def audit() -> lw.LabelIssues:
            return lw.find_label_issues(labels, probs, n_jobs=2, chunk_rows=chunk_rows)

        with mock.patch.object(_blocks, "MIN_STEP_ROWS", 1 << 30):  # step_rows gives min(rows, cap): as before
            before = audit()
        default = audit()
        with mock.patch.object(_blocks, "MIN_STEP_ROWS", 1), mock.patch.object(_blocks, "SCRATCH_SHARE", 1 << 40):
            tiny = audit()
        assert 0 < before.n_issues < 4000
        for other in (default, tiny):
            for name in ("is_issue", "label_quality", "suggested_codes", "ranked_indices", "thresholds"):
                np.testing.assert_array_equal(getattr(other, name), getattr(before, name))
            np.testing.assert_array_equal(other.confident_joint, before.confident_joint)
            np.testing.assert_array_equal(other.calibrated_confident_joint, before.calibrated_confident_joint)


class TestPassOneSpans:
    @pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # NaN rows
    @pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(1, 300),
        k=st.integers(2, 20),
        elements=st.sampled_from([1, 7, 64, 500]),
        check=st.sampled_from([1, 3, 17, 64]),
        seed=st.integers(0, 2**31 - 1),
        bads=st.lists(st.sampled_from([np.nan, np.inf, -0.5, -0.0, 3.0, 1e38, "sum+", "sum-", "edge+"]), max_size=3),
    )
    def test_float32_problems_and_outputs_equal_the_checks_block_by_block(self, n, k, elements, check, seed, bads):
        """float32 row sums are checked span by span (whole blocks, several spans a chunk): the first
        non-finite, negative and not-summing-to-1 rows are those of the checks on every block, and every
        output is that of one block for the whole chunk (the exact sums too, where nothing is wrong)."""
        from labelwise._validate.probabilities import first_problem_rows, probs_problems

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
        codes = rng.integers(0, k, n)
        with (
            mock.patch.object(_blocks, "MIN_STEP_ROWS", 1),
            mock.patch.object(_passes, "FIRST_PASS_ELEMENTS", elements),
            mock.patch.object(_passes, "CLEAN_CHECK_ROWS", check),
        ):
            rows, (problems, sums, counts) = _passes.self_confidence_pass(11, probs, codes, n_classes=k, atol=atol)
        whole_rows, whole = _passes.self_confidence_pass(11, probs, codes, n_classes=k, atol=atol)
        blocks = [probs_problems(11 + b.start, probs[b], atol) for b in _blocks.row_blocks(n, k, elements)]
        np.testing.assert_array_equal(problems, first_problem_rows(blocks))
        for a, b in zip((*rows, counts), (*whole_rows, whole[2]), strict=True):
            np.testing.assert_array_equal(a, b)
        if (problems < 0).all():  # the sums of rows with a problem are not used (the audit raises)
            np.testing.assert_array_equal(sums, whole[1])
