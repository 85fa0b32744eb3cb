"""The folder an audit at scale writes (``issues.parquet``) is read by report, review and export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.cli import main
from labelwise.io.issues_table import worst_first_ranks
from labelwise.report import load_audit

from ._data import noisy_probs

pytest.importorskip("dask.dataframe")


def _audit_at_scale(tmp_path, labels, probs, *extra):
    np.save(tmp_path / "probs.npy", probs)
    np.save(tmp_path / "labels.npy", labels)
    out = tmp_path / "out"
    args = ["audit", "--probs", str(tmp_path / "probs.npy"), *extra, "--scheduler", "threads", "--out", str(out)]
    if "--label" not in extra:
        args[3:3] = ["--labels", str(tmp_path / "labels.npy")]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert (out / "issues.parquet").exists() and not (out / "issues.csv").exists()
    return out


def test_load_audit_of_an_issues_parquet_folder_equals_the_in_memory_table_worst_first(tmp_path):
    labels, probs = noisy_probs(2500, 5, seed=3)
    probs[:40] = probs[0]  # tied qualities: the rank's tie rule (by row) is what is compared
    out = _audit_at_scale(tmp_path, labels, probs)
    loaded = load_audit(out).issues
    expected = lw.find_label_issues(labels, probs).to_frame()
    for column in ("row", "rank", "is_issue", "label_quality"):
        np.testing.assert_array_equal(loaded[column].to_numpy(), expected[column].to_numpy())
    np.testing.assert_array_equal(loaded["given_label"].astype(int), expected["given_label"].astype(int))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from([0.1, 0.2, 0.5]), st.booleans()), min_size=1, max_size=30),
    st.randoms(use_true_random=False),
)
def test_worst_first_ranks_depend_on_the_rows_not_on_the_order_they_are_read_in(entries, rnd):
    """Flagged rows first, each group by quality, ties by row (LabelIssues.rank's order), whatever
    order the partitions hand the rows over in: shuffling the entries shuffles their ranks alike."""
    quality = np.array([q for q, _ in entries])
    flagged = np.array([f for _, f in entries])
    rows = np.arange(len(entries))
    ranks = worst_first_ranks(rows, quality, flagged)
    expected = sorted(rows, key=lambda r: (not flagged[r], quality[r], r))
    np.testing.assert_array_equal(np.argsort(ranks), expected)
    shuffled = np.array(rnd.sample(range(len(entries)), len(entries)))
    np.testing.assert_array_equal(worst_first_ranks(shuffled, quality[shuffled], flagged[shuffled]), ranks[shuffled])


def test_report_and_review_read_an_audit_at_scale_and_export_says_it_needs_the_table(tmp_path):
    labels, probs = noisy_probs(800, 4, seed=5)
    out = _audit_at_scale(tmp_path, labels, probs)
    res = CliRunner().invoke(main, ["report", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "report.html").stat().st_size > 0
    from starlette.testclient import TestClient

    from labelwise.review import create_app

    with TestClient(create_app(out, reviewer="t"), base_url="http://127.0.0.1") as client:
        page = client.get("/api/examples", params={"page_size": 5}).json()
    worst = load_audit(out, with_data=False).issues["row"].head(5).tolist()
    assert [e["row"] for e in page["items"]] == worst

    res = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
    assert res.exit_code == 2
    assert "ran without one" in res.output and "DATA with --label" in res.output
    assert not (tmp_path / "clean.csv").exists()


def test_an_audit_at_scale_of_a_table_exports_the_cleaned_table(tmp_path):
    labels, probs = noisy_probs(600, 3, seed=6)
    table = pd.DataFrame({"x": np.arange(600), "y": [f"c{v}" for v in labels]})
    table.to_csv(tmp_path / "d.csv", index=False)
    out = _audit_at_scale(tmp_path, labels, probs, str(tmp_path / "d.csv"), "--label", "y")
    res = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "clean.csv")])
    assert res.exit_code == 0, res.output
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "clean.csv"), table)


def test_an_audit_at_scale_replaces_an_earlier_in_memory_audits_table_and_probs(tmp_path):
    """issues.csv is read before issues.parquet: an earlier run's would shadow the new table."""
    labels, probs = noisy_probs(400, 3, seed=5)
    np.save(tmp_path / "p.npy", probs)
    pd.DataFrame({"y": labels}).to_csv(tmp_path / "d.csv", index=False)
    out = tmp_path / "out"
    args = ["audit", str(tmp_path / "d.csv"), "--label", "y", "--probs", str(tmp_path / "p.npy"), "--out", str(out)]
    assert CliRunner().invoke(main, args, catch_exceptions=False).exit_code == 0
    assert (out / "issues.csv").exists() and (out / "probs.npy").exists()
    _audit_at_scale(tmp_path, labels, probs, "--force")  # asserts issues.csv is gone (--force: a second run)
    assert not (out / "probs.npy").exists()
    np.testing.assert_array_equal(load_audit(out).issues["row"], lw.find_label_issues(labels, probs).to_frame()["row"])


def test_a_distributed_aggregation_replaces_an_earlier_aggregations_confusion_matrices(tmp_path):
    """A distributed majority vote after an in-memory Dawid-Skene: the review must not show the earlier
    run's confusion matrices (the distributed fit writes its own annotators.json since session 18)."""
    answers = lw.aggregate.simulate_annotators(np.arange(90) % 3, n_annotators=5, random_state=0).answers
    answers.to_csv(tmp_path / "answers.csv", index=False)
    folder = tmp_path / "answers"
    folder.mkdir()
    answers.to_parquet(folder / "part.0.parquet")
    out = tmp_path / "agg"
    runs = ((tmp_path / "answers.csv", []), (folder, ["--scheduler", "threads", "--method", "majority-vote"]))
    for i, (path, extra) in enumerate(runs):
        again = ["--force"] if i else []  # the second run replaces the first one's outputs: asked for
        res = CliRunner().invoke(
            main, ["aggregate", str(path), *extra, "--out", str(out), *again], catch_exceptions=False
        )
        assert res.exit_code == 0, res.output
    assert json.loads((out / "annotators.json").read_text())["confusion_matrices"] is False
    assert sorted(p.name for p in out.iterdir()) == ["annotators.csv", "annotators.json", "labels.csv", "summary.json"]
