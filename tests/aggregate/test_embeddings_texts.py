"""The text aggregators: the default TF-IDF encoder, user encoders and precomputed vectors, the
TEXT_METHODS interface, and the errors on bad texts or encoders."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import TEXT_METHODS, TextClosestToAverage, TextHRRASA, TextRASA, tfidf_encoder
from labelwise.errors import AnnotationError, InvalidParameterError, MissingColumnError, ShapeMismatchError


def _answers():
    return pd.DataFrame(
        {
            "item": ["q1"] * 4 + ["q2"] * 3,
            "annotator": ["a", "b", "c", "d", "a", "b", "c"],
            "text": [
                "the cat sat on the mat",
                "the cat sat on a mat",
                "teh cat sat on the mat",
                "dogs bark",
                "paris",
                "Paris",
                "london",
            ],
        }
    )


class TestTfidfEncoder:
    def test_rows_are_unit_length_character_ngrams(self):
        """Each non-empty text's row has norm 1; a misspelling shares most n-grams with the word."""
        X = tfidf_encoder(["receive", "recieve", "banana", ""])
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        np.testing.assert_allclose(norms, [1, 1, 1, 0])
        assert (X[0] @ X[1].T).toarray()[0, 0] > (X[0] @ X[2].T).toarray()[0, 0] + 0.2

    def test_no_ngram_at_all_gives_zero_rows(self):
        """Empty texts only: one all-zero column, no error."""
        assert tfidf_encoder(["", ""]).shape == (2, 1)


@pytest.mark.parametrize("name", sorted(TEXT_METHODS))
def test_each_method_sets_texts_indexed_by_item(name):
    """Cls().fit(answers).texts_: one chosen text per item, named 'text'; the odd one out is never chosen."""
    est = TEXT_METHODS[name]().fit(_answers())
    assert est.texts_.name == "text" and est.texts_.index.tolist() == ["q1", "q2"]
    assert est.texts_.loc["q1"] != "dogs bark" and est.texts_.loc["q1"] in set(_answers().text)


def test_a_user_encoder_is_called_once_with_all_texts():
    """The encoder gets the list of texts and its rows are the vectors."""
    calls = []

    def encoder(texts):
        calls.append(list(texts))
        return np.array([[len(t), t.count("a")] for t in texts], dtype=float)

    TextRASA(encoder=encoder).fit(_answers())
    assert calls == [_answers().text.tolist()]


def test_precomputed_vectors_skip_the_encoder():
    """fit(answers, embeddings) uses the given vectors and never calls the encoder."""

    def encoder(texts):
        raise AssertionError("called")

    X = tfidf_encoder(_answers().text.tolist())
    a = TextClosestToAverage(encoder=encoder).fit(_answers(), X)
    assert a.texts_.equals(TextClosestToAverage().fit(_answers()).texts_)


def test_other_column_names():
    """item_col, annotator_col and text_col name the columns."""
    renamed = _answers().rename(columns={"item": "q", "annotator": "who", "text": "said"})
    est = TextHRRASA(item_col="q", annotator_col="who", text_col="said").fit(renamed)
    assert est.texts_.index.tolist() == ["q1", "q2"]


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda a: TextRASA().fit(a.drop(columns="text")), MissingColumnError, "text_col"),
        (lambda a: TextRASA().fit(a.assign(text=["x"] * 6 + [None])), AnnotationError, "row 6"),
        (lambda a: TextRASA().fit(a.assign(text=[1] * 7)), AnnotationError, "text"),
        (lambda a: TextRASA(encoder="tfidf").fit(a), InvalidParameterError, "encoder"),
        (lambda a: TextRASA(encoder=lambda t: np.ones((2, 3))).fit(a), ShapeMismatchError, "encoder"),
        (lambda a: TextRASA(text_col=3).fit(a), InvalidParameterError, "text_col"),
        (lambda a: TextRASA(alpha=2).fit(a), InvalidParameterError, "alpha"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(make, error, words):
    """Each bad input raises the labelwise error naming it."""
    with pytest.raises(error, match=words):
        make(_answers())
