"""``labelwise corrupt --noise backdoor``: the rows and pixels ``lw.poison.backdoor`` poisons for the same seed,
written into the image columns; every other cell as it was; bad options named."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.cli import main

PIXELS = [f"pixel_{i}" for i in range(48)]  # 8 x 6 images


def _run(*args):
    result = CliRunner().invoke(main, ["corrupt", *map(str, args)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _fails(*args, match: str) -> None:
    result = CliRunner().invoke(main, ["corrupt", *map(str, args)])
    assert result.exit_code == 2, result.output
    assert match in result.output, result.output
    assert "Traceback" not in result.output


@pytest.fixture()
def images(tmp_path):
    """60 rows: an id, 48 integer pixel columns (8 x 6 images, 0..254), a float column '0.50' and a label."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.integers(0, 255, size=(60, 48)), columns=PIXELS)
    frame.insert(0, "id", [f"img{i:02d}" for i in range(60)])
    frame["weight"] = rng.choice([0.5, 1.25, 2.0], 60)
    frame["y"] = rng.choice(["cat", "dog", "bird"], 60)
    path = tmp_path / "images.csv"
    frame.to_csv(path, index=False, float_format="%.2f")
    return path, frame


def _api(frame, **kwargs):
    X = frame[PIXELS].to_numpy(dtype=np.float64)
    return lw.poison.backdoor(X, frame["y"], 0.25, target="cat", random_state=4, **kwargs)


BASE = ("--label", "y", "--noise", "backdoor", "--target", "cat", "--image-shape", "8,6", "--pixel-prefix", "pixel_")


class TestPoisonEqualsTheApi:
    @pytest.mark.parametrize("suffix", [".csv", ".parquet"])
    def test_pattern_trigger_poisons_the_apis_rows_and_pixels(self, images, tmp_path, suffix):
        """--trigger pattern writes backdoor(X, y, rate, target, 'pattern', image_shape, distance, value)'s X and labels."""
        path, frame = images
        out = tmp_path / f"poisoned{suffix}"
        _run(path, *BASE, "--rate", "0.25", "--trigger-value", "255", "--trigger-distance", "1", "--random-state", 4,
             "--id-column", "id", "--out", out)  # fmt: skip
        expected = _api(frame, trigger="pattern", image_shape=(8, 6), distance=1, pixel_value=255)
        written = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
        np.testing.assert_array_equal(written[PIXELS].to_numpy(dtype=np.float64), expected.X)
        assert written["y"].tolist() == expected.labels.tolist()
        truth = pd.read_csv(out.with_name("poisoned.truth.csv")) if suffix == ".csv" else pd.read_parquet(
            out.with_name("poisoned.truth.parquet"))  # fmt: skip
        assert truth["is_poisoned"].tolist() == expected.is_flipped.tolist()
        assert truth["true_label"].tolist() == frame["y"].tolist() and truth["id"].tolist() == frame["id"].tolist()
        if suffix == ".parquet":  # integer pixel columns stay integers
            assert all(pd.api.types.is_integer_dtype(written[c]) for c in PIXELS)

    def test_pixel_trigger_with_default_distance_and_value(self, images, tmp_path):
        """--trigger pixel with the defaults is backdoor(..., trigger='pixel', distance=2, pixel_value=1)."""
        path, frame = images
        out = tmp_path / "p.csv"
        _run(path, *BASE, "--trigger", "pixel", "--rate", "0.25", "--random-state", 4, "--out", out)
        expected = _api(frame, trigger="pixel", image_shape=(8, 6), distance=2, pixel_value=1)
        np.testing.assert_array_equal(pd.read_csv(out)[PIXELS].to_numpy(dtype=np.float64), expected.X)
        summary = json.loads(out.with_name("p.summary.json").read_text())
        assert summary["stamped_columns"] == ["pixel_40"]  # row 8-2=6, column 6-2=4: 6*6+4
        assert summary["n_poisoned"] == expected.n_flipped == 15

    def test_square_trigger_is_a_mask_and_value_trigger(self, images, tmp_path):
        """--trigger square --trigger-size 2 --trigger-distance 1 is the (mask, value) trigger of the bottom-right 2x2."""
        path, frame = images
        out = tmp_path / "s.csv"
        _run(path, *BASE, "--trigger", "square", "--trigger-size", "2", "--trigger-distance", "1",
             "--trigger-value", "200", "--rate", "0.25", "--random-state", 4, "--out", out)  # fmt: skip
        mask = np.zeros((8, 6), dtype=bool)
        mask[6:, 4:] = True
        expected = _api(frame, trigger=(mask.reshape(-1), 200.0))
        np.testing.assert_array_equal(pd.read_csv(out)[PIXELS].to_numpy(dtype=np.float64), expected.X)
        summary = json.loads(out.with_name("s.summary.json").read_text())
        assert summary["stamped_columns"] == ["pixel_40", "pixel_41", "pixel_46", "pixel_47"]


