"""``labelwise aggregate`` on a Parquet folder (the distributed fit) writes what the in-memory command
writes, and says which of the command's options it cannot use (session 18)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import labelwise as lw
from labelwise.cli import main
from labelwise.io.outputs import load_aggregate

pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def answers_on_disk(tmp_path_factory):
    """A crowd with duplicate answers, as one Parquet file and as a folder of three parts."""
    folder = tmp_path_factory.mktemp("answers")
    true = np.random.default_rng(18).integers(0, 3, 300)
    answers = lw.aggregate.simulate_annotators(true, n_annotators=9, random_state=18).answers
    answers = pd.concat([answers, answers.iloc[::37]], ignore_index=True)  # duplicates: kept by both paths
    answers.to_parquet(folder / "answers.parquet")
    (folder / "parts").mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(answers)), 3)):
        answers.iloc[part].to_parquet(folder / "parts" / f"part.{i}.parquet")
    return folder


def _aggregate(args):
    res = CliRunner().invoke(main, ["aggregate", *map(str, args)])
    return res


@pytest.mark.parametrize("method", ["dawid-skene", "majority-vote", "one-coin"])
def test_a_parquet_folder_writes_the_in_memory_commands_files_and_columns(answers_on_disk, tmp_path, method):
    """labels.csv (confidence, prob_<class>, n_answers, agreement), annotators.csv (answers, accuracy,
    agreement) and annotators.json as the in-memory command writes them (before: p_<class>, skill only)."""
    memory, scale = tmp_path / "memory", tmp_path / "scale"
    assert _aggregate([answers_on_disk / "answers.parquet", "--method", method, "--out", memory]).exit_code == 0
    res = _aggregate([answers_on_disk / "parts", "--method", method, "--out", scale])
    assert res.exit_code == 0, res.output
    got, ref = load_aggregate(scale), load_aggregate(memory)
    for name in ("labels", "annotators"):
        a, b = getattr(got, name), getattr(ref, name)
        assert list(a.columns) == list(b.columns), name
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=0, atol=1e-9, obj=name)
    assert got.classes == ref.classes
    assert got.confusions.keys() == ref.confusions.keys()
    for who, (classes, matrix) in ref.confusions.items():
        assert got.confusions[who][0] == classes
        np.testing.assert_allclose(got.confusions[who][1], matrix, rtol=0, atol=1e-9)
    summaries = [json.loads((f / "summary.json").read_text()) for f in (scale, memory)]
    for key in ("method", "iterations", "converged", "fallback", "n_items", "n_answers", "n_classes", "classes"):
        assert summaries[0][key] == summaries[1][key], key


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--method", "glad"], "--method must be majority-vote, dawid-skene or one-coin"),
        (["--duplicates", "last"], "--duplicates must be keep"),
        (["--gold", "answers.parquet"], "--gold cannot be used"),
        (["--unsure", "1", "--labels", "0,1,2"], "--unsure, --classes (--labels) cannot be used"),
        (["--format", "prodigy"], "--format prodigy cannot be used"),
    ],
)
def test_an_option_the_distributed_fit_cannot_use_is_one_line_naming_it(answers_on_disk, tmp_path, extra, expected):
    """Options the distributed fit would leave out, or refuse under the estimator's own parameter name,
    are one line naming the option, exit 2, nothing written."""
    extra = [str(answers_on_disk / e) if e.endswith(".parquet") else e for e in extra]
    res = _aggregate([answers_on_disk / "parts", *extra, "--out", tmp_path / "o"])
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and expected in lines[0] and "distributed fit" in lines[0], res.output
    assert not (tmp_path / "o").exists()


def test_param_and_column_options_reach_the_distributed_fit(answers_on_disk, tmp_path):
    """`--param max_iter=1` and the column options are used by the distributed fit (before: left out)."""
    frame = pd.read_parquet(answers_on_disk / "answers.parquet")
    folder = tmp_path / "renamed"
    folder.mkdir()
    frame.rename(columns={"item": "task", "annotator": "worker", "label": "answer"}).to_parquet(folder / "p.parquet")
    columns = ["--item-column", "task", "--annotator-column", "worker", "--label-column", "answer"]
    res = _aggregate([folder, "--param", "max_iter=1", *columns, "--out", tmp_path / "o"])
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["iterations"] == 1
    with pytest.warns(lw.errors.LabelwiseWarning, match="did not converge"):
        ref = lw.aggregate.DawidSkene(max_iter=1).fit(frame)
    assert "did not converge" in res.output  # the distributed fit says it too
    np.testing.assert_array_equal(pd.read_csv(tmp_path / "o" / "labels.csv")["label"], ref.labels_.to_numpy())


def test_a_csv_with_scheduler_says_to_write_parquet_or_leave_out_the_scheduler(answers_on_disk, tmp_path):
    """`aggregate answers.csv --scheduler threads`: one line saying what --scheduler reads and what to do
    (before: pyarrow's "Parquet magic bytes not found in footer")."""
    pd.read_parquet(answers_on_disk / "answers.parquet").to_csv(tmp_path / "answers.csv", index=False)
    res = _aggregate([tmp_path / "answers.csv", "--scheduler", "threads", "--out", tmp_path / "o"])
    assert res.exit_code == 2, res.output
    assert "--scheduler needs PATH as Parquet" in res.output and "leave out --scheduler" in res.output
    assert len([line for line in res.output.splitlines() if line.strip()]) == 1, res.output


def test_a_parquet_folder_without_a_column_names_the_folder_and_the_renaming_options(answers_on_disk, tmp_path):
    """A folder whose annotator column is called otherwise gets the in-memory command's error (the folder,
    the missing and found columns, --annotator-column), not the API's "answers must have columns"; and
    --annotator-column then reads it."""
    folder = tmp_path / "renamed"
    folder.mkdir()
    for part in sorted((answers_on_disk / "parts").iterdir()):
        pd.read_parquet(part).rename(columns={"annotator": "worker"}).to_parquet(folder / part.name)
    res = _aggregate([folder, "--scheduler", "threads", "--out", tmp_path / "out"])
    assert res.exit_code != 0
    assert f"annotation file {str(folder)!r} must have columns" in res.output
    assert "missing ['annotator']" in res.output and "--annotator-column" in res.output and "'worker'" in res.output
    res = _aggregate([folder, "--scheduler", "threads", "--annotator-column", "worker", "--out", tmp_path / "out"])
    assert res.exit_code == 0, res.output


def test_an_item_whose_answers_all_agree_writes_uncertainty_0_as_in_memory(tmp_path):
    """An item answered alike by all has entropy 0: the distributed fit wrote ``-0.0`` (-1 * log 1)
    where the in-memory command writes ``0.0``; now both commands' files are the same, byte for byte
    (majority vote: nothing else differs by rounding)."""
    rng = np.random.default_rng(45)
    rows = [(f"i{i:02d}", f"a{a}", i % 3 if i < 20 else int(rng.integers(0, 3))) for i in range(40) for a in range(5)]
    answers = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    answers.to_parquet(tmp_path / "answers.parquet")
    (tmp_path / "parts").mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(answers)), 2)):
        answers.iloc[part].to_parquet(tmp_path / "parts" / f"part.{i}.parquet")
    memory, scale = tmp_path / "memory", tmp_path / "scale"
    for source, out in ((tmp_path / "answers.parquet", memory), (tmp_path / "parts", scale)):
        res = _aggregate([source, "--method", "majority-vote", "--out", out, "--quiet"])
        assert res.exit_code == 0, res.output
    assert "-0.0" not in (scale / "labels.csv").read_text()
    for name in ("labels.csv", "annotators.csv"):
        assert (scale / name).read_bytes() == (memory / name).read_bytes(), name
