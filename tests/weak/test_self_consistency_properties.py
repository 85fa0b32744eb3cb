"""Properties of ``weak.self_consistency``: the answers' row order changes nothing, bit for bit (ties
included); the same ``random_state`` gives the same votes; the label is a most frequent answer,
with its share as confidence; renaming answers and items (bijections, untied items) renames the
result; int32 and int64 answers agree; an answer without an item is refused naming ``item_col``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseError
from labelwise.weak import self_consistency

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def answer_tables(draw):
    """Repeated answers (0..K-1, some missing) of up to 8 samples for up to 15 items, ties common."""
    n_items = draw(st.integers(1, 15))
    k = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows = []
    for item in range(n_items):
        for sample in range(int(rng.integers(1, 9))):
            rows.append((item, sample, int(rng.integers(0, k))))
    table = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    if draw(st.booleans()):
        table["label"] = table["label"].astype(float)
        table.loc[rng.random(len(table)) < 0.1, "label"] = np.nan
        if table["label"].isna().all():
            table.loc[0, "label"] = 0.0
    return table, rng


class TestSelfConsistency:
    @SETTINGS
    @given(case=answer_tables(), seed=st.integers(0, 1000))
    def test_row_order_changes_nothing_and_a_rerun_is_identical(self, case, seed):
        """Any order of the answer rows gives the same frame, bit for bit, for the same ``random_state``."""
        table, rng = case
        ref = self_consistency(table, random_state=seed)
        pd.testing.assert_frame_equal(self_consistency(table, random_state=seed), ref)
        shuffled = table.iloc[rng.permutation(len(table))].reset_index(drop=True)
        pd.testing.assert_frame_equal(self_consistency(shuffled, random_state=seed), ref)

    @SETTINGS
    @given(case=answer_tables(), seed=st.integers(0, 1000))
    def test_the_label_is_a_most_frequent_answer_with_its_share(self, case, seed):
        """label: one of the most frequent answers; confidence: its count over the item's answers."""
        table, _ = case
        got = self_consistency(table, random_state=seed)
        kept = table.dropna(subset=["label"])
        assert list(got.index) == sorted(kept["item"].unique())
        for item, row in got.iterrows():
            answers = kept.loc[kept["item"] == item, "label"].value_counts()
            assert answers[row["label"]] == answers.max()
            assert row["confidence"] == answers.max() / answers.sum()
            assert (row["n_samples"], row["n_distinct"]) == (answers.sum(), len(answers))

    @SETTINGS
    @given(case=answer_tables(), seed=st.integers(0, 1000), dtype=st.sampled_from(["int32", "int64", "words"]))
    def test_renamed_answers_and_items_rename_untied_results(self, case, seed, dtype):
        """Answers as int32 or as words (in another sorted order) and items as texts: the same votes
        on every item without a tie, renamed; confidences and counts on every item."""
        table, _ = case
        table = table.dropna(subset=["label"]).astype({"label": "int64"})
        ref = self_consistency(table, random_state=seed)
        words = np.array(["zz", "b", "yy", "a"], dtype=object)
        renamed = table.copy()
        renamed["item"] = "it" + (100 - table["item"]).astype(str)
        renamed["label"] = words[table["label"]] if dtype == "words" else table["label"].astype(dtype)
        got = self_consistency(renamed, random_state=seed)
        got.index = 100 - got.index.str[2:].astype(int)
        got = got.loc[ref.index]
        np.testing.assert_array_equal(got["confidence"], ref["confidence"])
        np.testing.assert_array_equal(got["n_samples"], ref["n_samples"])
        np.testing.assert_array_equal(got["n_distinct"], ref["n_distinct"])
        counts = table.groupby(["item", "label"]).size()
        untied = counts.groupby(level=0).apply(lambda c: (c == c.max()).sum() == 1).to_numpy()
        want = ref["label"].to_numpy()
        want = words[want] if dtype == "words" else want
        assert list(got["label"].to_numpy()[untied]) == list(want[untied])

    @SETTINGS
    @given(case=answer_tables(), missing=st.sampled_from([None, np.nan, pd.NA]))
    def test_an_answer_without_an_item_is_refused(self, case, missing):
        """A missing item id raises a labelwise error naming ``item_col`` (it was dropped silently)."""
        table, rng = case
        table = table.astype({"item": object})
        table.iloc[int(rng.integers(0, len(table))), 0] = missing
        with pytest.raises(LabelwiseError, match="item_col='item'"):
            self_consistency(table)
