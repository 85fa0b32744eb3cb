"""``labelwise aggregate-numbers``' annotators.csv says how many items each bias rests on (``n_items``)."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main


def test_a_bias_from_one_item_is_marked_by_n_items(tmp_path):
    """Item 0 answered by a, b, c; item 1 by c alone: a and b rest on 1 item, c on 1 of its 2 (main: no column)."""
    answers = pd.DataFrame({"item": [0, 0, 0, 1], "annotator": ["a", "b", "c", "c"], "value": [10, 13, 7.4, 3]})
    answers.to_csv(tmp_path / "answers.csv", index=False)
    res = CliRunner().invoke(main, ["aggregate-numbers", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(tmp_path / "o" / "annotators.csv").set_index("annotator")
    assert frame["n_items"].to_dict() == {"a": 1, "b": 1, "c": 1}
    assert frame["n"].to_dict() == {"a": 1, "b": 1, "c": 2}
