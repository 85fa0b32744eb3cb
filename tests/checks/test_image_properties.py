"""image_properties: scores, flags and duplicate sets equal to cleanvision's; modes; bad input."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter, ImageStat

from labelwise.checks._image_scores import edges
from labelwise.checks.image_properties import ISSUES, image_properties
from labelwise.errors import DataFileError, InvalidParameterError, ShapeMismatchError

from ._image_data import issue_images, save

#: cleanvision's names of the issues (its duplicate issues are plural).
CLEANVISION = {issue: issue + "s" if issue.endswith("duplicate") else issue for issue in ISSUES}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("images")
    return save(issue_images(48), path)


class TestCleanvisionPeer:
    @pytest.fixture(scope="class")
    @classmethod
    def both(cls, folder):
        cleanvision = pytest.importorskip("cleanvision")
        lab = cleanvision.Imagelab(filepaths=folder)
        lab.find_issues(n_jobs=1, verbose=False)
        return image_properties(folder), lab

    @pytest.mark.parametrize("issue", ISSUES)
    def test_score_and_flag_equal_cleanvision(self, both, issue):
        """Each issue's score equals cleanvision 0.3.7's to 1e-9 and its flag is the same, image by image."""
        mine, lab = both
        theirs = CLEANVISION[issue]
        np.testing.assert_allclose(mine.scores[f"{issue}_score"], lab.issues[f"{theirs}_score"], atol=1e-9)
        np.testing.assert_array_equal(mine.flags[f"is_{issue}_issue"], lab.issues[f"is_{theirs}_issue"])

    def test_every_issue_is_present_in_the_generated_images(self, both):
        """The comparison is not vacuous: every issue type flags at least one generated image."""
        mine, _ = both
        assert all(mine.flags[f"is_{issue}_issue"].any() for issue in ISSUES)

    @pytest.mark.parametrize("issue", ["exact_duplicate", "near_duplicate"])
    def test_duplicate_sets_equal_cleanvision(self, both, folder, issue):
        """The duplicate sets name the same images as cleanvision's sets."""
        mine, lab = both
        theirs = lab.info[CLEANVISION[issue]]["sets"]
        rows = {path: i for i, path in enumerate(folder)}
        got = mine.exact_duplicate_sets if issue == "exact_duplicate" else mine.near_duplicate_sets
        assert sorted(got) == sorted(sorted(rows[p] for p in s) for s in theirs)


