"""Tests for labelwise._dask_select: exact quantiles and medians of a dask array by selection passes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import _dask_select
from labelwise._dask_select import exact_median, exact_quantiles
from labelwise.errors import InvalidParameterError, LabelwiseError, TooFewExamplesError

from ._data import random_chunks, sync_scheduler  # noqa: F401 (an autouse fixture)

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

# inf - inf in the interpolation: numpy warns, and so does the copy of its formula (the results are compared)
pytestmark = pytest.mark.filterwarnings(
    "ignore:invalid value encountered:RuntimeWarning", "ignore:overflow encountered:RuntimeWarning"
)


def bits(value) -> np.ndarray:
    """The bytes of a result (scalar or array), to compare bit for bit."""
    return np.atleast_1d(np.asarray(value)).view(np.uint8)


def assert_same_as_numpy(got, want, data: np.ndarray) -> None:
    """Same type, dtype, shape and bits; only the sign of a zero may differ, where data holds both zeros."""
    assert type(got) is type(want)
    assert np.asarray(got).dtype == np.asarray(want).dtype and np.shape(got) == np.shape(want)
    if data.dtype.kind == "f" and (np.signbit(data) & (data == 0)).any() and ((data == 0) & ~np.signbit(data)).any():
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_array_equal(bits(got), bits(want))


FLOATS = st.one_of(
    st.floats(allow_nan=False, width=64),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, math.inf, -math.inf, 5e-324, -1e308]),
)


@st.composite
def arrays_and_chunks(draw, dtype=np.float64):
    if np.dtype(dtype).kind == "f":
        values = draw(st.lists(FLOATS, min_size=1, max_size=60))
    else:
        info = np.iinfo(dtype)
        values = draw(st.lists(st.integers(int(info.min), int(info.max)), min_size=1, max_size=60))
    data = np.array(values, dtype=dtype)
    return data, random_chunks(draw, data.size)


QS = st.lists(st.floats(0, 1), min_size=1, max_size=5).map(lambda qs: [*qs, 0.0, 1.0])


class TestExactQuantiles:
    @settings(max_examples=60, deadline=None)
    @given(case=arrays_and_chunks(), q=QS, scalar=st.floats(0, 1))
    def test_equals_numpy_bit_for_bit_whatever_the_chunking(self, case, q, scalar):
        """Any floats (ties, infinities, subnormals) in any chunking: np.quantile's result, bit for bit."""
        data, chunks = case
        x = da.from_array(data, chunks=(chunks,))
        assert_same_as_numpy(exact_quantiles(x, q), np.quantile(data, q), data)
        assert_same_as_numpy(exact_quantiles(x, scalar), np.quantile(data, scalar), data)

    @settings(max_examples=25, deadline=None)
    @given(case=arrays_and_chunks(np.int64), q=QS)
    def test_equals_numpy_on_int64_extremes(self, case, q):
        """int64 values, extremes included, interpolate as numpy does (float64 arithmetic)."""
        data, chunks = case
        assert_same_as_numpy(exact_quantiles(da.from_array(data, chunks=(chunks,)), q), np.quantile(data, q), data)

    @pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int8, np.uint16, np.uint64])
    @pytest.mark.parametrize("q", [0.37, [0.1, 0.5, 0.99], 1, [0, 1], np.array([0.25], dtype=np.float32)])
    def test_keeps_numpys_result_dtype_for_each_kind_of_q(self, dtype, q):
        """A Python float q keeps float32 (numpy's weak promotion), a list promotes, an int q picks a value."""
        rng = np.random.default_rng(4)
        data = (rng.normal(size=301) * 40).astype(dtype) if np.dtype(dtype).kind == "f" else rng.integers(0, 100, 301)
        data = data.astype(dtype)
        assert_same_as_numpy(exact_quantiles(da.from_array(data, chunks=37), q), np.quantile(data, q), data)

    @pytest.mark.parametrize(
        "data",
        [
            np.full(1000, 3.25),
            np.array([7.0]),
            np.repeat([-1.0, 0.0, 2.0], [10, 500, 3]),
            np.array([-0.0] * 7 + [1.0]),
            np.array([-np.inf, -np.inf, 1.0, np.inf]),
            np.array([np.inf] * 5),
            np.array([-np.inf, np.inf]),
        ],
        ids=["all-equal", "one-value", "heavy-ties", "negative-zeros", "infinities", "all-inf", "inf-minus-inf"],
    )
    def test_edge_cases_equal_numpy(self, data):
        """All-equal values, n=1, heavy ties, -0.0, infinities (NaN where numpy's interpolation gives NaN)."""
        q = [0.0, 0.1, 0.5, 0.75, 1.0]
        with np.errstate(invalid="ignore"):
            want = np.quantile(data, q)
            got = exact_quantiles(da.from_array(data, chunks=3), q)
        assert_same_as_numpy(got, want, data)

    def test_a_dask_series_is_read_as_its_values(self):
        """A dask Series (unknown partition lengths) gives the quantiles of its values."""
        dd = pytest.importorskip("dask.dataframe")
        pd = pytest.importorskip("pandas")
        data = np.random.default_rng(1).normal(size=500)
        series = dd.from_pandas(pd.Series(data), npartitions=6)
        assert_same_as_numpy(exact_quantiles(series, [0.2, 0.9]), np.quantile(data, [0.2, 0.9]), data)


