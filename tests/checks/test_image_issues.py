"""The image checks in find_data_issues: columns, summary rows, options, default selection."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.checks import CHECKS, find_data_issues
from labelwise.checks.image_issues import NAMES
from labelwise.checks.image_properties import image_properties
from labelwise.errors import InvalidParameterError, ShapeMismatchError

from ._image_data import issue_images

IMAGES = issue_images(24, seed=1)


def test_every_image_check_adds_the_scores_of_image_properties():
    """Each image check's columns are image_properties' score and flag; the duplicate checks add set numbers."""
    found = find_data_issues(images=IMAGES)
    props = image_properties(IMAGES)
    for name, issue in NAMES.items():
        np.testing.assert_array_equal(found.issues[f"is_{name}_issue"], props.flags[f"is_{issue}_issue"])
        np.testing.assert_allclose(found.issues[f"{name}_score"], props.scores[f"{issue}_score"])
    sets = found.issues["image_exact_duplicate_set"].to_numpy()
    assert [list(np.flatnonzero(sets == i)) for i in range(sets.max() + 1)] == props.exact_duplicate_sets
    assert set(found.checks_run) == set(NAMES)


def test_image_checks_are_off_without_images():
    """Without images the default checks do not include (or list) the image checks."""
    rng = np.random.default_rng(0)
    found = find_data_issues(rng.normal(size=(30, 2)), np.repeat([0, 1], 15))
    assert not set(found.summary["check"]) & {*NAMES, "spurious_correlations"}
    assert all(not CHECKS[name].default for name in NAMES)


def test_check_options_set_thresholds_and_the_shared_pass():
    """{'dark': {'threshold': .9}} raises the dark threshold; {'image': {...}} reaches image_properties."""
    options = {"dark": {"threshold": 0.9}, "image": {"block_size": 5, "near_duplicate_distance": 3}}
    found = find_data_issues(images=IMAGES, checks=["dark", "image_near_duplicate"], check_options=options)
    props = image_properties(IMAGES, thresholds={"dark": 0.9}, near_duplicate_distance=3)
    np.testing.assert_array_equal(found.issues["is_dark_issue"], props.flags["is_dark_issue"])
    assert found.info["dark"]["threshold"] == 0.9
    assert found.info["image_near_duplicate"]["sets"] == props.near_duplicate_sets[:20]


def test_an_unknown_image_option_is_refused():
    """check_options['image'] with an unknown key names it and the allowed keys (before any image is read)."""
    with pytest.raises(InvalidParameterError, match=r"check_options\['image'\] has no option 'blocks'.*'block_size'"):
        find_data_issues(images=IMAGES, checks=["dark"], check_options={"image": {"blocks": 4}})


def test_images_of_another_length_than_the_labels_are_refused():
    """One image per row: a shorter list raises ShapeMismatchError naming both sizes."""
    with pytest.raises(ShapeMismatchError, match=r"images must have one entry per row of labels \(30\), got 24"):
        find_data_issues(labels=np.zeros(30), images=IMAGES)


def test_images_with_dask_features_are_refused():
    """Image checks run in memory: dask features with images raise an error saying so."""
    da = pytest.importorskip("dask.array")
    with pytest.raises(InvalidParameterError, match="images are read in memory"):
        find_data_issues(da.zeros((24, 2), chunks=12), images=IMAGES)


def test_images_scored_beforehand_are_used_as_given():
    """check_options['image']['properties']: the checks use those scores (the images are not read again)."""
    props = image_properties(IMAGES)
    unreadable = ["no-such-file.png"] * len(IMAGES)  # would fail if read
    found = find_data_issues(images=unreadable, check_options={"image": {"properties": props}})
    for name, issue in NAMES.items():
        np.testing.assert_array_equal(found.issues[f"is_{name}_issue"], props.flags[f"is_{issue}_issue"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"image": {"properties": "scores"}}, "must be an ImageProperties"),
        ({"image": {"properties": None, "block_size": 4}}, "must be an ImageProperties"),
        ({"image": {"block_size": 4, "properties": "p"}}, "must be an ImageProperties"),
        ({"image": {"properties": image_properties(IMAGES[:5])}}, "must score one image per row (24), got 5"),
        ({"image": {"properties": image_properties(IMAGES), "n_jobs": 2}}, "got also ['n_jobs']"),
        (
            {"image": {"properties": image_properties(IMAGES)}, "dark": {"threshold": 0.9}},
            "got also ['dark threshold']",
        ),
    ],
)
def test_images_scored_beforehand_are_checked(options, message):
    """Scores of another type or length, or with options that would change them, are refused by name."""
    with pytest.raises(InvalidParameterError) as error:
        find_data_issues(images=IMAGES, check_options=options)
    assert message in str(error.value)
