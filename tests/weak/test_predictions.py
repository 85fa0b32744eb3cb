"""Tests of ``weak.probs_to_preds``, ``weak.preds_to_probs``, ``weak.filter_labels`` and
``weak.score_predictions``, with Snorkel 0.10 (its own virtualenv, by subprocess, when
``LABELWISE_SNORKEL_PYTHON`` names its Python) computing the same on the same arrays."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidLabelsError, InvalidParameterError, InvalidProbabilitiesError, ShapeMismatchError
from labelwise.weak import filter_labels, preds_to_probs, probs_to_preds, score_predictions
from labelwise.weak.predictions import METRICS

SETTINGS = settings(max_examples=30, deadline=None)
SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))

#: rows of probabilities with many ties (values on a coarse grid)
tied_probs = st.integers(2, 4).flatmap(
    lambda k: st.lists(st.lists(st.integers(0, 2), min_size=k, max_size=k), min_size=1, max_size=30)
)


class TestProbsToPreds:
    def test_a_tie_abstains_or_is_broken_by_the_row_hash(self):
        """Snorkel's docstring example, and its hash rule: row i picks tied class sha1(str(i)) mod t."""
        assert probs_to_preds(np.array([[0.5, 0.5, 0.5]]), tie_break_policy="abstain").tolist() == [-1]
        assert probs_to_preds(np.array([[0.8, 0.1, 0.1]])).tolist() == [0]
        probs = np.full((12, 3), 1 / 3)
        expected = [int(hashlib.sha1(str(i).encode()).hexdigest(), 16) % 3 for i in range(12)]
        assert probs_to_preds(probs, "random").tolist() == expected
        probs[:, 0] = 0.0  # classes 1 and 2 tied: the pick is among them
        assert probs_to_preds(probs, "random").tolist() == [
            1 + int(hashlib.sha1(str(i).encode()).hexdigest(), 16) % 2 for i in range(12)
        ]

    def test_true_random_draws_from_the_seed(self):
        """The same seed gives the same draws; each draw is one of the tied classes."""
        probs = np.array([[0.5, 0.5, 0.0]] * 50)
        a = probs_to_preds(probs, "true-random", random_state=3)
        assert a.tolist() == probs_to_preds(probs, "true-random", random_state=3).tolist()
        assert set(a.tolist()) == {0, 1}

    def test_classes_within_tol_are_tied(self):
        """A difference below ``tol`` is a tie, above it is not."""
        probs = np.array([[0.5, 0.5 - 1e-6], [0.5, 0.49]])
        assert probs_to_preds(probs, "abstain").tolist() == [-1, 0]
        assert probs_to_preds(probs, "abstain", tol=1e-9).tolist() == [0, 0]

    def test_bad_inputs_are_named(self):
        """One column, NaN, text, an unknown policy and a negative tol are refused by name."""
        with pytest.raises(InvalidProbabilitiesError, match="probs must be a 2-D numeric array .*shape \\(2, 1\\)"):
            probs_to_preds(np.ones((2, 1)))
        with pytest.raises(InvalidProbabilitiesError, match="probs must be finite.*row 1"):
            probs_to_preds(np.array([[0.5, 0.5], [np.nan, 1.0]]))
        with pytest.raises(InvalidProbabilitiesError, match="dtype <U1"):
            probs_to_preds(np.array([["a", "b"]]))
        with pytest.raises(InvalidParameterError, match="tie_break_policy must be one of .*'first'"):
            probs_to_preds(np.ones((1, 2)), "first")
        with pytest.raises(InvalidParameterError, match="tol must be a finite number >= 0, got -1"):
            probs_to_preds(np.ones((1, 2)), tol=-1)

    @given(tied_probs, st.randoms(use_true_random=False))
    @SETTINGS
    def test_predictions_are_tied_classes_and_abstains_follow_rows(self, rows, rnd):
        """Every prediction is a maximal class; ``abstain`` marks exactly the tied rows, which a row
        permutation permutes, and renaming (permuting) the classes maps each unique maximum along."""
        probs = np.array(rows, dtype=float)
        for policy in ("random", "true-random", "abstain"):
            preds = probs_to_preds(probs, policy, random_state=0)
            ok = preds >= 0
            assert (probs[ok, preds[ok]] == probs[ok].max(axis=1)).all()
        tied = (probs == probs.max(axis=1, keepdims=True)).sum(axis=1) > 1
        abstained = probs_to_preds(probs, "abstain")
        assert ((abstained < 0) == tied).all()
        order = list(range(len(probs)))
        rnd.shuffle(order)
        assert probs_to_preds(probs[order], "abstain").tolist() == abstained[order].tolist()
        perm = np.array(rnd.sample(range(probs.shape[1]), probs.shape[1]))
        renamed = probs_to_preds(probs[:, perm], "abstain")
        assert np.where(renamed >= 0, perm[np.maximum(renamed, 0)], -1).tolist() == abstained.tolist()
        assert probs_to_preds(probs, "random").tolist() == probs_to_preds(probs, "random").tolist()


