"""Tests for ActiveLab scores, which item to label next (labelwise.aggregate.activelab)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import ActiveLabScores, CrowdLab, active_learning_scores
from labelwise.aggregate import activelab as activelab_module
from labelwise.aggregate.activelab import fit_temperature, scale_temperature
from labelwise.errors import InvalidParameterError, InvalidProbabilitiesError, ShapeMismatchError
from tests.aggregate._crowd import confusion_crowd


def _model_probs(truth: pd.Series, k: int, acc: float, seed: int) -> pd.DataFrame:
    """A model right with probability ``acc``, indexed by item."""
    rng = np.random.default_rng(seed)
    pred = np.where(rng.random(len(truth)) < acc, truth, (truth + rng.integers(1, k, len(truth))) % k)
    p = rng.dirichlet(np.ones(k), len(truth)) * 0.4
    p[np.arange(len(truth)), pred] += 0.6
    return pd.DataFrame(p, index=truth.index, columns=range(k))


@pytest.fixture(scope="module")
def crowd():
    answers, truth = confusion_crowd(300, 3, (0.8, 0.7, 0.65, 0.6, 0.75), per_item=2, seed=0)
    return answers, truth, _model_probs(truth, 3, 0.8, seed=1)


class TestActiveLearningScores:
    def test_items_with_a_wrong_consensus_score_lower(self, crowd):
        """The items whose consensus is wrong are the ones ranked to relabel first, on average."""
        answers, truth, probs = crowd
        scores = active_learning_scores(answers, probs)
        wrong = (scores.consensus != truth).to_numpy()
        s = scores.labeled.to_numpy()
        auc = (s[wrong][:, None] < s[~wrong][None, :]).mean()  # a wrong item ranked before a right one
        assert wrong.any() and auc > 0.7

    def test_labeled_score_is_crowdlab_quality_shrunk_toward_chance(self, crowd):
        """At temperature 1 the score averages CrowdLab's item quality (weight w_M + the item's
        annotator weights) with 1/K (weight: the mean annotator weight)."""
        answers, _, probs = crowd
        scores = active_learning_scores(answers, probs, temperature=1.0)
        cl = CrowdLab().fit(answers, probs)
        w = cl.annotator_weight_
        item_w = cl.model_weight_ + answers.groupby("item")["annotator"].agg(lambda a: w[a].sum())
        expected = (item_w * cl.item_quality_ + w.mean() / 3) / (item_w + w.mean())
        np.testing.assert_allclose(scores.labeled.to_numpy(), expected.to_numpy(), atol=1e-12)
        assert scores.model_weight == cl.model_weight_ and scores.mean_annotator_weight == w.mean()
        pd.testing.assert_series_equal(scores.consensus, cl.labels_.rename("consensus"), check_dtype=False)

    def test_unlabeled_score_grows_with_model_confidence_and_is_chance_when_uniform(self, crowd):
        """An unanswered item scores (w_M max p + w̄/K) / (w_M + w̄): 1/K for a uniform row."""
        answers, _, probs = crowd
        rows = np.array([[1 / 3, 1 / 3, 1 / 3], [0.5, 0.3, 0.2], [0.9, 0.05, 0.05]])
        scores = active_learning_scores(answers, probs, rows, temperature=1.0)
        s = scores.unlabeled.to_numpy()
        assert s[0] == pytest.approx(1 / 3) and s[0] < s[1] < s[2]
        w_m, w_bar = scores.model_weight, scores.mean_annotator_weight
        assert s[2] == pytest.approx((w_m * 0.9 + w_bar / 3) / (w_m + w_bar))

    def test_to_frame_ranks_lowest_first_with_both_kinds(self, crowd):
        """to_frame holds every item once, lowest score first; next(n) is its head."""
        answers, _, probs = crowd
        rows = pd.DataFrame(np.full((4, 3), 1 / 3), index=["u1", "u2", "u3", "u4"], columns=[2, 0, 1])
        scores = active_learning_scores(answers, probs, rows)
        frame = scores.to_frame()
        assert list(frame.columns) == ["item", "score", "labeled", "consensus"]
        assert len(frame) == 304 and frame["labeled"].sum() == 300
        assert frame["score"].is_monotonic_increasing
        assert set(frame.loc[~frame["labeled"], "item"]) == {"u1", "u2", "u3", "u4"}
        pd.testing.assert_frame_equal(scores.next(5), frame.head(5))
        assert len(scores.next(0)) == 0

    def test_unlabeled_frame_columns_are_matched_by_class(self, crowd):
        """A probs_unlabeled DataFrame with its class columns in another order scores as the array."""
        answers, _, probs = crowd
        arr = np.random.default_rng(0).dirichlet(np.ones(3), 10)
        a = active_learning_scores(answers, probs, arr)
        b = active_learning_scores(answers, probs, pd.DataFrame(arr, index=range(500, 510))[[2, 0, 1]])
        np.testing.assert_allclose(a.unlabeled.to_numpy(), b.unlabeled.to_numpy())
        assert a.consensus.iloc[300:].tolist() == b.consensus.iloc[300:].tolist()

    def test_single_answer_items_use_the_model_confidence_in_the_given_label(self):
        """One answer per item: weights 1, score (2 p[label] + 1/K) / 3, temperature 1."""
        answers, truth = confusion_crowd(50, 3, (0.8, 0.7), per_item=1, seed=2)
        probs = _model_probs(truth, 3, 0.8, seed=3)
        scores = active_learning_scores(answers, probs)
        given = probs.to_numpy()[np.arange(50), answers.sort_values("item")["label"].to_numpy()]
        np.testing.assert_allclose(scores.labeled.to_numpy(), (2 * given + 1 / 3) / 3, atol=1e-12)
        assert scores.temperature == 1.0

    def test_unlabeled_only_needs_no_answers(self):
        """Without answers the scores are (max p + 1/K) / 2 and the consensus is the model's class."""
        rows = pd.DataFrame([[0.2, 0.8], [0.6, 0.4]], index=["x", "y"], columns=["cat", "dog"])
        scores = active_learning_scores(None, probs_unlabeled=rows)
        np.testing.assert_allclose(scores.unlabeled.to_numpy(), [(0.8 + 0.5) / 2, (0.6 + 0.5) / 2])
        assert scores.consensus.tolist() == ["dog", "cat"] and len(scores.labeled) == 0
        assert scores.to_frame()["item"].tolist() == ["y", "x"]

    def test_temperature_sharpens_or_flattens_toward_the_answers(self):
        """A model too flat for decisive answers gets T < 1; one too sharp for split answers T > 1."""
        rng = np.random.default_rng(0)
        truth = rng.integers(0, 2, 400)
        votes = np.zeros((400, 2))
        votes[np.arange(400), truth] = 5
        flat = np.where(np.eye(2)[truth] == 1, 0.6, 0.4)
        assert fit_temperature(votes, flat) < 1
        split = np.full((400, 2), 2.0)
        sharp = np.where(np.eye(2)[truth] == 1, 0.99, 0.01)
        assert fit_temperature(split, sharp) > 1
        np.testing.assert_allclose(scale_temperature(flat, 1.0), flat)

    def test_temperature_search_in_small_blocks_is_the_same(self, crowd, monkeypatch):
        """The row blocks of the temperature search and the scaling do not change the scores."""
        answers, _, probs = crowd
        whole = active_learning_scores(answers, probs)
        monkeypatch.setattr(activelab_module, "_BLOCK", 7)
        blocks = active_learning_scores(answers, probs)
        assert whole.temperature == blocks.temperature
        np.testing.assert_allclose(whole.labeled.to_numpy(), blocks.labeled.to_numpy(), atol=1e-12)


