"""The cleaned export of task audits end to end: audit -> decisions (as the review page records them) -> export."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from starlette.testclient import TestClient

from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.io import read_conll
from labelwise.review import DecisionStore, cleaned_table, create_app, export_cleaned, label_studio_tasks
from labelwise.review.task_export import task_cleaned
from labelwise.review.tasks import load_task_audit
from tests.report.test_tasks import _audit, _segmentation_case

BASE = "http://127.0.0.1"
CONLL = (
    "-DOCSTART- O\n\n"
    "# sent_id = a\nEU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\n"
    "Peter B-ORG\nspoke O\n\n"
    "# sent_id = c\nAnna B-PER\nsings O\n\n"
    "Rome B-LOC\n"
)


def _decide(out, decisions):
    """Record ``{row: action}`` through the store bound as the review page binds it (units, fingerprint)."""
    units = load_task_audit(out)[0].issues
    store = DecisionStore(out / "review.sqlite", n_examples=int(units["row"].max()) + 1)
    store.bind_audit(units)
    for row, action in decisions.items():
        store.record(row, action, version=0, reviewer="ann")
    return store


@pytest.fixture
def regression_dir(tmp_path):
    tmp_path = tmp_path / "regression"
    tmp_path.mkdir()
    rng = np.random.default_rng(1)
    y = rng.normal(size=40)
    pred = y + rng.normal(0, 0.1, 40)
    y[3] += 4
    pd.DataFrame({"id": [f"r{i}" for i in range(40)], "size": rng.integers(1, 9, 40), "price": y}).to_csv(
        tmp_path / "d.csv", index=False
    )
    np.save(tmp_path / "pred.npy", pred)
    return _audit(
        tmp_path, tmp_path / "d.csv", "--task", "regression", "--label", "price", "--predictions", tmp_path / "pred.npy"
    )


@pytest.fixture
def token_dir(tmp_path):
    tmp_path = tmp_path / "token"
    tmp_path.mkdir()
    (tmp_path / "c.conll").write_text(CONLL)
    tags = [t for s in read_conll(tmp_path / "c.conll").tags for t in s]
    classes = sorted(set(tags))
    probs = np.full((len(tags), len(classes)), 0.02)
    probs[np.arange(len(tags)), [classes.index(t) for t in tags]] = 1.0
    probs[4] = 0.02
    probs[4, classes.index("B-PER")] = 1.0  # "Peter" looks like a person
    np.save(tmp_path / "p.npy", probs / probs.sum(axis=1, keepdims=True))
    return _audit(tmp_path, tmp_path / "c.conll", "--task", "token", "--probs", tmp_path / "p.npy")


@pytest.fixture
def detection_dir(tmp_path):
    tmp_path = tmp_path / "detection"
    tmp_path.mkdir()
    gt = {
        "info": {"description": "boxes", "note": "caf\u00e9"},
        "images": [{"id": 10 + i, "width": 100, "height": 100, "file_name": f"im{i}.jpg"} for i in range(4)],
        "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "bus"}],
        "annotations": [
            {"id": 100 + k, "image_id": 10 + k // 2, "category_id": 1 if k else 2, "bbox": [10 + k, 10, 30, 30]}
            for k in range(8)
        ],
    }
    preds = [
        {"image_id": a["image_id"], "category_id": 1, "bbox": [a["bbox"][0] + 1, 10, 30, 30], "score": 0.95}
        for a in gt["annotations"]
    ]
    (tmp_path / "gt.json").write_text(json.dumps(gt, indent=2))
    (tmp_path / "p.json").write_text(json.dumps(preds))
    return _audit(tmp_path, tmp_path / "gt.json", "--task", "detection", "--predictions", tmp_path / "p.json")


def test_regression_export_drops_the_excluded_row_and_keeps_the_rest(regression_dir, tmp_path):
    """Row 3 excluded, row 5 kept: the table loses row 3 only, the log has both with the exact targets."""
    _decide(regression_dir, {3: "exclude", 5: "keep"})
    res = export_cleaned(regression_dir, tmp_path / "clean.csv")
    original = pd.read_csv(regression_dir.parent / "d.csv")
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "clean.csv"), original.drop(index=3).reset_index(drop=True))
    log = pd.read_csv(tmp_path / "clean.changes.csv")
    assert log[["row", "action", "changed"]].values.tolist() == [[3, "exclude", True], [5, "keep", False]]
    assert log["given_label"].tolist() == pytest.approx(original.loc[[3, 5], "price"].tolist(), rel=1e-12)
    assert (res.task, res.n_rows, res.n_removed, res.n_excluded, res.n_kept) == ("regression", 39, 1, 1, 1)


def test_regression_mark_excluded_and_parquet(regression_dir, tmp_path):
    """With mark_excluded every row stays and only row 3 has excluded=True; parquet keeps the dtypes."""
    _decide(regression_dir, {3: "exclude"})
    export_cleaned(regression_dir, tmp_path / "clean.parquet", mark_excluded=True)
    cleaned = pd.read_parquet(tmp_path / "clean.parquet")
    assert len(cleaned) == 40 and cleaned.index[cleaned["excluded"]].tolist() == [3]
    pd.testing.assert_frame_equal(cleaned.drop(columns="excluded"), pd.read_csv(regression_dir.parent / "d.csv"))


def test_multilabel_export_drops_rows(tmp_path):
    """Multi-label tag strings: the excluded rows leave the table, the kept one stays, nothing else moves."""
    rng = np.random.default_rng(0)
    truth = rng.random((60, 3)) < 0.4
    probs = np.clip(np.where(truth, 0.9, 0.1) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    names = np.array(["cat", "dog", "owl"])
    pd.DataFrame({"text": [f"t{i}" for i in range(60)], "tags": ["|".join(names[r]) for r in truth]}).to_csv(
        tmp_path / "t.csv", index=False
    )
    np.save(tmp_path / "p.npy", probs)
    out = _audit(tmp_path, tmp_path / "t.csv", "--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy")
    _decide(out, {0: "exclude", 7: "exclude", 9: "keep"})
    export_cleaned(out, tmp_path / "clean.tsv")
    cleaned = pd.read_csv(tmp_path / "clean.tsv", sep="\t", keep_default_na=False)
    original = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    pd.testing.assert_frame_equal(cleaned, original.drop(index=[0, 7]).reset_index(drop=True))
    table, log = cleaned_table(out)
    assert len(table) == 58 and log["given_label"].fillna("").tolist() == original.loc[[0, 7, 9], "tags"].tolist()
    original.loc[12, "tags"] = "owl" if original.loc[12, "tags"] != "owl" else "cat"
    original.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataFileError, match="differs from the audited tags at row 12"):
        task_cleaned(out)


def test_token_export_drops_the_sentence_of_an_excluded_token(token_dir, tmp_path):
    """Excluding 'Peter' (token 4) drops its sentence and closing blank line; every other line is byte-identical."""
    _decide(token_dir, {4: "exclude", 0: "keep"})
    res = export_cleaned(token_dir, tmp_path / "clean.conll")
    assert (tmp_path / "clean.conll").read_text() == CONLL.replace("Peter B-ORG\nspoke O\n\n", "")
    assert (res.unit, res.n_rows, res.n_removed) == ("sentences", 3, 1)
    log = pd.read_csv(tmp_path / "clean.conll.changes.csv")
    assert log[["row", "sentence", "position", "token", "action", "given_label"]].values.tolist() == [
        [0, 0, 0, "EU", "keep", "B-ORG"],
        [4, 1, 0, "Peter", "exclude", "B-ORG"],
    ]


def test_token_mark_excluded_puts_a_comment_above_the_sentence(token_dir, tmp_path):
    """--mark-excluded keeps every sentence (read_conll reads the same corpus) and marks the excluded one."""
    _decide(token_dir, {5: "exclude"})
    export_cleaned(token_dir, tmp_path / "clean.txt", mark_excluded=True)
    text = (tmp_path / "clean.txt").read_text()
    assert text == CONLL.replace("Peter B-ORG\n", "# excluded = true\nPeter B-ORG\n")
    assert read_conll(tmp_path / "clean.txt").tokens == read_conll(token_dir.parent / "c.conll").tokens


def test_unreviewed_token_export_is_the_file_itself(token_dir, tmp_path):
    """Without review.sqlite nothing is excluded: the CoNLL file comes out byte for byte, the log is empty."""
    res = export_cleaned(token_dir, tmp_path / "clean.conll")
    assert (tmp_path / "clean.conll").read_bytes() == (token_dir.parent / "c.conll").read_bytes()
    assert len(res.changes) == 0 and (tmp_path / "clean.conll.changes.csv").is_file()


def test_detection_export_drops_images_and_their_annotations(detection_dir, tmp_path):
    """Image 1 (id 11) excluded: its entry and its two annotations go; info, categories and the rest stay."""
    _decide(detection_dir, {1: "exclude", 2: "keep"})
    res = export_cleaned(detection_dir, tmp_path / "clean.json")
    gt = json.loads((detection_dir.parent / "gt.json").read_text())
    cleaned = json.loads((tmp_path / "clean.json").read_text(encoding="utf-8"))
    assert cleaned["info"] == gt["info"] and cleaned["categories"] == gt["categories"]
    assert cleaned["images"] == [im for im in gt["images"] if im["id"] != 11]
    assert cleaned["annotations"] == [a for a in gt["annotations"] if a["image_id"] != 11]
    assert (res.n_rows, res.n_removed) == (3, 1)
    log = pd.read_csv(tmp_path / "clean.json.changes.csv")
    assert log[["row", "image_id", "file_name", "action"]].values.tolist() == [
        [1, 11, "im1.jpg", "exclude"],
        [2, 12, "im2.jpg", "keep"],
    ]


def test_detection_mark_excluded_flags_the_image(detection_dir, tmp_path):
    """--mark-excluded keeps every image and annotation and adds excluded: true to the excluded image only."""
    _decide(detection_dir, {3: "exclude"})
    export_cleaned(detection_dir, tmp_path / "clean.json", mark_excluded=True)
    gt = json.loads((detection_dir.parent / "gt.json").read_text())
    cleaned = json.loads((tmp_path / "clean.json").read_text())
    assert cleaned["annotations"] == gt["annotations"]
    assert [im.pop("excluded", False) for im in cleaned["images"]] == [False, False, False, True]
    assert cleaned["images"] == gt["images"]


def test_segmentation_export_is_a_manifest_of_the_kept_masks(tmp_path):
    """Image 2 excluded: the manifest lists img0 and img1 with absolute paths to their mask files."""
    folder, _, _ = _segmentation_case(tmp_path)
    out = _audit(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npy")
    _decide(out, {2: "exclude"})
    export_cleaned(out, tmp_path / "kept.csv")
    manifest = pd.read_csv(tmp_path / "kept.csv")
    assert manifest[["image", "file"]].values.tolist() == [[0, "img0.png"], [1, "img1.png"]]
    assert [p == str((folder / f).resolve()) for p, f in zip(manifest["path"], manifest["file"], strict=True)] == [
        True
    ] * 2
    marked = task_cleaned(out, mark_excluded=True).content
    assert marked["excluded"].tolist() == [False, False, True]


def test_a_relabel_decision_is_refused_in_one_line(regression_dir, tmp_path):
    """A relabel written straight to the store cannot be applied to a regression target: refused, nothing written."""
    store = _decide(regression_dir, {3: "exclude"})
    store.record(5, "relabel", version=0, reviewer="ann", label=1.5)
    with pytest.raises(InvalidParameterError, match="'relabel' decision on row 5 .* regression audit's export cannot"):
        export_cleaned(regression_dir, tmp_path / "clean.csv")
    assert not (tmp_path / "clean.csv").exists() and not (tmp_path / "clean.changes.csv").exists()


def test_data_changed_since_the_audit_is_refused(regression_dir, token_dir, tmp_path):
    """An edited target or an edited CoNLL file is named as changed, not exported by position."""
    data = pd.read_csv(regression_dir.parent / "d.csv")
    data.loc[7, "price"] += 1
    data.to_csv(regression_dir.parent / "d.csv", index=False)
    with pytest.raises(DataFileError, match="differs from the audited targets at row 7"):
        task_cleaned(regression_dir)
    (token_dir.parent / "c.conll").write_text(CONLL.replace("Anna", "Anne"))
    with pytest.raises(DataFileError, match="differs from the audited one at sentence 2"):
        task_cleaned(token_dir)


def test_formats_and_label_studio_are_checked(token_dir, tmp_path):
    """A CoNLL audit refuses a .csv target and a table; Label Studio is refused in one line naming the task."""
    with pytest.raises(InvalidParameterError, match=r"out must end in one of \['.bio'"):
        export_cleaned(token_dir, tmp_path / "clean.csv")
    with pytest.raises(InvalidParameterError, match="token audit, whose cleaned data is a CoNLL file, not a table"):
        cleaned_table(token_dir)
    with pytest.raises(InvalidParameterError, match="applies to classification audits only .* is a token audit"):
        label_studio_tasks(token_dir)
    (tmp_path / "clean.conll").write_text("x")
    with pytest.raises(InvalidParameterError, match="already exists"):
        export_cleaned(token_dir, tmp_path / "clean.conll")
    assert (tmp_path / "clean.conll").read_text() == "x"


def test_review_page_downloads_the_cleaned_data_in_the_task_format(token_dir, detection_dir):
    """The page's export gives the CoNLL file (and refuses a CSV or Label Studio with a one-line 422)."""
    with TestClient(create_app(token_dir, reviewer="t"), base_url=BASE) as c:
        assert c.get("/api/meta").json()["can_export"] is True
        assert c.post("/api/examples/4/decision", json={"action": "exclude", "version": 0}).status_code == 200
        r = c.get("/api/export/cleaned")
        assert r.status_code == 200 and 'filename="cleaned.conll"' in r.headers["content-disposition"]
        assert r.text == CONLL.replace("Peter B-ORG\nspoke O\n\n", "")
        marked = c.get("/api/export/cleaned", params={"mark_excluded": "true"}).text
        assert "# excluded = true\nPeter" in marked
        r = c.get("/api/export/cleaned.csv")
        assert r.status_code == 422 and "GET /api/export/cleaned" in r.json()["detail"]
        r = c.get("/api/export/label-studio.json")
        assert r.status_code == 422 and "classification audits only" in r.json()["detail"]
    with TestClient(create_app(detection_dir, reviewer="t"), base_url=BASE) as c:
        assert c.post("/api/examples/0/decision", json={"action": "exclude", "version": 0}).status_code == 200
        r = c.get("/api/export/cleaned")
        assert r.headers["content-type"].startswith("application/json")
        assert [im["id"] for im in r.json()["images"]] == [11, 12, 13]


