"""``labelwise evaluate`` reads compressed model files in PREDICTIONS (``model.csv.gz``) and names what it skips."""

from __future__ import annotations

import gzip
import zipfile

import numpy as np
import pandas as pd
from click.testing import CliRunner

from labelwise.cli import main

M1 = "pred\nred fox\nblue jay\nred fox\nblue jay\n"
M2 = "pred\nred fox\nred fox\nred fox\nblue jay\n"


def _run(tmp_path, out="out"):
    (tmp_path / "test.csv").write_text("label\nred fox\nblue jay\nred fox\nred fox\n")
    (tmp_path / "fix.csv").write_text("row,label\n3,blue jay\n")
    args = ["evaluate", str(tmp_path / "preds"), "--labels", str(tmp_path / "test.csv")]
    args += ["--corrections", str(tmp_path / "fix.csv"), "--out", str(tmp_path / out)]
    return CliRunner().invoke(main, args)


def _models(tmp_path, out="out"):
    return sorted(pd.read_csv(tmp_path / out / "table.csv")["model"])


def test_gzip_and_zip_models_are_ranked_as_plain_ones(tmp_path):
    """m2.csv.gz was skipped in silence (its last suffix .gz is no model suffix), so the ranking lacked a model;
    now every model is read, named without its suffixes, and the table is the one plain files give."""
    (tmp_path / "preds").mkdir()
    (tmp_path / "preds" / "m1.csv").write_text(M1)
    (tmp_path / "preds" / "m2.csv.gz").write_bytes(gzip.compress(M2.encode()))
    with zipfile.ZipFile(tmp_path / "preds" / "m3.zip", "w") as archive:
        archive.writestr("m3.csv", M2)
    res = _run(tmp_path)
    assert res.exit_code == 0, res.output
    assert _models(tmp_path) == ["m1", "m2", "m3"]
    compressed = pd.read_csv(tmp_path / "out" / "table.csv").set_index("model")
    for name in ("m2.csv.gz", "m3.zip"):
        (tmp_path / "preds" / name).unlink()
    (tmp_path / "preds" / "m2.csv").write_text(M2)
    (tmp_path / "preds" / "m3.csv").write_text(M2)
    assert _run(tmp_path, "plain").exit_code == 0
    pd.testing.assert_frame_equal(compressed, pd.read_csv(tmp_path / "plain" / "table.csv").set_index("model"))


def test_a_model_in_plain_and_compressed_form_is_named_twice(tmp_path):
    """m1.csv and m1.csv.gz are one model name: refused as two files of one model, not ranked twice."""
    (tmp_path / "preds").mkdir()
    (tmp_path / "preds" / "m1.csv").write_text(M1)
    (tmp_path / "preds" / "m1.csv.gz").write_bytes(gzip.compress(M1.encode()))
    res = _run(tmp_path)
    assert res.exit_code != 0
    assert "'m1' appears twice" in res.output and "m1.csv.gz" in res.output


def test_files_not_read_as_models_are_named(tmp_path):
    """A README and a .txt beside the models are named on the console as not read, not left out in silence."""
    (tmp_path / "preds").mkdir()
    (tmp_path / "preds" / "m1.csv").write_text(M1)
    (tmp_path / "preds" / "m2.csv").write_text(M2)
    (tmp_path / "preds" / "README.md").write_text("# models\n")
    res = _run(tmp_path)
    assert res.exit_code == 0, res.output
    assert "PREDICTIONS: 1 file(s) not read as models: README.md" in res.output
    assert _models(tmp_path) == ["m1", "m2"]


def test_a_compressed_npy_is_refused_naming_the_fix(tmp_path):
    """numpy does not read m2.npy.gz: it is refused naming the file and what to do, not read as a table."""
    (tmp_path / "preds").mkdir()
    (tmp_path / "preds" / "m1.csv").write_text(M1)
    buffer = tmp_path / "m2.npy"
    np.save(buffer, np.array(["red fox", "red fox", "red fox", "blue jay"]))
    (tmp_path / "preds" / "m2.npy.gz").write_bytes(gzip.compress(buffer.read_bytes()))
    res = _run(tmp_path)
    assert res.exit_code != 0
    assert "m2.npy.gz" in res.output and "it is compressed (.gz)" in res.output and "decompress it" in res.output
