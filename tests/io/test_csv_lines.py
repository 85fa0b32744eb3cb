"""labelwise.io.csv_lines: the line each row of a CSV/TSV file starts on."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.io.csv_lines import line_of_row, row_lines


class TestRowLines:
    """row_lines and line_of_row agree with an editor's line numbers."""

    def test_header_blank_lines_and_quoted_breaks_are_counted(self, tmp_path):
        """A quoted cell over two lines and blank lines move the next rows' lines; blank lines hold no row."""
        path = tmp_path / "t.csv"
        path.write_text('id,text\n\na,"two\nlines"\nb,x\n\n\nc,y\n', encoding="utf-8")
        assert row_lines(path) == [3, 5, 8]
        assert [line_of_row(path, row) for row in range(4)] == [3, 5, 8, None]

    def test_tab_separated_file_and_byte_order_mark(self, tmp_path):
        """A .tsv file is split on tabs (a comma in a cell is no separator); a BOM is no line."""
        path = tmp_path / "t.tsv"
        path.write_text('\ufeffid\ttext\na\t"x, y"\nb\tz\n', encoding="utf-8")
        assert row_lines(path) == [2, 3]

    def test_a_missing_file_has_no_lines(self, tmp_path):
        """A file that cannot be opened gives None, not an error."""
        assert row_lines(tmp_path / "nope.csv") is None
        assert line_of_row(tmp_path / "nope.csv", 0) is None

    @settings(max_examples=30, deadline=None)
    @given(
        st.lists(
            st.tuples(st.text(alphabet="ab,\n\"' ", max_size=6), st.booleans()),
            min_size=1,
            max_size=8,
        )
    )
    def test_one_line_per_row_pandas_reads(self, tmp_path_factory, rows):
        """As many lines as pandas reads rows, each the line where the row's first cell is written."""
        path = tmp_path_factory.mktemp("p") / "t.csv"
        frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(rows))], "text": [t for t, _ in rows]})
        body = frame.to_csv(index=False, lineterminator="\n")
        lines = body.split("\n")
        out = [lines[0]]
        for line in lines[1:]:  # blank lines before some rows
            if line.startswith("r") and rows[int(line[1:].split(",")[0])][1]:
                out.append("")
            out.append(line)
        path.write_text("\n".join(out), encoding="utf-8")
        assert len(pd.read_csv(path, keep_default_na=False)) == len(rows)
        found = row_lines(path)
        written = path.read_text(encoding="utf-8").split("\n")
        assert found is not None and len(found) == len(rows)
        assert all(written[line - 1].startswith(f"r{i},") for i, line in enumerate(found))