class TestInputs:
    def test_paths_and_arrays_give_the_same_scores(self, folder):
        """The PNG files and their pixel arrays score the same."""
        arrays = [np.asarray(Image.open(p)) for p in folder]
        a, b = image_properties(folder), image_properties(arrays)
        np.testing.assert_array_equal(a.scores.to_numpy(), b.scores.to_numpy())

    def test_relative_paths_are_taken_from_root(self, folder):
        """root= resolves relative paths."""
        from pathlib import Path

        names = [Path(p).name for p in folder[:4]]
        a = image_properties(names, root=Path(folder[0]).parent)
        np.testing.assert_array_equal(a.scores.to_numpy(), image_properties(folder[:4]).scores.to_numpy())

    @pytest.mark.parametrize(
        ("mode", "expected"),
        [("P", "RGB"), ("LA", "L"), ("1", "L"), ("I;16", "L"), ("CMYK", "RGB")],
    )
    def test_other_modes_score_as_their_documented_conversion(self, tmp_path, mode, expected):
        """P through its palette, LA and 1 as grey, 16-bit divided by 257, CMYK as RGB."""
        rng = np.random.default_rng(1)
        rgb = Image.fromarray(rng.integers(0, 256, (20, 30, 3)).astype(np.uint8))
        if mode == "I;16":
            values = rng.integers(0, 65536, (20, 30)).astype(np.uint16)
            image, reference = Image.fromarray(values), np.rint(values / 257).astype(np.uint8)
        else:
            image = rgb.convert(mode)
            reference = np.asarray(image.convert(expected))
        path = tmp_path / ("x.tif" if mode in ("I;16", "CMYK") else "x.png")
        image.save(path)
        got = image_properties([str(path)]).measures.to_numpy()
        np.testing.assert_allclose(got, image_properties([reference]).measures.to_numpy())

    def test_edges_equal_pillow_find_edges_on_any_size(self):
        """The numpy edge image equals Pillow's FIND_EDGES, borders and images under 3 pixels included."""
        rng = np.random.default_rng(2)
        for h, w in [(1, 1), (2, 5), (3, 3), (7, 4), (17, 23)]:
            grey = rng.integers(0, 256, (h, w)).astype(np.uint8)
            theirs = np.asarray(Image.fromarray(grey).filter(ImageFilter.FIND_EDGES))
            np.testing.assert_array_equal(edges(grey), theirs)
            assert np.isclose(edges(grey).var(), ImageStat.Stat(Image.fromarray(theirs)).var[0])

    def test_a_missing_file_names_the_row_and_the_path(self, folder, tmp_path):
        """A path that does not exist: a one-line DataFileError with the row and the path."""
        paths = [*folder[:3], str(tmp_path / "gone.png")]
        with pytest.raises(DataFileError, match=r"images\[3\].*gone\.png"):
            image_properties(paths)

    def test_a_file_that_is_not_an_image_names_the_row(self, folder, tmp_path):
        """A text file: DataFileError naming the row and the path."""
        bad = tmp_path / "notes.png"
        bad.write_text("not an image")
        with pytest.raises(DataFileError, match=r"images\[1\]: cannot read .*notes\.png' as an image"):
            image_properties([folder[0], str(bad)])

    def test_unreadable_flag_leaves_the_row_unscored_and_lists_it(self, folder, tmp_path):
        """unreadable='flag': NaN scores, no flag, the reason kept; the other rows as without it."""
        paths = [*folder[:5], str(tmp_path / "gone.png")]
        found = image_properties(paths, unreadable="flag")
        assert list(found.unreadable) == [5] and "gone.png" in found.unreadable[5]
        assert found.scores.iloc[5].isna().all() and not found.flags.iloc[5].any()
        assert not found.to_frame()["readable"].iloc[5]

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"images": [np.zeros((4, 4))]}, InvalidParameterError, r"images\[0\] must be integer pixels.*float64"),
            (
                {"images": [np.zeros((4, 4, 5), np.uint8)]},
                ShapeMismatchError,
                r"images\[0\] must be pixels.*\(4, 4, 5\)",
            ),
            ({"images": [np.full((4, 4), 300)]}, InvalidParameterError, r"values 0\.\.255.*300"),
            ({"images": np.zeros((4, 4), np.uint8)}, ShapeMismatchError, r"shape \(n, h, w\).*\(4, 4\)"),
            ({"images": "a.png"}, InvalidParameterError, "single path"),
            ({"block_size": 0}, InvalidParameterError, "block_size"),
            ({"unreadable": "skip"}, InvalidParameterError, "unreadable"),
            ({"thresholds": {"dim": 0.1}}, InvalidParameterError, r"thresholds must be a dict with keys.*dim"),
            ({"thresholds": {"dark": 2}}, InvalidParameterError, r"thresholds\['dark'\] must be a number in \[0, 1\]"),
            ({"near_duplicate_distance": 65}, InvalidParameterError, "near_duplicate_distance must be an integer"),
            ({"iqr_factor": -1}, InvalidParameterError, "iqr_factor"),
        ],
    )
    def test_bad_input_names_the_parameter(self, kwargs, error, match):
        """Each bad input raises a labelwise error naming the parameter and what was given."""
        kwargs = {"images": [np.zeros((4, 4), np.uint8)], **kwargs}
        with pytest.raises(error, match=match):
            image_properties(**kwargs)


class TestDuplicates:
    def test_near_duplicate_distance_joins_resized_copies(self):
        """A slightly resized copy differs in a few hash bits: joined within 6 bits, not at 0."""
        rng = np.random.default_rng(3)
        base = np.asarray(
            Image.fromarray(rng.integers(0, 256, (64, 64, 3)).astype(np.uint8)).filter(ImageFilter.GaussianBlur(2))
        )
        copy = np.asarray(Image.fromarray(base).resize((60, 66)))
        other = rng.integers(0, 256, (64, 64, 3)).astype(np.uint8)
        found = image_properties([base, other, copy], near_duplicate_distance=6)
        assert found.near_duplicate_sets == [[0, 2]]
        assert found.scores["near_duplicate_score"].tolist() == [0.5, 1.0, 0.5]

    def test_same_bytes_in_another_shape_are_not_exact_duplicates(self):
        """The exact key includes the shape (cleanvision hashes the bytes alone)."""
        a = np.arange(24, dtype=np.uint8).reshape(4, 6)
        found = image_properties([a, a.reshape(6, 4), a.copy()])
        assert found.exact_duplicate_sets == [[0, 2]]

    def test_thresholds_override_the_defaults(self):
        """thresholds={'dark': 0.9} flags a mid-grey image that the default 0.32 does not."""
        grey = np.full((8, 8), 150, np.uint8)
        assert not image_properties([grey]).flags["is_dark_issue"].iloc[0]
        assert image_properties([grey], thresholds={"dark": 0.9}).flags["is_dark_issue"].iloc[0]


def test_verbose_reaches_a_progress_bar_over_the_blocks(monkeypatch):
    """verbose is passed to the progress bar over the blocks read (described by the number of images)."""
    import sys

    module = sys.modules["labelwise.checks.image_properties"]  # the name is also the function's
    calls = []

    def recording(iterable, *, total, description, verbose):
        calls.append((total, description, verbose))
        return iter(iterable)

    monkeypatch.setattr(module, "track", recording)
    image_properties(issue_images(12, seed=4), block_size=5, verbose=False)
    assert calls == [(3, "reading 12 images", False)]
