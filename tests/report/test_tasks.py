"""The report of ``labelwise audit --task ...`` folders: one view per label shape, with its drawings."""

from __future__ import annotations

import base64
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from labelwise.cli import main
from labelwise.cli._audit_tasks import TASKS
from labelwise.report import write_report
from labelwise.report._tasks import TASK_VIEWS, TaskRun, task_of
from labelwise.report._tasks.segmentation import flagged_pixels


def _audit(tmp_path, *args):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["audit", *map(str, args), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _report(out):
    """Run `labelwise report OUT` and return the page."""
    res = CliRunner().invoke(main, ["report", str(out)])
    assert res.exit_code == 0, res.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.split("</head>")[1]
    return page


def _images(page, cls):
    """The PNGs of the <img> elements of class ``cls``, decoded."""
    found = re.findall(rf'<img[^>]*class="[^"]*\b{cls}\b[^"]*"[^>]*src="data:image/png;base64,([^"]+)"', page)
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(b))).convert("RGB")) for b in found]


def _has_colour(pixels, rgb, tol=40):
    return bool((np.abs(pixels.astype(int) - np.array(rgb)).sum(axis=2) < tol).any())


def test_every_task_but_classification_has_a_view():
    """The registry covers each task `labelwise audit --task` writes."""
    assert set(TASK_VIEWS) == set(TASKS) - {"classification"}


