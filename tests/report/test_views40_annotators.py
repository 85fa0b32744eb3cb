"""``labelwise report`` on the folders whose command writes no annotators.csv (views40): wbf boxes,
closest and rover texts, bt comparisons. Each page scores the annotators from the input the run read
against the result, and says why in the section when it cannot.

Each folder is written by its real command (CliRunner); every number is checked against a hand
computation on a tiny folder. On main the pages of these folders had no annotators section (and a
rover folder's page failed on its missing mean similarity).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from labelwise.report import write_report
from tests.report._views39_folders import rows, run, section


def _page(folder) -> str:
    return write_report(folder).read_text(encoding="utf-8")


def _annotators(page: str) -> dict[str, list[str]]:
    """The annotators table: annotator -> its other cells."""
    return {r[0]: r[1:] for r in rows(page, "annotators")}


@pytest.fixture
def wbf(tmp_path):
    """Two models on one image: m1's car [0, 0, 10, 10], m2's car [1, 0, 11, 10] and a lone dog."""
    table = pd.DataFrame(
        [
            ("im", "m1", "car", 0, 0, 10, 10),
            ("im", "m2", "car", 1, 0, 11, 10),
            ("im", "m2", "dog", 50, 50, 60, 60),
        ],
        columns=["image", "annotator", "label", "x_min", "y_min", "x_max", "y_max"],
    )
    table.to_csv(tmp_path / "boxes.csv", index=False)
    run("aggregate-boxes", str(tmp_path / "boxes.csv"), "--method", "wbf", "--out", str(tmp_path / "out"))
    return tmp_path


def test_wbf_annotators_are_their_boxes_matched_to_the_fused_boxes_by_hand(wbf):
    """The fused car [0.5, 0, 10.5, 10] has both models' votes (the strict majority of 2), the fused dog
    one: the reference is the car alone, which each car box overlaps at IoU 95 / 105. m1 matches its
    one box (F1 1), m2 one of its two (precision 0.5, recall 1, F1 2/3)."""
    assert not (wbf / "out" / "annotators.csv").exists()
    fused = pd.read_csv(wbf / "out" / "boxes.csv")
    assert sorted(zip(fused["label"], fused["votes"], strict=True)) == [("car", 2), ("dog", 1)]
    table = _annotators(_page(wbf / "out"))
    iou = f"{95 / 105:.3f}"
    # n_images, n_boxes, n_reference, n_matched, precision, recall, f1, mean_iou
    assert table["m1"] == ["1", "1", "1", "1", "1.000", "1.000", "1.000", iou]
    assert table["m2"] == ["1", "2", "1", "1", "0.500", "1.000", f"{2 / 3:.3f}", iou]
    assert list(table) == ["m2", "m1"]  # lowest F1 first


def test_wbf_on_coco_files_scores_each_files_annotator_by_its_stem(tmp_path):
    """The same boxes as COCO files m1.json and m2.json (bbox x, y, width, height): the same figures."""
    boxes = {"m1": [(1, [0, 0, 10, 10])], "m2": [(1, [1, 0, 10, 10]), (2, [50, 50, 10, 10])]}
    for name, drawn in boxes.items():
        data = {
            "images": [{"id": 7, "width": 100, "height": 100}],
            "categories": [{"id": 1, "name": "car"}, {"id": 2, "name": "dog"}],
            "annotations": [
                {"id": k, "image_id": 7, "category_id": c, "bbox": b} for k, (c, b) in enumerate(drawn, start=1)
            ],
        }
        (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    files = [str(tmp_path / "m1.json"), str(tmp_path / "m2.json")]
    run("aggregate-boxes", *files, "--coco", "--method", "wbf", "--out", str(tmp_path / "out"))
    page = _page(tmp_path / "out")
    table = _annotators(page)
    assert table["m1"][-4:] == ["1.000", "1.000", "1.000", f"{95 / 105:.3f}"]
    assert table["m2"][-4:] == ["0.500", "1.000", f"{2 / 3:.3f}", f"{95 / 105:.3f}"]
    assert "each COCO file's annotator named by the file's stem" in section(page, "annotators")


def test_wbf_page_says_why_when_the_boxes_it_read_are_gone(wbf):
    """Without the input table the section stays, naming the file that is not there."""
    (wbf / "boxes.csv").unlink()
    body = section(_page(wbf / "out"), "annotators")
    assert "No annotators.csv in the folder (wbf)" in body and "is not there" in body and "<table" not in body


@pytest.fixture
def texts(tmp_path):
    """Two items, three annotators: a2 writes another text on i0, a1 a plural on i1."""
    answers = pd.DataFrame(
        [
            ("i0", "a0", "red car"),
            ("i0", "a1", "red car"),
            ("i0", "a2", "blue boat"),
            ("i1", "a0", "big dog"),
            ("i1", "a1", "big dogs"),
            ("i1", "a2", "big dog"),
        ],
        columns=["item", "annotator", "text"],
    )
    answers.to_csv(tmp_path / "texts.csv", index=False)
    return tmp_path, answers


def test_closest_annotators_are_the_tfidf_cosine_of_their_answers_to_the_chosen_texts(texts):
    """Chosen: 'red car' and 'big dog'; each annotator's mean cosine of its answers' character 2-4-gram
    TF-IDF vectors (sublinear, fitted on the six answers) to the chosen texts', and how many it wrote."""
    root, answers = texts
    run("aggregate-texts", str(root / "texts.csv"), "--method", "closest", "--out", str(root / "out"))
    chosen = pd.read_csv(root / "out" / "texts.csv").set_index("item")["text"]
    assert chosen.to_dict() == {"i0": "red car", "i1": "big dog"}
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(answers["text"])

    def cos(a: str, b: str) -> float:
        x, y = vec.transform([a, b]).toarray()
        return float(x @ y)  # rows are L2-normalised

    table = _annotators(_page(root / "out"))
    assert table["a0"] == ["2", "2", "1.000"]
    assert table["a1"] == ["2", "1", f"{(1 + cos('big dogs', 'big dog')) / 2:.3f}"]
    assert table["a2"] == ["2", "1", f"{(cos('blue boat', 'red car') + 1) / 2:.3f}"]
    assert list(table)[0] == "a2"  # least similar first


