"""``labelwise audit --task {multilabel,token,segmentation,regression}`` end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    """Each test runs in an empty working folder: the commands' default --out (``labelwise-out``) is
    made there, and a checkout where ``make demo`` left one would refuse it first (its earlier
    outputs), before the error a test checks."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def runner():
    return CliRunner()


def _audit_multilabel(runner, tmp_path, tags, probs):
    """Run ``audit --task multilabel`` on a CSV of tag strings and an .npy of probabilities."""
    pd.DataFrame({"tags": tags, "x": 1}).to_csv(tmp_path / "t.csv", index=False)
    np.save(tmp_path / "p.npy", probs)
    out = tmp_path / "out"
    args = ["audit", str(tmp_path / "t.csv"), "--task", "multilabel", "--label", "tags"]
    return runner.invoke(main, [*args, "--probs", str(tmp_path / "p.npy"), "--out", str(out)]), out


def test_multilabel_writes_issues_classes_and_summary(runner, tmp_path):
    """Tag strings 'a|b' with --probs: the dropped tag is reported missing."""
    rng = np.random.default_rng(0)
    truth = rng.random((300, 3)) < 0.4
    probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    given = truth.copy()
    given[0] = [True, False, False]
    probs[0] = [0.95, 0.97, 0.02]
    names = np.array(["cat", "dog", "owl"])
    res, out = _audit_multilabel(runner, tmp_path, ["|".join(names[r]) for r in given], probs)
    assert res.exit_code == 0, res.output
    issues = pd.read_csv(out / "issues.csv")
    assert "dog" in str(issues.set_index("row").loc[0, "missing_tags"])
    assert json.loads((out / "summary.json").read_text())["task"] == "multilabel"
    assert (out / "classes.csv").exists()


def test_multilabel_digit_tags_with_empty_cells_are_column_numbers(runner, tmp_path):
    """Tags '3|10' with an empty cell once became text classes sorted '0, 1, 10, 11, 2': 194 of 200 rows flagged."""
    rng = np.random.default_rng(0)
    truth = rng.random((200, 12)) < 0.3
    truth[0] = False  # an empty cell
    probs = 1 / (1 + np.exp(-(np.where(truth, 2.5, -2.5) + rng.normal(0, 1, truth.shape))))
    res, out = _audit_multilabel(runner, tmp_path, ["|".join(str(j) for j in np.flatnonzero(r)) for r in truth], probs)
    assert res.exit_code == 0, res.output
    classes = pd.read_csv(out / "classes.csv")["class"].tolist()
    assert classes == list(range(12))
    from labelwise.audit import multilabel

    expected = multilabel.find_label_issues(truth.astype(int), probs).is_issue.any(axis=1).sum()
    assert json.loads((out / "summary.json").read_text())["n_issues"] == expected


def test_multilabel_tag_lists_from_json_lines_give_the_csv_result(runner, tmp_path):
    """Tags as JSON lists (JSON Lines) once raised a raw ValueError (``pd.isna`` of a list): they are read
    as the same tags as 'a|b' cells, and the issues equal the CSV run's."""
    rng = np.random.default_rng(1)
    truth = rng.random((120, 3)) < 0.4
    probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    names = np.array(["cat", "dog", "owl"])
    lists = [names[r].tolist() for r in truth]
    lists[0] = ["cat"]
    probs[0] = [0.95, 0.97, 0.02]
    res, csv_out = _audit_multilabel(runner, tmp_path, ["|".join(t) for t in lists], probs)
    assert res.exit_code == 0, res.output
    pd.DataFrame({"tags": lists, "x": 1}).to_json(tmp_path / "t.jsonl", orient="records", lines=True)
    args = ["audit", str(tmp_path / "t.jsonl"), "--task", "multilabel", "--label", "tags"]
    res = runner.invoke(main, [*args, "--probs", str(tmp_path / "p.npy"), "--out", str(tmp_path / "j")])
    assert res.exit_code == 0, res.output
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "j" / "issues.csv"), pd.read_csv(csv_out / "issues.csv"))
    assert "dog" in str(pd.read_csv(tmp_path / "j" / "issues.csv").set_index("row").loc[0, "missing_tags"])


