"""``labelwise report`` on the folders of aggregate-tags, -boxes, -masks, -numbers, -texts, -pairs and
train-crowds (views39): each page holds the numbers of the folder's files.

Each folder is written by its real command (CliRunner); on main before views39 the report refused
all seven ("is neither an audit output ... nor an aggregation output", or the tag-set refusal).
"""

from __future__ import annotations

import base64
import io
import json
import re

import joblib
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from labelwise.cli import main
from labelwise.report import write_report
from labelwise.report._build import _fmt
from tests.report._views39_folders import BUILDERS, rows, section, tiles


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Command -> (its folder, the report page written for it), each built on first use."""
    built: dict = {}

    def page(command: str) -> tuple:
        if command not in built:
            folder = BUILDERS[command](tmp_path_factory.mktemp(command))
            built[command] = (folder, write_report(folder).read_text(encoding="utf-8"))
        return built[command]

    return page


def _csv(path, **kw):
    return pd.read_csv(path, keep_default_na=False, na_values=[""], **kw)


def _f(x) -> str:
    return _fmt(float(x))


@pytest.mark.parametrize("command", sorted(BUILDERS))
def test_every_folder_gets_its_commands_page_self_contained(pages, command):
    """The page names the command, ends with the settings and loads nothing from the network."""
    folder, page = pages(command)
    assert f"labelwise {command} output" in page and f"<title>labelwise report: {folder.name} ({command}" in page
    assert 'id="settings"' in page and 'id="annotators"' in page
    assert "default-src 'none'" in page
    assert not re.search(r"(?:src|href)\s*=\s*['\"]?\s*(?:https?:)?//", page)


def test_tags_page_holds_chosen_counts_skills_and_least_confident_items(pages):
    """Tags chosen as summary.json counts them; each annotator's skill per tag; the least confident items
    of labels.csv in order, with their closest call from probs.csv."""
    folder, page = pages("aggregate-tags")
    summary = json.loads((folder / "summary.json").read_text())
    chosen = {r[0]: r[1] for r in rows(page, "tags-chosen")}
    assert chosen == {t["tag"]: str(t["n_items_chosen"]) for t in summary["tags"]}
    ann = _csv(folder / "annotators.csv", dtype={"annotator": str}).set_index("annotator")
    shown = {r[0]: r[1:] for r in rows(page, "annotators")}
    for name, skill in ann.iterrows():
        assert shown[name] == [_f(v) for v in skill] + [_f(skill.mean())]
    labels = _csv(folder / "labels.csv", dtype={"item": str, "tags": str})
    low = labels[labels["confidence"] < labels["confidence"].max()].sort_values("confidence", kind="stable")
    listed = rows(page, "tags-contested")
    assert len(low) > 0 and [r[0] for r in listed] == low["item"].head(30).tolist()
    probs = _csv(folder / "probs.csv", dtype={"item": str}).set_index("item")
    first = listed[0]
    near = (probs.loc[first[0]] - 0.5).abs().idxmin()
    assert first[1].split() == labels.set_index("item").loc[first[0], "tags"].split("|")
    assert first[-2:] == [near, _f(probs.loc[first[0], near])]
    assert tiles(page)["items"] == str(summary["n_items"]) and tiles(page)["tags"] == str(summary["n_tags"])


def test_boxes_page_holds_per_class_counts_annotator_f1_and_the_least_supported_boxes(pages):
    """Per-class box counts of boxes.csv, annotators.csv lowest F1 first, and the boxes below full support
    drawn on their images."""
    folder, page = pages("aggregate-boxes")
    boxes = _csv(folder / "boxes.csv", dtype={"image": str, "label": str})
    per_class = {r[0]: r[1] for r in rows(page, "boxes-classes")}
    assert per_class == {k: str(v) for k, v in boxes["label"].value_counts().items()}
    ann = _csv(folder / "annotators.csv", dtype={"annotator": str}).sort_values("f1", kind="stable")
    assert [r[0] for r in rows(page, "annotators")] == ann["annotator"].tolist()
    assert rows(page, "annotators")[0][-2:] == [_f(ann["f1"].iloc[0]), _f(ann["mean_iou"].iloc[0])]
    low = boxes[boxes["score"] < boxes["score"].max()].sort_values("score", kind="stable")
    listed = rows(page, "boxes-contested")
    assert len(low) == 3 and [(r[0], r[1], r[6]) for r in listed] == [
        (i, lab, _f(s)) for i, lab, s in zip(low["image"], low["label"], low["score"], strict=True)
    ]
    drawn = re.findall(r'alt="merged boxes of ([^"]+)"', section(page, "boxes-contested"))
    assert drawn == list(dict.fromkeys(low["image"]))


def _thumbs(body: str) -> list[Image.Image]:
    return [
        Image.open(io.BytesIO(base64.b64decode(b)))
        for b in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', body)
    ]


def test_masks_page_holds_annotator_dice_and_the_least_agreed_items_with_their_masks(pages):
    """annotators.csv least agreeing first; items.csv's lowest mean Dice first, each with its consensus
    mask drawn in two colours (the histogram first)."""
    folder, page = pages("aggregate-masks")
    ann = _csv(folder / "annotators.csv", dtype={"annotator": str}).sort_values("mean_dice", kind="stable")
    assert [(r[0], r[2]) for r in rows(page, "annotators")] == [
        (a, _f(d)) for a, d in zip(ann["annotator"], ann["mean_dice"], strict=True)
    ]
    items = _csv(folder / "items.csv", dtype={"item": str})
    low = items[items["mean_dice"] < items["mean_dice"].max()].sort_values("mean_dice", kind="stable")
    body = section(page, "masks-contested")
    assert [(r[0], r[-2]) for r in rows(page, "masks-contested")] == [
        (i, _f(d)) for i, d in zip(low["item"], low["mean_dice"], strict=True)
    ]
    masks = _thumbs(body)[1:]
    assert len(masks) == len(low)
    for image, item in zip(masks, low["item"], strict=True):
        consensus = np.load(folder / items.set_index("item").loc[item, "mask"])
        colours = np.asarray(image.convert("RGB")).reshape(-1, 3)
        assert len(np.unique(colours, axis=0)) == len(np.unique(consensus)) == 2


def test_numbers_page_holds_annotator_bias_and_the_items_whose_answers_spread_most(pages):
    """annotators.csv noisiest first; per item, the root mean square of answer - bias - value over its
    answers, largest first."""
    folder, page = pages("aggregate-numbers")
    ann = _csv(folder / "annotators.csv", dtype={"annotator": str})
    ann_sorted = ann.sort_values("sd", ascending=False, kind="stable")
    assert [r[:3] for r in rows(page, "annotators")] == [
        [a, _f(b), _f(s)] for a, b, s in zip(ann_sorted["annotator"], ann_sorted["bias"], ann_sorted["sd"], strict=True)
    ]
    answers = _csv(folder.parent / "numbers.csv", dtype={"item": str, "annotator": str})
    values = _csv(folder / "values.csv", dtype={"item": str}).set_index("item")["value"]
    bias = ann.set_index("annotator")["bias"]
    error = answers["value"] - answers["annotator"].map(bias) - answers["item"].map(values)
    spread = np.sqrt((error**2).groupby(answers["item"]).mean()).sort_values(ascending=False, kind="stable")
    listed = rows(page, "numbers-contested")
    assert [(r[0], r[-1]) for r in listed] == [(i, _f(s)) for i, s in spread.iloc[:-1].head(30).items()]


def test_texts_page_holds_reliabilities_and_the_least_similar_texts_with_the_other_answers(pages):
    """annotators.csv least reliable first; texts.csv below the best similarity, lowest first, each with
    the answers unlike the chosen text."""
    folder, page = pages("aggregate-texts")
    ann = _csv(folder / "annotators.csv", dtype={"annotator": str}).sort_values("skill", kind="stable")
    assert [r[0] for r in rows(page, "annotators")] == ann["annotator"].tolist()
    texts = _csv(folder / "texts.csv", dtype={"item": str, "text": str})
    low = texts[texts["similarity"] < texts["similarity"].max()].sort_values("similarity", kind="stable")
    listed = rows(page, "texts-contested")
    assert [(r[0], r[1], r[2]) for r in listed] == [
        (i, t, _f(s)) for i, t, s in zip(low["item"], low["text"], low["similarity"], strict=True)
    ]
    by_item = {r[0]: r[-1] for r in listed}
    assert by_item["i5"] == "an owl at night"


def test_pairs_page_holds_the_ranking_reliabilities_and_the_upsets_of_the_comparisons(pages):
    """scores.csv best first; annotators.csv least reliable first; the upsets counted from the
    comparisons file: the comparisons won by the lower-scored item."""
    folder, page = pages("aggregate-pairs")
    scores = _csv(folder / "scores.csv", dtype={"item": str})
    assert [(r[0], r[1]) for r in rows(page, "pairs-ranking")] == [
        (i, _f(s)) for i, s in zip(scores["item"], scores["score"], strict=True)
    ]
    ann = _csv(folder / "annotators.csv", dtype={"annotator": str}).sort_values("skill", kind="stable")
    assert [(r[0], r[1]) for r in rows(page, "annotators")] == [
        (a, _f(s)) for a, s in zip(ann["annotator"], ann["skill"], strict=True)
    ]
    pairs = _csv(folder.parent / "pairs.csv", dtype=str)
    score = scores.set_index("item")["score"]
    loser = np.where(pairs["winner"] == pairs["left"], pairs["right"], pairs["left"])
    upset = pairs["winner"].map(score).to_numpy() < pd.Series(loser).map(score).to_numpy()
    assert f"({int(upset.sum())} of 80)" in section(page, "pairs-contested")
    per_item = pd.concat([pairs["winner"][upset], pd.Series(loser)[upset]]).value_counts()
    listed = {r[0]: int(r[3]) for r in rows(page, "pairs-contested")}
    assert listed == per_item.to_dict()


def test_crowds_page_holds_the_models_annotator_accuracy_and_the_least_certain_rows(pages):
    """The annotators' accuracy recomputed from confusions.csv and soft_labels.csv equals the fitted
    model's ``annotator_accuracy_`` (model.joblib); the least certain rows of soft_labels.csv come first."""
    folder, page = pages("train-crowds")
    model = joblib.load(folder / "model.joblib")
    expected = model.annotator_accuracy_.sort_values(kind="stable")
    assert [(r[0], r[1]) for r in rows(page, "annotators")] == [(str(a), _f(v)) for a, v in expected.items()]
    soft = _csv(folder / "soft_labels.csv")
    confidence = soft[["p_neg", "p_pos"]].max(axis=1)
    low = confidence[confidence < confidence.max()].sort_values(kind="stable").head(30)
    assert [r[0] for r in rows(page, "crowds-contested")] == [str(i) for i in soft.loc[low.index, "id"]]
    assert 'id="confusion-heatmaps"' in section(page, "annotator-confusions")


def test_report_command_writes_the_page_of_a_boxes_folder(pages, tmp_path):
    """``labelwise report FOLDER --out FILE`` writes the boxes page (the command no longer refuses it)."""
    folder, _ = pages("aggregate-boxes")
    result = CliRunner().invoke(main, ["report", str(folder), "--out", str(tmp_path / "boxes.html")])
    assert result.exit_code == 0, result.output
    assert 'id="boxes-contested"' in (tmp_path / "boxes.html").read_text(encoding="utf-8")
