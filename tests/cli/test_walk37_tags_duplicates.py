"""`labelwise aggregate-tags` on answers with an annotator's repeated answer on an item (session 37's walk).

`aggregate` prints "N duplicate answer(s)" and `aggregate-numbers` a line per --duplicates policy;
`aggregate-tags` counted them in summary.json only, and said nothing on the screen.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from labelwise.cli import main

ANSWERS = "item,annotator,tags\n1,a,cat|dog\n1,b,cat\n2,a,dog\n2,b,dog\n3,a,\n3,b,cat\n"
REPEATS = "1,a,cat\n2,b,dog\n"


def _run(tmp_path, answers: str, *options: str):
    (tmp_path / "tags.csv").write_text(answers)
    args = ["aggregate-tags", str(tmp_path / "tags.csv"), "--out", str(tmp_path / "out"), "--top", "0"]
    return CliRunner().invoke(main, [*args, *options])


@pytest.mark.parametrize(
    ("policy", "resolved"),
    [("keep", "each counts as an answer"), ("last", "only the last of each was used")],
)
def test_repeated_answers_are_said_with_what_the_policy_did(tmp_path, policy, resolved):
    """Two repeated (item, annotator) answers are counted on the screen, with what --duplicates did."""
    result = _run(tmp_path, ANSWERS + REPEATS, "--duplicates", policy)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert f"2 answer(s) repeat an annotator's answer on an item and {resolved} (--duplicates {policy})" in said


def test_answers_without_repeats_say_nothing_of_them(tmp_path):
    """No line where each annotator answers an item once (the line is not a constant)."""
    result = _run(tmp_path, ANSWERS)
    assert result.exit_code == 0, result.output
    assert "repeat an annotator" not in result.output
