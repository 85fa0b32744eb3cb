"""``labelwise aggregate-masks`` refuses a repeated (item, annotator) in TABLE before reading any mask file,
naming both lines (main found it in the API, after every mask file was read)."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from labelwise.cli import main


def _table(tmp_path, text):
    (tmp_path / "m").mkdir()
    for name in ("a", "b", "c"):
        np.save(tmp_path / "m" / f"{name}.npy", np.eye(4, dtype=np.uint8))
    (tmp_path / "table.csv").write_text(text)
    args = ["aggregate-masks", str(tmp_path / "table.csv"), "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(main, args, env={"COLUMNS": "1000"})
    assert res.exit_code == 2, res.output
    assert not (tmp_path / "o").exists()
    return " ".join(res.output.split())


def test_a_repeated_pair_is_named_with_both_lines_past_a_blank_line(tmp_path):
    output = _table(tmp_path, "item,annotator,path\nx,ann1,m/a.npy\n\nx,ann2,m/b.npy\nx,ann1,m/c.npy\n")
    assert "one mask per item and annotator (--item-column 'item' and --annotator-column 'annotator')" in output
    assert "got two for item 'x', annotator 'ann1': line 2 and line 5 of 'table.csv'" in output, output


def test_a_repeated_pair_is_refused_before_a_missing_mask_file_is_read(tmp_path):
    """Line 5 names a file that does not exist: the repeated pair of lines 2-3 is what is said, no mask read."""
    text = "item,annotator,path\nx,ann1,m/a.npy\nx,ann1,m/b.npy\ny,ann1,m/c.npy\ny,ann2,m/gone.npy\n"
    output = _table(tmp_path, text)
    assert "got two for item 'x', annotator 'ann1': line 2 and line 3" in output, output
    assert "gone.npy" not in output


def test_ids_named_by_other_columns_are_said_with_their_options(tmp_path):
    (tmp_path / "m").mkdir()
    np.save(tmp_path / "m" / "a.npy", np.eye(4, dtype=np.uint8))
    (tmp_path / "t.csv").write_text("img,who,file\n7,r1,m/a.npy\n7,r1,m/a.npy\n")
    args = ["aggregate-masks", str(tmp_path / "t.csv"), "--out", str(tmp_path / "o")]
    columns = ["--item-column", "img", "--annotator-column", "who", "--path-column", "file"]
    res = CliRunner().invoke(main, [*args, *columns], env={"COLUMNS": "1000"})
    assert res.exit_code == 2, res.output
    output = " ".join(res.output.split())
    assert "(--item-column 'img' and --annotator-column 'who'), got two for item" in output, output
    assert "annotator 'r1': line 2 and line 3 of 't.csv'" in output, output
