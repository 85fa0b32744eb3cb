"""Bad input to ``labelwise audit --task {multilabel,token,segmentation,detection}``: one line naming the option
or DATA (not the library's ``probs`` / ``labels`` / ``ignore_index``), exit 2, nothing written; and what a good run
says: the COCO ids in detection's issues.csv, the console's count with its unit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _invoke(tmp_path, *args):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["audit", *map(str, args), "--out", str(out)])
    return res, out


@pytest.fixture()
def multilabel(tmp_path):
    rng = np.random.default_rng(0)
    truth = rng.random((60, 3)) < 0.4
    names = np.array(["cat", "dog", "owl"])
    pd.DataFrame({"tags": ["|".join(names[r]) for r in truth]}).to_csv(tmp_path / "t.csv", index=False)
    return tmp_path / "t.csv", np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p[:-1], "--probs must have one row per row of DATA (60), got 59"),
        (lambda p: np.where(np.arange(p.size).reshape(p.shape) == 4, np.nan, p), "--probs must hold per-class "),
        (
            lambda p: p[:, :2],
            "--label column 'tags' uses 3 tags but --probs has 2 columns; pass --classes to name each column",
        ),
    ],
)
def test_multilabel_errors_name_the_options(tmp_path, multilabel, change, message):
    """These said 'labels and probs must have the same number of rows', 'probs must hold ... is np.float64(nan)'
    and 'labels use 3 tags': the library's parameters, which the command line has not."""
    data, probs = multilabel
    np.save(tmp_path / "p.npy", change(probs))
    res, out = _invoke(tmp_path, data, "--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy")
    assert res.exit_code == 2 and message in res.output, res.output
    assert "np.float64" not in res.output and not out.exists()


@pytest.fixture()
def conll(tmp_path):
    (tmp_path / "c.conll").write_text("EU B-ORG\nrejects O\nGerman B-MISC\n\nPeter B-PER\nspoke O\n\n")
    return tmp_path / "c.conll", np.full((5, 4), 0.25)


@pytest.mark.parametrize(
    ("probs", "message"),
    [
        (np.full((4, 4), 0.25), "--probs must have one row per token of DATA (5 tokens in 2 sentences), got 4"),
        (np.full((5, 3), 1 / 3), "--probs must have one column per tag of DATA (4: B-MISC, B-ORG, B-PER, O), got 3"),
        (np.full((5, 4), 0.5), "--probs must sum to 1 in every row"),
    ],
)
def test_token_errors_name_the_options(tmp_path, conll, probs, message):
    """Fewer columns than the file's tags was 'classes must have one entry per column of probs (3), got 4', a
    parameter the user never passed; a row count or sum error named 'labels' / 'probs'."""
    np.save(tmp_path / "p.npy", probs)
    res, out = _invoke(tmp_path, conll[0], "--task", "token", "--probs", tmp_path / "p.npy")
    assert res.exit_code == 2 and message in res.output, res.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("arrays", "message"),
    [
        ([np.full((3, 4), 0.25)], "--probs must hold one array per sentence of DATA (2), got 1"),
        (
            [np.full((3, 4), 0.25), np.full((1, 4), 0.25)],
            "--probs array of sentence 1 must have 2 rows (its tokens), got 1",
        ),
    ],
)
def test_token_npz_errors_name_the_options(tmp_path, conll, arrays, message):
    """One array per sentence (.npz): 'labels and probs must have the same number of sentences' and
    'sentence 1 has 2 tags in labels but 1 rows in probs'."""
    np.savez(tmp_path / "p.npz", *arrays)
    res, out = _invoke(tmp_path, conll[0], "--task", "token", "--probs", tmp_path / "p.npz")
    assert res.exit_code == 2 and message in res.output, res.output
    assert not out.exists()


def _masks(tmp_path, values):
    from PIL import Image

    folder = tmp_path / "masks"
    folder.mkdir()
    for i, v in enumerate(values):
        Image.fromarray(np.full((4, 5), v, np.uint8), mode="L").save(folder / f"img{i}.png")
    return folder


