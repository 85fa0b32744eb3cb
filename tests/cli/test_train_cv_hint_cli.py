"""``labelwise train`` with a class smaller than --cv: the hint names the option only."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.cli._common import cli_wording

TABLE = "a,b,y\n" + "".join(f"{i},{i % 3},{'no' if i < 12 else 'yes'}\n" for i in range(14))  # 'yes' has 2 rows


@pytest.mark.parametrize("model", ["logistic", "auto"])
def test_a_class_below_the_folds_says_lower_cv(tmp_path, model):
    """The library's 'lower --cv / cv' (both audiences) reaches the command line as 'lower --cv'."""
    (tmp_path / "d.csv").write_text(TABLE)
    args = ["train", str(tmp_path / "d.csv"), "--label", "y", "--model", model, "--out", str(tmp_path / "m")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0
    message = " ".join(result.output.split())
    assert "class 'yes' has 2 (lower --cv, or drop or merge that class)" in message
    assert "/ cv" not in message


def test_the_hint_rewording_keeps_other_slashes():
    """Only 'lower --option / keyword' before a comma, semicolon or parenthesis is reworded."""
    assert cli_wording("(lower --cv / cv, or drop it)", {}) == "(lower --cv, or drop it)"
    assert cli_wording("a / b, and --cv / cv", {}) == "a / b, and --cv / cv"
