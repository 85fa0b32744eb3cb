"""COCO files as box answers: one file per annotator, xywh -> corners exactly, every bad input named."""

from __future__ import annotations

import json

import numpy as np
import pytest

from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.io.box_answers import coco_results, read_coco_boxes

LABELS_FILE = {
    "images": [{"id": 1, "width": 640, "height": 480}, {"id": 2, "width": 320, "height": 240}],
    "categories": [{"id": 3, "name": "cat"}, {"id": 7, "name": "dog"}],
    "annotations": [
        {"id": 10, "image_id": 1, "category_id": 3, "bbox": [10.5, 20, 30, 40]},
        {"id": 11, "image_id": 2, "category_id": 7, "bbox": [0, 0, 320, 240]},
    ],
}
RESULTS_FILE = [{"image_id": 1, "category_id": 3, "bbox": [11, 21, 29, 41], "score": 0.8}]


def _write(path, data):
    path.write_text(json.dumps(data))
    return path


class TestReadCocoBoxes:
    def test_labels_and_results_files_make_one_table_with_corners(self, tmp_path):
        """A labels file and a results list: one row per box, annotator = stem, x_max = x + width."""
        a = _write(tmp_path / "alice.json", LABELS_FILE)
        b = _write(tmp_path / "model.json", [{k: v for k, v in RESULTS_FILE[0].items() if k != "score"}])
        table = read_coco_boxes([a, b], annotator_names=None)
        assert list(table.boxes.annotator) == ["alice", "alice", "model"]
        np.testing.assert_array_equal(table.boxes.x_max, [40.5, 320, 40])
        np.testing.assert_array_equal(table.boxes.y_max, [60, 240, 62])
        assert table.categories == {3: "cat", 7: "dog"} and not table.has_scores
        assert list(table.images.annotator) == ["alice", "alice"]

    def test_normalised_divides_by_each_image_size(self, tmp_path):
        """normalised() puts coordinates in [0, 1] by the images' width and height."""
        table = read_coco_boxes([_write(tmp_path / "a.json", LABELS_FILE)])
        norm = table.normalised()
        np.testing.assert_allclose(norm.loc[1, ["x_min", "y_min", "x_max", "y_max"]], [0, 0, 1, 1])
        np.testing.assert_allclose(norm.loc[0, ["x_min", "x_max"]], [10.5 / 640, 40.5 / 640])

    def test_normalised_without_sizes_names_the_image(self, tmp_path):
        """A results list has no image sizes: normalised() says which image_id lacks them."""
        table = read_coco_boxes([_write(tmp_path / "m.json", RESULTS_FILE)])
        with pytest.raises(DataFileError, match="width and height .* image_id 1"):
            table.normalised()

    def test_results_round_trip_through_coco_results(self, tmp_path):
        """coco_results writes back the same bbox and ids the reader took in."""
        table = read_coco_boxes([_write(tmp_path / "m.json", RESULTS_FILE)])
        assert coco_results(table.boxes) == RESULTS_FILE

    @pytest.mark.parametrize(
        ("data", "match"),
        [
            ({"images": []}, "an object with an 'annotations' list"),
            (
                [{"image_id": 1, "bbox": [0, 0, 1, 1]}],
                r"results list\[0\] must be an object with the key 'category_id'",
            ),
            ([{"image_id": 1, "category_id": 1, "bbox": [0, 0, -1, 1]}], "positive width and height, got width -1"),
            ([{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1]}], "'bbox' of 4 numbers"),
            ([{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0}], "'score' > 0, got 0"),
            ({**LABELS_FILE, "annotations": [{"image_id": 1, "category_id": 4, "bbox": [0, 0, 1, 1]}]}, "got 4"),
            (
                {**LABELS_FILE, "annotations": [{"image_id": 9, "category_id": 3, "bbox": [0, 0, 1, 1]}]},
                "image_id .* got 9",
            ),
            ("text", "must be a COCO results list"),
        ],
    )
    def test_bad_contents_are_named(self, tmp_path, data, match):
        """Each bad file is one DataFileError naming the parameter, the file and the record."""
        path = _write(tmp_path / "bad.json", data)
        with pytest.raises(DataFileError, match=match) as info:
            read_coco_boxes([path], parameter="BOXES")
        assert str(info.value).startswith("BOXES: '") and "bad.json" in str(info.value)

    def test_bad_json_names_line_and_column(self, tmp_path):
        """Invalid JSON: the message gives the line and the column."""
        path = tmp_path / "broken.json"
        path.write_text('[{"image_id": 1,\n  "bbox": [1, 2 3]}]')
        with pytest.raises(DataFileError, match="not valid JSON .* line 2, column 17"):
            read_coco_boxes([path])

    def test_scores_on_some_boxes_only_are_refused(self, tmp_path):
        """Scores in one file and not in another: refused, naming both files."""
        a = _write(tmp_path / "a.json", RESULTS_FILE)
        b = _write(tmp_path / "b.json", LABELS_FILE)
        with pytest.raises(DataFileError, match="for every box or for none.*a.json.*b.json"):
            read_coco_boxes([a, b])

    def test_names_must_be_one_per_file_and_distinct(self, tmp_path):
        """Repeated stems, repeated names or a wrong count of names are refused, naming the parameter."""
        a = _write(tmp_path / "a.json", RESULTS_FILE)
        (tmp_path / "x").mkdir()
        a2 = _write(tmp_path / "x" / "a.json", RESULTS_FILE)
        with pytest.raises(InvalidParameterError, match="paths must have distinct file names' stems"):
            read_coco_boxes([a, a2])
        with pytest.raises(InvalidParameterError, match="annotator_names must have distinct"):
            read_coco_boxes([a, a2], annotator_names=["m", "m"])
        with pytest.raises(InvalidParameterError, match="one name per file"):
            read_coco_boxes([a], annotator_names=["m", "n"])
        with pytest.raises(InvalidParameterError, match="a list of one or more COCO files"):
            read_coco_boxes(str(a))  # type: ignore[arg-type]
        table = read_coco_boxes([a, a2], annotator_names=["m", "n"])
        assert list(table.boxes.annotator) == ["m", "n"]

    def test_missing_file_is_named(self, tmp_path):
        """A path that is not a file: the error names the parameter."""
        with pytest.raises(DataFileError, match="BOXES must be an existing COCO JSON file"):
            read_coco_boxes([tmp_path / "none.json"], parameter="BOXES")


