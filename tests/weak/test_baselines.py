"""Tests of the baseline label models ``weak.MajorityLabelVoter``, ``weak.MajorityClassVoter`` and
``weak.RandomVoter``, with Snorkel 0.10's baselines (by subprocess, when ``LABELWISE_SNORKEL_PYTHON``
names its Python) computing the same on the same votes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import EstimatorError, InvalidLabelsError, InvalidParameterError
from labelwise.weak import MajorityClassVoter, MajorityLabelVoter, RandomVoter, Votes

SETTINGS = settings(max_examples=15, deadline=None)
SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))

L = np.array([[0, 0, -1], [-1, 0, 1], [1, -1, 1], [-1, -1, -1]])

matrices = st.integers(1, 5).flatmap(
    lambda m: st.lists(st.lists(st.integers(-1, 2), min_size=m, max_size=m), min_size=2, max_size=30)
)


def _table(matrix: np.ndarray, names: list[str], classes: list[str]) -> pd.DataFrame:
    rows = [(i, names[j], classes[v]) for i, row in enumerate(matrix) for j, v in enumerate(row) if v >= 0]
    return pd.DataFrame(rows, columns=["item", "labeler", "label"])


class TestMajorityLabelVoter:
    def test_ties_and_empty_rows_share_the_probability(self):
        """Snorkel's docstring example, plus a row nobody voted on (uniform)."""
        model = MajorityLabelVoter().fit(L)
        assert model.predict_proba(L).to_numpy().tolist() == [[1, 0], [0.5, 0.5], [0, 1], [0.5, 0.5]]
        assert model.predict(L, tie_break_policy="abstain").tolist() == [0, -1, 1, -1]

    def test_default_predictions_draw_each_tied_item(self):
        """Without a policy, each tied item draws one of its top classes (session 49: items with the same
        counts are no longer sent to one class together); untied items get their top class."""
        votes = np.array([[0, 1], [1, 0], [0, 1], [0, 0]] * 5)
        preds = MajorityLabelVoter().fit(votes).predict(votes)
        assert (preds.iloc[3::4] == 0).all() and set(preds[votes[:, 0] != votes[:, 1]]) == {0, 1}

    def test_string_classes_and_a_table(self):
        """Votes as a long table of string labels: labels are class names, an abstain is None."""
        table = _table(L, ["a", "b", "c"], ["neg", "pos"])
        table = Votes(table, pd.RangeIndex(4), ("a", "b", "c"), np.array(["neg", "pos"], dtype=object))
        model = MajorityLabelVoter(labels=["neg", "pos"]).fit(table)
        assert model.predict(table, tie_break_policy="abstain").tolist() == ["neg", None, "pos", None]
        assert model.score(table, pd.Series(["neg", "pos", "pos", "neg"]), metrics=["accuracy", "coverage"]) == {
            "accuracy": 1.0,
            "coverage": 0.5,
        }

    def test_unfitted_and_bad_gold_labels_are_named(self):
        """predict before fit, a gold label that is no class and gold of another length are refused."""
        with pytest.raises(EstimatorError, match="MajorityLabelVoter must be fitted before predict_proba"):
            MajorityLabelVoter().predict(L)
        model = MajorityLabelVoter().fit(L)
        with pytest.raises(InvalidLabelsError, match=r"y must hold the model's classes \[0, 1\] or -1 .*got 7"):
            model.score(L, [0, 1, 7, 0])
        with pytest.raises(Exception, match="y must have one label per item"):
            model.score(L, [0, 1])
        with pytest.raises(InvalidParameterError, match="tie_break_policy must be one of"):
            model.score(L, [0, 1, 1, 0], tie_break_policy="first")

    @given(matrices, st.randoms(use_true_random=False))
    @SETTINGS
    def test_permuting_rows_and_renaming_labelers_and_classes_changes_nothing(self, rows, rnd):
        """Rows permute with the items (named by their index: a matrix's rows are named by position, so
        permuting them renames the items and may move a tied item's draw); renamed labelers and classes
        (in another order) give the same probabilities per class and the same default predictions."""
        matrix = np.array(rows)
        if not (matrix >= 0).any():
            return
        model = MajorityLabelVoter(labels=[0, 1, 2]).fit(matrix)
        probs, preds = model.predict_proba(matrix), model.predict(matrix)
        order = list(range(len(matrix)))
        rnd.shuffle(order)
        assert model.predict_proba(matrix[order]).to_numpy().tolist() == probs.to_numpy()[order].tolist()
        lfs = [f"lf_{j}" for j in range(matrix.shape[1])]
        shuffled = Votes(_table(matrix, lfs, [0, 1, 2]), pd.Index(order), tuple(lfs), np.array([0, 1, 2]))
        assert model.predict(shuffled).tolist() == preds.to_numpy()[order].tolist()
        names = [f"lf{j}" for j in range(matrix.shape[1])][::-1]
        table = _table(matrix, names, ["z", "y", "x"])
        renamed = MajorityLabelVoter(labels=["z", "y", "x"]).fit(table)
        votes = Votes(table, pd.RangeIndex(len(matrix)), tuple(names), np.array(["z", "y", "x"], dtype=object))
        other = renamed.predict_proba(votes)
        assert other[["z", "y", "x"]].to_numpy().tolist() == probs.to_numpy().tolist()


