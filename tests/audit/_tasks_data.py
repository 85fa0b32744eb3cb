"""Simulated inputs shared by the tests of the label-shape audits."""

from __future__ import annotations

import numpy as np

from labelwise.noise import flip_tags


def multilabel_case(n: int = 600, k: int = 5, seed: int = 0, drop: float = 0.15, add: float = 0.02):
    """True tags, noisy tags and per-tag probabilities from a model that is right most of the time."""
    rng = np.random.default_rng(seed)
    truth = rng.random((n, k)) < rng.uniform(0.15, 0.5, k)
    noisy = flip_tags(truth, drop_rate=drop, add_rate=add, random_state=seed + 1000)
    logits = np.where(truth, 2.0, -2.0) + rng.normal(0, 1.2, (n, k))
    probs = 1.0 / (1.0 + np.exp(-logits))
    return truth, noisy, probs


TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]


def token_case(n_sentences: int = 400, seed: int = 0, within: float = 0.05, between: float = 0.08):
    """Per-sentence IOB tags (true and noisy) and per-token probabilities near the truth."""
    from labelwise.noise import flip_token_tags

    rng = np.random.default_rng(seed)
    sentences = []
    for _ in range(n_sentences):
        length = int(rng.integers(3, 15))
        tags = np.array(["O"] * length, dtype=object)
        for start in np.flatnonzero(rng.random(length) < 0.15):
            kind = ["PER", "LOC", "ORG"][int(rng.integers(3))]
            tags[start] = "B-" + kind
            if start + 1 < length and rng.random() < 0.5:
                tags[start + 1] = "I-" + kind
        sentences.append(tags)
    noisy = flip_token_tags(sentences, within_rate=within, between_rate=between, random_state=seed + 1000)
    index = {t: i for i, t in enumerate(TAGS)}
    probs = []
    for tags in sentences:
        logits = rng.normal(0, 1.0, (len(tags), len(TAGS)))
        logits[np.arange(len(tags)), [index[t] for t in tags]] += 3.5
        e = np.exp(logits)
        probs.append(e / e.sum(axis=1, keepdims=True))
    return noisy, probs


def segmentation_case(n: int = 6, k: int = 3, size: int = 32, seed: int = 0, rate: float = 0.08):
    """Masks of rectangles, spatially correlated noise, and probabilities near the truth."""
    from labelwise.noise import corrupt_masks

    rng = np.random.default_rng(seed)
    masks = np.zeros((n, size, size), dtype=np.int64)
    for i in range(n):
        for cls in range(1, k):
            top, left = rng.integers(0, size // 2, 2)
            h, w = rng.integers(size // 6, size // 2, 2)
            masks[i, top : top + h, left : left + w] = cls
    noisy = corrupt_masks(masks, rate=rate, rho=0.9, n_classes=k, random_state=seed + 1000)
    logits = rng.normal(0, 1.0, (n, k, size, size))
    np.put_along_axis(logits, masks[:, None], np.take_along_axis(logits, masks[:, None], 1) + 3.0, axis=1)
    e = np.exp(logits)
    return noisy, e / e.sum(axis=1, keepdims=True)


def detection_case(n_images: int = 200, k: int = 3, seed: int = 0):
    """True boxes, noisy boxes (jitter/drop/swap) and predictions close to the truth."""
    from labelwise.noise import corrupt_boxes

    rng = np.random.default_rng(seed)
    truth, preds = [], []
    for _ in range(n_images):
        m = int(rng.integers(1, 5))
        xy = rng.uniform(0, 200, (m, 2))
        wh = rng.uniform(20, 60, (m, 2))
        boxes = np.hstack([xy, xy + wh])
        cls = rng.integers(0, k, m)
        truth.append({"boxes": boxes, "labels": cls})
        pb = boxes + rng.normal(0, 2, boxes.shape)
        pb[:, 2:] = np.maximum(pb[:, 2:], pb[:, :2] + 1)
        ps = rng.uniform(0.75, 0.99, m)
        # a few spurious low-confidence predictions
        extra = rng.uniform(0, 200, (1, 2))
        pb = np.vstack([pb, np.hstack([extra, extra + 30])])
        preds.append({"boxes": pb, "labels": np.append(cls, rng.integers(0, k)), "scores": np.append(ps, 0.2)})
    noisy = corrupt_boxes(truth, random_state=seed + 1000, n_classes=k)
    return truth, noisy, preds
