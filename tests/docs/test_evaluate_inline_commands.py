"""The ``labelwise`` commands that docs/evaluate.md writes inline (in backticks, not in a shell block) run.

``test_pages`` runs a page's fenced blocks; this page gives its commands in its prose, so they are
found here, each run in a fresh folder of stand-in files, as a reader would type it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from tests.docs import _more_files as m

PAGE = Path(__file__).parents[2] / "docs" / "evaluate.md"


def _classes_files(folder: Path) -> None:
    """Text labels cat/dog, a model's probabilities over cat, dog and owl, a review relabelling one item to owl."""
    rng = np.random.default_rng(0)
    (folder / "preds").mkdir()
    pd.DataFrame({"label": rng.choice(["cat", "dog"], 60)}).to_csv(folder / "test.csv", index=False)
    np.save(folder / "preds" / "m.npy", rng.dirichlet(np.ones(3), 60))
    (folder / "review_out").mkdir()
    changes = pd.DataFrame({"row": [0, 1], "action": "relabel", "new_label": ["owl", "dog"]})
    changes.to_csv(folder / "review_out" / "cleaned.changes.csv", index=False)


def _trec(folder: Path) -> None:
    m.trec_files(folder)
    (folder / "synthetic.qrels").rename(folder / "synth.qrels")


def _shift(folder: Path) -> None:
    for name, values in m.shift_arrays().items():
        np.save(folder / f"{name}.npy", values)


def _types(folder: Path) -> None:
    (folder / "train_types.txt").write_text("person\nperson\ncity\norganisation\n")
    (folder / "eval_types.txt").write_text("person\nlocation\n")


#: Each command of the page (as written) and the stand-in files it reads.
STANDINS: dict[str, Callable[[Path], None]] = {
    "labelwise evaluate preds/ --labels test.csv --corrections review_out/ --out ev/": m.evaluation_files,
    "labelwise evaluate preds/ --labels test.csv --corrections review_out/ --classes cat,dog,owl": _classes_files,
    "labelwise rank-agreement runs/ --qrels human.qrels --qrels synth.qrels --measure nDCG@10": _trec,
    "labelwise shift --train-probs val_probs.npy --train-labels val_labels.npy --target-probs target_probs.npy "
    "--out sh/": _shift,
    "labelwise shift --train-probs val_probs.npy --train-labels val_labels.npy --target-probs target_probs.npy "
    "--source-prior labels --out sh/": _shift,
    "labelwise label-shift --train-labels train_types.txt --eval-labels eval_types.txt --k 1000": _types,
}


#: Inline code that names a command or an option in the prose, not a command to type.
NAMES = {"labelwise slices", "labelwise shift --calibration", "labelwise rank-agreement"}


def inline_commands() -> list[str]:
    """The page's inline ``labelwise ...`` commands, each on one line (names in :data:`NAMES` left out)."""
    found = [" ".join(c.split()) for c in re.findall(r"`(labelwise [^`]+)`", PAGE.read_text())]
    return [c for c in found if c not in NAMES]


def test_every_inline_command_has_stand_ins():
    """A command added to the page (or changed) must be added here, so that it is run."""
    assert sorted(inline_commands()) == sorted(STANDINS)


@pytest.mark.parametrize("command", sorted(STANDINS))
def test_inline_command_runs(command, tmp_path, monkeypatch):
    """The command, typed in a folder holding the files it names, exits 0 and writes what it says it wrote."""
    if "rank-agreement" in command:
        pytest.importorskip("ir_measures")
    monkeypatch.chdir(tmp_path)
    STANDINS[command](tmp_path)
    res = CliRunner().invoke(main, shlex.split(command)[1:], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    wrote = re.search(r"wrote (.+)", res.output.replace("\n", " "))
    assert wrote is not None, res.output
    assert all((tmp_path / f.strip()).is_file() for f in wrote.group(1).split(", ")), res.output


def test_index_alignment_example_gives_what_its_comment_says():
    """The page's example of Series in another row order scores 1.0 as its comment says (main: 0.0, by position)."""
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)
    block = next(b for b in blocks if "y_pred = pd.Series" in b)
    *setup, last = block.strip().splitlines()
    namespace: dict = {}
    exec("import numpy as np, pandas as pd\nimport labelwise as lw\n" + "\n".join(setup), namespace)
    code, comment = last.split("#")
    assert eval(code, namespace) == float(comment.split()[0]) == 1.0
