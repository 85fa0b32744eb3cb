"""Class names that write one number two ways ('0' and '0.0', '7' and '007'): kept apart, as written,
and named in the look-alike notice (session 46's walk with messy files: a label column pasted
together from two exports)."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from labelwise._validate.labels import look_alike_classes
from labelwise.cli import main


class TestNumberSpellings:
    """look_alike_classes names the texts of one number."""

    def test_zero_and_zero_point_zero_are_named(self):
        """'0' beside '0.0': one group, named; '1' alone is not."""
        notice = look_alike_classes(["0", "0.0", "1"], "the labels")
        assert notice is not None
        assert "1 class name(s) written two or more ways as one number ('0' and '0.0')" in notice

    def test_leading_zeros_are_named(self):
        """'007' beside '7' stay two classes, and the notice says they read as one number."""
        assert "('7' and '007')" in look_alike_classes(["7", "007", "x"], "the labels")

    def test_spaces_alone_are_only_the_spaces_group(self):
        """'7' and ' 7' differ by a space: named once, as the spaces group, not again as a number."""
        notice = look_alike_classes(["7", " 7"], "the labels")
        assert "but for case or spaces" in notice and "as one number" not in notice

    def test_words_nan_and_infinity_are_not_numbers(self):
        """'nan' beside 'NaN' is a case group; 'inf' and 'Infinity' are no number group."""
        notice = look_alike_classes(["nan", "NaN", "inf", "Infinity"], "the labels")
        assert "as one number" not in notice

    @given(st.lists(st.integers(-50, 50), min_size=1, max_size=8, unique=True))
    def test_one_spelling_per_number_gives_no_notice(self, numbers):
        """Distinct integers each written once (as integers): no notice."""
        assert look_alike_classes([str(n) for n in numbers], "the labels") is None


def test_corrupt_says_so_for_a_label_column_of_0_and_0_0(tmp_path):
    """corrupt on labels '0', '0.0' and '1': the notice names '0' and '0.0' (on main, nothing was said)."""
    labels = ["0", "0.0", "1", "1"] * 10
    pd.DataFrame({"x": range(40), "y": labels}).to_csv(tmp_path / "d.csv", index=False)
    argv = ["corrupt", str(tmp_path / "d.csv"), "--label", "y", "--rate", "0.1", "--out", str(tmp_path / "n.csv")]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "written two or more ways as one number ('0' and '0.0')" in " ".join(result.output.split())
