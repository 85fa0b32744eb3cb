"""read_names: one name per line, the same names whatever editor saved the file."""

from __future__ import annotations

import pytest

from labelwise.errors import DataFileError
from labelwise.io import read_names
from labelwise.shift import familiarity


class TestReadNames:
    def test_byte_order_mark_and_windows_line_ends_give_the_same_names(self, tmp_path):
        """A BOM once stuck to the first name ('\\ufeffperson' != 'person') and lowered its familiarity."""
        plain, windows = tmp_path / "plain.txt", tmp_path / "windows.txt"
        plain.write_text("person\nperson\ncity\n", encoding="utf-8")
        windows.write_bytes("person\r\nperson\r\ncity\r\n".encode("utf-8-sig"))
        assert read_names(windows) == read_names(plain) == ["person", "person", "city"]
        assert familiarity(read_names(windows), ["person"], k=2).score == pytest.approx(1.0)

    def test_only_newline_carriage_return_and_both_end_a_line(self, tmp_path):
        """A name holding U+2028, U+0085 or a form feed stays one name (str.splitlines broke it in
        two); "\\n", "\\r\\n" and "\\r" all end a line, and a hole's line number counts only them."""
        f = tmp_path / "n.txt"
        f.write_bytes("a\u2028b\nc\u0085d\r\ne\x0cf\rg\n".encode("utf-8"))
        assert read_names(f) == ["a\u2028b", "c\u0085d", "e\x0cf", "g"]
        f.write_bytes("a\u2028b\n\nc\n".encode("utf-8"))
        with pytest.raises(DataFileError, match=r"line 2\b"):
            read_names(f, holes=False)

    def test_blank_lines_and_surrounding_spaces_are_dropped(self, tmp_path):
        """Blank lines are skipped and each name is stripped; repeats are kept (they are occurrences)."""
        f = tmp_path / "n.txt"
        f.write_text("  a \n\n a\n\t\n", encoding="utf-8")
        assert read_names(f) == ["a", "a"]

    def test_holes_false_refuses_a_blank_line_between_names_only(self, tmp_path):
        """With holes=False a blank line before the last name is an error naming the line; trailing ones are not."""
        f = tmp_path / "n.txt"
        f.write_text("a\n\nb\n\n", encoding="utf-8")
        with pytest.raises(DataFileError, match="--eval-labels file .* blank line between labels at line 2:"):
            read_names(f, parameter="--eval-labels", holes=False)
        f.write_text("a\nb\n\n \n", encoding="utf-8")
        assert read_names(f, holes=False) == ["a", "b"]

    def test_file_without_names_is_an_error_naming_the_parameter(self, tmp_path):
        """A file of blank lines raises DataFileError naming the parameter."""
        f = tmp_path / "n.txt"
        f.write_text("\n \n", encoding="utf-8")
        with pytest.raises(DataFileError, match="--eval-labels file .* has no labels"):
            read_names(f, parameter="--eval-labels")
