"""``labelwise evaluate``, ``rank-agreement``, ``shift`` and ``label-shift`` end to end, with click's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.evaluate import corrected_benchmark


@pytest.fixture
def bench(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    truth = rng.integers(0, 3, n)
    given = truth.copy()
    bad = rng.random(n) < 0.08
    given[bad] = (truth[bad] + 1) % 3
    (tmp_path / "preds").mkdir()
    np.save(tmp_path / "preds" / "copy.npy", given)
    honest = np.where(rng.random(n) < 0.1, (truth + 2) % 3, truth)
    pd.DataFrame({"pred": honest}).to_csv(tmp_path / "preds" / "honest.csv", index=False)
    pd.DataFrame({"label": given, "x": np.arange(n)}).to_csv(tmp_path / "test.csv", index=False)
    changed = np.flatnonzero(bad)
    pd.DataFrame({"row": changed, "action": "relabel", "new_label": truth[changed]}).to_csv(
        tmp_path / "cleaned.changes.csv", index=False
    )
    return tmp_path, given, truth, honest


def test_evaluate_writes_outputs_matching_the_api(bench):
    """The CLI's table.csv and crossovers.csv equal corrected_benchmark on the same inputs; the page is self-contained."""
    d, given, truth, honest = bench
    res = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(d / "preds"),
            "--labels",
            str(d / "test.csv"),
            "--corrections",
            str(d),
            "--seeds",
            "3",
            "--out",
            str(d / "out"),
        ],
    )
    assert res.exit_code == 0, res.output
    ev = corrected_benchmark({"copy": given, "honest": honest}, given, truth, seeds=3)
    table = pd.read_csv(d / "out" / "table.csv").set_index("model")
    np.testing.assert_allclose(
        table[["original", "corrected", "correctable"]],
        ev.table[["original", "corrected", "correctable"]],
    )
    cross = pd.read_csv(d / "out" / "crossovers.csv")
    assert cross["prevalence"].iloc[0] == pytest.approx(ev.crossovers["prevalence"].iloc[0])
    page = (d / "out" / "evaluation.html").read_text()
    assert "data:image/png;base64," in page and 'src="http' not in page
    assert json.loads((d / "out" / "summary.json").read_text())["n_correctable"] == int((given != truth).sum())


def test_evaluate_with_human_counts(bench, tmp_path):
    """--human-counts: plurality as corrected labels and an expected_corrected column."""
    d, given, truth, _ = bench
    counts = np.eye(3)[truth] * 4 + np.eye(3)[given]
    np.save(d / "counts.npy", counts)
    res = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(d / "preds"),
            "--labels",
            str(d / "test.csv"),
            "--human-counts",
            str(d / "counts.npy"),
            "--seeds",
            "2",
            "--out",
            str(d / "o2"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "expected_corrected" in pd.read_csv(d / "o2" / "table.csv").columns


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda d: np.save(d / "preds" / "short.npy", np.zeros(5, int)),
            "model 'short'",
        ),
        (
            lambda d: np.save(d / "preds" / "honest.npy", np.zeros(300, int)),
            "appears twice",
        ),
        (  # a stray feature table in the folder was read as probabilities: numpy's ValueError, a traceback
            lambda d: pd.DataFrame({"x": [0.5] * 300, "kind": ["a"] * 300}).to_csv(d / "preds" / "f.csv", index=False),
            "columns ['kind'] are not numeric",
        ),
        (
            lambda d: pd.DataFrame({"row": [999], "action": ["relabel"], "new_label": [1]}).to_csv(
                d / "cleaned.changes.csv", index=False
            ),
            "not in the test set",
        ),
    ],
)
def test_evaluate_bad_input_exits_2_with_one_line(bench, setup, message):
    """Wrong prediction length, a model twice, a correction outside the test set: one error line, exit 2."""
    d, *_ = bench
    setup(d)
    res = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(d / "preds"),
            "--labels",
            str(d / "test.csv"),
            "--corrections",
            str(d),
            "--out",
            str(d / "out"),
        ],
    )
    assert res.exit_code == 2 and message in res.output
    assert not (d / "out").exists()


