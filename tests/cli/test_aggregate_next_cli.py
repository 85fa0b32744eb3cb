"""`labelwise aggregate --next N`: the items to label next by ActiveLab (cli/_aggregate_active.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import active_learning_scores
from labelwise.cli import main
from tests.aggregate._crowd import confusion_crowd

CLASSES = np.array(["cat", "dog", "fox"])


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Answers (items 0..59, 2 per item), the model's probabilities as a table, and 5 unanswered items."""
    answers, truth = confusion_crowd(60, 3, (0.8, 0.7, 0.65, 0.6), per_item=2, seed=0)
    answers["label"] = CLASSES[answers["label"]]
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(3), 60) * 0.4
    probs[np.arange(60), truth.to_numpy()] += 0.6
    unlabeled = rng.dirichlet(np.ones(3), 5)
    paths = {k: tmp_path / f"{k}.csv" for k in ("answers", "probs", "unlabeled")}
    answers.to_csv(paths["answers"], index=False)
    pd.DataFrame(probs, columns=CLASSES).rename_axis("item").reset_index().to_csv(paths["probs"], index=False)
    frame = pd.DataFrame(unlabeled, columns=CLASSES, index=pd.Index([f"new{i}" for i in range(5)], name="item"))
    frame[["fox", "cat", "dog"]].reset_index().to_csv(paths["unlabeled"], index=False)
    return paths


def _run(args: list) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


class TestAggregateNext:
    def test_writes_the_ranking_the_api_gives(self, inputs, tmp_path):
        """next_to_label.csv holds the N lowest ActiveLab scores of answered and unanswered items,
        the same as active_learning_scores on the same files; the screen names the file."""
        out = tmp_path / "out"
        res = _run(
            ["aggregate", inputs["answers"], "--probs", inputs["probs"], "--next", 10]
            + ["--unlabeled-probs", inputs["unlabeled"], "--out", out]
        )
        assert res.exit_code == 0, res.output
        assert "next to label: 10 item(s)" in res.output and "next_to_label.csv" in res.output
        got = pd.read_csv(out / "next_to_label.csv", dtype={"item": str})
        assert list(got.columns) == ["item", "score", "labeled", "consensus"] and len(got) == 10
        answers = pd.read_csv(inputs["answers"], dtype={"item": str})
        probs = pd.read_csv(inputs["probs"], dtype={"item": str}).set_index("item")
        unlabeled = pd.read_csv(inputs["unlabeled"]).set_index("item")
        want = active_learning_scores(answers, probs, unlabeled).next(10)
        assert got["item"].tolist() == want["item"].astype(str).tolist()
        np.testing.assert_allclose(got["score"], want["score"], rtol=1e-12)
        summary = json.loads((out / "summary.json").read_text())["next"]
        assert summary["n"] == 10 and summary["n_unlabeled_scored"] == 5

    def test_a_later_run_without_next_removes_the_stale_ranking(self, inputs, tmp_path):
        """next_to_label.csv is one of aggregate's outputs: --force without --next removes the old one."""
        out = tmp_path / "out"
        assert (
            _run(["aggregate", inputs["answers"], "--probs", inputs["probs"], "--next", 3, "--out", out]).exit_code == 0
        )
        assert (out / "next_to_label.csv").is_file()
        res = _run(["aggregate", inputs["answers"], "--probs", inputs["probs"], "--out", out, "--force"])
        assert res.exit_code == 0, res.output
        assert not (out / "next_to_label.csv").exists()

    @pytest.mark.parametrize(
        "extra, message",
        [
            (["--next", "3", "--method", "dawid-skene"], "--next ranks items by CROWDLAB's weights"),
            (["--unlabeled-probs", "{unlabeled}"], "--unlabeled-probs is only read with --next"),
        ],
    )
    def test_refusals_name_the_option(self, inputs, tmp_path, extra, message):
        """--next with another method, and --unlabeled-probs without --next, are refused in one line."""
        extra = [e.format(unlabeled=inputs["unlabeled"]) for e in extra]
        res = _run(["aggregate", inputs["answers"], "--probs", inputs["probs"], *extra, "--out", tmp_path / "o"])
        assert res.exit_code == 2 and message in res.output

    def test_next_without_probs_is_refused(self, inputs, tmp_path):
        """--next needs the model's probabilities."""
        res = _run(["aggregate", inputs["answers"], "--next", "3", "--out", tmp_path / "o"])
        assert res.exit_code == 2 and "--next 3 needs --probs" in res.output

    def test_unlabeled_item_with_answers_names_the_option(self, inputs, tmp_path):
        """An --unlabeled-probs row for an answered item is an error naming --unlabeled-probs."""
        bad = tmp_path / "bad.csv"
        pd.DataFrame({"item": ["3"], "cat": [0.2], "dog": [0.3], "fox": [0.5]}).to_csv(bad, index=False)
        res = _run(
            ["aggregate", inputs["answers"], "--probs", inputs["probs"], "--next", 3, "--unlabeled-probs", bad]
            + ["--out", tmp_path / "o"]
        )
        assert res.exit_code == 2 and "--unlabeled-probs must hold only items without answers" in res.output


