"""Iterative weighted majority voting (Li and Yu 2014): ``weak.iwmv``'s Algorithm 1 and ``IWMVLabelModel``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import MajorityVote
from labelwise.errors import EstimatorError, InvalidParameterError
from labelwise.weak import LABEL_MODELS, IWMVLabelModel
from labelwise.weak._moments import indicator
from labelwise.weak._names import LABEL_MODEL_NAMES
from labelwise.weak.iwmv import homogeneous_confusion, iterative_weighted_vote, weighted_scores


def homogeneous_crowd(
    accuracies, n_items: int, k: int, seed: int, coverage: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Votes (-1 = none) and truth under the homogeneous Dawid-Skene model: labeler ``i`` is right with
    probability ``accuracies[i]``, else answers one of the other classes uniformly."""
    rng = np.random.default_rng(seed)
    acc = np.asarray(accuracies, dtype=float)
    truth = rng.integers(0, k, n_items)
    right = rng.random((n_items, len(acc))) < acc
    wrong = (truth[:, None] + rng.integers(1, k, (n_items, len(acc)))) % k
    votes = np.where(right, truth[:, None], wrong)
    votes[rng.random(votes.shape) >= coverage] = -1
    return votes, truth


def one_step_by_hand(votes: np.ndarray, k: int) -> np.ndarray:
    """The paper's one-step WMV (Steps 1-3): majority vote, each labeler's accuracy against it, ``ν = k ŵ − 1``,
    the weighted vote (no tie in the data it is used on)."""
    table = pd.DataFrame(
        [(i, j, int(votes[i, j])) for i in range(votes.shape[0]) for j in range(votes.shape[1]) if votes[i, j] >= 0],
        columns=["item", "annotator", "label"],
    )
    mv = MajorityVote().fit(table).labels_.reindex(range(votes.shape[0])).to_numpy()
    voted = votes >= 0
    acc = ((votes == mv[:, None]) & voted).sum(axis=0) / voted.sum(axis=0)
    nu = k * acc - 1
    scores = np.stack([((votes == c) * nu).sum(axis=1) for c in range(k)], axis=1)
    return scores.argmax(axis=1)


