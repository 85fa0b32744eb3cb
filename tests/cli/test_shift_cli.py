"""Bad input to ``labelwise shift`` and ``labelwise label-shift``: one line naming the option, exit 2."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
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
        (lambda d: np.save(d / "vl.npy", np.arange(120) % 3 + 1), "--train-labels must be integers in [0, 2]"),
        (lambda d: np.save(d / "vl.npy", np.arange(120) % 2), "--train-labels must hold every class"),
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


def test_shift_summary_names_the_class_of_each_prior(arrays):
    """summary.json listed the priors without their classes (with text labels the list could not be read) and
    had no settings (the input files, the seed)."""
    np.save(arrays / "vl.npy", np.array(["owl", "cat", "dog"])[np.load(arrays / "vp.npy").argmax(axis=1)])
    args = ["shift", "--train-probs", str(arrays / "vp.npy"), "--train-labels", str(arrays / "vl.npy")]
    args += ["--target-probs", str(arrays / "tp.npy"), "--n-boot", "0"]
    res = CliRunner().invoke(main, [*args, "--out", str(arrays / "o")])
    assert res.exit_code == 0, res.output
    summary = json.loads((arrays / "o" / "summary.json").read_text())
    priors = pd.read_csv(arrays / "o" / "priors.csv")
    assert summary["classes"] == priors["class"].tolist() == ["cat", "dog", "owl"]
    np.testing.assert_allclose(summary["priors"], priors["target_prior"])
    assert summary["settings"]["train_labels"] == str((arrays / "vl.npy").resolve())
    assert (summary["settings"]["method"], summary["settings"]["random_state"]) == ("mlls", 0)


@pytest.mark.parametrize(
    ("text", "line", "more"),
    [
        ("cat\n\ndog\n", "line 2:", ""),
        ("\ncat\ndog\n", "line 1:", ""),
        ("cat\n  \ndog\n\n\nowl\n", "line 2 (and 2 more blank lines)", "2 more"),
        ("cat\r\n\r\ndog\r\n", "line 2:", ""),
    ],
)
def test_label_shift_refuses_a_blank_line_between_labels(tmp_path, text, line, more):
    """A blank line (a label lost in an edit) was skipped without a word, while the API refuses a blank name."""
    (tmp_path / "train.txt").write_text("cat\ndog\n")
    (tmp_path / "eval.txt").write_bytes(text.encode())
    args = ["label-shift", "--train-labels", str(tmp_path / "train.txt"), "--eval-labels", str(tmp_path / "eval.txt")]
    res = CliRunner().invoke(main, [*args, "--k", "2", "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "--eval-labels" in res.output and "eval.txt" in res.output and line in res.output, res.output
    assert more in res.output and not (tmp_path / "o").exists()


def test_label_shift_accepts_blank_lines_after_the_last_label(tmp_path):
    """The newline that ends a file, and empty lines after the last label, are no hole."""
    (tmp_path / "train.txt").write_text("cat\ndog\n\n\n")
    (tmp_path / "eval.txt").write_text("  cat  \ndog")
    args = ["label-shift", "--train-labels", str(tmp_path / "train.txt"), "--eval-labels", str(tmp_path / "eval.txt")]
    res = CliRunner().invoke(main, [*args, "--k", "2", "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "o" / "familiarity.csv")["eval_label"].tolist() == ["cat", "dog"]
