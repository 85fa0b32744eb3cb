"""``benchmarks/dev_weak_shared_triggers.py --snorkel-python``: Snorkel's column goes through ``bench_weak``'s worker.

The worker runs in Snorkel's own virtualenv. Here a stand-in "Python" answers the worker's call with
known predictions, so the wiring (the matrix handed over, the predictions read back and scored on the
covered items, a failed worker giving NaN) is checked without Snorkel. The comparison with Snorkel
itself runs when ``LABELWISE_SNORKEL_PYTHON`` names the Python of a virtualenv holding Snorkel 0.10.
"""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))

# A stand-in for Snorkel's Python: called as ``python bench_weak.py --snorkel-worker label_model IN OUT``,
# it checks the matrix it was given and predicts class ``(item + shift) % k``.
STAND_IN = """#!{python}
import json, sys
import numpy as np
script, flag, task, inp, out = sys.argv[1:6]
assert script.endswith("bench_weak.py") and flag == "--snorkel-worker" and task == "label_model"
data = np.load(inp)
L, k = data["L"], int(data["k"])
np.save(out + ".seen.npy", L)
json.dump({{"seconds": 1.25, "pred": ((np.arange(len(L)) + {shift}) % k).tolist()}}, open(out, "w"))
"""


@pytest.fixture(scope="module")
def triggers():
    spec = importlib.util.spec_from_file_location("snorkel49_triggers", BENCH / "dev_weak_shared_triggers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stand_in(tmp_path: Path, shift: int) -> str:
    path = tmp_path / f"python{shift}"
    path.write_text(STAND_IN.format(python=sys.executable, shift=shift))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_snorkel_labels_are_the_workers_predictions_on_the_same_matrix(triggers, tmp_path):
    """The worker gets the set's matrix and cardinality; its predictions and seconds come back as given."""
    matrix, _, _ = triggers.shared_trigger_set(216, 3)
    labels, seconds = triggers.snorkel_labels(_stand_in(tmp_path, 1), matrix, 3, tmp_path)
    assert seconds == 1.25
    np.testing.assert_array_equal(labels, (np.arange(len(matrix)) + 1) % 3)
    np.testing.assert_array_equal(np.load(tmp_path / "L.label_model.json.seen.npy"), matrix)


@pytest.mark.parametrize("shift", [0, 1])
def test_the_snorkel_column_is_scored_on_the_covered_items(triggers, tmp_path, shift):
    """``snorkel`` is the accuracy of the worker's labels on the items with a vote, as the other columns."""
    row = triggers.one_set(216, 2, [], _stand_in(tmp_path, shift), tmp_path)
    matrix, truth, _ = triggers.shared_trigger_set(216, 2)
    covered = (matrix >= 0).any(axis=1)
    predicted = (np.arange(len(matrix)) + shift) % 2
    assert row["snorkel"] == pytest.approx(np.mean(predicted[covered] == truth[covered]))
    assert row["snorkel_s"] == 1.25
    assert {"mv_s", "default_s"} <= row.keys()


def test_a_failed_worker_gives_no_accuracy_and_says_why(triggers, tmp_path, capsys):
    """A Snorkel Python that fails leaves NaN (not a number scored from nothing) and prints the reason."""
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\necho 'no module named snorkel' >&2\nexit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IXUSR)
    row = triggers.one_set(216, 2, [], str(failing), tmp_path)
    assert np.isnan(row["snorkel"]) and np.isnan(row["snorkel_s"])
    assert "no module named snorkel" in capsys.readouterr().out


def test_without_the_option_there_is_no_snorkel_column(triggers, tmp_path):
    row = triggers.one_set(216, 2, [], None, tmp_path)
    assert "snorkel" not in row and "snorkel_s" not in row


@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_snorkel_itself_labels_a_shared_trigger_set(triggers, tmp_path):
    """With Snorkel's Python: its labels are classes of the set and it beats a coin on the covered items."""
    matrix, truth, _ = triggers.shared_trigger_set(216, 2)
    labels, seconds = triggers.snorkel_labels(str(SNORKEL_PYTHON), matrix, 2, tmp_path)
    covered = (matrix >= 0).any(axis=1)
    assert seconds > 0 and set(np.unique(labels)) <= {0, 1}
    assert np.mean(labels[covered] == truth[covered]) > 0.6
