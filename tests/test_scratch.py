"""Per-thread scratch buffers: shapes, reuse, growth, limits, threads and bad input."""

from __future__ import annotations

import threading
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import _scratch
from labelwise._scratch import held_bytes, release, scratch
from labelwise.errors import InvalidParameterError

DTYPES = [np.float32, np.float64, np.int16, np.int64, np.uint32, np.uint64, bool]


@pytest.fixture(autouse=True)
def _fresh():
    release()
    yield
    release()


class TestScratch:
    @settings(max_examples=60, deadline=None)
    @given(
        asks=st.lists(
            st.tuples(st.lists(st.integers(0, 40), min_size=1, max_size=3), st.sampled_from(DTYPES)),
            min_size=1,
            max_size=8,
        )
    )
    def test_every_ask_gets_its_shape_and_dtype_in_one_reused_buffer(self, asks):
        """Any sequence of asks for one name (growing, shrinking, other dtypes) gets a writeable
        C-contiguous array of the asked shape and dtype, backed by the name's buffer."""
        release()
        for shape, dtype in asks:
            got = scratch("test.one", tuple(shape), dtype)
            assert got.shape == tuple(shape) and got.dtype == np.dtype(dtype)
            assert got.flags.c_contiguous and got.flags.writeable
            got[...] = 1  # every element is writable memory of its own
            assert np.all(got == 1)
            assert held_bytes() >= got.nbytes

    def test_a_smaller_ask_reuses_the_memory_and_a_larger_one_grows_it(self):
        """The second ask of a name shares the first's memory; a larger ask replaces the buffer."""
        a = scratch("test.reuse", 1000, np.float64)
        b = scratch("test.reuse", 10, np.int64)
        assert np.shares_memory(a, b)
        c = scratch("test.reuse", 5000, np.float64)
        assert not np.shares_memory(a, c)
        assert held_bytes() == c.nbytes

    def test_names_do_not_share_memory(self):
        """Two names are two buffers."""
        assert not np.shares_memory(scratch("test.a", 100, np.int64), scratch("test.b", 100, np.int64))

    def test_each_thread_has_its_own_buffers(self):
        """The same name asked by two threads gives memory of their own; a thread's buffers go with it."""
        mine = scratch("test.thread", 1000, np.float64)
        theirs: list = []
        thread = threading.Thread(target=lambda: theirs.append(scratch("test.thread", 1000, np.float64)))
        thread.start()
        thread.join()
        assert not np.shares_memory(mine, theirs[0])
        assert held_bytes() == mine.nbytes

    def test_a_fresh_only_thread_keeps_nothing(self):
        """A thread started with ``fresh_only`` (labelwise's per-pass pools) gets fresh arrays and holds
        no buffer; other threads are not affected."""
        from concurrent.futures import ThreadPoolExecutor

        from labelwise._scratch import fresh_only

        def ask() -> tuple[bool, int]:
            a, b = scratch("test.pool", 100, np.float64), scratch("test.pool", 100, np.float64)
            return np.shares_memory(a, b), held_bytes()

        with ThreadPoolExecutor(2, initializer=fresh_only) as pool:
            assert list(pool.map(lambda _: ask(), range(4))) == [(False, 0)] * 4
        assert ask() == (True, 800)

    def test_asks_over_the_limits_get_fresh_arrays_not_kept(self):
        """A buffer over MAX_BUFFER_BYTES, or past the thread's MAX_THREAD_BYTES, is a fresh array."""
        with (
            mock.patch.object(_scratch, "MAX_BUFFER_BYTES", 800),
            mock.patch.object(_scratch, "MAX_THREAD_BYTES", 1200),
        ):
            big = scratch("test.big", 101, np.float64)
            assert held_bytes() == 0 and big.shape == (101,)
            kept = scratch("test.kept", 100, np.float64)
            over = scratch("test.over", 60, np.float64)  # 800 + 480 > 1200
            assert held_bytes() == kept.nbytes
            assert not np.shares_memory(over, scratch("test.over", 60, np.float64))

    def test_release_drops_the_buffers(self):
        """After release() the thread holds nothing and the next ask gets new memory."""
        first = scratch("test.release", 100, np.int32)
        release()
        assert held_bytes() == 0
        assert not np.shares_memory(first, scratch("test.release", 100, np.int32))

    def test_a_negative_shape_is_refused_by_name(self):
        """A negative dimension raises a labelwise error naming the parameter."""
        with pytest.raises(InvalidParameterError, match="shape"):
            scratch("test.bad", (3, -1), np.float64)


class TestLending:
    def test_each_helper_adopts_its_own_set_kept_by_the_lender(self):
        """Two helpers adopting from one lend get different sets; the sets are the lender's, so a
        later lend hands the same (grown) buffers out again."""
        lent = _scratch.lend(2)
        assert lent is not None
        addresses: list[int] = []
        lock = threading.Lock()

        def helper() -> None:
            _scratch.adopt(lent)
            buf = scratch("tests.lend", 50, np.int64)
            with lock:
                addresses.append(buf.ctypes.data)

        threads = [threading.Thread(target=helper) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        _scratch.give_back(lent)
        assert len(set(addresses)) == 2
        again = _scratch.lend(2)
        assert again is not None
        assert {s["tests.lend"].ctypes.data for s in again} == set(addresses)
        _scratch.give_back(again)

    def test_a_thread_that_keeps_nothing_lends_nothing(self):
        """A fresh-only thread lends None, and a helper adopting None keeps nothing."""
        got: list = []

        def run() -> None:
            _scratch.fresh_only()
            lent = _scratch.lend(1)
            _scratch.adopt(lent)
            got.append((lent, np.shares_memory(scratch("tests.none", 8, bool), scratch("tests.none", 8, bool))))

        t = threading.Thread(target=run)
        t.start()
        t.join()
        assert got == [(None, False)]

    def test_release_drops_the_lent_sets_too(self):
        """After :func:`release` (nothing lent at the time), a new lend hands out empty sets."""
        lent = _scratch.lend(1)
        assert lent is not None
        lent[0]["x"] = np.empty(10, np.uint8)
        _scratch.give_back(lent)
        release()
        again = _scratch.lend(1)
        assert again == [{}]
        _scratch.give_back(again)

    def test_the_lent_sets_together_hold_at_most_the_thread_limit(self):
        """With ``n`` helpers each set holds at most ``1/n`` of the thread's limit: a set filled under
        a larger share starts again, an ask above the share is a fresh array, and the sets beyond a
        call's helpers are dropped."""

        def run_helpers(n: int, size: int) -> list[int]:
            lent = _scratch.lend(n)
            held: list[int] = []

            def helper() -> None:
                _scratch.adopt(lent, n)
                assert scratch("tests.share", size, np.uint8).nbytes == size
                held.append(_scratch.held_bytes())

            threads = [threading.Thread(target=helper) for _ in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            _scratch.give_back(lent)
            return held

        with mock.patch.object(_scratch, "MAX_THREAD_BYTES", 4000):
            assert run_helpers(1, 3000) == [3000]  # one helper: the whole limit
            assert run_helpers(4, 900) == [900] * 4  # 1,000 bytes a set: the 3,000-byte set started again
            assert run_helpers(4, 1500) == [900] * 4  # above the share: a fresh array, the set unchanged
            assert len(_scratch._local.slots) == 4
            assert run_helpers(1, 10) == [900]
            assert len(_scratch._local.slots) == 1
