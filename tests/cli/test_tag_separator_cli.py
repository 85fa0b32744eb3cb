"""``--tag-separator`` of the commands that read or write tag cells: a table written with ';' reads to what
the same table written with '|' reads to, in audit --task multilabel, train-tags and corrupt --task multilabel
(aggregate-tags had the option); a separator that would cut a cell of the files is refused by all four, naming
what it collides with."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

#: The tags of the '|' tables, and of the ';' tables ('x|y' is a tag once '|' separates nothing).
BAR, SEMI = np.array(["cat", "dog", "x_y"]), np.array(["cat", "dog", "x|y"])
TAG_COLUMNS = ("given_tags", "suggested_tags", "missing_tags", "spurious_tags", "tags", "label", "true_label")
TAG_COLUMNS += ("dropped", "added")


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _fails(*args, match: str) -> None:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 2, result.output
    assert match in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output


def _given(n: int = 150, seed: int = 0):
    """Features that follow three tags, the tags a little noisy, and out-of-fold-like probabilities."""
    rng = np.random.default_rng(seed)
    truth = rng.random((n, 3)) < 0.45
    X = rng.normal(size=(n, 3)) + 2.5 * truth
    given = truth ^ (rng.random((n, 3)) < 0.08)
    probs = np.clip(np.where(truth, 0.85, 0.15) + rng.normal(0, 0.05, truth.shape), 0.01, 0.99)
    return X, given, probs


def _tables(tmp_path, given, X=None):
    """The same table twice: tags joined by '|' (bar.csv) and by ';' with 'x|y' for 'x_y' (semi.csv)."""
    for name, names, sep in (("bar", BAR, "|"), ("semi", SEMI, ";")):
        frame = pd.DataFrame({"tags": [sep.join(names[r]) for r in given]})
        if X is not None:
            frame = pd.concat([pd.DataFrame(X, columns=["a", "b", "c"]), frame], axis=1)
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    return tmp_path / "bar.csv", tmp_path / "semi.csv"


def _as_bar(frame: pd.DataFrame) -> pd.DataFrame:
    """A ';' output respelled as the '|' one: tags joined by '|', 'x|y' as 'x_y'."""
    out = frame.copy()
    for column in TAG_COLUMNS:
        if column in out.columns:
            out[column] = [
                c if not isinstance(c, str) else "|".join(t.replace("x|y", "x_y") for t in c.split(";"))
                for c in out[column]
            ]
    for column in ("tag", "class", "given", "missing"):
        if column in out.columns:
            out[column] = out[column].replace("x|y", "x_y")
    return out


def _read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


class TestRoundTrip:
    def test_audit_reads_semicolons_as_it_reads_bars(self, tmp_path):
        """audit --task multilabel --tag-separator ';': issues.csv and classes.csv of the '|' table, joined by ';'."""
        _, given, probs = _given()
        bar, semi = _tables(tmp_path, given)
        np.save(tmp_path / "p.npy", probs)
        common = ("--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy", "--top", "0")
        _run("audit", bar, *common, "--out", tmp_path / "a")
        _run("audit", semi, *common, "--tag-separator", ";", "--out", tmp_path / "b")
        for name in ("issues.csv", "classes.csv"):
            pd.testing.assert_frame_equal(_as_bar(_read(tmp_path / "b" / name)), _read(tmp_path / "a" / name))
        issues = _read(tmp_path / "b" / "issues.csv")
        assert issues["given_tags"].str.contains(";x|y", regex=False).any()
        summary = json.loads((tmp_path / "b" / "summary.json").read_text())
        assert summary["settings"]["tag_separator"] == ";" and summary["n_issues"] > 0

    def test_train_tags_reads_semicolons_as_it_reads_bars(self, tmp_path):
        """train-tags --tag-separator ';': the issues, per-tag table and tags of the '|' table."""
        X, given, _ = _given()
        bar, semi = _tables(tmp_path, given, X)
        _run("train-tags", bar, "--label", "tags", "--cv", "3", "--out", tmp_path / "a")
        _run("train-tags", semi, "--label", "tags", "--cv", "3", "--tag-separator", ";", "--out", tmp_path / "b")
        for name in ("issues.csv", "classes.csv"):
            pd.testing.assert_frame_equal(_as_bar(_read(tmp_path / "b" / name)), _read(tmp_path / "a" / name))
        summary = json.loads((tmp_path / "b" / "summary.json").read_text())
        assert summary["classes"] == ["cat", "dog", "x|y"] and summary["settings"]["tag_separator"] == ";"

    @pytest.mark.parametrize("suffix", [".csv", ".parquet"])
    def test_corrupt_writes_semicolons_that_read_back_as_bars_do(self, tmp_path, suffix):
        """corrupt --task multilabel --tag-separator ';' flips the cells the '|' run flips and joins them by ';'."""
        _, given, _ = _given()
        bar, semi = _tables(tmp_path, given)
        common = ("--task", "multilabel", "--label", "tags", "--rate", "0.1", "--random-state", "3")
        _run("corrupt", bar, *common, "--out", tmp_path / f"a{suffix}")
        _run("corrupt", semi, *common, "--tag-separator", ";", "--out", tmp_path / f"b{suffix}")
        read = _read if suffix == ".csv" else (lambda p: pd.read_parquet(p).fillna("").astype(str))
        for name in ("", ".truth"):
            written, expected = read(tmp_path / f"b{name}{suffix}"), read(tmp_path / f"a{name}{suffix}")
            pd.testing.assert_frame_equal(_as_bar(written), expected)
        truth = read(tmp_path / f"b.truth{suffix}")
        assert (truth["dropped"] != "").any() and (truth["added"] != "").any()
        summary = json.loads((tmp_path / "b.summary.json").read_text())
        assert summary["tags"] == ["cat", "dog", "x|y"] and summary["tag_separator"] == ";"

    def test_the_corrupted_copy_audits_with_its_separator(self, tmp_path):
        """corrupt --tag-separator ';' then audit --tag-separator ';': every cell read with the tags written."""
        _, given, probs = _given()
        _, semi = _tables(tmp_path, given)
        np.save(tmp_path / "p.npy", probs)
        _run("corrupt", semi, "--task", "multilabel", "--label", "tags", "--rate", "0.1", "--tag-separator", ";",
             "--out", tmp_path / "noisy.csv")  # fmt: skip
        _run("audit", tmp_path / "noisy.csv", "--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy",
             "--tag-separator", ";", "--out", tmp_path / "a", "--top", "0")  # fmt: skip
        noisy = _read(tmp_path / "noisy.csv")["tags"]
        issues = _read(tmp_path / "a" / "issues.csv").set_index("row").sort_index(key=lambda i: i.astype(int))
        assert [set(c.split(";")) - {""} for c in issues["given_tags"]] == [set(c.split(";")) - {""} for c in noisy]


def _invocations(tmp_path):
    """Each command that takes --tag-separator, on a small valid table."""
    X, given, probs = _given(60)
    _, semi = _tables(tmp_path, given, X)
    np.save(tmp_path / "p.npy", probs)
    answers = tmp_path / "answers.csv"
    pd.DataFrame({"item": [1, 1, 2], "annotator": ["a", "b", "a"], "tags": ["x", "x;y", "y"]}).to_csv(answers)
    return {
        "audit": ("audit", semi, "--task", "multilabel", "--label", "tags", "--probs", tmp_path / "p.npy"),
        "train-tags": ("train-tags", semi, "--label", "tags", "--cv", "3"),
        "corrupt": ("corrupt", semi, "--task", "multilabel", "--label", "tags", "--rate", "0.1", "--out", "o.csv"),
        "aggregate-tags": ("aggregate-tags", answers),
    }


COMMANDS = ("audit", "train-tags", "corrupt", "aggregate-tags")


class TestRefusals:
    @pytest.mark.parametrize("command", COMMANDS)
    @pytest.mark.parametrize(
        ("sep", "match"),
        [
            (",", "--tag-separator must not contain ',', the column delimiter of CSV files"),
            ("a,b", "--tag-separator must not contain ',', the column delimiter of CSV files"),
            ('"', "--tag-separator must not contain '\"', the quote character of CSV files"),
            ("a\tb", "--tag-separator must not contain '\\t', the column delimiter of TSV files"),
            ("a\nb", "--tag-separator must not contain '\\n', a line break"),
        ],
    )
    def test_a_separator_that_cuts_cells_is_refused_and_nothing_written(self, tmp_path, command, sep, match):
        """A CSV/TSV delimiter, a quote or a line break in it: refused by name, no output (aggregate-tags too)."""
        _fails(*_invocations(tmp_path)[command], "--tag-separator", sep, match=match)
        assert not (tmp_path / "o.csv").exists() and not any(p.is_dir() for p in tmp_path.iterdir())

    @pytest.mark.parametrize("command", COMMANDS[:3])
    @pytest.mark.parametrize("sep", ["", " ; "])
    def test_an_empty_or_spaced_separator_is_refused(self, tmp_path, command, sep):
        """Empty or with surrounding spaces (the tags are stripped): refused naming the option and the value."""
        _fails(*_invocations(tmp_path)[command], "--tag-separator", sep,
               match=f"--tag-separator must be a non-empty string without surrounding spaces (e.g. '|' or ';'), got {sep!r}")  # fmt: skip

    def test_audit_takes_it_with_multilabel_only(self, tmp_path):
        """audit --task regression --tag-separator is refused (it reads no tag cell)."""
        _fails("audit", tmp_path / "d.csv", "--task", "regression", "--label", "y", "--predictions",
               tmp_path / "p.npy", "--tag-separator", ";", match="--tag-separator is for --task multilabel")  # fmt: skip

    def test_corrupt_takes_it_with_multilabel_only(self, tmp_path):
        """corrupt (classification) --tag-separator is refused before DATA is read."""
        _fails("corrupt", tmp_path / "d.csv", "--label", "y", "--rate", "0.1", "--out", tmp_path / "o.csv",
               "--tag-separator", ";", match="--tag-separator is for --task multilabel only, got --task classification")  # fmt: skip
