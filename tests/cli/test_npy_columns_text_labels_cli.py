"""``evaluate`` and ``shift``: an ``.npy`` of probabilities beside text labels says its columns were taken in
sorted class order (session 47: digits' probabilities beside their names scored 0.11 instead of 0.91 in silence)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

NAMES = np.array(["zero", "one", "two"])  # sorted: one, two, zero
LINE = "no header: the columns are taken as the text classes in sorted order (one, two, zero)"


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture()
def data(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 90)
    probs = np.full((90, 3), 0.1)
    probs[np.arange(90), y] = 0.8  # columns in digit order 0, 1, 2: not the sorted names
    return tmp_path, y, probs


class TestEvaluateNpyBesideTextLabels:
    def _run(self, d, *extra):
        args = ["evaluate", str(d / "preds"), "--labels", str(d / "test.csv"), "--corrections", str(d / "fix.csv")]
        return CliRunner().invoke(main, [*args, "--out", str(d / "out"), "--seeds", "2", *extra])

    def _write(self, d, y, probs):
        (d / "preds").mkdir()
        np.save(d / "preds" / "m.npy", probs)
        pd.DataFrame({"label": NAMES[y]}).to_csv(d / "test.csv", index=False)
        pd.DataFrame({"row": [0], "label": [NAMES[(y[0] + 1) % 3]]}).to_csv(d / "fix.csv", index=False)

    def test_a_line_names_the_sorted_order(self, data):
        """The columns are read as one, two, zero (as documented) and a line says so and names --classes."""
        d, y, probs = data
        self._write(d, y, probs)
        res = self._run(d)
        assert res.exit_code == 0, res.output
        text = _one_line(res.output)
        assert f"PREDICTIONS m.npy has {LINE}" in text and "--classes" in text

    def test_human_counts_npy_is_named_too(self, data):
        """--human-counts has no header either: votes in digit order beside names relabel most items; the line
        names it (a PREDICTIONS table of class names gets none)."""
        d, y, probs = data
        (d / "preds").mkdir()
        pd.DataFrame(probs, columns=NAMES).to_csv(d / "preds" / "m.csv", index=False)
        pd.DataFrame({"label": NAMES[y]}).to_csv(d / "test.csv", index=False)
        np.save(d / "votes.npy", np.eye(3, dtype=int)[y] * 3)
        args = ["evaluate", str(d / "preds"), "--labels", str(d / "test.csv"), "--human-counts", str(d / "votes.npy")]
        res = CliRunner().invoke(main, [*args, "--out", str(d / "out"), "--seeds", "2"])
        assert res.exit_code == 0, res.output
        text = _one_line(res.output)
        assert f"--human-counts has {LINE}" in text and "PREDICTIONS m" not in text

    def test_classes_names_the_columns_and_silences_the_line(self, data):
        """With --classes in column order the scores are right and the line is not printed."""
        d, y, probs = data
        self._write(d, y, probs)
        res = self._run(d, "--classes", "zero,one,two")
        assert res.exit_code == 0, res.output
        assert "sorted order" not in _one_line(res.output)
        table = pd.read_csv(d / "out" / "table.csv").set_index("model")
        assert table.loc["m", "original"] == pytest.approx(1.0)

    def test_integer_labels_get_no_line(self, data):
        """Integer labels sort as a model's columns do: nothing to say."""
        d, y, probs = data
        (d / "preds").mkdir()
        np.save(d / "preds" / "m.npy", probs)
        np.save(d / "test.npy", y)
        pd.DataFrame({"row": [0], "label": [(y[0] + 1) % 3]}).to_csv(d / "fix.csv", index=False)
        args = ["evaluate", str(d / "preds"), "--labels", str(d / "test.npy"), "--corrections", str(d / "fix.csv")]
        res = CliRunner().invoke(main, [*args, "--out", str(d / "out"), "--seeds", "2"])
        assert res.exit_code == 0, res.output
        assert "sorted order" not in _one_line(res.output)


class TestShiftNpyBesideTextLabels:
    def _run(self, d, train_probs):
        args = ["shift", "--train-probs", str(d / train_probs), "--train-labels", str(d / "vl.csv")]
        return CliRunner().invoke(
            main, [*args, "--target-probs", str(d / "tp.npy"), "--n-boot", "0", "--out", str(d / "o")]
        )

    def test_a_line_names_the_sorted_order(self, data):
        """Both .npy files are read in sorted order of the names, and a line says so."""
        d, y, probs = data
        pd.DataFrame({"label": NAMES[y]}).to_csv(d / "vl.csv", index=False)
        np.save(d / "vp.npy", probs)
        np.save(d / "tp.npy", probs[:30])
        res = self._run(d, "vp.npy")
        assert res.exit_code == 0, res.output
        assert f"--train-probs and --target-probs have {LINE}" in _one_line(res.output)

    def test_a_named_train_table_orders_the_target_npy_without_a_line(self, data):
        """A --train-probs header of class names orders the target .npy: no sorted order is assumed."""
        d, y, probs = data
        pd.DataFrame({"label": NAMES[y]}).to_csv(d / "vl.csv", index=False)
        pd.DataFrame(probs, columns=NAMES).to_csv(d / "vp.csv", index=False)
        np.save(d / "tp.npy", probs[:30])
        res = self._run(d, "vp.csv")
        assert res.exit_code == 0, res.output
        assert "sorted order" not in _one_line(res.output)
