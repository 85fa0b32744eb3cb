"""Properties of the text id and label columns: ``numbers_unless_merged`` does not depend on the
order or repetition of the rows and gives back what was written; ``read_table``'s CSV fast path
(the parser's types, checked against the texts by ``restore_merged_texts``) gives what
``numbers_unless_merged`` gives on the column read as text."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelwise.io._text_ids import numbers_unless_merged
from labelwise.io.tables import read_table

#: Texts of one cell: integers canonical or not, floats spelled several ways, booleans in three
#: spellings, words, and the markers pandas reads as a missing cell ("" included).
TOKENS = [
    "0", "1", "2", "10", "-3", "01", "007", "-0", "+1", "1.0", "1.5", "1.50", "2.5", "1e3", "1000",
    "True", "False", "true", "TRUE", "a", "b", "", "None", "<NA>", "NA", "nan", "n/a", " 1", "2 ", " 01",
]  # fmt: skip
MISSING = {"", "None", "<NA>", "NA", "nan", "n/a"}


def _texts(values: list[str]) -> pd.Series:
    return pd.Series([None if v in MISSING else v for v in values], dtype=object)


def _cells(out: pd.Series) -> list[object]:
    """The values, a missing one as None (NaN != NaN)."""
    return [None if pd.isna(v) else v for v in out.tolist()]


def _is_text(out: pd.Series) -> bool:
    return out.dtype == object or pd.api.types.is_string_dtype(out.dtype)


class TestNumbersUnlessMerged:
    @settings(max_examples=80, deadline=None)
    @given(texts=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=10), data=st.data())
    def test_permuting_or_repeating_rows_permutes_the_values(self, texts, data):
        """The decision (numbers or text) is made on the distinct texts: any order of the rows, any of
        them repeated, gives the same dtype and the same value for each text."""
        values = _texts(texts)
        out = numbers_unless_merged(values)
        order = np.array(data.draw(st.lists(st.integers(0, len(texts) - 1), min_size=1, max_size=12), label="rows"))
        if set(order) != set(range(len(texts))):  # every row at least once: the same distinct texts
            order = np.r_[order, np.arange(len(texts))]
        got = numbers_unless_merged(values.iloc[order].reset_index(drop=True))
        assert got.dtype == out.dtype
        assert _cells(got) == [_cells(out)[i] for i in order]

    @settings(max_examples=80, deadline=None)
    @given(texts=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=10))
    def test_numbers_print_back_as_written_or_no_two_texts_share_one(self, texts):
        """Kept as text: the texts themselves. Integers: each prints back as its text. Booleans: each
        text is its one spelling. Floats: no two distinct texts became one number."""
        values = _texts(texts)
        out = numbers_unless_merged(values)
        present = values.notna().to_numpy()
        assert (out.notna().to_numpy() == present).all()
        written = values[present].tolist()
        got = out[present].tolist()
        if _is_text(out):
            assert got == written
        elif out.dtype == np.int64:
            assert [str(v) for v in got] == written
        elif out.dtype == bool:
            assert len({(t, v) for t, v in zip(written, got, strict=True)}) == len(set(written)) == len(set(got))
        else:
            assert out.dtype == np.float64
            assert len(set(got)) == len(set(written))


class TestReadTableFastPath:
    @settings(max_examples=60, deadline=None)
    @given(texts=st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8))
    @example(texts=["1", "None", "2"])  # Arrow reads "None" as a text, pandas as a missing cell
    @example(texts=["True", "true", ""])  # the parser's object column of booleans merged two spellings
    @example(texts=[""])  # no value at all: neither numbers nor text (the parser's float NaN, or objects)
    @example(texts=["True", " 1"])  # a text column keeps the blanks the parser kept
    def test_the_csv_fast_path_gives_what_the_texts_give(self, tmp_path_factory, texts):
        """A CSV label column read by ``read_table(text_columns=...)``: the same values, and numbers
        or text alike, as ``numbers_unless_merged`` on the column read as text (pandas' missing
        markers missing). Blanks around a value: trimmed where the parser read numbers (layout, as
        for the parser), kept in a column the parser read as text (``" 1"`` next to ``"True"``), so
        kept texts are compared trimmed. A column of missing cells only has no kind."""
        path = tmp_path_factory.mktemp("csv") / "d.csv"
        path.write_text("x,y\n" + "".join(f"{i},{t}\n" for i, t in enumerate(texts)))
        as_text = pd.read_csv(path, dtype={"y": str})["y"]
        expected = numbers_unless_merged(as_text.where(as_text.isna(), as_text.str.strip()).astype(object))
        got = read_table(path, text_columns=["y"])["y"]
        if _is_text(got):
            got = got.map(lambda v: v.strip() if isinstance(v, str) else v)
        assert _cells(got) == _cells(expected)
        if expected.isna().all():
            return
        assert _is_text(got) == _is_text(expected)
        if not _is_text(expected) and expected.dtype != np.int64:  # int64: float64 when the parser saw a gap
            assert got.dtype == expected.dtype


class TestMissingMarkersAndBooleans:
    """Plain regressions of the two draws the fast-path property found."""

    def test_a_cell_pandas_reads_as_missing_keeps_a_number_column_numbers(self, tmp_path):
        """Labels 1, None, 2: pandas reads "None" as a missing cell, Arrow's text reader as the text
        "None", which made the column text ("1", "2"); it is numbers with a gap, as parsed."""
        path = tmp_path / "d.csv"
        path.write_text("x,y\n0,1\n1,None\n2,2.5\n3,<NA>\n")
        y = read_table(path, text_columns=["y"])["y"]
        assert y.dtype == np.float64
        assert _cells(y) == [1.0, None, 2.5, None]

    def test_two_spellings_of_true_with_a_missing_cell_stay_two_texts(self, tmp_path):
        """ "True" and "true" next to an empty cell: the parser gave one boolean True for both (an
        object column, which was not checked); they stay the two texts written."""
        path = tmp_path / "d.csv"
        path.write_text("x,y\n0,True\n1,true\n2,\n3,False\n")
        y = read_table(path, text_columns=["y"])["y"]
        assert _cells(y) == ["True", "true", None, "False"]
