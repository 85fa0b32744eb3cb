"""Write audit and aggregation output folders in the format of ``labelwise audit``/``aggregate``.

Fast fixtures for the report, review and export tests: the probabilities are made up (a noisy
copy of the true labels), not produced by a model, because these tests check how outputs are
shown and exported, not how they are computed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd


def _matrices(given: np.ndarray, suggested: np.ndarray, k: int) -> dict:
    cj = np.zeros((k, k), dtype=np.int64)
    np.add.at(cj, (given, suggested), 1)
    joint = cj / cj.sum()
    col = joint.sum(axis=0, keepdims=True)
    row = joint.sum(axis=1, keepdims=True)
    noise = np.divide(joint, col, out=np.zeros_like(joint), where=col > 0)  # P(given=i | true=j)
    inverse = np.divide(joint.T, row.T, out=np.zeros_like(joint), where=row.T > 0)  # P(true=i | given=j)
    return {
        "confident_joint": cj.tolist(),
        "joint": joint.tolist(),
        "noise_matrix": noise.tolist(),
        "inverse_noise_matrix": inverse.tolist(),
    }


def write_audit(
    out_dir: Path,
    *,
    kind: str = "pixels",
    n: int = 200,
    noise: float = 0.12,
    seed: int = 0,
    classes: list | None = None,
    data_dir: Path | None = None,
) -> Path:
    """Write issues.csv, summary.json, probs.npy and a data table; return ``out_dir``.

    kind: ``pixels`` (8x8 digits from scikit-learn), ``image`` (an image column of PNG files),
    ``text`` (a free-text column) or ``features`` (a few numeric columns).
    """
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    data_dir = Path(data_dir) if data_dir is not None else out_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    image_column = None
    if kind == "pixels":
        from sklearn.datasets import load_digits

        digits = load_digits()
        x = digits.data[:n].astype(np.int64)
        true = digits.target[:n]
        classes = list(range(10)) if classes is None else classes
        data = pd.DataFrame(x, columns=[f"pixel_{i}" for i in range(64)])
    else:
        classes = classes or ["cat", "dog", "bird"]
        true = rng.integers(0, len(classes), size=n)
        if kind == "text":
            words = np.array(["fur", "bark", "wing", "tail", "nest", "paw", "<b>bold</b>", "feather"])
            data = pd.DataFrame({"text": [" ".join(rng.choice(words, size=6)) + f" item {i}" for i in range(n)]})
        elif kind == "features":
            data = pd.DataFrame({"height": rng.normal(size=n).round(3), "weight": rng.normal(size=n).round(3)})
        elif kind == "image":
            from PIL import Image

            img_dir = data_dir / "images"
            img_dir.mkdir(exist_ok=True)
            paths = []
            for i in range(n):
                arr = np.full((12, 12, 3), 40 * (true[i] + 1), dtype=np.uint8)
                Image.fromarray(arr).save(img_dir / f"img_{i}.png")
                paths.append(f"images/img_{i}.png")
            data = pd.DataFrame({"path": paths, "size": rng.integers(1, 9, size=n)})
            image_column = "path"
        else:
            raise ValueError(kind)
    k = len(classes)
    flip = rng.random(n) < noise
    given = np.where(flip, (true + rng.integers(1, k, size=n)) % k, true)
    probs = np.full((n, k), 0.1 / (k - 1))
    probs[np.arange(n), true] = 0.9
    probs = 0.7 * probs + 0.3 * rng.dirichlet(np.ones(k), size=n)
    probs /= probs.sum(axis=1, keepdims=True)
    quality = probs[np.arange(n), given]
    suggested = probs.argmax(axis=1)
    is_issue = suggested != given
    order = np.argsort(quality, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    cls = np.array(classes, dtype=object)
    issues = pd.DataFrame(
        {
            "row": np.arange(n),
            "given_label": cls[given],
            "suggested_label": cls[suggested],
            "label_quality": quality,
            "is_issue": is_issue,
            "rank": rank,
        }
    ).sort_values("rank")
    issues.to_csv(out_dir / "issues.csv", index=False)
    np.save(out_dir / "probs.npy", probs)
    data["label"] = cls[given]
    data_path = data_dir / "data.csv"
    data.to_csv(data_path, index=False)
    feature_columns = [c for c in data.columns if c not in ("label", image_column)]
    per_class = [
        {"class": c, "n_given": int((given == i).sum()), "n_issues": int(is_issue[given == i].sum())}
        for i, c in enumerate(classes)
    ]
    summary = {
        "n_examples": n,
        "n_issues": int(is_issue.sum()),
        "noise_rate": float(is_issue.mean()),
        "classes": list(classes),
        "per_class": per_class,
        **_matrices(given, suggested, k),
        "settings": {
            "data": str(data_path),
            "label": "label",
            "probs": None,
            "filter_by": "prune_by_noise_rate",
            "rank_by": "self_confidence",
            "cv": 5,
            "model": "fake",
            "random_state": 0,
            "image_column": image_column,
            "feature_columns": feature_columns,
        },
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return out_dir


def write_aggregate(
    out_dir: Path, *, n_items: int = 40, n_annotators: int = 5, seed: int = 0, classes: list | None = None
) -> Path:
    """Write labels.csv, annotators.csv, annotators.json and summary.json of an aggregation run."""
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    classes = classes or ["neg", "pos", "neutral"]
    k = len(classes)
    probs = rng.dirichlet(np.ones(k) * 0.7, size=n_items)
    labels = pd.DataFrame(
        {
            "item": [f"item{i}" for i in range(n_items)],
            "label": np.array(classes, dtype=object)[probs.argmax(axis=1)],
            "confidence": probs.max(axis=1),
        }
    )
    for j, c in enumerate(classes):
        labels[f"prob_{c}"] = probs[:, j]
    labels["n_answers"] = rng.integers(2, 6, size=n_items)
    labels["agreement"] = rng.uniform(0.3, 1.0, size=n_items).round(3)
    labels.to_csv(out_dir / "labels.csv", index=False)
    names = [f"worker{i}" for i in range(n_annotators)]
    ann = pd.DataFrame(
        {
            "annotator": names,
            "answers": rng.integers(5, 40, size=n_annotators),
            "accuracy": rng.uniform(0.5, 1.0, size=n_annotators).round(3),
            "agreement": rng.uniform(0.4, 0.9, size=n_annotators).round(3),
        }
    )
    ann.to_csv(out_dir / "annotators.csv", index=False)
    conf = {name: rng.integers(0, 10, size=(k, k)).tolist() for name in names}
    (out_dir / "annotators.json").write_text(json.dumps({"classes": classes, "annotators": conf}), encoding="utf-8")
    (out_dir / "summary.json").write_text(
        json.dumps({"method": "DawidSkene", "n_items": n_items, "classes": classes}), encoding="utf-8"
    )
    return out_dir
