"""``labelwise evaluate`` when the corrections change no label, name items outside the test set, correct an item
twice, or relabel to a class no test label has (session 41)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from sklearn.metrics import accuracy_score

from labelwise.cli import main


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(3)
    given = rng.integers(0, 3, 60)
    (tmp_path / "preds").mkdir()
    good = np.where(rng.random(60) < 0.85, given, (given + 1) % 3)
    poor = np.where(rng.random(60) < 0.6, given, (given + 2) % 3)
    np.save(tmp_path / "preds" / "good.npy", good)
    np.save(tmp_path / "preds" / "poor.npy", poor)
    np.save(tmp_path / "labels.npy", given)
    return tmp_path, given, {"good": good, "poor": poor}


def _run(d, corrections, *extra):
    args = ["evaluate", str(d / "preds"), "--labels", str(d / "labels.npy"), "--corrections", str(d / corrections)]
    return CliRunner().invoke(main, [*args, "--out", str(d / "out"), *extra])


def _one_line(output: str) -> str:
    return " ".join(output.split())


class TestCorrectionsThatChangeNoLabel:
    def test_keeps_write_the_table_with_equal_scores_and_empty_curve_and_crossovers(self, folder):
        """Corrections restating given labels stopped with 'needs at least one correctable item' and wrote nothing;
        now table.csv holds the scores (original = corrected = sklearn's accuracy), the other files their header."""
        d, given, preds = folder
        pd.DataFrame({"row": [4, 9], "label": given[[4, 9]]}).to_csv(d / "same.csv", index=False)
        res = _run(d, "same.csv")
        assert res.exit_code == 0, res.output
        table = pd.read_csv(d / "out" / "table.csv").set_index("model")
        for name, pred in preds.items():
            assert table.loc[name, "original"] == pytest.approx(accuracy_score(given, pred))
            assert table.loc[name, "corrected"] == pytest.approx(table.loc[name, "original"])
        assert table["correctable"].isna().all()
        curve, cross = (pd.read_csv(d / "out" / f) for f in ("curve.csv", "crossovers.csv"))
        assert (len(curve), len(cross)) == (0, 0)
        assert list(curve.columns) == ["model", "prevalence", "n_removed", "mean", "std", "low", "high"]
        assert list(cross.columns)[:3] == ["model_a", "model_b", "score_a"]
        assert json.loads((d / "out" / "summary.json").read_text())["n_correctable"] == 0
        assert "the corrections change no label" in _one_line(res.output)
        assert "change no label" in (d / "out" / "evaluation.html").read_text()

    def test_exclusions_only_score_the_kept_items(self, folder):
        """An exclusion-only change log: the corrected score is on the items kept, the line says so."""
        d, given, preds = folder
        log = pd.DataFrame({"row": [0, 1, 2], "action": "exclude", "new_label": ""})
        log.to_csv(d / "cleaned.changes.csv", index=False)
        res = _run(d, "cleaned.changes.csv")
        assert res.exit_code == 0, res.output
        table = pd.read_csv(d / "out" / "table.csv").set_index("model")
        assert table.loc["good", "corrected"] == pytest.approx(accuracy_score(given[3:], preds["good"][3:]))
        assert "less the excluded items" in _one_line(res.output)


class TestCorrectionsOutsideTheTestSet:
    def test_every_row_outside_is_listed_with_its_line_and_the_count(self, folder):
        """Only the first outside row was named; a user fixing the file wants them all (first 10) and the count."""
        d, *_ = folder
        pd.DataFrame({"row": [3, 60, 75, 5], "label": [1, 1, 2, 0]}).to_csv(d / "fix.csv", index=False)
        res = _run(d, "fix.csv")
        assert res.exit_code == 2
        text = _one_line(res.output)
        assert "2 corrections for items not in the test set: row 60 (line 3), row 75 (line 4)" in text
        assert "items 0..59" in text
        assert not (d / "out").exists()

    def test_more_than_ten_are_counted(self, folder):
        """Twelve rows outside: ten named, 'and 2 more'."""
        d, *_ = folder
        pd.DataFrame({"row": range(100, 112), "label": 1}).to_csv(d / "fix.csv", index=False)
        res = _run(d, "fix.csv")
        assert res.exit_code == 2
        assert "12 corrections for items not in the test set" in _one_line(res.output)
        assert "row 109 (line 11) and 2 more" in _one_line(res.output)


class TestItemCorrectedTwice:
    def test_two_different_labels_for_one_row_are_refused_the_same_label_twice_is_not(self, folder):
        """row 7 corrected to two labels: the last silently won; now an error naming the row and both lines. A
        repeated identical line changes nothing and stays accepted."""
        d, given, _ = folder
        a, b = (given[7] + 1) % 3, (given[7] + 2) % 3
        pd.DataFrame({"row": [7, 2, 7], "label": [a, 1, b]}).to_csv(d / "fix.csv", index=False)
        res = _run(d, "fix.csv")
        assert res.exit_code == 2
        assert f"row 7 is set to {a} (line 2) and to {b} (line 4)" in _one_line(res.output)
        pd.DataFrame({"row": [7, 7], "label": [a, a]}).to_csv(d / "fix.csv", index=False)
        res = _run(d, "fix.csv")
        assert res.exit_code == 0, res.output
        assert json.loads((d / "out" / "summary.json").read_text())["n_correctable"] == 1


class TestCorrectionsToUnseenClasses:
    def test_a_number_beside_text_labels_gets_a_line(self, tmp_path):
        """Labels c0/c1/c2 and a correction written '2': a new class '2', scored without a word; now a line."""
        given = np.array(["c0", "c1", "c2"] * 10)
        (tmp_path / "preds").mkdir()
        pd.DataFrame({"pred": given}).to_csv(tmp_path / "preds" / "a.csv", index=False)
        pd.DataFrame({"pred": np.roll(given, 1)}).to_csv(tmp_path / "preds" / "b.csv", index=False)
        pd.DataFrame({"label": given}).to_csv(tmp_path / "test.csv", index=False)
        pd.DataFrame({"row": [1], "label": [2]}).to_csv(tmp_path / "fix.csv", index=False)
        args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "test.csv")]
        res = CliRunner().invoke(
            main, [*args, "--corrections", str(tmp_path / "fix.csv"), "--out", str(tmp_path / "o")]
        )
        assert res.exit_code == 0, res.output
        assert "classes that no label of --labels has: '2' (1 item)" in _one_line(res.output)
        named = ["--classes", "c0,c1,c2,2", "--force"]
        res = CliRunner().invoke(
            main, [*args, "--corrections", str(tmp_path / "fix.csv"), "--out", str(tmp_path / "o"), *named]
        )
        assert res.exit_code == 0, res.output
        assert "no label of --labels" not in _one_line(res.output)


