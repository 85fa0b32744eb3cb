"""Aggregate free-text answers: pick, for each item, one answer among several (crowd transcriptions,
translations, language-model samples).

The text classes encode every answer with ``encoder`` (a callable ``list[str] -> 2-D array``, numpy
or scipy sparse) and run the vector aggregators of :mod:`labelwise.aggregate.embeddings` on the
vectors; ``texts_`` is the chosen answer of each item. The default encoder, :func:`tfidf_encoder`,
works offline: TF-IDF over character n-grams of 2 to 4 characters within words, fitted on all the
answers and L2-normalised. Character n-grams rather than words because crowd and model answers to one
item differ by misspellings, inflections and spacing more than by vocabulary: ``"recieve"`` and
``"receive"`` share most of their character n-grams and no word. Pass a sentence encoder
(``SentenceTransformer(...).encode``) for meaning rather than spelling.

``TEXT_METHODS`` maps the command-line names to the classes (and ``"rover"`` to
:class:`~labelwise.aggregate.rover.ROVER`); each is ``Cls(**params).fit(answers)``
on a table with columns ``item``, ``annotator``, ``text`` and sets ``texts_`` (a Series indexed by
item, named ``"text"``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .._validate.arguments import show
from .._validate.labels import row_label
from ..errors import AnnotationError, InvalidParameterError
from ._embed_data import check_table, check_vectors
from .embeddings import HRRASA, RASA, ClosestToAverage
from .rover import ROVER

__all__ = ["TEXT_METHODS", "TextClosestToAverage", "TextHRRASA", "TextRASA", "tfidf_encoder"]

Encoder = Callable[[list[str]], Any]


def tfidf_encoder(texts: list[str]) -> sp.csr_matrix:
    """TF-IDF vectors of ``texts``: character 2- to 4-grams inside word boundaries (lower-cased,
    sublinear term frequency), fitted on ``texts`` themselves, each row L2-normalised. Texts with no
    character get an all-zero row.

    References
    ----------
    Salton, G., Buckley, C. (1988). Term-weighting approaches in automatic text retrieval.
    Information Processing & Management 24(5), 513-523.
    """
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float64)
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # no n-gram at all (every text empty or one character)
        return sp.csr_matrix((len(texts), 1), dtype=np.float64)


class _Texts:
    """Shared by the text classes: the texts' checks, the encoding and ``texts_``."""

    item_col: str
    annotator_col: str
    text_col: str
    encoder: Encoder | None
    n_duplicates_: int
    n_duplicates_dropped_: int
    embedding_col = "embedding"

    def _answer_column(self) -> str | None:
        return self.text_col

    def _texts_and_vectors(self, answers: Any, embeddings: Any) -> Any:
        if not isinstance(self.text_col, str):
            raise InvalidParameterError(f"text_col must be a column name (str), got {show(self.text_col)}")
        if self.encoder is not None and not callable(self.encoder):
            raise InvalidParameterError(
                f"encoder must be a callable (list of texts -> 2-D array) or None, got {show(self.encoder)}"
            )
        check_table(
            answers,
            [self.item_col, self.annotator_col, self.text_col],
            ["item_col", "annotator_col", "text_col"],
        )
        texts = answers[self.text_col].tolist()
        bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
        if bad is not None:
            raise AnnotationError(
                f"answers column {self.text_col!r} must hold a text in every row, {row_label(answers.index, bad)} is "
                f"{show(texts[bad])}"
            )
        if embeddings is not None:  # vectors computed beforehand: the encoder is not called
            return check_vectors(embeddings, len(texts))
        encoder = tfidf_encoder if self.encoder is None else self.encoder
        return check_vectors(encoder(texts), len(texts), name="encoder(texts)")

    def _fit_texts(self, fit: Callable[[Any, Any], Any], answers: Any, embeddings: Any) -> None:
        """``fit`` (the vector method's) on the texts' vectors, with the repeats resolved first, once
        (``fit`` then sees none) and their counts kept; then ``texts_``."""
        answers, embeddings = self._last_answers(answers, embeddings)  # type: ignore[attr-defined]
        counts = self.n_duplicates_, self.n_duplicates_dropped_
        fit(answers, self._texts_and_vectors(answers, embeddings))
        self.n_duplicates_, self.n_duplicates_dropped_ = counts
        answers_ = self.answers_  # type: ignore[attr-defined]
        self.texts_ = answers_.rename("text")


class TextClosestToAverage(_Texts, ClosestToAverage):
    """The text whose vector is closest (cosine) to the mean vector of its item's texts.

    Parameters
    ----------
    encoder : callable or None
        ``encoder(list_of_texts) -> 2-D array`` (numpy or scipy sparse), one row per text; None:
        :func:`tfidf_encoder`.
    item_col, annotator_col, text_col : str
        Columns of the item, the annotator and the text.
    duplicates : {"keep", "last"}, default="keep"
        As in :class:`~labelwise.aggregate.embeddings.ClosestToAverage` (``last``: the last text of
        an annotator on an item, before the encoding).

    Attributes
    ----------
    texts_ : pandas.Series
        The chosen text of each item (named ``"text"``).
    items_, embeddings_, answers_, chosen_, distance_, answer_distance_, annotator_skill_, n_iter_, converged_
        As in :class:`~labelwise.aggregate.embeddings.ClosestToAverage`.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"item": [1, 1, 1], "annotator": ["a", "b", "c"],
    ...                         "text": ["the cat sat", "the cat sat down", "a dog ran"]})
    >>> TextClosestToAverage().fit(answers).texts_.tolist()
    ['the cat sat down']
    """

    def __init__(
        self,
        encoder: Encoder | None = None,
        item_col: str = "item",
        annotator_col: str = "annotator",
        text_col: str = "text",
        duplicates: str = "keep",
    ) -> None:
        self.encoder = encoder
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.text_col = text_col
        self.duplicates = duplicates

    def fit(self, answers: pd.DataFrame, embeddings: Any = None) -> TextClosestToAverage:
        """Encode the texts of ``answers`` (or take ``embeddings``, one row per answer, computed
        beforehand) and pick each item's closest one to the mean."""
        self._fit_texts(super().fit, answers, embeddings)
        return self


