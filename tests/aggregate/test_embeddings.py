"""Behaviour of ClosestToAverage, RASA and HRRASA: what they choose, how they weigh annotators,
sparse and dense vectors alike, row blocks, single-answer items, and the errors on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.stats import spearmanr

from labelwise.aggregate import HRRASA, RASA, ClosestToAverage, _embed_math, _embed_passes
from labelwise.aggregate._embed_simulate import simulate_vector_answers
from labelwise.errors import AnnotationError, InvalidParameterError, MissingColumnError, ShapeMismatchError


def _table():
    answers = pd.DataFrame(
        {"item": [1, 1, 1, 2, 2], "annotator": ["a", "b", "c", "a", "c"], "answer": ["x", "y", "z", "u", "v"]}
    )
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.0, 2.0], [1.0, 1.0]])
    return answers, vectors


class TestClosestToAverage:
    def test_picks_the_answer_closest_to_the_mean(self):
        """The mean of item 1 is (0.63, 0.37): 'y' is the closest by cosine."""
        answers, X = _table()
        est = ClosestToAverage(answer_col="answer").fit(answers, X)
        assert est.answers_.loc[1] == "y"
        np.testing.assert_allclose(est.embeddings_[0], X[:3].mean(axis=0))

    def test_without_answer_column_answers_are_row_labels(self):
        """answers_ and chosen_ hold the chosen row's index label."""
        answers, X = _table()
        answers.index = [10, 11, 12, 13, 14]
        est = ClosestToAverage().fit(answers, X)
        assert est.chosen_.loc[1] == 11 and est.answers_.loc[1] == 11

    def test_reads_a_column_of_vectors(self):
        """A column of 1-D arrays gives the same result as the 2-D array."""
        answers, X = _table()
        with_col = answers.assign(embedding=list(X))
        a = ClosestToAverage(answer_col="answer").fit(with_col)
        b = ClosestToAverage(answer_col="answer").fit(answers, X)
        assert a.answers_.equals(b.answers_)

    def test_zero_vector_is_never_chosen_over_a_nonzero_one(self):
        """An all-zero vector has an infinite cosine distance."""
        answers = pd.DataFrame({"item": [0, 0], "annotator": ["a", "b"]})
        est = ClosestToAverage().fit(answers, np.array([[0.0, 0.0], [1.0, 0.0]]))
        assert est.chosen_.loc[0] == 1 and np.isinf(est.answer_distance_.iloc[0])


class TestRASA:
    def test_noisy_annotators_get_lower_reliability(self):
        """On simulated answers the reliabilities fall in the order the annotators' noise grows."""
        sim = simulate_vector_answers(300, 6, spammer_share=0.0, random_state=0)
        est = RASA().fit(sim.answers, sim.embeddings)
        skill = est.annotator_skill_.loc[[f"w{k}" for k in range(6)]].to_numpy()
        assert spearmanr(skill, sim.noise).statistic < -0.9

    def test_weighted_aggregate_is_closer_to_truth_than_the_mean(self):
        """With spammers, RASA's aggregated vectors are nearer the truth than the plain means."""
        sim = simulate_vector_answers(400, 10, spammer_share=0.3, random_state=1)
        rasa = RASA().fit(sim.answers, sim.embeddings)
        mean = ClosestToAverage().fit(sim.answers, sim.embeddings)
        err = lambda e: np.mean(np.sum((e - sim.truth) ** 2, axis=1))  # noqa: E731
        assert err(rasa.embeddings_) < err(mean.embeddings_)

    def test_lower_quantile_discounts_annotators_with_few_answers(self):
        """The paper's quantile gives a one-answer annotator less prior weight per answer than crowd-kit's."""
        sim = simulate_vector_answers(50, 5, spammer_share=0.0, random_state=2)
        answers = pd.concat([sim.answers, pd.DataFrame({"item": [0], "annotator": ["new"], "answer": ["n"]})])
        X = np.vstack([sim.embeddings, sim.truth[:1]])
        low = RASA(quantile="lower").fit(answers, X).prior_
        up = RASA(quantile="upper").fit(answers, X).prior_
        assert low["new"] / low["w0"] < 1 / 40 < up["new"] / up["w0"]

    def test_sparse_and_dense_vectors_give_the_same_fit(self):
        """A CSR matrix and its dense copy: same aggregates (1e-10), reliabilities and answers."""
        sim = simulate_vector_answers(80, 6, random_state=3)
        X = np.where(np.abs(sim.embeddings) < 0.2, 0.0, sim.embeddings)
        dense = RASA().fit(sim.answers, X)
        sparse = RASA().fit(sim.answers, sp.csr_matrix(X))
        np.testing.assert_allclose(sparse.embeddings_.toarray(), dense.embeddings_, atol=1e-10)
        np.testing.assert_allclose(sparse.annotator_skill_, dense.annotator_skill_, rtol=1e-8)
        assert sparse.chosen_.equals(dense.chosen_)

    def test_row_blocks_do_not_change_the_fit(self, monkeypatch):
        """Blocks of 7 rows give bit-identical results to one block."""
        sim = simulate_vector_answers(60, 6, random_state=4)
        whole = RASA().fit(sim.answers, sim.embeddings)
        monkeypatch.setattr(_embed_math, "BLOCK", 7)
        blocks = RASA().fit(sim.answers, sim.embeddings)
        np.testing.assert_array_equal(blocks.embeddings_, whole.embeddings_)
        assert blocks.answers_.equals(whole.answers_)

    def test_row_blocks_do_not_change_a_sparse_fit(self, monkeypatch):
        """Sparse vectors (the Gram passes): blocks of 7 pairs give the same fit as one block."""
        sim = simulate_vector_answers(40, 5, random_state=6)
        X = sp.csr_matrix(np.where(np.abs(sim.embeddings) < 0.2, 0.0, sim.embeddings))
        whole = RASA().fit(sim.answers, X)
        monkeypatch.setattr(_embed_math, "BLOCK", 7)
        monkeypatch.setattr(_embed_passes, "BLOCK", 7)
        blocks = RASA().fit(sim.answers, X)
        np.testing.assert_allclose(blocks.embeddings_.toarray(), whole.embeddings_.toarray(), atol=1e-14)
        assert blocks.answers_.equals(whole.answers_) and blocks.n_iter_ == whole.n_iter_

    def test_sparse_fit_on_the_means_equals_the_gram_passes(self, monkeypatch):
        """Items with too many answer pairs iterate on the means: the same fit as the Gram passes."""
        sim = simulate_vector_answers(40, 5, random_state=7)
        X = sp.csr_matrix(np.where(np.abs(sim.embeddings) < 0.2, 0.0, sim.embeddings))
        gram = RASA().fit(sim.answers, X)
        monkeypatch.setattr(_embed_passes, "MAX_GRAM_PAIRS", 0)
        means = RASA().fit(sim.answers, X)
        np.testing.assert_allclose(means.embeddings_.toarray(), gram.embeddings_.toarray(), atol=1e-10)
        np.testing.assert_allclose(means.annotator_skill_, gram.annotator_skill_, rtol=1e-8)
        assert means.answers_.equals(gram.answers_)

    def test_not_converged_when_max_iter_is_reached(self):
        """max_iter=1 stops before any change is measured."""
        sim = simulate_vector_answers(20, 4, random_state=5)
        est = RASA(max_iter=1).fit(sim.answers, sim.embeddings)
        assert est.n_iter_ == 1 and not est.converged_ and est.loss_history_ == []


