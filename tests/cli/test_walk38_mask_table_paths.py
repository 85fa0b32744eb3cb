"""`labelwise aggregate-masks` with a table line that names a folder or another file type (session 38's walk).

A folder among .npy masks was refused as "TABLE's masks must be all .npy or all .png, got ['', '.npy']",
naming neither the line nor the path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main


@pytest.mark.parametrize(("path", "got"), [("masks", "(a folder)"), ("masks/m.jpg", "(suffix '.jpg')")])
def test_the_line_naming_no_mask_file_is_named(tmp_path, path, got):
    """The table's third answer names a folder (or a .jpg): the error gives its line, item, annotator and path."""
    (tmp_path / "masks").mkdir()
    rows = []
    for a in range(3):
        np.save(tmp_path / "masks" / f"a{a}.npy", np.eye(6, dtype=np.uint8))
        rows.append(("img", f"a{a}", f"masks/a{a}.npy"))
    rows[2] = ("img", "a2", path)
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(tmp_path / "t.csv", index=False)
    result = CliRunner().invoke(main, ["aggregate-masks", str(tmp_path / "t.csv"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "TABLE line 4 (item 'img', annotator 'a2') must name a .npy or .png mask file, got" in said
    assert said.endswith(got) and "Traceback" not in said
