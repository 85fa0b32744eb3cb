"""The review page's data-check filter and its 'keep one row of a duplicate set' decision."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from labelwise.cli import main
from labelwise.errors import ConflictError, InvalidParameterError
from labelwise.io.outputs import load_audit
from labelwise.review import DecisionStore, create_app
from labelwise.review.duplicates import CheckIndex, keep_one, keep_one_of_duplicates
from labelwise.review.export import cleaned_table

BASE = "http://127.0.0.1"
DUPS = [4, 9, 17]


def write_duplicate_audit(tmp):
    """Audit (with the data checks) a table whose rows 4, 9 and 17 have identical features; return the folder."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 120)
    frame = pd.DataFrame({"a": y * 4 + rng.normal(size=120), "b": rng.normal(size=120), "y": y})
    for r in DUPS[1:]:
        frame.loc[r, ["a", "b"]] = frame.loc[DUPS[0], ["a", "b"]].to_numpy()
    frame.to_csv(tmp / "d.csv", index=False)
    out = tmp / "out"
    result = CliRunner().invoke(main, ["audit", str(tmp / "d.csv"), "--label", "y", "--out", str(out), "--cv", "3"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return write_duplicate_audit(tmp_path_factory.mktemp("dups"))


@pytest.fixture
def client(out_dir):
    (out_dir / "review.sqlite").unlink(missing_ok=True)
    with TestClient(create_app(out_dir, reviewer="tester"), base_url=BASE) as c:
        yield c
    for suffix in ("", "-wal", "-shm"):
        (out_dir / f"review.sqlite{suffix}").unlink(missing_ok=True)


def test_meta_lists_each_data_check_with_its_count(client, out_dir):
    """/api/meta names every is_<check>_issue column of issues.csv and how many rows it flagged."""
    checks = {c["check"]: c for c in client.get("/api/meta").json()["checks"]}
    issues = load_audit(out_dir).issues
    assert checks["exact_duplicate"]["n_flagged"] == 3 and checks["exact_duplicate"]["duplicates"]
    assert checks["outlier"]["n_flagged"] == int(issues["is_outlier_issue"].astype(bool).sum())
    assert not checks["outlier"]["duplicates"] and "issue" not in checks


def test_filter_by_check_lists_exactly_the_rows_it_flagged(client, out_dir):
    """check=exact_duplicate shows the duplicated rows, flagged by the label audit or not."""
    body = client.get("/api/examples", params={"check": "exact_duplicate", "page_size": 50}).json()
    assert sorted(e["row"] for e in body["items"]) == DUPS and body["total"] == 3
    assert all("exact_duplicate" in e["checks"] for e in body["items"])
    issues = load_audit(out_dir).issues
    expected = set(issues.loc[issues["is_outlier_issue"].astype(bool), "row"])
    got = client.get("/api/examples", params={"check": "outlier", "page_size": 200}).json()
    assert {e["row"] for e in got["items"]} == expected


def test_filter_by_unknown_check_is_refused_with_the_known_ones(client):
    """An unknown check answers 422 naming the parameter and the checks the audit has."""
    r = client.get("/api/examples", params={"check": "typo"})
    assert (
        r.status_code == 422
        and "check must be one of" in r.json()["detail"]
        and "exact_duplicate" in r.json()["detail"]
    )


def test_example_carries_its_duplicate_set_with_versions(client):
    """A row of a set lists the set's rows and the version of each (for the one-click decision)."""
    ex = client.get("/api/examples/9").json()
    sets = {s["check"]: s for s in ex["duplicate_sets"]}
    assert sets["exact_duplicate"]["rows"] == DUPS
    assert sets["exact_duplicate"]["versions"] == {str(r): 0 for r in DUPS}
    other = client.get("/api/examples/0").json()
    assert "exact_duplicate" not in [s["check"] for s in other["duplicate_sets"]]


def test_keep_one_excludes_the_rest_and_export_drops_them(client, out_dir):
    """Keep row 9 of the set: 9 is kept, 4 and 17 excluded, and the cleaned table lacks 4 and 17 only."""
    versions = {str(r): 0 for r in DUPS}
    r = client.post("/api/examples/9/keep-one", json={"check": "exact_duplicate", "versions": versions})
    assert r.status_code == 200, r.text
    made = {d["row"]: d["action"] for d in r.json()["decisions"]}
    assert made == {9: "keep", 4: "exclude", 17: "exclude"}
    assert r.json()["progress"]["exclude"] == 2 and r.json()["progress"]["keep"] == 1
    cleaned, changes = cleaned_table(out_dir)
    assert 9 in cleaned.index and 4 not in cleaned.index and 17 not in cleaned.index
    assert len(cleaned) == 118 and set(changes["row"]) == set(DUPS)
    listed = client.get("/api/examples", params={"check": "exact_duplicate", "decision": "exclude"}).json()
    assert sorted(e["row"] for e in listed["items"]) == [4, 17]


def test_keep_one_with_a_stale_version_saves_nothing(client):
    """If any row of the set changed since it was loaded, 409 and no decision is recorded."""
    assert client.post("/api/examples/17/decision", json={"action": "keep", "version": 0}).status_code == 200
    r = client.post(
        "/api/examples/9/keep-one", json={"check": "exact_duplicate", "versions": {str(x): 0 for x in DUPS}}
    )
    assert r.status_code == 409 and "row 17 changed" in r.json()["detail"]
    assert client.get("/api/progress").json()["reviewed"] == 1


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"check": "outlier", "versions": {"4": 0, "9": 0, "17": 0}}, "check must be one of"),
        ({"check": "exact_duplicate", "versions": {"9": 0}}, "missing rows [4, 17]"),
        ({"check": "exact_duplicate", "versions": [0, 0]}, "versions must map"),
        ({"check": "exact_duplicate", "versions": {"x": 0}}, "keyed by row numbers"),
    ],
)
def test_keep_one_bad_request_names_the_problem(client, body, needle):
    """Malformed keep-one requests answer 422 saying what was expected."""
    r = client.post("/api/examples/9/keep-one", json=body)
    assert r.status_code == 422 and needle in r.json()["detail"]


