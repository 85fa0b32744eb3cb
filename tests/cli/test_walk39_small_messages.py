"""Small messages of `slices`, `robustness` and `rank-agreement` (session 39's walk).

On main: `slices --label Target` listed the columns without the "did you mean" the other commands
give; numeric labels beside text predictions said "--label and y_pred must hold labels of one type",
naming an API parameter and not what each held; `robustness --label Target` had no hint either, and
its non-numeric column said nothing of what to do; `rank-agreement` on a folder of two runs passed
the folder check ("at least 2 run files") and then failed on "ranking agreement needs at least 3
systems, got 2", naming neither RUN_DIR nor the files.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sklearn.datasets import load_wine

from labelwise.cli import main


def _said(args) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


@pytest.fixture
def wine(tmp_path):
    frame = load_wine(as_frame=True).frame
    frame["model"] = frame["target"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
    frame.to_csv(tmp_path / "wine.csv", index=False)
    (tmp_path / "sfs.py").write_text(
        "from labelwise.weak import slicing_function\n\n@slicing_function()\ndef strong(row):\n"
        "    return row.alcohol > 13.5\n"
    )
    return tmp_path


def test_slices_suggests_the_near_column(wine):
    """--label Target: the error suggests 'target', as audit's does."""
    args = ["slices", str(wine / "sfs.py"), str(wine / "wine.csv"), "--label", "Target", "--pred", "model"]
    assert "--label 'Target' is not a column of DATA (did you mean 'target'?)" in _said(
        [*args, "--out", str(wine / "o")]
    )


def test_slices_says_what_numbers_and_texts_each_column_holds(wine):
    """Numeric labels, text predictions: the options named, with an example of each."""
    args = ["slices", str(wine / "sfs.py"), str(wine / "wine.csv"), "--label", "target", "--pred", "model"]
    assert (
        "--label and --pred must hold labels of one type (all strings or all numbers), got --label holding numbers "
        "(e.g. 0) and --pred texts (e.g. 'barolo')"
    ) in _said([*args, "--out", str(wine / "o")])


def test_robustness_suggests_the_near_column_and_says_to_drop_text_columns(wine):
    """--label Target gets a hint; a text column among the features says every other column is one."""
    args = ["robustness", str(wine / "wine.csv"), "--out", str(wine / "o")]
    assert "--label column 'Target' is not in the data (did you mean 'target'?)" in _said([*args, "--label", "Target"])
    assert (
        "features must be numeric; column 'model' has dtype str (every column of DATA but --label and --id-column "
        "is a feature: name a column of row ids with --id-column, drop the others from DATA)"
    ) in _said([*args, "--label", "target"])


def test_rank_agreement_with_two_runs_names_the_folder_and_files(tmp_path):
    """Two runs cannot be ranked against each other: RUN_DIR and its two files are named before any reading."""
    pytest.importorskip("ir_measures")
    (tmp_path / "runs").mkdir()
    for s in range(2):
        (tmp_path / "runs" / f"sys{s}.run").write_text("1 Q0 d1 1 2.0 s\n1 Q0 d2 2 1.0 s\n")
    for q in ("a", "b"):
        (tmp_path / f"{q}.qrels").write_text("1 0 d1 1\n1 0 d2 0\n")
    args = ["rank-agreement", str(tmp_path / "runs"), "--qrels", str(tmp_path / "a.qrels")]
    said = _said([*args, "--qrels", str(tmp_path / "b.qrels"), "--out", str(tmp_path / "o")])
    assert (
        "RUN_DIR must hold at least 3 run files (one per system; files ending .run, .txt, .trec or without a suffix) "
        in said
    )
    assert "to compare two rankings of them, got 2: " in said
    assert said.endswith("sys0.run, sys1.run")