class TestPredsToProbs:
    def test_predictions_become_one_hot_rows(self):
        """A vector or a column gives one-hot rows."""
        assert preds_to_probs(np.array([[1], [0]]), 3).tolist() == [[0, 1, 0], [1, 0, 0]]

    def test_an_abstain_or_an_unknown_class_is_refused(self):
        """-1 has no probabilistic label; a code >= n_classes and a bad n_classes are named."""
        with pytest.raises(InvalidLabelsError, match="preds must hold no abstain .* position 1"):
            preds_to_probs([0, -1], 2)
        with pytest.raises(InvalidLabelsError, match="preds must hold class codes in -1..1, got 2 at position 0"):
            preds_to_probs([2], 2)
        with pytest.raises(InvalidParameterError, match="n_classes must be an integer >= 2, got 1"):
            preds_to_probs([0], 1)
        with pytest.raises(InvalidLabelsError, match="integer class codes"):
            preds_to_probs([0.5], 2)

    @given(st.lists(st.integers(0, 3), min_size=1, max_size=30))
    @SETTINGS
    def test_probs_to_preds_inverts_it(self, preds):
        """One-hot rows have no tie: their prediction is the class given."""
        assert probs_to_preds(preds_to_probs(preds, 4), "abstain").tolist() == preds


class TestFilterLabels:
    def test_a_row_filtered_in_any_array_leaves_every_array(self):
        """Snorkel's docstring example."""
        out = filter_labels(
            {"golds": np.array([-1, 0, 0, 1, 0]), "preds": np.array([0, 0, 0, 1, -1]), "probs": None},
            {"golds": [-1], "preds": [-1]},
        )
        assert out["golds"].tolist() == [0, 0, 1] and out["preds"].tolist() == [0, 0, 1] and out["probs"] is None

    def test_bad_inputs_are_named(self):
        """A filter on a missing array, and arrays of different lengths, are refused."""
        with pytest.raises(InvalidParameterError, match="filter_dict must name arrays of label_dict"):
            filter_labels({"golds": [0]}, {"preds": [-1]})
        with pytest.raises(ShapeMismatchError, match="one length"):
            filter_labels({"golds": [0], "preds": [0, 1]}, {"golds": [-1]})


