"""Properties of the vector and text aggregators: the rows' order changes nothing (chosen answers
identical, vectors to 1e-10), renaming items and annotators renames the result, and a refit is
identical."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import HRRASA, RASA, ClosestToAverage, TextRASA

MODELS = [
    lambda: ClosestToAverage(answer_col="answer"),
    lambda: RASA(answer_col="answer"),
    lambda: HRRASA(answer_col="answer"),
]


@st.composite
def vector_answers(draw):
    """Up to 30 answers on up to 6 items by up to 5 annotators, continuous random vectors of 2 to 4 dimensions
    (no exact ties: a tie goes to the earliest row, which the row order decides)."""
    n = draw(st.integers(1, 30))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    answers = pd.DataFrame(
        {
            "item": rng.integers(0, draw(st.integers(1, 6)), n),
            "annotator": np.array(list("uvwxy"), dtype=object)[rng.integers(0, draw(st.integers(1, 5)), n)],
            "answer": [f"word{k} w{k % 3}" for k in range(n)],
        }
    )
    return answers, rng.normal(size=(n, draw(st.integers(2, 4))))  # 1-D: every answer ties


def _same(a, b, items_map=None):
    index = a.items_ if items_map is None else a.items_.map(items_map)
    assert list(b.answers_.loc[index]) == list(a.answers_)
    order = np.argsort(np.asarray(index))
    np.testing.assert_allclose(
        np.asarray(b.embeddings_)[np.argsort(np.asarray(b.items_))], np.asarray(a.embeddings_)[order], atol=1e-10
    )


@settings(max_examples=25, deadline=None)
@given(vector_answers(), st.integers(0, 2), st.randoms(use_true_random=False))
def test_row_order_changes_nothing(data, which, random):
    """Permuting the rows leaves the chosen answers and the aggregated vectors."""
    answers, X = data
    perm = np.array(random.sample(range(len(answers)), len(answers)))
    a = MODELS[which]().fit(answers, X)
    b = MODELS[which]().fit(answers.iloc[perm].reset_index(drop=True), X[perm])
    _same(a, b)
    if a.annotator_skill_ is not None:
        np.testing.assert_allclose(b.annotator_skill_.loc[a.annotator_skill_.index], a.annotator_skill_, rtol=1e-8)


@settings(max_examples=25, deadline=None)
@given(vector_answers(), st.integers(0, 2))
def test_renaming_items_and_annotators_renames_the_result(data, which):
    """Items k -> 'item-k' (order reversed) and annotators to other names: the same fit, renamed."""
    answers, X = data
    items_map = {k: f"item-{9 - k}" for k in range(6)}
    renamed = answers.assign(item=answers.item.map(items_map), annotator=answers.annotator.str.upper())
    a = MODELS[which]().fit(answers, X)
    b = MODELS[which]().fit(renamed, X)
    _same(a, b, items_map)
    if a.annotator_skill_ is not None:
        np.testing.assert_allclose(
            b.annotator_skill_.loc[a.annotator_skill_.index.str.upper()], a.annotator_skill_, rtol=1e-8
        )


@settings(max_examples=15, deadline=None)
@given(vector_answers(), st.integers(0, 2))
def test_refit_is_identical(data, which):
    """Two fits of the same data give bit-identical results."""
    answers, X = data
    a = MODELS[which]().fit(answers, X)
    b = MODELS[which]().fit(answers, X)
    assert a.answers_.equals(b.answers_) and a.n_iter_ == b.n_iter_
    np.testing.assert_array_equal(a.embeddings_, b.embeddings_)


@settings(max_examples=8, deadline=None)
@given(vector_answers(), st.randoms(use_true_random=False))
def test_text_rasa_row_order_changes_nothing(data, random):
    """TextRASA with the default TF-IDF: permuting the rows leaves the chosen texts."""
    answers, _ = data
    answers = answers.rename(columns={"answer": "text"})
    perm = random.sample(range(len(answers)), len(answers))
    a = TextRASA().fit(answers)
    b = TextRASA().fit(answers.iloc[perm])
    assert a.texts_.equals(b.texts_.loc[a.texts_.index])
