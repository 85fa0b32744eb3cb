"""``labelwise aggregate-masks`` on label maps (K classes) and a new user's mistakes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.aggregate import STAPLE, MaskMajorityVote
from labelwise.cli import main

Image = pytest.importorskip("PIL.Image")

PALETTE = [0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (256 * 3 - 12)


def _maps(folder, suffix=".npy", values=(0, 1, 2, 3), palette=False, n_annotators=4, items=("a", "b")):
    """Noisy label maps of 10x8 images in folder/m/, listed in folder/table.csv."""
    rng = np.random.default_rng(1)
    (folder / "m").mkdir(parents=True, exist_ok=True)
    rows, arrays = [], {}
    for item in items:
        truth = np.zeros((10, 8), dtype=np.uint8)
        truth[1:5, 1:6] = values[1]
        truth[5:9, 2:7] = values[2]
        truth[0, :] = values[-1]
        for j in range(n_annotators):
            m = np.where(rng.random(truth.shape) < 0.85, truth, rng.choice(values, truth.shape)).astype(np.uint8)
            name = f"m/{item}_{j}{suffix}"
            if suffix == ".npy":
                np.save(folder / name, m)
            elif palette:
                im = Image.fromarray(m, mode="P")
                im.putpalette(PALETTE)
                im.save(folder / name)
            else:
                Image.fromarray(m).save(folder / name)
            rows.append((item, f"r{j}", name))
            arrays[item, f"r{j}"] = m
    pd.DataFrame(rows, columns=["item", "annotator", "path"]).to_csv(folder / "table.csv", index=False)
    return folder / "table.csv", arrays


def _run(*args):
    return CliRunner().invoke(main, ["aggregate-masks", *map(str, args)])


def _long(arrays):
    return pd.DataFrame([(i, a, m) for (i, a), m in arrays.items()], columns=["item", "annotator", "mask"])


@pytest.mark.parametrize("method", ["staple", "majority"])
def test_npy_label_maps_give_the_librarys_label_maps(tmp_path, method):
    """.npy maps of classes 0-3 in, .npy maps of the same classes out, equal to the library's fit."""
    table, arrays = _maps(tmp_path)
    res = _run(table, "--out", tmp_path / "o", "--method", method)
    assert res.exit_code == 0, res.output
    model = (STAPLE() if method == "staple" else MaskMajorityVote()).fit(_long(arrays))
    for item in ("a", "b"):
        np.testing.assert_array_equal(np.load(tmp_path / "o" / "masks" / f"{item}.npy"), model.masks_[item])
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["classes"] == [0, 1, 2, 3]
    if method == "staple":
        assert summary["converged"]
        assert {"recall_0", "recall_3"} <= set(pd.read_csv(tmp_path / "o" / "annotators.csv").columns)


def test_palette_pngs_are_written_back_as_palette_pngs_with_the_class_indices(tmp_path):
    """Palette PNG label maps: the consensus keeps the indices and the palette."""
    table, arrays = _maps(tmp_path, suffix=".png", palette=True)
    res = _run(table, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    with Image.open(tmp_path / "o" / "masks" / "a.png") as im:
        assert im.mode == "P" and im.getpalette()[:12] == PALETTE[:12]
        written = np.asarray(im)
    np.testing.assert_array_equal(written, STAPLE().fit(_long(arrays)).masks_["a"])


def test_grey_levels_are_classes_unless_binary_is_given(tmp_path):
    """Grey PNGs of 0/85/170/255: four classes; with --binary, non-zero is foreground (0/255 out)."""
    table, arrays = _maps(tmp_path, suffix=".png", values=(0, 85, 170, 255))
    res = _run(table, "--out", tmp_path / "o")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["classes"] == [0, 85, 170, 255]
    res = _run(table, "--out", tmp_path / "bin", "--binary")
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "bin" / "summary.json").read_text())["classes"] == [0, 1]
    written = np.asarray(Image.open(tmp_path / "bin" / "masks" / "a.png"))
    binary = {k: (v != 0).astype(np.uint8) for k, v in arrays.items()}
    np.testing.assert_array_equal(written == 255, STAPLE().fit(_long(binary)).masks_["a"])
    assert set(np.unique(written)) <= {0, 255}