def test_consensus_other_than_labels_csv_is_counted_and_said(tmp_path):
    """ActiveLab refits CROWDLAB on the temperature-calibrated --probs, so a close item's consensus in
    next_to_label.csv can differ from its label in labels.csv: summary.json counts those items (the
    same count as comparing the two fits) and the screen says why, with the temperature."""
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 300)
    rows = []
    for i in range(300):
        for a in rng.choice(8, size=rng.integers(1, 4), replace=False):
            rows.append((f"{i:03d}", f"ann {a}", int(truth[i] if rng.random() < 0.7 else rng.integers(0, 3))))
    answers = pd.DataFrame(rows, columns=["item", "annotator", "label"])
    logits = rng.normal(size=(300, 3))
    logits[np.arange(300), truth] += 1.5
    probs = pd.DataFrame(np.exp(logits) / np.exp(logits).sum(1, keepdims=True), columns=["0", "1", "2"])
    probs.insert(0, "item", [f"{i:03d}" for i in range(300)])
    answers.to_csv(tmp_path / "answers.csv", index=False)
    probs.sample(frac=1, random_state=1).to_csv(tmp_path / "probs.csv", index=False)  # rows in another order
    out = tmp_path / "out"
    res = _run(["aggregate", tmp_path / "answers.csv", "--probs", tmp_path / "probs.csv", "--next", 5, "--out", out])
    assert res.exit_code == 0, res.output
    labels = pd.read_csv(out / "labels.csv", dtype={"item": str}).set_index("item")["label"]
    scores = active_learning_scores(answers, probs.set_index("item").set_axis([0, 1, 2], axis=1))
    moved = int((scores.consensus.loc[labels.index].to_numpy(int) != labels.to_numpy()).sum())
    summary = json.loads((out / "summary.json").read_text())["next"]
    assert moved > 0 and summary["n_consensus_not_as_labels_csv"] == moved
    assert f"notice: {moved} answered item(s) have another consensus" in " ".join(res.output.split())


@pytest.mark.parametrize(
    ("answer_ids", "pool_ids", "answered_in_pool"),
    [
        (["007", "7", "8"], ["7", "9"], "'7'"),  # answers' ids stay texts (007 next to 7), the pool's become numbers
        (["5", "7", "8"], ["7", "07"], "7"),  # the other way round
    ],
)
def test_an_answered_item_in_the_pool_is_found_whatever_each_file_reads_it_as(
    tmp_path, answer_ids, pool_ids, answered_in_pool
):
    """Each file keeps ids as text only where two would become one number, so the pool's 7 and the
    answers' 7 can be read as a number and a text: still one item, refused as both answered and new
    (it was listed twice in next_to_label.csv, once answered and once not)."""
    answers = pd.DataFrame({"item": answer_ids * 2, "annotator": ["a"] * 3 + ["b"] * 3, "label": list("xyxxyy")})
    probs = pd.DataFrame({"item": answer_ids, "x": [0.9, 0.4, 0.2], "y": [0.1, 0.6, 0.8]})
    pool = pd.DataFrame({"item": pool_ids, "x": [0.5, 0.1], "y": [0.5, 0.9]})
    for name, frame in {"answers": answers, "probs": probs, "pool": pool}.items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    res = _run(
        ["aggregate", tmp_path / "answers.csv", "--probs", tmp_path / "probs.csv", "--next", 5]
        + ["--unlabeled-probs", tmp_path / "pool.csv", "--out", tmp_path / "out"]
    )
    assert res.exit_code == 2
    assert (
        f"--unlabeled-probs must hold only items without answers; 1 of its items have answers, e.g. {answered_in_pool}"
        in (" ".join(res.output.split()))
    )


def test_npy_pool_rows_numbered_like_answered_items_are_refused(inputs, tmp_path):
    """A .npy pool's items are its rows 0..n-1; answered items 0..59 have those ids, so next_to_label.csv
    would list two different items under one id: refused, naming the option and the way out."""
    np.save(tmp_path / "pool.npy", np.full((5, 3), 1 / 3))
    res = _run(
        ["aggregate", inputs["answers"], "--probs", inputs["probs"], "--next", 10]
        + ["--unlabeled-probs", tmp_path / "pool.npy", "--out", tmp_path / "out"]
    )
    assert res.exit_code == 2 and not (tmp_path / "out" / "next_to_label.csv").exists()
    said = " ".join(res.output.split())
    assert "is a .npy, whose rows are the unanswered items 0..4, but 5 answered item(s) have those ids" in said
    assert "give a table with an item column" in said