class TestHRRASA:
    def test_single_answer_item_keeps_its_answer(self):
        """An item answered once: its aggregate is that vector, its local reliability NaN."""
        answers, X = _table()
        answers = pd.concat([answers, pd.DataFrame({"item": [3], "annotator": ["d"], "answer": ["w"]})])
        X = np.vstack([X, [[3.0, 4.0]]])
        est = HRRASA(answer_col="answer").fit(answers, X)
        np.testing.assert_allclose(est.embeddings_[2], [3.0, 4.0])
        assert np.isnan(est.local_skill_.iloc[-1]) and np.isnan(est.annotator_skill_["d"])
        assert est.answers_.loc[3] == "w"

    def test_vectors_only_needs_no_answer_column(self):
        """lambda_emb=1 uses the vectors alone."""
        answers, X = _table()
        est = HRRASA(lambda_emb=1.0).fit(answers.drop(columns="answer"), X)
        assert est.local_skill_.notna().all()

    def test_custom_similarity_is_used(self):
        """A similarity that favours 'z' makes z's local reliability the highest of item 1."""
        answers, X = _table()
        est = HRRASA(lambda_emb=0.0, answer_col="answer", similarity=lambda a, b: float("z" in (a, b))).fit(answers, X)
        assert est.local_skill_.iloc[:3].idxmax() == 2


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda a, X: RASA().fit(a.values, X), MissingColumnError, "DataFrame"),
        (lambda a, X: RASA().fit(a.drop(columns="item"), X), MissingColumnError, "item_col"),
        (lambda a, X: RASA().fit(a.head(0), X[:0]), AnnotationError, "at least one answer"),
        (lambda a, X: RASA().fit(a.assign(item=[1, None, 1, 2, 2]), X), AnnotationError, "row 1"),
        (lambda a, X: RASA().fit(a, X[:4]), ShapeMismatchError, "5 rows"),
        (lambda a, X: RASA().fit(a, X.ravel()), ShapeMismatchError, "2-D"),
        (lambda a, X: RASA().fit(a, np.where(X == 0, np.nan, X)), ShapeMismatchError, "finite"),
        (lambda a, X: RASA().fit(a.assign(embedding=[[1, 2]] * 4 + [[1]])), ShapeMismatchError, "row 4"),
        (lambda a, X: RASA().fit(a.assign(embedding=["ab"] * 5)), ShapeMismatchError, "numeric"),
        (lambda a, X: RASA(alpha=0).fit(a, X), InvalidParameterError, "alpha"),
        (lambda a, X: RASA(quantile="mid").fit(a, X), InvalidParameterError, "quantile"),
        (lambda a, X: RASA(max_iter=0).fit(a, X), InvalidParameterError, "max_iter"),
        (lambda a, X: RASA(tol=-1).fit(a, X), InvalidParameterError, "tol"),
        (lambda a, X: RASA(answer_col="nope").fit(a, X), MissingColumnError, "answer_col"),
        (lambda a, X: HRRASA(lambda_emb=1.5).fit(a, X), InvalidParameterError, "lambda_emb"),
        (lambda a, X: HRRASA().fit(a, X), InvalidParameterError, "answer_col"),
        (lambda a, X: HRRASA(answer_col="answer", similarity=3).fit(a, X), InvalidParameterError, "similarity"),
        (
            lambda a, X: HRRASA(answer_col="answer", similarity=lambda x, y: np.nan).fit(a, X),
            InvalidParameterError,
            "finite",
        ),
        (lambda a, X: HRRASA(answer_col="item").fit(a, X), AnnotationError, "texts"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(make, error, words):
    """Each bad input raises the labelwise error whose message names what was wrong."""
    answers, X = _table()
    with pytest.raises(error, match=words):
        make(answers, X)
