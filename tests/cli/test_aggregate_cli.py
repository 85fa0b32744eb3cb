"""End-to-end tests of `labelwise aggregate` with click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import DawidSkene, krippendorff_alpha
from labelwise.cli import main
from labelwise.cli._aggregate_demo import demo_methods

ANSWERS_CSV = """\
item,annotator,label
q1,ann,cat
q1,bob,cat
q1,cy,dog
q2,ann,dog
q2,bob,dog
q2,cy,dog
q3,ann,bird
q3,bob,cat
q3,cy,bird
q4,ann,cat
q4,bob,cat
q5,cy,bird
"""

GOLD_CSV = "item,label\nq1,cat\nq2,dog\nq3,bird\nq4,dog\nzz,cat\n"

LABEL_STUDIO = [
    {
        "id": 1,
        "data": {"image": "/data/1.png"},
        "annotations": [
            {
                "completed_by": 7,
                "was_cancelled": False,
                "result": [
                    {"from_name": "animal", "to_name": "image", "type": "choices", "value": {"choices": ["cat"]}}
                ],
            },
            {
                "completed_by": {"id": 8, "email": "r8@example.org"},
                "was_cancelled": False,
                "result": [
                    {"from_name": "animal", "to_name": "image", "type": "choices", "value": {"choices": ["cat"]}}
                ],
            },
            {"completed_by": 9, "was_cancelled": True, "result": []},
        ],
    },
    {
        "id": 2,
        "data": {"image": "/data/2.png"},
        "annotations": [
            {
                "completed_by": 7,
                "was_cancelled": False,
                "result": [
                    {"from_name": "animal", "to_name": "image", "type": "choices", "value": {"choices": ["dog"]}}
                ],
            },
            {
                "completed_by": 9,
                "was_cancelled": False,
                "result": [
                    {"from_name": "animal", "to_name": "image", "type": "choices", "value": {"choices": ["cat"]}}
                ],
            },
        ],
    },
]

MTURK_CSV = """\
HITId,AssignmentId,WorkerId,AssignmentStatus,Input.image_url,Answer.animal.label
H1,A1,W1,Approved,u1,cat
H1,A2,W2,Approved,u1,cat
H1,A3,W3,Rejected,u1,dog
H2,A4,W1,Approved,u2,dog
H2,A5,W2,Submitted,u2,dog
"""

PRODIGY = [
    {
        "text": "a",
        "options": [{"id": "X"}, {"id": "Y"}],
        "accept": ["X"],
        "answer": "accept",
        "_input_hash": 1,
        "_annotator_id": "s-1",
    },
    {
        "text": "a",
        "options": [{"id": "X"}, {"id": "Y"}],
        "accept": ["X"],
        "answer": "accept",
        "_input_hash": 1,
        "_annotator_id": "s-2",
    },
    {
        "text": "b",
        "options": [{"id": "X"}, {"id": "Y"}],
        "accept": ["Y"],
        "answer": "accept",
        "_input_hash": 2,
        "_annotator_id": "s-1",
    },
    {
        "text": "b",
        "options": [{"id": "X"}, {"id": "Y"}],
        "accept": [],
        "answer": "ignore",
        "_input_hash": 2,
        "_annotator_id": "s-2",
    },
]


def invoke(*args: str):
    return CliRunner().invoke(main, ["aggregate", *map(str, args)], catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def outputs(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict, dict]:
    return (
        pd.read_csv(out / "labels.csv"),
        pd.read_csv(out / "annotators.csv"),
        json.loads((out / "annotators.json").read_text()),
        json.loads((out / "summary.json").read_text()),
    )


class TestLongTable:
    def test_writes_all_outputs(self, tmp_path):
        """A long table gives labels, annotators and summary files with the documented columns."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        out = tmp_path / "agg"
        result = invoke(path, "--method", "dawid-skene", "--out", out)
        assert result.exit_code == 0, result.output
        labels, annotators, ann_json, summary = outputs(out)
        assert labels.columns.tolist() == [
            "item",
            "label",
            "confidence",
            "prob_bird",
            "prob_cat",
            "prob_dog",
            "n_answers",
            "agreement",
            "uncertainty",
        ]
        assert labels["item"].tolist() == ["q1", "q2", "q3", "q4", "q5"]
        np.testing.assert_allclose(labels.filter(like="prob_").sum(axis=1), 1.0)
        assert labels.set_index("item").loc["q2", "agreement"] == pytest.approx(1.0)
        assert labels["n_answers"].tolist() == [3, 3, 3, 2, 1]
        assert annotators.columns.tolist() == ["annotator", "answers", "accuracy", "agreement"]
        assert annotators["answers"].tolist() == [4, 4, 4]
        assert summary["method"] == "dawid-skene" and summary["n_items"] == 5 and summary["n_answers"] == 12
        assert summary["n_single_answer_items"] == 1 and isinstance(summary["converged"], bool)
        answers = pd.read_csv(path)
        assert summary["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(answers))
        # Dawid-Skene estimates one confusion matrix per annotator (rows true, columns given)
        assert ann_json["confusion_matrices"] is True
        matrix = np.array(ann_json["annotators"][0]["confusion"])
        assert matrix.shape == (3, 3)
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
        expected = DawidSkene().fit(answers).annotator_confusion_[0]
        np.testing.assert_allclose(matrix, expected)
        assert "Least certain items" in result.output

    def test_gold_accuracy(self, tmp_path):
        """--gold reports accuracy on the gold items that were answered."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        gold = write(tmp_path, "gold.csv", GOLD_CSV)
        result = invoke(path, "--gold", gold, "--method", "majority-vote", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        labels, _, ann_json, summary = outputs(tmp_path / "o")
        truth = pd.read_csv(gold).set_index("item")["label"]
        mine = labels.set_index("item")["label"]
        common = truth.index.intersection(mine.index)
        assert summary["gold"]["n_matched"] == 4 and summary["gold"]["n_gold"] == 5
        assert summary["gold"]["accuracy"] == pytest.approx((mine[common] == truth[common]).mean())
        assert "accuracy vs gold" in result.output
        assert ann_json["confusion_matrices"] is False and "confusion" not in ann_json["annotators"][0]

    def test_gold_without_overlap_is_an_error(self, tmp_path):
        """A gold file sharing no item with the answers exits 2 with one line."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        gold = write(tmp_path, "gold.csv", "item,label\nother,cat\n")
        result = CliRunner().invoke(main, ["aggregate", str(path), "--gold", str(gold), "--out", str(tmp_path / "o")])
        assert result.exit_code == 2
        assert result.output.count("\n") == 1 and "shares no item with the answers" in result.output

    def test_gold_with_gaps_matches_integer_labels(self, tmp_path):
        """A gold column read as floats (because of a gap) still matches integer labels and ids."""
        path = write(tmp_path, "answers.csv", "item,annotator,label\n1,a,0\n1,b,0\n2,a,1\n2,b,1\n")
        gold = write(tmp_path, "gold.csv", "item,label\n1,0\n2,1\n3,\n")
        result = invoke(path, "--gold", gold, "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        summary = json.loads((tmp_path / "o" / "summary.json").read_text())
        assert summary["gold"]["accuracy"] == 1.0 and summary["gold"]["n_matched"] == 2

    def test_numbers_written_two_ways_stay_two_classes_and_items(self, tmp_path):
        """Labels "01" and "1" (and items "007" and "7") were merged by the CSV parser, silently."""
        text = "item,annotator,label\n007,a,01\n007,b,01\n007,c,1\n7,a,1\n7,b,1\n7,c,01\n"
        path = write(tmp_path, "answers.csv", text)
        gold = write(tmp_path, "gold.csv", "item,label\n007,01\n7,1\n")
        result = invoke(path, "--method", "majority-vote", "--gold", gold, "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        summary = json.loads((tmp_path / "o" / "summary.json").read_text())
        assert summary["classes"] == ["01", "1"] and summary["n_items"] == 2
        labels = pd.read_csv(tmp_path / "o" / "labels.csv", dtype=str).set_index("item")
        assert labels["label"].to_dict() == {"007": "01", "7": "1"}
        assert labels["prob_01"].astype(float).round(4).to_dict() == {"007": 0.6667, "7": 0.3333}
        assert summary["gold"]["accuracy"] == 1.0 and summary["gold"]["n_matched"] == 2

    def test_duplicates_last_and_unsure_policy(self, tmp_path):
        """--duplicates last drops repeated answers; --unsure with --unsure-policy maps them."""
        text = "item,annotator,label\n1,a,1\n1,a,0\n1,b,-1\n2,a,0\n2,b,-1\n"
        path = write(tmp_path, "answers.csv", text)
        result = invoke(
            path, "--duplicates", "last", "--unsure", "-1", "--unsure-policy", "zeros", "--out", tmp_path / "o"
        )
        assert result.exit_code == 0, result.output
        labels, _, _, summary = outputs(tmp_path / "o")
        assert summary["duplicates"] == {"policy": "last", "n_duplicates": 1, "n_dropped": 1}
        assert summary["unsure"]["n_unsure"] == 2 and summary["unsure"]["replacement"] == 0
        assert summary["classes"] == [0, 1]
        assert labels["label"].tolist() == [0, 0]

    def test_unsure_policy_without_unsure_is_refused(self, tmp_path):
        """--unsure-policy zeros without --unsure changed nothing, silently."""
        path = write(tmp_path, "answers.csv", "item,annotator,label\n1,a,1\n1,b,-1\n")
        result = invoke(path, "--unsure-policy", "zeros", "--out", tmp_path / "o")
        assert result.exit_code == 2 and "--unsure-policy zeros needs --unsure" in result.output
        assert not (tmp_path / "o").exists()

    def test_an_item_with_only_empty_answers_is_named_in_a_notice(self, tmp_path):
        """Item 3's only answers are empty: it has no row in labels.csv, and a notice and summary.json say so."""
        path = write(tmp_path, "answers.csv", "item,annotator,label\n1,a,x\n1,b,x\n2,a,y\n2,b,y\n3,a,\n3,b, \n")
        result = invoke(path, "--method", "majority-vote", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        labels, _, _, summary = outputs(tmp_path / "o")
        assert labels["item"].tolist() == [1, 2] and summary["read"]["items_without_answers"] == ["3"]
        said = " ".join(result.output.split())
        assert "notice: 1 item(s) of PATH had only dropped answers and have no label in labels.csv: 3" in said

    def test_declared_labels(self, tmp_path):
        """--labels declares the label set; an answer outside it exits 2."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        result = invoke(path, "--labels", "cat,dog,bird,fish", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        labels, _, _, summary = outputs(tmp_path / "o")
        assert summary["classes"] == ["cat", "dog", "bird", "fish"] and "prob_fish" in labels.columns
        bad = CliRunner().invoke(main, ["aggregate", str(path), "--labels", "cat,dog", "--out", str(tmp_path / "p")])
        assert bad.exit_code == 2 and "declared labels" in bad.output


class TestNestedAndMixedLabels:
    def test_a_long_table_with_labels_of_two_types_is_aggregated(self, tmp_path):
        """A JSON Lines answers table mixing "A" and 1 as labels crashed on a read-only array (pandas 3)."""
        path = tmp_path / "answers.jsonl"
        rows = [("q1", "a", "A"), ("q1", "b", 1), ("q2", "a", "A"), ("q2", "b", "A")]
        path.write_text("\n".join(json.dumps({"item": i, "annotator": a, "label": lab}) for i, a, lab in rows))
        out = tmp_path / "o"
        result = CliRunner().invoke(main, ["aggregate", str(path), "--method", "majority-vote", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert pd.read_csv(out / "labels.csv").set_index("item").loc["q2", "label"] == "A"

    def test_a_list_as_label_names_the_row(self, tmp_path):
        """A JSON list as a label in a long table ended in a traceback (read-only array, then unhashable)."""
        path = tmp_path / "answers.jsonl"
        path.write_text(
            '{"item": "q1", "annotator": "a", "label": "A"}\n{"item": "q1", "annotator": "b", "label": ["A"]}\n'
        )
        result = CliRunner().invoke(main, ["aggregate", str(path), "--out", str(tmp_path / "o")])
        assert result.exit_code == 2
        assert "the label must be a single value (a string or a number), row 2 holds a list (['A'])" in result.output


class TestFormats:
    def test_label_studio_cancelled_in_summary(self, tmp_path):
        """A Label Studio export is detected; cancelled annotations are counted in summary.json."""
        path = write(tmp_path, "project-1.json", json.dumps(LABEL_STUDIO))
        result = invoke(path, "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        labels, annotators, _, summary = outputs(tmp_path / "o")
        assert summary["read"]["format"] == "labelstudio"
        assert summary["n_cancelled"] == 1 and summary["read"]["dropped"] == {"cancelled": 1}
        assert labels["item"].tolist() == [1, 2] and annotators["annotator"].tolist() == [7, 8, 9]

    def test_mturk_batch(self, tmp_path):
        """An MTurk batch CSV is detected; rejected assignments are dropped and counted."""
        path = write(tmp_path, "Batch_1_batch_results.csv", MTURK_CSV)
        result = invoke(path, "--format", "mturk", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        labels, _, _, summary = outputs(tmp_path / "o")
        assert summary["read"]["dropped"] == {"rejected": 1} and summary["n_dropped"] == 1
        assert labels.set_index("item")["label"].to_dict() == {"H1": "cat", "H2": "dog"}

    def test_prodigy_jsonl(self, tmp_path):
        """A Prodigy db-out file is detected; ignored answers are dropped and counted."""
        path = write(tmp_path, "db.jsonl", "\n".join(json.dumps(r) for r in PRODIGY) + "\n")
        result = invoke(path, "--method", "majority-vote", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        labels, _, _, summary = outputs(tmp_path / "o")
        assert summary["read"]["format"] == "prodigy" and summary["read"]["dropped"] == {"ignored": 1}
        assert labels["label"].tolist() == ["X", "Y"]

    def test_malformed_export_exits_2_with_one_line(self, tmp_path):
        """A broken JSONL line exits 2 with one message naming file and line."""
        path = write(tmp_path, "db.jsonl", json.dumps(PRODIGY[0]) + "\n{not json\n")
        result = CliRunner().invoke(main, ["aggregate", str(path), "--format", "prodigy", "--out", str(tmp_path / "o")])
        assert result.exit_code == 2
        assert result.output.startswith("error: ") and result.output.count("\n") == 1
        assert "db.jsonl" in result.output and "line 2" in result.output
        assert not (tmp_path / "o").exists()


class TestProbsAndErrors:
    def test_probs_switch_to_crowdlab(self, tmp_path):
        """--probs (npy or table) selects the model+annotators consensus and adds a quality column."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        probs = np.full((5, 3), 0.1)
        probs[np.arange(5), [1, 2, 0, 1, 0]] = 0.8  # bird, cat, dog columns; rows q1..q5
        np.save(tmp_path / "oof.npy", probs)
        result = invoke(path, "--probs", tmp_path / "oof.npy", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        labels, _, _, summary = outputs(tmp_path / "o")
        assert summary["method"] == "crowdlab" and "quality" in labels.columns
        table = pd.DataFrame(probs, columns=["bird", "cat", "dog"]).assign(item=["q1", "q2", "q3", "q4", "q5"])
        table.to_csv(tmp_path / "oof.csv", index=False)
        again = invoke(path, "--probs", tmp_path / "oof.csv", "--out", tmp_path / "p")
        assert again.exit_code == 0, again.output
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "p" / "labels.csv"), labels)

    def test_probs_table_with_integer_classes_in_another_order(self, tmp_path):
        """A --probs CSV headed "item,2,0,1" was read column by column as classes 0, 1, 2."""
        path = write(tmp_path, "answers.csv", "item,annotator,label\nq1,a,0\nq1,b,0\nq2,a,1\nq2,b,2\n")
        probs = np.array([[0.9, 0.1, 0.0], [0.0, 0.9, 0.1]])  # classes 0, 1, 2; rows q1, q2
        np.save(tmp_path / "oof.npy", probs)
        reference = invoke(path, "--probs", tmp_path / "oof.npy", "--out", tmp_path / "o")
        assert reference.exit_code == 0, reference.output
        table = pd.DataFrame(probs[:, [2, 0, 1]], columns=["2", "0", "1"]).assign(item=["q1", "q2"])
        table.to_csv(tmp_path / "oof.csv", index=False)
        result = invoke(path, "--probs", tmp_path / "oof.csv", "--out", tmp_path / "p")
        assert result.exit_code == 0, result.output
        labels = pd.read_csv(tmp_path / "p" / "labels.csv")
        pd.testing.assert_frame_equal(labels, pd.read_csv(tmp_path / "o" / "labels.csv"))
        assert labels.set_index("item").loc["q2", "label"] == 1  # the model's 0.9 breaks the 1-vs-2 tie

    def test_probs_with_another_method_is_an_error(self, tmp_path):
        """--probs with a method that cannot use them exits 2."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        np.save(tmp_path / "oof.npy", np.full((5, 3), 1 / 3))
        result = CliRunner().invoke(
            main, ["aggregate", str(path), "--probs", str(tmp_path / "oof.npy"), "--method", "glad"]
        )
        assert result.exit_code == 2 and "--probs is only used by --method crowdlab" in result.output

    def test_missing_path_and_columns(self, tmp_path):
        """No PATH, a missing file, or missing columns exit 2 with one line each."""
        runner = CliRunner()
        assert runner.invoke(main, ["aggregate"]).exit_code == 2
        missing = runner.invoke(main, ["aggregate", str(tmp_path / "nope.csv")])
        assert missing.exit_code == 2 and "does not exist" in missing.output
        bad = write(tmp_path, "bad.csv", "item,worker,label\n1,a,x\n")
        result = runner.invoke(main, ["aggregate", str(bad)])
        assert result.exit_code == 2 and "missing ['annotator']" in result.output and result.output.count("\n") == 1


@pytest.mark.slow
class TestDemoAndRealData:
    def test_demo_compares_every_method(self, tmp_path):
        """--demo writes the simulated answers and one comparison row per method."""
        result = invoke("--demo", "--demo-items", "150", "--out", tmp_path / "demo", "--top", "0")
        assert result.exit_code == 0, result.output
        demo = pd.read_csv(tmp_path / "demo" / "demo.csv")
        assert sorted(demo["method"]) == sorted(demo_methods())
        assert demo["accuracy"].between(0, 1).all() and (demo["skill_corr"] > 0.5).all()
        accuracy = demo.set_index("method")["accuracy"]
        assert accuracy["dawid-skene"] > accuracy["majority-vote"]  # class-dependent errors: DS recovers more
        _, _, _, summary = outputs(tmp_path / "demo")
        assert summary["gold"]["n_matched"] == 150 and len(summary["demo"]) == len(demo_methods())
        assert "Demo: recovery" in result.output

    def test_real_crowd_data_with_gold(self, shared_data, tmp_path):
        """A real crowd set aggregates end to end and beats a floor against its gold labels."""
        folder = shared_data / "crowd" / "d_Duck_Identification"
        result = invoke(
            folder / "annotations.csv", "--gold", folder / "gold.csv", "--out", tmp_path / "o", "--top", "0"
        )
        assert result.exit_code == 0, result.output
        summary = json.loads((tmp_path / "o" / "summary.json").read_text())
        assert summary["n_answers"] == 4212 and summary["gold"]["n_matched"] == 108
        assert summary["gold"]["accuracy"] >= 0.85


class TestMethodParams:
    def test_param_reaches_the_estimator(self, tmp_path):
        """--param smoothing=0 --param max_iter=7 fit the same model as DawidSkene(smoothing=0, max_iter=7)."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        result = invoke(
            path, "--method", "dawid-skene", "--param", "smoothing=0", "--param", "max_iter=7", "--out", tmp_path / "o"
        )
        assert result.exit_code == 0, result.output
        labels, _, _, summary = outputs(tmp_path / "o")
        assert summary["settings"]["params"] == {"smoothing": 0, "max_iter": 7}
        expected = DawidSkene(smoothing=0, max_iter=7).fit(pd.read_csv(path))
        np.testing.assert_allclose(labels.filter(like="prob_").to_numpy(), expected.probas_.to_numpy())
        assert summary["iterations"] == expected.n_iter_ and summary["fallback"] is None

    def test_dependent_pairs_in_summary(self, tmp_path):
        """A second account repeating an annotator's answers is reported in summary.json as the
        dependent pair DawidSkene found; --param dependency_threshold=none turns the check off."""
        rng = np.random.default_rng(0)
        truth = rng.integers(0, 2, 300)
        rows = []
        for j, acc in enumerate((0.9, 0.85, 0.8, 0.75, 0.7)):
            label = np.where(rng.random(300) < acc, truth, 1 - truth)
            rows.append(pd.DataFrame({"item": np.arange(300), "annotator": f"w{j}", "label": label}))
        rows.append(rows[3].assign(annotator="w3_copy"))
        path = tmp_path / "answers.csv"
        pd.concat(rows).to_csv(path, index=False)
        assert invoke(path, "--method", "dawid-skene", "--out", tmp_path / "o").exit_code == 0
        pairs = outputs(tmp_path / "o")[3]["dependent_pairs"]
        assert [{p["annotator_a"], p["annotator_b"]} for p in pairs] == [{"w3", "w3_copy"}]
        assert pairs[0]["agreements"] == 300 and pairs[0]["z"] > 5
        off = invoke(path, "--param", "dependency_threshold=none", "--out", tmp_path / "off")
        assert off.exit_code == 0 and outputs(tmp_path / "off")[3]["dependent_pairs"] == []

    def test_params_of_other_methods_and_types(self, tmp_path):
        """Values parse as bool, float and str for the method they belong to."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        result = invoke(
            path,
            "--method",
            "mace",
            "--param",
            "method=vb",
            "--param",
            "tol=1e-3",
            "--param",
            "verbose=false",
            "--param",
            "n_restarts=2",
            "--out",
            tmp_path / "o",
        )
        assert result.exit_code == 0, result.output
        params = outputs(tmp_path / "o")[3]["settings"]["params"]
        assert params == {"method": "vb", "tol": 1e-3, "verbose": False, "n_restarts": 2}

    @pytest.mark.parametrize(
        "param, expected",
        [
            (
                "nope=1",
                "not a parameter of --method dawid-skene; valid: dependency_rings, dependency_threshold, dependency_triad, max_iter, prior_strength",
            ),
            ("smoothing", "must be name=value"),
            ("random_state=3", "not a parameter"),
            ("tol=-1", "tol must be"),
        ],
    )
    def test_bad_param_is_one_line_exit_2(self, tmp_path, param, expected):
        """An unknown name lists the valid ones; a bad value is rejected by the estimator; one line, exit 2."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        result = CliRunner().invoke(
            main, ["aggregate", str(path), "--method", "dawid-skene", "--param", param, "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 2
        assert result.output.count("\n") == 1 and expected in result.output


class TestEdgesOfTheOptions:
    """Session 27: option values at their edges run, or fail with one line naming the option."""

    def test_the_fewest_demo_items_run(self, tmp_path):
        """--demo-items 50 (its minimum) left a majority-vote class with 2 items for 5 folds: fewer folds now."""
        result = invoke("--demo", "--demo-items", "50", "--out", tmp_path / "demo", "--top", "0", "--quiet")
        assert result.exit_code == 0, result.output
        _, _, _, summary = outputs(tmp_path / "demo")
        assert summary["gold"]["n_matched"] == 50 and len(summary["demo"]) == len(demo_methods())

    def test_a_demo_class_of_one_item_names_demo_items(self, tmp_path):
        """A seed whose majority vote leaves a class one item: one line naming --demo-items, not --cv."""
        result = CliRunner().invoke(
            main, ["aggregate", "--demo", "--demo-items", "50", "--random-state", "21", "--out", str(tmp_path / "d")]
        )
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert "--demo-items 50" in result.output and "--cv" not in result.output

    def test_demo_folds_shrink_to_the_smallest_class(self):
        """Five folds, or as many as the smallest class has items; a class of one item is an error."""
        from labelwise.cli._aggregate_demo import demo_folds
        from labelwise.errors import TooFewExamplesError

        assert demo_folds(np.repeat([0, 1], [9, 7])) == 5
        assert demo_folds(np.repeat([0, 1, 2], [9, 7, 3])) == 3
        with pytest.raises(TooFewExamplesError, match="--demo-items 10 .* class 2 a single item"):
            demo_folds(np.repeat([0, 1, 2], [5, 4, 1]))

    def test_crowdlab_without_probs_names_probs(self, tmp_path):
        """--method crowdlab without --probs: one line naming --probs (not the API's ``probs``)."""
        path = write(tmp_path, "answers.csv", ANSWERS_CSV)
        result = CliRunner().invoke(
            main, ["aggregate", str(path), "--method", "crowdlab", "--out", str(tmp_path / "o")]
        )
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert "--method crowdlab needs --probs" in result.output
        assert not (tmp_path / "o").exists()

    @pytest.mark.parametrize("policy", ["zeros", "ones"])
    def test_zeros_or_ones_without_binary_labels_names_the_option(self, tmp_path, policy):
        """--unsure-policy zeros/ones over labels other than 0/1: the line names --unsure-policy, not ``negative``."""
        path = write(tmp_path, "answers.csv", "item,annotator,label\n1,a,cat\n1,b,unsure\n2,a,dog\n")
        result = CliRunner().invoke(
            main,
            ["aggregate", str(path), "--unsure", "unsure", "--unsure-policy", policy, "--out", str(tmp_path / "o")],
        )
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert f"--unsure-policy {policy}" in result.output and "'unsure'" in result.output
        assert "negative" not in result.output and "positive" not in result.output


def test_classes_4_and_text_4_of_a_json_votes_file_are_one_class_as_in_its_csv(tmp_path):
    """A JSON votes file answering the number 4 and the text "4" is read as its CSV (every field text):
    one class 4, one prob_4 column, and labels.csv byte for byte the CSV's (main refused the file;
    before that it wrote one prob_4 column and lost the other class's probabilities)."""
    records = [("q1", 0, 4), ("q1", 1, "4"), ("q1", 2, 5), ("q2", 0, 4), ("q2", 1, 4)]
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps({"item": i, "sample": s, "answer": a}) + "\n" for i, s, a in records))
    (tmp_path / "samples.csv").write_text("item,sample,answer\n" + "".join(f"{i},{s},{a}\n" for i, s, a in records))
    for name in ("samples.jsonl", "samples.csv"):
        out = tmp_path / f"out-{name}"
        options = ["--method", "majority-vote", "--format", "votes", "--out", str(out)]
        result = CliRunner().invoke(main, ["aggregate", str(tmp_path / name), *options])
        assert result.exit_code == 0, result.output
    labels = (tmp_path / "out-samples.jsonl" / "labels.csv").read_text()
    assert labels == (tmp_path / "out-samples.csv" / "labels.csv").read_text()
    assert labels.splitlines()[0].count("prob_4") == 1 and labels.splitlines()[1].startswith("q1,4,")
