"""flip_labels and instance_dependent_flips give the labels back in the input's kind and dtype."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.noise import flip_labels, instance_dependent_flips


class TestFlipKeepsInputKind:
    def test_categorical_keeps_its_dtype_categories_and_order(self):
        """A Categorical (unused category, ordered in reverse) comes back as the same CategoricalDtype."""
        y = pd.Categorical(["b", "a", "c"] * 20, categories=["z", "c", "b", "a"], ordered=True)
        res = flip_labels(y, 0.2, random_state=0)
        assert isinstance(res.labels, pd.Categorical) and isinstance(res.true_labels, pd.Categorical)
        assert res.labels.dtype == y.dtype and res.true_labels.dtype == y.dtype
        assert res.n_flipped == 12
        assert np.array_equal(np.asarray(res.labels) != np.asarray(y), res.is_flipped)
        assert not pd.isna(res.labels).any()

    def test_categorical_series_keeps_dtype_index_and_name(self):
        """A categorical Series keeps its categories, index and name, and to_frame uses the index."""
        y = pd.Series(pd.Categorical([3, 1, 2] * 10, categories=[3, 2, 1]), index=range(100, 130), name="y")
        res = flip_labels(y, 0.3, random_state=1)
        assert isinstance(res.labels, pd.Series)
        assert res.labels.dtype == y.dtype and res.labels.name == "y"
        assert res.labels.index.equals(y.index)
        assert res.to_frame().index.equals(y.index)
        assert set(res.labels) <= {1, 2, 3}

    @pytest.mark.parametrize("dtype", ["Int64", "boolean", "string[python]", "int64[pyarrow]"])
    def test_nullable_series_keeps_its_dtype(self, dtype):
        """Int64, boolean and string Series come back with their own dtype, not objects or floats."""
        values = {"Int64": [1, 2], "boolean": [True, False], "string[python]": ["a", "b"]}.get(dtype, [1, 2])
        y = pd.Series(values * 10, dtype=dtype)
        res = flip_labels(y, 0.2, random_state=0)
        assert res.labels.dtype == y.dtype and res.true_labels.dtype == y.dtype
        assert int((res.labels != y).sum()) == res.n_flipped == 4

    def test_class_outside_the_categories_is_added_not_lost(self):
        """A class given only through classes= becomes a new category rather than a missing value."""
        y = pd.Categorical(["a", "b"] * 10)
        m = np.array([[0.5, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.0, 1.0]])
        res = flip_labels(y, m, random_state=0, classes=["a", "b", "q"])
        assert not pd.isna(res.labels).any()
        assert list(res.labels.categories) == ["a", "b", "q"]
        assert (np.asarray(res.labels) == "q").sum() == 5

    def test_ndarray_keeps_its_dtype(self):
        """A numpy array comes back as a numpy array of the same dtype."""
        y = np.array([1, 2, 3] * 10, dtype=np.int8)
        res = flip_labels(y, 0.2, random_state=0)
        assert isinstance(res.labels, np.ndarray) and res.labels.dtype == np.int8

    def test_instance_dependent_flips_keep_the_categorical(self):
        """instance_dependent_flips gives a Categorical back for a Categorical in."""
        y = pd.Categorical(["b", "a", "c"] * 20, categories=["c", "b", "a"])
        probs = np.full((60, 3), 1 / 3)
        res = instance_dependent_flips(y, probs, 0.2, random_state=0)
        assert isinstance(res.labels, pd.Categorical) and res.labels.dtype == y.dtype
        assert res.n_flipped == 12