def test_rank_agreement_cli(tmp_path):
    """Two qrels over the same runs: systems.csv and agreement.csv; a malformed qrels line is exit 2 with file and line."""
    pytest.importorskip("ir_measures")
    (tmp_path / "runs").mkdir()
    rng = np.random.default_rng(1)
    for s in range(5):
        lines = [f"{q} Q0 d{d} {r + 1} {10 - r} s{s}" for q in ("1", "2") for r, d in enumerate(rng.permutation(6))]
        (tmp_path / "runs" / f"s{s}.run").write_text("\n".join(lines) + "\n")
    (tmp_path / "a.qrels").write_text("1 0 d0 1\n1 0 d1 2\n2 0 d2 1\n2 0 d3 1\n")
    (tmp_path / "b.qrels").write_text("1 0 d0 1\n1 0 d4 1\n2 0 d2 2\n2 0 d5 1\n")
    args = [
        "rank-agreement",
        str(tmp_path / "runs"),
        "--qrels",
        str(tmp_path / "a.qrels"),
        "--qrels",
        str(tmp_path / "b.qrels"),
        "--n-boot",
        "20",
        "--out",
        str(tmp_path / "o"),
    ]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    agreement = pd.read_csv(tmp_path / "o" / "agreement.csv").set_index("measure")
    assert set(agreement.index) >= {"kendall_tau", "tau_ap", "spearman", "rbo_ext"}
    assert "data:image/png;base64," in (tmp_path / "o" / "agreement.html").read_text()
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["n_topics"] == 2
    (tmp_path / "b.qrels").write_text("1 0 d0 1\n1 0 d4 1\n")  # judges topic 1 only
    assert CliRunner().invoke(main, args).exit_code == 2  # the first run's outputs are there: refused
    args.append("--force")
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert "compared on the 1 topics both qrels judge; 1 judged in one qrels only" in " ".join(res.output.split())
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert (summary["n_topics"], summary["topics_in_one_qrels_only"]) == (1, ["2"])
    (tmp_path / "b.qrels").write_text("1 0 d0 1\n1 0 d4\n")
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and "b.qrels' line 2" in res.output


def test_shift_and_label_shift_cli(tmp_path):
    """shift writes priors and adapted probabilities; a class-count mismatch exits 2; label-shift writes familiarity."""
    rng = np.random.default_rng(0)
    vp = rng.dirichlet(np.ones(3), 300)
    vl = np.array([rng.choice(3, p=p) for p in vp])
    np.save(tmp_path / "vp.npy", vp)
    np.save(tmp_path / "vl.npy", vl)
    np.save(tmp_path / "tp.npy", rng.dirichlet([3, 1, 1], 200))
    base = [
        "shift",
        "--train-probs",
        str(tmp_path / "vp.npy"),
        "--train-labels",
        str(tmp_path / "vl.npy"),
        "--n-boot",
        "5",
        "--out",
        str(tmp_path / "o"),
    ]
    res = CliRunner().invoke(main, [*base, "--target-probs", str(tmp_path / "tp.npy")])
    assert res.exit_code == 0, res.output
    assert np.load(tmp_path / "o" / "adapted_probs.npy").shape == (200, 3)
    assert len(pd.read_csv(tmp_path / "o" / "priors.csv")) == 3
    np.save(tmp_path / "tp2.npy", rng.dirichlet([1, 1], 20))
    res = CliRunner().invoke(main, [*base, "--target-probs", str(tmp_path / "tp2.npy"), "--force"])
    assert res.exit_code == 2 and "as many classes" in res.output
    (tmp_path / "train.txt").write_text("person\nperson\nlocation\norganisation\n")
    (tmp_path / "eval.txt").write_text("person\norganization\ndisease\n")
    res = CliRunner().invoke(
        main,
        [
            "label-shift",
            "--train-labels",
            str(tmp_path / "train.txt"),
            "--eval-labels",
            str(tmp_path / "eval.txt"),
            "--out",
            str(tmp_path / "f"),
        ],
    )
    assert res.exit_code == 0, res.output
    fam = pd.read_csv(tmp_path / "f" / "familiarity.csv").set_index("eval_label")
    assert fam.loc["organization", "nearest_train_label"] == "organisation"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--metric", "fbeta_score"], "metric 'fbeta_score' must score (y_true, y_pred) label arrays"),
        (["--labels-2d"], "--labels must hold one label per test item (1-D), got shape (300, 2)"),
    ],
)
def test_evaluate_bad_metric_or_labels_array_exits_2_with_one_line(bench, extra, message):
    """fbeta_score (no beta) was a sklearn traceback, as f1_score on 3 classes was; a 2-D --labels .npy was called 'given'."""
    d, given, *_ = bench
    labels = d / "test.csv"
    if extra == ["--labels-2d"]:
        np.save(d / "labels.npy", np.stack([given, given], axis=1))
        labels, extra = d / "labels.npy", []
    args = ["evaluate", str(d / "preds"), "--labels", str(labels), "--corrections", str(d), "--out", str(d / "out")]
    res = CliRunner().invoke(main, [*args, *extra])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output
    assert not (d / "out").exists()


def test_evaluate_probability_table_with_class_header_in_another_order(tmp_path):
    """preds/m.csv with header 'fox,cat,dog' scores as the same probabilities in class order."""
    rng = np.random.default_rng(1)
    cls = np.array(["cat", "dog", "fox"])
    given = cls[rng.integers(0, 3, 90)]
    probs = rng.dirichlet([1, 1, 1], 90)
    pd.DataFrame({"label": given}).to_csv(tmp_path / "test.csv", index=False)
    other = "dog" if given[0] == "cat" else "cat"
    pd.DataFrame({"row": [0], "label": [other]}).to_csv(tmp_path / "fix.csv", index=False)
    for folder, order in (("a", [0, 1, 2]), ("b", [2, 0, 1])):
        (tmp_path / folder).mkdir()
        pd.DataFrame(probs[:, order], columns=cls[order]).to_csv(tmp_path / folder / "m.csv", index=False)
    tables = []
    for folder in ("a", "b"):
        args = ["evaluate", str(tmp_path / folder), "--labels", str(tmp_path / "test.csv")]
        res = CliRunner().invoke(
            main,
            [*args, "--corrections", str(tmp_path / "fix.csv"), "--seeds", "1", "--out", str(tmp_path / f"o{folder}")],
        )
        assert res.exit_code == 0, res.output
        tables.append(pd.read_csv(tmp_path / f"o{folder}" / "table.csv"))
    pd.testing.assert_frame_equal(tables[0], tables[1])


