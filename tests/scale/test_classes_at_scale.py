"""find_label_issues(..., classes=) on dask arrays: the classes in the order given, a class with no
row among them, the in-memory answer for any chunking."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.errors import InvalidLabelsError

from ._data import noisy_probs, sync_scheduler  # noqa: F401 (an autouse fixture)
from .test_checks_per_partition import _chunkings
from .test_chunked_audit import as_dask, assert_same

da = pytest.importorskip("dask.array")


def _with_an_empty_class(seed: int, names: np.ndarray):
    """Labels of classes 0, 1, 3 of four (class 2 has no row), probs with four columns, as names."""
    labels, probs = noisy_probs(300, 4, noise=0.3, seed=seed)
    labels[labels == 2] = 3
    return names[labels], probs


class TestClassesOnDask:
    @settings(max_examples=15, deadline=None)
    @given(
        chunks=_chunkings(300),
        seed=st.integers(0, 5),
        filter_by=st.sampled_from(["prune_by_noise_rate", "both", "confident_learning"]),
    )
    def test_string_classes_with_one_no_row_has_are_memory_s_for_any_chunking(self, chunks, seed, filter_by):
        """Classes named out of sorted order, the third with no row: the classes, flags, ranks, quality,
        suggested labels and every matrix of memory, whatever the row chunks."""
        classes = np.array(["owl", "cat", "emu", "dog"], dtype=object)
        names, probs = _with_an_empty_class(seed, classes)
        reference = lw.find_label_issues(names, probs, classes=classes, filter_by=filter_by)
        assert (reference.class_summary["class"].iloc[2], reference.class_summary["n_given"].iloc[2]) == ("emu", 0)
        result = lw.find_label_issues(*as_dask(names, probs, chunks), classes=classes, filter_by=filter_by)
        assert_same(result, reference)
        assert result.summary() == reference.summary()
        assert result.class_summary.equals(reference.class_summary)
        np.testing.assert_array_equal(result.given_label.compute(), reference.given_label)
        np.testing.assert_array_equal(result.suggested_label.compute(), reference.suggested_label)

    @pytest.mark.parametrize("chunks", [300, 64, (1, 149, 150)])
    def test_integer_classes_not_numbering_the_columns_are_memory_s(self, chunks):
        """Integer labels named [7, 0, 5, 2] (5 has no row): memory's answer on any of these chunkings."""
        classes = np.array([7, 0, 5, 2])
        labels, probs = _with_an_empty_class(1, classes)
        reference = lw.find_label_issues(labels, probs, classes=classes)
        result = lw.find_label_issues(*as_dask(labels, probs, chunks), classes=classes)
        assert_same(result, reference)
        assert result.summary() == reference.summary()

    def test_a_label_outside_the_classes_is_named_with_its_row_as_in_memory(self):
        """A label the classes leave out: memory's error, naming the row and the value."""
        classes = np.array(["owl", "cat", "emu", "dog"], dtype=object)
        names, probs = _with_an_empty_class(2, classes)
        names = names.copy()
        names[211] = "fox"
        with pytest.raises(InvalidLabelsError, match="row 211 is 'fox'") as memory:
            lw.find_label_issues(names, probs, classes=classes)
        with pytest.raises(InvalidLabelsError) as ours:
            lw.find_label_issues(*as_dask(names, probs, 50), classes=classes)
        assert str(ours.value) == str(memory.value)
