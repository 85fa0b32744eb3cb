"""``labelwise aggregate-boxes --coco``: COCO files in (one per annotator or model), boxes.coco.json out;
``--skill`` and ``--quiet``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate.boxes import BoxConsensus, WeightedBoxesFusion, simulate_boxes
from labelwise.cli import main
from labelwise.io.box_answers import read_coco_boxes

COORDS = ["x_min", "y_min", "x_max", "y_max"]


def _table(seed: int = 3) -> pd.DataFrame:
    """Simulated boxes with COCO-like ids (image and category integers) and whole-pixel corners."""
    sim = simulate_boxes(15, 3, n_classes=2, false_rate=0.4, random_state=seed)
    boxes = sim.boxes.assign(image=sim.boxes.image + 1, label=sim.boxes.label.str[1:].astype(int) + 1)
    boxes[COORDS] = boxes[COORDS].round()
    return boxes[(boxes.x_max > boxes.x_min) & (boxes.y_max > boxes.y_min)].reset_index(drop=True)


def _to_coco(boxes: pd.DataFrame, folder, *, results: bool) -> list:
    """One COCO file per annotator: results lists (with scores), or labels files listing every image."""
    paths = []
    for annotator, drawn in boxes.groupby("annotator"):
        records = [
            {
                "image_id": int(r.image),
                "category_id": int(r.label),
                "bbox": [r.x_min, r.y_min, r.x_max - r.x_min, r.y_max - r.y_min],
            }
            | ({"score": r.score} if results else {"id": k})
            for k, r in enumerate(drawn.itertuples())
        ]
        data = records if results else {
            "images": [{"id": int(i), "width": 640, "height": 480} for i in sorted(boxes.image.unique())],
            "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
            "annotations": records,
        }  # fmt: skip
        path = folder / f"{annotator}.json"
        path.write_text(json.dumps(data))
        paths.append(path)
    return paths


def _run(*args):
    return CliRunner().invoke(main, ["aggregate-boxes", *map(str, args)])


def test_wbf_on_coco_results_equals_wbf_on_the_table(tmp_path):
    """Table -> COCO results files -> aggregate-boxes --coco --method wbf: the table's fused boxes,
    in boxes.csv and (as [x, y, width, height]) in boxes.coco.json."""
    boxes = _table()
    paths = _to_coco(boxes, tmp_path, results=True)
    result = _run(*paths, "--coco", "--method", "wbf", "--out", tmp_path / "out", "--top", "0")
    assert result.exit_code == 0, result.output
    want = WeightedBoxesFusion(score_col="score").fit(boxes).boxes_
    got = pd.read_csv(tmp_path / "out" / "boxes.csv")
    pd.testing.assert_frame_equal(got, want, check_dtype=False, atol=1e-12, rtol=0)
    coco = json.loads((tmp_path / "out" / "boxes.coco.json").read_text())
    assert [d["image_id"] for d in coco] == list(want.image) and [d["category_id"] for d in coco] == list(want.label)
    bbox = np.array([d["bbox"] for d in coco])
    np.testing.assert_allclose(bbox[:, 2], want.x_max - want.x_min, rtol=0, atol=1e-9)
    info = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert info["coco"] is True and info["columns"]["score_col"] == "score" and len(info["boxes"]) == 3


def test_consensus_on_coco_labels_files_counts_every_listed_image(tmp_path):
    """Labels files: the consensus of the table, with each file's 'images' as the images its
    annotator labeled (as --labeled would give them)."""
    boxes = _table().drop(columns="score")
    paths = _to_coco(boxes, tmp_path, results=False)
    result = _run(*paths, "--coco", "--out", tmp_path / "out", "--top", "0")
    assert result.exit_code == 0, result.output
    labeled = pd.DataFrame(
        [(i, a) for i in sorted(boxes.image.unique()) for a in sorted(boxes.annotator.unique())],
        columns=["image", "annotator"],
    )
    want = BoxConsensus().fit(boxes, labeled=labeled)
    got = pd.read_csv(tmp_path / "out" / "boxes.csv")
    assert got.pop("label_name").tolist() == want.boxes_.label.map({1: "cat", 2: "dog"}).tolist()
    pd.testing.assert_frame_equal(got, want.boxes_, check_dtype=False)
    skill = pd.read_csv(tmp_path / "out" / "annotators.csv", index_col="annotator")
    pd.testing.assert_frame_equal(skill, want.annotators_, check_dtype=False)


def test_ensemble_boxes_fuses_the_coco_boxes_as_labelwise(tmp_path):
    """The peer: ensemble-boxes' WBF on the boxes read from COCO files, normalised by the files' image
    sizes, gives labelwise's fused boxes within 1.5e-7 (it keeps float32)."""
    ensemble_boxes = pytest.importorskip("ensemble_boxes")
    boxes = _table(seed=5)
    boxes = boxes.assign(x_max=boxes.x_max.clip(upper=640), y_max=boxes.y_max.clip(upper=480))
    boxes = boxes.assign(x_min=boxes.x_min.clip(lower=0), y_min=boxes.y_min.clip(lower=0))
    for path in _to_coco(boxes, tmp_path, results=False):  # sizes from labels files, scores added
        data = json.loads(path.read_text())
        scores = boxes[boxes.annotator == path.stem].score.to_numpy()
        for record, score in zip(data["annotations"], scores, strict=True):
            record["score"] = float(score)
        path.write_text(json.dumps(data))
    read = read_coco_boxes(sorted(tmp_path.glob("*.json")))
    norm = read.normalised()
    ours = WeightedBoxesFusion(score_col="score").fit(norm).boxes_
    models = sorted(norm.annotator.unique())
    for image, drawn in norm.groupby("image"):
        per = [drawn[drawn.annotator == m] for m in models]
        fused, scores, labels = ensemble_boxes.weighted_boxes_fusion(
            [d[COORDS].to_numpy() for d in per], [d.score.to_numpy() for d in per],
            [d.label.to_numpy(dtype=int) for d in per], iou_thr=0.55,
        )  # fmt: skip
        theirs = np.column_stack([labels, scores, fused])
        mine = ours[ours.image == image][["label", "score", *COORDS]].to_numpy(dtype=float)
        key = lambda rows: rows[np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))]  # noqa: E731
        np.testing.assert_allclose(key(mine), key(theirs), rtol=0, atol=1.5e-7)


