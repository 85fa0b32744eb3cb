"""Small stand-ins for the files a user brings to the guide's examples, written on the fly.

Each writer takes the working folder and writes the file(s) under the name the page uses; the
data are few rows, simulated with a fixed seed, shaped as the page says (columns, formats).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from tests.audit._tasks_data import TAGS, detection_case, multilabel_case, segmentation_case, token_case


def table(n: int = 90, seed: int = 0, duplicate: tuple[int, int] | None = None) -> pd.DataFrame:
    """A mixed table: numeric, categorical, text, id, date and split columns, and four labels.

    ``species`` (3 classes) and ``y`` (2 classes) follow the numeric columns, ``price`` is a
    number, ``label`` is ham/spam for the weak-supervision commands.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    species = np.array(["adelie", "chinstrap", "gentoo"])[np.digitize(x[:, 0], [-0.45, 0.45])]
    y = np.where(x[:, 1] + 0.5 * x[:, 2] > 0, "yes", "no")
    spam = rng.random(n) < 0.4
    text = np.where(spam, "win cash now http://x.io $$$", "see you at lunch")
    frame = pd.DataFrame(
        {
            "id": np.arange(1, n + 1),
            "x1": x[:, 0].round(3),
            "x2": x[:, 1].round(3),
            "x3": x[:, 2].round(3),
            "colour": rng.choice(["red", "green", "blue"], n),
            "text": text,
            "split": np.where(np.arange(n) < int(0.8 * n), "train", "test"),
            "price": (10 + 3 * x[:, 0] + rng.normal(0, 0.5, n)).round(2),
            "label": np.where(spam, "spam", "ham"),
            "species": species,
            "y": y,
        }
    )
    flips = rng.choice(n, n // 10, replace=False)
    frame.loc[flips, "y"] = np.where(frame.loc[flips, "y"] == "yes", "no", "yes")
    if duplicate is not None:
        frame.iloc[duplicate[1]] = frame.iloc[duplicate[0]]
    return frame


def data_csv(folder: Path, **kwargs) -> pd.DataFrame:
    """data.csv: the mixed table of ``table``."""
    frame = table(**kwargs)
    frame.to_csv(folder / "data.csv", index=False)
    return frame


def oof_probs(labels, seed: int = 0) -> np.ndarray:
    """Out-of-fold-like probabilities (columns in sorted class order) that mostly favour the label."""
    classes, codes = np.unique(np.asarray(labels), return_inverse=True)
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1, (len(codes), len(classes)))
    logits[np.arange(len(codes)), codes] += 2.0
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def audit_with_probs(folder: Path) -> None:
    """data.parquet with a label column ``y`` and oof.npy of its probabilities."""
    frame = table()
    frame.to_parquet(folder / "data.parquet")
    np.save(folder / "oof.npy", oof_probs(frame["y"]))


def audit_with_probs_table(folder: Path) -> None:
    """data.csv and oof.csv: its probabilities as a table, columns named by class (yes before no), an id column."""
    frame = data_csv(folder)
    probs = pd.DataFrame(oof_probs(frame["y"]), columns=["no", "yes"])
    probs.assign(id=frame["id"])[["id", "yes", "no"]].iloc[::-1].to_csv(folder / "oof.csv", index=False)


def audit_with_unseen_class(folder: Path) -> None:
    """data.parquet (``y`` is no/yes) and oof3.npy: its probabilities with a third column ('maybe') no row has."""
    frame = table()
    frame.to_parquet(folder / "data.parquet")
    rng = np.random.default_rng(1)
    probs = np.column_stack([oof_probs(frame["y"]), rng.uniform(0, 0.2, len(frame))])
    np.save(folder / "oof3.npy", probs / probs.sum(axis=1, keepdims=True))


