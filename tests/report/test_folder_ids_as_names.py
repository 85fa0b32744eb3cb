"""The report reads an output folder's id columns as the names the command wrote (``Folder.table``'s
``ids``), not as numbers: integer items are shown left-aligned, as names, and ``007`` as written
(main read them as int64 and right-aligned the item column like a count)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.report._folders._common import Folder

NUMBERS = "item,annotator,value\n2,a,1.0\n2,b,3.0\n10,a,5.0\n10,b,5.5\n3,a,2\n3,b,9\n"
PAIRS = "left,right,winner\n2,10,2\n10,3,10\n3,2,3\n2,10,10\n10,3,3\n"


def _page(tmp_path, command, text):
    (tmp_path / "in.csv").write_text(text)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, [command, str(tmp_path / "in.csv"), "--out", str(out), "--quiet"]).exit_code == 0
    result = CliRunner().invoke(main, ["report", str(out), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    return (tmp_path / "r.html").read_text()


def _item_tables(page):
    return [t for t in re.findall(r"<table.*?</table>", page, re.S) if "<th>item</th>" in t or ">item</th>" in t]


@pytest.mark.parametrize(("command", "text"), [("aggregate-numbers", NUMBERS), ("aggregate-pairs", PAIRS)])
def test_integer_items_are_left_aligned_names_on_the_page(tmp_path, command, text):
    """The item column's heading and cells have no ``num`` class (numbers are right-aligned)."""
    tables = _item_tables(_page(tmp_path, command, text))
    assert tables
    for table in tables:
        assert "<th>item</th>" in table
        items = re.findall(r"<tr>(<td[^>]*>)", table)  # each row's first cell: the item
        assert items and set(items) == {"<td>"}, items


def test_folder_table_ids_are_the_written_text(tmp_path):
    """``ids`` columns hold the file's text (``2``, ``007``), other columns keep their numbers."""
    (tmp_path / "summary.json").write_text("{}")
    (tmp_path / "values.csv").write_text("item,value,label\n2,1.5,1\n10,2.5,0\n")
    (tmp_path / "scores.csv").write_text("item,score\n007,1.0\n7,2.0\n")
    folder = Folder.load(tmp_path)
    values = folder.table("values.csv", ids=("item", "absent"))
    assert values["item"].tolist() == ["2", "10"] and values["value"].dtype.kind == "f"
    assert values["label"].dtype.kind == "i"  # not an id here
    assert folder.table("scores.csv", ids=("item",))["item"].tolist() == ["007", "7"]
