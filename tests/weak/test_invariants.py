"""Invariants of the weak-supervision entry points not covered elsewhere: the Dawid-Skene label
model, self-consistency and the labeling-function analysis under row permutation, class renaming
and repeated fits."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import LabelwiseWarning
from labelwise.weak import DawidSkeneLabelModel, analysis, self_consistency, simulate_lfs

SETTINGS = settings(max_examples=10, deadline=None)


def _long(seed: int, n_items: int, k: int) -> pd.DataFrame:
    """A long vote table (item, labeler, label) of simulated labeling functions, ints as classes."""
    return simulate_lfs(n_items, 4, k, coverage=(0.4, 0.9), random_state=seed).votes.answers


def _fit(table: pd.DataFrame, labels) -> DawidSkeneLabelModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a relabelling fallback warns; it is part of the fit
        return DawidSkeneLabelModel(labels=labels, random_state=0).fit(table)


class TestDawidSkeneLabelModel:
    @SETTINGS
    @given(seed=st.integers(0, 1000), n=st.integers(20, 80), k=st.integers(2, 3))
    def test_permuting_rows_keeps_the_fit_and_a_refit_is_identical(self, seed, n, k):
        """Shuffling the rows of the vote table gives the same labels and posteriors per item (to
        1e-9), and fitting the same table twice gives bit-identical output."""
        table = _long(seed, n, k)
        a = _fit(table, list(range(k)))
        again = _fit(table, list(range(k)))
        pd.testing.assert_frame_equal(a.probas_, again.probas_, check_exact=True)
        b = _fit(table.sample(frac=1.0, random_state=seed).reset_index(drop=True), list(range(k)))
        pd.testing.assert_series_equal(a.labels_.sort_index(), b.labels_.sort_index())
        pd.testing.assert_frame_equal(a.probas_.sort_index(), b.probas_.sort_index(), atol=1e-9, rtol=0)

    @SETTINGS
    @given(seed=st.integers(0, 1000), n=st.integers(20, 80), k=st.integers(2, 3))
    def test_string_classes_rename_the_labels(self, seed, n, k):
        """Classes renamed to strings, listed in ``labels`` in the integers' order, rename the
        labels and leave the posteriors unchanged."""
        table = _long(seed, n, k)
        names = np.array(["zz", "aa", "mm"][:k], dtype=object)
        a = _fit(table, list(range(k)))
        b = _fit(table.assign(label=names[table["label"].to_numpy()]), list(names))
        assert b.labels_.tolist() == list(names[a.labels_.to_numpy(dtype=np.int64)])
        np.testing.assert_allclose(b.probas_.to_numpy(), a.probas_.to_numpy(), atol=1e-12, rtol=0)


samples = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 4), st.sampled_from(["A", "B", "C"])), min_size=1, max_size=40
)


class TestSelfConsistency:
    @settings(max_examples=40, deadline=None)
    @given(rows=samples, seed=st.integers(0, 1000))
    def test_row_order_changes_nothing_and_renaming_renames_untied_answers(self, rows, seed):
        """Permuting the sample rows gives the identical table (ties included: the tie-break is
        drawn per sorted (item, answer)). Renaming the answers by a bijection renames the majority
        answer of every untied item and keeps ``confidence``, ``n_samples`` and ``n_distinct``;
        a tied item gets one of its renamed tied answers (the draw follows the sorted names)."""
        table = pd.DataFrame(rows, columns=["item", "annotator", "label"])
        out = self_consistency(table, random_state=seed)
        shuffled = table.sample(frac=1.0, random_state=seed)
        pd.testing.assert_frame_equal(self_consistency(shuffled, random_state=seed), out)
        rename = {"A": "b", "B": "c", "C": "a"}
        renamed = self_consistency(table.assign(label=table["label"].map(rename)), random_state=seed)
        pd.testing.assert_frame_equal(renamed.drop(columns="label"), out.drop(columns="label"))
        counts = table.groupby(["item", "label"]).size()
        for item, row in out.iterrows():
            tied = counts[item][counts[item] == counts[item].max()].index
            if len(tied) == 1:
                assert renamed.loc[item, "label"] == rename[row["label"]]
            else:
                assert renamed.loc[item, "label"] in {rename[t] for t in tied}


class TestAnalysis:
    @SETTINGS
    @given(seed=st.integers(0, 1000), n=st.integers(10, 60), k=st.integers(2, 3))
    def test_renaming_and_permuting_items_keep_every_statistic(self, seed, n, k):
        """Renaming the classes to strings (votes and gold together) changes only the polarity's
        names, and permuting the rows (votes and gold together) changes no labeler's row (the rows
        come in the labelers' order of first appearance)."""
        sim = simulate_lfs(n, 4, k, coverage=(0.3, 0.9), random_state=seed)
        table, gold = sim.votes.answers, sim.truth
        with warnings.catch_warnings():  # a gold class that no labeler voted is named in a warning
            warnings.simplefilter("ignore", LabelwiseWarning)
            a = analysis(table, gold)
            names = np.array(["zz", "aa", "mm"][:k], dtype=object)
            b = analysis(table.assign(label=names[table["label"].to_numpy()]), gold.map(dict(enumerate(names))))
            shuffled = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
            moved = analysis(shuffled, gold.sample(frac=1.0, random_state=seed))
        pd.testing.assert_frame_equal(a.drop(columns="polarity"), b.drop(columns="polarity"))
        assert [sorted(names[list(p)]) for p in a["polarity"]] == [sorted(p) for p in b["polarity"]]
        pd.testing.assert_frame_equal(moved.loc[a.index], a)
