"""`weak.apply` without `classes`: a function returning -1 (Snorkel's abstain) without abstain=-1 is warned about."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise import weak
from labelwise.cli import main
from labelwise.errors import LabelwiseWarning

DF = pd.DataFrame({"text": ["win http://x", "hi mom", "cash http://z", "lunch?", "see you", "http://y"]})


@weak.labeling_function(vectorized=True)
def snorkel_link(df):
    return np.where(df.text.str.contains("http"), 1, -1)


@weak.labeling_function()
def greeting(row):
    return 0 if row.text.startswith(("hi", "see")) else None


@weak.labeling_function(vectorized=True, abstain=-1)
def declared_link(df):
    return np.where(df.text.str.contains("http"), 1, -1)


class TestMinusOneClass:
    def test_warns_naming_the_function_and_its_rows(self):
        """-1 returned by a function whose abstain is None becomes a class, and the warning says so."""
        with pytest.warns(LabelwiseWarning, match=r"'snorkel_link' \(3 rows\) returned -1, taken as a class") as rec:
            votes = weak.apply([snorkel_link, greeting], DF)
        assert list(votes.classes) == [-1, 0, 1]
        assert "abstain=-1" in str(rec[0].message) and "classes=" in str(rec[0].message)
        assert rec[0].filename == __file__

    def test_silent_when_the_classes_are_given(self):
        """Declared classes holding -1 say it is a class: no warning."""
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            votes = weak.apply([snorkel_link, greeting], DF, classes=[-1, 0, 1])
        assert list(votes.classes) == [-1, 0, 1]

    def test_silent_when_minus_one_is_the_abstain_value(self):
        """abstain=-1 drops the -1 values: two classes, no warning."""
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            votes = weak.apply([declared_link, greeting], DF)
        assert list(votes.classes) == [0, 1]
        assert len(votes.answers) == 5

    def test_silent_on_other_labels(self):
        """Labels without -1 (strings, or 0 and 1) give no warning."""

        @weak.labeling_function()
        def link_text(row):
            return "spam" if "http" in row.text else None

        @weak.labeling_function()
        def greeting_text(row):
            return "ham" if row.text.startswith("hi") else None

        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            assert list(weak.apply([link_text, greeting_text], DF).classes) == ["ham", "spam"]
            assert list(weak.apply([declared_link, greeting], DF).classes) == [0, 1]

    def test_command_prints_the_warning(self, tmp_path):
        """`labelwise weak` without --classes prints it; with --classes=-1,0,1 it does not."""
        (tmp_path / "lfs.py").write_text(
            "import numpy as np\nfrom labelwise import weak\n\n"
            "@weak.labeling_function(vectorized=True)\n"
            "def link(df):\n    return np.where(df.text.str.contains('http'), 1, -1)\n\n"
            "@weak.labeling_function()\n"
            "def hi(row):\n    return 0 if row.text.startswith('hi') else None\n"
        )
        DF.to_csv(tmp_path / "data.csv", index=False)
        args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv")]
        res = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "a")])
        assert res.exit_code == 0, res.output
        assert "'link' (3 rows) returned -1, taken as a class" in " ".join(res.output.split())
        res = CliRunner().invoke(main, [*args, "--classes=-1,0,1", "--out", str(tmp_path / "b")])
        assert res.exit_code == 0, res.output
        assert "taken as a class" not in res.output
