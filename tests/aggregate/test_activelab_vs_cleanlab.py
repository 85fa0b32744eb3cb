"""ActiveLab against cleanlab 2.9's ``get_active_learning_scores`` (by the paper's authors) on the
same answers and model probabilities.

Two differences, both pinned here:

- cleanlab fits the temperature with ``value_counts`` on the float labels of its wide table, which
  for an item whose answers miss a class writes the counts into the first classes instead of the
  answered ones (``[0, 0, 4]`` becomes ``[4, 0, 0]``). With that count fixed (patched in the test),
  the temperatures are equal; unpatched, they differ.
- cleanlab's CROWDLAB re-estimates once; labelwise's repeats until the consensus settles. The scores
  are equal at every item whose consensus the extra rounds left unchanged (all items when it settles).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import CrowdLab, active_learning_scores
from labelwise.aggregate.activelab import scale_temperature
from tests.aggregate._crowd import confusion_crowd

multiannotator = pytest.importorskip("cleanlab.multiannotator")
utils = pytest.importorskip("cleanlab.internal.multiannotator_utils")

EXACT = 1e-12


def _model_probs(truth: pd.Series, k: int, acc: float, seed: int) -> np.ndarray:
    """A model right with probability ``acc``: 0.7 on its prediction plus Dirichlet noise (rows = sorted items)."""
    rng = np.random.default_rng(seed)
    true_code = truth.sort_index().to_numpy()
    pred = np.where(rng.random(len(truth)) < acc, true_code, (true_code + rng.integers(1, k, len(truth))) % k)
    p = rng.dirichlet(np.ones(k), len(truth)) * 0.3
    p[np.arange(len(truth)), pred] += 0.7
    return p


def _wide(answers: pd.DataFrame) -> np.ndarray:
    """cleanlab's input: items x annotators, class codes, NaN where no answer."""
    return answers.pivot(index="item", columns="annotator", values="label").astype(float).to_numpy()


