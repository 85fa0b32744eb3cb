"""Tests of the review web app's HTTP API (FastAPI TestClient, no browser)."""

from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from starlette.testclient import TestClient

from labelwise.report import load_audit
from labelwise.review import DecisionStore, create_app
from labelwise.review.app import STATIC_DIR
from tests.report.fake_outputs import write_audit

BASE = "http://127.0.0.1"


@pytest.fixture
def out_dir(tmp_path):
    return write_audit(tmp_path / "out", kind="pixels", n=120, noise=0.2)


@pytest.fixture
def client(out_dir):
    with TestClient(create_app(out_dir, reviewer="tester"), base_url=BASE) as c:
        yield c


def _decide(client, row, **body):
    return client.post(f"/api/examples/{row}/decision", json=body)


class TestPages:
    def test_index_and_assets_served_with_strict_csp(self, client):
        """The page loads its script from /static and forbids inline script and other hosts."""
        r = client.get("/")
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text), "no inline script"
        assert client.get("/static/app.js").status_code == 200

    def test_page_script_inserts_data_only_as_text(self):
        """The page script never builds HTML from strings (no innerHTML/outerHTML/insertAdjacentHTML)."""
        js = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", js)
        assert "textContent" in js

    def test_meta_lists_classes_and_progress(self, client, out_dir):
        """/api/meta gives classes, counts and the default reviewer."""
        meta = client.get("/api/meta").json()
        audit = load_audit(out_dir)
        assert meta["classes"] == list(range(10)) and meta["reviewer"] == "tester"
        assert meta["progress"]["flagged"] == int(audit.issues["is_issue"].sum())
        assert meta["preview_kind"] == "pixels" and meta["can_export"] is True

    def test_missing_data_table_still_reviews_but_export_says_why(self, out_dir):
        """Without the original data the page works (no previews) and export answers 422 with the reason."""
        (out_dir / "data.csv").unlink()
        with TestClient(create_app(out_dir), base_url=BASE) as c:
            meta = c.get("/api/meta").json()
            assert meta["can_export"] is False and meta["preview_kind"] == "none"
            assert c.get("/api/examples").json()["items"][0]["preview"] == {"kind": "none"}
            r = c.get("/api/export/cleaned.csv")
        assert r.status_code == 422 and "original data table" in r.json()["detail"]


class TestExamples:
    def test_worst_first_and_paged(self, client, out_dir):
        """Flagged examples come worst first, split into pages."""
        flagged = load_audit(out_dir).flagged["row"].tolist()
        p1 = client.get("/api/examples", params={"page": 1, "page_size": 5}).json()
        p2 = client.get("/api/examples", params={"page": 2, "page_size": 5}).json()
        assert [e["row"] for e in p1["items"] + p2["items"]] == flagged[:10]
        assert p1["total"] == len(flagged) and p1["pages"] == -(-len(flagged) // 5)
        everything = client.get("/api/examples", params={"scope": "all", "page_size": 200}).json()
        assert everything["total"] == 120 and [e["rank"] for e in everything["items"]] == list(range(1, 121))

    def test_filter_by_class_and_decision(self, client, out_dir):
        """klass filters on the given label and decision on the review state."""
        flagged = load_audit(out_dir).flagged
        klass = str(flagged["given_label"].iloc[0])
        got = client.get("/api/examples", params={"klass": klass, "page_size": 200}).json()
        assert {str(e["given"]) for e in got["items"]} == {klass}
        assert got["total"] == int((flagged["given_label"].astype(str) == klass).sum())
        row = flagged["row"].iloc[0]
        assert _decide(client, row, action="exclude", version=0).status_code == 200
        ex = client.get("/api/examples", params={"decision": "exclude"}).json()
        assert [e["row"] for e in ex["items"]] == [row]
        und = client.get("/api/examples", params={"decision": "undecided", "page_size": 200}).json()
        assert row not in [e["row"] for e in und["items"]] and und["total"] == len(flagged) - 1

    def test_pixel_thumbnail_route(self, client, out_dir):
        """The image route of a pixel-column example returns its 8x8 PNG."""
        row = load_audit(out_dir).flagged["row"].iloc[0]
        r = client.get(f"/api/examples/{row}/image")
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(r.content)).size == (8, 8)

    @pytest.mark.parametrize(
        "param", [{"page": 0}, {"page_size": 1000}, {"scope": "x"}, {"decision": "maybe"}, {"klass": "nope"}]
    )
    def test_bad_query_is_422_with_message(self, client, param):
        """Invalid paging or filters give 422 and say what was expected."""
        r = client.get("/api/examples", params=param)
        assert r.status_code == 422 and "must be" in r.json()["detail"]


