"""``aggregate-boxes --images`` and ``--annotator-names`` reach the report (lead, session 40).

views40 taught the boxes page to draw COCO boxes on the images named by their ``file_name``, looked up
under an ``images`` folder recorded in summary.json first; no command recorded one, so an images folder
away from the COCO files was never found. And the page named a COCO run's annotators by the files' stems
even when the run was given ``--annotator-names``. On main both tests fail: ``--images`` is no option, and
the annotators table lists ``m1``/``m2``.
"""

from __future__ import annotations

import json

from click.testing import CliRunner
from PIL import Image

from labelwise.cli import main
from labelwise.report import write_report
from tests.report._views39_folders import rows, run, section

GREEN = (0, 128, 0)


def _coco_files(folder, image_name="a.png"):
    """Three annotators' COCO files of one 100 x 80 image; all draw one car, m2 and m3 also a dog (the
    contested box, drawn on the page)."""
    dog = (2, [60, 40, 20, 20])
    boxes = {"m1": [(1, [10, 10, 20, 20])], "m2": [(1, [11, 10, 20, 20]), dog], "m3": [(1, [10, 11, 20, 20]), dog]}
    files = []
    for name, drawn in boxes.items():
        data = {
            "images": [{"id": 1, "file_name": image_name, "width": 100, "height": 80}],
            "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "dog"}],
            "annotations": [
                {"id": k, "image_id": 1, "category_id": c, "bbox": b} for k, (c, b) in enumerate(drawn, start=1)
            ],
        }
        (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
        files.append(str(folder / f"{name}.json"))
    return files


def test_images_option_is_recorded_and_the_page_draws_on_the_images_there(tmp_path):
    (tmp_path / "pictures").mkdir()
    Image.new("RGB", (100, 80), GREEN).save(tmp_path / "pictures" / "a.png")
    files = _coco_files(tmp_path)
    run("aggregate-boxes", *files, "--coco", "--images", str(tmp_path / "pictures"), "--out", str(tmp_path / "out"))
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["images"] == str((tmp_path / "pictures").resolve())
    page = write_report(tmp_path / "out").read_text(encoding="utf-8")
    assert "Drawn on the images&#x27; files (1)." in section(page, "boxes-contested")


def test_images_option_must_be_an_existing_folder_and_nothing_is_written(tmp_path):
    files = _coco_files(tmp_path)
    result = CliRunner().invoke(
        main, ["aggregate-boxes", *files, "--coco", "--images", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code != 0 and "--images" in result.output
    assert not (tmp_path / "o").exists()


def test_coco_annotator_names_name_the_annotators_on_the_page(tmp_path):
    files = _coco_files(tmp_path)
    run(
        "aggregate-boxes",
        *files,
        "--coco",
        "--method",
        "wbf",
        "--annotator-names",
        "alpha,beta,gamma",
        "--out",
        str(tmp_path / "out"),
    )
    page = write_report(tmp_path / "out").read_text(encoding="utf-8")
    names = {r[0] for r in rows(page, "annotators")}
    assert names == {"alpha", "beta", "gamma"}
    assert "named by the file's stem" not in section(page, "annotators")
