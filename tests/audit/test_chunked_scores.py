"""label_quality_scores on dask and zarr arrays: the in-memory scores, bit for bit, or a labelwise error."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.audit.scores import SCORERS
from labelwise.errors import InvalidLabelsError, InvalidProbabilitiesError, ShapeMismatchError

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


def _data(n: int = 600, k: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(k), n).astype(np.float32)
    return rng.integers(0, k, n), probs


@pytest.fixture(autouse=True)
def _sync():
    with dask.config.set(scheduler="synchronous"):
        yield


class TestDaskScores:
    @pytest.mark.parametrize("method", list(SCORERS))
    def test_dask_probs_and_labels_give_the_in_memory_scores(self, method):
        """Every method scores a dask pair exactly as numpy (a dask array, computed to the same bits)."""
        labels, probs = _data()
        expected = lw.label_quality_scores(labels, probs, method=method)
        got = lw.label_quality_scores(
            da.from_array(labels, chunks=150), da.from_array(probs, chunks=(150, -1)), method=method
        )
        assert hasattr(got, "compute")
        got = got.compute()
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)

    def test_string_labels_with_and_without_classes(self):
        """Text labels are encoded on the chunks, with classes= or by their sorted values, as in memory."""
        labels, probs = _data(k=3)
        names = np.array(["owl", "cat", "dog"])[labels]
        lazy = da.from_array(names.astype(object), chunks=200)
        dprobs = da.from_array(probs, chunks=(200, -1))
        classes = ["owl", "cat", "dog"]
        np.testing.assert_array_equal(
            lw.label_quality_scores(lazy, dprobs, classes=classes).compute(),
            lw.label_quality_scores(names, probs, classes=classes),
        )
        np.testing.assert_array_equal(
            lw.label_quality_scores(lazy, dprobs).compute(), lw.label_quality_scores(names, probs)
        )

    def test_numpy_labels_beside_dask_probs(self):
        """Numpy labels are chunked like the dask probabilities."""
        labels, probs = _data()
        got = lw.label_quality_scores(labels, da.from_array(probs, chunks=(100, -1)), method="normalized_margin")
        np.testing.assert_array_equal(got.compute(), lw.label_quality_scores(labels, probs, method="normalized_margin"))

    def test_bad_row_is_named_in_the_whole_array(self):
        """A row not summing to 1 in a later chunk is named by its row in the whole array."""
        labels, probs = _data()
        probs[437] = [0.5, 0.5, 0.5, 0.5]
        with pytest.raises(InvalidProbabilitiesError, match="row 437"):
            lw.label_quality_scores(labels, da.from_array(probs, chunks=(100, -1)))

    def test_label_outside_the_columns_is_named(self):
        """An integer label with no column of probs is a labelwise error naming its row."""
        labels, probs = _data()
        labels[321] = 9
        with pytest.raises(InvalidLabelsError, match="row 321"):
            lw.label_quality_scores(da.from_array(labels, chunks=100), da.from_array(probs, chunks=(100, -1)))

    def test_lengths_that_differ_are_refused(self):
        """Labels of another length than probs are a ShapeMismatchError, not Dask's."""
        labels, probs = _data()
        with pytest.raises(ShapeMismatchError, match="same length"):
            lw.label_quality_scores(labels[:-5], da.from_array(probs, chunks=(100, -1)))


class TestZarrScores:
    def test_zarr_probs_give_the_in_memory_scores(self):
        """A zarr array is read chunk by chunk and scored as numpy (a numpy result)."""
        zarr = pytest.importorskip("zarr")
        labels, probs = _data()
        stored = zarr.array(probs, chunks=(130, 4))
        got = lw.label_quality_scores(labels, stored, method="confidence_weighted_entropy")
        assert isinstance(got, np.ndarray)
        np.testing.assert_array_equal(got, lw.label_quality_scores(labels, probs, method="confidence_weighted_entropy"))


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 120),
    chunk=st.integers(1, 50),
    method=st.sampled_from(list(SCORERS)),
    seed=st.integers(0, 2**16),
)
def test_any_chunking_gives_the_same_scores(n, chunk, method, seed):
    """For any row chunking the dask scores are the numpy scores, bit for bit."""
    labels, probs = _data(n=n, k=3, seed=seed)
    got = lw.label_quality_scores(
        da.from_array(labels, chunks=chunk), da.from_array(probs, chunks=(chunk, -1)), method=method
    )
    np.testing.assert_array_equal(got.compute(), lw.label_quality_scores(labels, probs, method=method))
