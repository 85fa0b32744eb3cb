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

    def test_helpers_reuse_the_buffers_the_calling_thread_lends_across_calls(self):
        """A helper's scratch buffers are lent by the calling thread and kept between calls: a helper
        of the next call gets the memory a helper of the first call used (no fresh pages); the
        calling thread's own buffers are separate from the helpers'."""
        me = threading.get_ident()
        _scratch.release()
        seen: dict[str, list[int]] = {"caller": [], "helper": []}
        hook = _both_threads_take_items(me)

        kept: list[bool] = []

        def fn(i: int) -> None:
            hook()
            buf = _scratch.scratch("tests.threads.buf", 1000, np.float64)
            who = "caller" if threading.get_ident() == me else "helper"
            if who == "helper":
                kept.append(bool((buf == 7.0).all()))  # what the previous call's helper wrote
                buf.fill(7.0)
            seen[who].append(buf.ctypes.data)

        for _ in range(3):
            hook = _both_threads_take_items(me)
            thread_map(fn, range(2), 2)
        assert len(seen["helper"]) == 3 and len(set(seen["helper"])) == 1
        assert len(seen["caller"]) == 3 and len(set(seen["caller"])) == 1
        assert set(seen["helper"]).isdisjoint(seen["caller"])
        assert kept[1:] == [True, True]
        lent = _scratch.lend(1)
        assert lent is not None and "tests.threads.buf" in lent[0]
        _scratch.give_back(lent)
        _scratch.release()

    def test_helpers_of_a_thread_that_keeps_nothing_get_fresh_arrays(self):
        """Called from a thread that keeps no buffers (a helper of a pool), the helpers lend nothing
        and keep nothing: every ask is a fresh array."""
        outer = threading.get_ident

        def inner_call() -> list[bool]:
            _scratch.fresh_only()
            me = outer()
            hook = _both_threads_take_items(me)

            def fn(i: int) -> bool:
                hook()
                a = _scratch.scratch("tests.threads.fresh", 64, np.int64)
                b = _scratch.scratch("tests.threads.fresh", 64, np.int64)
                return bool(np.shares_memory(a, b))

            return thread_map(fn, range(4), 2)

        result: list[list[bool]] = []
        t = threading.Thread(target=lambda: result.append(inner_call()))
        t.start()
        t.join()
        assert result == [[False] * 4]

    def test_a_nested_pool_lends_nothing_while_the_outer_one_lends(self):
        """A pool started on the calling thread while its sets are lent (an item of an outer pool
        that starts one) lends nothing, so no set is shared; ending it leaves the outer lend in force."""
        outer = _scratch.lend(1)
        assert outer is not None and len(outer) == 1
        with SharedWork(2) as inner:
            got = inner.map(lambda i: i + 1, range(4))
            assert inner._lent is None
        assert got == [1, 2, 3, 4]
        assert _scratch.lend(1) is None  # the outer lend still holds the sets
        _scratch.give_back(outer)
        again = _scratch.lend(1)
        assert again is not None
        _scratch.give_back(again)
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
