"""AutoAggregator: choosing the aggregation model by the held-out likelihood of the answers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import (
    GLAD,
    METHODS,
    AutoAggregator,
    MajorityVote,
    OneCoinDawidSkene,
    simulate_annotators,
    simulate_sparse_crowd,
)
from labelwise.aggregate._answers import encode_answers
from labelwise.aggregate.auto import answer_folds, heldout_log_likelihood
from labelwise.errors import InvalidParameterError, MissingColumnError
from tests.aggregate._crowd import confusion_crowd


def _one_coin_crowd(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Many annotators of very unequal accuracy, mistakes uniform over the other classes."""
    truth = np.random.default_rng(seed).integers(0, 5, 2000)
    sim = simulate_annotators(
        truth, n_annotators=60, answers_per_item=3, accuracy=(0.3, 0.95), errors="uniform", random_state=seed
    )
    return sim.answers, truth


def _confusion_crowd(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Five annotators who each always confuse a class with one favourite other class."""
    truth = np.random.default_rng(seed).integers(0, 3, 1000)
    sim = simulate_annotators(
        truth,
        n_annotators=5,
        answers_per_item=5,
        accuracy=(0.4, 0.8),
        errors="confusion",
        confusion_share=1.0,
        random_state=seed,
    )
    return sim.answers, truth


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chooses_one_coin_on_one_coin_crowds(seed):
    """Uniform mistakes from many annotators: one-coin explains the held-out answers best."""
    answers, _ = _one_coin_crowd(seed)
    est = AutoAggregator().fit(answers)
    assert est.chosen_ == "one-coin"
    assert est.scores_.idxmax() == "one-coin" and est.n_scored_ == len(answers)
    assert isinstance(est.estimator_, OneCoinDawidSkene)


@pytest.mark.parametrize("seed", [0, 1])
def test_chooses_dawid_skene_on_class_dependent_confusions(seed):
    """Class-dependent confusions: the full confusion matrices win by a wide margin."""
    answers, truth = _confusion_crowd(seed)
    est = AutoAggregator().fit(answers)
    assert est.chosen_ == "dawid-skene"
    assert est.scores_["dawid-skene"] > est.scores_.drop("dawid-skene").max() + 0.1
    assert est.annotator_confusion_.shape == (5, 3, 3)  # the chosen model's attributes are exposed
    assert (est.labels_.to_numpy() == truth).mean() > (MajorityVote().fit(answers).labels_.to_numpy() == truth).mean()


def test_a_candidate_that_relabels_the_classes_is_rejected():
    """Held-out likelihood cannot tell a model from its relabelling (binary one-coin with every skill
    s -> 1 - s explains the answers equally well): such a fit is rejected for the next best."""
    sim = simulate_sparse_crowd(3000, 2, 50, answers_per_item=4, spammer_share=0.2, adversary_share=0.1, random_state=1)
    est = AutoAggregator(n_folds=5).fit(sim.answers)
    assert est.scores_.idxmax() == "one-coin" and est.relabelled_ == ["one-coin"]
    assert est.chosen_ != "one-coin"
    vote = MajorityVote().fit(sim.answers)
    strict = (vote.probas_.max(axis=1) > 0.5).to_numpy()
    assert (est.labels_.to_numpy()[strict] == vote.labels_.to_numpy()[strict]).mean() > 0.9


def test_result_is_the_chosen_method_refitted_on_all_answers():
    """labels_, probas_ and skills equal a direct fit of the chosen method."""
    answers, _ = _confusion_crowd(2)
    est = AutoAggregator(random_state=3).fit(answers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = METHODS[est.chosen_](random_state=3).fit(answers)
    pd.testing.assert_series_equal(est.labels_, direct.labels_)
    pd.testing.assert_frame_equal(est.probas_, direct.probas_)
    pd.testing.assert_series_equal(est.annotator_skill_, direct.annotator_skill_)


def test_falls_back_to_majority_vote_when_few_items_have_two_answers():
    """With one answer per item nothing can be held out: majority vote, scores NaN."""
    answers = pd.DataFrame({"item": range(50), "annotator": [f"a{i % 7}" for i in range(50)], "label": [0, 1] * 25})
    est = AutoAggregator().fit(answers)
    assert est.chosen_ == "majority-vote" and est.n_scored_ == 0 and est.scores_.isna().all()
    two = pd.concat([answers, answers.head(5).assign(annotator="b")], ignore_index=True)
    assert AutoAggregator(min_items=6).fit(two).chosen_ == "majority-vote"  # 5 items with 2 answers < 6


def test_single_candidate_is_used_without_scoring():
    answers, _ = confusion_crowd(60, 3, seed=1)
    est = AutoAggregator(candidates=["one-coin"]).fit(answers)
    assert est.chosen_ == "one-coin" and est.n_scored_ == 0


def test_same_random_state_same_choice_and_scores():
    answers, _ = _one_coin_crowd(3)
    a, b = AutoAggregator(random_state=7).fit(answers), AutoAggregator(random_state=7).fit(answers)
    pd.testing.assert_series_equal(a.scores_, b.scores_)
    pd.testing.assert_series_equal(a.labels_, b.labels_)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_row_order_does_not_change_folds_scores_or_labels(seed):
    """The folds are drawn over the answers in code order: shuffling the rows changes nothing."""
    answers, _ = confusion_crowd(120, 3, per_item=3, seed=seed)
    shuffled = answers.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    a, b = AutoAggregator().fit(answers), AutoAggregator().fit(shuffled)
    assert a.chosen_ == b.chosen_
    pd.testing.assert_series_equal(a.scores_, b.scores_, rtol=1e-10)
    pd.testing.assert_series_equal(a.labels_, b.labels_)


@pytest.mark.parametrize("n_folds", [2, 3, 10])
def test_folds_hold_out_every_answer_of_multi_answer_items_once(n_folds):
    """Each answer of an item with >= 2 answers is in exactly one fold; no fold takes all of an item."""
    answers, _ = confusion_crowd(200, 3, per_item=None, seed=4)
    answers = pd.concat([answers.iloc[::2], pd.DataFrame({"item": [999], "annotator": ["a0"], "label": [1]})])
    enc = encode_answers(answers)
    folds = answer_folds(enc, n_folds, np.random.default_rng(0))
    single = enc.answers_per_item[enc.item_idx] < 2
    assert (folds[single] == -1).all() and ((folds[~single] >= 0) & (folds[~single] < n_folds)).all()
    for f in range(n_folds):
        held = np.bincount(enc.item_idx[folds == f], minlength=enc.n_items)
        assert (held < np.maximum(enc.answers_per_item, 2)).all()
        assert (held <= -(-enc.answers_per_item // n_folds)).all()  # spread evenly over the folds


def test_one_coin_score_matches_a_manual_held_out_computation():
    """The one-coin score equals fitting OneCoinDawidSkene on each fold's other answers (public API)
    and averaging log(P(true = l) s_j + P(true != l) (1 - s_j) / (K - 1)) over the held-out answers."""
    answers, _ = confusion_crowd(80, 3, per_item=3, seed=5)
    enc = encode_answers(answers)
    folds = answer_folds(enc, 4, np.random.default_rng(1))
    scores, n = heldout_log_likelihood(enc, folds, ["one-coin"], {"random_state": 0})
    frame = enc.to_frame()
    logs = []
    for f in range(4):
        held = folds == f
        fit = OneCoinDawidSkene().fit(frame[~held])
        skill = pd.Series(fit.skills_, index=fit.annotator_skill_.index)
        for _, row in frame[held].iterrows():
            if row["annotator"] not in skill.index:
                continue
            t, s = fit.probas_.loc[row["item"], row["label"]], skill[row["annotator"]]
            logs.append(np.log(t * s + (1 - t) * (1 - s) / 2))
    assert n == len(logs)
    assert scores[0] == pytest.approx(np.mean(logs), rel=1e-9)


def _difficulty_crowd(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """One-coin annotators of unequal ability, and items of unequal difficulty: on half of the
    items every annotator answers at random, on the rest with their own accuracy."""
    rng = np.random.default_rng(seed)
    n, k, m, r = 1000, 3, 30, 8
    truth = rng.integers(0, k, n)
    hard = rng.random(n) < 0.5
    skill = rng.uniform(0.8, 0.95, m)
    item = np.repeat(np.arange(n), r)
    who = np.concatenate([rng.choice(m, r, replace=False) for _ in range(n)])
    right = rng.random(len(item)) < np.where(hard[item], 1 / k, skill[who])
    wrong = (truth[item] + rng.integers(1, k, len(item))) % k
    label = np.where(right, truth[item], wrong)
    return pd.DataFrame({"item": item, "annotator": [f"a{j}" for j in who], "label": label}), truth


@pytest.mark.parametrize("seed", [0, 1])
def test_glad_is_chosen_when_item_difficulty_explains_the_answers(seed):
    """Split answers on hard items and unanimous ones on easy items: GLAD's item difficulties predict
    held-out answers better than any model with one accuracy per annotator, and it is refitted."""
    answers, _ = _difficulty_crowd(seed)
    est = AutoAggregator(candidates=("majority-vote", "one-coin", "dawid-skene", "glad")).fit(answers)
    assert est.scores_.idxmax() == "glad" and est.chosen_ == "glad"
    assert isinstance(est.estimator_, GLAD) and est.betas_.shape == (1000,)


def test_glad_candidate_does_not_depend_on_row_order():
    """With GLAD among the candidates, shuffling the rows changes neither the scores nor the labels."""
    answers, _ = _difficulty_crowd(2)
    answers = answers.iloc[:3000]
    shuffled = answers.sample(frac=1.0, random_state=3).reset_index(drop=True)
    cands = ("one-coin", "glad")
    a, b = AutoAggregator(candidates=cands).fit(answers), AutoAggregator(candidates=cands).fit(shuffled)
    assert a.chosen_ == b.chosen_
    pd.testing.assert_series_equal(a.scores_, b.scores_, rtol=1e-8)
    pd.testing.assert_series_equal(a.labels_, b.labels_)


def test_glad_score_matches_a_manual_held_out_computation():
    """The GLAD score equals fitting GLAD on each fold's other answers (public API) and averaging
    log(P(true = l) s + P(true != l) (1 - s) / (K - 1)) with s = sigmoid(alpha_j beta_i)."""
    answers, _ = confusion_crowd(80, 3, per_item=3, seed=5)
    enc = encode_answers(answers)
    folds = answer_folds(enc, 4, np.random.default_rng(1))
    scores, n = heldout_log_likelihood(enc, folds, ["glad"], {"random_state": 0})
    frame = enc.to_frame()
    logs = []
    for f in range(4):
        held = folds == f
        fit = GLAD(verbose=False).fit(frame[~held])
        for _, row in frame[held].iterrows():
            if row["annotator"] not in fit.alphas_.index:
                continue
            s = 1 / (1 + np.exp(-fit.alphas_[row["annotator"]] * fit.betas_[row["item"]]))
            t = fit.probas_.loc[row["item"], row["label"]]
            logs.append(np.log(t * s + (1 - t) * (1 - s) / 2))
    assert n == len(logs)
    assert scores[0] == pytest.approx(np.mean(logs), rel=1e-9)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"candidates": ["mace"]}, "candidates"),
        ({"candidates": ["one-coin", "one-coin"]}, "repeated"),
        ({"candidates": []}, "candidates"),
        ({"candidates": "one-coin"}, "candidates"),
        ({"n_folds": 1}, "n_folds"),
        ({"n_folds": 2.5}, "n_folds"),
        ({"min_items": 0}, "min_items"),
        ({"random_state": "x"}, "random_state"),
    ],
)
def test_bad_parameters_name_the_parameter(params, match):
    answers, _ = confusion_crowd(10, 2, seed=7)
    with pytest.raises(InvalidParameterError, match=match):
        AutoAggregator(**params).fit(answers)


def test_missing_column_is_an_error():
    with pytest.raises(MissingColumnError, match="annotator"):
        AutoAggregator().fit(pd.DataFrame({"item": [1], "label": [0]}))


def test_heldout_folds_do_not_reuse_the_full_tables_sorted_keys():
    """A fold's training answers are a subset: the encoding's sorted keys (``row_keys``, which
    patterns and vote counts reuse) describe the full table and must not be carried into it."""
    import dataclasses

    rng = np.random.default_rng(3)
    n = 6000  # 3000 items x 1000 annotators: the encoding sorts its keys (row_keys)
    answers = pd.DataFrame(
        {"item": rng.integers(0, 3000, n), "annotator": rng.integers(0, 1000, n), "label": rng.integers(0, 3, n)}
    )
    enc = encode_answers(answers)
    assert enc.row_keys is not None
    folds = answer_folds(enc, 3, np.random.default_rng(0))
    names = ["majority-vote", "dawid-skene"]
    with_keys = heldout_log_likelihood(enc, folds, names, {})
    without = heldout_log_likelihood(dataclasses.replace(enc, row_keys=None), folds, names, {})
    assert with_keys[1] == without[1]
    np.testing.assert_array_equal(with_keys[0], without[0])
