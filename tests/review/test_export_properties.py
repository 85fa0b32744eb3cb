"""Property tests: the cleaned table always equals the last decision per example applied to the data."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.review import DecisionStore, cleaned_table
from tests.report.fake_outputs import write_audit

CLASSES = ["cat", "dog", "bird"]
N = 25

decision = st.tuples(
    st.integers(0, N - 1), st.sampled_from(["keep", "relabel", "exclude", "clear"]), st.sampled_from(CLASSES)
)


@pytest.fixture(scope="module")
def audit_dir(tmp_path_factory):
    return write_audit(tmp_path_factory.mktemp("prop") / "out", kind="features", n=N, noise=0.3, classes=CLASSES)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(decisions=st.lists(decision, max_size=12), mark=st.booleans())
def test_cleaned_table_applies_the_last_decision_per_row(audit_dir, decisions, mark):
    """For any sequence of decisions, relabels, exclusions and undos match a plain replay."""
    db = audit_dir / "review.sqlite"
    for suffix in ("", "-wal", "-shm"):
        (audit_dir / f"review.sqlite{suffix}").unlink(missing_ok=True)
    store = DecisionStore(db)
    versions: dict[int, int] = {}
    last: dict[int, tuple[str, str]] = {}
    for row, action, label in decisions:
        store.record(row, action, version=versions.get(row, 0), reviewer="p", label=label)
        versions[row] = versions.get(row, 0) + 1
        last[row] = (action, label)
    original = pd.read_csv(audit_dir / "data.csv")
    expected = original.copy()
    excluded = []
    for row, (action, label) in last.items():
        if action == "relabel":
            expected.loc[row, "label"] = label
        elif action == "exclude":
            excluded.append(row)
    if mark:
        expected["excluded"] = expected.index.isin(excluded)
    else:
        expected = expected.drop(index=excluded)
    cleaned, changes = cleaned_table(audit_dir, mark_excluded=mark)
    pd.testing.assert_frame_equal(cleaned, expected)
    assert sorted(changes["row"]) == sorted(r for r, (a, _) in last.items() if a != "clear")
    assert all(store.get(r).version == v for r, v in versions.items())
