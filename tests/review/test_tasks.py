"""The review page on task audits (``labelwise audit --task``): units worst first with the report's drawings."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from starlette.testclient import TestClient

from labelwise.review import create_app
from labelwise.review.tasks import load_task_audit
from tests.report.fake_outputs import write_audit
from tests.report.test_tasks import _audit, _segmentation_case

BASE = "http://127.0.0.1"


@pytest.fixture
def segmentation_dir(tmp_path):
    folder, _, _ = _segmentation_case(tmp_path)
    return _audit(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npy")


@pytest.fixture
def token_dir(tmp_path):
    sent = "EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\n"
    (tmp_path / "c.conll").write_text(sent * 20 + "Peter B-ORG\nspoke O\n\nAnna B-PER\n")
    rows = {"B-ORG": [0, 0.9, 0.05, 0.05], "O": [0.02, 0.02, 0.01, 0.95], "B-MISC": [0.9, 0.05, 0, 0.05]}
    probs = [rows[t] for t in ["B-ORG", "O", "B-MISC", "O"] * 20] + [[0.0, 0.04, 0.95, 0.01], rows["O"], [0, 0, 1.0, 0]]
    np.save(tmp_path / "p.npy", np.array(probs))
    return _audit(tmp_path, tmp_path / "c.conll", "--task", "token", "--probs", tmp_path / "p.npy")


def test_segmentation_units_are_images_with_the_overlay(segmentation_dir):
    """The flagged image comes first and its card's image is the report's overlay (red pixels)."""
    with TestClient(create_app(segmentation_dir, reviewer="t"), base_url=BASE) as c:
        meta = c.get("/api/meta").json()
        assert meta["task"] == "segmentation" and meta["preview_kind"] == "task" and meta["classes"] == []
        body = c.get("/api/examples").json()
        assert [e["row"] for e in body["items"]] == [2] and body["items"][0]["given"] == "img2.png"
        url = body["items"][0]["preview"]["image_url"]
        r = c.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        pixels = np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB")).astype(int)
        assert (np.abs(pixels - [220, 38, 38]).sum(axis=2) < 10).any()
        assert len(c.get("/api/examples", params={"scope": "all"}).json()["items"]) == 3


def test_token_units_show_the_sentence_and_accept_keep_and_exclude(token_dir):
    """The worst token's card shows its sentence with the token marked; keep/exclude are recorded, relabel is not."""
    with TestClient(create_app(token_dir, reviewer="t"), base_url=BASE) as c:
        first = c.get("/api/examples", params={"scope": "all", "page_size": 1}).json()["items"][0]
        assert (first["given"], first["suggested"]) == ("B-ORG", "B-PER")
        assert first["preview"] == {"kind": "text", "task": "token", "text": "[[Peter]] spoke"}
        r = c.post(f"/api/examples/{first['row']}/decision", json={"action": "exclude", "version": 0})
        assert r.status_code == 200 and r.json()["decision"]["action"] == "exclude"
        r = c.post(f"/api/examples/{first['row']}/decision", json={"action": "relabel", "version": 1, "label": "B-PER"})
        assert r.status_code == 422, r.text
        assert r.json()["detail"] == (
            "action 'relabel' does not apply to a token audit: its review records keep or exclude per unit, got label 'B-PER'"
        ), "it said: label must be one of the classes [] (a task audit has none)"


def test_regression_relabel_says_keep_or_exclude(tmp_path):
    """A regression row cannot be relabelled with a new target: the 422 says the review records keep or exclude
    (it said the label must be one of the classes [])."""
    import pandas as pd

    rng = np.random.default_rng(1)
    y = rng.normal(size=60)
    pd.DataFrame({"price": y}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", y + rng.normal(0, 0.1, 60))
    out = _audit(
        tmp_path, tmp_path / "d.csv", "--task", "regression", "--label", "price", "--predictions", tmp_path / "pred.npy"
    )
    with TestClient(create_app(out, reviewer="t"), base_url=BASE) as c:
        r = c.post("/api/examples/4/decision", json={"action": "relabel", "version": 0, "label": 1.5})
        assert r.status_code == 422 and "does not apply to a regression audit" in r.json()["detail"]
        assert c.get("/api/progress").json()["relabel"] == 0
        r = c.post("/api/examples/4/decision", json={"action": "exclude", "version": 0})
        assert r.status_code == 200 and c.get("/api/progress").json()["exclude"] == 1


def test_classification_folder_is_not_a_task(tmp_path):
    """A plain audit is read by load_audit as before."""
    assert load_task_audit(write_audit(tmp_path / "out", kind="features", n=40, noise=0.2)) is None


def test_detection_units_are_images_with_their_boxes(tmp_path):
    """The image with the swapped box comes first; its drawing has the flagged box in red."""
    import json

    gt = {
        "images": [{"id": i, "width": 100, "height": 100} for i in range(3)],
        "categories": [{"id": 1}, {"id": 2}],
        "annotations": [
            {"id": i, "image_id": i, "category_id": 1 if i else 2, "bbox": [10, 10, 30, 30]} for i in range(3)
        ],
    }
    preds = [{"image_id": i, "category_id": 1, "bbox": [11, 10, 30, 30], "score": 0.95} for i in range(3)]
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "p.json").write_text(json.dumps(preds))
    out = _audit(tmp_path, tmp_path / "gt.json", "--task", "detection", "--predictions", tmp_path / "p.json")
    with TestClient(create_app(out, reviewer="t"), base_url=BASE) as c:
        first = c.get("/api/examples").json()["items"][0]
        assert (first["row"], first["suggested"]) == (0, "swapped")
        png = c.get(first["preview"]["image_url"]).content
        pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
        assert (np.abs(pixels - [220, 38, 38]).sum(axis=2) < 10).any()


def test_an_unknown_id_of_a_token_audit_is_said_to_count_tokens(token_dir):
    """A 404 on a token audit says its ids are tokens (83 of them), not data rows (session 43's walk)."""
    with TestClient(create_app(token_dir, reviewer="t"), base_url=BASE) as c:
        r = c.get("/api/examples/500")
        assert r.status_code == 404
        detail = r.json()["detail"]
        assert detail.startswith("unknown token id '500': ids are the tokens (counted over the whole file"), detail
        assert "0..82 of a token audit" in detail and "data rows" not in detail


def test_an_unknown_id_of_a_segmentation_audit_is_said_to_count_images(segmentation_dir):
    """A 404 on a segmentation audit says its ids are the images in the mask files' name order."""
    with TestClient(create_app(segmentation_dir, reviewer="t"), base_url=BASE) as c:
        detail = c.post("/api/examples/9/decision", json={"action": "keep", "version": 0}).json()["detail"]
        assert (
            detail
            == "unknown image id '9': ids are the images (the mask files in name order) 0..2 of a segmentation audit"
        )