@pytest.mark.parametrize(
    ("n_images", "extra", "message"),
    [
        (2, [], "--probs must have one image per mask of DATA (3), got shape (2, 2, 4, 5)"),
        (3, ["--ignore-index", "1"], "--ignore-index must not be a class (0..1"),
    ],
)
def test_segmentation_errors_name_the_options(tmp_path, n_images, extra, message):
    """These said 'labels and probs describe different images' and 'ignore_index must not be a class'."""
    pytest.importorskip("PIL")
    folder = _masks(tmp_path, [0, 1, 0])
    np.save(tmp_path / "p.npy", np.full((n_images, 2, 4, 5), 0.5))
    res, out = _invoke(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npy", *extra)
    assert res.exit_code == 2 and message in res.output, res.output
    assert not out.exists()


def test_segmentation_npz_with_another_number_of_images(tmp_path):
    """An .npz of one (K, H, W) array per image, one short: the library's 'labels and probs describe different
    images', naming neither option."""
    pytest.importorskip("PIL")
    folder = _masks(tmp_path, [0, 1, 0])
    np.savez(tmp_path / "p.npz", *np.full((2, 2, 4, 5), 0.5))
    res, out = _invoke(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npz")
    assert res.exit_code == 2 and "--probs must have one image per mask of DATA (3), got 2 arrays" in res.output
    assert not out.exists()


def test_segmentation_data_that_is_a_file_names_data(tmp_path):
    """A file as DATA said 'folder must be an existing mask folder' (the reader's parameter)."""
    np.save(tmp_path / "p.npy", np.full((1, 2, 4, 5), 0.5))
    (tmp_path / "m.png").write_bytes(b"")
    res, _ = _invoke(tmp_path, tmp_path / "m.png", "--task", "segmentation", "--probs", tmp_path / "p.npy")
    assert res.exit_code == 2 and "DATA must be an existing folder of mask PNGs" in res.output, res.output


def _coco(tmp_path):
    images = [{"id": 1, "width": 50, "height": 50, "file_name": "a.jpg"}]
    boxes = [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [5, 5, 20, 20]}]
    (tmp_path / "c.json").write_text(json.dumps({"images": images, "annotations": boxes, "categories": []}))
    (tmp_path / "p.json").write_text(
        json.dumps([{"image_id": 1, "category_id": 1, "bbox": [5, 5, 20, 20], "score": 0.9}])
    )
    return ["--predictions", tmp_path / "p.json"]


@pytest.mark.parametrize("task", ["token", "segmentation", "detection"])
def test_label_is_refused_where_the_task_has_no_label_column(tmp_path, conll, task):
    """--label was silently ignored by the tasks whose DATA is not a table, and recorded in summary.json's
    settings as if it had been read."""
    pytest.importorskip("PIL")
    np.save(tmp_path / "p.npy", conll[1])
    data, rest = {
        "token": (conll[0], ["--probs", tmp_path / "p.npy"]),
        "segmentation": (_masks(tmp_path, [0]), ["--probs", tmp_path / "p.npy"]),
        "detection": (tmp_path / "c.json", _coco(tmp_path)),
    }[task]
    res, out = _invoke(tmp_path, data, "--task", task, "--label", "tags", *rest)
    assert res.exit_code == 2, res.output
    if task == "token":  # a CoNLL file: --label names the tag column of a token table (--sentence-column)
        assert "--task token reads --label from a token table" in " ".join(res.output.split())
    else:
        assert (
            f"--label is for --task classification / multilabel / token / regression, not --task {task}" in res.output
        )
    assert not out.exists()


def test_detection_issues_name_the_coco_image_and_category_ids(tmp_path):
    """issues.csv gave only the image's position in the file and class codes (positions among the sorted
    category ids): image_id 7 with category 12 read as image 0, given 0, and only images.csv had the ids."""
    images = [{"id": 7, "width": 50, "height": 50, "file_name": "a.jpg"}, {"id": 3, "width": 50, "height": 50}]
    boxes = [
        {"id": 1, "image_id": 7, "category_id": 12, "bbox": [5, 5, 20, 20]},
        {"id": 2, "image_id": 3, "category_id": 4, "bbox": [0, 0, 10, 10]},
    ]
    categories = [{"id": 12, "name": "cat"}, {"id": 4, "name": "dog"}]
    (tmp_path / "c.json").write_text(json.dumps({"images": images, "annotations": boxes, "categories": categories}))
    preds = [
        {"image_id": 7, "category_id": 4, "bbox": [5, 5, 20, 20], "score": 0.95},
        {"image_id": 3, "category_id": 4, "bbox": [30, 30, 10, 10], "score": 0.9},
    ]
    (tmp_path / "p.json").write_text(json.dumps(preds))
    res, out = _invoke(tmp_path, tmp_path / "c.json", "--task", "detection", "--predictions", tmp_path / "p.json")
    assert res.exit_code == 0, res.output
    issues = pd.read_csv(out / "issues.csv").set_index(["image", "box", "source"])
    assert issues.loc[(0, 0, "given"), ["image_id", "given_category_id", "suggested_category_id"]].tolist() == [
        7,
        12,
        4,
    ]
    overlooked = issues.loc[(1, 0, "predicted")]
    assert overlooked.image_id == 3 and np.isnan(overlooked.given_category_id) and overlooked.suggested_category_id == 4


def test_console_count_names_the_unit_and_equals_summary(tmp_path, conll, multilabel):
    """The console said '--task token: 15 flagged' (tokens? sentences?) and, for segmentation and detection,
    a count of images without saying so; it now names the unit, of how many, and what beside it."""
    np.save(tmp_path / "tp.npy", np.array([[0.1, 0.7, 0.1, 0.1]] * 5))
    res, out = _invoke(tmp_path, conll[0], "--task", "token", "--probs", tmp_path / "tp.npy")
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    line = f"--task token: {s['n_issues']} of {s['n_examples']} tokens flagged (in {s['n_sentences_flagged']} of "
    assert line + f"{s['n_sentences']} sentences)" in res.output and s["n_issues"] > 0, res.output
    np.save(tmp_path / "mp.npy", multilabel[1])
    res, out = _invoke(
        tmp_path, multilabel[0], "--task", "multilabel", "--label", "tags", "--probs", tmp_path / "mp.npy", "--force"
    )
    s = json.loads((out / "summary.json").read_text())
    line = f"{s['n_issues']} of 60 examples flagged ({s['n_missing']} missing and {s['n_spurious']} spurious tags)"
    assert res.exit_code == 0 and line in " ".join(res.output.split()), res.output


def test_settings_record_absolute_input_paths(tmp_path, conll, monkeypatch):
    """settings.probs / predictions were recorded as typed ('p.npy'), so `labelwise report` run from another
    folder looked for them there: not found (no overlay), or another file of that name drawn instead."""
    from labelwise.report._tasks._common import TaskRun

    np.save(tmp_path / "p.npy", np.array([[0.1, 0.7, 0.1, 0.1]] * 5))
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["audit", "c.conll", "--task", "token", "--probs", "p.npy", "--out", "out"])
    assert res.exit_code == 0, res.output
    settings = json.loads((tmp_path / "out" / "summary.json").read_text())["settings"]
    assert settings["probs"] == str((tmp_path / "p.npy").resolve()) and settings["predictions"] is None
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    np.save("p.npy", np.zeros(1))  # a file of the same name where the report runs
    assert TaskRun.load(tmp_path / "out").path("probs") == (tmp_path / "p.npy").resolve()