class TextRASA(_Texts, RASA):
    """:class:`~labelwise.aggregate.embeddings.RASA` on the encoded texts (Li & Fukumoto 2019).

    Parameters
    ----------
    encoder : callable or None
        As in :class:`TextClosestToAverage`.
    alpha, quantile, max_iter, tol, skill_floor
        As in :class:`~labelwise.aggregate.embeddings.RASA`.
    item_col, annotator_col, text_col : str
        Columns of the item, the annotator and the text.
    duplicates : {"keep", "last"}, default="keep"
        As in :class:`~labelwise.aggregate.embeddings.ClosestToAverage` (``last``: the last text of
        an annotator on an item, before the encoding).

    Attributes
    ----------
    texts_ : pandas.Series
        The chosen text of each item.
    annotator_skill_, prior_, n_iter_, converged_, loss_history_, items_, embeddings_, distance_
        As in :class:`~labelwise.aggregate.embeddings.RASA`.

    References
    ----------
    Li, J., Fukumoto, F. (2019). A Dataset of Crowdsourced Word Sequences: Collections and Answer
    Aggregation for Ground Truth Creation. AnnoNLP, 24-28. doi:10.18653/v1/D19-5904
    """

    def __init__(
        self,
        encoder: Encoder | None = None,
        alpha: float = 0.05,
        quantile: str = "lower",
        max_iter: int = 100,
        tol: float = 1e-9,
        skill_floor: str = "relative",
        item_col: str = "item",
        annotator_col: str = "annotator",
        text_col: str = "text",
        duplicates: str = "keep",
    ) -> None:
        self.encoder = encoder
        self.alpha = alpha
        self.quantile = quantile
        self.max_iter = max_iter
        self.tol = tol
        self.skill_floor = skill_floor
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.text_col = text_col
        self.duplicates = duplicates

    def fit(self, answers: pd.DataFrame, embeddings: Any = None) -> TextRASA:
        """Encode the texts of ``answers`` and run RASA on the vectors."""
        self._check_reliability_params()
        self._fit_texts(super().fit, answers, embeddings)
        return self


class TextHRRASA(_Texts, HRRASA):
    """:class:`~labelwise.aggregate.embeddings.HRRASA` on the encoded texts (Li 2020), its answer
    similarity on the texts themselves (word GLEU by default).

    Parameters
    ----------
    encoder : callable or None
        As in :class:`TextClosestToAverage`.
    lambda_emb, similarity, alpha, quantile, max_iter, tol, skill_floor
        As in :class:`~labelwise.aggregate.embeddings.HRRASA`.
    item_col, annotator_col, text_col : str
        Columns of the item, the annotator and the text.
    duplicates : {"keep", "last"}, default="keep"
        As in :class:`~labelwise.aggregate.embeddings.ClosestToAverage` (``last``: the last text of
        an annotator on an item, before the encoding).

    Attributes
    ----------
    texts_ : pandas.Series
        The chosen text of each item.
    local_skill_, annotator_skill_, prior_, n_iter_, converged_, loss_history_, items_, embeddings_, distance_
        As in :class:`~labelwise.aggregate.embeddings.HRRASA`.

    References
    ----------
    Li, J. (2020). Crowdsourced Text Sequence Aggregation based on Hybrid Reliability and
    Representation. SIGIR '20, 1761-1764. doi:10.1145/3397271.3401239
    """

    def __init__(
        self,
        encoder: Encoder | None = None,
        lambda_emb: float = 0.5,
        similarity: Callable[[Any, Any], float] | None = None,
        alpha: float = 0.05,
        quantile: str = "lower",
        max_iter: int = 100,
        tol: float = 1e-9,
        skill_floor: str = "absolute",
        item_col: str = "item",
        annotator_col: str = "annotator",
        text_col: str = "text",
        duplicates: str = "keep",
    ) -> None:
        self.encoder = encoder
        self.lambda_emb = lambda_emb
        self.similarity = similarity
        self.alpha = alpha
        self.quantile = quantile
        self.max_iter = max_iter
        self.tol = tol
        self.skill_floor = skill_floor
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.text_col = text_col
        self.duplicates = duplicates

    def fit(self, answers: pd.DataFrame, embeddings: Any = None) -> TextHRRASA:
        """Encode the texts of ``answers`` and run HRRASA on the vectors and the texts."""
        self._check_reliability_params()
        self._fit_texts(super().fit, answers, embeddings)
        return self


#: Command-line names -> text aggregators (``Cls(**params).fit(answers)``, ``texts_``). ROVER takes
#: no column parameters: its table has the columns item, annotator, text.
TEXT_METHODS: dict[str, type] = {
    "closest": TextClosestToAverage,
    "rasa": TextRASA,
    "hrrasa": TextHRRASA,
    "rover": ROVER,
}
