"""The label model's missing-abstain fit falls back to majority vote, with a warning, when it relabels a class."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import LabelwiseWarning


def keyword_rules(seed: int = 0, n: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """One-class keyword rules sharing triggers (a link, a short text, money words) present in both classes."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.35).astype(int)  # 1: spam
    link = rng.random(n) < np.where(y == 1, 0.7, 0.3)
    short = rng.random(n) < np.where(y == 1, 0.2, 0.6)
    money = rng.random(n) < np.where(y == 1, 0.5, 0.1)
    copy = link & (rng.random(n) > 0.02)
    rare_spam = rng.random(n) < np.where(y == 1, 0.05, 0.003)
    rare_ham = rng.random(n) < np.where(y == 0, 0.05, 0.003)
    fires = [(link, 1), (copy, 1), (short, 0), (money, 1), (rare_spam, 1), (rare_ham, 0)]
    return np.stack([np.where(on, c, -1) for on, c in fires], axis=1), y


def shared_trigger_rules(seed: int, k: int) -> np.ndarray:
    """``benchmarks/dev_weak_shared_triggers.py``'s sets: rules firing on class-dependent features, copies, class rules."""
    rng = np.random.default_rng([48, seed, k])
    n = int(rng.choice([3000, 6000, 12000]))
    minority = rng.uniform(0.2, 0.5)
    shares = np.r_[minority, np.full(k - 1, (1 - minority) / (k - 1))][rng.permutation(k)]
    y = rng.choice(k, size=n, p=shares)
    n_feat = int(rng.integers(3, 6))
    high = rng.integers(0, k, size=n_feat)
    rate = rng.uniform(0.05, 0.35, size=(n_feat, k))
    rate[np.arange(n_feat), high] = rng.uniform(0.45, 0.85, size=n_feat)
    feats = rng.random((n, n_feat)) < rate[:, y].T
    cols = []
    for f in range(n_feat):
        for _ in range(int(rng.integers(1, 3))):
            fire, spurious = rng.uniform(0.7, 0.98), rng.uniform(0.0, 0.03)
            on = np.where(feats[:, f], rng.random(n) < fire, rng.random(n) < spurious)
            cols.append(np.where(on, high[f], -1))
            if rng.random() < 0.4:
                flip = rng.random(n) < 0.02
                cols.append(np.where(flip, np.where(on, -1, high[f]), cols[-1]))
    for c in range(k):
        for _ in range(int(rng.integers(1, 3))):
            cov = rng.uniform(0.02, 0.08)
            cols.append(np.where(rng.random(n) < np.where(y == c, cov, cov * 0.1), c, -1))
    return np.stack(cols, axis=1)


def strict_majority(matrix: np.ndarray) -> np.ndarray:
    """Each item's strict majority class (-1: a tie or no vote)."""
    counts = np.stack([(matrix == c).sum(axis=1) for c in range(int(matrix.max()) + 1)], axis=1)
    top = counts == counts.max(axis=1, keepdims=True)
    return np.where(top.sum(axis=1) == 1, counts.argmax(axis=1), -1)


def fit_missing(matrix: np.ndarray, **params) -> tuple[weak.LabelModel, list[warnings.WarningMessage]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = weak.LabelModel(abstains="missing", **params).fit(matrix)
    return model, [w for w in caught if issubclass(w.category, LabelwiseWarning)]


def test_missing_abstains_on_one_class_rules_warn_and_fall_back_to_majority_vote() -> None:
    matrix, _ = keyword_rules()
    model, caught = fit_missing(matrix)
    assert any("relabelled" in str(w.message) and "majority vote" in str(w.message) for w in caught)
    strict = strict_majority(matrix)
    labels = model.labels_.to_numpy(dtype=int)
    assert np.array_equal(labels[strict >= 0], strict[strict >= 0])
    assert np.allclose(model.class_balance_, 0.5)  # no class absorbs the other


def test_auto_that_keeps_missing_abstains_on_shared_trigger_rules_falls_back_too() -> None:
    matrix = shared_trigger_rules(206, 3)  # a set where "auto" keeps missing abstains
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = weak.LabelModel().fit(matrix)
    assert model.abstains_ == "missing"
    assert any("relabelled" in str(w.message) for w in caught)
    strict = strict_majority(matrix)
    assert np.array_equal(model.labels_.to_numpy(dtype=int)[strict >= 0], strict[strict >= 0])


def test_missing_fallback_predicts_its_own_labels() -> None:
    matrix, _ = keyword_rules(seed=1)
    model, _ = fit_missing(matrix)
    assert np.array_equal(model.predict(matrix).to_numpy(), model.labels_.to_numpy())


def test_missing_fallback_does_not_depend_on_class_names() -> None:
    matrix, _ = keyword_rules(seed=2)
    names = np.array(["spam", "ham"])  # class 0 -> "spam": the sorted order of the names is reversed
    table = [(i, j, names[v]) for i, row in enumerate(matrix) for j, v in enumerate(row) if v >= 0]
    frame = pd.DataFrame(table, columns=["item", "labeler", "label"])
    coded, _ = fit_missing(matrix)
    named, caught = fit_missing(frame)
    assert any("relabelled" in str(w.message) for w in caught)
    got = named.labels_.reindex(range(len(matrix)))
    keep = strict_majority(matrix) >= 0
    assert (got.to_numpy()[keep] == names[coded.labels_.to_numpy(dtype=int)[keep]]).all()


def test_missing_fallback_keeps_a_fixed_class_balance() -> None:
    matrix, _ = keyword_rules(seed=3)
    model, caught = fit_missing(matrix, class_balance=[0.6, 0.4])
    assert any("relabelled" in str(w.message) for w in caught)
    assert np.allclose(model.class_balance_, [0.6, 0.4])


def test_missing_fit_that_keeps_the_classes_is_not_replaced() -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 600)
    matrix = np.where(rng.random((600, 5)) < 0.8, y[:, None], 1 - y[:, None])  # five workers answering every item
    model, caught = fit_missing(matrix)
    assert not any("relabelled" in str(w.message) for w in caught)
    assert not np.allclose(model.class_balance_, 0.5)


@pytest.mark.parametrize("seed", [0, 1])
def test_missing_fallback_is_deterministic(seed: int) -> None:
    matrix, _ = keyword_rules(seed=seed)
    first, _ = fit_missing(matrix)
    again, _ = fit_missing(matrix)
    assert np.array_equal(first.probas_.to_numpy(), again.probas_.to_numpy())


def test_one_class_vote_share_counts_the_votes_of_functions_that_vote_one_class() -> None:
    from labelwise.weak._missing_guard import one_class_vote_share

    matrix = np.array([[0, 1, -1], [0, 0, 1], [-1, 1, 1], [0, -1, -1]])  # column 0 and 2 vote one class each
    assert one_class_vote_share(weak.as_votes(matrix)) == pytest.approx(5 / 8)
    assert one_class_vote_share(weak.as_votes(np.array([[0, 1], [1, 0]]))) == 0.0