def test_multilabel_report_marks_missing_and_extra_tags(tmp_path):
    """Row 0 lacks 'dog' and has a doubtful 'owl': the tag list shows +dog and strikes owl."""
    rng = np.random.default_rng(0)
    truth = rng.random((300, 3)) < 0.4
    probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    given = truth.copy()
    given[0] = [True, False, True]
    probs[0] = [0.95, 0.97, 0.02]
    names = np.array(["cat", "dog", "owl"])
    pd.DataFrame({"tags": ["|".join(names[r]) for r in given]}).to_csv(tmp_path / "t.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    out = _audit(tmp_path, tmp_path / "t.csv", "--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy")
    assert task_of(out) == "multilabel"
    page = _report(out)
    assert 'id="multilabel-classes"' in page and 'id="multilabel-worst"' in page
    row0 = re.search(r'<tr><td class="num">0</td><td class="tags">(.*?)</td>', page).group(1)
    assert 'class="tag missing"' in row0 and "+dog" in row0
    assert "<s>owl</s>" in row0 and ">cat</span>" in row0


def test_token_report_highlights_the_wrong_tag_in_its_sentence(tmp_path):
    """'Peter' tagged B-ORG where the model says B-PER: highlighted in its sentence, sentence first."""
    sent = "EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\n"
    (tmp_path / "c.conll").write_text(sent * 20 + "Peter B-ORG\nspoke O\n\nAnna B-PER\n")
    rows = {"B-ORG": [0, 0.9, 0.05, 0.05], "O": [0.02, 0.02, 0.01, 0.95], "B-MISC": [0.9, 0.05, 0, 0.05]}
    probs = [rows[t] for t in ["B-ORG", "O", "B-MISC", "O"] * 20] + [[0.0, 0.04, 0.95, 0.01], rows["O"], [0, 0, 1.0, 0]]
    np.save(tmp_path / "p.npy", np.array(probs))
    out = _audit(tmp_path, tmp_path / "c.conll", "--task", "token", "--probs", tmp_path / "p.npy")
    page = _report(out)
    first = re.search(r'<li class="sentence" data-sentence="(\d+)">(.*?)</li>', page)
    assert first.group(1) == "20"
    assert re.search(
        r'<mark class="tok (flagged|doubt)"[^>]*>Peter<sub>B-ORG &rarr; B-PER</sub></mark>', first.group(2)
    )
    assert '<span class="tok">spoke</span>' in first.group(2)


def test_token_report_on_a_noisy_corpus_marks_the_flagged_tokens(tmp_path):
    """Simulated NER noise: every flagged token of issues.csv is marked in red in its sentence."""
    from tests.audit._tasks_data import TAGS, token_case

    noisy, probs = token_case(n_sentences=150, seed=3)
    lines = ["\n".join(f"w{s}_{t} {tag}" for t, tag in enumerate(tags)) for s, tags in enumerate(noisy.labels)]
    (tmp_path / "c.conll").write_text("\n\n".join(lines) + "\n")
    order = np.argsort(TAGS)  # the CLI's classes are the corpus's sorted tags
    np.save(tmp_path / "p.npy", np.concatenate(probs)[:, order])
    out = _audit(tmp_path, tmp_path / "c.conll", "--task", "token", "--probs", tmp_path / "p.npy")
    issues = pd.read_csv(out / "issues.csv")
    flagged = issues[issues["is_issue"]]
    assert len(flagged) > 0
    page = _report(out)
    assert 'id="token-confusions"' in page
    marked = re.findall(r'<mark class="tok flagged"[^>]*>(w\d+_\d+)<sub>', page)
    assert set(marked) == set(flagged["token"])


def test_regression_report_plots_and_lists_the_shifted_target(tmp_path):
    """The shifted row is listed first with its given and predicted values; the scatter is embedded."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    pred = y + rng.normal(0, 0.1, 200)
    y[3] += 4
    pd.DataFrame({"price": y, "size": np.arange(200)}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", pred)
    out = _audit(
        tmp_path, tmp_path / "d.csv", "--task", "regression", "--label", "price", "--predictions", tmp_path / "pred.npy"
    )
    page = _report(out)
    assert 'id="regression-scatter"' in page and len(_images(page, "plot")) == 1
    table = page.split('id="regression-worst"')[1]
    first_row = re.search(r"<tbody><tr>(.*?)</tr>", table).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", first_row)
    assert cells[0] == "3" and float(cells[1]) == pytest.approx(y[3], abs=1e-3)
    assert float(cells[2]) == pytest.approx(pred[3], abs=1e-3)
    assert '<th class="num">size</th>' in table and cells[-1] == "3", "the data table's other columns follow"


def _segmentation_case(tmp_path):
    masks = np.zeros((3, 16, 16), np.uint8)
    masks[:, 4:12, 4:12] = 1
    probs = np.stack([1.0 - masks, masks], axis=1) * 0.9 + 0.05
    noisy = masks.copy()
    noisy[2, 0:3, 0:3] = 1
    folder = tmp_path / "masks"
    folder.mkdir()
    for i, m in enumerate(noisy):
        Image.fromarray(m, mode="L").save(folder / f"img{i}.png")
    np.save(tmp_path / "p.npy", probs)
    return folder, noisy, probs


def test_segmentation_report_overlays_the_wrong_region_in_red(tmp_path):
    """Only img2 is flagged; its overlay has red pixels where the wrong corner is, none elsewhere."""
    folder, noisy, _ = _segmentation_case(tmp_path)
    out = _audit(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npy")
    page = _report(out)
    assert 'id="segmentation-images"' in page and "img2.png" in page
    (overlay,) = _images(page, "overlay")
    half = overlay[:, : overlay.shape[1] // 2]
    red = np.abs(half.astype(int) - [220, 38, 38]).sum(axis=2) < 120
    ys, xs = np.nonzero(red)
    assert red.any() and ys.max() < half.shape[0] * 3 / 16 + 2 and xs.max() < half.shape[1] * 3 / 16 + 2


def test_segmentation_overlay_without_probs_outlines_the_region(tmp_path):
    """Without the probabilities file the region's box is drawn instead of its pixels."""
    folder, _, _ = _segmentation_case(tmp_path)
    out = _audit(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npy")
    (tmp_path / "p.npy").unlink()
    (overlay,) = _images(_report(out), "overlay")
    assert _has_colour(overlay, (220, 38, 38))


def test_flagged_pixels_are_the_regions_pixels_the_model_disagrees_with():
    """Inside a region's box, only pixels whose top class differs from the mask count."""
    mask = np.zeros((6, 6), np.int64)
    top = mask.copy()
    top[1:3, 1:3] = 1
    regions = pd.DataFrame({"top": [0], "left": [0], "bottom": [4], "right": [4]})
    assert flagged_pixels(mask, top, regions).sum() == 4
    assert flagged_pixels(mask, None, regions).sum() == 16


def test_detection_report_draws_given_predicted_and_flagged_boxes(tmp_path):
    """The swapped box of image 0 is drawn in red, the other images' given boxes in blue."""
    gt = {
        "images": [{"id": i, "width": 100, "height": 100, "file_name": f"im{i}.png"} for i in range(3)],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
        "annotations": [
            {"id": i, "image_id": i, "category_id": 1 if i else 2, "bbox": [10, 10, 30, 30]} for i in range(3)
        ],
    }
    preds = [{"image_id": i, "category_id": 1, "bbox": [11, 10, 30, 30], "score": 0.95} for i in range(3)]
    (tmp_path / "gt.json").write_text(json.dumps(gt))
    (tmp_path / "p.json").write_text(json.dumps(preds))
    Image.new("RGB", (100, 100), (255, 255, 255)).save(tmp_path / "im0.png")
    out = _audit(tmp_path, tmp_path / "gt.json", "--task", "detection", "--predictions", tmp_path / "p.json")
    page = _report(out)
    assert 'id="detection-images"' in page and 'id="detection-boxes"' in page and "im0.png" in page
    drawings = _images(page, "boxes")
    assert len(drawings) == 1
    (pic,) = drawings
    assert _has_colour(pic, (220, 38, 38)) and _has_colour(pic, (234, 88, 12))
    assert _has_colour(pic, (255, 255, 255), tol=3), "drawn over the image file"
    assert "swapped" in page.split('id="detection-boxes"')[1]


def test_classification_folder_is_not_a_task_view(tmp_path):
    """A plain audit keeps the classification report."""
    from tests.report.fake_outputs import write_audit

    out = write_audit(tmp_path / "out", kind="features", n=60, noise=0.2)
    assert task_of(out) is None
    assert 'id="worst"' in write_report(out).read_text()


def test_task_run_issue_looks_a_unit_up_by_its_key_column_indexing_once(tmp_path):
    """TaskRun.issue(unit, key=...) is the issues row whose key column holds unit; the index is built once."""
    issues = pd.DataFrame({"row": [4, 2, 9], "token_index": [7, 8, 6], "label_quality": [0.1, 0.2, 0.3]})
    run = TaskRun(out_dir=tmp_path, summary={}, issues=issues)
    assert run.issue(2)["label_quality"] == 0.2
    assert run.issue(6, key="token_index")["row"] == 9
    cached = dict(run.cache)
    assert run.issue(9)["token_index"] == 6
    assert {k: id(v) for k, v in run.cache.items()} == {k: id(v) for k, v in cached.items()}