def test_token_reads_conll_and_flags_the_wrong_tag(runner, tmp_path):
    """A CoNLL file and flat (n_tokens, K) probs (columns: the file's sorted tags): the mistagged token is flagged."""
    sent = "EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\n"
    (tmp_path / "c.conll").write_text(sent * 20 + "Peter B-ORG\nspoke O\n\nAnna B-PER\n")
    rows = {"B-ORG": [0, 0.9, 0.05, 0.05], "O": [0.02, 0.02, 0.01, 0.95], "B-MISC": [0.9, 0.05, 0, 0.05]}
    probs = [rows[t] for t in ["B-ORG", "O", "B-MISC", "O"] * 20] + [[0.0, 0.04, 0.95, 0.01], rows["O"], [0, 0, 1.0, 0]]
    np.save(tmp_path / "p.npy", np.array(probs))
    out = tmp_path / "out"
    res = runner.invoke(
        main,
        ["audit", str(tmp_path / "c.conll"), "--task", "token", "--probs", str(tmp_path / "p.npy"), "--out", str(out)],
    )
    assert res.exit_code == 0, res.output
    issues = pd.read_csv(out / "issues.csv")
    first = issues.iloc[0]
    assert (first.sentence, first.token, first.suggested_label) == (20, "Peter", "B-PER")


