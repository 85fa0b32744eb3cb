"""The audit at scale draws one progress bar per pass on every backend, and nothing when it should not."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise.errors import InvalidParameterError

from ._bars import assert_complete, drawn
from ._data import noisy_probs
from .test_chunked_audit import assert_same

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

PASSES = ["pass 1: thresholds", "pass 2: confident joint", "pass 3: pruning", "ranking flagged rows"]


@pytest.fixture(scope="module")
def data():
    labels, probs = noisy_probs(6000, 6, noise=0.2, seed=19)
    return labels, probs, lw.find_label_issues(labels, probs)


def _dask(labels, probs, rows=700):
    return da.from_array(labels, chunks=(rows,)), da.from_array(probs, chunks=(rows, -1))


class TestNumpyBackend:
    def test_one_bar_per_pass_counts_the_row_chunks_to_the_total(self, data):
        """In memory with bars open, each pass is a line whose count reaches its total (pass 1: the chunks)."""
        labels, probs, reference = data
        with drawn() as buf:
            result = lw.find_label_issues(labels, probs, chunk_rows=500)
        found = assert_complete(buf.getvalue(), PASSES)
        assert found["pass 1: thresholds"] == (12, "12")  # 6000 rows in chunks of 500
        assert_same(result, reference)

    def test_an_in_memory_call_draws_nothing_by_default(self, data, capsys, monkeypatch):
        """``verbose=None`` on numpy input draws no bar (too quick), even where stderr is a terminal."""
        labels, probs, _ = data
        monkeypatch.setattr("labelwise._stage_progress.progress_enabled", lambda verbose: True)
        lw.find_label_issues(labels, probs)
        assert capsys.readouterr().err == ""


class TestDaskThreads:
    def test_one_bar_per_pass_counts_the_tasks_to_the_total(self, data):
        """On dask's threads, every pass's line counts its tasks and ends complete; the result is unchanged."""
        labels, probs, reference = data
        with dask.config.set(scheduler="threads"), drawn() as buf:
            result = lw.find_label_issues(*_dask(labels, probs))
        found = assert_complete(buf.getvalue(), PASSES)
        assert int(found["pass 1: thresholds"][1]) >= 9  # at least one task per chunk (9 chunks)
        assert_same(result, reference)

    def test_string_labels_add_their_encoding_pass(self, data):
        """Labels that are strings are encoded in a pass of their own, drawn as its own line."""
        labels, probs, _ = data
        names = np.array(list("abcdef"), dtype=object)[labels]
        with dask.config.set(scheduler="threads"), drawn() as buf:
            lw.find_label_issues(da.from_array(names, chunks=(700,)), da.from_array(probs, chunks=(700, -1)))
        assert_complete(buf.getvalue(), ["encoding labels", *PASSES])

    def test_verbose_true_prints_the_final_bars_once_on_a_stderr_that_is_not_a_terminal(self, data, capsys):
        """``verbose=True`` draws even into a captured stderr: the final state of each line, printed once."""
        labels, probs, _ = data
        with dask.config.set(scheduler="threads"):
            lw.find_label_issues(*_dask(labels, probs), verbose=True)
        captured = capsys.readouterr()
        assert_complete(captured.err, PASSES)
        assert captured.out == ""

    def test_without_a_terminal_nothing_is_printed(self, data, capsys):
        """``verbose=None`` (the default) with stderr captured, as in CI: nothing on stderr or stdout."""
        labels, probs, _ = data
        with dask.config.set(scheduler="threads"):
            lw.find_label_issues(*_dask(labels, probs))
        assert capsys.readouterr() == ("", "")

    def test_verbose_false_draws_nothing_inside_open_bars(self, data):
        """``verbose=False`` keeps the call's passes off even when a caller opened bars around it."""
        labels, probs, reference = data
        with dask.config.set(scheduler="threads"), drawn() as buf:
            result = lw.find_label_issues(*_dask(labels, probs), verbose=False)
        assert "pass 1" not in buf.getvalue()
        assert_same(result, reference)

    def test_verbose_must_be_a_bool_or_none(self, data):
        """Any other value is an error naming the parameter."""
        labels, probs, _ = data
        with pytest.raises(InvalidParameterError, match="verbose must be True, False or None, got 'yes'"):
            lw.find_label_issues(labels, probs, verbose="yes")


def test_on_a_local_cluster_the_persisted_futures_are_counted_to_the_total(data, client):
    """On ``distributed``, each pass's line counts the futures it persisted; the result is unchanged."""
    labels, probs, reference = data
    with drawn() as buf:
        result = lw.find_label_issues(*_dask(labels, probs))
        assert_same(result, reference)  # computed while the cluster holds the persisted results
    found = assert_complete(buf.getvalue(), PASSES)
    assert int(found["pass 1: thresholds"][1]) >= 9  # one future per chunk call at least
