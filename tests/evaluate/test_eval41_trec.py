"""TREC runs with a non-numeric rank, a NaN score or a document twice; topics ordered by number (session 41)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError
from labelwise.evaluate.trec import read_qrels, read_run, system_scores, topic_order

ir_measures = pytest.importorskip("ir_measures")


class TestRunFields:
    def test_non_integer_rank_names_the_field_the_value_and_the_line(self, tmp_path):
        """A rank 'first' was read without a word (the rank is not scored); now refused with field, value, line."""
        f = tmp_path / "a.run"
        f.write_text("1 Q0 d1 1 3.0 x\n1 Q0 d2 first 2.0 x\n")
        with pytest.raises(DataFileError, match=r"a\.run' line 2: rank \(field 4\) must be an integer, got 'first'"):
            read_run(f)

    def test_nan_score_is_refused(self, tmp_path):
        """A score 'nan' parsed as a float and ordered the documents arbitrarily."""
        f = tmp_path / "a.run"
        f.write_text("1 Q0 d1 1 3.0 x\n1 Q0 d2 2 nan x\n")
        with pytest.raises(DataFileError, match=r"line 2: score \(field 5\) must be a finite number, got 'nan'"):
            read_run(f)


class TestDocumentTwice:
    def test_run_listing_a_document_twice_for_a_topic_names_both_lines(self, tmp_path):
        """ir-measures scored the last of two lines for d1; the run is refused naming both lines."""
        f = tmp_path / "a.run"
        f.write_text("1 Q0 d1 1 3.0 x\n2 Q0 d1 1 3.0 x\n1 Q0 d2 2 2.0 x\n1 Q0 d1 3 9.0 x\n")
        with pytest.raises(
            DataFileError, match=r"line 4: document 'd1' appears twice for topic '1' \(first on line 1\)"
        ):
            read_run(f)

    def test_qrels_judging_a_document_twice_differently_is_refused_the_same_judgment_is_not(self, tmp_path):
        """Two relevance values for one document: refused; a repeated identical line: read once as written."""
        q = tmp_path / "h.qrels"
        q.write_text("1 0 d1 1\n1 0 d2 0\n1 0 d1 1\n")
        assert len(read_qrels(q)) == 3
        q.write_text("1 0 d1 1\n1 0 d2 0\n1 0 d1 2\n")
        with pytest.raises(DataFileError, match=r"h\.qrels' line 3: document 'd1' appears twice for topic '1'"):
            read_qrels(q)


class TestTopicOrder:
    def test_integer_topics_by_number_others_as_text(self):
        """'10' came before '2'; integers now go by number, mixed ids stay in text order."""
        assert topic_order(["10", "2", "1", "2"]) == ["1", "2", "10"]
        assert topic_order(["q10", "q2", "1"]) == ["1", "q10", "q2"]

    @settings(max_examples=50, deadline=None)
    @given(st.lists(st.integers(-5, 300), min_size=1, max_size=20), st.randoms())
    def test_integer_order_does_not_depend_on_the_input_order(self, ids, rnd):
        """Any order of the same integer ids gives the ids sorted by value."""
        text = [str(i) for i in ids]
        rnd.shuffle(text)
        assert topic_order(text) == [str(i) for i in sorted(set(ids))]

    def test_system_scores_columns_by_number_hold_ir_measures_per_topic_values(self, tmp_path):
        """Topics 1..12: columns 1, 2, ..., 12 (not 1, 10, 11, 12, 2, ...), each equal to ir-measures' value."""
        rng = np.random.default_rng(0)
        qrels = "".join(f"{t} 0 d{d} {rng.integers(0, 3)}\n" for t in range(1, 13) for d in range(5))
        (tmp_path / "h.qrels").write_text(qrels)
        runs = {}
        for s in range(2):
            lines = [f"{t} Q0 d{d} {k + 1} {5 - k} s" for t in range(1, 13) for k, d in enumerate(rng.permutation(5))]
            (tmp_path / f"s{s}.run").write_text("\n".join(lines) + "\n")
            runs[f"s{s}"] = read_run(tmp_path / f"s{s}.run")
        table = system_scores(runs, read_qrels(tmp_path / "h.qrels"), "nDCG@10")
        assert list(table.columns) == [str(t) for t in range(1, 13)]
        m = ir_measures.parse_measure("nDCG@10")
        for s in runs:
            peer = {
                r.query_id: r.value
                for r in ir_measures.iter_calc(
                    [m],
                    list(ir_measures.read_trec_qrels(str(tmp_path / "h.qrels"))),
                    list(ir_measures.read_trec_run(str(tmp_path / f"{s}.run"))),
                )
            }
            assert table.loc[s].to_dict() == pytest.approx(peer)
