"""ClosestToAverage, RASA, HRRASA and the text classes against crowd-kit 1.4.2 on the same vectors.

crowd-kit computes the chi-squared quantile as ``chi2.isf(alpha / 2, n)``, so the comparisons use
``quantile="upper"``, and floors an annotator's summed distance at 1e-5, so they use
``skill_floor="absolute"``. Its HRRASA fails under pandas 3 (``_aggregate_embeddings`` casts a Series of
arrays to float64); the peer used here overrides that one method with the same arithmetic, no cast.
Its default GLEU compares the words of one answer with the characters of the other, so both sides
get labelwise's word GLEU as the similarity.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.spatial import distance

from labelwise.aggregate import HRRASA, RASA, ClosestToAverage, TextHRRASA, TextRASA, tfidf_encoder
from labelwise.aggregate._embed_simulate import simulate_vector_answers
from labelwise.aggregate.embeddings import gleu_similarity

crowdkit = pytest.importorskip("crowdkit.aggregation")


class _HRRASA(crowdkit.HRRASA):
    """crowd-kit's HRRASA with its pandas-3 failure removed (same sums, no float64 cast)."""

    @staticmethod
    def _aggregate_embeddings(data, weights, true_embeddings=None):
        data = data.join(weights, on=["task", "worker"])
        data["weighted_embedding"] = data.weight * data.embedding
        group = data.groupby("task", group_keys=False)
        return group.weighted_embedding.apply(np.sum) / group.weight.sum()


def _sim(seed: int, **kwargs):
    sim = simulate_vector_answers(40, 8, dim=6, random_state=seed, **kwargs)
    table = sim.answers.copy()
    table["embedding"] = list(sim.embeddings)
    return sim, table


def _ck(table: pd.DataFrame) -> pd.DataFrame:
    return table.rename(columns={"item": "task", "annotator": "worker", "answer": "output"})


def _quiet(call, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args)


def _stack(series: pd.Series, items: pd.Index) -> np.ndarray:
    return np.vstack(series.loc[items].to_numpy())


@pytest.mark.parametrize("seed", [0, 1])
def test_closest_to_average_equals_crowdkit(seed):
    """Same chosen answer on every item as crowd-kit's with the cosine distance."""
    _, table = _sim(seed)
    ours = ClosestToAverage(answer_col="answer").fit(table)
    theirs = _quiet(crowdkit.ClosestToAverage(distance=distance.cosine).fit_predict, _ck(table))
    assert ours.answers_.tolist() == theirs.output.loc[ours.items_].tolist()
    np.testing.assert_allclose(ours.embeddings_, _stack(_means(table), ours.items_), atol=1e-12)


def _means(table: pd.DataFrame) -> pd.Series:
    return table.groupby("item").embedding.apply(lambda s: np.mean(np.vstack(s), axis=0))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rasa_equals_crowdkit(seed):
    """Aggregated vectors within 1e-8, the same reliabilities and chosen answers, the same iterations."""
    sim, table = _sim(seed)
    ours = RASA(quantile="upper", skill_floor="absolute", answer_col="answer").fit(
        table.drop(columns="embedding"), sim.embeddings
    )
    peer = crowdkit.RASA()
    chosen = _quiet(peer.fit_predict, _ck(table))
    assert ours.converged_
    np.testing.assert_allclose(ours.embeddings_, _stack(peer.aggregated_embeddings_, ours.items_), atol=1e-8)
    np.testing.assert_allclose(ours.annotator_skill_, peer.skills_.loc[ours.annotator_skill_.index], rtol=1e-8)
    assert ours.answers_.tolist() == chosen.output.loc[ours.items_].tolist()


@pytest.mark.parametrize("seed", [0, 1])
def test_hrrasa_equals_crowdkit(seed):
    """With the same similarity: vectors within 1e-8, same reliabilities, answers, loss history length."""
    _, table = _sim(seed)
    table = table[~((table.item == 3) & (table.annotator != table.annotator[table.item == 3].iloc[0]))]
    ours = HRRASA(quantile="upper", skill_floor="absolute", answer_col="answer", similarity=gleu_similarity).fit(table)
    peer = _HRRASA(output_similarity=gleu_similarity)
    chosen = _quiet(peer.fit_predict, _ck(table))
    assert ours.converged_ and len(ours.loss_history_) == len(peer.loss_history_)
    np.testing.assert_allclose(ours.embeddings_, _stack(peer.aggregated_embeddings_, ours.items_), atol=1e-8)
    theirs = peer.skills_.loc[ours.annotator_skill_.index]
    np.testing.assert_allclose(ours.annotator_skill_, theirs, rtol=1e-8)  # NaN where only on item 3
    assert ours.answers_.tolist() == chosen.output.loc[ours.items_].tolist()


def _texts(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sentences = ["the quick brown fox jumps", "a stitch in time saves nine", "all that glitters is not gold"]
    rows = []
    for i in range(12):
        for a in range(4):
            words = sentences[i % 3].split()
            if rng.random() < 0.5:
                words[rng.integers(len(words))] = "xx"
            rows.append((i, f"w{a}", "noise words here" if a == 3 else " ".join(words)))
    return pd.DataFrame(rows, columns=["item", "annotator", "text"])


@pytest.mark.parametrize("seed", [0, 1])
def test_text_rasa_and_hrrasa_equal_crowdkit_with_the_same_encoder(seed):
    """TextRASA and TextHRRASA pick crowd-kit's texts when both encode with the same TF-IDF vectors."""
    answers = _texts(seed)
    X = tfidf_encoder(answers.text.tolist()).toarray()
    lookup = dict(zip(answers.text, X, strict=False))
    ck = answers.rename(columns={"item": "task", "annotator": "worker"})
    ours = TextRASA(quantile="upper", skill_floor="absolute", tol=1e-5).fit(answers)
    theirs = _quiet(crowdkit.TextRASA(encoder=lookup.__getitem__).fit_predict, ck, None)
    assert ours.texts_.tolist() == theirs.loc[ours.items_].tolist()
    ours_h = TextHRRASA(quantile="upper", skill_floor="absolute", tol=1e-5, similarity=gleu_similarity).fit(answers)
    peer = crowdkit.TextHRRASA(encoder=lookup.__getitem__, output_similarity=gleu_similarity)
    peer._hrrasa = _HRRASA(100, 1e-5, 0.5, 0.5, 0.05, False, gleu_similarity)
    theirs_h = _quiet(peer.fit_predict, ck, None)
    assert ours_h.texts_.tolist() == theirs_h.loc[ours_h.items_].tolist()


def test_gleu_equals_nltk_sentence_gleu_on_words():
    """gleu_similarity is NLTK's sentence GLEU on the two word lists, both ways round."""
    gleu = pytest.importorskip("nltk.translate.gleu_score")
    pairs = [("the cat sat on the mat", "the cat sat on a mat"), ("a b", "a b c d e f"), ("x", "y"), ("", "a")]
    for a, b in pairs:
        expected = gleu.sentence_gleu([a.split()], b.split())
        assert gleu_similarity(a, b) == pytest.approx(expected, abs=1e-12)
        assert gleu_similarity(b, a) == pytest.approx(expected, abs=1e-12)


def test_crowdkit_default_similarity_compares_words_with_characters():
    """crowd-kit's glue_similarity of a sentence with itself is 0 (no one-letter word); labelwise's is 1."""
    from crowdkit.aggregation.embeddings.hrrasa import glue_similarity

    text = "the cat sat on the mat"
    assert glue_similarity(text, text) == 0.0
    assert gleu_similarity(text, text) == 1.0