class TestIterativeWeightedVote:
    def test_one_round_is_the_papers_one_step_weighted_vote(self):
        """``max_iter=1`` is osWMV: majority vote, the accuracies against it, ``ν = L ŵ − 1``, the weighted vote."""
        votes, _ = homogeneous_crowd([0.9, 0.8, 0.6, 0.4, 0.35, 0.7, 0.55], 300, 3, seed=1)
        run = iterative_weighted_vote(indicator(votes, 3), 3, max_iter=1)
        np.testing.assert_array_equal(run.labels, one_step_by_hand(votes, 3))
        assert run.n_iter == 1

    def test_weights_are_linear_in_the_accuracies(self):
        """``ν = L ŵ − 1`` (eq. 33), with ``ŵ`` each labeler's agreement with the final labels over its votes."""
        votes, _ = homogeneous_crowd([0.9, 0.7, 0.5, 0.3, 0.6], 400, 4, seed=2, coverage=0.6)
        run = iterative_weighted_vote(indicator(votes, 4), 4)
        voted = votes >= 0
        agree = ((votes == run.labels[:, None]) & voted).sum(axis=0) / voted.sum(axis=0)
        assert run.converged
        np.testing.assert_allclose(run.accuracies, agree)
        np.testing.assert_allclose(run.weights, 4 * agree - 1)

    def test_log_rule_is_the_oracle_map_weight_of_the_estimates(self):
        """IWMV.log weighs ``log((L − 1) ŵ / (1 − ŵ))`` (Corollary 9's weight at the estimate)."""
        votes, _ = homogeneous_crowd([0.85, 0.7, 0.6, 0.45], 300, 3, seed=3)
        run = iterative_weighted_vote(indicator(votes, 3), 3, weights="log")
        w = run.accuracies
        np.testing.assert_allclose(run.weights, np.log(2 * w / (1 - w)))

    def test_recovers_planted_accuracies_and_beats_majority_vote(self):
        """On a homogeneous crowd of good labelers and spammers the good ones' accuracies are recovered, the
        spammers weigh far less, and the labels beat majority vote's (and the one-step vote's)."""
        planted = np.array([0.9] * 4 + [1 / 3] * 12)
        votes, truth = homogeneous_crowd(planted, 3000, 3, seed=4, coverage=0.5)
        run = iterative_weighted_vote(indicator(votes, 3), 3)
        assert np.abs(run.accuracies[:4] - 0.9).max() < 0.05
        assert run.weights[4:].max() < 0.5 < 1.5 < run.weights[:4].min()
        majority = iterative_weighted_vote(indicator(votes, 3), 3, max_iter=1)  # one step from majority vote
        majority_labels = (
            MajorityVote()
            .fit(
                pd.DataFrame(
                    [(i, j, int(votes[i, j])) for i, j in zip(*np.nonzero(votes >= 0), strict=True)],
                    columns=["item", "annotator", "label"],
                )
            )
            .labels_.reindex(range(3000))
        )
        accuracy = (run.labels == truth).mean()
        assert accuracy > (majority_labels.to_numpy() == truth).mean() + 0.05
        assert accuracy >= (majority.labels == truth).mean()

    def test_row_weights_count_a_row_as_its_copies(self):
        """Distinct rows weighted by their copies give the labels and accuracies of the copied rows (five
        labelers, every one voting, two classes: no tie in any round's vote here)."""
        votes, _ = homogeneous_crowd([0.8, 0.6, 0.55, 0.7, 0.65], 80, 2, seed=5)
        rows, inverse, copies = np.unique(votes, axis=0, return_inverse=True, return_counts=True)
        full = iterative_weighted_vote(indicator(votes, 2), 2)
        packed = iterative_weighted_vote(indicator(rows, 2), 2, row_weights=copies)
        scores = weighted_scores(indicator(votes, 2), full.weights, 2)
        assert (np.abs(scores[:, 0] - scores[:, 1]) > 1e-9).all()
        np.testing.assert_allclose(packed.accuracies, full.accuracies)
        np.testing.assert_array_equal(packed.labels[inverse.ravel()], full.labels)

    def test_labeler_without_votes_weighs_nothing(self):
        """A labeler that never voted has accuracy NaN and weight 0, and does not change the labels."""
        votes, _ = homogeneous_crowd([0.8, 0.7, 0.6], 100, 3, seed=6)
        silent = np.column_stack([votes, np.full(100, -1)])
        run = iterative_weighted_vote(indicator(silent, 3), 3)
        assert np.isnan(run.accuracies[-1]) and run.weights[-1] == 0.0
        np.testing.assert_array_equal(run.labels, iterative_weighted_vote(indicator(votes, 3), 3).labels)

    @settings(max_examples=40, deadline=None)
    @given(
        st.integers(2, 4),
        st.lists(st.floats(0.2, 0.95), min_size=3, max_size=8),
        st.integers(20, 80),
        st.integers(0, 10_000),
    )
    def test_converged_labels_are_the_weighted_vote_of_their_own_weights(self, k, accuracies, n, seed):
        """At convergence the labels are a fixed point: the weighted vote under weights computed from them."""
        votes, _ = homogeneous_crowd(accuracies, n, k, seed=seed, coverage=0.7)
        counts = indicator(votes, k)
        run = iterative_weighted_vote(counts, k, max_iter=200)
        if not run.converged:
            return  # a cycle of label sets: nothing to check at a fixed point
        scores = weighted_scores(counts, run.weights, k)
        top = scores.max(axis=1)
        assert np.all(scores[np.arange(n), run.labels] >= top - 1e-9 * np.maximum(1.0, np.abs(top)))


