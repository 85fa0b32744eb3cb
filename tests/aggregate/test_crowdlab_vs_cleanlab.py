"""CrowdLab against cleanlab 2.9's ``get_label_quality_multiannotator`` (CROWDLAB by the paper's
authors) on the same answers and model probabilities.

cleanlab starts from the majority vote, estimates the weights, takes the argmax of the ensemble as
the consensus and estimates everything once more from it; labelwise repeats the last step until the
consensus stops changing. A labelwise run whose consensus has stopped changing by its second round
has made exactly cleanlab's computations, and then every output is compared: consensus labels,
consensus quality scores, the ensemble's probability of each annotator's label, model and annotator
weights, annotator quality and agreement with the consensus.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from labelwise.aggregate import CrowdLab
from tests.aggregate._crowd import confusion_crowd, load_crowd

multiannotator = pytest.importorskip("cleanlab.multiannotator")

EXACT = 1e-12


def _model_probs(truth: pd.Series, classes, acc: float, seed: int) -> np.ndarray:
    """A model right with probability ``acc``: 0.7 on its prediction plus Dirichlet noise (rows = sorted items)."""
    rng = np.random.default_rng(seed)
    k = len(classes)
    true_code = pd.Index(classes).get_indexer(truth.sort_index().to_numpy())
    pred = np.where(rng.random(len(truth)) < acc, true_code, (true_code + rng.integers(1, k, len(truth))) % k)
    p = rng.dirichlet(np.ones(k), len(truth)) * 0.3
    p[np.arange(len(truth)), pred] += 0.7
    return p


def _cleanlab(answers: pd.DataFrame, classes, probs: np.ndarray) -> dict:
    """cleanlab's results on the wide (item x annotator) table of class codes, items and annotators sorted."""
    codes = answers.assign(label=pd.Index(classes).get_indexer(answers["label"]))
    wide = codes.pivot(index="item", columns="annotator", values="label").astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return multiannotator.get_label_quality_multiannotator(wide, probs, return_weights=True, verbose=False)


def _assert_same_as_cleanlab(answers: pd.DataFrame, truth: pd.Series, acc: float, seed: int) -> bool:
    """labelwise against cleanlab: after one round the labels equal; after two the ensemble and the
    weights; the labels and the scores made from them too when the second round left the consensus
    unchanged (returned)."""
    classes = np.sort(answers["label"].unique())
    probs = _model_probs(truth, classes, acc, seed)
    ours = CrowdLab(max_iter=2).fit(answers, probs)
    theirs = _cleanlab(answers, ours.classes_, probs)
    quality, stats = theirs["label_quality"], theirs["annotator_stats"].reindex(ours.annotator_quality_.index)
    q = ours.probas_.to_numpy()
    consensus = quality["consensus_label"].to_numpy()
    np.testing.assert_array_equal(CrowdLab(max_iter=1).fit(answers, probs).label_codes_, consensus)
    np.testing.assert_allclose(q[np.arange(len(q)), consensus], quality["consensus_quality_score"], atol=EXACT)
    detailed = theirs["detailed_label_quality"].to_numpy()  # q at each annotator's label, NaN where none
    i = ours.probas_.index.get_indexer(answers["item"])
    j = ours.annotator_quality_.index.get_indexer(answers["annotator"])
    np.testing.assert_allclose(q[i, pd.Index(ours.classes_).get_indexer(answers["label"])], detailed[i, j], atol=EXACT)
    assert ours.model_weight_ == pytest.approx(theirs["model_weight"], abs=EXACT)
    np.testing.assert_allclose(ours.annotator_weight_.to_numpy(), theirs["annotator_weight"], atol=EXACT)
    if ours.converged_:
        np.testing.assert_array_equal(ours.label_codes_, consensus)
        np.testing.assert_allclose(ours.item_quality_.to_numpy(), quality["consensus_quality_score"], atol=EXACT)
        np.testing.assert_allclose(ours.annotator_quality_.to_numpy(), stats["annotator_quality"], atol=EXACT)
        np.testing.assert_allclose(ours.annotator_skill_.to_numpy(), stats["agreement_with_consensus"], atol=EXACT)
    return bool(ours.converged_)


class TestCrowdLabVsCleanlab:
    @pytest.mark.parametrize(
        "per_item, accuracies, model_acc, settled",
        [
            (2, (0.7, 0.65, 0.6, 0.7, 0.5), 0.85, True),
            (3, (0.9, 0.8, 0.6, 0.55, 0.75, 0.7), 0.7, False),
            (None, (0.7, 0.65, 0.6, 0.7, 0.5), 0.9, True),
        ],
    )
    def test_every_output_equals_cleanlab(self, per_item, accuracies, model_acc, settled):
        """The ensemble at every answer and at cleanlab's consensus, and the weights, equal cleanlab's; where
        labelwise's consensus settles in two rounds, so do the labels and the annotator scores."""
        answers, truth = confusion_crowd(400, 3, accuracies, per_item=per_item, seed=len(accuracies))
        assert _assert_same_as_cleanlab(answers, truth, model_acc, seed=per_item or 0) == settled

    def test_single_answer_items_and_uneven_annotators(self):
        """Items with one answer count in the ensemble but not in the weights, as in cleanlab."""
        answers, truth = confusion_crowd(500, 4, (0.8, 0.7, 0.6, 0.75, 0.65, 0.7, 0.55), per_item=2, seed=3)
        rng = np.random.default_rng(4)
        drop = (rng.random(len(answers)) < 0.25) & answers.duplicated("item")  # some items keep one answer
        answers = answers[~drop].reset_index(drop=True)
        assert (answers.groupby("item").size() == 1).sum() > 50
        assert _assert_same_as_cleanlab(answers, truth, 0.9, seed=5)  # settles in two rounds


@pytest.mark.slow
@pytest.mark.parametrize("name, model_acc", [("CF", 0.85), ("d_Duck_Identification", 0.8), ("smem_rte", 0.9)])
def test_real_answers_equal_cleanlab(shared_data, name, model_acc):
    """Real crowd answers with a simulated model (right on ``model_acc`` of the gold labels): first-round
    labels, the ensemble and the weights equal cleanlab's (on these sets a second round still moves the
    consensus)."""
    answers, gold = load_crowd(shared_data, name)
    _assert_same_as_cleanlab(answers, gold, model_acc, seed=0)
