"""Where the exchangeable labelers' test (``LabelModel.shared_confusion_``) is recorded: every fit sets it (None where
it did not run), a saved model keeps it, and ``labelwise weak`` writes it to summary.json."""

from __future__ import annotations

import json

from click.testing import CliRunner

from labelwise.cli import main
from labelwise.weak import LabelModel, _exchangeable
from labelwise.weak._exchangeable import SharedTest
from tests.weak.test_exchangeable import slot_crowd

LFS = """
from labelwise.weak import labeling_function

def _slot(t):
    @labeling_function(name=f"s{t}")
    def vote(row):
        return getattr(row, f"s{t}")
    return vote

lfs = [_slot(t) for t in range(3)]
"""


def test_a_moment_only_fit_says_the_test_did_not_run():
    votes, _ = slot_crowd(400, 3, 3, [0.8, 0.8, 0.8], seed=2)
    assert LabelModel(n_em_iter=0).fit(votes).shared_confusion_ is None


def test_a_saved_model_keeps_the_test(tmp_path):
    votes, _ = slot_crowd(1500, 3, 3, [0.75, 0.75, 0.75], seed=3)
    model = LabelModel().fit(votes)
    assert isinstance(model.shared_confusion_, SharedTest)
    loaded = LabelModel().load(model.save(tmp_path / "model.npz"))
    assert loaded.shared_confusion_ == model.shared_confusion_
    assert isinstance(loaded.shared_confusion_, SharedTest)


def test_the_weak_command_writes_the_test_to_summary_json(tmp_path):
    votes, _ = slot_crowd(1500, 3, 3, [0.75, 0.75, 0.75], seed=3)
    table = votes.answers.pivot(index="item", columns="labeler", values="label")
    table.columns = [str(c) for c in table.columns]
    table.to_csv(tmp_path / "slots.csv", index=False)
    (tmp_path / "lfs.py").write_text(LFS)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "slots.csv"), "--out", str(out), "--quiet"]
    )
    assert result.exit_code == 0, result.output
    said = json.loads((out / "summary.json").read_text())["shared_confusion"]
    expected = LabelModel().fit(votes).shared_confusion_
    assert said["df"] == expected.df == 2 * 3 * 2
    assert said["p_value"] == expected.p_value
    assert said["kept"] is bool(expected.p_value >= _exchangeable.ALPHA)