@st.composite
def _crowds(draw):
    """Small random crowds: answers, probs indexed by item, unanswered rows indexed by item."""
    seed = draw(st.integers(0, 10_000))
    k = draw(st.integers(2, 4))
    n_items = draw(st.integers(4, 25))
    rng = np.random.default_rng(seed)
    n_ann = int(rng.integers(2, 6))
    rows = []
    for i in range(n_items):
        for a in rng.choice(n_ann, int(rng.integers(1, n_ann + 1)), replace=False):
            rows.append((i, f"a{a}", int(rng.integers(0, k))))
    answers = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    answers.loc[: k - 1, "label"] = np.arange(k)[: min(k, len(answers))]  # every class answered
    probs = pd.DataFrame(rng.dirichlet(np.ones(k), n_items), columns=range(k))
    unlabeled = pd.DataFrame(rng.dirichlet(np.ones(k), 3), index=[100, 101, 102], columns=range(k))
    return answers, probs, unlabeled, seed


def _by_item(scores: ActiveLabScores) -> pd.DataFrame:
    return scores.to_frame().set_index("item").sort_index()


class TestActiveLabProperties:
    @settings(max_examples=40, deadline=None)
    @given(_crowds())
    def test_answer_row_order_does_not_matter(self, crowd):
        """Shuffling the answer rows gives the same scores."""
        answers, probs, unlabeled, seed = crowd
        a = active_learning_scores(answers, probs, unlabeled)
        b = active_learning_scores(answers.sample(frac=1, random_state=seed), probs, unlabeled)
        pd.testing.assert_frame_equal(_by_item(a), _by_item(b), atol=1e-12)

    @settings(max_examples=40, deadline=None)
    @given(_crowds())
    def test_renaming_items_annotators_and_classes_does_not_matter(self, crowd):
        """Items, annotators and classes under other names (other sort orders) score the same."""
        answers, probs, unlabeled, seed = crowd
        a = _by_item(active_learning_scores(answers, probs, unlabeled))
        rng = np.random.default_rng(seed)
        k = probs.shape[1]
        cls = {c: f"c{n}" for c, n in zip(range(k), rng.permutation(k), strict=True)}
        item = {i: f"i{n:03d}" for i, n in zip(range(len(probs)), rng.permutation(len(probs)), strict=True)}
        renamed = answers.assign(
            item=answers["item"].map(item), annotator=answers["annotator"] + "x", label=answers["label"].map(cls)
        )
        probs2 = probs.rename(index=item, columns=cls).sample(frac=1, axis=1, random_state=seed)
        unl2 = unlabeled.rename(index=lambda i: f"u{i}", columns=cls)
        b = _by_item(active_learning_scores(renamed, probs2, unl2))
        b.index = b.index.map({**{v: k_ for k_, v in item.items()}, **{f"u{i}": i for i in unlabeled.index}})
        b["consensus"] = b["consensus"].map({v: k_ for k_, v in cls.items()})
        np.testing.assert_allclose(b.sort_index()["score"], a["score"], atol=1e-12)
        assert (b.sort_index()["consensus"] == a["consensus"]).all()

    @settings(max_examples=20, deadline=None)
    @given(_crowds())
    def test_same_input_same_scores(self, crowd):
        """Two runs on the same input give identical results. Scores lie in [0, 1]; an item without
        answers scores at least 1/K (its models' top probability averaged with 1/K), whereas an
        answered item's quality can fall below 1/K (the model's probability of the one given
        label, or a consensus the model doubts)."""
        answers, probs, unlabeled, _ = crowd
        a = active_learning_scores(answers, probs, unlabeled)
        b = active_learning_scores(answers, probs, unlabeled)
        pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
        k = probs.shape[1]
        frame = a.to_frame()
        s = frame["score"]
        assert ((s >= -1e-12) & (s <= 1 + 1e-12)).all()
        assert (s[~frame["labeled"]] >= 1 / k - 1e-12).all()


