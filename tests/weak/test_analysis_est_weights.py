"""``weak.analysis(..., est_weights=...)``: Snorkel 0.10's ``LFAnalysis.lf_summary(Y, est_weights)``, whose
"Learned Weight" column shows a weight per function beside its statistics; Snorkel itself (its own
virtualenv, by subprocess, when ``LABELWISE_SNORKEL_PYTHON`` names its Python) gives the same table."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labelwise import weak
from labelwise.errors import ShapeMismatchError

SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))


@pytest.fixture(scope="module")
def sim():
    return weak.simulate_lfs(400, 4, 2, random_state=3)


class TestEstWeights:
    def test_weights_by_position_are_a_column(self, sim):
        """An array gives learned_weight in the functions' order; the other columns are unchanged."""
        weights = np.array([0.9, 0.1, 0.5, 0.7])
        table = weak.analysis(sim.votes, gold=sim.truth, est_weights=weights)
        assert table["learned_weight"].tolist() == weights.tolist()
        pd.testing.assert_frame_equal(table.drop(columns="learned_weight"), weak.analysis(sim.votes, gold=sim.truth))

    def test_a_label_models_weights_and_a_series_by_name(self, sim):
        """get_weights() fits by position; a Series is matched by labeler name, whatever its order."""
        model = weak.LabelModel().fit(sim.votes)
        table = weak.analysis(sim.votes, est_weights=model.get_weights())
        np.testing.assert_array_equal(table["learned_weight"].to_numpy(), model.get_weights())
        by_name = pd.Series([4.0, 3.0, 2.0, 1.0], index=list(reversed(sim.votes.labelers)))
        named = weak.analysis(sim.votes, est_weights=by_name)["learned_weight"]
        assert named.tolist() == [1.0, 2.0, 3.0, 4.0]

    def test_wrong_weights_are_refused_by_name(self, sim):
        """A wrong length, text, or a Series lacking a labeler is an error naming est_weights."""
        with pytest.raises(ShapeMismatchError, match=r"est_weights must hold one number per labeling function \(4\)"):
            weak.analysis(sim.votes, est_weights=[0.5, 0.5])
        with pytest.raises(ShapeMismatchError, match="est_weights must hold one number"):
            weak.analysis(sim.votes, est_weights=["a", "b", "c", "d"])
        with pytest.raises(ShapeMismatchError, match="est_weights as a Series must be indexed by the labelers"):
            weak.analysis(sim.votes, est_weights=pd.Series([1.0], index=["lf_0"]))


SNORKEL = """
import json, sys
import numpy as np
from snorkel.labeling import LFAnalysis
d = json.loads(sys.stdin.read())
s = LFAnalysis(np.array(d["L"])).lf_summary(Y=np.array(d["y"]), est_weights=np.array(d["w"]))
print(json.dumps({c: s[c].tolist() for c in ["Coverage", "Overlaps", "Conflicts", "Correct", "Incorrect",
                                              "Emp. Acc.", "Learned Weight"]}))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_summary_with_weights_matches_snorkel():
    """On simulated votes with a fitted label model's weights, every column equals Snorkel's lf_summary."""
    sim = weak.simulate_lfs(1500, 6, 3, random_state=11)
    weights = weak.LabelModel().fit(sim.votes).get_weights()
    data = {"L": sim.votes.matrix().tolist(), "y": np.asarray(sim.truth).tolist(), "w": weights.tolist()}
    done = subprocess.run(
        [str(SNORKEL_PYTHON), "-c", SNORKEL], input=json.dumps(data), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours = weak.analysis(sim.votes.matrix(), gold=np.asarray(sim.truth), est_weights=weights)
    names = {"Coverage": "coverage", "Overlaps": "overlaps", "Conflicts": "conflicts", "Correct": "correct"}
    names |= {"Incorrect": "incorrect", "Emp. Acc.": "empirical_accuracy", "Learned Weight": "learned_weight"}
    for column, ours_name in names.items():
        np.testing.assert_allclose(ours[ours_name].to_numpy(dtype=float), theirs[column], rtol=0, atol=1e-12)
