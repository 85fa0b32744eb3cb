"""Properties of ``semi.SelfTrainer`` with a deterministic base model (GaussianNB) on continuous
features: permuting the rows permutes ``transduction_`` and ``labeled_iter_`` (for the rules that take
a number of rows, up to their documented tie-break by position); labels as int8, int32 or texts
(``None`` unlabeled) give the same pseudo-labels; a refit is identical."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import GaussianNB

from labelwise.semi import SelfTrainer

SETTINGS = settings(max_examples=20, deadline=None)
SELECTIONS = st.sampled_from(["threshold", "k_best", "class_balanced", "curriculum", "adaptive"])
NAMES = np.array(["zeta", "alpha", "mu"], dtype=object)


@st.composite
def semi_data(draw):
    """2-3 classes, 40-200 rows, 30-80% unlabeled (-1), every class labeled at least twice."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(40, 200))
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=n) > 0).astype(np.int64)
    if draw(st.booleans()):
        y += X[:, 1] > 1
    labeled = rng.random(n) >= draw(st.sampled_from([0.3, 0.6, 0.8]))
    for c in np.unique(y):
        labeled[np.flatnonzero(y == c)[:2]] = True
    return X, np.where(labeled, y, -1), rng


def _fit(selection: str, X, y) -> SelfTrainer:
    kw = {"threshold": 0.8} if selection == "threshold" else {}
    return SelfTrainer(GaussianNB(), selection=selection, **kw).fit(X, y)


class TestSelfTrainer:
    @SETTINGS
    @given(data=semi_data(), selection=SELECTIONS)
    def test_permuting_rows_permutes_the_pseudo_labels(self, data, selection):
        """Rows in any order: the same pseudo-labels, chosen in the same iterations; a refit is identical."""
        X, y, rng = data
        ref = _fit(selection, X, y)
        again = _fit(selection, X, y)
        np.testing.assert_array_equal(again.transduction_, ref.transduction_)
        np.testing.assert_array_equal(again.labeled_iter_, ref.labeled_iter_)
        perm = rng.permutation(len(y))
        got = _fit(selection, X[perm], y[perm])
        want_t, want_i = ref.transduction_[perm], ref.labeled_iter_[perm]
        if selection == "threshold":  # admits every row above the threshold: no tie is broken
            np.testing.assert_array_equal(got.transduction_, want_t)
            np.testing.assert_array_equal(got.labeled_iter_, want_i)
            return

        # The other rules take a number of rows and break ties by position (documented), e.g. among
        # rows whose probability saturates at 1: the same number of each class in each iteration,
        # and the same pseudo-label wherever a row was admitted in the same iteration.
        def per_iteration(t, i):
            return sorted(zip(i.tolist(), t.tolist(), strict=True))

        assert per_iteration(got.transduction_, got.labeled_iter_) == per_iteration(want_t, want_i)
        same = got.labeled_iter_ == want_i
        np.testing.assert_array_equal(got.transduction_[same], want_t[same])

    @SETTINGS
    @given(data=semi_data(), selection=SELECTIONS, kind=st.sampled_from(["int8", "int32", "names"]))
    def test_label_and_feature_dtypes_give_the_same_pseudo_labels(self, data, selection, kind):
        """int8/int32 labels or texts with None for unlabeled: the int64 run's pseudo-labels (renamed for
        texts). (float32 features are left out: GaussianNB itself computes in float32 then.)"""
        X, y, _ = data
        ref = _fit(selection, X, y)
        if kind == "names":
            texts = np.where(y >= 0, NAMES[np.clip(y, 0, 2)], None)
            got = _fit(selection, X, texts)
            want = np.where(ref.transduction_ >= 0, NAMES[np.clip(ref.transduction_, 0, 2)], None)
            assert list(got.transduction_) == list(want)
        else:
            got = _fit(selection, X, y.astype(kind))
            np.testing.assert_array_equal(got.transduction_, ref.transduction_)
        np.testing.assert_array_equal(got.labeled_iter_, ref.labeled_iter_)
