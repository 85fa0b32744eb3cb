"""A batch no labeling function fired on, as Snorkel 0.10 handles it: ``PandasLFApplier`` gives a label
matrix of -1 and every model predicts on it. ``weak.apply`` with declared classes gives its (empty)
``Votes``, and every model's ``predict_proba`` / ``predict`` / ``score`` take it, or its matrix, with
the posterior each of those rows gets inside a batch that holds votes. A fit on it stays an error."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import AnnotationError

SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))

MODELS = [
    weak.LabelModel,
    lambda: weak.LabelModel(abstains="missing"),
    weak.DawidSkeneLabelModel,
    weak.IWMVLabelModel,
    weak.MajorityLabelVoter,
    weak.MajorityClassVoter,
]


@pytest.fixture(scope="module")
def sim():
    return weak.simulate_lfs(600, 5, 3, random_state=1)


@weak.labeling_function(abstain=-1)
def says_win(x):
    return 1 if "win" in x.text else -1


@weak.labeling_function(abstain=-1)
def says_hi(x):
    return 0 if "hi" in x.text else -1


class TestApplyWithoutAVote:
    def test_declared_classes_give_the_all_abstain_votes(self):
        """With classes=, a batch no function votes on gives Votes whose matrix is all -1 (Snorkel's L)."""
        votes = weak.apply([says_win, says_hi], pd.DataFrame({"text": ["ok", "zzz"]}), classes=[0, 1])
        assert votes.matrix().tolist() == [[-1, -1], [-1, -1]]
        assert votes.classes.tolist() == [0, 1] and votes.labelers == ("says_win", "says_hi")

    def test_without_classes_the_error_says_to_declare_them(self):
        """Without classes the classes are unknown: still an error, now naming the way out."""
        with pytest.raises(AnnotationError, match="abstained on every row .*declare classes="):
            weak.apply([says_win, says_hi], pd.DataFrame({"text": ["ok"]}))

    def test_a_new_batch_without_votes_is_predicted(self):
        """Snorkel's loop: fit on the training rows, apply to a new batch, predict; here no rule fires on it."""
        train = pd.DataFrame({"text": ["win now", "hi there", "win hi", "ok"] * 30})
        model = weak.MajorityLabelVoter().fit(weak.apply([says_win, says_hi], train, classes=[0, 1]))
        new = weak.apply([says_win, says_hi], pd.DataFrame({"text": ["ok", "zzz"]}, index=[7, 9]), classes=[0, 1])
        assert model.predict(new, tie_break_policy="abstain").to_dict() == {7: -1, 9: -1}
        assert model.predict_proba(new).to_numpy().tolist() == [[0.5, 0.5], [0.5, 0.5]]


class TestPredictOnAllAbstainRows:
    @pytest.mark.parametrize("make", MODELS)
    def test_all_abstain_rows_alone_get_what_they_get_among_voted_rows(self, sim, make):
        """predict_proba and predict (abstain policy) of a matrix of -1 rows equal those rows' results in a
        batch that also holds voted rows; a Votes without a vote gives the same."""
        model = make().fit(sim.votes)
        empty = np.full((3, 5), -1)
        mixed = np.vstack([sim.votes.matrix()[:4], empty])
        alone = model.predict_proba(empty).to_numpy()
        np.testing.assert_allclose(alone, model.predict_proba(mixed).to_numpy()[4:], rtol=0, atol=1e-12)
        no_votes = weak.Votes(sim.votes.answers.iloc[:0], pd.RangeIndex(3), sim.votes.labelers, sim.votes.classes)
        np.testing.assert_allclose(model.predict_proba(no_votes).to_numpy(), alone, rtol=0, atol=1e-12)
        together = model.predict(mixed, tie_break_policy="abstain").to_numpy()[4:]
        assert model.predict(empty, tie_break_policy="abstain").tolist() == together.tolist()

    def test_majority_voter_abstains_and_scores_no_coverage(self, sim):
        """MajorityLabelVoter's all-abstain rows are a tie: -1 under "abstain", coverage 0 in score."""
        model = weak.MajorityLabelVoter().fit(sim.votes)
        empty = np.full((2, 5), -1)
        assert model.predict(empty, tie_break_policy="abstain").tolist() == [-1, -1]
        assert model.score(empty, [0, 1], metrics=["coverage"]) == {"coverage": 0.0}

    def test_a_uniform_missing_abstain_model_abstains_on_them_as_snorkel(self, sim):
        """With a uniform balance and abstains as missing answers a no-vote row is a tie: -1, Snorkel's answer."""
        model = weak.LabelModel(class_balance="uniform", abstains="missing").fit(sim.votes)
        assert model.predict(np.full((2, 5), -1), tie_break_policy="abstain").tolist() == [-1, -1]

    @pytest.mark.parametrize("make", [*MODELS, weak.RandomVoter])
    def test_a_fit_on_votes_without_a_vote_is_an_error(self, sim, make):
        """Every model refuses to fit on a Votes without a vote, naming why."""
        no_votes = weak.Votes(sim.votes.answers.iloc[:0], pd.RangeIndex(3), sim.votes.labelers, sim.votes.classes)
        with pytest.raises(AnnotationError, match="every labeler abstained on every one of the 3 items"):
            make().fit(no_votes)

    def test_a_fit_on_an_all_abstain_matrix_is_still_an_error(self):
        """The matrix form is refused as before."""
        with pytest.raises(AnnotationError, match="every labeler abstained"):
            weak.LabelModel().fit(np.full((4, 2), -1))


SNORKEL = """
import json, sys
import numpy as np
from snorkel.labeling.model import MajorityLabelVoter
d = json.loads(sys.stdin.read())
mv = MajorityLabelVoter(cardinality=d["k"])
L = np.array(d["L"])
out = {"abstain": mv.predict(L, tie_break_policy="abstain").tolist(), "proba": mv.predict_proba(L).tolist()}
out["score"] = mv.score(L, np.array(d["y"]), metrics=["coverage"], tie_break_policy="abstain")  # accuracy raises
print(json.dumps(out, default=float))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_majority_voter_on_an_all_abstain_matrix_matches_snorkel():
    """MajorityLabelVoter on a matrix of -1 only: Snorkel's predictions, probabilities and coverage (Snorkel's
    accuracy raises there, with nothing left to score; labelwise's is NaN)."""
    sim = weak.simulate_lfs(300, 4, 3, random_state=2)
    model = weak.MajorityLabelVoter().fit(sim.votes)
    L, y = np.full((5, 4), -1), [0, 1, 2, 0, 1]
    data = {"k": 3, "L": L.tolist(), "y": y}
    done = subprocess.run(
        [str(SNORKEL_PYTHON), "-c", SNORKEL], input=json.dumps(data), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    assert model.predict(L, tie_break_policy="abstain").tolist() == theirs["abstain"]
    np.testing.assert_allclose(model.predict_proba(L).to_numpy(), theirs["proba"], rtol=0, atol=1e-12)
    assert model.score(L, y, metrics=["coverage"]) == theirs["score"]