class TestIWMVLabelModel:
    def test_fit_gives_algorithm_ones_labels_and_weights(self):
        """``labels_``, ``accuracies_`` and ``weights_`` are :func:`iterative_weighted_vote`'s on the votes."""
        votes, _ = homogeneous_crowd([0.9, 0.75, 0.6, 0.5, 0.4], 200, 3, seed=7, coverage=0.8)
        model = IWMVLabelModel().fit(votes)
        run = iterative_weighted_vote(indicator(votes, 3), 3)
        np.testing.assert_array_equal(model.labels_.to_numpy(), run.labels)
        np.testing.assert_allclose(model.weights_.to_numpy(), run.weights)
        assert model.n_iter_ == run.n_iter and model.converged_ == run.converged
        np.testing.assert_allclose(model.probas_.sum(axis=1), 1.0)

    def test_predict_on_the_fitted_votes_is_labels_(self):
        """``predict`` on the fit's own votes gives ``labels_`` (ties drawn the same way)."""
        votes, _ = homogeneous_crowd([0.7, 0.6, 0.55, 0.65], 150, 2, seed=8, coverage=0.7)
        model = IWMVLabelModel(random_state=3).fit(votes)
        np.testing.assert_array_equal(model.predict(votes), model.labels_.to_numpy())

    def test_long_table_and_matrix_give_the_same_labels(self):
        """A long table (item, labeler, label) and its matrix fit the same model."""
        votes, _ = homogeneous_crowd([0.8, 0.6, 0.7], 50, 2, seed=9)
        table = pd.DataFrame(
            [(f"i{i:03d}", f"w{j}", int(votes[i, j])) for i in range(50) for j in range(3) if votes[i, j] >= 0],
            columns=["item", "labeler", "label"],
        )
        a = IWMVLabelModel().fit(votes).labels_.to_numpy()
        b = IWMVLabelModel().fit(table).labels_.to_numpy()
        np.testing.assert_array_equal(a, b)

    def test_confusion_is_the_homogeneous_models_view(self):
        """``confusion_``: ``ŵ`` on the diagonal, the rest spread evenly; rows sum to 1."""
        conf = homogeneous_confusion(np.array([0.7, np.nan]), 3)
        np.testing.assert_allclose(conf[0], [[0.7, 0.15, 0.15], [0.15, 0.7, 0.15], [0.15, 0.15, 0.7]])
        np.testing.assert_allclose(conf[1], np.full((3, 3), 1 / 3))

    def test_registered_under_its_name(self):
        """``LABEL_MODELS["iwmv"]`` is the model and the command line lists its name."""
        assert LABEL_MODELS["iwmv"] is IWMVLabelModel and "iwmv" in LABEL_MODEL_NAMES

    @pytest.mark.parametrize(
        ("param", "value", "words"),
        [("weights", "cubic", "weights must be one of"), ("max_iter", 0, "max_iter must be an integer >= 1")],
    )
    def test_bad_parameter_is_named(self, param, value, words):
        """A bad ``weights`` or ``max_iter`` is an error naming it, what it expects and what it got."""
        with pytest.raises(InvalidParameterError, match=words) as err:
            IWMVLabelModel(**{param: value}).fit(np.array([[0, 1], [1, 1]]))
        assert repr(value) in str(err.value)

    def test_predict_before_fit_is_an_error(self):
        """``predict`` before ``fit`` says to fit first."""
        with pytest.raises(EstimatorError, match="call fit first"):
            IWMVLabelModel().predict(np.array([[0, 1]]))

    def test_unknown_labeler_is_an_error(self):
        """New votes from a labeler the model was not fitted on are refused by name."""
        table = pd.DataFrame({"item": [1, 1, 2], "labeler": ["a", "b", "a"], "label": [0, 1, 1]})
        model = IWMVLabelModel().fit(table)
        new = pd.DataFrame({"item": [3], "labeler": ["zed"], "label": [0]})
        with pytest.raises(InvalidParameterError, match="zed"):
            model.predict(new)


def test_docstring_example_prints_what_it_claims():
    """The module's doctest example gives its documented labels and weights."""
    import doctest

    from labelwise.weak import iwmv

    result = doctest.testmod(iwmv, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


class TestNamesWithoutTies:
    def test_renaming_items_and_permuting_classes_without_ties(self):
        """Without a tie in any round (five labelers, every one voting, two classes), renaming the items to
        another order and swapping the classes give the same labels, renamed, and the same weights."""
        votes, _ = homogeneous_crowd([0.8, 0.6, 0.55, 0.7, 0.65], 80, 2, seed=5)
        table = pd.DataFrame(
            [(i, f"w{j}", int(votes[i, j])) for i in range(80) for j in range(5)], columns=["item", "labeler", "label"]
        )
        base = IWMVLabelModel().fit(table)
        renamed = IWMVLabelModel().fit(table.assign(item=table.item.map(lambda i: f"x{79 - i:02d}")))
        swapped = IWMVLabelModel(labels=[1, 0]).fit(table.assign(label=1 - table.label))
        by_name = renamed.labels_.loc[[f"x{79 - i:02d}" for i in base.labels_.index]]
        np.testing.assert_array_equal(by_name.to_numpy(), base.labels_.to_numpy())
        np.testing.assert_allclose(renamed.weights_.to_numpy(), base.weights_.to_numpy())
        np.testing.assert_array_equal(1 - swapped.labels_.to_numpy(), base.labels_.to_numpy())
        np.testing.assert_allclose(swapped.weights_.to_numpy(), base.weights_.to_numpy())