def test_review_page_csv_download_of_a_regression_audit(regression_dir):
    """A table task keeps the CSV route: the excluded row is gone."""
    with TestClient(create_app(regression_dir, reviewer="t"), base_url=BASE) as c:
        assert c.post("/api/examples/3/decision", json={"action": "exclude", "version": 0}).status_code == 200
        r = c.get("/api/export/cleaned.csv")
        assert r.status_code == 200 and 'filename="cleaned.csv"' in r.headers["content-disposition"]
        assert len(r.text.strip().splitlines()) == 40  # header + 39 rows


def test_token_export_of_a_file_with_a_byte_order_mark(tmp_path):
    """A BOM before '-DOCSTART-' made it a sentence; reader and export now both skip it and the export keeps it."""
    d = tmp_path / "bom"
    d.mkdir()
    (d / "c.conll").write_bytes(b"\xef\xbb\xbf" + CONLL.encode())
    corpus = read_conll(d / "c.conll")
    assert corpus.tokens[0] == ["EU", "rejects", "German", "call"]
    tags = [t for s in corpus.tags for t in s]
    classes = sorted(set(tags))
    probs = np.full((len(tags), len(classes)), 0.02)
    probs[np.arange(len(tags)), [classes.index(t) for t in tags]] = 1.0
    np.save(d / "p.npy", probs / probs.sum(axis=1, keepdims=True))
    out = _audit(d, d / "c.conll", "--task", "token", "--probs", d / "p.npy")
    _decide(out, {4: "exclude"})
    export_cleaned(out, tmp_path / "clean.conll")
    expected = b"\xef\xbb\xbf" + CONLL.replace("Peter B-ORG\nspoke O\n\n", "").encode()
    assert (tmp_path / "clean.conll").read_bytes() == expected