class TestDecisions:
    def test_relabel_is_saved_with_version_and_progress(self, client, out_dir):
        """A relabel returns the example's new version and counts in the progress."""
        row = int(load_audit(out_dir).flagged["row"].iloc[0])
        r = _decide(client, row, action="relabel", label=7, version=0, reviewer="ann")
        assert r.status_code == 200
        body = r.json()
        assert body["example"]["version"] == 1 and body["example"]["decision"]["label"] == 7
        assert body["progress"]["reviewed_flagged"] == 1 and body["progress"]["relabel"] == 1
        assert client.get(f"/api/examples/{row}").json()["decision"]["reviewer"] == "ann"
        assert DecisionStore(out_dir / "review.sqlite").current()[row].label == 7

    def test_label_may_be_sent_as_text(self, client, out_dir):
        """A class sent as its text form is stored as the class value."""
        row = int(load_audit(out_dir).flagged["row"].iloc[0])
        assert _decide(client, row, action="relabel", label="3", version=0).status_code == 200
        assert DecisionStore(out_dir / "review.sqlite").current()[row].label == 3

    def test_two_tabs_on_one_version_conflict_with_409(self, client, out_dir):
        """The second decision made on a stale version is refused with 409, not applied."""
        row = int(load_audit(out_dir).flagged["row"].iloc[0])
        assert _decide(client, row, action="keep", version=0, reviewer="tab1").status_code == 200
        r = _decide(client, row, action="exclude", version=0, reviewer="tab2")
        assert r.status_code == 409 and "changed by 'tab1'" in r.json()["detail"]
        assert client.get(f"/api/examples/{row}").json()["decision"]["action"] == "keep"

    @pytest.mark.parametrize("row", ["99999", "-1", "abc", "1.5"])
    def test_unknown_example_is_404_with_message(self, client, row):
        """Decisions, examples and images for unknown ids give 404 naming the id."""
        for r in (
            _decide(client, row, action="keep", version=0),
            client.get(f"/api/examples/{row}"),
            client.get(f"/api/examples/{row}/image"),
        ):
            assert r.status_code == 404 and f"unknown example id '{row}'" in r.json()["detail"]

    @pytest.mark.parametrize(
        ("body", "match"),
        [
            (
                {"action": "relabel", "label": "<script>alert(1)</script>", "version": 0},
                r"label must be one of the classes",
            ),
            ({"action": "relabel", "label": 11, "version": 0}, r"label must be one of the classes .* got 11"),
            ({"action": "relabel", "version": 0}, "label is required"),
            ({"action": "burn", "version": 0}, "action must be one of"),
            ({"action": "keep"}, "version must be"),
            ({"action": "keep", "version": 0, "reviewer": "x" * 101}, "reviewer must be"),
        ],
    )
    def test_invalid_decision_is_422_with_message(self, client, out_dir, body, match):
        """Unknown classes or actions and missing fields give 422 and nothing is stored."""
        row = int(load_audit(out_dir).flagged["row"].iloc[0])
        r = _decide(client, row, **body)
        assert r.status_code == 422 and re.search(match, r.json()["detail"])
        assert DecisionStore(out_dir / "review.sqlite").current() == {}

    def test_non_json_and_cross_origin_posts_are_refused(self, client, out_dir):
        """Form-encoded posts (415) and posts from other origins (403) are refused; same-origin ones pass."""
        row = int(load_audit(out_dir).flagged["row"].iloc[0])
        r = client.post(
            f"/api/examples/{row}/decision",
            content='{"action":"keep","version":0}',
            headers={"Content-Type": "text/plain"},
        )
        assert r.status_code == 415
        r = client.post(
            f"/api/examples/{row}/decision",
            json={"action": "keep", "version": 0},
            headers={"Origin": "http://evil.example"},
        )
        assert r.status_code == 403 and "cross-origin" in r.json()["detail"]
        same = client.post(
            f"/api/examples/{row}/decision", json={"action": "keep", "version": 0}, headers={"Origin": BASE}
        )
        assert same.status_code == 200
        assert len(DecisionStore(out_dir / "review.sqlite").history()) == 1

    def test_foreign_host_header_is_refused(self, out_dir):
        """Requests addressed to another host name (DNS rebinding) get 400."""
        with TestClient(create_app(out_dir), base_url="http://evil.example") as c:
            assert c.get("/api/meta").status_code == 400

    def test_locked_database_gives_503_and_keeps_nothing(self, out_dir):
        """While another process holds the lock, a decision gets 503 saying it was not saved."""
        app = create_app(out_dir, db_timeout=0.1)
        row = int(load_audit(out_dir).flagged["row"].iloc[0])
        other = sqlite3.connect(out_dir / "review.sqlite", isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with TestClient(app, base_url=BASE) as c:
                r = _decide(c, row, action="keep", version=0)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert r.status_code == 503 and "locked" in r.json()["detail"] and "not saved" in r.json()["detail"]
        assert DecisionStore(out_dir / "review.sqlite").current() == {}


class TestFiles:
    def test_output_files_are_served(self, client, out_dir):
        """Files under the output folder (e.g. report.html) are served."""
        (out_dir / "report.html").write_text("<!doctype html><p>hi</p>", encoding="utf-8")
        r = client.get("/files/report.html")
        assert r.status_code == 200 and "hi" in r.text

    @pytest.mark.parametrize(
        "path",
        [
            "/files/../secret.txt",
            "/files/%2e%2e/secret.txt",
            "/files/..%2fsecret.txt",
            "/files/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "/files//etc/passwd",
            "/static/../secret.txt",
            "/static/%2e%2e/%2e%2e/secret.txt",
            "/files/review.sqlite",
        ],
    )
    def test_path_traversal_is_refused(self, client, out_dir, path):
        """Paths that climb out of the output folder (or reach the database) get 404."""
        (out_dir.parent / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
        r = client.get(path)
        assert r.status_code == 404 and "TOP SECRET" not in r.text and "root:" not in r.text

    def test_image_column_serves_only_image_files(self, tmp_path):
        """An image column entry pointing outside at a non-image file is not served."""
        out = write_audit(tmp_path / "out", kind="image", n=40, noise=0.3, data_dir=tmp_path / "data")
        (tmp_path / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
        data = pd.read_csv(tmp_path / "data" / "data.csv")
        data.loc[0, "path"] = "../secret.txt"
        data.to_csv(tmp_path / "data" / "data.csv", index=False)
        with TestClient(create_app(out), base_url=BASE) as c:
            bad = c.get("/api/examples/0/image")
            good = c.get("/api/examples/1/image")
        assert bad.status_code == 404 and "TOP SECRET" not in bad.text
        assert good.status_code == 200 and good.headers["content-type"] == "image/png"
        assert good.content == Path(tmp_path / "data" / "images" / "img_1.png").read_bytes()
