"""The one-class fit (``LabelModel(one_class_rules=True)``, the default) records its fits' warnings and shows the kept
fit's: labelwise's own warnings at the line that called the fit, not at a line inside ``_one_class_fit.py``.

The votes are phrase-budget keyword rules (``tests/weak/test_negative_pairs.py``): mostly one-class votes on which the
structure learner finds pairs, so the fit chooses between two structures (``choose_structure``), and which warn (two
one-class rules of one class firing together less than independence; the missing-abstain fit's fallback).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise.cli
from labelwise import weak
from labelwise.errors import LabelwiseWarning
from labelwise.weak import _structure_learning
from tests.weak.test_negative_pairs import NAMES, phrase_votes

LFS = """
import pandas as pd
from labelwise.weak import labeling_function

def _rule(name):
    @labeling_function(name=name)
    def vote(row):
        value = getattr(row, name)
        return None if pd.isna(value) else int(value)
    return vote

lfs = [_rule(name) for name in NAMES]
"""


@pytest.fixture(scope="module")
def matrix() -> np.ndarray:
    return phrase_votes(4000, 0)[0]


@pytest.fixture
def learned(monkeypatch) -> list:
    """The structure learner's answers during the test (a pair list: the fit chose between two structures)."""
    seen: list = []
    real = _structure_learning.learned_pairs

    def spy(*args, **kwargs):
        seen.append(real(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(_structure_learning, "learned_pairs", spy)
    return seen


def _table(matrix: np.ndarray) -> pd.DataFrame:
    items, cols = np.nonzero(matrix >= 0)
    return pd.DataFrame({"item": items, "labeler": np.array(NAMES)[cols], "label": matrix[items, cols]})


def _own(record) -> list[warnings.WarningMessage]:
    return [w for w in record if issubclass(w.category, LabelwiseWarning)]


def test_the_default_fits_warnings_point_at_the_line_that_called_fit(matrix, learned):
    """The default fit on a long table: both warnings of the kept fit, each at this file's line."""
    with pytest.warns(LabelwiseWarning) as record:
        weak.LabelModel().fit(_table(matrix), items=np.arange(len(matrix)))
    said = _own(record)
    assert learned and learned[0] is not None  # the two-structure fit ran
    assert any("fire together less often than independence" in str(w.message) for w in said)
    assert any("falling back to majority vote" in str(w.message) for w in said)
    assert [w.filename for w in said] == [__file__] * len(said)


def test_an_unconverged_fit_on_a_matrix_warns_at_the_callers_line(matrix, learned):
    """``n_em_iter=2`` on the label matrix: the convergence warning too is at this file's line."""
    with pytest.warns(LabelwiseWarning) as record:
        weak.LabelModel(n_em_iter=2).fit(matrix)
    assert learned and learned[0] is not None
    said = _own(record)
    assert any("did not converge in n_em_iter=2" in str(w.message) for w in said)
    assert len(said) >= 2 and [w.filename for w in said] == [__file__] * len(said)


def test_a_fit_inside_a_users_helper_points_at_the_helpers_line(matrix):
    """A user's function that fits: the warning's line is that function's call of ``fit`` (its file, its line)."""

    def fit_labels(votes):
        return weak.LabelModel().fit(votes)  # the line the warnings point at

    with pytest.warns(LabelwiseWarning) as record:
        fit_labels(matrix)
    lines = {(w.filename, w.lineno) for w in _own(record)}
    assert lines == {(__file__, fit_labels.__code__.co_firstlineno + 1)}


def test_the_commands_warnings_are_said_once_each_from_the_commands_call(matrix, tmp_path: Path, monkeypatch):
    """``labelwise weak``: each warning printed once, issued at the command's own call of the fit (labelwise/cli)."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        labelwise.cli,
        "_show_warning",
        lambda message, category, filename, *rest: shown.append((filename, str(message))),
    )
    table = pd.DataFrame(matrix, columns=NAMES).astype("Int64")
    table.mask(table == -1).to_csv(tmp_path / "votes.csv", index=False)
    (tmp_path / "lfs.py").write_text(LFS.replace("NAMES", repr(NAMES)))
    argv = [
        "weak",
        str(tmp_path / "lfs.py"),
        str(tmp_path / "votes.csv"),
        "--classes",
        "0,1",
        "--out",
        str(tmp_path / "out"),
        "--quiet",
    ]
    result = CliRunner().invoke(labelwise.cli.main, argv)
    assert result.exit_code == 0, result.output
    pair = [f for f, m in shown if "fire together less often than independence" in m]
    assert len(pair) == 1
    assert Path(pair[0]).parts[-3:] == ("labelwise", "cli", "weak.py")