def multilabel_files(folder: Path, names=("bird", "cat", "dog")) -> dict:
    """tags.csv with a ``tags`` column of "cat|dog" strings and oof.npy of per-tag probabilities."""
    _, noisy, probs = multilabel_case(n=120, k=len(names))
    names = np.array(names)
    tag_lists = [list(names[row]) for row in noisy.labels]
    pd.DataFrame({"tags": ["|".join(t) for t in tag_lists]}).to_csv(folder / "tags.csv", index=False)
    np.save(folder / "oof.npy", probs)
    return {"tag_lists": tag_lists, "probs": probs, "tags": list(names)}


def token_files(folder: Path) -> dict:
    """corpus.conll and train.conll (one ``token tag`` per line) and token_probs.npy (flat)."""
    noisy, probs = token_case(n_sentences=60)
    tags = sorted(TAGS)
    order = [TAGS.index(t) for t in tags]
    sentence_tags = [list(s) for s in noisy.labels]
    lines = []
    for i, sentence in enumerate(sentence_tags):
        lines += [f"w{i}_{j} {tag}" for j, tag in enumerate(sentence)] + [""]
    for name in ("corpus.conll", "train.conll"):
        (folder / name).write_text("\n".join(lines), encoding="utf-8")
    sentence_probs = [p[:, order] for p in probs]
    np.save(folder / "token_probs.npy", np.concatenate(sentence_probs))
    return {"sentence_tags": sentence_tags, "sentence_probs": sentence_probs, "tags": tags}


def segmentation_files(folder: Path) -> dict:
    """masks/ (one label PNG per image) and probs.npy of shape (N, K, H, W)."""
    from PIL import Image

    noisy, probs = segmentation_case(n=4, size=24)
    (folder / "masks").mkdir(exist_ok=True)
    for i, mask in enumerate(noisy.labels):
        Image.fromarray(mask.astype(np.uint8)).save(folder / "masks" / f"img{i}.png")
    np.save(folder / "probs.npy", probs.astype(np.float32))
    return {"masks": noisy.labels}


def regression_data(seed: int = 0) -> dict:
    """Features, targets with a few wrong ones, and out-of-fold-like predictions."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, 3))
    y = X @ [2.0, -1.0, 0.5] + rng.normal(0, 0.3, 120)
    predictions = y + rng.normal(0, 0.3, 120)
    y[:4] += 6
    return {"X": X, "y": y, "oof_predictions": predictions}


def detection_files(folder: Path) -> dict:
    """labels_coco.json / instances_val.json (COCO ground truth) and preds.json / results.json."""
    _, noisy, preds = detection_case(n_images=12)
    images = [{"id": i + 1, "file_name": f"{i}.jpg", "width": 260, "height": 260} for i in range(len(noisy.labels))]
    annotations, results = [], []
    for i, (given, pred) in enumerate(zip(noisy.labels, preds, strict=True)):
        for box, label in zip(given["boxes"], given["labels"], strict=True):
            x1, y1, x2, y2 = (float(v) for v in box)
            bbox = [x1, y1, x2 - x1, y2 - y1]
            annotations.append(
                {"id": len(annotations) + 1, "image_id": i + 1, "category_id": int(label) + 1, "bbox": bbox}
            )
        for box, label, score in zip(pred["boxes"], pred["labels"], pred["scores"], strict=True):
            x1, y1, x2, y2 = (float(v) for v in box)
            results.append(
                {
                    "image_id": i + 1,
                    "category_id": int(label) + 1,
                    "bbox": [x1, y1, x2 - x1, y2 - y1],
                    "score": float(score),
                }
            )
    categories = [{"id": c + 1, "name": name} for c, name in enumerate(["car", "person", "dog"])]
    coco = {"images": images, "annotations": annotations, "categories": categories}
    for name in ("labels_coco.json", "instances_val.json"):
        (folder / name).write_text(json.dumps(coco))
    for name in ("preds.json", "results.json"):
        (folder / name).write_text(json.dumps(results))
    return {"boxes": noisy.labels, "predictions": preds}


def crowd(n_items: int = 40, seed: int = 0, classes=("cat", "dog")) -> pd.DataFrame:
    """A long answer table (item, annotator, label): four annotators, three answers per item."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(classes, n_items)
    rows = []
    for i, true in enumerate(truth):
        for a in rng.choice(4, 3, replace=False):
            label = true if rng.random() < (0.9, 0.8, 0.7, 0.6)[a] else rng.choice(classes)
            rows.append((f"q{i}", f"ann{a}", label))
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def annotation_exports(folder: Path) -> None:
    """answers.csv, gold.csv, export.json (Label Studio), batch_results.csv (MTurk), annotations.jsonl (Prodigy)."""
    answers = crowd()
    answers.to_csv(folder / "answers.csv", index=False)
    gold = answers.groupby("item")["label"].agg(lambda s: s.mode()[0]).reset_index()
    gold.to_csv(folder / "gold.csv", index=False)
    tasks = []
    for item, group in answers.groupby("item", sort=False):
        anns = [
            {
                "completed_by": int(a[3:]) + 1,
                "was_cancelled": False,
                "result": [{"from_name": "animal", "to_name": "image", "type": "choices", "value": {"choices": [lab]}}],
            }
            for a, lab in zip(group.annotator, group.label, strict=True)
        ]
        tasks.append({"id": int(item[1:]) + 1, "data": {"image": f"/data/{item}.png"}, "annotations": anns})
    (folder / "export.json").write_text(json.dumps(tasks))
    mturk = pd.DataFrame(
        {
            "HITId": "H" + answers["item"],
            "AssignmentId": [f"A{i}" for i in range(len(answers))],
            "WorkerId": answers["annotator"],
            "AssignmentStatus": "Approved",
            "Input.image_url": answers["item"] + ".png",
            "Answer.animal.label": answers["label"],
        }
    )
    mturk.to_csv(folder / "batch_results.csv", index=False)
    prodigy = [
        {
            "text": item,
            "options": [{"id": "cat"}, {"id": "dog"}],
            "accept": [label],
            "answer": "accept",
            "_input_hash": int(item[1:]),
            "_annotator_id": f"s-{annotator}",
        }
        for item, annotator, label in answers.itertuples(index=False)
    ]
    (folder / "annotations.jsonl").write_text("\n".join(json.dumps(r) for r in prodigy) + "\n")


