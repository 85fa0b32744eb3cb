"""``labelwise weak --one-class-rules/--no-one-class-rules``: the label model's one-class-rule fit
(``LabelModel(one_class_rules=...)``) from the command line, recorded in summary.json.

The rules are shared-trigger exploration set 213 K=2 (``benchmarks/dev_weak_shared_triggers.py``), where the fit
with the switch on joins the rules reading one trigger and so differs from the default; each rule is a labeling
function reading its column.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.weak import LabelModel
from tests.weak.test_one_class_fit import _triggers

LFS = """
import pandas as pd
from labelwise.weak import labeling_function

def _rule(i):
    @labeling_function(name=f"r{i}")
    def vote(row):
        value = getattr(row, f"r{i}")
        return None if pd.isna(value) else int(value)
    return vote

lfs = [_rule(i) for i in range(N_RULES)]
"""


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> tuple[Path, Path, np.ndarray]:
    folder = tmp_path_factory.mktemp("one_class")
    matrix, _, _ = _triggers().shared_trigger_set(213, 2)
    table = pd.DataFrame(matrix, columns=[f"r{i}" for i in range(matrix.shape[1])]).astype("Int64")
    table.mask(table == -1).to_csv(folder / "votes.csv", index=False)
    (folder / "lfs.py").write_text(LFS.replace("N_RULES", str(matrix.shape[1])))
    return folder / "lfs.py", folder / "votes.csv", matrix


def _run(rules: tuple[Path, Path, np.ndarray], out: Path, *flags: str):
    lfs, data, _ = rules
    argv = ["weak", str(lfs), str(data), "--classes", "0,1", "--out", str(out), "--quiet", *flags]
    return CliRunner().invoke(main, argv)


def _probs(out: Path) -> np.ndarray:
    labels = pd.read_csv(out / "labels.csv")
    return labels[["prob_0", "prob_1"]].to_numpy()


def test_one_class_rules_fits_what_the_api_fits_and_says_so(rules, tmp_path):
    """--one-class-rules: labels.csv holds LabelModel(one_class_rules=True)'s probabilities, unlike the default's,
    and summary.json records the flag each way (no flag: on, the model's default since session 52)."""
    on, off, default = tmp_path / "on", tmp_path / "off", tmp_path / "default"
    for out, flags in ((on, ("--one-class-rules",)), (off, ("--no-one-class-rules",)), (default, ())):
        result = _run(rules, out, *flags)
        assert result.exit_code == 0, result.output
    said = {
        name: json.loads((o / "summary.json").read_text())["one_class_rules"]
        for name, o in (("on", on), ("off", off), ("default", default))
    }
    assert said == {"on": True, "off": False, "default": True}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = LabelModel(labels=[0, 1], one_class_rules=True, random_state=0).fit(rules[2])
    covered = (rules[2] != -1).any(axis=1)
    np.testing.assert_allclose(_probs(on)[covered], api.probas_.to_numpy()[covered], atol=1e-9)
    np.testing.assert_array_equal(_probs(on), _probs(default))
    assert np.abs(_probs(on) - _probs(off)).max() > 0.1


@pytest.mark.parametrize("flag", ["--one-class-rules", "--no-one-class-rules"])
def test_one_class_rules_with_another_model_is_refused(rules, tmp_path, flag):
    """The flag belongs to --model label-model: with Dawid-Skene's model it is refused by name, nothing written."""
    result = _run(rules, tmp_path / "out", "--model", "dawid-skene", flag)
    assert result.exit_code != 0
    assert f"{flag} is an option of --model label-model (its one-class-rule fit)" in result.output
    assert not (tmp_path / "out").exists()