@pytest.mark.parametrize("label_header", ["label", "y"])
def test_evaluate_keeps_label_texts_a_number_parser_would_merge(tmp_path, label_header):
    """Test labels '01' and '1' are two classes: a model predicting '1' for an '01' item is wrong
    (both were read as the number 1, and the model scored 1.0 where the hand count is 5/6)."""
    (tmp_path / "preds").mkdir()
    (tmp_path / "test.csv").write_text(f"{label_header}\n01\n1\n2\n01\n1\n2\n")
    (tmp_path / "preds" / "m.csv").write_text("pred\n01\n1\n2\n1\n1\n2\n")
    (tmp_path / "fix.csv").write_text("row,label\n1,2\n")
    res = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(tmp_path / "preds"),
            "--labels",
            str(tmp_path / "test.csv"),
            "--corrections",
            str(tmp_path / "fix.csv"),
            "--seeds",
            "1",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert res.exit_code == 0, res.output
    row = pd.read_csv(tmp_path / "out" / "table.csv").iloc[0]
    assert row["original"] == pytest.approx(5 / 6)
    assert row["corrected"] == pytest.approx(4 / 6)


def test_evaluate_label_column_with_an_npy_of_labels_is_refused(bench):
    """--label-column beside an .npy --labels was silently ignored (an array has no columns)."""
    d, given, *_ = bench
    np.save(d / "labels.npy", given)
    args = ["evaluate", str(d / "preds"), "--labels", str(d / "labels.npy"), "--label-column", "label"]
    res = CliRunner().invoke(main, [*args, "--corrections", str(d), "--out", str(d / "out")])
    assert res.exit_code == 2 and "--label-column names a column of a --labels table" in res.output, res.output
    assert not (d / "out").exists()


def test_evaluate_too_few_probability_columns_lists_the_classes(tmp_path):
    """Text labels with corrections written as numbers: 'must have one column per class (5), got 3' did not say
    which classes, so the numbers among the names could not be seen."""
    (tmp_path / "preds").mkdir()
    np.save(tmp_path / "preds" / "m.npy", np.full((4, 3), 1 / 3))
    np.save(tmp_path / "labels.npy", np.array(["cat", "dog", "owl", "cat"]))
    pd.DataFrame({"row": [0, 1], "label": [2, 1]}).to_csv(tmp_path / "fix.csv", index=False)
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "labels.npy")]
    res = CliRunner().invoke(main, [*args, "--corrections", str(tmp_path / "fix.csv"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2, res.output
    assert "the classes are the given and corrected labels, sorted: ['1', '2', 'cat', 'dog', 'owl']" in res.output


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (lambda c: np.where(np.arange(c.size).reshape(c.shape) == 7, np.nan, c), "row 2 column 1 is nan"),
        (lambda c: c[:, :2], "--labels must be one of the classes of the 2 columns of --human-counts [0, 1], row "),
        (
            lambda c: np.c_[c, np.zeros(len(c))],
            "--human-counts must have shape (300, 3), one column per class [0, 1, 2], got (300, 4)",
        ),
    ],
)
def test_evaluate_human_counts_errors_say_where(bench, counts, message):
    """A NaN vote count was 'counts must be finite and non-negative' (no row); too few columns said 'classes of
    counts' without them; one column too many said 'soft_labels must have shape', a name the command has not."""
    d, given, *_ = bench
    votes = np.eye(3)[given] * 3
    np.save(d / "votes.npy", counts(votes))
    args = ["evaluate", str(d / "preds"), "--labels", str(d / "test.csv"), "--human-counts", str(d / "votes.npy")]
    res = CliRunner().invoke(main, [*args, "--out", str(d / "out")])
    assert res.exit_code == 2 and message in res.output and "soft_labels" not in res.output, res.output
    assert not (d / "out").exists()


def test_evaluate_settings_record_every_input(bench):
    """settings had the PREDICTIONS folder but not --labels, and 'corrections' was the path as typed."""
    d, *_ = bench
    args = ["evaluate", str(d / "preds"), "--labels", str(d / "test.csv"), "--corrections", str(d), "--seeds", "1"]
    res = CliRunner().invoke(main, [*args, "--out", str(d / "out")])
    assert res.exit_code == 0, res.output
    settings = json.loads((d / "out" / "summary.json").read_text())["settings"]
    assert settings["labels"] == str((d / "test.csv").resolve()) and settings["corrections"] == str(d.resolve())
    assert settings["metric"] == "accuracy" and "human_counts" not in settings
