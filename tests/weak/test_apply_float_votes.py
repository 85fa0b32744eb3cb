"""`weak.apply`: integer votes that pandas made floats (a vectorised function's `map` beside None) stay integers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.cli import main

DF = pd.DataFrame({"text": ["win http://x", "hi mom", "cash http://z", "lunch?", "hi there", "http://y"]})


@weak.labeling_function(vectorized=True)
def link(df):
    return df.text.str.contains("http").map({True: 1, False: None})  # float64: [1.0, nan, ...]


@weak.labeling_function()
def greeting(row):
    return 0 if row.text.startswith("hi") else None


class TestIntegralFloatVotes:
    def test_classes_and_votes_are_the_integers_returned(self):
        """`map({True: 1, False: None})` beside a row function's 0: classes [0, 1] as ints, votes ints."""
        votes = weak.apply([link, greeting], DF)
        assert votes.classes.tolist() == [0, 1]
        assert all(type(c) is int for c in votes.classes.tolist())
        assert votes.answers["label"].dtype == np.int64
        assert votes.matrix()[:, 0].tolist() == [1, -1, 1, -1, -1, 1]

    def test_declared_integer_classes_get_integer_votes(self):
        """With classes=[0, 1] the long table holds 1, not 1.0, as the classes do."""
        votes = weak.apply([link, greeting], DF, classes=[0, 1])
        assert votes.answers["label"].dtype == np.int64

    def test_fractional_and_declared_float_classes_stay_floats(self):
        """0.5 among the votes, or classes declared as floats: the floats are kept."""

        @weak.labeling_function(vectorized=True)
        def half(df):
            return df.text.str.contains("http").map({True: 0.5, False: None})

        assert weak.apply([half, link], DF).classes.tolist() == [0.5, 1.0]
        assert weak.apply([link], DF, classes=[0.0, 1.0]).answers["label"].dtype == np.float64

    @settings(max_examples=25, deadline=None)
    @given(
        st.lists(st.sampled_from([None, 0, 1, 2]), min_size=6, max_size=6).filter(
            lambda v: any(x is not None for x in v)
        )
    )
    def test_same_votes_as_the_function_returning_integers(self, values):
        """The float column gives the votes an object column of the same integers gives."""

        @weak.labeling_function(vectorized=True)
        def as_float(df):
            return pd.Series(values, index=df.index, dtype="float64")

        @weak.labeling_function(vectorized=True, name="as_float")
        def as_object(df):
            return pd.Series(values, index=df.index, dtype=object)

        a, b = weak.apply([as_float], DF), weak.apply([as_object], DF)
        assert a.classes.tolist() == b.classes.tolist()
        pd.testing.assert_frame_equal(a.answers, b.answers)

    def test_command_writes_integer_labels(self, tmp_path):
        """`labelwise weak` writes `1` and `prob_1`, not `1.0` and `prob_1.0`, in labels.csv and votes.csv."""
        (tmp_path / "lfs.py").write_text(
            "from labelwise import weak\n\n"
            "@weak.labeling_function(vectorized=True)\n"
            "def link(df):\n    return df.text.str.contains('http').map({True: 1, False: None})\n\n"
            "@weak.labeling_function()\n"
            "def hi(row):\n    return 0 if row.text.startswith('hi') else None\n"
        )
        DF.to_csv(tmp_path / "data.csv", index=False)
        res = CliRunner().invoke(
            main, ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--out", str(tmp_path / "o")]
        )
        assert res.exit_code == 0, res.output
        labels = (tmp_path / "o" / "labels.csv").read_text().splitlines()
        assert labels[0] == "item,label,confidence,n_votes,prob_0,prob_1"
        assert {line.split(",")[2] for line in (tmp_path / "o" / "votes.csv").read_text().splitlines()[1:]} == {
            "0",
            "1",
        }