class TestIdsWrittenTwoWays:
    def test_an_image_id_as_a_number_and_as_text_is_refused(self, tmp_path):
        """image_id 1 in one file and "1" in another would be two images whose boxes never meet: refused,
        naming both files."""
        a = _write(tmp_path / "a.json", RESULTS_FILE)
        b = _write(tmp_path / "b.json", [{**RESULTS_FILE[0], "image_id": "1"}])
        with pytest.raises(
            DataFileError, match=r"paths must write each image_id one way, got 1 \(a number\) in .*a\.json"
        ):
            read_coco_boxes([a, b])

    def test_a_listed_image_written_as_text_is_refused(self, tmp_path):
        """A labels file listing image "2" (text) beside another file's number 2: refused, even with no box on it."""
        a = _write(tmp_path / "a.json", LABELS_FILE)
        text_ids = {**LABELS_FILE, "images": [*LABELS_FILE["images"], {"id": "2"}]}
        b = _write(tmp_path / "b.json", text_ids)
        with pytest.raises(DataFileError, match=r"got 2 \(a number\) in .*a\.json.* and '2' \(text\) in .*b\.json"):
            read_coco_boxes([a, b])

    def test_a_category_id_as_a_number_and_as_text_is_refused(self, tmp_path):
        """category_id 3 and "3" would be two classes: refused."""
        a = _write(tmp_path / "a.json", RESULTS_FILE)
        b = _write(tmp_path / "b.json", [{**RESULTS_FILE[0], "category_id": "3"}])
        with pytest.raises(DataFileError, match="must write each category_id one way"):
            read_coco_boxes([a, b])

    def test_text_ids_written_alike_are_read(self, tmp_path):
        """Ids that are text in every file ("007" and "7" stay two images) are read as given."""
        a = _write(tmp_path / "a.json", [{**RESULTS_FILE[0], "image_id": "007"}, {**RESULTS_FILE[0], "image_id": "7"}])
        assert read_coco_boxes([a]).boxes["image"].tolist() == ["007", "7"]


class TestNormalisedSizes:
    def test_two_files_giving_an_image_different_sizes_are_refused(self, tmp_path):
        """normalised() with image 1 of 640x480 in one file and 320x240 in another: refused, naming
        the image and each file's size (the first file's size was used before)."""
        a = _write(tmp_path / "a.json", LABELS_FILE)
        other = {**LABELS_FILE, "images": [{"id": 1, "width": 320, "height": 240}, LABELS_FILE["images"][1]]}
        b = _write(tmp_path / "b.json", other)
        with pytest.raises(
            DataFileError, match=r"one width and height per image, got image_id 1 with 640x480 \(a\), 320x240 \(b\)"
        ):
            read_coco_boxes([a, b]).normalised()

    def test_a_file_listing_an_image_without_its_size_takes_the_size_another_file_gives(self, tmp_path):
        """A labels file listing image 1 without a size, before one that gives it: the given size is used."""
        sizeless = {**LABELS_FILE, "images": [{"id": 1}, {"id": 2}]}
        first = _write(tmp_path / "first.json", sizeless)
        second = _write(tmp_path / "second.json", LABELS_FILE)
        norm = read_coco_boxes([first, second]).normalised()
        np.testing.assert_allclose(norm["x_max"], [40.5 / 640, 1, 40.5 / 640, 1])
