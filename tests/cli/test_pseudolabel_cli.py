"""``labelwise pseudolabel`` end to end, with click's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


def _semi_table(n=200, seed=0, marker=""):
    """Three separable 2-D blobs, 30% labeled; the rest carry ``marker``."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n)
    centres = np.array([[-4.0, -4.0], [4.0, -4.0], [0.0, 4.0]])[truth]
    xy = centres + rng.normal(0, 1.0, (n, 2))
    frame = pd.DataFrame({"a": xy[:, 0], "b": xy[:, 1]})
    labels = np.array(["ant", "bee", "cat"], dtype=object)[truth]
    labels[rng.random(n) > 0.3] = marker
    frame["y"] = labels
    return frame, truth


class TestPseudolabelCommand:
    """Outputs and unlabeled markers."""

    @pytest.mark.parametrize("selection", ["adaptive", "class_balanced", "llkd"])
    def test_writes_data_with_pseudo_labels(self, tmp_path, selection):
        """pseudolabeled.csv keeps the data and adds label, confidence, round and source; labels are right."""
        frame, truth = _semi_table()
        path = tmp_path / "d.csv"
        frame.to_csv(path, index=False)
        out = tmp_path / "pl"
        result = CliRunner().invoke(
            main,
            [
                "pseudolabel",
                str(path),
                "--label",
                "y",
                "--unlabeled-value",
                "",
                "--selection",
                selection,
                "--out",
                str(out),
                "--max-iter",
                "3",
                *(["--k-best", "30"] if selection == "class_balanced" else []),  # the rules that read it
            ],
        )
        assert result.exit_code == 0, result.output
        written = pd.read_csv(out / "pseudolabeled.csv", keep_default_na=False)
        assert list(written.columns) == [
            "a",
            "b",
            "y",
            "pseudo_label",
            "pseudo_confidence",
            "pseudo_round",
            "label_source",
        ]
        given = written["y"] != ""
        assert (written.loc[given, "pseudo_round"] == 0).all() and (written.loc[given, "label_source"] == "given").all()
        pseudo = written["label_source"] == "pseudo"
        assert pseudo.any() and (written.loc[pseudo, "pseudo_round"] >= 1).all()
        names = np.array(["ant", "bee", "cat"])[truth]
        assert (written.loc[pseudo, "pseudo_label"].to_numpy() == names[pseudo.to_numpy()]).mean() > 0.9
        summary = json.loads((out / "summary.json").read_text())
        assert summary["n_pseudo_labeled"] == int(pseudo.sum())
        assert len(summary["rounds"]) == summary["n_iter"]

    def test_curriculum_writes_strict_json_with_null_for_the_last_threshold(self, tmp_path):
        """Curriculum's last round admits everything (threshold -inf), which failed summary.json's write: null now."""
        frame, _ = _semi_table(n=60)
        frame.to_csv(tmp_path / "d.csv", index=False)
        out = tmp_path / "pl"
        args = ["pseudolabel", str(tmp_path / "d.csv"), "--label", "y", "--model", "logistic"]
        result = CliRunner().invoke(main, [*args, "--selection", "curriculum", "--out", str(out)])
        assert result.exit_code == 0, result.output

        def refuse(name):
            raise AssertionError(f"summary.json holds {name}")

        summary = json.loads((out / "summary.json").read_text(), parse_constant=refuse)
        thresholds = [row["thresholds"] for row in summary["rounds"]]
        assert thresholds[-1] is None and all(t is None or 0 <= t <= 1 for t in thresholds)

    def test_llkd_without_teacher_uses_the_forest_and_the_help_says_so(self, tmp_path):
        """--help called --teacher 'required by --selection llkd', but llkd runs without it on a forest teacher."""
        frame, _ = _semi_table()
        frame.to_csv(tmp_path / "d.csv", index=False)
        args = ["pseudolabel", str(tmp_path / "d.csv"), "--label", "y", "--selection", "llkd", "--max-iter", "1"]
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "pl"), "--model", "logistic"])
        assert result.exit_code == 0, result.output
        assert json.loads((tmp_path / "pl" / "summary.json").read_text())["settings"]["teacher"] == "forest"
        help_text = " ".join(CliRunner().invoke(main, ["pseudolabel", "--help"]).output.split())
        assert "required by --selection llkd" not in help_text and "forest unless given" in help_text

    def test_safeguard_records_its_decision(self, tmp_path):
        """--safeguard cv cross-validates on the labeled rows and writes its decision to summary.json."""
        frame, _ = _semi_table()
        path = tmp_path / "d.csv"
        frame.to_csv(path, index=False)
        out = tmp_path / "pl"
        result = CliRunner().invoke(
            main, ["pseudolabel", str(path), "--label", "y", "--safeguard", "cv", "--out", str(out), "--max-iter", "3"]
        )
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["settings"]["safeguard"] == "cv"
        assert summary["safeguard_decision"] in {"self_training", "labeled_only", "unchecked"}

    def test_numeric_labels_with_minus_one(self, tmp_path):
        """A numeric label column with --unlabeled-value -1 keeps integer pseudo-labels."""
        frame, _ = _semi_table()
        frame["y"] = frame["y"].map({"ant": 0, "bee": 1, "cat": 2, "": -1})
        path = tmp_path / "d.csv"
        frame.to_csv(path, index=False)
        result = CliRunner().invoke(
            main, ["pseudolabel", str(path), "--label", "y", "--unlabeled-value", "-1", "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 0, result.output
        written = pd.read_csv(tmp_path / "o" / "pseudolabeled.csv")
        assert set(written.loc[written["label_source"] == "pseudo", "pseudo_label"]) <= {0, 1, 2}

    def test_nothing_labeled_is_one_line_error(self, tmp_path):
        """A table with no labeled row exits 2 with a message about labeled examples."""
        frame, _ = _semi_table()
        frame["y"] = ""
        path = tmp_path / "d.csv"
        frame.to_csv(path, index=False)
        result = CliRunner().invoke(main, ["pseudolabel", str(path), "--label", "y", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2
        assert "labeled examples" in result.output

    def test_one_class_of_integers_with_empty_cells_is_named_as_written(self, tmp_path):
        """Integer labels with empty cells (read as floats) name the class as 1, not 1.0, and count the empty rows."""
        path = tmp_path / "d.csv"
        path.write_text("x,y\n1,1\n2,1\n3,\n4,1\n5,\n6,1\n")
        result = CliRunner().invoke(main, ["pseudolabel", str(path), "--label", "y", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2, result.output
        message = " ".join(result.output.split())
        assert "got only 1 (counting the labeled rows only: 4 labeled, 2 with an empty label)" in message
        assert "1.0" not in message

    def test_one_class_counts_empty_and_marked_rows_apart(self, tmp_path):
        """Rows left empty and rows holding --unlabeled-value are counted separately in the one-class error."""
        path = tmp_path / "d.csv"
        path.write_text("x,y\n1,a\n2,a\n3,\n4,?\n5,?\n6,a\n")
        args = ["pseudolabel", str(path), "--label", "y", "--unlabeled-value", "?", "--out", str(tmp_path / "o")]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "3 labeled, 1 with an empty label, 2 with --unlabeled-value '?'" in " ".join(result.output.split())


def test_quiet_prints_nothing_and_writes_the_same_files(tmp_path):
    """pseudolabel had no --quiet (audit, corrupt, augment... have it): now stdout stays empty, same files."""
    frame, _ = _semi_table()
    frame.to_csv(tmp_path / "d.csv", index=False)
    args = ["pseudolabel", str(tmp_path / "d.csv"), "--label", "y", "--model", "logistic"]
    loud = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "loud")])
    quiet = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "quiet"), "--quiet"])
    assert loud.exit_code == 0 and quiet.exit_code == 0, quiet.output
    assert loud.stdout.strip() != "" and quiet.stdout == ""
    name = "pseudolabeled.csv"
    assert (tmp_path / "quiet" / name).read_bytes() == (tmp_path / "loud" / name).read_bytes()
