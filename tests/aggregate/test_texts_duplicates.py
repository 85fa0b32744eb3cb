"""The text and vector aggregators' ``duplicates``: ``keep`` (default) counts an annotator's repeated
answers on an item, ``last`` keeps only the last one (and its vector), as the classification
estimators do: the same fit as on the table with the repeats dropped beforehand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from labelwise.aggregate import HRRASA, RASA, ROVER, ClosestToAverage
from labelwise.aggregate.texts import TextClosestToAverage, TextHRRASA, TextRASA
from labelwise.errors import InvalidParameterError

ANSWERS = pd.DataFrame(
    {
        "item": ["q1"] * 4 + ["q2"] * 2,
        "annotator": list("abca") + list("ab"),
        "text": [
            "dogs bark loudly",
            "the cat sat on the mat",
            "the cat sat on a mat",
            "the cat sat on the mat",
            "paris is the capital",
            "paris is the capitol",
        ],
    }
)
TEXTS = [TextClosestToAverage(), TextRASA(), TextHRRASA(), ROVER()]
VECTORS = [ClosestToAverage(), RASA(), HRRASA(lambda_emb=1.0)]
WORDS = ["the cat", "the cat sat", "a cat", "dog", "the dog ran", "cat sat"]


def _name(est):
    return type(est).__name__


@pytest.mark.parametrize("est", TEXTS, ids=_name)
def test_keep_is_the_default_and_counts_the_repeat(est):
    """keep: a's two texts on q1 both count; one repeat, none dropped."""
    fitted = clone(est).fit(ANSWERS)
    assert fitted.duplicates == "keep"
    assert (fitted.n_duplicates_, fitted.n_duplicates_dropped_) == (1, 0)


@pytest.mark.parametrize("est", TEXTS, ids=_name)
def test_last_is_the_fit_without_the_earlier_answer(est):
    """last: the texts of the fit on the table without a's first answer; the repeat counted and dropped."""
    fitted = clone(est).set_params(duplicates="last").fit(ANSWERS)
    dropped = clone(est).fit(ANSWERS.drop(index=0))
    pd.testing.assert_series_equal(fitted.texts_, dropped.texts_)
    assert (fitted.n_duplicates_, fitted.n_duplicates_dropped_) == (1, 1)


@pytest.mark.parametrize("est", VECTORS, ids=_name)
def test_last_drops_the_rows_vector_too(est):
    """A vector array aligned with the rows loses the dropped row's vector: same as dropping both beforehand."""
    vectors = np.random.default_rng(0).normal(size=(6, 4))
    answers = ANSWERS.rename(columns={"text": "answer"})
    est = clone(est).set_params(answer_col="answer")
    fitted = clone(est).set_params(duplicates="last").fit(answers, vectors)
    dropped = clone(est).fit(answers.drop(index=0), vectors[1:])
    pd.testing.assert_series_equal(fitted.chosen_, dropped.chosen_)
    np.testing.assert_allclose(fitted.embeddings_, dropped.embeddings_)


@pytest.mark.parametrize("est", [*TEXTS, ClosestToAverage()], ids=_name)
def test_unknown_policy_is_refused_naming_the_parameter(est):
    """duplicates='mean' (numbers only) is an InvalidParameterError naming duplicates and its choices."""
    vectors = () if isinstance(est, (ROVER, TextClosestToAverage)) else (np.eye(6),)
    with pytest.raises(InvalidParameterError, match=r"duplicates must be one of \['keep', 'last'\]"):
        clone(est).set_params(duplicates="mean").fit(ANSWERS, *vectors)


@st.composite
def text_answers(draw):
    """Up to 14 texts on up to 3 items by up to 3 annotators, repeats likely."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 14))
    return pd.DataFrame(
        {
            "item": [f"i{k}" for k in rng.integers(0, 3, n)],
            "annotator": [f"a{k}" for k in rng.integers(0, 3, n)],
            "text": [WORDS[k] for k in rng.integers(0, len(WORDS), n)],
        }
    )


@settings(max_examples=15, deadline=None)
@given(text_answers(), st.sampled_from(TEXTS))
def test_last_equals_dropping_repeats_beforehand(answers, est):
    """For any table, duplicates='last' gives the texts of the table with pandas' drop_duplicates(keep='last')."""
    fitted = clone(est).set_params(duplicates="last").fit(answers)
    dropped = clone(est).fit(answers.drop_duplicates(["item", "annotator"], keep="last"))
    pd.testing.assert_series_equal(fitted.texts_, dropped.texts_)
    assert fitted.n_duplicates_ == int(answers.duplicated(["item", "annotator"]).sum())
