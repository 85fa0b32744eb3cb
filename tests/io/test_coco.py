"""Tests of labelwise.io.read_coco and read_coco_predictions."""

import json

import numpy as np
import pytest

from labelwise.errors import DataFileError
from labelwise.io import read_coco, read_coco_predictions


def _write(tmp_path, annotations, name="gt.json"):
    data = {
        "images": [{"id": 7, "width": 100, "height": 80}, {"id": 3, "width": 100, "height": 80}],
        "categories": [{"id": 5, "name": "dog"}, {"id": 2, "name": "cat"}],
        "annotations": annotations,
    }
    (tmp_path / name).write_text(json.dumps(data))
    return tmp_path / name


def test_boxes_are_converted_to_corners_in_image_order(tmp_path):
    """[x, y, w, h] becomes [x1, y1, x2, y2]; categories index the sorted ids."""
    p = _write(tmp_path, [{"id": 1, "image_id": 3, "category_id": 5, "bbox": [10, 20, 30, 40]}])
    coco = read_coco(p)
    assert coco.image_ids == [7, 3] and coco.categories == [2, 5]
    np.testing.assert_array_equal(coco.labels[1]["boxes"], [[10, 20, 40, 60]])
    assert coco.labels[1]["labels"].tolist() == [1] and len(coco.labels[0]["labels"]) == 0
    (tmp_path / "pred.json").write_text(
        json.dumps([{"image_id": 7, "category_id": 2, "bbox": [0, 0, 5, 5], "score": 0.9}])
    )
    preds = read_coco_predictions(tmp_path / "pred.json", coco)
    assert preds[0]["scores"].tolist() == [0.9] and preds[1]["boxes"].shape == (0, 4)


def test_negative_width_names_the_annotation(tmp_path):
    """A bbox with negative width is an error naming the annotation id."""
    p = _write(tmp_path, [{"id": 42, "image_id": 3, "category_id": 5, "bbox": [10, 20, -3, 40]}])
    with pytest.raises(DataFileError, match="annotation 42: bbox .* negative width"):
        read_coco(p)


def test_unknown_image_and_missing_keys(tmp_path):
    """Annotations of unknown images and files without the COCO keys are errors."""
    p = _write(tmp_path, [{"id": 1, "image_id": 99, "category_id": 5, "bbox": [0, 0, 1, 1]}])
    with pytest.raises(DataFileError, match="unknown image_id 99"):
        read_coco(p)
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(DataFileError, match="needs the key"):
        read_coco(tmp_path / "x.json")


@pytest.mark.parametrize("score", [3, 95.0, -0.1, "0.9", None, True])
def test_prediction_score_outside_0_1_names_the_file_and_prediction(tmp_path, score):
    """A score of 95 (a percentage) or a logit reached the audit as "predictions[0] 'scores' must be ...",
    without the file or the prediction's number; a text score was a ValueError."""
    coco = read_coco(_write(tmp_path, []))
    good = {"image_id": 7, "category_id": 2, "bbox": [0, 0, 5, 5], "score": 0.5}
    (tmp_path / "pred.json").write_text(json.dumps([good, {**good, "score": score}]))
    with pytest.raises(
        DataFileError, match=r"pred\.json: prediction 1 has score .*: a score must be a confidence in \[0, 1\]"
    ):
        read_coco_predictions(tmp_path / "pred.json", coco)


def test_a_file_that_is_not_utf8_is_named_with_the_byte(tmp_path):
    """A Latin-1 labels file was a UnicodeDecodeError traceback; now one error naming the byte."""
    p = tmp_path / "latin.json"
    p.write_bytes(
        '{"images": [{"id": 1, "file_name": "caf\u00e9.jpg"}], "annotations": [], "categories": []}'.encode("latin-1")
    )
    with pytest.raises(DataFileError, match=r"latin\.json' is not UTF-8 text \(byte 39\)"):
        read_coco(p)


def test_a_byte_order_mark_is_read(tmp_path):
    """A labels file saved with a UTF-8 byte-order mark (as some Windows editors do) is read."""
    p = _write(tmp_path, [{"id": 1, "image_id": 3, "category_id": 5, "bbox": [10, 20, 30, 40]}])
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    assert read_coco(p).image_ids == [7, 3]


def test_a_null_image_size_is_unknown_and_text_is_refused_naming_the_image(tmp_path):
    """``"width": null`` reads as an unknown size (as an absent key); a text width names the image."""
    data = {
        "images": [{"id": 7, "width": None, "height": 80}, {"id": 3}],
        "categories": [{"id": 5, "name": "dog"}],
        "annotations": [{"id": 1, "image_id": 3, "category_id": 5, "bbox": [10, 20, 30, 40]}],
    }
    (tmp_path / "gt.json").write_text(json.dumps(data))
    assert read_coco(tmp_path / "gt.json").image_sizes == [(np.inf, 80.0), (np.inf, np.inf)]
    data["images"][0]["width"] = "100px"
    (tmp_path / "gt.json").write_text(json.dumps(data))
    with pytest.raises(DataFileError, match=r"image 7 has width '100px'; expected a number or null"):
        read_coco(tmp_path / "gt.json")