class TestCells:
    def test_only_stamped_cells_and_poisoned_labels_change(self, images, tmp_path):
        """A CSV copy: every cell but the stamped pixels and the poisoned rows' labels is as written ('0.50' too)."""
        path, frame = images
        out = tmp_path / "poisoned.csv"
        _run(path, *BASE, "--rate", "0.25", "--trigger-value", "255", "--random-state", 4, "--out", out)
        before = pd.read_csv(path, dtype=str, keep_default_na=False)
        after = pd.read_csv(out, dtype=str, keep_default_na=False)
        expected = _api(frame, trigger="pattern", image_shape=(8, 6), distance=2, pixel_value=255)
        stamped = [PIXELS[j] for j in np.flatnonzero(expected.trigger.mask)]
        rows = expected.is_flipped
        differs = before.ne(after)
        assert differs[stamped].to_numpy()[~rows].sum() == 0
        assert differs.drop(columns=[*stamped, "y"]).to_numpy().sum() == 0
        assert (after.loc[rows, stamped] == "255").all().all() and set(after.loc[rows, "y"]) == {"cat"}
        assert before["weight"].str.len().eq(4).all() and after["weight"].tolist() == before["weight"].tolist()
        assert path.read_text().count("\n") == out.read_text().count("\n")

    def test_truth_column_holds_the_true_labels(self, images, tmp_path):
        """--truth-column NAME keeps the true label in the poisoned table (the truth file has it too)."""
        path, frame = images
        out = tmp_path / "poisoned.parquet"
        _run(path, *BASE, "--rate", "0.25", "--truth-column", "y_true", "--out", out)
        written = pd.read_parquet(out)
        assert written["y_true"].tolist() == frame["y"].tolist()
        assert (written["y"] != written["y_true"]).sum() == 15

    @pytest.mark.parametrize("cells", [1, 50, 1000])
    def test_the_block_size_does_not_change_the_bytes(self, images, tmp_path, monkeypatch, cells):
        """A wide table is written in blocks of rows sized by its columns: any block size writes the same bytes."""
        path, _ = images
        _run(path, *BASE, "--rate", "0.25", "--out", tmp_path / "whole.csv")
        monkeypatch.setattr("labelwise.cli._corrupt_files._BLOCK_CELLS", cells)
        _run(path, *BASE, "--rate", "0.25", "--out", tmp_path / "blocks.csv")
        assert (tmp_path / "whole.csv").read_bytes() == (tmp_path / "blocks.csv").read_bytes()

    def test_text_pixel_columns_are_refused(self, images, tmp_path):
        """Without --pixel-prefix every column but the label and the id is a pixel: a text column is named."""
        path, _ = images
        _fails(path, *BASE[:8], "--rate", "0.1", "--out", tmp_path / "o.csv",
               match="the pixel columns (DATA's columns besides --label and --id-column) must be numeric; column 'id'")  # fmt: skip

    def test_quiet_prints_nothing(self, images, tmp_path):
        """--quiet: nothing on the screen, the same files."""
        path, _ = images
        loud = _run(path, *BASE, "--rate", "0.1", "--out", tmp_path / "a.csv")
        quiet = _run(path, *BASE, "--rate", "0.1", "--out", tmp_path / "b.csv", "--quiet")
        assert "rows poisoned by --noise backdoor" in loud.output and quiet.output == ""
        assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


