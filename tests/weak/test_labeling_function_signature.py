"""`@labeling_function` refuses a function that cannot take the applier's call, when it is decorated."""

from __future__ import annotations

import functools

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise import weak
from labelwise.cli import main
from labelwise.errors import InvalidParameterError


class TestSignature:
    def test_no_argument_is_refused_naming_the_signature(self):
        """`def f()`: refused at decoration, naming the function, the row and its signature."""
        with pytest.raises(
            InvalidParameterError,
            match=r"'no_args' must take one positional argument, the row; its signature is no_args\(\)",
        ):

            @weak.labeling_function()
            def no_args():
                return "spam"

    def test_two_positional_arguments_are_refused(self):
        """`def f(row, other)`: the second argument would never be given."""
        with pytest.raises(InvalidParameterError, match=r"its signature is two\(row, other\)"):

            @weak.labeling_function()
            def two(row, other):
                return None

    def test_vectorized_names_the_dataframe(self):
        """A vectorised function is told it takes the DataFrame."""
        with pytest.raises(InvalidParameterError, match=r"one positional argument, the DataFrame \(vectorized=True\)"):

            @weak.labeling_function(vectorized=True)
            def none():
                return []

    def test_callables_that_take_the_call_are_accepted(self):
        """Defaults, *args, resources by keyword, partials and callable objects all take `f(row, **resources)`."""

        class Rule:
            def __call__(self, row):
                return "spam" if "http" in row.text else None

        def with_kb(row, *, kb):
            return "spam" if row.text in kb else None

        def with_default(row, other=None):
            return None

        lfs = [
            weak.labeling_function(name="obj")(Rule()),
            weak.labeling_function(resources={"kb": {"x"}})(with_kb),
            weak.labeling_function()(with_default),
            weak.labeling_function(name="part")(functools.partial(with_kb, kb={"y"})),
            weak.labeling_function(name="star")(lambda *args: None),
        ]
        votes = weak.apply(lfs, pd.DataFrame({"text": ["x", "y", "http://z"]}), classes=["ham", "spam"])
        assert votes.matrix()[:, :2].tolist() == [[-1, 1], [-1, -1], [1, -1]]

    def test_a_resource_the_function_lacks_is_still_named_by_resources(self):
        """The resources check comes first, with its own words."""
        with pytest.raises(InvalidParameterError, match=r"resources must name keyword parameters"):
            weak.labeling_function(resources={"kb": 1})(lambda row: None)

    def test_command_names_the_line_of_lfs_py(self, tmp_path):
        """`labelwise weak` says it as an import failure with the line of the decorated function."""
        (tmp_path / "lfs.py").write_text(
            "from labelwise import weak\n\n@weak.labeling_function()\ndef f(row, other):\n    return None\n"
        )
        (tmp_path / "data.csv").write_text("text\nhi\n")
        res = CliRunner().invoke(
            main, ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--out", str(tmp_path / "o")]
        )
        said = " ".join(res.output.split())
        assert res.exit_code == 2
        assert (
            "'f' must take one positional argument, the row; its signature is f(row, other) (line 3 of 'lfs.py')"
            in said
        )