def unsure_answers(folder: Path) -> None:
    """answers.csv with binary labels 0/1 and -1 for "unsure" (CheXpert's coding)."""
    answers = crowd(classes=(0, 1))
    answers.loc[answers.index % 7 == 3, "label"] = -1
    answers.to_csv(folder / "answers.csv", index=False)


def crowd_probs(folder: Path) -> None:
    """oof.npy: a model's probabilities per item of answers.csv (items in sorted order)."""
    answers = pd.read_csv(folder / "answers.csv")
    majority = answers.groupby("item")["label"].agg(lambda s: s.mode()[0]).sort_index()
    np.save(folder / "oof.npy", oof_probs(majority.to_numpy()))


def votes_file(folder: Path) -> None:
    """samples.jsonl: five sampled answers per question from a language model."""
    rng = np.random.default_rng(0)
    rows = [
        {"item": f"q{i}", "sample": s, "answer": str(rng.choice(["A", "B", "C"], p=[0.7, 0.2, 0.1]))}
        for i in range(12)
        for s in range(5)
    ]
    (folder / "samples.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")


LFS_PY = """
from labelwise.weak import labeling_function

@labeling_function()
def has_link(row):
    return "spam" if "http" in row.text else None

@labeling_function(vectorized=True)
def is_short(df):
    return df.text.str.len().lt(20).map({True: "ham", False: None})
"""


def weak_files(folder: Path) -> None:
    """lfs.py with two labeling functions, data.csv with text, id and label columns, samples.jsonl."""
    (folder / "lfs.py").write_text(LFS_PY)
    data_csv(folder)
    votes_file(folder)


def numeric_csv(folder: Path) -> None:
    """data.csv with numeric features only and a binary label ``y`` (the attacks' input)."""
    frame = table(n=60)
    frame[["x1", "x2", "x3", "y"]].to_csv(folder / "data.csv", index=False)