class TestMajorityClassVoter:
    def test_every_item_gets_the_most_frequent_class(self):
        """Snorkel's docstring example; a tie for the largest share splits the probability."""
        model = MajorityClassVoter(class_balance=[0.8, 0.2]).fit(L)
        assert model.predict_proba(L).to_numpy().tolist() == [[1.0, 0.0]] * 4
        tied = MajorityClassVoter(class_balance="uniform").fit(L)
        assert tied.predict_proba(L).to_numpy().tolist() == [[0.5, 0.5]] * 4
        assert set(tied.predict(L)) <= {0, 1} and tied.predict(L, tie_break_policy="abstain").tolist() == [-1] * 4

    def test_balance_from_votes_or_from_dev_labels(self):
        """The vote shares by default; gold dev labels with y_dev (every class needed)."""
        votes = np.array([[1, 1], [1, -1], [0, 1]])
        assert MajorityClassVoter().fit(votes).class_balance_.tolist() == pytest.approx([1 / 6, 5 / 6])
        assert MajorityClassVoter().fit(votes, y_dev=[0, 0, 1]).class_balance_.tolist() == pytest.approx([2 / 3, 1 / 3])
        with pytest.raises(InvalidLabelsError, match=r"y_dev must hold every class \[0, 1\] at least once"):
            MajorityClassVoter().fit(votes, y_dev=[0, 0])
        with pytest.raises(InvalidParameterError, match="class_balance must be"):
            MajorityClassVoter(class_balance=[0.5, 0.6]).fit(votes)


class TestRandomVoter:
    def test_probabilities_are_seeded_rows_summing_to_one(self):
        """The same seed gives the same rows; another seed others."""
        a = RandomVoter(random_state=1).fit(L).predict_proba(L)
        assert np.allclose(a.sum(axis=1), 1) and a.equals(RandomVoter(random_state=1).fit(L).predict_proba(L))
        assert not a.equals(RandomVoter(random_state=2).fit(L).predict_proba(L))


SNORKEL = """
import json, sys
import numpy as np
from snorkel.labeling.model import MajorityClassVoter, MajorityLabelVoter
d = json.loads(sys.stdin.read())
L, y = np.array(d["L"]), np.array(d["y"])
mv = MajorityLabelVoter(cardinality=3)
mc = MajorityClassVoter(cardinality=3)
mc.fit(balance=np.array(d["balance"]))
out = {
    "mv": mv.predict_proba(L).tolist(),
    "mv_random": mv.predict(L, tie_break_policy="random").tolist(),
    "mv_abstain": mv.predict(L, tie_break_policy="abstain").tolist(),
    "mv_score": mv.score(L, y, metrics=["accuracy", "coverage", "f1_macro"]),
    "mc": mc.predict_proba(L).tolist(),
}
print(json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_baselines_match_snorkel():
    """Majority vote's probabilities, its predictions under the random and abstain policies and its
    scores, and the majority class's probabilities, equal Snorkel's on the same random votes."""
    rng = np.random.default_rng(11)
    votes = rng.integers(-1, 3, size=(500, 4))
    votes[:, 0] = np.where(rng.random(500) < 0.5, -1, 2)  # a labeler voting one class or abstaining
    y = rng.integers(-1, 3, size=500)
    balance = [0.2, 0.5, 0.3]
    data = {"L": votes.tolist(), "y": y.tolist(), "balance": balance}
    done = subprocess.run(
        [str(SNORKEL_PYTHON), "-c", SNORKEL], input=json.dumps(data), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    mv = MajorityLabelVoter(labels=[0, 1, 2]).fit(votes)
    np.testing.assert_allclose(mv.predict_proba(votes).to_numpy(), np.array(theirs["mv"]), rtol=0, atol=1e-15)
    assert mv.predict(votes, tie_break_policy="random").tolist() == theirs["mv_random"]
    assert mv.predict(votes, tie_break_policy="abstain").tolist() == theirs["mv_abstain"]
    assert mv.score(votes, y, metrics=["accuracy", "coverage", "f1_macro"]) == pytest.approx(theirs["mv_score"])
    mc = MajorityClassVoter(class_balance=balance, labels=[0, 1, 2]).fit(votes)
    assert mc.predict_proba(votes).to_numpy().tolist() == theirs["mc"]
