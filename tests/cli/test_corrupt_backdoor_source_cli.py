"""``labelwise corrupt --noise backdoor --source CLASS``: only rows of the source classes are poisoned, the rows
and pixels ``lw.poison.backdoor(..., source=...)`` poisons for the same seed; the sources in the truth file and
summary.json; unknown or target classes refused by name."""

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

PIXELS = [f"px{i}" for i in range(20)]  # 5 x 4 images
CLASSES = ["bird", "cat", "dog", "fox"]
BASE = ("--label", "y", "--noise", "backdoor", "--target", "cat", "--image-shape", "5,4", "--pixel-prefix", "px")


def _run(*args):
    result = CliRunner().invoke(main, ["corrupt", *map(str, args)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _fails(*args, match: str) -> None:
    result = CliRunner().invoke(main, ["corrupt", *map(str, args)])
    assert result.exit_code == 2, result.output
    assert match in result.output, result.output
    assert "Traceback" not in result.output


def _frame(seed: int = 3, labels=CLASSES) -> pd.DataFrame:
    """80 rows of 5 x 4 integer images and a label of four classes."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.integers(0, 200, size=(80, 20)), columns=PIXELS)
    frame.insert(0, "id", [f"r{i:02d}" for i in range(80)])
    frame["y"] = rng.choice(labels, 80)
    return frame


@pytest.fixture()
def images(tmp_path):
    frame = _frame()
    path = tmp_path / "images.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _api(frame, source, rate=0.2, seed=5, target="cat", **kwargs):
    X = frame[PIXELS].to_numpy(dtype=np.float64)
    kwargs = {"trigger": "pattern", "image_shape": (5, 4), "distance": 2, "pixel_value": 1.0, **kwargs}
    return lw.poison.backdoor(X, frame["y"], rate, target=target, source=source, random_state=seed, **kwargs)


class TestSourceEqualsTheApi:
    @pytest.mark.parametrize("suffix", [".csv", ".parquet"])
    def test_one_source_poisons_the_apis_rows_and_pixels(self, images, tmp_path, suffix):
        """--source dog writes backdoor(X, y, rate, target='cat', source='dog')'s X and labels: dog rows only."""
        path, frame = images
        out = tmp_path / f"p{suffix}"
        _run(path, *BASE, "--source", "dog", "--rate", "0.2", "--random-state", 5, "--id-column", "id", "--out", out)
        expected = _api(frame, "dog")
        written = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
        np.testing.assert_array_equal(written[PIXELS].to_numpy(dtype=np.float64), expected.X)
        assert written["y"].tolist() == expected.labels.tolist()
        assert set(frame.loc[expected.is_flipped, "y"]) == {"dog"} and expected.n_flipped == 16

    def test_repeated_source_is_the_apis_list_of_sources(self, images, tmp_path):
        """--source fox --source bird (either order, repeats dropped) poisons what source=['bird', 'fox'] does."""
        path, frame = images
        _run(path, *BASE, "--source", "fox", "--source", "bird", "--source", "fox", "--rate", "0.2",
             "--random-state", 5, "--out", tmp_path / "a.csv")  # fmt: skip
        _run(path, *BASE, "--source", "bird", "--source", "fox", "--rate", "0.2", "--random-state", 5,
             "--out", tmp_path / "b.csv")  # fmt: skip
        expected = _api(frame, ["bird", "fox"])
        assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
        assert pd.read_csv(tmp_path / "a.csv")["y"].tolist() == expected.labels.tolist()
        assert set(frame.loc[expected.is_flipped, "y"]) == {"bird", "fox"}

    def test_every_class_but_the_target_is_the_default(self, images, tmp_path):
        """--source bird --source dog --source fox writes the same bytes as no --source."""
        path, _ = images
        _run(path, *BASE, "--rate", "0.2", "--out", tmp_path / "a.csv")
        _run(path, *BASE, *(x for c in ("bird", "dog", "fox") for x in ("--source", c)), "--rate", "0.2",
             "--out", tmp_path / "b.csv")  # fmt: skip
        for name in ("a.csv", "a.truth.csv"):
            assert (tmp_path / name).read_bytes() == (tmp_path / name.replace("a", "b", 1)).read_bytes()

    def test_integer_classes_are_read_as_integers(self, tmp_path):
        """A column of integer classes: --source 2 is the class written 2, as --target 1 is the class written 1."""
        frame = _frame(labels=[0, 1, 2, 3])
        path = tmp_path / "ints.csv"
        frame.to_csv(path, index=False)
        out = tmp_path / "p.csv"
        _run(path, *BASE[:5], "1", *BASE[6:], "--source", "2", "--rate", "0.1", "--random-state", 5, "--out", out)
        expected = _api(frame, 2, rate=0.1, target=1)
        assert pd.read_csv(out)["y"].tolist() == expected.labels.tolist()
        assert set(frame.loc[expected.is_flipped, "y"]) == {2}
        assert json.loads((tmp_path / "p.summary.json").read_text())["source"] == ["2"]  # the label column as written


class TestSourceRecorded:
    def test_truth_file_marks_the_source_rows(self, images, tmp_path):
        """The truth file's is_source is True on the rows of a source class; every poisoned row is one."""
        path, frame = images
        out = tmp_path / "p.csv"
        _run(path, *BASE, "--source", "dog", "--source", "fox", "--rate", "0.2", "--id-column", "id", "--out", out)
        truth = pd.read_csv(tmp_path / "p.truth.csv")
        assert truth["is_source"].tolist() == frame["y"].isin(["dog", "fox"]).tolist()
        assert not (truth["is_poisoned"] & ~truth["is_source"]).any()

    def test_truth_file_without_source_marks_every_other_class(self, images, tmp_path):
        """No --source: is_source is True on every row not of --target (a Parquet truth file: booleans)."""
        path, frame = images
        _run(path, *BASE, "--rate", "0.2", "--out", tmp_path / "p.parquet")
        truth = pd.read_parquet(tmp_path / "p.truth.parquet")
        assert truth["is_source"].tolist() == (frame["y"] != "cat").tolist()

    def test_summary_names_the_sources_and_their_rows(self, images, tmp_path):
        """summary.json: source (sorted classes), candidates (their rows) and is_source per class."""
        path, frame = images
        _run(path, *BASE, "--source", "fox", "--source", "dog", "--rate", "0.2", "--out", tmp_path / "p.csv")
        summary = json.loads((tmp_path / "p.summary.json").read_text())
        assert summary["source"] == ["dog", "fox"]
        assert summary["candidates"] == int(frame["y"].isin(["dog", "fox"]).sum())
        flags = {row["class"]: row["is_source"] for row in summary["per_class"]}
        assert flags == {"bird": False, "cat": False, "dog": True, "fox": True}
        poisoned = {row["class"]: row["n_poisoned"] for row in summary["per_class"]}
        assert poisoned["bird"] == poisoned["cat"] == 0 and poisoned["dog"] + poisoned["fox"] == 16


class TestSourceRefusals:
    @pytest.mark.parametrize(
        ("args", "match"),
        [
            (
                ["--source", "cow"],
                "--source must be one of the classes of --label column 'y' ['bird', 'cat', 'dog', 'fox'], got 'cow'",
            ),
            (["--source", "dog", "--source", "cat"], "--source must not contain the target class 'cat'"),
            (["--source", "dog", "--rate", "0.5"], "--rate must be at most the"),
        ],
    )
    def test_bad_sources_are_named_and_nothing_is_written(self, images, tmp_path, args, match):
        """An unknown class, the target itself, or more rows than the sources hold: the option named, no file."""
        path, _ = images
        rate = [] if "--rate" in args else ["--rate", "0.1"]
        out = tmp_path / "p.csv"
        _fails(path, *BASE, *args, *rate, "--out", out, match=match)
        assert not out.exists() and not (tmp_path / "p.truth.csv").exists()

    def test_source_needs_the_backdoor(self, images, tmp_path):
        """--source with another --noise is refused before DATA is read."""
        path, _ = images
        _fails(path, "--label", "y", "--rate", "0.1", "--source", "dog", "--out", tmp_path / "p.csv",
               match="--source is for --noise backdoor only, got --noise symmetric")  # fmt: skip


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    rate=st.sampled_from([0.05, 0.1, 0.15]),
    sources=st.sets(st.sampled_from(["bird", "dog", "fox"]), min_size=1),
    trigger=st.sampled_from(["pattern", "pixel"]),
)
def test_any_seed_and_sources_poison_what_the_api_poisons(seed, rate, sources, trigger):
    """For any seed, rate, trigger and non-empty set of source classes: the API's rows, pixels and labels."""
    frame = _frame(seed=seed % 7)
    with tempfile.TemporaryDirectory() as folder:
        path, out = Path(folder) / "d.csv", Path(folder) / "p.csv"
        frame.to_csv(path, index=False)
        n_rows = int(frame["y"].isin(sources).sum())
        if round(rate * 80) > n_rows:
            return
        args = [x for s in sorted(sources) for x in ("--source", s)]
        _run(path, *BASE, *args, "--trigger", trigger, "--rate", rate, "--random-state", seed, "--out", out)
        expected = _api(frame, sorted(sources), rate=rate, seed=seed, trigger=trigger)
        written = pd.read_csv(out)
        np.testing.assert_array_equal(written[PIXELS].to_numpy(dtype=np.float64), expected.X)
        assert written["y"].tolist() == expected.labels.tolist()
        truth = pd.read_csv(Path(folder) / "p.truth.csv")
        assert truth["is_poisoned"].tolist() == expected.is_flipped.tolist()
