"""``labelwise aggregate`` with over 100 classes, as a new user runs it (no method): labels.csv gets one
prob_<class> column per class and the screen no pandas "highly fragmented" warning."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.aggregate import METHODS
from labelwise.cli import main
from labelwise.cli.aggregate import DEFAULT_METHOD

N_CLASSES = 120


def _answers() -> pd.DataFrame:
    """Two answers on each of 240 items from 12 annotators, every one of 120 classes the truth of two items."""
    rng = np.random.default_rng(0)
    truth = np.repeat(np.arange(N_CLASSES), 2)
    rows = []
    for i, t in enumerate(truth):
        for a in rng.choice(12, 2, replace=False):
            label = t if rng.random() < 0.8 else rng.integers(N_CLASSES)
            rows.append((f"i{i}", f"a{a}", f"c{label}"))
    return pd.DataFrame(rows, columns=["item", "annotator", "label"])


def test_over_100_classes_print_no_fragmentation_warning_and_write_every_class_column(tmp_path):
    """No 'highly fragmented' line on screen; labels.csv's columns in their order, probabilities = the API's."""
    answers = _answers()
    answers.to_csv(tmp_path / "answers.csv", index=False)
    result = CliRunner().invoke(main, ["aggregate", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "fragmented" not in result.output
    written = pd.read_csv(tmp_path / "out" / "labels.csv").set_index("item")
    expected = METHODS[DEFAULT_METHOD]().fit(answers).probas_
    columns = [f"prob_{c}" for c in expected.columns]
    assert written.columns.tolist() == ["label", "confidence", *columns, "n_answers", "agreement", "uncertainty"]
    np.testing.assert_allclose(written.loc[expected.index, columns].to_numpy(), expected.to_numpy(), rtol=1e-12)
