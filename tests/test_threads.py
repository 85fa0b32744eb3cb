"""Work shared among threads, the calling thread one of them (``labelwise._threads``)."""

from __future__ import annotations

import threading
import time
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import _chunks, _scratch, _threads
from labelwise._chunks import Output, RowChunks
from labelwise._threads import SharedWork, thread_map


def _both_threads_take_items(me: int):  # type: ignore[no-untyped-def]
    """A hook for an item function: each thread's first item waits (10 s at most) until the other
    thread has taken one too, so that with two threads both take items whatever the scheduling."""
    caller, helper = threading.Event(), threading.Event()

    def hook() -> None:
        mine, other = (caller, helper) if threading.get_ident() == me else (helper, caller)
        mine.set()
        other.wait(10)

    return hook


class TestThreadMap:
    @settings(max_examples=40, deadline=None)
    @given(items=st.lists(st.integers(-1000, 1000), max_size=30), n_jobs=st.integers(-2, 5))
    def test_results_in_item_order_for_any_number_of_threads(self, items, n_jobs):
        """Whatever the threads, the results are ``fn`` of each item, in the items' order."""
        assert thread_map(lambda x: 3 * x + 1, items, n_jobs) == [3 * x + 1 for x in items]

    def test_the_calling_thread_takes_items_too(self):
        """With two threads, the calling thread runs some of the items (it does not wait idle)."""
        me = threading.get_ident()
        ran_on: list[int] = []
        hook = _both_threads_take_items(me)

        def fn(i: int) -> int:
            ran_on.append(threading.get_ident())
            hook()
            return i

        assert thread_map(fn, range(12), 2) == list(range(12))
        assert me in ran_on
        assert len(set(ran_on)) == 2

    def test_at_most_n_jobs_items_at_once(self):
        """No more than ``n_jobs`` items run at the same time, the calling thread counted."""
        lock = threading.Lock()
        running, most = [0], [0]

        def fn(i: int) -> int:
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.002)
            with lock:
                running[0] -= 1
            return i

        thread_map(fn, range(20), 3)
        assert 1 <= most[0] <= 3

    def test_one_thread_starts_no_helper(self):
        """``n_jobs=1`` (or a single item) runs everything on the calling thread, no pool started."""
        with mock.patch.object(_threads, "ThreadPoolExecutor", side_effect=AssertionError("no threads")):
            assert thread_map(lambda x: x * 2, range(5), 1) == [0, 2, 4, 6, 8]
            assert thread_map(lambda x: x * 2, [7], 4) == [14]

    def test_first_failed_item_raised_and_no_new_item_after_it(self):
        """The exception of the first failed item (in item order) is raised once every thread
        stopped, and no item starts after a failure was seen."""
        started: list[int] = []

        def fn(i: int) -> int:
            started.append(i)
            if i in (3, 5):
                raise ValueError(f"item {i}")
            time.sleep(0.001)
            return i

        with pytest.raises(ValueError, match="item 3"):
            thread_map(fn, range(40), 2)
        assert len(started) < 40

    def test_helpers_keep_no_scratch_and_the_calling_thread_keeps_its_own(self):
        """Helper threads get fresh arrays from ``scratch`` (their buffers would end with them); the
        calling thread's buffers are its own, kept after the call."""
        me = threading.get_ident()
        _scratch.release()

        def fn(i: int) -> tuple[bool, bool]:
            time.sleep(0.002)
            a = _scratch.scratch("tests.threads.buf", 100, np.float64)
            b = _scratch.scratch("tests.threads.buf", 100, np.float64)
            return threading.get_ident() == me, np.shares_memory(a, b)

        got = thread_map(fn, range(10), 2)
        assert all(shared for on_caller, shared in got if on_caller)
        assert not any(shared for on_caller, shared in got if not on_caller)
        assert _scratch.held_bytes() >= 800
        _scratch.release()

    def test_shared_work_starts_its_helpers_once_for_several_maps(self):
        """Several :meth:`SharedWork.map` calls in one ``with`` block use one pool of helpers."""
        started = mock.MagicMock(wraps=_threads.ThreadPoolExecutor)
        with mock.patch.object(_threads, "ThreadPoolExecutor", started), SharedWork(2) as work:
            assert work.map(lambda x: x + 1, range(6)) == list(range(1, 7))
            assert work.map(lambda x: -x, range(4)) == [0, -1, -2, -3]
        assert started.call_count == 1


class TestRowChunksOnTheCallingThread:
    def test_a_pass_on_two_threads_runs_chunks_on_the_calling_thread(self):
        """An in-memory pass with ``n_jobs=2`` runs chunks on the calling thread as well as on one
        helper: the chunks' answers in order, no more than two threads used."""
        me = threading.get_ident()
        threads: list[int] = []
        hook = _both_threads_take_items(me)

        def fn(start: int, x: np.ndarray) -> tuple[tuple[np.ndarray], int]:
            threads.append(threading.get_ident())
            hook()
            return (x * 2,), int(x.sum())

        x = np.arange(1000)
        chunks = RowChunks(1000, _chunks.chunk_bounds(1000, 100), use_dask=False, n_jobs=2)
        (doubled,), total = chunks.run(fn, [x], outputs=[Output(x.dtype)], combine=sum)
        np.testing.assert_array_equal(doubled, 2 * x)
        assert total == x.sum()
        assert me in threads
        assert len(set(threads)) == 2
