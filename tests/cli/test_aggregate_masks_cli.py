"""``labelwise aggregate-masks``: masks written as read, relative paths, missing annotators, refusals."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import STAPLE
from labelwise.cli import main

Image = pytest.importorskip("PIL.Image")


def _crowd(folder, suffix=".png", foreground=255, drop=()):
    """Four annotators' masks of two 12x10 images in folder/m/, listed with paths relative to folder."""
    rng = np.random.default_rng(0)
    (folder / "m").mkdir(parents=True)
    rows, arrays = [], {}
    for item in ("cat 1", "dog/2"):
        truth = np.zeros((12, 10), dtype=np.uint8)
        truth[3:9, 2:7] = 1
        for a in "abcd":
            if (item, a) in drop:
                continue
            mask = truth ^ (rng.random(truth.shape) < 0.05)
            name = f"m/{item.replace('/', '-')}_{a}{suffix}"
            if suffix == ".png":
                Image.fromarray(mask * foreground).save(folder / name)
            else:
                np.save(folder / name, mask)
            rows.append((item, a, name))
            arrays[item, a] = mask
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(folder / "table.csv", index=False)
    return folder / "table.csv", arrays


def _run(*args):
    return CliRunner().invoke(main, ["aggregate-masks", *map(str, args)])


def test_png_masks_are_written_as_png_with_the_inputs_foreground_value(tmp_path):
    """0/255 PNG masks in, 0/255 PNG consensus masks out, equal to the library's STAPLE on the same masks."""
    table, arrays = _crowd(tmp_path)
    res = _run(table, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    items = pd.read_csv(tmp_path / "o" / "items.csv")
    assert items["mask"].tolist() == ["masks/cat_1.png", "masks/dog_2.png"]
    written = np.asarray(Image.open(tmp_path / "o" / "masks" / "cat_1.png"))
    assert set(np.unique(written)) <= {0, 255}
    long = pd.DataFrame([(i, a, m) for (i, a), m in arrays.items()], columns=["item", "annotator", "mask"])
    expected = STAPLE().fit(long).masks_["cat 1"]
    np.testing.assert_array_equal(written == 255, expected)
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["method"] == "staple" and summary["n_masks"] == 8


def test_npy_masks_with_a_missing_annotator_are_written_as_npy(tmp_path):
    """An annotator who skipped an image is missing there: the item lists 3 annotators, annotators.csv counts 1 item."""
    table, _ = _crowd(tmp_path, suffix=".npy", drop={("dog/2", "d")})
    res = _run(table, "--out", tmp_path / "o", "--method", "majority")
    assert res.exit_code == 0, res.output
    items = pd.read_csv(tmp_path / "o" / "items.csv").set_index("item")
    assert items.loc["dog/2", "n_annotators"] == 3
    assert pd.read_csv(tmp_path / "o" / "annotators.csv").set_index("annotator").loc["d", "n_items"] == 1
    assert np.load(tmp_path / "o" / "masks" / "dog_2.npy").dtype == bool


def test_masks_of_different_sizes_for_one_item_are_refused_naming_the_item(tmp_path):
    """One annotator's mask of another size: exit 2, the line names the item, nothing is written."""
    table, _ = _crowd(tmp_path, suffix=".npy")
    np.save(tmp_path / "m" / "cat 1_b.npy", np.zeros((5, 5), dtype=np.uint8))
    res = _run(table, "--out", tmp_path / "o")
    assert res.exit_code == 2 and "item 'cat 1'" in res.output and "(5, 5)" in res.output, res.output
    assert not (tmp_path / "o").exists()


def test_mixed_npy_and_png_masks_are_refused(tmp_path):
    """One table, one format (the output is written in it)."""
    table, _ = _crowd(tmp_path, suffix=".npy")
    frame = pd.read_csv(table)
    Image.fromarray(np.zeros((12, 10), dtype=np.uint8)).save(tmp_path / "m" / "x.png")
    frame.loc[0, "path"] = "m/x.png"
    frame.to_csv(table, index=False)
    res = _run(table, "--out", tmp_path / "o")
    assert res.exit_code == 2 and ".npy" in res.output and ".png" in res.output, res.output


def test_an_input_mask_inside_the_output_masks_folder_is_refused_even_with_force(tmp_path):
    """Masks read from out/masks/ would be replaced by the run's: refused, the files left as they were."""
    table, _ = _crowd(tmp_path / "o", suffix=".npy")
    (tmp_path / "o" / "m").rename(tmp_path / "o" / "masks")
    frame = pd.read_csv(table)
    frame["path"] = frame["path"].str.replace("m/", "masks/")
    frame.to_csv(table, index=False)
    before = sorted(p.name for p in (tmp_path / "o" / "masks").iterdir())
    assert _run(table, "--out", tmp_path / "o").exit_code == 2  # a folder named masks/: refused without --force
    res = _run(table, "--out", tmp_path / "o", "--force")
    assert res.exit_code == 2 and "holds its input mask" in " ".join(res.output.split()), res.output
    assert sorted(p.name for p in (tmp_path / "o" / "masks").iterdir()) == before


def test_force_replaces_the_earlier_masks_and_removes_those_not_written_again(tmp_path):
    """A second run with --force rewrites masks/ and removes an earlier run's mask of an item now absent."""
    table, _ = _crowd(tmp_path, suffix=".npy")
    assert _run(table, "--out", tmp_path / "o").exit_code == 0
    frame = pd.read_csv(table)
    frame[frame["item"] == "cat 1"].to_csv(table, index=False)
    res = _run(table, "--out", tmp_path / "o", "--force")
    assert res.exit_code == 0, res.output
    assert [p.name for p in (tmp_path / "o" / "masks").iterdir()] == ["cat_1.npy"]


def test_staple_options_with_majority_are_refused(tmp_path):
    """--pool is STAPLE's: with --method majority it is named."""
    table, _ = _crowd(tmp_path, suffix=".npy")
    res = _run(table, "--out", tmp_path / "o", "--method", "majority", "--pool", "item")
    assert res.exit_code == 2 and "--pool" in res.output, res.output


def test_a_fractional_mask_value_names_the_table(tmp_path):
    """A .npy mask holding 0.5: the line names TABLE's masks, the item and the annotator."""
    table, _ = _crowd(tmp_path, suffix=".npy")
    np.save(tmp_path / "m" / "cat 1_c.npy", np.full((12, 10), 0.5))
    res = _run(table, "--out", tmp_path / "o")
    assert res.exit_code == 2 and "TABLE's masks must hold whole-number class labels" in res.output, res.output
    assert "annotator 'c'" in " ".join(res.output.split())


def test_other_column_names_are_read_with_the_column_options(tmp_path):
    """--item-column, --annotator-column and --path-column read a table with other column names, as
    every other aggregate-* command names its columns: the same masks as with the default names."""
    table, _ = _crowd(tmp_path, suffix=".npy")
    renamed = tmp_path / "renamed.csv"
    pd.read_csv(table).rename(columns={"item": "image", "annotator": "rater", "path": "file"}).to_csv(
        renamed, index=False
    )
    plain = _run(table, "--out", tmp_path / "a")
    assert plain.exit_code == 0, plain.output
    options = ("--item-column", "image", "--annotator-column", "rater", "--path-column", "file")
    res = _run(renamed, *options, "--out", tmp_path / "b")
    assert res.exit_code == 0, res.output
    for name in ("cat_1.npy", "dog_2.npy"):
        np.testing.assert_array_equal(
            np.load(tmp_path / "b" / "masks" / name), np.load(tmp_path / "a" / "masks" / name)
        )
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["columns"] == {"item": "image", "annotator": "rater", "path": "file"}


def test_a_column_option_naming_no_column_is_said_with_the_option(tmp_path):
    """A table without the default columns: the error names each missing option and column."""
    table, _ = _crowd(tmp_path, suffix=".npy")
    res = _run(table, "--path-column", "file", "--out", tmp_path / "o")
    assert res.exit_code != 0
    assert "TABLE must have the columns --path-column 'file'; its columns are ['item', 'annotator', 'path']" in (
        " ".join(res.output.split())
    )


@pytest.mark.parametrize(
    ("cell", "said"),
    [("", "must have no empty cells, got one on line 5"), ("nope.npy", "TABLE line 5 (item 'c', annotator 'b')")],
)
def test_a_bad_row_after_blank_lines_is_named_by_its_line(tmp_path, cell, said):
    """An empty path cell or a missing file on the third row, after two blank lines: line 5, not line 3."""
    np.save(tmp_path / "a.npy", np.eye(3, dtype=np.uint8))
    table = tmp_path / "table.csv"
    table.write_text(f"item,annotator,path\n\nc,a,a.npy\n\nc,b,{cell}\n")
    res = _run(table, "--out", tmp_path / "o")
    assert res.exit_code == 2 and said in res.output, res.output


def test_a_missing_file_of_a_json_lines_table_is_named_by_its_line(tmp_path):
    """JSON Lines has no header: the second record is line 2 (main said line 3)."""
    np.save(tmp_path / "a.npy", np.eye(3, dtype=np.uint8))
    table = tmp_path / "table.jsonl"
    rows = [{"item": "c", "annotator": "a", "path": "a.npy"}, {"item": "c", "annotator": "b", "path": "nope.npy"}]
    table.write_text("".join(json.dumps(r) + "\n" for r in rows))
    res = _run(table, "--out", tmp_path / "o")
    assert res.exit_code == 2 and "TABLE line 2 (item 'c', annotator 'b')" in res.output, res.output
