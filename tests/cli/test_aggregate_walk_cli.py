"""`labelwise aggregate` as a new user meets it: what the screen says it wrote, errors in the options' words."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

ANSWERS = "item,annotator,label\na,w1,pos\na,w2,pos\nb,w1,neg\nb,w2,neg\nb,w3,pos\nc,w1,pos\nc,w3,pos\n"
NUMBERS = "item,annotator,label\na,w1,1\na,w2,1\nb,w1,2\nb,w2,10\nc,w1,10\n"


def _invoke(tmp_path, answers, *options):
    (tmp_path / "answers.csv").write_text(answers)
    return CliRunner().invoke(
        main, ["aggregate", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "out"), "--top", "0", *options]
    )


def _words(text):
    return " ".join(text.split())


class TestAggregateScreen:
    def test_demo_lists_every_file_it_wrote(self, tmp_path):
        """--demo's "wrote" line names the simulated answers, gold and comparison files it writes too."""
        out = tmp_path / "demo"
        result = CliRunner().invoke(
            main, ["aggregate", "--demo", "--demo-items", "60", "--out", str(out), "--top", "0"]
        )
        assert result.exit_code == 0, result.output
        wrote = "".join(result.output.split("wrote ", 1)[1].split())  # rich wraps long paths anywhere
        for path in sorted(out.iterdir()):
            assert "".join(str(path).split()) in wrote, path.name


class TestAggregateErrorsNameOptions:
    def test_bad_param_value_names_the_param_option(self, tmp_path):
        """A --param value the method refuses is an error about --param NAME, not the keyword alone."""
        result = _invoke(tmp_path, ANSWERS, "--param", "max_iter=-1")
        assert result.exit_code != 0
        assert "--param max_iter must be an integer >= 1, got -1" in _words(result.output)

    def test_probs_table_without_an_item_names_the_option(self, tmp_path):
        """A --probs table missing an answered item is an error about --probs."""
        (tmp_path / "probs.csv").write_text("item,neg,pos\na,0.1,0.9\nb,0.8,0.2\n")
        result = _invoke(tmp_path, ANSWERS, "--probs", str(tmp_path / "probs.csv"))
        assert result.exit_code != 0
        assert "--probs must have a row for every answered item" in _words(result.output)

    def test_probs_array_of_the_wrong_shape_names_the_option(self, tmp_path):
        """A --probs .npy with a row too few is an error about --probs."""
        np.save(tmp_path / "probs.npy", np.full((2, 2), 0.5))
        result = _invoke(tmp_path, ANSWERS, "--probs", str(tmp_path / "probs.npy"))
        assert result.exit_code != 0
        assert "--probs must have shape (n_items, n_classes) = (3, 2)" in _words(result.output)

    def test_label_outside_declared_labels_is_shown_as_written(self, tmp_path):
        """An integer answer outside --labels is shown as 10, not as numpy's repr np.int64(10)."""
        result = _invoke(tmp_path, NUMBERS, "--labels", "1,2")
        assert result.exit_code != 0
        message = _words(result.output)
        assert "answer row 3 is 10, not one of the declared labels [1, 2]" in message
        assert "np.int64" not in message


class TestAggregateAtScaleScreen:
    def test_parquet_folder_lists_every_file_it_wrote(self, tmp_path):
        """A Parquet folder of answers (the distributed fit): the "wrote" line names the four files it writes."""
        pytest.importorskip("dask")
        folder = tmp_path / "answers"
        folder.mkdir()
        frame = pd.read_csv(io.StringIO(ANSWERS))
        frame.iloc[:4].to_parquet(folder / "a.parquet", index=False)
        frame.iloc[4:].to_parquet(folder / "b.parquet", index=False)
        out = tmp_path / "out"
        args = ["aggregate", str(folder), "--method", "majority-vote", "--out", str(out), "--top", "0"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        wrote = "".join(result.output.split("wrote ", 1)[1].split())
        assert sorted(p.name for p in out.iterdir()) == [
            "annotators.csv",
            "annotators.json",
            "labels.csv",
            "summary.json",
        ]
        for path in out.iterdir():
            assert "".join(str(path).split()) in wrote, path.name

    def test_parquet_folder_bad_param_names_the_param_option(self, tmp_path):
        """At scale too, a --param value the method refuses is an error about --param NAME."""
        pytest.importorskip("dask")
        folder = tmp_path / "answers"
        folder.mkdir()
        pd.read_csv(io.StringIO(ANSWERS)).to_parquet(folder / "a.parquet", index=False)
        args = ["aggregate", str(folder), "--param", "max_iter=-1", "--out", str(tmp_path / "out"), "--quiet"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code != 0
        assert "--param max_iter must be an integer >= 1, got -1" in _words(result.output)


class TestDemoInputs:
    @pytest.mark.parametrize(
        ("options", "named"),
        [
            (["--gold", "gold.csv"], "--gold"),
            (["--probs", "probs.npy"], "--probs"),
            (["--item-column", "task", "--format", "long"], "--format, --item-column"),
        ],
    )
    def test_demo_refuses_options_about_your_own_answers(self, tmp_path, options, named):
        """--demo with --gold, --probs or a reading option is refused: the simulated data would replace them silently."""
        out = tmp_path / "demo"
        args = ["aggregate", "--demo", "--demo-items", "60", "--out", str(out), "--top", "0", *options]
        result = CliRunner().invoke(main, args)
        assert result.exit_code != 0
        assert (
            f"--demo simulates its own answers, gold labels and probabilities, so it takes none of {named}"
            in _words(result.output)
        )
        assert not out.exists()