class TestSelectionPasses:
    def spy(self, monkeypatch, cap: int) -> list[list[np.ndarray]]:
        """Record every pass's result, with GATHER_CAP set to ``cap``."""
        monkeypatch.setattr(_dask_select, "GATHER_CAP", cap)
        seen: list = []
        real = _dask_select.tracked_compute

        def recording(*values):
            out = real(*values)
            seen.append(out[0])
            return out

        monkeypatch.setattr(_dask_select, "tracked_compute", recording)
        return seen

    @pytest.mark.parametrize("cap", [1, 50, 1 << 16])
    def test_no_pass_brings_more_than_gather_cap_values_to_the_client(self, monkeypatch, cap):
        """Gathered keys per pass (over all brackets) never exceed GATHER_CAP, and the answer stays exact."""
        rng = np.random.default_rng(7)
        data = np.concatenate([rng.normal(size=15_000), np.round(rng.normal(size=5_000), 2)])  # runs of ties too
        seen = self.spy(monkeypatch, cap)
        q = [0.0, 0.001, 0.3, 0.5, 0.5001, 0.999, 1.0]
        assert_same_as_numpy(exact_quantiles(da.from_array(data, chunks=1500), q), np.quantile(data, q), data)
        passes = seen[1:]  # the first is the survey (length, NaNs, key range)
        gathered = [sum(a.size for a in p if isinstance(a, np.ndarray)) for p in passes]  # counts are tuples
        assert max(gathered) <= cap
        assert len(passes) <= math.ceil(64 / _dask_select.BIN_BITS) + 1
        if cap >= 50:
            assert sum(gathered) > 0  # brackets did get gathered, not only narrowed to one key

    def test_all_equal_values_need_no_selection_pass(self, monkeypatch):
        """When the survey finds one key only, every order statistic is that key: one pass in all."""
        seen = self.spy(monkeypatch, 10)
        assert exact_quantiles(da.from_array(np.full(5000, -2.5), chunks=700), [0.1, 0.9]).tolist() == [-2.5, -2.5]
        assert len(seen) == 1

    def test_a_long_run_of_equal_values_is_solved_once_its_bin_is_found(self, monkeypatch):
        """A bin narrows to the keys it holds, so a run of ties wider than GATHER_CAP needs no bit-by-bit passes."""
        rng = np.random.default_rng(8)
        data = rng.permutation(np.concatenate([np.full(6_000, 1.5), rng.normal(size=3_000) * 1e-3 + 1.5]))
        seen = self.spy(monkeypatch, 10)
        assert exact_quantiles(da.from_array(data, chunks=1000), [0.5]).tolist() == [1.5]
        assert len(seen) <= 3  # the survey, one counting pass, one to narrow around the run

    def test_keys_order_like_values_and_invert_exactly(self):
        """The uint64 keys sort floats and ints as their values sort (-0.0 just below 0.0) and invert."""
        floats = np.array([-np.inf, -1e308, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1.0, 1e308, np.inf])
        keys = _dask_select._keys(floats)
        assert (np.diff(keys.astype(object)) > 0).all()
        np.testing.assert_array_equal(bits(_dask_select._values(keys, floats.dtype)), bits(floats))
        ints = np.array([np.iinfo(np.int64).min, -1, 0, 1, np.iinfo(np.int64).max])
        assert (np.diff(_dask_select._keys(ints).astype(object)) > 0).all()
        np.testing.assert_array_equal(_dask_select._values(_dask_select._keys(ints), ints.dtype), ints)