class TestPredictionTableWithAnIdColumn:
    def test_id_and_pred_columns_say_how_the_file_is_read(self, folder):
        """id,pred was read as two probability columns: 'must sum to 1, row 0 sums to 2' (which probabilities?);
        now the line names the file and its columns and says to keep the predicted labels' column only."""
        d, given, preds = folder
        (d / "preds" / "good.npy").unlink()
        pd.DataFrame({"id": np.arange(60), "pred": preds["good"]}).to_csv(d / "preds" / "good.csv", index=False)
        pd.DataFrame({"row": [4], "label": [(given[4] + 1) % 3]}).to_csv(d / "fix.csv", index=False)
        res = _run(d, "fix.csv")
        assert res.exit_code == 2
        text = _one_line(res.output)
        assert "good.csv' has 2 columns (id, pred), so it is read as probabilities" in text
        sums = np.arange(60) + preds["good"]
        r = int(np.flatnonzero(sums != 1)[0])
        assert f"row {r} (line {r + 2}) sums to {sums[r]}, not 1" in text and "write their column only" in text


class TestProbabilityHeaderOfOtherNames:
    def test_p0_p1_p2_header_gets_a_line_a_class_header_does_not(self, folder):
        """A p0,p1,p2 header was taken by position without a word (as shift now says too); a header naming the
        classes (2,0,1) is matched by name: no line, and the scores of the same probabilities as an .npy."""
        d, given, _ = folder
        probs = np.random.default_rng(5).dirichlet(np.ones(3), 60)
        for f in (d / "preds").iterdir():
            f.unlink()
        pd.DataFrame(probs, columns=["p0", "p1", "p2"]).to_csv(d / "preds" / "other.csv", index=False)
        pd.DataFrame(probs[:, [2, 0, 1]], columns=["2", "0", "1"]).to_csv(d / "preds" / "named.csv", index=False)
        np.save(d / "preds" / "array.npy", probs)
        pd.DataFrame({"row": [4], "label": [(given[4] + 1) % 3]}).to_csv(d / "fix.csv", index=False)
        res = _run(d, "fix.csv")
        assert res.exit_code == 0, res.output
        text = _one_line(res.output)
        assert "the header of the PREDICTIONS file of model 'other' (p0, p1, p2) names none of the classes" in text
        assert "model 'named'" not in text and "model 'array'" not in text
        table = pd.read_csv(d / "out" / "table.csv").set_index("model")
        assert table.loc["named", "original"] == pytest.approx(table.loc["array", "original"])
        assert table.loc["named", "original"] == pytest.approx(np.mean(probs.argmax(1) == given))
