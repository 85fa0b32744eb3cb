"""``labelwise audit`` end to end, with click's CliRunner."""

from __future__ import annotations

import importlib
import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path, monkeypatch):
    """Each test runs in an empty working folder: the commands' default --out (``labelwise-out``) is
    made there, and a checkout where ``make demo`` left one would refuse it first (its earlier
    outputs), before the error a test checks."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture()
def runner():
    return CliRunner()


def _table(n=240, seed=0):
    rng = np.random.default_rng(seed)
    species = rng.choice(["setosa", "versicolor", "virginica"], n)
    centre = {"setosa": 0.0, "versicolor": 3.0, "virginica": 6.0}
    x = np.array([centre[s] for s in species]) + rng.normal(0, 1.0, n)
    colour = np.where(x > 3, "dark", "light")
    frame = pd.DataFrame({"length": x, "width": x * 0.5 + rng.normal(0, 1, n), "colour": colour, "species": species})
    frame.loc[5, "width"] = np.nan  # missing values are tolerated
    frame.loc[[0, 1, 2], "species"] = ["virginica", "setosa", "setosa"]
    return frame


class TestAuditCommand:
    """Outputs, formats and the demo."""

    def test_csv_audit_writes_the_three_outputs(self, runner, tmp_path):
        """issues.csv, summary.json and probs.npy are written, one issues row per example."""
        data = tmp_path / "iris.csv"
        _table().to_csv(data, index=False)
        out = tmp_path / "out"
        result = runner.invoke(main, ["audit", str(data), "--label", "species", "--out", str(out), "--cv", "3"])
        assert result.exit_code == 0, result.output
        issues = pd.read_csv(out / "issues.csv")
        assert list(issues.columns)[:6] == [
            "row",
            "given_label",
            "suggested_label",
            "label_quality",
            "is_issue",
            "rank",
        ]  # then the data checks (issue 11)
        assert len(issues) == 240 and set(issues["given_label"]) == {"setosa", "versicolor", "virginica"}
        summary = json.loads((out / "summary.json").read_text())
        assert summary["n_examples"] == 240 and summary["settings"]["label"] == "species"
        assert len(summary["noise_matrix"]) == 3 and len(summary["per_class"]) == 3
        assert np.load(out / "probs.npy").shape == (240, 3)
        assert "flagged" in result.output

    def test_float_labels_are_shown_as_written(self, runner, tmp_path):
        """A label column of floats (1.0, 2.0) is shown as 1.0 / 2.0 in the worst examples, not 1.0000."""
        frame = _table()
        frame["species"] = frame["species"].map({"setosa": 0.0, "versicolor": 1.0, "virginica": 2.0})
        data = tmp_path / "floats.csv"
        frame.to_csv(data, index=False)
        args = ["audit", str(data), "--label", "species", "--out", str(tmp_path / "o"), "--cv", "3", "--top", "3"]
        result = runner.invoke(main, [*args, "--model", "logistic"])
        assert result.exit_code == 0, result.output
        rows = [line.split("│") for line in result.output.splitlines() if line.count("│") == 7]
        assert len(rows) == 3
        assert all(r[2].strip() in {"0.0", "1.0", "2.0"} and r[3].strip() in {"0.0", "1.0", "2.0"} for r in rows)
        assert all(re.fullmatch(r"0\.\d{4}", r[4].strip()) for r in rows)  # label_quality keeps 4 decimals

    def test_a_report_left_by_an_earlier_run_is_removed_and_said(self, runner, tmp_path):
        """Auditing again (--force) without --report removes OUT/report.html, which described the earlier run
        (main kept it and pointed it out), and says how to write this run's."""
        data = tmp_path / "iris.csv"
        _table().to_csv(data, index=False)
        out = tmp_path / "out"
        args = ["audit", str(data), "--label", "species", "--out", str(out), "--cv", "3", "--checks", "label"]
        first = runner.invoke(main, [*args, "--report"])
        assert first.exit_code == 0, first.output
        assert "earlierrun" not in "".join(first.output.split())
        again = runner.invoke(main, [*args, "--force"])  # without it the earlier outputs are refused
        assert again.exit_code == 0, again.output
        said = "".join(again.output.split())  # rich wraps long paths anywhere
        assert "report.htmldescribedthatrun" in said and "labelwisereport" in said
        assert not (out / "report.html").exists()

    def test_report_over_the_users_own_report_html_is_refused_before_any_work(self, runner, tmp_path):
        """--report with OUT/report.html being the user's page failed after the outputs were written, naming a
        parameter `out` the command does not have; now refused first, naming --report, nothing written."""
        data = tmp_path / "iris.csv"
        _table().to_csv(data, index=False)
        out = tmp_path / "out"
        out.mkdir()
        (out / "report.html").write_text("<html>my page</html>")
        args = ["audit", str(data), "--label", "species", "--out", str(out), "--cv", "3", "--checks", "label"]
        result = runner.invoke(main, [*args, "--report"])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: --report writes") and "--no-report" in result.output
        assert sorted(p.name for p in out.iterdir()) == ["report.html"]
        assert (out / "report.html").read_text() == "<html>my page</html>"

    def test_parquet_and_jsonl_with_bring_your_own_probs(self, runner, tmp_path):
        """--probs skips training; Parquet and JSON Lines inputs work the same."""
        frame = _table()
        probs = np.full((240, 3), 0.1)
        probs[np.arange(240), pd.factorize(frame["species"], sort=True)[0]] = 0.8
        np.save(tmp_path / "oof.npy", probs)
        frame.to_parquet(tmp_path / "d.parquet")
        frame.to_json(tmp_path / "d.jsonl", orient="records", lines=True)
        for name in ["d.parquet", "d.jsonl"]:
            out = tmp_path / f"out-{name}"
            result = runner.invoke(
                main,
                [
                    "audit",
                    str(tmp_path / name),
                    "--label",
                    "species",
                    "--probs",
                    str(tmp_path / "oof.npy"),
                    "--out",
                    str(out),
                ],
            )
            assert result.exit_code == 0, result.output
            assert json.loads((out / "summary.json").read_text())["settings"]["cv"] is None

    def test_label_texts_read_as_one_number_stay_distinct_classes(self, runner, tmp_path):
        """'01' and '1.0' were read as the number 1: 3 classes audited as 2 (+ an empty column); now 3, as written."""
        frame = _table()
        frame["species"] = frame["species"].map({"setosa": "01", "versicolor": "1.0", "virginica": "2"})
        frame.to_csv(tmp_path / "d.csv", index=False)
        rng = np.random.default_rng(0)
        np.save(tmp_path / "p.npy", rng.dirichlet(np.ones(3), len(frame)))
        out = tmp_path / "out"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "species", "--probs", str(tmp_path / "p.npy")]
        result = runner.invoke(main, [*args, "--checks", "label", "--out", str(out)])
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["classes"] == ["01", "1.0", "2"]
        counts = frame["species"].value_counts()
        assert [c["n_given"] for c in summary["per_class"]] == [int(counts[c]) for c in ["01", "1.0", "2"]]
        issues = pd.read_csv(out / "issues.csv", dtype={"given_label": str})
        assert set(issues["given_label"]) == {"01", "1.0", "2"}

    def test_names_with_square_brackets_print_as_written(self, runner, tmp_path):
        """A class '[/]' or a column 'size [cm]' crashed the screen output (rich MarkupError) or lost its brackets."""
        frame = _table().rename(columns={"length": "size [cm]"})
        frame["species"] = frame["species"].map({"setosa": "[/]", "versicolor": "[bold]x", "virginica": "a[b]c"})
        frame.to_csv(tmp_path / "d.csv", index=False)
        args = ["audit", str(tmp_path / "d.csv"), "--label", "species", "--model", "logistic", "--cv", "3"]
        result = runner.invoke(main, [*args, "--checks", "label", "--top", "40", "--out", str(tmp_path / "o")])
        assert result.exit_code == 0, result.output
        for shown in ("size [cm]", "[/]", "[bold]x", "a[b]c"):
            assert shown in result.output

    def test_free_text_column_is_used(self, runner, tmp_path):
        """A text column is vectorised by TF-IDF and the audit runs."""
        rng = np.random.default_rng(1)
        topic = rng.choice(["sport", "food"], 120)
        words = {"sport": "goal match team score ball", "food": "bread cheese soup salad taste"}
        text = [" ".join(rng.choice(words[t].split(), 5)) for t in topic]
        pd.DataFrame({"text": text, "topic": topic}).to_csv(tmp_path / "t.csv", index=False)
        result = runner.invoke(
            main, ["audit", str(tmp_path / "t.csv"), "--label", "topic", "--out", str(tmp_path / "o"), "--cv", "3"]
        )
        assert result.exit_code == 0, result.output

    def test_demo_reports_precision_and_recall(self, runner, tmp_path):
        """--demo audits digits with flipped labels and scores the flagged set."""
        out = tmp_path / "demo"
        result = runner.invoke(main, ["audit", "--demo", "--no-report", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "precision" in result.output and "recall" in result.output
        demo = json.loads((out / "summary.json").read_text())["demo"]
        assert demo["n_flipped"] == 180
        assert demo["precision"] > 0.7 and demo["recall"] > 0.8
        assert (out / "data.csv").exists()

    def test_demo_without_flips_has_no_recall_rather_than_zero(self, runner, tmp_path):
        """--noise-rate 0 said "recall 0.000" (0 of 0 flips found: undefined, not a miss); recall is now null
        in summary.json and n/a on screen."""
        out = tmp_path / "demo"
        args = ["audit", "--demo", "--noise-rate", "0", "--no-report", "--out", str(out), "--model", "logistic"]
        result = runner.invoke(main, [*args, "--checks", "label", "--top", "0"])
        assert result.exit_code == 0, result.output
        demo = json.loads((out / "summary.json").read_text())["demo"]
        assert demo["n_flipped"] == 0 and demo["recall"] is None
        assert "recall n/a (no label flipped)" in " ".join(result.output.split())


class TestAuditErrors:
    """Bad input: one line on stderr, exit status 2, no traceback."""

    def _fails(self, runner, args, pattern):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, result.output
        assert pattern in result.output
        assert "Traceback" not in result.output
        return result

    def test_missing_label_column_lists_columns(self, runner, tmp_path):
        """A wrong --label names the columns that exist."""
        _table().to_csv(tmp_path / "d.csv", index=False)
        self._fails(
            runner,
            ["audit", str(tmp_path / "d.csv"), "--label", "kind"],
            "columns are ['length', 'width', 'colour', 'species']",
        )

    def test_repeated_label_column_is_refused(self, runner, tmp_path):
        """A header with 'species' twice was read as species + species.1, the label's copy a feature: 0 flagged."""
        frame = _table()
        frame.insert(0, "copy", frame["species"])
        frame.rename(columns={"copy": "species"}).to_csv(tmp_path / "d.csv", index=False)
        out = tmp_path / "out"
        self._fails(runner, ["audit", str(tmp_path / "d.csv"), "--label", "species", "--out", str(out)], "repeats")
        assert not out.exists()

    def test_zero_n_jobs(self, runner, tmp_path):
        """--n-jobs 0 reached joblib and ended in a traceback; now a usage error naming --n-jobs, nothing written."""
        _table().to_csv(tmp_path / "d.csv", index=False)
        out = tmp_path / "out"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "species", "--out", str(out), "--n-jobs", "0"]
        self._fails(runner, [*args, "--checks", "label"], "Invalid value for '--n-jobs'")
        assert not (out / "issues.csv").exists()

    def test_noise_rate_of_nine_tenths_is_a_usage_error(self, runner, tmp_path):
        """--noise-rate 0.9 passed the option's range and failed in the noise model naming ``noise_rate``:
        the range now stops below 0.9, the most a 10-class symmetric noise matrix allows."""
        out = tmp_path / "out"
        args = ["audit", "--demo", "--noise-rate", "0.9", "--checks", "label", "--no-report", "--out", str(out)]
        result = self._fails(runner, args, "Invalid value for '--noise-rate': 0.9 is not in the range 0<=x<0.9")
        assert not out.exists() and "noise_rate" not in result.output

    def test_negative_random_state(self, runner, tmp_path):
        """--random-state -1 ended in numpy's 'Seed must be between 0 and 2**32 - 1' traceback."""
        _table().to_csv(tmp_path / "d.csv", index=False)
        args = ["audit", str(tmp_path / "d.csv"), "--label", "species", "--random-state", "-1", "--checks", "label"]
        self._fails(
            runner,
            [*args, "--out", str(tmp_path / "out")],
            "Invalid value for '--random-state': -1 is not in the range",
        )

    def test_demo_does_not_overwrite_a_users_data_csv(self, runner, tmp_path):
        """--demo wrote the digits over OUT/data.csv whatever it held; an earlier demo's own data.csv is still rewritten."""
        (tmp_path / "data.csv").write_text("mine,not,digits\n")
        self._fails(
            runner,
            ["audit", "--demo", "--checks", "label", "--out", str(tmp_path)],
            "was not written by an earlier --demo",
        )
        assert (tmp_path / "data.csv").read_text() == "mine,not,digits\n"
        demo = tmp_path / "demo"
        for again in ([], ["--force"]):  # the second demo replaces the first one's outputs, data.csv included
            args = ["audit", "--demo", "--checks", "label", "--no-report", "--out", str(demo), *again]
            result = runner.invoke(main, args)
            assert result.exit_code == 0, result.output

    @pytest.mark.parametrize(
        ("args", "named"),
        [
            (["{data}", "--demo"], "does not use DATA ("),
            (["--demo", "--label", "species"], "does not use --label;"),
            (["--demo", "--features", "{data}", "--split-column", "s"], "does not use --features, --split-column;"),
        ],
    )
    def test_demo_refuses_the_inputs_it_would_leave_unread(self, runner, tmp_path, args, named):
        """`audit data.csv --demo` audited the digits and never read data.csv (--label, --features... too)."""
        _table().to_csv(tmp_path / "d.csv", index=False)
        out = tmp_path / "out"
        given = ["audit", *(a.replace("{data}", str(tmp_path / "d.csv")) for a in args)]
        self._fails(runner, [*given, "--checks", "label", "--out", str(out)], "--demo audits scikit-learn's digits")
        assert named in runner.invoke(main, [*given, "--out", str(out)]).output
        assert not out.exists()

    def test_a_failed_demo_rerun_leaves_the_earlier_demos_table(self, runner, tmp_path):
        """--demo wrote data.csv before auditing: a --force rerun with another --noise-rate that then failed (or was
        interrupted) left the new table beside the earlier run's issues.csv, whose given labels it no longer had."""
        out = tmp_path / "demo"
        args = ["audit", "--demo", "--checks", "label", "--no-report", "--model", "logistic", "--out", str(out)]
        assert runner.invoke(main, args).exit_code == 0
        table = (out / "data.csv").read_bytes()
        self._fails(runner, [*args, "--force", "--noise-rate", "0.3", "--cv", "500"], "every class needs at least")
        assert (out / "data.csv").read_bytes() == table
        given = pd.read_csv(out / "issues.csv").sort_values("row")["given_label"].to_numpy()
        assert (pd.read_csv(out / "data.csv")["label"].to_numpy() == given).all()

    def test_noise_rate_without_demo_is_refused(self, runner, tmp_path):
        """--noise-rate 0.2 on one's own table was ignored without a word: no label was flipped."""
        _table().to_csv(tmp_path / "d.csv", index=False)
        out = tmp_path / "out"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "species", "--noise-rate", "0.2", "--out", str(out)]
        self._fails(runner, args, "--noise-rate is the share of labels --demo flips, and there is no --demo")
        assert not out.exists()

    def test_probs_with_a_class_no_row_has(self, runner, tmp_path):
        """String labels missing one of the --probs columns: the message pointed to classes=, which the CLI lacks."""
        frame = _table()
        frame.to_csv(tmp_path / "d.csv", index=False)
        np.save(tmp_path / "p.npy", np.full((len(frame), 4), 0.25))
        args = [
            "audit",
            str(tmp_path / "d.csv"),
            "--label",
            "species",
            "--probs",
            str(tmp_path / "p.npy"),
            "--checks",
            "label",
        ]
        result = self._fails(runner, args, "--probs has 4 columns but --label column 'species' has 3 distinct values")
        assert "classes=" not in result.output

    def test_a_label_column_of_lists_points_to_multilabel(self, runner, tmp_path):
        """JSON Lines whose label is a list raised pandas' 'unhashable type: list' traceback."""
        rows = [{"x": i / 10, "tags": ["a"] if i % 2 else ["b", "a"]} for i in range(40)]
        (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        args = [
            "audit",
            str(tmp_path / "d.jsonl"),
            "--label",
            "tags",
            "--checks",
            "label",
            "--out",
            str(tmp_path / "o"),
        ]
        self._fails(runner, args, "--label column 'tags' must hold one label per row, row 0 holds a list")

    def test_empty_file(self, runner, tmp_path):
        """An empty file is reported."""
        (tmp_path / "e.csv").write_text("")
        self._fails(runner, ["audit", str(tmp_path / "e.csv"), "--label", "y"], "is empty")

    def test_unreadable_file(self, runner, tmp_path):
        """A file that does not exist is reported."""
        self._fails(runner, ["audit", str(tmp_path / "none.csv"), "--label", "y"], "does not exist")

    def test_small_class_suggests_cv(self, runner, tmp_path):
        """A class with fewer examples than folds suggests --cv."""
        frame = _table()
        frame.loc[[10, 11], "species"] = "rare"
        frame.to_csv(tmp_path / "d.csv", index=False)
        self._fails(runner, ["audit", str(tmp_path / "d.csv"), "--label", "species"], "--cv")

    def test_probs_with_wrong_shape(self, runner, tmp_path):
        """--probs with the wrong number of rows is reported with both shapes."""
        _table().to_csv(tmp_path / "d.csv", index=False)
        np.save(tmp_path / "p.npy", np.full((10, 3), 1 / 3))
        self._fails(
            runner,
            ["audit", str(tmp_path / "d.csv"), "--label", "species", "--probs", str(tmp_path / "p.npy")],
            "(240, K)",
        )

    def test_bad_probs_rows(self, runner, tmp_path):
        """--probs rows that do not sum to one name the option (it said 'probs') and the row."""
        _table().to_csv(tmp_path / "d.csv", index=False)
        probs = np.full((240, 3), 1 / 3)
        probs[7] = [0.5, 0.5, 0.5]
        np.save(tmp_path / "p.npy", probs)
        self._fails(
            runner,
            ["audit", str(tmp_path / "d.csv"), "--label", "species", "--probs", str(tmp_path / "p.npy")],
            "--probs must sum to 1 in every row (within 0.0001); row 7 sums to 1.5",
        )

    @pytest.mark.parametrize("model", ["auto", "logistic"])
    def test_infinite_feature_names_column_and_row(self, runner, tmp_path, model):
        """An inf in a numeric column names the column and the row (it was a scikit-learn traceback)."""
        frame = _table()
        frame.loc[9, "length"] = np.inf
        frame.to_csv(tmp_path / "d.csv", index=False)
        args = ["audit", str(tmp_path / "d.csv"), "--label", "species", "--model", model, "--out", str(tmp_path / "o")]
        self._fails(runner, args, "column 'length' holds inf or -inf in 1 row, e.g. rows [9]")

    def test_one_class_names_the_column_and_the_class(self, runner, tmp_path):
        """A label column with one class names it and the class (it said 'labels must contain at least 2 classes')."""
        _table().assign(species="setosa").to_csv(tmp_path / "d.csv", index=False)
        args = ["audit", str(tmp_path / "d.csv"), "--label", "species", "--out", str(tmp_path / "o")]
        self._fails(
            runner, args, "label column 'species' must hold at least 2 classes to train a model, got only 'setosa'"
        )

    def test_no_data_and_no_demo(self, runner):
        """Without DATA or --demo the command says what is needed."""
        self._fails(runner, ["audit"], "DATA is required")

    def test_probs_without_labels_points_to_labels(self, runner, tmp_path):
        """--probs without DATA or --labels names --labels (it named only DATA and --demo)."""
        np.save(tmp_path / "p.npy", np.full((10, 2), 0.5))
        self._fails(
            runner, ["audit", "--probs", str(tmp_path / "p.npy"), "--out", str(tmp_path / "o")], "--probs with --labels"
        )

    def test_existing_outputs_survive_a_failed_run(self, runner, tmp_path):
        """A run that fails does not touch the previous run's files, even with --force (without it: refused)."""
        _table().to_csv(tmp_path / "d.csv", index=False)
        out = tmp_path / "out"
        out.mkdir()
        (out / "issues.csv").write_text("previous")
        args = ["audit", str(tmp_path / "d.csv"), "--label", "nope", "--out", str(out)]
        self._fails(runner, args, "must not hold earlier outputs, got issues.csv")
        self._fails(runner, [*args, "--force"], "not in the data")
        assert (out / "issues.csv").read_text() == "previous"

    def test_a_run_that_fails_while_writing_leaves_the_previous_outputs_whole(self, runner, tmp_path, monkeypatch):
        """A failure after issues.csv is written (here: at summary.json) leaves every previous output, with --force too."""
        audit_cli = importlib.import_module("labelwise.cli.audit")  # the package's `audit` is the command

        _table().to_csv(tmp_path / "d.csv", index=False)
        out = tmp_path / "out"
        args = ["audit", str(tmp_path / "d.csv"), "--label", "species", "--out", str(out), "--cv", "3"]
        assert runner.invoke(main, args).exit_code == 0
        before = {p.name: p.read_bytes() for p in out.iterdir()}

        def broken(*a, **k):
            raise RuntimeError("disk gone")

        monkeypatch.setattr(audit_cli, "write_audit_summary", broken)
        result = runner.invoke(main, [*args, "--random-state", "1", "--force"])
        assert isinstance(result.exception, RuntimeError)
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before

    def test_ctrl_c_is_one_line_and_exit_status_130(self, runner, tmp_path, monkeypatch):
        """An interrupt mid-run: one line on stderr and the shell's status for SIGINT, no traceback."""
        audit_cli = importlib.import_module("labelwise.cli.audit")

        def interrupted(*a, **k):
            raise KeyboardInterrupt

        _table().to_csv(tmp_path / "d.csv", index=False)
        monkeypatch.setattr(audit_cli, "read_input", interrupted)
        result = runner.invoke(
            main, ["audit", str(tmp_path / "d.csv"), "--label", "species", "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 130
        assert "interrupted" in result.output and "Aborted" not in result.output


class TestAuditAtScaleOptions:
    """The audit at scale (--labels, --scheduler) reads fewer options than the in-memory audit."""

    def _inputs(self, tmp_path):
        frame = _table(60)
        frame.to_csv(tmp_path / "d.csv", index=False)
        probs = np.full((60, 3), 0.1)
        probs[np.arange(60), pd.factorize(frame["species"], sort=True)[0]] = 0.8
        np.save(tmp_path / "oof.npy", probs)
        return [
            "audit",
            "--probs",
            str(tmp_path / "oof.npy"),
            "--labels",
            str(tmp_path / "d.csv"),
            "--label",
            "species",
        ]

    def test_options_it_does_not_read_are_refused_not_ignored(self, runner, tmp_path):
        """--top and --random-state with --labels were left out without a word (no table printed); now exit 2
        naming them, before any output is written. --features, --checks and --split-column are read since
        session 49 (the data checks at scale: tests/cli/test_audit_checks_scale_cli.py), so not named."""
        args = [*self._inputs(tmp_path), "--out", str(tmp_path / "o")]
        extra = ["--features", str(tmp_path / "oof.npy"), "--checks", "outlier", "--split-column", "colour"]
        result = runner.invoke(main, [*args, *extra, "--top", "3", "--random-state", "1"])
        assert result.exit_code == 2, result.output
        assert "does not use --random-state, --top:" in result.output
        assert not (tmp_path / "o").exists()

    def test_data_checks_options_without_checks_are_refused(self, runner, tmp_path):
        """--features and --k without --checks: no data check runs at scale, so they would be ignored: exit 2."""
        args = [*self._inputs(tmp_path), "--out", str(tmp_path / "o")]
        result = runner.invoke(main, [*args, "--features", str(tmp_path / "oof.npy"), "--k", "3"])
        assert result.exit_code == 2, result.output
        assert "does not use --features, --k:" in result.output
        assert not (tmp_path / "o").exists()

    def test_report_is_written(self, runner, tmp_path):
        """--report with --labels wrote no report and said nothing; now report.html is written and named."""
        out = tmp_path / "o"
        result = runner.invoke(main, [*self._inputs(tmp_path), "--out", str(out), "--report"])
        assert result.exit_code == 0, result.output
        assert (out / "report.html").is_file() and "report:" in result.output