def test_keep_one_on_a_row_outside_every_set_is_refused(client):
    """A row with no duplicate cannot keep-one."""
    row = next(r for r in range(120) if r not in DUPS)
    r = client.post(f"/api/examples/{row}/keep-one", json={"check": "exact_duplicate", "versions": {}})
    assert r.status_code == 422 and f"row {row} is in no exact_duplicate set" in r.json()["detail"]


def test_record_many_is_all_or_nothing(tmp_path):
    """One conflicting decision in the batch leaves the store unchanged."""
    store = DecisionStore(tmp_path / "r.sqlite")
    store.record(2, "keep", version=0, reviewer="a")
    with pytest.raises(ConflictError, match="row 2 changed by 'a'"):
        store.record_many([(1, "exclude", 0, None), (2, "exclude", 0, None)], reviewer="b")
    assert set(store.current()) == {2}
    with pytest.raises(InvalidParameterError, match="each row once"):
        store.record_many([(1, "keep", 0, None), (1, "exclude", 0, None)], reviewer="b")


def test_keep_one_of_duplicates_without_the_page(out_dir):
    """The Python entry point decides on the current versions, then export drops the others."""
    for suffix in ("", "-wal", "-shm"):
        (out_dir / f"review.sqlite{suffix}").unlink(missing_ok=True)
    made = keep_one_of_duplicates(out_dir, 4, check="exact_duplicate", reviewer="me")
    assert [(d.row, d.action) for d in made] == [(4, "keep"), (9, "exclude"), (17, "exclude")]
    again = keep_one_of_duplicates(out_dir, 17, check="exact_duplicate", reviewer="me")
    assert [d.version for d in again] == [2, 2, 2]
    cleaned, _ = cleaned_table(out_dir)
    assert 17 in cleaned.index and 4 not in cleaned.index and 9 not in cleaned.index
    for suffix in ("", "-wal", "-shm"):
        (out_dir / f"review.sqlite{suffix}").unlink(missing_ok=True)


def test_check_index_reads_flags_with_missing_values_as_false(out_dir):
    """Rows the check did not score (empty cells) count as not flagged; set membership is by data row."""
    audit = load_audit(out_dir, with_data=False)
    index = CheckIndex.from_audit(audit)
    assert index.set_of("exact_duplicate", 17) == DUPS and index.set_of("exact_duplicate", 0) is None
    assert all(f.dtype == bool and len(f) == len(audit.issues) for f in index.flags.values())
    with pytest.raises(InvalidParameterError, match="check must be one of"):
        keep_one(None, index, 4, "label", versions={}, reviewer="x")  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_keep_one_keeps_exactly_the_chosen_row_of_any_set(tmp_path_factory, data):
    """For any partition into sets and any chosen row: it is kept, the rest of its set excluded, others untouched."""
    n = data.draw(st.integers(4, 30))
    perm = data.draw(st.permutations(range(n)))
    cuts = sorted(data.draw(st.sets(st.integers(1, n - 1), max_size=4)))
    sets = [list(p) for p in np.split(np.array(perm), cuts) if len(p) >= 2]
    if not sets:
        return
    chosen_set = data.draw(st.sampled_from(sets))
    row = data.draw(st.sampled_from(chosen_set))
    index = CheckIndex.from_sets({}, {"near_duplicate": sets})
    store = DecisionStore(tmp_path_factory.mktemp("h") / "r.sqlite", n_examples=n)
    keep_one(store, index, int(row), "near_duplicate", versions={int(r): 0 for r in chosen_set}, reviewer="h")
    current = {r: d.action for r, d in store.current().items()}
    assert current == {int(r): ("keep" if r == row else "exclude") for r in chosen_set}