def test_quiet_prints_nothing_and_writes_the_same_files(tmp_path):
    """--quiet: no table, no 'wrote' line; the outputs are those of a run without it."""
    boxes = _table()
    boxes.to_csv(tmp_path / "boxes.csv", index=False)
    loud = _run(tmp_path / "boxes.csv", "--out", tmp_path / "loud")
    quiet = _run(tmp_path / "boxes.csv", "--out", tmp_path / "quiet", "--quiet")
    assert quiet.exit_code == 0 and loud.exit_code == 0
    assert quiet.output == "" and "wrote" in loud.output
    for name in ("boxes.csv", "annotators.csv"):
        assert (tmp_path / "loud" / name).read_text() == (tmp_path / "quiet" / name).read_text()


def test_skill_leave_one_out_writes_the_library_table(tmp_path):
    """--skill leave-one-out: annotators.csv is BoxConsensus(skill='leave-one-out')'s table."""
    boxes = _table()
    boxes.to_csv(tmp_path / "boxes.csv", index=False)
    result = _run(tmp_path / "boxes.csv", "--skill", "leave-one-out", "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    want = BoxConsensus(skill="leave-one-out").fit(boxes).annotators_
    got = pd.read_csv(tmp_path / "out" / "annotators.csv", index_col="annotator")
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["skill"] == "leave-one-out"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("{a}", "{b}"), "BOXES must be one table (or, with --coco, one COCO file per annotator), got 2 files"),
        (("{a}", "--annotator-names", "x"), "--annotator-names names the files of --coco, got it without --coco"),
        (("{a}", "{b}", "--coco", "--annotator-names", "x"), "--annotator-names must give one name per BOXES file (2)"),
        (("{a}", "{b}", "--coco", "--annotator-names", "x,x"), "--annotator-names must have distinct annotator names"),
        (("{a}", "--coco", "--image-column", "img"), "--image-column is not read with --coco"),
        (("{a}", "--coco", "--labeled", "{a}"), "--labeled is not read with --coco"),
        (
            ("{a}", "--coco", "--method", "wbf", "--skill", "leave-one-out"),
            "--skill is only read by --method consensus",
        ),
        (("{bad}", "--coco"), "BOXES: '"),
    ],
)
def test_bad_coco_invocations_are_one_line_naming_the_option(tmp_path, args, named):
    """Each refusal is exit code 2 and one line naming the option, before any output is written."""
    paths = _to_coco(_table(), tmp_path, results=True)
    (tmp_path / "bad.json").write_text('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 0, 5], "score": 1}]')
    files = {"a": paths[0], "b": paths[1], "bad": tmp_path / "bad.json"}
    result = _run(*[a.format(**files) for a in args], "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert not (tmp_path / "out").exists()


def test_a_coco_input_where_an_output_goes_is_refused(tmp_path):
    """The second of several BOXES files lying at --out/boxes.coco.json: refused, with --force too,
    naming BOXES (the check once looked at single paths only), and the file kept."""
    a, b = _to_coco(_table(), tmp_path, results=True)[:2]
    (tmp_path / "out").mkdir()
    target = b.rename(tmp_path / "out" / "boxes.coco.json")
    before = target.read_bytes()
    for extra in ((), ("--force",)):
        result = _run(a, target, "--coco", "--method", "wbf", "--out", tmp_path / "out", *extra)
        assert result.exit_code == 2, result.output
        assert "which would replace its input BOXES" in " ".join(result.output.split())
    assert target.read_bytes() == before and [p.name for p in (tmp_path / "out").iterdir()] == [target.name]
