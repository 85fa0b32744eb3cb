"""Two labeling functions of one name are named by their Python functions and where they are defined."""

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.errors import InvalidParameterError
from labelwise.weak import apply, labeling_function

LFS = """from labelwise.weak import labeling_function


@labeling_function(name="link")
def has_http(row):
    return "spam" if "http" in row.text else None


@labeling_function(name="link")
def has_www(row):
    return "spam" if "www" in row.text else None
"""


def test_duplicate_names_name_each_python_function_with_its_file_and_line():
    @labeling_function(name="same")
    def first(row):
        return None

    @labeling_function(name="same")
    def second(row):
        return None

    with pytest.raises(InvalidParameterError) as info:
        apply([first, second], pd.DataFrame({"a": [1]}))
    message = str(info.value)
    assert re.search(r"lfs\[0\] \(function .*first at .*test_apply_duplicate_names\.py:\d+\)", message), message
    assert re.search(r"lfs\[1\] \(function .*second at .*test_apply_duplicate_names\.py:\d+\)", message), message


def test_a_callable_without_source_is_still_named_by_position():
    class Rule:
        def __call__(self, row):
            return None

    with pytest.raises(InvalidParameterError, match=r"lfs\[0\] and lfs\[1\] \(rename"):
        apply([labeling_function(name="r")(Rule()), labeling_function(name="r")(Rule())], pd.DataFrame({"a": [1]}))


def test_weak_command_names_the_lfs_files_functions_and_lines(tmp_path):
    (tmp_path / "lfs.py").write_text(LFS)
    (tmp_path / "data.csv").write_text("text\nhttp://x\nwww.y\n")
    result = CliRunner().invoke(
        main, ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    # the command names them as the file does: its Python names and their lines (tests/cli/test_weak_repeated_names_cli.py)
    assert "'link' is the name of has_http (line 5) and has_www (line 10) in" in output, output
    assert "lfs.py" in output
