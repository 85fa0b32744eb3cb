"""A folder of Parquet parts with one corrupt part (a truncated copy, another file under a ``.parquet``
name), read at scale: ``--labels FOLDER`` for ``audit``, PATH for ``aggregate``. On main a corrupt part
after the first ended in pyarrow's raw ``ArrowInvalid: Parquet magic bytes not found`` traceback
(``check_parquet_parts`` read each footer unguarded); now one ``DataFileError`` line names the option,
the folder and the part (session 45, walk45's note)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main

pytest.importorskip("dask.dataframe")

BAD = b"not a Parquet file, only some bytes"


def _label_parts(folder, corrupt: str) -> None:
    """Three parts of 20 labels; the part named ``corrupt`` holds bytes that are not Parquet."""
    folder.mkdir()
    rng = np.random.default_rng(45)
    for i in range(3):
        name = f"part.{i}.parquet"
        if name == corrupt:
            (folder / name).write_bytes(BAD)
        else:
            pd.DataFrame({"label": rng.integers(0, 3, 20)}).to_parquet(folder / name, index=False)


@pytest.mark.parametrize("corrupt", ["part.0.parquet", "part.2.parquet"])
def test_audit_labels_folder_with_a_corrupt_part_names_the_part(tmp_path, corrupt):
    """The first part or a later one: the same one line, naming --labels, the folder and the part."""
    _label_parts(labels := tmp_path / "labels", corrupt)
    np.save(probs := tmp_path / "probs.npy", np.random.default_rng(0).dirichlet(np.ones(3), 60))
    args = ["audit", "--probs", probs, "--labels", labels, "--scheduler", "threads", "--out", tmp_path / "out"]
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "ArrowInvalid" not in result.output
    line = " ".join(result.output.split())
    assert f"--labels '{labels}' must be a folder of Parquet parts; its part '{corrupt}' could not be read" in line
    assert "magic bytes" in line
    assert not (tmp_path / "out" / "summary.json").exists()


def test_aggregate_folder_with_a_corrupt_later_part_names_the_part(tmp_path):
    """Answers in parts (PATH read by Dask): a corrupt second part is named the same way."""
    (parts := tmp_path / "answers").mkdir()
    rows = [(f"q{i}", who, ["cat", "dog"][(i + len(who)) % 2]) for i in range(10) for who in ("a", "bb", "c")]
    pd.DataFrame(rows, columns=["item", "annotator", "label"]).to_parquet(parts / "part.0.parquet", index=False)
    (parts / "part.1.parquet").write_bytes(BAD)
    result = CliRunner().invoke(main, ["aggregate", str(parts), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "ArrowInvalid" not in result.output
    assert "its part 'part.1.parquet' could not be read as Parquet" in " ".join(result.output.split())
