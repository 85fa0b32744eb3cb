"""TREC run/qrels readers (file and line errors) and per-system measures from ir-measures."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.evaluate.trec import read_qrels, read_run, read_run_dir, system_scores

ir_measures = pytest.importorskip("ir_measures")

QRELS = "1 0 d1 1\n1 0 d2 0\n1 0 d3 2\n2 0 d4 1\n2 0 d5 1\n"


def _write_runs(folder, n=4):
    rng = np.random.default_rng(0)
    folder.mkdir()
    for s in range(n):
        lines = []
        for q, docs in (("1", ["d1", "d2", "d3", "d9"]), ("2", ["d4", "d5", "d6"])):
            for r, d in enumerate(rng.permutation(docs)):
                lines.append(f"{q} Q0 {d} {r + 1} {10 - r} sys{s}")
        (folder / f"sys{s}.run").write_text("\n".join(lines) + "\n")


class TestReaders:
    def test_malformed_run_line_names_file_and_line(self, tmp_path):
        """A run line without 6 fields is reported with the file and line number."""
        f = tmp_path / "a.run"
        f.write_text("1 Q0 d1 1 3.0 x\n1 Q0 d2 2\n")
        with pytest.raises(DataFileError, match=r"a\.run' line 2: expected 6 fields"):
            read_run(f)

    def test_byte_order_mark_and_windows_line_ends_do_not_make_a_new_topic(self, tmp_path):
        """A qrels/run file saved with a UTF-8 BOM and CRLF reads as the same topics as a plain one."""
        plain, windows = tmp_path / "plain.qrels", tmp_path / "windows.qrels"
        plain.write_text(QRELS)
        windows.write_bytes(b"\xef\xbb\xbf" + QRELS.replace("\n", "\r\n").encode())
        assert read_qrels(windows).equals(read_qrels(plain))
        run = tmp_path / "a.run"
        run.write_bytes(b"\xef\xbb\xbf1 Q0 d1 1 3.0 x\r\n")
        assert read_run(run)["query_id"].tolist() == ["1"]

    def test_non_numeric_score_and_relevance(self, tmp_path):
        """A non-numeric score or relevance names the file and line."""
        f = tmp_path / "a.run"
        f.write_text("1 Q0 d1 1 high x\n")
        with pytest.raises(DataFileError, match=r"line 1: score \(field 5\) must be a finite number"):
            read_run(f)
        q = tmp_path / "h.qrels"
        q.write_text("1 0 d1 1\n\n1 0 d2 yes\n")
        with pytest.raises(DataFileError, match=r"h\.qrels' line 3: relevance \(field 4\) must be an integer"):
            read_qrels(q)

    def test_run_name_twice(self, tmp_path):
        """Two run files with the same name (a.run, a.txt) are refused."""
        (tmp_path / "r").mkdir()
        for name in ("a.run", "a.txt", "b.run"):
            (tmp_path / "r" / name).write_text("1 Q0 d1 1 1.0 x\n")
        with pytest.raises(InvalidParameterError, match="two runs named 'a'"):
            read_run_dir(tmp_path / "r")


class TestSystemScores:
    def test_mean_over_topics_equals_ir_measures_aggregate(self, tmp_path):
        """Per-topic nDCG@10 and AP averaged equal ir_measures.calc_aggregate on the same files."""
        _write_runs(tmp_path / "runs")
        (tmp_path / "h.qrels").write_text(QRELS)
        runs = read_run_dir(tmp_path / "runs")
        qrels = read_qrels(tmp_path / "h.qrels")
        for measure in ("nDCG@10", "AP"):
            table = system_scores(runs, qrels, measure)
            for name in runs:
                agg = ir_measures.calc_aggregate(
                    [ir_measures.parse_measure(measure)],
                    list(ir_measures.read_trec_qrels(str(tmp_path / "h.qrels"))),
                    list(ir_measures.read_trec_run(str(tmp_path / "runs" / f"{name}.run"))),
                )
                assert table.loc[name].mean() == pytest.approx(next(iter(agg.values())))

    def test_unknown_measure(self, tmp_path):
        """A measure ir-measures does not know is an InvalidParameterError naming it."""
        _write_runs(tmp_path / "runs")
        (tmp_path / "h.qrels").write_text(QRELS)
        with pytest.raises(InvalidParameterError, match="'nDCG@ten'"):
            system_scores(
                read_run_dir(tmp_path / "runs"),
                read_qrels(tmp_path / "h.qrels"),
                "nDCG@ten",
            )
