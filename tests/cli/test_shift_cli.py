"""Bad input to ``labelwise shift`` and ``labelwise label-shift``: one line naming the option, exit 2."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture
def arrays(tmp_path):
    rng = np.random.default_rng(0)
    vp = rng.dirichlet(np.ones(3), 120)
    np.save(tmp_path / "vp.npy", vp)
    np.save(tmp_path / "vl.npy", vp.argmax(axis=1))
    np.save(tmp_path / "tp.npy", rng.dirichlet([3, 1, 1], 80))
    return tmp_path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: np.save(d / "vp.npy", np.load(d / "vp.npy") * 2), "--train-probs must sum to 1 in every row"),
        (lambda d: np.save(d / "tp.npy", np.full((80, 3), np.nan)), "--target-probs must be finite"),
        (
            lambda d: np.save(d / "vl.npy", np.zeros(7, int)),
            "--train-labels must hold one label per row of --train-probs",
        ),
        (lambda d: np.save(d / "vl.npy", np.zeros((120, 2), int)), "got shape (120, 2)"),
    ],
)
def test_shift_messages_name_the_options(arrays, change, message):
    """The errors said val_probs / val_labels (the API's names), which the command line never shows."""
    change(arrays)
    args = ["shift", "--train-probs", str(arrays / "vp.npy"), "--train-labels", str(arrays / "vl.npy")]
    res = CliRunner().invoke(main, [*args, "--target-probs", str(arrays / "tp.npy"), "--out", str(arrays / "o")])
    assert res.exit_code == 2 and message in res.output and "val_" not in res.output, res.output
    assert not (arrays / "o").exists()


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda p: p.write_bytes("chat\ncaf\u00e9\n".encode("latin-1")), "is not UTF-8 text (line 2"),
        (lambda p: p.mkdir(), "is a folder"),
    ],
)
def test_label_shift_unreadable_labels_file(tmp_path, write, message):
    """A Latin-1 labels file was a UnicodeDecodeError traceback; a folder was said not to exist."""
    (tmp_path / "eval.txt").write_text("cat\n")
    write(tmp_path / "train.txt")
    args = ["label-shift", "--train-labels", str(tmp_path / "train.txt"), "--eval-labels", str(tmp_path / "eval.txt")]
    res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--train-labels" in res.output and message in res.output, res.output
    assert "Traceback" not in res.output