class TestRefusals:
    @pytest.mark.parametrize(
        ("args", "match"),
        [
            (
                [
                    "--label",
                    "y",
                    "--noise",
                    "backdoor",
                    "--image-shape",
                    "8,6",
                    "--pixel-prefix",
                    "pixel_",
                    "--rate",
                    "0.1",
                ],
                "--target is required with --noise backdoor",
            ),  # fmt: skip
            ([*BASE[:4], "--pixel-prefix", "pixel_", "--rate", "0.1"], "--image-shape is required"),
            ([*BASE[:4], "--image-shape", "8;6", "--rate", "0.1"], "--image-shape must be H,W or H,W,C"),
            (
                [*BASE[:4], "--image-shape", "7,7", "--pixel-prefix", "pixel_", "--rate", "0.1"],
                "--image-shape 7,7 has 49 entries but there are 48 pixel columns",
            ),  # fmt: skip
            ([*BASE[:4], "--image-shape", "8,6", "--rate", "0.1"], "48 entries but there are 49 pixel columns"),
            ([*BASE[:4], "--image-shape", "8,6", "--pixel-prefix", "px", "--rate", "0.1"], "--pixel-prefix 'px'"),
            ([*BASE, "--rate", "0.1", "--trigger-size", "2"], "--trigger-size is for --trigger square only"),
            (
                [*BASE, "--rate", "0.1", "--trigger", "square", "--trigger-size", "6", "--trigger-distance", "2"],
                "--trigger-size 6 with --trigger-distance 2 must fit",
            ),  # fmt: skip
            (
                [*BASE, "--rate", "0.1", "--trigger-distance", "7"],
                "--trigger-distance must be between 1 and 4 for the 'pattern' trigger on 8x6 images (from --image-shape)",
            ),
            ([*BASE[:5], "cow", *BASE[6:], "--rate", "0.1"], "--target must be one of the classes"),
            ([*BASE, "--rate", "0.9"], "--rate must be at most the"),
            ([*BASE, "--rate", "0.1", "--trigger-value", "inf"], "--trigger-value must be a finite number"),
            (["--label", "y", "--rate", "0.1", "--image-shape", "8,6"], "--image-shape is for --noise backdoor only"),
        ],
    )
    def test_bad_options_name_the_option_and_write_nothing(self, images, tmp_path, args, match):
        """Each refusal names its option in one line; nothing is written."""
        path, _ = images
        out = tmp_path / "poisoned.csv"
        _fails(path, *args, "--id-column", "id", "--out", out, match=match)
        assert not out.exists() and not (tmp_path / "poisoned.truth.csv").exists()

    def test_existing_outputs_need_force(self, images, tmp_path):
        """An existing --out is kept without --force, replaced with it."""
        path, _ = images
        out = tmp_path / "poisoned.csv"
        out.write_text("mine\n")
        _fails(path, *BASE, "--rate", "0.1", "--out", out, match="pass --force")
        assert out.read_text() == "mine\n"
        _run(path, *BASE, "--rate", "0.1", "--out", out, "--force")
        assert out.read_text() != "mine\n"


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    rate=st.sampled_from(["0", "0.1", "0.3"]),
    trigger=st.sampled_from(["pattern", "pixel", "square"]),
    distance=st.integers(1, 2),
    floats=st.booleans(),
)
def test_any_seed_and_trigger_poisons_what_the_api_poisons(seed, rate, trigger, distance, floats):
    """For any seed, rate, trigger and distance, the CSV copy's pixels and labels are backdoor's; other cells kept."""
    rng = np.random.default_rng(seed % 1000)
    values = rng.integers(0, 9, size=(24, 25)) / (4 if floats else 1)
    frame = pd.DataFrame(values, columns=[f"p{i}" for i in range(25)])
    frame["y"] = np.array(["a", "b", "c"])[np.arange(24) % 3]
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "d.csv", Path(tmp) / "o.csv"
        frame.to_csv(path, index=False)
        _run(path, "--label", "y", "--noise", "backdoor", "--target", "b", "--image-shape", "5x5", "--trigger",
             trigger, "--trigger-distance", distance, "--trigger-value", "7", "--rate", rate, "--random-state",
             seed, "--out", out)  # fmt: skip
        X = frame.iloc[:, :25].to_numpy(dtype=np.float64)
        if trigger == "square":
            mask = np.zeros((5, 5), dtype=bool)
            mask[5 - distance - 2 : 5 - distance + 1, 5 - distance - 2 : 5 - distance + 1] = True
            kwargs: dict = {"trigger": (mask.reshape(-1), 7.0)}
        else:
            kwargs = {"trigger": trigger, "image_shape": (5, 5), "distance": distance, "pixel_value": 7}
        expected = lw.poison.backdoor(X, frame["y"], float(rate), target="b", random_state=seed, **kwargs)
        written = pd.read_csv(out)
        np.testing.assert_array_equal(written.iloc[:, :25].to_numpy(dtype=np.float64), expected.X)
        assert written["y"].tolist() == expected.labels.tolist()
        before, after = path.read_text().splitlines(), out.read_text().splitlines()
        assert [b != a for b, a in zip(before[1:], after[1:], strict=True)] == expected.is_flipped.tolist()