def test_rover_page_is_written_with_each_annotators_word_error_rate(texts):
    """ROVER's texts: a2 has both words of 'red car' wrong and none of 'big dog' (2 / 4), a1 one
    extra-lettered word (1 / 4); the least agreed item is i0 (WER 2 / 6 of its three answers; i1's
    1 / 6 is the folder's best, so not listed)."""
    root, _ = texts
    run("aggregate-texts", str(root / "texts.csv"), "--method", "rover", "--out", str(root / "out"))
    page = _page(root / "out")
    table = _annotators(page)
    assert table == {"a2": ["2", "1", "0.500"], "a1": ["2", "1", "0.250"], "a0": ["2", "2", "0.000"]}
    listed = rows(page, "texts-contested")
    assert [(r[0], r[3]) for r in listed] == [("i0", "0.333")]


def test_closest_page_says_why_when_the_answers_changed_since_the_run(texts):
    """An answers file with a row more than the run read: the section says it changed, with no table."""
    root, answers = texts
    run("aggregate-texts", str(root / "texts.csv"), "--out", str(root / "out"))
    pd.concat([answers, answers.head(1)]).to_csv(root / "texts.csv", index=False)
    body = section(_page(root / "out"), "annotators")
    assert "has changed since the run: 7 answers now, 6 then" in body and "<table" not in body


@pytest.fixture
def pairs(tmp_path):
    """a0's four comparisons follow A > B > C; a1 has B beat A once (an upset) and B beat C."""
    table = pd.DataFrame(
        [
            ("A", "B", "A", "a0"),
            ("B", "A", "A", "a0"),
            ("B", "C", "B", "a0"),
            ("C", "A", "A", "a0"),
            ("A", "B", "B", "a1"),
            ("C", "B", "B", "a1"),
        ],
        columns=["left", "right", "winner", "annotator"],
    )
    table.to_csv(tmp_path / "pairs.csv", index=False)
    run("aggregate-pairs", str(tmp_path / "pairs.csv"), "--method", "bt", "--out", str(tmp_path / "out"))
    return tmp_path, table


def test_bt_annotators_are_the_share_of_their_comparisons_the_ranking_agrees_with(pairs):
    """The fitted ranking is A > B > C: a0 agrees on 4 of 4, a1 on 1 of 2 (least agreeing first)."""
    root, _ = pairs
    scores = pd.read_csv(root / "out" / "scores.csv").sort_values("score", ascending=False)
    assert scores["item"].tolist() == ["A", "B", "C"]
    assert rows(_page(root / "out"), "annotators") == [["a1", "2", "1.000", "0.500"], ["a0", "4", "4.000", "1.000"]]


def test_bt_page_says_why_when_the_comparisons_name_no_annotator(pairs):
    """The comparisons rewritten without their annotator column: the section says so and has no table."""
    root, table = pairs
    table.drop(columns="annotator").to_csv(root / "pairs.csv", index=False)
    body = section(_page(root / "out"), "annotators")
    assert "name no annotator (no column &#x27;annotator&#x27;)" in body and "<table" not in body
