"""Warnings the command prints are said in its options' words, as its errors are (``renaming``)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._common import renaming, warning_wording

ANSWERS = "item,annotator,label\na,w1,pos\na,w2,pos\nb,w1,neg\nb,w2,neg\nb,w3,pos\nc,w1,pos\nc,w3,pos\n"


def _words(text):
    return " ".join(text.split())


def _aggregate(tmp_path, source, *options):
    args = ["aggregate", str(source), "--out", str(tmp_path / "out"), "--top", "0", *options]
    return CliRunner().invoke(main, args)


class TestAggregateWarningsNameParamOptions:
    @pytest.mark.parametrize("method", ["dawid-skene", "bwa"])
    def test_not_converged_names_the_param_option(self, tmp_path, method):
        """`--param max_iter=1` that stops EM early warns `raise --param max_iter`, not the keyword."""
        (tmp_path / "answers.csv").write_text(ANSWERS)
        result = _aggregate(tmp_path, tmp_path / "answers.csv", "--method", method, "--param", "max_iter=1")
        assert result.exit_code == 0, result.output
        said = _words(result.output)
        assert "did not converge in --param max_iter=1" in said
        assert said.count("raise --param max_iter") == 1
        assert " max_iter=1" not in said.replace("--param max_iter=1", "")

    def test_the_tolerance_is_named_as_the_param_option_too(self, tmp_path):
        """Dawid-Skene's warning names its tolerance `--param tol=...` (a default the user did not pass)."""
        (tmp_path / "answers.csv").write_text(ANSWERS)
        result = _aggregate(tmp_path, tmp_path / "answers.csv", "--param", "max_iter=1")
        assert ">= --param tol=1e-05" in _words(result.output)

    def test_at_scale_too(self, tmp_path):
        """The distributed fit of a Parquet folder warns in the options' words as well."""
        pytest.importorskip("dask")
        folder = tmp_path / "answers"
        folder.mkdir()
        pd.read_csv(io.StringIO(ANSWERS)).to_parquet(folder / "a.parquet", index=False)
        result = _aggregate(tmp_path, folder, "--param", "max_iter=1", "--quiet")
        assert result.exit_code == 0, result.output
        assert "raise --param max_iter" in _words(result.output)


class TestWarningWording:
    def test_outside_renaming_only_the_hints_change(self):
        """With no renaming block open a warning keeps its words (the two-audience hints aside)."""
        assert warning_wording("raise max_iter") == "raise max_iter"
        assert warning_wording("pass classes= (--classes on the command line)") == "pass --classes"

    def test_nested_blocks_rename_and_close(self):
        """Each open block renames its words; once closed, none do."""
        with renaming({"max_iter": "--param max_iter"}, within=["max_iter"]):
            with renaming({"probs": "--probs"}, within=["probs"]):
                assert (
                    warning_wording("probs has 3 columns; raise max_iter")
                    == "--probs has 3 columns; raise --param max_iter"
                )
        assert warning_wording("raise max_iter") == "raise max_iter"

    def test_a_word_in_quotes_or_an_english_word_is_kept(self):
        """Quoted text (a class, a file) and names outside ``within`` are not renamed mid-message."""
        with renaming({"max_iter": "--param max_iter", "method": "--param method"}, within=["max_iter"]):
            said = warning_wording("the method's 'max_iter' ended; raise max_iter")
        assert said == "the method's 'max_iter' ended; raise --param max_iter"


class TestAuditWarningsNameOptions:
    def test_a_probs_column_no_label_has_is_said_with_the_options(self, tmp_path):
        """`audit --probs` with a third column no row is labelled: the warning names --label column and --probs."""
        np.save(tmp_path / "p.npy", np.random.default_rng(0).dirichlet([1, 1, 1], 40))
        rows = "".join(f"{i},{i % 2}\n" for i in range(40))
        (tmp_path / "d.csv").write_text("f,label\n" + rows)
        args = ["audit", str(tmp_path / "d.csv"), "--label", "label", "--probs", str(tmp_path / "p.npy")]
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
        said = _words(result.output)
        assert "warning: --label column 'label': 1 class(es) of --probs have no examples" in said