class TestExactMedian:
    @settings(max_examples=40, deadline=None)
    @given(case=arrays_and_chunks())
    def test_equals_numpys_median_whatever_the_chunking(self, case):
        """Odd and even lengths, any floats, any chunking: float(np.median(x)) bit for bit."""
        data, chunks = case
        with np.errstate(invalid="ignore", over="ignore"):
            want = float(np.median(data))
            got = exact_median(da.from_array(data, chunks=(chunks,)))
        assert_same_as_numpy(got, want, data)

    @pytest.mark.parametrize("data", [np.array([1, 2, 4, 9], dtype=np.int64), np.array([3, 8, 1], dtype=np.uint8)])
    def test_ints_give_numpys_float_median(self, data):
        """The median of ints is numpy's float mean of the middle values."""
        assert exact_median(da.from_array(data, chunks=2)) == float(np.median(data))


class TestBadInput:
    def test_nan_is_refused_naming_x(self):
        """A NaN anywhere: InvalidParameterError naming x and the count."""
        x = da.from_array(np.array([1.0, np.nan, 2.0, np.nan]), chunks=1)
        with pytest.raises(InvalidParameterError, match=r"x must not contain NaN, got 2 NaN"):
            exact_quantiles(x, 0.5)
        with pytest.raises(InvalidParameterError, match="x must not contain NaN"):
            exact_median(x)

    @pytest.mark.parametrize("q", [-0.1, 1.5, [0.2, 2.0], float("nan"), [0.5, float("nan")]])
    def test_q_outside_zero_one_is_refused_naming_q(self, q):
        """q below 0, above 1 or NaN: InvalidParameterError naming q and the value."""
        with pytest.raises(InvalidParameterError, match=r"q must be in \[0, 1\], got"):
            exact_quantiles(da.from_array(np.arange(5.0), chunks=2), q)

    def test_non_numeric_q_is_refused(self):
        """q given as strings: InvalidParameterError naming q."""
        with pytest.raises(InvalidParameterError, match="q must be a number"):
            exact_quantiles(da.from_array(np.arange(5.0), chunks=2), ["half"])

    @pytest.mark.parametrize(
        ("x", "message"),
        [
            (np.arange(5.0), "x must be a 1-D dask array of numbers, got ndarray"),
            (lambda: da.ones((4, 2), chunks=2), "got 2 dimensions"),
            (lambda: da.from_array(np.array(["a", "b"])), "x must hold ints or floats, got dtype <U1"),
            (lambda: da.from_array(np.array([True, False])), "x must hold ints or floats, got dtype bool"),
        ],
    )
    def test_x_that_is_not_a_1d_dask_array_of_numbers_is_refused(self, x, message):
        """numpy arrays, 2-D arrays, strings and bools: InvalidParameterError naming x."""
        with pytest.raises(InvalidParameterError, match=message):
            exact_quantiles(x() if callable(x) else x, 0.5)

    def test_empty_x_is_refused(self):
        """An empty array has no quantiles: TooFewExamplesError naming x (a LabelwiseError)."""
        with pytest.raises(TooFewExamplesError, match="x must hold at least one value"):
            exact_quantiles(da.from_array(np.array([], dtype=float), chunks=1), [0.5])
        with pytest.raises(LabelwiseError, match="x must hold at least one value"):
            exact_median(da.zeros(0, chunks=1))


def test_on_the_local_cluster_equals_numpy(client):
    """On a distributed LocalCluster the passes run on the workers and the result is numpy's."""
    rng = np.random.default_rng(11)
    data = np.concatenate([rng.standard_cauchy(30_000), np.full(5_000, 0.5), [np.inf, -np.inf]])
    x = da.from_array(rng.permutation(data), chunks=4_000).persist()
    q = [0.0, 0.01, 0.5, 0.77, 1.0]
    assert_same_as_numpy(exact_quantiles(x, q), np.quantile(data, q), data)
    assert exact_median(x) == float(np.median(data))
