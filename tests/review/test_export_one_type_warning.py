"""A text relabel of an integer label column exported to Parquet: one warning says both what the relabel changed
(the column's type) and why the Parquet copy holds the column as text, at the user's line; other warnings and
other targets are as before."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import LabelwiseWarning
from labelwise.review import export_cleaned
from labelwise.review._label_dtype import LabelTypeWarning
from labelwise.review._label_text import holding, label_as_one_type
from tests.review.test_export_text_relabel import _decide, audit  # noqa: F401 (a fixture)


def _caught(out: Path, target: Path) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        export_cleaned(out, target, force=True)
    return [w for w in caught if issubclass(w.category, LabelwiseWarning)]


def _about_the_type(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "was int64" in str(w.message) or "as text" in str(w.message)]


class TestOneWarning:
    def test_a_text_relabel_to_parquet_warns_once_saying_both(self, audit, tmp_path):  # noqa: F811 (the fixture)
        """ "owl" in an integer column, to Parquet: one warning names the old type, the label, the file and the text."""
        _decide(audit, [(5, "relabel", "owl"), (7, "relabel", 2)])
        caught = _caught(audit, tmp_path / "clean.parquet")
        (said,) = _about_the_type(caught)
        for part in ("'y' was int64", "'owl'", "'clean.parquet' has it as text", "0 (int)", "'owl' (str)"):
            assert part in said
        (warning,) = [w for w in caught if str(w.message) == said]
        assert Path(warning.filename) == Path(__file__)  # the user's line, not labelwise's
        assert any("not a class of the audit" in str(w.message) for w in caught)  # the new class: said as before

    def test_a_relabel_parquet_writes_as_it_is_keeps_its_type_warning(self, audit, tmp_path):  # noqa: F811 (the fixture)
        """2.5 in an integer column makes it floats, which Parquet holds: the type warning only, no text."""
        _decide(audit, [(5, "relabel", 2.5)])
        (said,) = _about_the_type(_caught(audit, tmp_path / "clean.parquet"))
        assert "was int64" in said and "float64" in said and "as text" not in said
        assert pd.read_parquet(tmp_path / "clean.parquet")["y"].iloc[5] == 2.5

    def test_a_csv_copy_warns_of_the_type_alone(self, audit, tmp_path):  # noqa: F811 (the fixture)
        """The CSV copy holds 3 beside "owl" as written: the relabel's type warning, nothing about text."""
        _decide(audit, [(5, "relabel", "owl")])
        (said,) = _about_the_type(_caught(audit, tmp_path / "clean.csv"))
        assert "was int64" in said and "as text" not in said

    def test_the_command_prints_the_one_warning(self, audit, tmp_path):  # noqa: F811 (the fixture)
        """``labelwise export --out clean.parquet`` prints the type and the text in one message."""
        _decide(audit, [(5, "relabel", "owl")])
        res = CliRunner().invoke(main, ["export", str(audit), "--out", str(tmp_path / "clean.parquet")])
        assert res.exit_code == 0, res.output
        said = [line for line in res.output.splitlines() if "was int64" in line or "has it as text" in line]
        assert len(said) == 1 and said[0].startswith("warning: ") and "was int64" in said[0] and "as text" in said[0]


class TestHolding:
    def test_an_error_inside_issues_the_held_warnings(self):
        """Warnings held when the work inside fails are issued, not lost."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(KeyError), holding():
                warnings.warn(LabelTypeWarning("changed"), stacklevel=1)
                raise KeyError("x")
        assert [str(w.message) for w in caught] == ["changed"]

    def test_held_warnings_are_issued_when_the_column_stays_one_type(self, tmp_path):
        """A column Parquet writes as it is: every held warning is issued as it was, the type's included."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with holding() as held:
                warnings.warn(LabelTypeWarning("changed"), stacklevel=1)
                warnings.warn(UserWarning("other"), stacklevel=1)
            frame = pd.DataFrame({"y": [1.0, 2.5]})
            assert label_as_one_type(frame, "y", tmp_path / "a.parquet", held) is frame
        assert [str(w.message) for w in caught] == ["changed", "other"]

    def test_nothing_is_held_when_told_not_to(self):
        """``holding(False)`` lets warnings through at once."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with holding(False) as held:
                warnings.warn(UserWarning("now"), stacklevel=1)
                assert [str(w.message) for w in caught] == ["now"]
        assert held == []