class TestActiveLabBadInput:
    def test_missing_inputs_are_named(self, crowd):
        """probs without answers, answers without probs, and neither: each error says what is missing."""
        answers, _, probs = crowd
        with pytest.raises(InvalidParameterError, match="probs is required with answers"):
            active_learning_scores(answers)
        with pytest.raises(InvalidParameterError, match="answers is required with probs"):
            active_learning_scores(None, probs)
        with pytest.raises(InvalidParameterError, match="probs and probs_unlabeled are both None"):
            active_learning_scores(None)

    @pytest.mark.parametrize("bad", ["hot", 0, -1.0, float("nan"), True])
    def test_bad_temperature(self, crowd, bad):
        """temperature must be 'fit' or a positive number."""
        answers, _, probs = crowd
        with pytest.raises(InvalidParameterError, match="temperature must be"):
            active_learning_scores(answers, probs, temperature=bad)

    def test_bad_unlabeled_probs(self, crowd):
        """probs_unlabeled of the wrong width, with NaN, not summing to 1 or naming answered items."""
        answers, _, probs = crowd
        with pytest.raises(ShapeMismatchError, match=r"probs_unlabeled must have shape .* got shape \(2, 2\)"):
            active_learning_scores(answers, probs, np.full((2, 2), 0.5))
        with pytest.raises(InvalidProbabilitiesError, match="probs_unlabeled"):
            active_learning_scores(answers, probs, np.array([[np.nan, 0.5, 0.5]]))
        with pytest.raises(InvalidProbabilitiesError, match="probs_unlabeled.*sum to 1"):
            active_learning_scores(answers, probs, np.array([[0.5, 0.5, 0.5]]))
        with pytest.raises(InvalidParameterError, match="1 of its items have answers"):
            active_learning_scores(answers, probs, pd.DataFrame([[0.2, 0.3, 0.5]], index=[7]))
        with pytest.raises(InvalidParameterError, match="one row per item"):
            active_learning_scores(None, probs_unlabeled=pd.DataFrame([[0.5, 0.5]] * 2, index=["x", "x"]))

    def test_bad_labeled_probs(self, crowd):
        """probs of the wrong shape or not summing to 1 are rejected as CrowdLab rejects them."""
        answers, _, probs = crowd
        with pytest.raises(ShapeMismatchError, match=r"probs must have shape \(n_items, n_classes\)"):
            active_learning_scores(answers, probs.to_numpy()[:10])
        with pytest.raises(InvalidProbabilitiesError, match="probs.*sum to 1"):
            active_learning_scores(answers, probs.to_numpy() * 2)

    def test_one_class_and_bad_n(self, crowd):
        """Answers of a single class cannot be ranked; next(n) needs an int >= 0."""
        answers, _, probs = crowd
        with pytest.raises(InvalidParameterError, match="at least two classes"):
            active_learning_scores(answers.assign(label=0), probs.iloc[:, :1] * 0 + 1)
        with pytest.raises(InvalidParameterError, match="n must be an int >= 0"):
            active_learning_scores(answers, probs).next(-1)

    def test_bad_ensembles(self, crowd):
        """An empty list of models, unanswered probabilities for another number of models or of
        other items per model are errors naming the parameter."""
        answers, _, probs = crowd
        unl = pd.DataFrame(np.full((2, 3), 1 / 3), index=["u", "v"])
        with pytest.raises(InvalidParameterError, match="probs must hold at least one model"):
            active_learning_scores(answers, [])
        with pytest.raises(
            ShapeMismatchError, match=r"probs_unlabeled must hold as many models' probabilities as probs \(2\), got 1"
        ):
            active_learning_scores(answers, [probs, probs], unl)
        with pytest.raises(ShapeMismatchError, match="probs_unlabeled must list the same items"):
            active_learning_scores(answers, [probs, probs], [unl, unl.iloc[::-1]])

    def test_parameters_are_checked_when_every_item_has_one_answer(self):
        """max_iter and random_state are checked even where CROWDLAB is not fitted (one answer per item)."""
        answers, truth = confusion_crowd(20, 3, (0.8, 0.7), per_item=1, seed=2)
        probs = _model_probs(truth, 3, 0.8, seed=3)
        with pytest.raises(InvalidParameterError, match="max_iter"):
            active_learning_scores(answers, probs, max_iter=0)
        with pytest.raises(InvalidParameterError, match="random_state"):
            active_learning_scores(answers, probs, random_state="x")
