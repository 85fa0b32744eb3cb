"""``labelwise._chunks``' rechunking warning points at the user's line from ``find_label_issues`` and from
``label_quality_scores`` on dask arrays (each reaches it at its own depth)."""

from __future__ import annotations

import pytest

import labelwise as lw
from tests._at_line import at_line, recorded
from tests.scale._data import noisy_probs, sync_scheduler  # noqa: F401 (an autouse fixture)

da = pytest.importorskip("dask.array")


def test_labels_chunked_unlike_probs_are_said_at_the_callers_line_from_the_audit_and_the_scores():
    labels, probs = noisy_probs(500, 4)
    lazy_labels, lazy_probs = da.from_array(labels, chunks=70), da.from_array(probs, chunks=(100, -1))
    at_line(recorded(lambda: lw.find_label_issues(lazy_labels, lazy_probs)), __file__, "rechunking labels")
    at_line(recorded(lambda: lw.label_quality_scores(lazy_labels, lazy_probs)), __file__, "rechunking labels")