def _multilabel_audit(tmp_path, cells, suffix=".csv"):
    """A multi-label audit of a table whose tag column holds ``cells`` as written (None: no cell)."""
    rng = np.random.default_rng(0)
    data = tmp_path / f"t{suffix}"
    if suffix == ".csv":
        data.write_text("text,tags\n" + "".join(f"t{i},{'' if c is None else c}\n" for i, c in enumerate(cells)))
    else:
        data.write_text("".join(json.dumps({"text": f"t{i}", "tags": c}) + "\n" for i, c in enumerate(cells)))
    np.save(tmp_path / "p.npy", rng.uniform(0.05, 0.95, size=(len(cells), 3)))
    return _audit(tmp_path, data, "--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy")


def _column_text(path, column):
    """The cells of ``column`` of a CSV file as written."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)[column].tolist()


class TestLabelDtype:
    """A task export writes the label column back as the user's file had it: ints, floats, strings."""

    def test_multilabel_digit_tags_with_untagged_rows_stay_integers(self, tmp_path):
        """One digit tag per row, some rows untagged: CSV says 0, not 0.0 (another tag); Parquet holds integers."""
        cells = [str(i % 3) if i % 4 else None for i in range(40)]
        out = _multilabel_audit(tmp_path, cells)
        _decide(out, {1: "exclude"})
        export_cleaned(out, tmp_path / "clean.csv")
        assert _column_text(tmp_path / "clean.csv", "tags") == [
            "" if c is None else c for k, c in enumerate(cells) if k != 1
        ]
        export_cleaned(out, tmp_path / "typed.parquet")
        tags = pd.read_parquet(tmp_path / "typed.parquet")["tags"]
        assert pd.api.types.is_integer_dtype(tags.dtype)
        assert tags.astype(object).where(tags.notna(), None).tolist() == [
            None if c is None else int(c) for k, c in enumerate(cells) if k != 1
        ]

    def test_multilabel_zero_padded_tags_stay_text(self, tmp_path):
        """Tags written 00, 01, 02 stay those strings in CSV and Parquet (not the numbers 0, 1, 2)."""
        cells = [f"0{i % 3}" for i in range(30)]
        out = _multilabel_audit(tmp_path, cells)
        _decide(out, {0: "exclude"})
        export_cleaned(out, tmp_path / "clean.csv")
        assert _column_text(tmp_path / "clean.csv", "tags") == cells[1:]
        export_cleaned(out, tmp_path / "typed.parquet")
        assert pd.read_parquet(tmp_path / "typed.parquet")["tags"].tolist() == cells[1:]

    def test_multilabel_json_string_tags_stay_strings(self, tmp_path):
        """JSON Lines tags "01" and "2" are strings in the file: the JSON Lines export writes them as strings."""
        cells = ["01" if i % 2 else "2" for i in range(30)]
        out = _multilabel_audit(tmp_path, cells, suffix=".jsonl")
        _decide(out, {0: "exclude"})
        export_cleaned(out, tmp_path / "clean.jsonl")
        lines = (tmp_path / "clean.jsonl").read_text().splitlines()
        assert [json.loads(line)["tags"] for line in lines] == cells[1:]

    @pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
    def test_regression_float_targets_stay_floats(self, tmp_path, suffix):
        """Whole-number float targets (4.0) written as JSON floats stay floats in the JSON Lines and Parquet exports."""
        rng = np.random.default_rng(2)
        y = rng.integers(1, 9, 40).astype(float)
        lines = "".join(json.dumps({"id": f"r{i}", "y": v}) + "\n" for i, v in enumerate(y))
        (tmp_path / "d.jsonl").write_text(lines)
        np.save(tmp_path / "pred.npy", y + rng.normal(0, 0.1, 40))
        args = ("--task", "regression", "--label", "y", "--predictions", tmp_path / "pred.npy")
        out = _audit(tmp_path, tmp_path / "d.jsonl", *args)
        _decide(out, {3: "exclude"})
        export_cleaned(out, tmp_path / ("clean.jsonl" if suffix == ".jsonl" else "typed.parquet"))
        if suffix == ".jsonl":
            values = [json.loads(line)["y"] for line in (tmp_path / "clean.jsonl").read_text().splitlines()]
            assert all(isinstance(v, float) for v in values)
        else:
            values = pd.read_parquet(tmp_path / "typed.parquet")["y"]
            assert values.dtype == np.float64
        assert list(values) == [v for k, v in enumerate(y) if k != 3]

    def test_regression_parquet_integer_targets_keep_their_width(self, tmp_path):
        """int32 targets in a Parquet file stay int32 in the Parquet export and integers in the CSV one."""
        rng = np.random.default_rng(3)
        y = rng.integers(1, 9, 40).astype(np.int32)
        pd.DataFrame({"id": [f"r{i}" for i in range(40)], "y": y}).to_parquet(tmp_path / "d.parquet", index=False)
        np.save(tmp_path / "pred.npy", y + rng.normal(0, 0.1, 40))
        args = ("--task", "regression", "--label", "y", "--predictions", tmp_path / "pred.npy")
        out = _audit(tmp_path, tmp_path / "d.parquet", *args)
        _decide(out, {3: "exclude"})
        export_cleaned(out, tmp_path / "typed.parquet")
        export_cleaned(out, tmp_path / "clean.csv")
        assert pd.read_parquet(tmp_path / "typed.parquet")["y"].dtype == np.int32
        assert _column_text(tmp_path / "clean.csv", "y") == [str(v) for k, v in enumerate(y) if k != 3]

    def test_token_tags_that_look_like_numbers_stay_as_written(self, tmp_path):
        """The CoNLL export copies the kept lines byte for byte: tags 01 and 2 stay as written."""
        (tmp_path / "c.conll").write_text("a 01\nb 2\n\nc 01\nd 01\n\ne 2\n")
        probs = np.full((5, 2), 0.5)
        np.save(tmp_path / "p.npy", probs)
        out = _audit(tmp_path, tmp_path / "c.conll", "--task", "token", "--probs", tmp_path / "p.npy")
        _decide(out, {2: "exclude"})
        export_cleaned(out, tmp_path / "clean.conll")
        assert (tmp_path / "clean.conll").read_text() == "a 01\nb 2\n\ne 2\n"

    def test_detection_ids_and_boxes_keep_their_json_types(self, detection_dir, tmp_path):
        """COCO ids stay integers and boxes the numbers they were (30 stays 30, 10.5 stays 10.5)."""
        _decide(detection_dir, {0: "exclude"})
        export_cleaned(detection_dir, tmp_path / "clean.json")
        original = json.loads((detection_dir.parent / "gt.json").read_text())
        cleaned = json.loads((tmp_path / "clean.json").read_text())
        kept = [a for a in original["annotations"] if a["image_id"] != 10]
        assert cleaned["annotations"] == kept
        assert all(type(a["category_id"]) is int for a in cleaned["annotations"])

    def test_segmentation_manifest_columns_are_typed(self, tmp_path):
        """The manifest's image column is integers in CSV and Parquet; file and path are strings."""
        folder, _, _ = _segmentation_case(tmp_path)
        out = _audit(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npy")
        _decide(out, {2: "exclude"})
        export_cleaned(out, tmp_path / "kept.parquet")
        manifest = pd.read_parquet(tmp_path / "kept.parquet")
        assert pd.api.types.is_integer_dtype(manifest["image"].dtype) and manifest["image"].tolist() == [0, 1]
        assert all(isinstance(v, str) for v in [*manifest["file"], *manifest["path"]])


def test_a_task_export_over_the_audited_data_is_refused_even_with_force(token_dir, detection_dir, tmp_path):
    """--out naming the CoNLL or COCO file the audit read is refused, force or not, and the file is untouched."""
    for out, data in ((token_dir, token_dir.parent / "c.conll"), (detection_dir, detection_dir.parent / "gt.json")):
        before = data.read_bytes()
        with pytest.raises(InvalidParameterError, match="is the data this audit read"):
            export_cleaned(out, data, force=True)
        assert data.read_bytes() == before
        assert not data.with_name(f"{data.name}.changes.csv").exists()


def test_summary_without_the_data_setting_is_named_not_printed_as_none(regression_dir, tmp_path):
    """A task folder whose summary.json has no settings (edited, or an older run's) said
    "the audited data None named in summary.json was not found"; it now says the data is not named."""
    summary = json.loads((regression_dir / "summary.json").read_text())
    summary.pop("settings")
    (regression_dir / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(DataFileError, match="summary.json names no audited data") as e:
        export_cleaned(regression_dir, tmp_path / "clean.csv")
    assert "None" not in str(e.value)
    assert not (tmp_path / "clean.csv").exists()