def test_a_regression_table_with_fewer_rows_than_folds_is_refused_in_one_line(tmp_path):
    """3 rows with feature columns: scikit-learn's "n_splits=5 greater than the number of samples" traceback
    (exit 1) before; now one line naming --task regression and DATA, and no output folder."""
    pd.DataFrame({"y": [1.0, 2.0, 3.5], "a": [2, 3, 1], "b": [3, 1, 2]}).to_csv(tmp_path / "r.csv", index=False)
    res, out = _invoke(tmp_path, tmp_path / "r.csv", "--label", "y", "--task", "regression")
    assert res.exit_code == 2 and "DATA needs at least 5 rows, got 3" in res.output, res.output
    assert not out.exists()


@pytest.mark.parametrize(("task", "shape"), [("multilabel", "(n, K)"), ("token", "(n_tokens, K)")])
def test_a_task_without_probs_names_the_task_and_what_probs_holds(tmp_path, conll, multilabel, task, shape):
    """This said '--probs is required for this --task': now which task, and the array it wants."""
    data = {"multilabel": multilabel[0], "token": conll[0]}[task]
    label = ("--label", "tags") if task == "multilabel" else ()
    res, out = _invoke(tmp_path, data, "--task", task, *label)
    assert res.exit_code == 2, res.output
    assert f"--task {task} needs --probs (an {shape}" in res.output
    assert not out.exists()
