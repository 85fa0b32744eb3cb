"""A label column of tag sets given to a one-label-per-row command (session 38's walk).

`labelwise train tags.csv --label tags` (or `audit` without `--task multilabel`) took 'cat|dog' as
one class of its own and trained a 15-class model over the combinations of 4 tags, in silence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.cli._tag_option import tag_set_notice


def _table(tmp_path, labels):
    rng = np.random.default_rng(0)
    labels = np.resize(np.asarray(labels, dtype=object), 60)
    pd.DataFrame({"x": rng.normal(size=60), "z": rng.normal(size=60), "y": labels}).to_csv(
        tmp_path / "d.csv", index=False
    )
    return tmp_path / "d.csv"


@pytest.mark.parametrize("command", ["audit", "train"])
def test_tag_combinations_as_classes_are_named(tmp_path, command):
    """'cat', 'dog', 'cat|dog' as classes: the notice says they are tag sets and names the commands for them."""
    path = _table(tmp_path, ["cat", "dog", "cat|dog"])
    args = [command, str(path), "--label", "y", "--model", "logistic", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args + (["--checks", "label"] if command == "audit" else []))
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "notice: --label column 'y' looks like tag sets: its 3 classes are combinations of 2 tags" in said
    assert "labelwise audit --task multilabel" in said and "labelwise train-tags" in said


def test_names_that_hold_a_bar_say_nothing(tmp_path):
    """Hierarchical names ('animal|cat', 'animal|dog', 'plant|tree') split into more parts than classes: no notice."""
    path = _table(tmp_path, ["animal|cat", "animal|dog", "plant|tree"])
    args = ["train", str(path), "--label", "y", "--model", "logistic", "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "tag sets" not in result.output


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abcdef |", min_size=1, max_size=6), min_size=1, max_size=12))
def test_notice_does_not_depend_on_row_order_or_repeats(values):
    """The rule reads the set of classes: shuffled or repeated rows give the same answer."""
    column = pd.Series(values, dtype=object)
    again = pd.Series(list(reversed(values)) * 2, dtype=object)
    assert (tag_set_notice("y", column) is None) == (tag_set_notice("y", again) is None)
    if not any("|" in v for v in values):
        assert tag_set_notice("y", column) is None
