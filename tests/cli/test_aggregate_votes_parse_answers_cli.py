"""``labelwise aggregate --format votes --parse-answers``: the vote is on the final answer each model answer
gives, as ``self_consistency(parse_answers=...)``; answers it cannot parse are counted, named and kept or
dropped (``--unparsed``); the options that cannot go with it are refused by name."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io import read_annotations
from labelwise.weak import self_consistency

FORMS = [
    "The answer is B because Paris is the capital.",
    "**B**",
    "Final answer: (B)",
    "B) Paris",
    "A",
    "Answer: a",
    "The answer is C",
    "I am not sure",
]


def _votes(path, n_items=12):
    """Five samples per item; q0 answers nothing parseable."""
    lines = [
        json.dumps({"item": f"q{i}", "sample": s, "answer": "no idea" if i == 0 else FORMS[(i * 3 + s) % len(FORMS)]})
        for i in range(n_items)
        for s in range(5)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(*args):
    return CliRunner().invoke(main, ["aggregate", *map(str, args), "--top", "0"])


def _said(result) -> str:
    """The output with rich's line wrapping undone (CI runs at 80 columns)."""
    return " ".join(result.output.split())


class TestParseAnswers:
    @pytest.mark.parametrize("unparsed", ["keep", "drop"])
    def test_labels_are_the_apis_parsed_labels(self, tmp_path, unparsed):
        """labels.csv's labels and confidences equal self_consistency(parse_answers='multiple-choice', unparsed=...)."""
        path = _votes(tmp_path / "v.jsonl")
        result = _run(path, "--parse-answers", "multiple-choice", "--unparsed", unparsed, "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        labels = pd.read_csv(tmp_path / "o" / "labels.csv").set_index("item").sort_index()
        with pytest.warns(Warning):
            api = self_consistency(
                read_annotations(path, format="votes").answers, parse_answers="multiple-choice", unparsed=unparsed
            ).sort_index()
        assert labels["label"].tolist() == api["label"].tolist()
        assert labels["confidence"].to_numpy() == pytest.approx(api["confidence"].to_numpy())
        assert set(labels["label"]) <= {"A", "B", "C", "no idea", "I am not sure"}

    def test_unparsed_answers_are_counted_named_and_kept(self, tmp_path):
        """The notice counts the unparsed answers, names the most frequent and --unparsed drop; summary.json counts."""
        result = _run(_votes(tmp_path / "v.jsonl"), "--parse-answers", "multiple-choice", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        said = _said(result)
        assert "could not be parsed as multiple-choice answers and were kept as written" in said
        assert "'no idea' (5)" in said and "--unparsed drop" in said
        summary = json.loads((tmp_path / "o" / "summary.json").read_text())
        read = summary["read"]
        assert read["n_answers_parsed"] + read["n_answers_unparsed"] == 60 and read["n_answers_unparsed"] >= 5
        assert summary["settings"]["parse_answers"] == "multiple-choice" and summary["settings"]["unparsed"] == "keep"
        assert pd.read_csv(tmp_path / "o" / "labels.csv").set_index("item").loc["q0", "label"] == "no idea"

    def test_drop_names_the_items_left_without_a_label(self, tmp_path):
        """--unparsed drop: q0 (nothing parsed) gets no row, and the notice names it."""
        path = _votes(tmp_path / "v.jsonl")
        result = _run(path, "--parse-answers", "multiple-choice", "--unparsed", "drop", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        assert "1 item(s) had no parsed answer and get no label: q0" in _said(result)
        assert "q0" not in set(pd.read_csv(tmp_path / "o" / "labels.csv")["item"])
        assert json.loads((tmp_path / "o" / "summary.json").read_text())["read"]["items_without_parsed_answers"] == [
            "q0"
        ]

    def test_numbers_in_several_spellings_are_one_class(self, tmp_path):
        """--parse-answers number: '\\boxed{42}', '#### 42', 'The answer is 42.' and '42.0' are the class 42."""
        answers = ["\\boxed{42}", "so 6*7.\n#### 42", "The answer is 42.", "42.0", "The answer is 41"]
        path = tmp_path / "m.jsonl"
        path.write_text(
            "".join(json.dumps({"item": "m", "sample": s, "answer": a}) + "\n" for s, a in enumerate(answers))
        )
        result = _run(path, "--parse-answers", "number", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        labels = pd.read_csv(tmp_path / "o" / "labels.csv")
        assert labels["label"].tolist() == [42] and labels["confidence"].tolist() == [0.8]

    @pytest.mark.parametrize(
        ("args", "words"),
        [
            (("--unparsed", "drop"), "--unparsed drop needs --parse-answers"),
            (("--parse-answers", "number", "--normalize-answers"), "two readings of the answers"),
        ],
    )
    def test_options_that_do_not_go_together_are_refused(self, tmp_path, args, words):
        """--unparsed without a parser, or a parser beside --normalize-answers: refused by name, nothing written."""
        result = _run(_votes(tmp_path / "v.jsonl"), *args, "--out", tmp_path / "o")
        assert result.exit_code == 2, result.output
        assert words in _said(result) and not (tmp_path / "o").exists()

    def test_a_parquet_directory_is_refused(self, tmp_path):
        """A Parquet directory is aggregated at scale, without rewriting the answers: --parse-answers refused."""
        folder = tmp_path / "parts"
        folder.mkdir()
        pd.DataFrame({"item": ["q1"], "annotator": ["0"], "label": ["B"]}).to_parquet(folder / "part-0.parquet")
        result = _run(folder, "--parse-answers", "multiple-choice", "--out", tmp_path / "o")
        assert result.exit_code == 2, result.output
        assert "--parse-answers multiple-choice" in _said(result) and "Parquet directory" in _said(result)
