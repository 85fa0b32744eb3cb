"""Tests for grouping items by answer pattern (labelwise.aggregate._patterns)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import _patterns
from labelwise.aggregate._answers import encode_answers


def _random_table(rng, n_items=60, n_annotators=4, k=3, per_item=(1, 4)):
    rows = []
    for i in range(n_items):
        m = rng.integers(per_item[0], per_item[1] + 1)
        for _ in range(m):  # the same annotator may answer twice (duplicates kept)
            rows.append((f"it{i:03d}", f"ann{rng.integers(n_annotators)}", int(rng.integers(k))))
    table = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    return table.sample(frac=1.0, random_state=int(rng.integers(1000))).reset_index(drop=True)


class TestAnswerPatterns:
    @pytest.mark.parametrize("seed", range(5))
    def test_items_share_a_pattern_exactly_when_their_answer_multisets_are_equal(self, seed):
        """Two items get the same pattern iff they have the same multiset of (annotator, label) answers."""
        enc = encode_answers(_random_table(np.random.default_rng(seed)))
        pat = enc.patterns
        frame = pd.DataFrame({"i": enc.item_idx, "a": enc.annotator_idx, "l": enc.label_idx})
        multiset = frame.groupby("i").apply(lambda g: tuple(sorted(zip(g.a, g.l, strict=False))), include_groups=False)
        expected = pd.factorize(multiset.to_numpy())[0]
        assert pat.n_patterns == expected.max() + 1 < enc.n_items
        assert len(set(zip(expected, pat.item_pattern, strict=False))) == pat.n_patterns  # a bijection of the groups
        assert pat.weights.tolist() == np.bincount(pat.item_pattern).tolist()
        # each pattern's answers are those of an item that has it
        sub = pat.answers
        for p in range(pat.n_patterns):
            item = int(np.flatnonzero(pat.item_pattern == p)[0])
            mine = sorted(zip(sub.annotator_idx[sub.item_idx == p], sub.label_idx[sub.item_idx == p], strict=False))
            assert tuple(mine) == multiset.iloc[item]
        assert pat.answers_per_annotator.tolist() == enc.answers_per_annotator.tolist()

    def test_a_hash_collision_falls_back_to_one_pattern_per_item(self, monkeypatch):
        """If the row hash puts different answer sets together, the exact check keeps every item apart."""
        monkeypatch.setattr(_patterns, "_row_hash", lambda cols, indptr, n: np.zeros(len(indptr) - 1, np.uint64))
        enc = encode_answers(_random_table(np.random.default_rng(0)))
        assert enc.patterns.n_patterns == enc.n_items
        assert enc.patterns.item_pattern.tolist() == list(range(enc.n_items))

    @pytest.mark.parametrize("cls_name", ["DawidSkene", "OneCoinDawidSkene"])
    def test_em_over_patterns_equals_em_over_items(self, cls_name, monkeypatch):
        """Iterating over answer patterns gives the posteriors, labels and iterations of per-item EM."""
        import labelwise.aggregate as agg

        table = _random_table(np.random.default_rng(3), n_items=300, n_annotators=3, k=3, per_item=(1, 3))
        cls = getattr(agg, cls_name)
        grouped = cls().fit(table)
        assert encode_answers(table).patterns.n_patterns < grouped.n_items_ / 2  # compression did happen
        # distinct hashes per item: no two items share a pattern
        monkeypatch.setattr(_patterns, "_row_hash", lambda cols, indptr, n: np.arange(len(indptr) - 1, dtype=np.uint64))
        per_item = cls().fit(table)
        np.testing.assert_allclose(grouped.probas_.to_numpy(), per_item.probas_.to_numpy(), atol=1e-10)
        assert grouped.labels_.equals(per_item.labels_)
        assert grouped.n_iter_ == per_item.n_iter_
        np.testing.assert_allclose(grouped.loss_history_, per_item.loss_history_, rtol=1e-10)


def _unique_table(n_items=400, n_annotators=300, k=4, seed=0):
    """Many annotators, 3-5 answers per item: nearly every item has its own pattern."""
    rng = np.random.default_rng(seed)
    per = rng.integers(3, 6, n_items)
    item = np.repeat(np.arange(n_items), per)
    ann = rng.integers(0, n_annotators, len(item))
    truth = rng.integers(0, k, n_items)
    label = np.where(rng.random(len(item)) < 0.7, truth[item], rng.integers(0, k, len(item)))
    return pd.DataFrame({"item": item, "annotator": ann, "label": label}).sample(frac=1.0, random_state=seed)


class TestSkippingTheGrouping:
    def test_sharing_estimate_is_near_zero_for_distinct_patterns_and_large_for_shared_ones(self):
        """The sampled estimate tells tables whose items all differ from tables of a few patterns."""
        distinct = encode_answers(_unique_table())
        assert _patterns.estimated_sharing(distinct, 100) < _patterns.MIN_SHARING
        shared = encode_answers(_random_table(np.random.default_rng(1), n_items=400, n_annotators=2, k=2))
        exact = np.bincount(_patterns._grouped_patterns(shared).item_pattern)
        truth = (exact * (exact - 1.0)).sum() / shared.n_items
        est = _patterns.estimated_sharing(shared, 100)
        assert truth > 5 and 0.5 * truth < est < 2 * truth

    def test_large_tables_of_distinct_patterns_skip_the_grouping(self, monkeypatch):
        """Above the sample size, a table whose items have their own patterns is not grouped: one
        pattern per item, the identity mapping and unit weights."""
        monkeypatch.setattr(_patterns, "PATTERN_SAMPLE_ITEMS", 100)
        enc = encode_answers(_unique_table())
        pat = enc.patterns
        assert not pat.grouped and pat.answers is enc
        assert pat.item_pattern.tolist() == list(range(enc.n_items)) and pat.weights.tolist() == [1.0] * enc.n_items
        assert pat.answers_per_annotator.tolist() == enc.answers_per_annotator.tolist()
        shared = encode_answers(_random_table(np.random.default_rng(1), n_items=400, n_annotators=2, k=2))
        assert shared.patterns.grouped and shared.patterns.n_patterns < 100

    @pytest.mark.parametrize("cls_name", ["DawidSkene", "OneCoinDawidSkene"])
    def test_em_without_grouping_equals_em_with_it(self, cls_name, monkeypatch):
        """Skipping the grouping changes nothing but the cost: same labels, posteriors (1e-10),
        iterations and losses as grouped EM, whatever the row order."""
        import labelwise.aggregate as agg

        table = _unique_table(seed=2)
        cls = getattr(agg, cls_name)
        grouped = cls().fit(table)
        monkeypatch.setattr(_patterns, "PATTERN_SAMPLE_ITEMS", 100)
        assert not encode_answers(table).patterns.grouped
        for frame in (table, table.sample(frac=1.0, random_state=5)):
            skipped = cls().fit(frame)
            np.testing.assert_allclose(skipped.probas_.to_numpy(), grouped.probas_.to_numpy(), rtol=0, atol=1e-10)
            assert skipped.labels_.equals(grouped.labels_)
            assert skipped.n_iter_ == grouped.n_iter_
            np.testing.assert_allclose(skipped.loss_history_, grouped.loss_history_, rtol=1e-10)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_items=st.integers(3, 60),
    n_annotators=st.integers(1, 30),
    k=st.integers(2, 4),
    sample=st.integers(2, 40),
)
def test_skipping_or_grouping_never_changes_dawid_skene(seed, n_items, n_annotators, k, sample):
    """For any table and any sample size (so the grouping is skipped or done at random), in any row
    order, DawidSkene gives the labels and posteriors (1e-9) of the always-grouped fit."""
    from labelwise.aggregate import DawidSkene

    table = _random_table(np.random.default_rng(seed), n_items=n_items, n_annotators=n_annotators, k=k)
    reference = DawidSkene(max_iter=20).fit(table)
    old = _patterns.PATTERN_SAMPLE_ITEMS
    try:
        _patterns.PATTERN_SAMPLE_ITEMS = sample
        shuffled = table.sample(frac=1.0, random_state=seed)
        fitted = DawidSkene(max_iter=20).fit(shuffled)
    finally:
        _patterns.PATTERN_SAMPLE_ITEMS = old
    assert fitted.labels_.equals(reference.labels_)
    np.testing.assert_allclose(fitted.probas_.to_numpy(), reference.probas_.to_numpy(), rtol=0, atol=1e-9)
    assert fitted.n_iter_ == reference.n_iter_


@pytest.mark.slow
@pytest.mark.parametrize("name", ["CF", "MS", "SP_amt", "ZenCrowd_us", "cifar10n_slots", "smem_rte"])
def test_skipping_the_grouping_changes_nothing_on_real_crowds(shared_data, name, monkeypatch):
    """On real crowd sets, EM with the grouping decided on a 100-item sample (skipped on the sets
    whose items have their own patterns) gives the default fit's labels and posteriors (1e-9)."""
    from labelwise.aggregate import DawidSkene, OneCoinDawidSkene
    from tests.aggregate._crowd import load_crowd

    answers, _ = load_crowd(shared_data, name)
    for cls in (DawidSkene, OneCoinDawidSkene):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            default = cls().fit(answers)
            monkeypatch.setattr(_patterns, "PATTERN_SAMPLE_ITEMS", 100)
            sampled = cls().fit(answers)
            monkeypatch.undo()
        assert sampled.labels_.equals(default.labels_)
        np.testing.assert_allclose(sampled.probas_.to_numpy(), default.probas_.to_numpy(), rtol=0, atol=1e-9)
