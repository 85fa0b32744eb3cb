"""``labelwise aggregate`` on LLM votes: answers written several ways are named in a notice (never merged
in silence); ``--normalize-answers`` votes on their normal forms, as ``self_consistency(normalize_answers=True)``;
a reader error on a votes file comes first and alone, before the notice about its sample numbers."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.io import read_annotations
from labelwise.weak import self_consistency

FORMS = ["B", "B.", '"B"', " b ", "(B)", "Answer: B", "A", "A", "C"]


def _votes(path, n_items=20):
    lines = [
        json.dumps({"item": f"q{i}", "sample": s, "answer": FORMS[(i * 5 + s) % len(FORMS)]})
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


class TestAnswerForms:
    def test_spellings_of_one_answer_are_named_in_a_notice_and_kept(self, tmp_path):
        """The notice names each spelling with its count and --normalize-answers; labels.csv keeps them as written."""
        result = _run(_votes(tmp_path / "v.jsonl"), "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        notice = " ".join(result.output.split())
        assert "written in two or more ways" in notice and "pass --normalize-answers" in notice
        assert "'B' (12)" in notice and "'Answer: B' (11)" in notice and "'(B)' (11)" in notice
        labels = pd.read_csv(tmp_path / "o" / "labels.csv", keep_default_na=False)
        assert {"prob_B", "prob_B.", "prob_(B)"} <= set(labels.columns)
        assert json.loads((tmp_path / "o" / "summary.json").read_text())["settings"]["normalize_answers"] is False

    def test_spellings_apart_only_by_case_or_spaces_get_the_look_alike_notice_alone(self, tmp_path):
        """'B' and ' b ' only: the case-and-spaces notice says it; the answer-forms notice is not said twice."""
        path = tmp_path / "v.jsonl"
        path.write_text(
            "".join(json.dumps({"item": "q1", "sample": s, "answer": a}) + "\n" for s, a in enumerate("Bb"))
        )
        result = _run(path, "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        assert "but for case or spaces" in _said(result) and "written in two or more ways" not in _said(result)

    def test_normalize_answers_gives_the_api_s_normal_form_labels(self, tmp_path):
        """--normalize-answers: classes a, b, c; the labels and confidences of self_consistency(normalize_answers=True)."""
        path = _votes(tmp_path / "v.jsonl")
        result = _run(path, "--normalize-answers", "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        assert "written in two or more ways" not in _said(result)
        assert "100 answer(s) normalized" in _said(result)
        labels = pd.read_csv(tmp_path / "o" / "labels.csv").set_index("item").sort_index()
        assert [c for c in labels.columns if c.startswith("prob_")] == ["prob_a", "prob_b", "prob_c"]
        api = self_consistency(read_annotations(path, format="votes").answers, normalize_answers=True).sort_index()
        assert labels["label"].tolist() == api["label"].tolist()
        assert labels["confidence"].tolist() == api["confidence"].tolist()
        summary = json.loads((tmp_path / "o" / "summary.json").read_text())
        assert summary["settings"]["normalize_answers"] is True and summary["read"]["n_answers_normalized"] == 100

    def test_classes_name_the_normal_forms(self, tmp_path):
        """With --normalize-answers, --classes lists the normal forms (and a raw spelling is outside them)."""
        path = _votes(tmp_path / "v.jsonl")
        ok = _run(path, "--normalize-answers", "--classes", "c,b,a", "--out", tmp_path / "o")
        assert ok.exit_code == 0, ok.output
        bad = _run(path, "--normalize-answers", "--classes", "A,B,C", "--out", tmp_path / "o2")
        assert bad.exit_code != 0 and "--classes" in bad.output

    def test_normalize_answers_is_refused_for_a_parquet_directory(self, tmp_path):
        """A Parquet directory is aggregated at scale, where the answers are not rewritten: refused, naming PATH."""
        folder = tmp_path / "parts"
        folder.mkdir()
        pd.DataFrame({"item": [1, 1], "annotator": ["a", "b"], "label": ["B", "B."]}).to_parquet(folder / "p.parquet")
        result = _run(folder, "--normalize-answers", "--out", tmp_path / "o")
        assert result.exit_code != 0
        assert "--normalize-answers" in _said(result) and "Parquet directory" in _said(result)


class TestNoticeAfterTheReader:
    def test_a_reader_error_comes_alone_without_the_sample_numbers_notice(self, tmp_path):
        """A votes file of sample numbers with a record lacking its answer: the error, and no notice before it."""
        path = tmp_path / "bad.jsonl"
        path.write_text(json.dumps({"item": "q1", "sample": 1, "answer": "B"}) + "\n{" + '"item": "q1", "sample": 2}\n')
        result = _run(path, "--out", tmp_path / "o")
        assert result.exit_code != 0
        assert "line 2 has no 'answer' field" in _said(result)
        assert "notice" not in _said(result) and "sample numbers" not in _said(result)

    def test_the_sample_numbers_notice_is_said_once_the_file_is_read(self, tmp_path):
        """A readable votes file of sample numbers: the notice, before the summary line."""
        result = _run(_votes(tmp_path / "v.jsonl", n_items=3), "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        text = " ".join(result.output.split())
        assert text.count("sample numbers") == 1
        assert text.index("sample numbers") < text.index("3 items, 15 answers")
