"""Properties of MultiLabelAggregator: the answers' row order, the order of tags within a set and
any renaming of items, annotators or tags change nothing but the names; a refit is identical."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MultiLabelAggregator

METHODS = st.sampled_from(["majority-vote", "dawid-skene", "wawa", "one-coin"])


@st.composite
def crowds(draw):
    """Answer tables of up to 20 items, 6 annotators and 5 tags (tag sets as lists, possibly empty)."""
    n_items, n_ann, n_tags = draw(st.integers(1, 20)), draw(st.integers(1, 6)), draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = int(rng.integers(1, 80))
    item, ann = rng.integers(0, n_items, n), rng.integers(0, n_ann, n)
    chosen = rng.random((n, n_tags)) < rng.uniform(0.1, 0.7)
    chosen[0, 0] = True  # at least one tag somewhere
    tags = [[f"t{j}" for j in np.flatnonzero(row)] for row in chosen]
    return pd.DataFrame({"item": [f"i{v}" for v in item], "annotator": [f"a{v}" for v in ann], "tags": tags})


def _fit(table: pd.DataFrame, method: str) -> MultiLabelAggregator:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MultiLabelAggregator(method).fit(table)


def _assert_same(a: MultiLabelAggregator, b: MultiLabelAggregator) -> None:
    pd.testing.assert_frame_equal(a.probas_, b.probas_, atol=1e-9, rtol=0)
    pd.testing.assert_frame_equal(a.annotator_skill_, b.annotator_skill_, atol=1e-9, rtol=0)
    clear = ~(np.abs(a.probas_.to_numpy() - 0.5) < 1e-6).any(axis=1)
    assert (a.labels_[clear] == b.labels_[clear]).all()


class TestMultiLabelProperties:
    @settings(max_examples=30, deadline=None)
    @given(table=crowds(), method=METHODS, seed=st.integers(0, 2**16))
    def test_row_order_changes_nothing(self, table, method, seed):
        """Shuffling the answers gives the same probabilities, skills and tag sets."""
        shuffled = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        _assert_same(_fit(table, method), _fit(shuffled, method))

    @settings(max_examples=30, deadline=None)
    @given(table=crowds(), method=METHODS, seed=st.integers(0, 2**16))
    def test_tag_order_within_a_set_changes_nothing(self, table, method, seed):
        """A set's tags in any order (and as a tuple, a set or a separated string) read the same."""
        rng = np.random.default_rng(seed)
        forms = [list, tuple, set, "|".join]
        cells = [forms[int(rng.integers(4))](list(rng.permutation(t)) if t else []) for t in table["tags"]]
        _assert_same(_fit(table, method), _fit(table.assign(tags=cells), method))

    @settings(max_examples=30, deadline=None)
    @given(table=crowds(), method=METHODS)
    def test_renaming_items_annotators_and_tags_renames_the_result(self, table, method):
        """Order-preserving renames (items to ints, annotators and tags to other strings) only rename
        (the order matters where a method breaks a tie at random: the draws go to the sorted items)."""
        codes = {name: 7 * rank for rank, name in enumerate(sorted(table["item"].unique()))}
        renamed = table.assign(
            item=table["item"].map(codes),
            annotator="w" + table["annotator"],
            tags=table["tags"].map(lambda ts: [t.replace("t", "tag-") for t in ts]),
        )
        a, b = _fit(table, method), _fit(renamed, method)
        back = {code: name for name, code in codes.items()}
        np.testing.assert_allclose(a.probas_.to_numpy(), _by_item_int(b.probas_, back).to_numpy(), atol=1e-9)
        assert list(b.tags_) == [t.replace("t", "tag-") for t in a.tags_]
        mapped = a.labels_.map(lambda ts: tuple(t.replace("t", "tag-") for t in ts))
        clear = ~(np.abs(a.probas_.to_numpy() - 0.5) < 1e-6).any(axis=1)
        assert (mapped[clear].to_numpy() == _by_item_int(b.labels_, back)[clear].to_numpy()).all()

    @settings(max_examples=15, deadline=None)
    @given(table=crowds(), method=METHODS)
    def test_refit_is_identical(self, table, method):
        """Two fits of the same estimator on the same table give the same labels bit for bit."""
        a, b = _fit(table, method), _fit(table, method)
        pd.testing.assert_frame_equal(a.probas_, b.probas_, check_exact=True)
        pd.testing.assert_series_equal(a.labels_, b.labels_)


def _by_item_int(obj, back):
    """Results indexed by the renamed int items, back under the original string items, sorted."""
    names = pd.Index([back[v] for v in obj.index])
    out = obj.copy()
    out.index = names
    return out.sort_index()