def test_regression_with_predictions(runner, tmp_path):
    """--predictions: the shifted target ranks first."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    pred = y + rng.normal(0, 0.1, 200)
    y[3] += 4
    pd.DataFrame({"price": y}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", pred)
    out = tmp_path / "out"
    res = runner.invoke(
        main,
        [
            "audit",
            str(tmp_path / "d.csv"),
            "--task",
            "regression",
            "--label",
            "price",
            "--predictions",
            str(tmp_path / "pred.npy"),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out / "issues.csv").row.iloc[0] == 3


def test_regression_mixture_prior_is_passed_and_recorded(runner, tmp_path):
    """--mixture-prior none / tail: the API's fit with that choice (same flags), recorded in summary.json
    (mixture_prior, mixture_fit and settings); the default is auto."""
    from labelwise.audit import regression

    rng = np.random.default_rng(1)
    pred = 2 * np.sin(rng.uniform(-2, 2, 300))
    y = pred + rng.normal(0, 0.5, 300)
    y[rng.choice(300, 30, replace=False)] += 1.75 * y.std()
    pd.DataFrame({"price": y}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", pred)
    argv = ["audit", str(tmp_path / "d.csv"), "--task", "regression", "--label", "price"]
    argv += ["--predictions", str(tmp_path / "pred.npy")]
    for choice in (None, "none", "tail"):
        out = tmp_path / f"out_{choice}"
        extra = [] if choice is None else ["--mixture-prior", choice]
        res = runner.invoke(main, [*argv, *extra, "--out", str(out)])
        assert res.exit_code == 0, res.output
        expected = regression.find_label_issues(y, pred, mixture_prior=choice or "auto")
        summary = json.loads((out / "summary.json").read_text())
        assert summary["mixture_prior"] == summary["settings"]["mixture_prior"] == (choice or "auto")
        assert summary["mixture_fit"] == expected.mixture_fit and summary["n_issues"] == expected.n_issues


def test_regression_console_line_says_how_rows_were_flagged(runner, tmp_path):
    """The console line after the count names the rule, its threshold, --mixture-prior and the fit it led to
    (summary.json's mixture_fit), so that '0 flagged' on a small table says the fit it came from."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    pd.DataFrame({"price": y}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", y + rng.normal(0, 0.1, 200))
    argv = ["audit", str(tmp_path / "d.csv"), "--task", "regression", "--label", "price", "--mixture-prior", "tail"]
    res = runner.invoke(main, [*argv, "--predictions", str(tmp_path / "pred.npy"), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    line = f"flagged (rule mixture, threshold 0.5; --mixture-prior tail: {summary['mixture_fit']} fit)"
    assert summary["mixture_fit"] == "map" and line in " ".join(res.output.split()), res.output


def test_task_audit_report_flag_writes_the_task_report(runner, tmp_path):
    """--report with --task regression writes report.html (the task's page, as `labelwise report` writes it;
    the option was refused as classification-only); a later --force run without it removes the stale page and
    says how to write this run's."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=100)
    pd.DataFrame({"price": y}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", y + rng.normal(0, 0.1, 100))
    argv = ["audit", str(tmp_path / "d.csv"), "--task", "regression", "--label", "price"]
    argv += ["--predictions", str(tmp_path / "pred.npy"), "--out", str(tmp_path / "out")]
    res = runner.invoke(main, [*argv, "--report"])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="regression-scatter"' in page and "report:" in res.output
    res = runner.invoke(main, [*argv, "--force"])
    assert res.exit_code == 0 and "report.htmldescribedthatrun" in "".join(res.output.split()), res.output
    assert not (tmp_path / "out" / "report.html").exists()


def _mask_folder(tmp_path, boundary: bool = False):
    """Three 16x16 mask PNGs (a square of class 1; image 2 with a wrong 3x3 corner) and near-truth probs in p.npy;
    with ``boundary``, a VOC-style line of 255 in every image where the model says class 0."""
    from PIL import Image

    masks = np.zeros((3, 16, 16), np.uint8)
    masks[:, 4:12, 4:12] = 1
    np.save(tmp_path / "p.npy", np.stack([1.0 - masks, masks], axis=1) * 0.9 + 0.05)
    noisy = masks.copy()
    noisy[2, 0:3, 0:3] = 1
    if boundary:
        noisy[:, 3, 3:13] = 255
    folder = tmp_path / "masks"
    folder.mkdir()
    for i, m in enumerate(noisy):
        Image.fromarray(m, mode="L").save(folder / f"img{i}.png")
    return folder


@pytest.mark.parametrize(
    ("pred", "message"),
    [
        (np.zeros(39), "--predictions must have shape (n_rows,) = (40,), one prediction per row of DATA, got (39,)"),
        (
            np.zeros((40, 1)),
            "--predictions must have shape (n_rows,) = (40,), one prediction per row of DATA, got (40, 1)",
        ),
        (
            np.r_[np.zeros(5), np.nan, np.zeros(34)],
            "--predictions must hold finite numbers; row 5 is nan (1 such row(s))",
        ),
        (np.array(["1.5"] * 40), "--predictions must hold real numbers, got dtype <U3"),
    ],
)
def test_regression_bad_predictions_name_the_option(runner, tmp_path, pred, message):
    """A --predictions file of the wrong shape or with NaN: the message names --predictions and DATA's rows
    (it named the library's ``predictions`` and ``y``); exit 2, nothing written."""
    pd.DataFrame({"price": np.arange(40.0), "x": np.arange(40.0) % 7}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "pred.npy", pred)
    argv = ["audit", str(tmp_path / "d.csv"), "--task", "regression", "--label", "price"]
    res = runner.invoke(main, [*argv, "--predictions", str(tmp_path / "pred.npy"), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and message in res.output, res.output
    assert not (tmp_path / "out").exists()


def test_regression_settings_record_the_feature_columns_and_seed(runner, tmp_path):
    """summary.json's settings name the columns the fit read (a categorical one too, since session 39) and the
    random state of its folds and cross-fitting halves, as the classification audit's settings do."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    frame = pd.DataFrame({"price": 2 * x + rng.normal(0, 0.1, 60), "x": x, "city": ["a", "b"] * 30})
    frame.to_csv(tmp_path / "d.csv", index=False)
    argv = ["audit", str(tmp_path / "d.csv"), "--task", "regression", "--label", "price", "--random-state", "3"]
    res = runner.invoke(main, [*argv, "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    settings = json.loads((tmp_path / "out" / "summary.json").read_text())["settings"]
    assert settings["feature_columns"] == ["x", "city"] and settings["random_state"] == 3


def test_segmentation_reads_a_folder_of_pngs(runner, tmp_path):
    """Mask PNGs + (N, K, H, W) probs: regions.csv names the file of each region."""
    folder = _mask_folder(tmp_path)
    out = tmp_path / "out"
    res = runner.invoke(
        main, ["audit", str(folder), "--task", "segmentation", "--probs", str(tmp_path / "p.npy"), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    regions = pd.read_csv(out / "regions.csv")
    assert regions.file.tolist() == ["img2.png"] and regions.area.tolist() == [9]


def test_segmentation_issues_name_each_image_file_in_name_order(runner, tmp_path):
    """issues.csv names each image's file beside its position (it gave the position alone): masks img1..img11
    are read sorted by name (img10.png second), the order --probs follows, and the flagged one is named."""
    from PIL import Image

    names = sorted(f"img{i}.png" for i in range(1, 12))  # img1, img10, img11, img2, ...
    masks = np.zeros((len(names), 16, 16), np.uint8)
    masks[:, 4:12, 4:12] = 1
    np.save(tmp_path / "p.npy", np.stack([1.0 - masks, masks], axis=1) * 0.9 + 0.05)
    masks[names.index("img10.png"), 0:3, 0:3] = 1
    (tmp_path / "masks").mkdir()
    for name, m in zip(names, masks, strict=True):
        Image.fromarray(m, mode="L").save(tmp_path / "masks" / name)
    argv = ["audit", str(tmp_path / "masks"), "--task", "segmentation", "--probs", str(tmp_path / "p.npy")]
    res = runner.invoke(main, [*argv, "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    issues = pd.read_csv(tmp_path / "out" / "issues.csv")
    assert list(issues.columns[:2]) == ["image", "file"]
    assert issues.loc[0, ["image", "file", "is_issue"]].tolist() == [1, "img10.png", True]
    assert issues["file"].tolist() == [names[i] for i in issues["image"]]
    assert "img10.png" in res.output  # the console's table too


def test_segmentation_errors_name_the_mask_file_of_the_image(runner, tmp_path):
    """A mask value out of range and probs that do not sum to 1 named "image 2" alone (a position in the
    sorted files); the file is named beside it."""
    from PIL import Image

    folder = _mask_folder(tmp_path)
    Image.fromarray(np.full((16, 16), 7, np.uint8), mode="L").save(folder / "img2.png")
    argv = ["audit", str(folder), "--task", "segmentation", "--probs", str(tmp_path / "p.npy")]
    res = runner.invoke(main, [*argv, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "image 2 (img2.png) has 7" in res.output, res.output
    probs = np.load(tmp_path / "p.npy")
    probs[1, 0, 5, 5] = 3.0
    np.save(tmp_path / "bad.npy", probs)
    Image.fromarray(np.zeros((16, 16), np.uint8), mode="L").save(folder / "img2.png")
    argv[-1] = str(tmp_path / "bad.npy")
    res = runner.invoke(main, [*argv, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "image 1 (img1.png) does not" in res.output, res.output
    assert not (tmp_path / "out").exists()


def test_bad_input_is_one_line_and_exit_2(runner, tmp_path):
    """A CoNLL line with a missing field: exit 2 with file and line."""
    (tmp_path / "bad.conll").write_text("EU NNP B-ORG\nrejects O\n")
    np.save(tmp_path / "p.npy", np.full((2, 2), 0.5))
    res = runner.invoke(
        main, ["audit", str(tmp_path / "bad.conll"), "--task", "token", "--probs", str(tmp_path / "p.npy")]
    )
    assert res.exit_code == 2
    assert "bad.conll:2" in res.output


def test_detection_reads_coco_and_flags_the_swapped_box(runner, tmp_path):
    """COCO labels + results: the box whose class the model contradicts is flagged 'swapped'."""
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
    out = tmp_path / "out"
    res = runner.invoke(
        main,
        [
            "audit",
            str(tmp_path / "gt.json"),
            "--task",
            "detection",
            "--predictions",
            str(tmp_path / "p.json"),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    issues = pd.read_csv(out / "issues.csv")
    assert issues.iloc[0][["image", "kind", "is_issue"]].tolist() == [0, "swapped", True]
    assert pd.read_csv(out / "images.csv").image_id.iloc[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # --probs with regression was ignored (a model was fitted) yet recorded in summary.json as used
        (
            ["--task", "regression", "--label", "price", "--probs", "P"],
            "--task regression reads --predictions, not --probs",
        ),
        (
            ["--task", "multilabel", "--label", "price", "--probs", "P", "--predictions", "P"],
            "reads --probs, not --predictions",
        ),
        (
            ["--task", "regression"],
            "--label is required: name the label column (columns: ['x', 'price'])",
        ),  # was "--label None"
        (
            ["--task", "regression", "--label", "x"],
            "label column 'x' must hold finite numbers for --task regression; row 2 is 'abc'",
        ),
        # the classification options were silently ignored: --model boosting, --cv 3 changed nothing
        (
            ["--task", "regression", "--label", "price", "--model", "boosting", "--cv", "3"],
            "does not use --cv, --model (only --task classification does); leave them out",
        ),
        (
            ["--task", "regression", "--label", "price", "--scaling", "common"],
            "does not use --scaling (only --task classification does); leave it out",  # was "leave them out"
        ),
        # the task options were added for one task each; any other task would silently ignore them
        (
            ["--task", "regression", "--label", "price", "--classes", "a,b"],
            "--classes is for --task classification / multilabel / token, not --task regression",
        ),
        (
            ["--label", "price", "--mixture-prior", "tail"],
            "--mixture-prior is for --task regression, not --task classification",
        ),
        (["--task", "regression", "--label", "price", "--mixture-prior", "ml"], "Invalid value for '--mixture-prior'"),
        (
            ["--label", "price", "--ignore-index", "255"],
            "--ignore-index is for --task segmentation, not --task classification",
        ),
        (
            ["--task", "multilabel", "--label", "price", "--probs", "P", "--ignore-index", "255"],
            "--ignore-index is for --task segmentation, not --task multilabel",
        ),
    ],
)
def test_task_options_are_checked_and_named(runner, tmp_path, args, message):
    """Options a task does not read, a missing --label and a non-numeric target: one line, exit 2, nothing written."""
    pd.DataFrame({"x": ["1", "2", "abc", "4"] * 10, "price": np.arange(40.0)}).to_csv(tmp_path / "d.csv", index=False)
    np.save(tmp_path / "p.npy", np.zeros(40))
    argv = ["audit", str(tmp_path / "d.csv"), *[str(tmp_path / "p.npy") if a == "P" else a for a in args]]
    res = runner.invoke(main, [*argv, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and message in res.output, res.output
    assert not (tmp_path / "out").exists()


def test_multilabel_classes_names_a_tag_no_row_uses(runner, tmp_path):
    """--classes cat,dog,owl,fox with probs of 4 columns and no row tagged fox: the audit of the API's classes=."""
    rng = np.random.default_rng(1)
    truth = rng.random((120, 4)) < 0.4
    truth[:, 3] = False
    probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    names = np.array(["cat", "dog", "owl", "fox"])
    tags = ["|".join(names[r]) for r in truth]
    res, out = _audit_multilabel(runner, tmp_path, tags, probs)
    assert res.exit_code == 2 and "--classes" in res.output, res.output
    args = ["audit", str(tmp_path / "t.csv"), "--task", "multilabel", "--label", "tags", "--probs"]
    res = runner.invoke(main, [*args, str(tmp_path / "p.npy"), "--classes", "cat, dog,owl,fox", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(out / "classes.csv")["class"].tolist() == ["cat", "dog", "owl", "fox"]
    from labelwise.audit import multilabel

    expected = multilabel.find_label_issues(tags, probs, classes=list(names))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_issues"] == expected.summary()["n_issues"]
    assert summary["settings"]["classes"] == ["cat", "dog", "owl", "fox"]


def test_multilabel_column_of_single_numbers_is_column_numbers(runner, tmp_path):
    """One numeric tag per row (pandas reads int, or float beside an empty cell): column numbers, not an error."""
    rng = np.random.default_rng(2)
    first = rng.integers(0, 3, 90)
    truth = np.eye(3, dtype=bool)[first]
    truth[0] = False
    probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    tags = [None if not r.any() else int(np.flatnonzero(r)[0]) for r in truth]
    res, out = _audit_multilabel(runner, tmp_path, tags, probs)
    assert res.exit_code == 0, res.output
    from labelwise.audit import multilabel

    expected = multilabel.find_label_issues(truth.astype(int), probs)
    assert json.loads((out / "summary.json").read_text())["n_issues"] == expected.summary()["n_issues"]


def _conll_without_b_per(tmp_path):
    """20 sentences tagged B-ORG / O / B-MISC, then 'Peter' mistagged B-ORG; probs have a 4th column, B-PER."""
    sent = "EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\n"
    (tmp_path / "c.conll").write_text(sent * 20 + "Peter B-ORG\nspoke O\n")
    rows = {"B-ORG": [0.9, 0.05, 0.03, 0.02], "O": [0.02, 0.02, 0.95, 0.01], "B-MISC": [0.05, 0.9, 0.03, 0.02]}
    probs = [rows[t] for t in ["B-ORG", "O", "B-MISC", "O"] * 20] + [[0.03, 0.02, 0.0, 0.95], rows["O"]]
    np.save(tmp_path / "p.npy", np.array(probs))
    return ["audit", str(tmp_path / "c.conll"), "--task", "token", "--probs", str(tmp_path / "p.npy")]


def test_token_classes_names_a_tag_no_sentence_uses(runner, tmp_path):
    """B-PER (column 4) is in no sentence: without --classes a named error, with it the suggestion for 'Peter'."""
    argv = _conll_without_b_per(tmp_path)
    res = runner.invoke(main, [*argv, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "3 distinct tags but --probs has 4 columns" in res.output, res.output
    res = runner.invoke(main, [*argv, "--classes", "B-ORG,B-MISC,O,B-PER", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    first = pd.read_csv(tmp_path / "out" / "issues.csv").iloc[0]
    assert (first.sentence, first.token, first.given_label, first.suggested_label) == (20, "Peter", "B-ORG", "B-PER")
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["settings"]["classes"][3] == "B-PER"


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ("B-ORG,B-MISC,O", "--classes names 3 tags but --probs has 4 columns"),
        ("B-ORG,O,O,B-PER", "--classes must name each column once, 'O' is given more than once"),
        (" , ", "--classes must name the tag of each --probs column, comma-separated, got ' , '"),
        ("B-ORG,B-MISC,X,B-PER", "DATA has tags that --classes does not name: ['O']"),
    ],
)
def test_bad_classes_are_named(runner, tmp_path, classes, message):
    """Too few, repeated, empty or incomplete --classes: one line, exit 2, nothing written."""
    argv = _conll_without_b_per(tmp_path)
    res = runner.invoke(main, [*argv, "--classes", classes, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and message in res.output, res.output
    assert not (tmp_path / "out").exists()


def test_segmentation_ignore_index_skips_voc_boundary_pixels(runner, tmp_path):
    """PNG masks with a 255 border (VOC-style): an error suggesting --ignore-index 255, then never flagged with it."""
    folder = _mask_folder(tmp_path, boundary=True)
    argv = ["audit", str(folder), "--task", "segmentation", "--probs", str(tmp_path / "p.npy")]
    res = runner.invoke(main, [*argv, "--out", str(tmp_path / "out")])
    assert res.exit_code == 2 and "--ignore-index 255" in res.output, res.output
    res = runner.invoke(main, [*argv, "--ignore-index", "255", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    regions = pd.read_csv(tmp_path / "out" / "regions.csv")
    assert regions.file.tolist() == ["img2.png"] and regions.area.tolist() == [9]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["ignore_index"] == 255 and summary["n_pixels_ignored"] == 30
    assert summary["settings"]["ignore_index"] == 255
    assert pd.read_csv(tmp_path / "out" / "issues.csv")["n_ignored_pixels"].tolist() == [10, 10, 10]
    res = runner.invoke(main, [*argv, "--ignore-index", "1", "--out", str(tmp_path / "out2")])
    assert res.exit_code == 2 and "--ignore-index must not be a class (0..1" in res.output, res.output


def test_multilabel_tags_a_number_parser_would_merge_stay_apart(tmp_path):
    """One tag per row, written '01' and '1' (classes '01,1,2'): the parser made both 1, so tag '01'
    was given to no row; each keeps its text now."""
    (tmp_path / "ml.csv").write_text("tags\n01\n1\n2\n2\n1\n01\n")
    probs = np.array(
        [[0.9, 0.1, 0.1], [0.1, 0.9, 0.1], [0.1, 0.1, 0.9], [0.1, 0.1, 0.9], [0.1, 0.9, 0.1], [0.1, 0.9, 0.1]]
    )
    np.save(tmp_path / "p.npy", probs)
    args = ["audit", str(tmp_path / "ml.csv"), "--task", "multilabel", "--label", "tags", "--probs"]
    res = CliRunner().invoke(
        main, [*args, str(tmp_path / "p.npy"), "--classes", "01,1,2", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 0, res.output
    per_class = pd.read_csv(tmp_path / "o" / "classes.csv", dtype={"class": str}).set_index("class")
    assert per_class["n_given"].to_dict() == {"01": 2, "1": 2, "2": 2}


def test_audit_help_names_what_task_and_scale_runs_write(runner):
    """--help's first paragraph named probs.npy only, which --task and at-scale audits do not write."""
    text = " ".join(runner.invoke(main, ["audit", "--help"]).output.split())
    assert "--task writes issues.csv, summary.json and the task's table" in text
    assert "--scheduler / --labels runs write issues.parquet and summary.json" in text
