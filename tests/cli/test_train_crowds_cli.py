"""``labelwise train-crowds`` end to end, with click's CliRunner."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.robust import CrowdClassifier


@pytest.fixture()
def crowd_files(tmp_path):
    """DATA with an id column (ids "01".. kept as text) and two answers per row, one annotator a spammer."""
    rng = np.random.default_rng(0)
    n = 60
    truth = np.arange(n) % 3
    ids = [f"{i:02d}" for i in range(n)]
    data = pd.DataFrame({"rid": ids, "a": (truth * 3.0 + rng.normal(size=n)).round(3), "b": rng.normal(size=n)})
    rows = np.repeat(np.arange(n), 2)
    good = np.tile([True, False], n) | (rng.random(rows.size) < 0.3)
    label = np.where(good, truth[rows], rng.integers(0, 3, rows.size))
    answers = pd.DataFrame(
        {"item": np.array(ids)[rows], "who": np.tile(["good", "spam"], n), "label": np.array(list("xyz"))[label]}
    )
    data.to_csv(tmp_path / "data.csv", index=False)
    answers.to_csv(tmp_path / "answers.csv", index=False)
    return tmp_path / "data.csv", tmp_path / "answers.csv", truth


def _run(*args):
    return CliRunner().invoke(main, ["train-crowds", *map(str, args)])


class TestTrainCrowdsCommand:
    def test_writes_model_soft_labels_confusions_and_summary(self, crowd_files, tmp_path):
        """The four outputs: a CrowdClassifier, one soft label per DATA row by id, the confusion table, the summary."""
        data, answers, truth = crowd_files
        out = tmp_path / "out"
        result = _run(
            data,
            answers,
            "--id-column",
            "rid",
            "--annotator-column",
            "who",
            "--out",
            out,
            "--cv",
            "2",
            "--max-iter",
            "8",
        )
        assert result.exit_code == 0, result.output
        model = joblib.load(out / "model.joblib")
        assert isinstance(model, CrowdClassifier) and list(model.classes_) == ["x", "y", "z"]
        soft = pd.read_csv(out / "soft_labels.csv", dtype={"rid": str})
        assert list(soft.columns) == ["rid", "label", "p_x", "p_y", "p_z", "n_answers"]
        assert soft["rid"].iloc[1] == "01" and (soft["n_answers"] == 2).all()
        assert (soft["label"].map({"x": 0, "y": 1, "z": 2}).to_numpy() == truth).mean() > 0.8
        confusions = pd.read_csv(out / "confusions.csv")
        assert len(confusions) == 2 * 9 and set(confusions["annotator"]) == {"good", "spam"}
        summary = json.loads((out / "summary.json").read_text())
        assert summary["n_rows"] == 60 and summary["n_answers"] == 120 and summary["settings"]["cv"] == 2
        assert "spam" in result.output  # the least accurate annotators are listed

    def test_items_are_row_positions_without_an_id_column(self, tmp_path):
        """Without --id-column the items are row positions 0..n-1 and every column is a feature."""
        pd.DataFrame({"a": np.arange(12.0) % 2, "b": np.arange(12.0)}).to_csv(tmp_path / "d.csv", index=False)
        items = np.repeat(np.arange(12), 2)
        pd.DataFrame({"item": items, "annotator": np.tile(["p", "q"], 12), "label": items % 2}).to_csv(
            tmp_path / "ans.csv", index=False
        )
        out = tmp_path / "out"
        result = _run(tmp_path / "d.csv", tmp_path / "ans.csv", "--out", out, "--cv", "0", "--init", "dawid-skene")
        assert result.exit_code == 0, result.output
        soft = pd.read_csv(out / "soft_labels.csv")
        assert list(soft["id"]) == list(range(12)) and (soft["label"] == np.arange(12) % 2).all()

    def test_an_item_that_names_no_row_is_refused(self, crowd_files, tmp_path):
        """An answered item missing from --id-column: exit 2, one line naming ANSWERS and the item."""
        data, answers, _ = crowd_files
        table = pd.read_csv(answers, dtype=str)
        table.loc[0, "item"] = "nope"
        table.to_csv(answers, index=False)
        result = _run(data, answers, "--id-column", "rid", "--annotator-column", "who", "--out", tmp_path / "o")
        assert result.exit_code == 2
        text = " ".join(result.output.split())
        assert "--item-column 'item' of ANSWERS must name rows of DATA (values of --id-column 'rid'" in text
        assert "got 'nope'" in text and "Traceback" not in text

    def test_an_item_past_the_last_row_position_names_data_and_the_id_column_hint(self, tmp_path):
        """Without --id-column an item beyond the rows is refused in the command's words, not X's."""
        pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0]}).to_csv(tmp_path / "d.csv", index=False)
        answers = pd.DataFrame({"item": [0, 1, 2, 3, 9], "annotator": list("ppqqp"), "label": [0, 1, 0, 1, 1]})
        answers.to_csv(tmp_path / "a.csv", index=False)
        result = _run(tmp_path / "d.csv", tmp_path / "a.csv", "--cv", "0", "--out", tmp_path / "o")
        text = " ".join(result.output.split())
        assert result.exit_code == 2, result.output
        assert "must name rows of DATA (row positions 0..3; give --id-column" in text and "got 9" in text
        assert " X " not in text and not (tmp_path / "o").exists()

    def test_a_repeated_id_is_refused(self, crowd_files, tmp_path):
        """--id-column must hold unique ids: the line names the option and the id."""
        data, answers, _ = crowd_files
        frame = pd.read_csv(data, dtype={"rid": str})
        frame.loc[1, "rid"] = "00"
        frame.to_csv(data, index=False)
        result = _run(data, answers, "--id-column", "rid", "--annotator-column", "who", "--out", tmp_path / "o")
        assert result.exit_code == 2 and "--id-column 'rid' must hold a unique id" in result.output

    def test_not_converging_warns_in_the_options_words(self, crowd_files, tmp_path):
        """EM stopped by --max-iter warns naming --max-iter, not the keyword max_iter."""
        data, answers, _ = crowd_files
        args = ("--id-column", "rid", "--annotator-column", "who", "--cv", "0", "--max-iter", "1")
        result = _run(data, answers, *args, "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert "did not converge in --max-iter=1" in text and "raise --max-iter" in text

    def test_the_em_progress_bar_shows_on_a_terminal_unless_quiet(self, crowd_files, tmp_path, monkeypatch):
        """Like weak, audit and aggregate: a progress bar over EM by default (verbose=None), none with --quiet."""
        seen = []
        original = CrowdClassifier.fit

        def fit(self, X, answers):
            seen.append(self.verbose)
            return original(self, X, answers)

        monkeypatch.setattr(CrowdClassifier, "fit", fit)
        data, answers, _ = crowd_files
        args = (data, answers, "--id-column", "rid", "--annotator-column", "who", "--cv", "0")
        assert _run(*args, "--out", tmp_path / "a").exit_code == 0
        result = _run(*args, "--quiet", "--out", tmp_path / "b")
        assert result.exit_code == 0, result.output
        assert seen == [None, False]

    def test_answers_of_a_single_class_name_the_label_column_not_the_api_keyword(self, tmp_path):
        """One class in ANSWERS: the line names --label-column and the class, with no API hint (labels=)."""
        pd.DataFrame({"a": [0.0, 1.0, 2.0]}).to_csv(tmp_path / "d.csv", index=False)
        pd.DataFrame({"item": [0, 1, 2], "annotator": list("pqp"), "label": ["x", "x", None]}).to_csv(
            tmp_path / "a.csv", index=False
        )
        result = _run(tmp_path / "d.csv", tmp_path / "a.csv", "--cv", "0", "--out", tmp_path / "o")
        text = " ".join(result.output.split())
        assert result.exit_code == 2, result.output
        assert "--label-column 'label' of ANSWERS must hold at least 2 classes, got 1 class ('x')" in text
        assert "labels=" not in text


def test_a_repeated_integer_id_is_named_as_written(tmp_path):
    """A repeated integer --id-column id is named as the file writes it, 1, not np.int64(1)."""
    pd.DataFrame({"id": [0, 1, 1], "x": [0.1, 0.2, 0.3]}).to_csv(tmp_path / "d.csv", index=False)
    pd.DataFrame({"item": [0, 1], "annotator": ["a", "a"], "label": [0, 1]}).to_csv(tmp_path / "a.csv", index=False)
    result = _run(tmp_path / "d.csv", tmp_path / "a.csv", "--id-column", "id", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "got 1 twice (row 2)" in result.output and "np.int64" not in result.output
