"""aggregate-boxes' page draws a COCO run's merged boxes on the images the COCO files name (views40).

On main every COCO image was drawn on a grey canvas (the page looked for the image id beside a
single input table). Here the file_name is looked up beside the COCO files (or under an images
folder recorded in summary.json); without it the canvas stays, with one line saying why.
"""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from PIL import Image

from labelwise.errors import MissingDependencyError
from labelwise.report import write_report
from labelwise.report._folders import _box_images
from tests.report._views39_folders import run, section

GREEN = (0, 128, 0)


@pytest.fixture
def coco(tmp_path):
    """Three annotators' COCO files of one 100 x 80 image 'a.png' (solid green, beside them): all three
    draw one car, two of them a second one (the contested box)."""
    Image.new("RGB", (100, 80), GREEN).save(tmp_path / "a.png")
    files = []
    for k, name in enumerate(("ann0", "ann1", "ann2")):
        boxes = [[10, 10, 20, 20]] + ([[60, 40, 20, 20]] if k < 2 else [])
        data = {
            "images": [{"id": 1, "file_name": "a.png", "width": 100, "height": 80}],
            "categories": [{"id": 1, "name": "car"}],
            "annotations": [
                {"id": j, "image_id": 1, "category_id": 1, "bbox": bbox} for j, bbox in enumerate(boxes, start=1)
            ],
        }
        (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
        files.append(str(tmp_path / f"{name}.json"))
    run("aggregate-boxes", *files, "--coco", "--out", str(tmp_path / "out"))
    return tmp_path


def _drawing(folder) -> tuple[Image.Image, str]:
    """The first drawing of the least supported boxes and the line saying what it is drawn on."""
    body = section(write_report(folder).read_text(encoding="utf-8"), "boxes-contested")
    png = re.findall(r'alt="merged boxes of [^"]+" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', body)
    line = re.search(r'<p class="note" id="boxes-drawn-on">(.*?)</p>', body)
    assert png and line is not None
    return Image.open(io.BytesIO(base64.b64decode(png[0]))).convert("RGB"), line.group(1)


def test_coco_boxes_are_drawn_on_the_image_the_coco_files_name(coco):
    """The drawing's background is the image's green (away from the boxes), at the image's size."""
    drawing, line = _drawing(coco / "out")
    assert drawing.size == (320, 256)
    assert drawing.getpixel((5, 250)) == GREEN and drawing.getpixel((315, 5)) == GREEN
    assert line == "Drawn on the images&#x27; files (1)."


def test_coco_boxes_fall_back_to_a_grey_canvas_of_the_images_size_saying_why(coco):
    """Without a.png the same boxes are drawn on grey, the drawing differs, and the line names the file."""
    on_image, _ = _drawing(coco / "out")
    (coco / "a.png").unlink()
    on_canvas, line = _drawing(coco / "out")
    assert on_canvas.size == on_image.size and on_canvas.tobytes() != on_image.tobytes()
    assert on_canvas.getpixel((5, 250)) == _box_images.GREY
    assert line.startswith("Drawn on grey canvases: &#x27;a.png&#x27; is in none of [")


def test_an_unreadable_image_falls_back_saying_it_could_not_be_read(coco):
    """An a.png that is no image: grey canvas, and the line says the file could not be read."""
    (coco / "a.png").write_bytes(b"not a png")
    on_canvas, line = _drawing(coco / "out")
    assert on_canvas.getpixel((5, 250)) == _box_images.GREY and "could not be read as an image" in line


def test_an_images_folder_recorded_in_the_summary_is_looked_in_first(coco, tmp_path_factory):
    """summary.json's images folder holds another a.png (blue): the drawing is on that one."""
    elsewhere = tmp_path_factory.mktemp("images")
    Image.new("RGB", (100, 80), (0, 0, 255)).save(elsewhere / "a.png")
    summary = json.loads((coco / "out" / "summary.json").read_text(encoding="utf-8"))
    (coco / "out" / "summary.json").write_text(json.dumps({**summary, "images": str(elsewhere)}), encoding="utf-8")
    drawing, _ = _drawing(coco / "out")
    assert drawing.getpixel((5, 250)) == (0, 0, 255)


def test_without_pillow_the_page_has_no_drawings_and_says_why(coco, monkeypatch):
    """Pillow missing: the section keeps its table and says in one line why nothing is drawn."""

    def missing():
        raise MissingDependencyError("drawing task previews needs Pillow: pip install 'labelwise[images]'")

    monkeypatch.setattr(_box_images, "pil", missing)
    body = section(write_report(coco / "out").read_text(encoding="utf-8"), "boxes-contested")
    assert "No drawings: drawing task previews needs Pillow" in body
    assert "merged boxes of" not in body and "<table" in body