def _cleanlab(answers: pd.DataFrame, probs: np.ndarray, unlabeled: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return multiannotator.get_active_learning_scores(
            _wide(answers), probs.copy(), None if unlabeled is None else unlabeled.copy()
        )


@pytest.fixture
def counted_by_class(monkeypatch):
    """cleanlab's empirical answer distribution with each count at its own class."""

    def value_counts(x, num_classes=None, **_):
        return np.bincount(np.asarray(x).astype(int), minlength=num_classes)

    monkeypatch.setattr(utils, "value_counts", value_counts)


CROWDS = [
    (2, (0.7, 0.65, 0.6, 0.7, 0.5), 0.85),
    (3, (0.9, 0.8, 0.6, 0.55, 0.75, 0.7), 0.7),
    (None, (0.7, 0.65, 0.6, 0.7, 0.5), 0.9),
]


class TestActiveLabVsCleanlab:
    @pytest.mark.parametrize("per_item, accuracies, model_acc", CROWDS)
    def test_scores_equal_cleanlab_wherever_the_consensus_settled(
        self, counted_by_class, per_item, accuracies, model_acc
    ):
        """Two rounds, as cleanlab: temperature, weights and unlabeled scores equal cleanlab's, labeled
        scores at every item whose consensus the second round did not move (cleanlab keeps the first
        round's consensus and scores the second round's ensemble at it)."""
        answers, truth = confusion_crowd(400, 3, accuracies, per_item=per_item, seed=len(accuracies))
        probs = _model_probs(truth, 3, model_acc, seed=per_item or 0)
        unlabeled = np.random.default_rng(1).dirichlet(np.ones(3), 60)
        ours = active_learning_scores(answers, probs, unlabeled, max_iter=2)
        theirs, theirs_unlabeled = _cleanlab(answers, probs, unlabeled)
        assert ours.temperature == utils.find_best_temp_scaler(_wide(answers), probs)
        np.testing.assert_allclose(ours.unlabeled.to_numpy(), theirs_unlabeled, atol=EXACT)
        scaled = scale_temperature(probs, ours.temperature)
        first = CrowdLab(max_iter=1).fit(answers, scaled).label_codes_  # cleanlab's consensus
        settled = CrowdLab(max_iter=2).fit(answers, scaled).label_codes_ == first
        assert settled.mean() > 0.9
        np.testing.assert_allclose(ours.labeled.to_numpy()[settled], theirs[settled], atol=EXACT)
        moved = ~settled
        assert (np.abs(ours.labeled.to_numpy()[moved] - theirs[moved]) > 1e-6).all()

    def test_two_rounds_that_settle_equal_cleanlab_everywhere(self, counted_by_class):
        """A crowd whose consensus settles in two rounds: every score equals cleanlab's, at any max_iter."""
        answers, truth = confusion_crowd(200, 3, (0.9, 0.85, 0.8, 0.9), per_item=3, seed=0)
        probs = _model_probs(truth, 3, 0.9, seed=3)
        ours = active_learning_scores(answers, probs)
        assert CrowdLab(max_iter=2).fit(answers, scale_temperature(probs, ours.temperature)).converged_
        theirs, _ = _cleanlab(answers, probs, None)
        np.testing.assert_allclose(ours.labeled.to_numpy(), theirs, atol=EXACT)

    def test_single_answer_items_equal_cleanlab(self):
        """One answer per item: no temperature, weights 1, the model's confidence in the given label."""
        answers, truth = confusion_crowd(200, 4, (0.8, 0.7, 0.6), per_item=1, seed=5)
        probs = _model_probs(truth, 4, 0.8, seed=6)
        unlabeled = np.random.default_rng(2).dirichlet(np.ones(4), 30)
        ours = active_learning_scores(answers, probs, unlabeled)
        theirs, theirs_unlabeled = _cleanlab(answers, probs, unlabeled)
        assert ours.temperature == 1.0 and ours.model_weight == 1.0
        np.testing.assert_allclose(ours.labeled.to_numpy(), theirs, atol=EXACT)
        np.testing.assert_allclose(ours.unlabeled.to_numpy(), theirs_unlabeled, atol=EXACT)

    def test_unlabeled_only_equals_cleanlab(self):
        """Only items without answers: the model's confidence shrunk halfway to 1/K."""
        unlabeled = np.random.default_rng(3).dirichlet(np.ones(3), 40)
        ours = active_learning_scores(None, probs_unlabeled=unlabeled)
        _, theirs = multiannotator.get_active_learning_scores(pred_probs_unlabeled=unlabeled.copy())
        np.testing.assert_allclose(ours.unlabeled.to_numpy(), theirs, atol=EXACT)

    def test_cleanlab_temperature_counts_answers_at_the_first_classes(self):
        """Unpatched, cleanlab's temperature search sees an item answered [0, 0, 4] as [4, 0, 0], so on
        answers concentrated on the last class its temperature is not the one that fits the answers."""
        answers, truth = confusion_crowd(400, 3, (0.7, 0.65, 0.6, 0.7, 0.5), per_item=2, seed=5)
        probs = _model_probs(truth, 3, 0.85, seed=2)
        ours = active_learning_scores(answers, probs)
        assert ours.temperature != utils.find_best_temp_scaler(_wide(answers), probs)


class TestEnsembleVsCleanlab:
    def _ensemble(self, per_item, seed):
        answers, truth = confusion_crowd(300, 3, (0.85, 0.8, 0.75, 0.8), per_item=per_item, seed=seed)
        probs = np.stack([_model_probs(truth, 3, acc, seed=seed + m) for m, acc in enumerate((0.9, 0.75, 0.6))])
        unlabeled = np.random.default_rng(seed).dirichlet(np.ones(3), (3, 40))
        return answers, probs, unlabeled

    def test_ensemble_scores_equal_cleanlab(self, counted_by_class):
        """Three models: per-model temperatures and weights, and every score, equal cleanlab's
        ``get_active_learning_scores_ensemble`` on a crowd whose consensus settles in two rounds."""
        answers, probs, unlabeled = self._ensemble(3, 12)
        ours = active_learning_scores(answers, list(probs), list(unlabeled))
        scaled = [scale_temperature(p, t) for p, t in zip(probs, ours.temperature, strict=True)]
        assert CrowdLab(max_iter=2).fit(answers, scaled).converged_
        assert len(ours.model_weight) == 3 and ours.model_weight[0] > ours.model_weight[2]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs, theirs_unlabeled = multiannotator.get_active_learning_scores_ensemble(
                _wide(answers), probs.copy(), unlabeled.copy()
            )
        np.testing.assert_allclose(ours.labeled.to_numpy(), theirs, atol=EXACT)
        np.testing.assert_allclose(ours.unlabeled.to_numpy(), theirs_unlabeled, atol=EXACT)
        three_d = active_learning_scores(answers, probs, unlabeled)  # the same as a (P, n, K) array
        np.testing.assert_allclose(three_d.labeled.to_numpy(), ours.labeled.to_numpy())

    def test_single_answer_ensemble_equals_cleanlab(self):
        """One answer per item: weights 1 per model and annotator, the models' mean at the given label."""
        answers, probs, unlabeled = self._ensemble(1, 4)
        ours = active_learning_scores(answers, probs, unlabeled)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs, theirs_unlabeled = multiannotator.get_active_learning_scores_ensemble(
                _wide(answers), probs.copy(), unlabeled.copy()
            )
        np.testing.assert_allclose(ours.labeled.to_numpy(), theirs, atol=EXACT)
        np.testing.assert_allclose(ours.unlabeled.to_numpy(), theirs_unlabeled, atol=EXACT)

    def test_one_model_ensemble_is_the_single_model(self):
        """A list of one model gives the single model's scores."""
        answers, probs, unlabeled = self._ensemble(2, 6)
        one = active_learning_scores(answers, probs[0], unlabeled[0])
        listed = active_learning_scores(answers, [probs[0]], [unlabeled[0]])
        pd.testing.assert_frame_equal(one.to_frame(), listed.to_frame())

    def test_crowdlab_ensemble_weights_equal_cleanlab(self):
        """CrowdLab on a list of models: one weight per model, the annotator weights and the consensus
        quality equal cleanlab's ``get_label_quality_multiannotator_ensemble`` (consensus settled)."""
        answers, probs, _ = self._ensemble(3, 4)
        ours = CrowdLab(max_iter=2).fit(answers, list(probs))
        assert ours.converged_
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wide = answers.pivot(index="item", columns="annotator", values="label").astype(float)  # named annotators
            theirs = multiannotator.get_label_quality_multiannotator_ensemble(
                wide, probs.copy(), return_weights=True, verbose=False
            )
        np.testing.assert_allclose(ours.model_weight_, theirs["model_weight"], atol=EXACT)
        np.testing.assert_allclose(ours.annotator_weight_.to_numpy(), theirs["annotator_weight"], atol=EXACT)
        quality = theirs["label_quality"]
        np.testing.assert_array_equal(ours.label_codes_, quality["consensus_label"])
        np.testing.assert_allclose(ours.item_quality_.to_numpy(), quality["consensus_quality_score"], atol=EXACT)
        stats = theirs["annotator_stats"].reindex(ours.annotator_quality_.index)
        np.testing.assert_allclose(ours.annotator_quality_.to_numpy(), stats["annotator_quality"], atol=EXACT)
