"""Properties of BWA (``labelwise.aggregate.BWA``, ``--method bwa``): the answers' row order changes
nothing (bit for bit: one canonical order of the answers), any renaming of items, annotators or
classes (ints as strings included, in any sorted order) renames the result, the posteriors are
distributions whose argmax is the label, and a refit is identical."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import BWA
from labelwise.aggregate._base import TIE_RTOL
from tests.aggregate._crowd import skill_crowd
from tests.aggregate.test_bwa import _loop_bwa


@st.composite
def crowds(draw):
    """Answer tables of up to 25 items, 7 annotators, 5 classes; repeated answers of a pair kept."""
    n_items, n_ann, k = draw(st.integers(1, 25)), draw(st.integers(1, 7)), draw(st.integers(2, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    return skill_crowd(seed, n_items, n_ann, k, draw(st.integers(1, 160)))


def _fit(table: pd.DataFrame, **kw) -> BWA:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "did not converge": the properties hold at max_iter too
        return BWA(**kw).fit(table)


def _untied(probas: np.ndarray) -> np.ndarray:
    top = np.sort(probas, axis=1)
    if top.shape[1] == 1:
        return np.ones(len(top), dtype=bool)
    return top[:, -1] - top[:, -2] > 1e-9


OPTIONS = st.fixed_dictionaries(
    {
        "prior_shape": st.sampled_from([15.0, 0.5, 200.0]),
        "item_prior_strength": st.sampled_from([1.0, 0.0, 7.5]),
        "prior_correction": st.booleans(),
        "max_iter": st.sampled_from([500, 3]),
        "tol": st.sampled_from([1e-3, 1e-9]),
    }
)


class TestBWAProperties:
    @settings(max_examples=30, deadline=None)
    @given(table=crowds(), options=OPTIONS, seed=st.integers(0, 2**16))
    def test_the_answers_row_order_changes_nothing_bit_for_bit(self, table, options, seed):
        """Every fitted attribute is the same array for any order of the answers."""
        a = _fit(table, **options)
        b = _fit(table.sample(frac=1.0, random_state=seed).reset_index(drop=True), **options)
        for name in ("probas_", "scores_", "precision_"):
            pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
        for name in ("labels_", "class_mean_", "annotator_skill_"):
            pd.testing.assert_series_equal(getattr(a, name), getattr(b, name), check_exact=True)
        assert (a.n_iter_, a.converged_) == (b.n_iter_, b.converged_)

    @settings(max_examples=30, deadline=None)
    @given(table=crowds(), options=OPTIONS, data=st.data())
    def test_renaming_items_annotators_and_classes_renames_the_result(self, table, options, data):
        """Bijections onto names of another type and sorted order: items and annotators to strings,
        classes from ints to words (or words to ints); the posteriors agree to rounding, the untied
        labels exactly, the skills of annotators too."""
        items, anns = np.unique(table.item), np.unique(table.annotator)
        classes = np.unique(table.label)
        item_to = dict(zip(items, data.draw(st.permutations([f"i{j}" for j in range(items.size)])), strict=True))
        ann_to = dict(zip(anns, data.draw(st.permutations([f"a{j}" for j in range(anns.size)])), strict=True))
        words = data.draw(st.permutations(["ant", "bee", "cat", "dog", "eel"][: classes.size]))
        class_to = dict(zip(classes, words, strict=True))
        renamed = pd.DataFrame(
            {
                "item": table.item.map(item_to),
                "annotator": table.annotator.map(ann_to),
                "label": table.label.map(class_to),
            }
        )
        a, b = _fit(table, **options), _fit(renamed, **options)
        back = a.probas_.rename(index=item_to, columns=class_to)
        back = back.loc[b.probas_.index, b.probas_.columns]
        np.testing.assert_allclose(b.probas_.to_numpy(), back.to_numpy(), rtol=1e-9, atol=1e-12)
        scores = a.scores_.rename(index=item_to, columns=class_to).loc[b.scores_.index, b.scores_.columns]
        np.testing.assert_allclose(b.scores_.to_numpy(), scores.to_numpy(), rtol=1e-9, atol=1e-12)
        untied = _untied(back.to_numpy())
        labels = a.labels_.rename(index=item_to).map(class_to).loc[b.labels_.index]
        assert (labels[untied] == b.labels_[untied]).all()
        if untied.all():
            skill = a.annotator_skill_.rename(index=ann_to).loc[b.annotator_skill_.index]
            np.testing.assert_array_equal(b.annotator_skill_.to_numpy(), skill.to_numpy())

    @settings(max_examples=30, deadline=None)
    @given(table=crowds(), options=OPTIONS, state=st.integers(0, 99))
    def test_probas_are_distributions_whose_largest_is_the_label_and_a_refit_is_identical(self, table, options, state):
        """Rows in [0, 1] summing to 1; the label is a column of the row's largest probability; the
        scores are weighted averages of 0/1 answers and the class mean, so in [0, 1] (a three-way tie
        that rounding splits by an ulp is a tie, ``TIE_RTOL``); a second fit
        with the same ``random_state`` gives the same arrays."""
        a = _fit(table, random_state=state, **options)
        p = a.probas_.to_numpy()
        assert ((p >= 0) & (p <= 1)).all()
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
        z = a.scores_.to_numpy()
        assert ((z >= 0) & (z <= 1)).all() and (z.sum(axis=1) > 0).all()
        at = a.probas_.columns.get_indexer(a.labels_)
        # the largest up to the documented tie tolerance (a tie broken by rounding is still a tie)
        assert (p[np.arange(len(p)), at] >= p.max(axis=1) * (1 - TIE_RTOL)).all()
        b = _fit(table, random_state=state, **options)
        pd.testing.assert_frame_equal(a.probas_, b.probas_, check_exact=True)
        pd.testing.assert_series_equal(a.labels_, b.labels_)

    @settings(max_examples=20, deadline=None)
    @given(table=crowds(), tol=st.sampled_from([1e-3, 1e-9]))
    def test_the_scores_are_the_papers_updates_on_a_dense_grid(self, table, tol):
        """One answer per (item, annotator) (the dense reference's grid): the scores are the
        class-by-class loop's to rounding (classes every item answers unanimously left out: the
        reference divides by their rate, 0, which the library floors)."""
        table = table.drop_duplicates(["item", "annotator"])
        table = table.assign(label=np.searchsorted(np.unique(table.label), table.label))
        k = int(table.label.nunique())
        if k < 2:
            return
        model = _fit(table, tol=tol)
        with np.errstate(all="ignore"):
            want = _loop_bwa(table, k, rtol=tol)
        kept = np.isfinite(want).all(axis=0)  # the reference has no floor for a unanimous class's rate
        np.testing.assert_allclose(model.scores_.to_numpy()[:, kept], want[:, kept], rtol=0, atol=1e-9)


def test_one_class_sets_the_scores_precisions_and_class_mean():
    """Every answer the same class: the documented fitted attributes exist (they were missing before
    session 28), the scores and class mean 1, the precisions the EM's (positive, one per annotator)."""
    answers = pd.DataFrame({"item": [1, 1, 2], "annotator": ["a", "b", "a"], "label": ["y", "y", "y"]})
    model = BWA().fit(answers)
    pd.testing.assert_frame_equal(model.scores_, pd.DataFrame({"y": [1.0, 1.0]}, index=[1, 2]), check_names=False)
    assert model.class_mean_.tolist() == [1.0]
    assert model.precision_.index.tolist() == ["a", "b"] and (model.precision_["y"] > 0).all()
    assert model.labels_.tolist() == ["y", "y"]