class TestScorePredictions:
    def test_unknown_golds_and_abstains_are_left_out_except_from_coverage(self):
        """Accuracy over the scored rows, coverage over all."""
        scores = score_predictions([0, 1, 1, -1, 0], [0, 1, -1, 0, 1], metrics=["accuracy", "coverage", "f1_macro"])
        assert scores["accuracy"] == pytest.approx(2 / 3) and scores["coverage"] == 0.8
        assert scores["f1_macro"] == pytest.approx(2 / 3)

    def test_binary_metrics_and_roc_auc(self):
        """f1 scores class 1; roc_auc uses the probabilities of class 1."""
        probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
        scores = score_predictions([0, 1, 1, 1], [0, 1, 0, 1], probs, metrics=["f1", "roc_auc", "precision"])
        assert scores == {"f1": pytest.approx(0.8), "roc_auc": 1.0, "precision": 1.0}

    def test_bad_inputs_are_named(self):
        """An unknown metric, a binary metric on three classes, roc_auc without probs, mismatched lengths."""
        with pytest.raises(InvalidParameterError, match="metrics must be names from .*got 'auc'"):
            score_predictions([0], [0], metrics=["auc"])
        with pytest.raises(InvalidParameterError, match="'f1' scores class 1 of two"):
            score_predictions([0, 2], [0, 1], metrics=["f1"])
        with pytest.raises(InvalidParameterError, match="roc_auc' needs probabilities"):
            score_predictions([0, 1], [0, 1], metrics=["roc_auc"])
        with pytest.raises(ShapeMismatchError, match=r"the same\) number of rows"):
            score_predictions([0, 1], [0], metrics=["accuracy"])
        with pytest.raises(InvalidLabelsError, match="y must hold class codes in -1"):
            score_predictions([-3], [0])

    def test_nothing_left_to_score_is_nan(self):
        """Every prediction abstained: accuracy is NaN, coverage 0."""
        scores = score_predictions([0, 1], [-1, -1], metrics=["accuracy", "coverage"])
        assert np.isnan(scores["accuracy"]) and scores["coverage"] == 0.0


SNORKEL = """
import json, sys
import numpy as np
from snorkel.analysis import Scorer
from snorkel.utils import filter_labels, preds_to_probs, probs_to_preds
d = json.loads(sys.stdin.read())
probs, golds, preds = np.array(d["probs"]), np.array(d["golds"]), np.array(d["preds"])
out = {p: probs_to_preds(probs, p).tolist() for p in ("random", "abstain")}
out["onehot"] = preds_to_probs(np.array(d["valid"]), 3).tolist()
out["filtered"] = filter_labels({"golds": golds, "preds": preds}, {"golds": [-1], "preds": [-1]})["golds"].tolist()
out["scores"] = Scorer(metrics=d["metrics"]).score(golds, preds, probs)
print(json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_utilities_match_snorkel():
    """probs_to_preds (random and abstain policies), preds_to_probs, filter_labels and the metric
    scores equal Snorkel's on the same random arrays (exactly; scores to 1e-12)."""
    rng = np.random.default_rng(5)
    probs = rng.integers(0, 3, size=(400, 2)).astype(float) + 0.5  # many ties
    probs /= probs.sum(axis=1, keepdims=True)
    golds = rng.integers(-1, 2, size=400)
    preds = probs_to_preds(probs, "abstain")
    metrics = ["accuracy", "coverage", "precision", "recall", "f1", "f1_micro", "f1_macro", "matthews_corrcoef"]
    metrics.append("roc_auc")
    assert set(metrics) | {"fbeta"} == set(METRICS)
    data = {"probs": probs.tolist(), "golds": golds.tolist(), "preds": preds.tolist(), "metrics": metrics}
    data["valid"] = rng.integers(0, 3, size=50).tolist()
    done = subprocess.run(
        [str(SNORKEL_PYTHON), "-c", SNORKEL], input=json.dumps(data), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert probs_to_preds(probs, "random").tolist() == theirs["random"]
    assert preds.tolist() == theirs["abstain"]
    assert preds_to_probs(data["valid"], 3).tolist() == theirs["onehot"]
    ours = filter_labels({"golds": golds, "preds": preds}, {"golds": [-1], "preds": [-1]})
    assert ours["golds"].tolist() == theirs["filtered"]
    scores = score_predictions(golds, preds, probs, metrics=metrics)
    assert scores == pytest.approx(theirs["scores"], abs=1e-12)