def test_an_rgb_png_is_refused_naming_the_file_and_its_mode(tmp_path):
    """An RGB mask: the line names TABLE, the file and the mode."""
    table, _ = _maps(tmp_path, suffix=".png")
    Image.fromarray(np.zeros((10, 8, 3), dtype=np.uint8)).save(tmp_path / "m" / "a_1.png")
    res = _run(table, "--out", tmp_path / "o")
    flat = " ".join(res.output.split())
    assert res.exit_code == 2 and "single-channel" in flat and "mode RGB" in flat, res.output
    assert "TABLE line 3 (item 'a', annotator 'r1')" in flat


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_a_missing_file_or_a_folder_as_a_mask_names_the_path(tmp_path, kind):
    """A path in TABLE that is missing or a folder: the line names TABLE and the path."""
    table, _ = _maps(tmp_path)
    (tmp_path / "m" / "a_0.npy").unlink()
    if kind == "folder":
        (tmp_path / "m" / "a_0.npy").mkdir()
    res = _run(table, "--out", tmp_path / "o")
    flat = " ".join(res.output.split())
    assert res.exit_code == 2 and "TABLE line 2 (item 'a', annotator 'r0') must be" in flat and "a_0.npy" in flat, flat
    assert not (tmp_path / "o").exists()


def test_an_item_drawn_by_one_annotator_gets_that_map(tmp_path):
    """One annotator for an item: their map is the consensus, and the run says so."""
    table, arrays = _maps(tmp_path, n_annotators=3, items=("a",))
    frame = pd.read_csv(table)
    extra = tmp_path / "m" / "solo.npy"
    np.save(extra, arrays["a", "r0"])
    frame.loc[len(frame)] = ("solo", "r0", "m/solo.npy")
    frame.to_csv(table, index=False)
    res = _run(table, "--out", tmp_path / "o", "--method", "majority")
    assert res.exit_code == 0, res.output
    np.testing.assert_array_equal(np.load(tmp_path / "o" / "masks" / "solo.npy"), arrays["a", "r0"])
    assert "1 item drawn by one annotator" in " ".join(res.output.split())


def test_a_rerun_needs_force_and_replaces_the_masks(tmp_path):
    """Without --force an existing --out is refused, naming --force; with it the run replaces it."""
    table, _ = _maps(tmp_path)
    assert _run(table, "--out", tmp_path / "o").exit_code == 0
    again = _run(table, "--out", tmp_path / "o")
    assert again.exit_code == 2 and "--force" in again.output, again.output
    forced = _run(table, "--out", tmp_path / "o", "--force", "--method", "majority")
    assert forced.exit_code == 0, forced.output
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["method"] == "majority"


def test_out_in_the_input_folder_keeps_the_inputs(tmp_path):
    """--out is TABLE's own folder: the run writes beside the inputs and leaves them as they were."""
    table, arrays = _maps(tmp_path)
    before = (tmp_path / "m" / "a_0.npy").read_bytes()
    res = _run(table, "--out", tmp_path / "m")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "m" / "a_0.npy").read_bytes() == before
    assert (tmp_path / "m" / "masks" / "a.npy").exists() and (tmp_path / "m" / "summary.json").exists()
    assert table.exists()


def test_a_run_that_did_not_converge_says_how_to_finish(tmp_path):
    """--max-iter 1: the line says the masks are the last step's and names --max-iter."""
    table, _ = _maps(tmp_path)
    res = _run(table, "--out", tmp_path / "o", "--max-iter", "1")
    assert res.exit_code == 0, res.output
    flat = " ".join(res.output.split())
    assert "did not converge in 1 EM steps" in flat and "a larger --max-iter lets it finish" in flat
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["converged"] is False


def test_quiet_still_warns_that_the_run_did_not_converge(tmp_path):
    """--quiet prints only warnings and errors, and an unfinished fit is a warning (on stderr)."""
    table, _ = _maps(tmp_path)
    res = CliRunner().invoke(
        main, ["aggregate-masks", str(table), "--out", str(tmp_path / "o"), "--max-iter", "1", "--quiet"]
    )
    assert res.exit_code == 0, res.output
    assert "wrote" not in res.stdout
    assert "warning:" in res.stderr and "did not converge in 1 EM steps" in " ".join(res.stderr.split())
