"""Attack results keep the input's kind and pandas index (as lw.noise.flip_labels does); a detection's
table is indexed by the input's index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_moons

import labelwise as lw
from labelwise.poison import ATTACKS


@pytest.fixture(scope="module")
def indexed_moons():
    """80 moons as a DataFrame indexed 1000..1079 and a named Series of text labels with the same index."""
    X, y = make_moons(80, noise=0.2, random_state=0)
    index = pd.Index(np.arange(1000, 1080), name="sample")
    frame = pd.DataFrame(X, columns=["a", "b"], index=index)
    labels = pd.Series(np.where(y == 1, "pos", "neg"), index=index, name="cls")
    return frame, labels


@pytest.mark.parametrize("name", sorted(ATTACKS))
class TestAttackKeepsIndex:
    def test_series_labels_come_back_as_series_with_their_index(self, indexed_moons, name):
        """labels and true_labels are Series with the input's index and name; to_frame is indexed by it."""
        X, y = indexed_moons
        out = ATTACKS[name](X, y, 0.1, random_state=0)
        for values in (out.labels, out.true_labels):
            assert isinstance(values, pd.Series)
            pd.testing.assert_index_equal(values.index, y.index)
            assert values.name == "cls"
        pd.testing.assert_series_equal(out.true_labels, y)
        assert (out.labels != y).sum() == out.n_flipped == 8
        frame = out.to_frame()
        pd.testing.assert_index_equal(frame.index, y.index)
        flipped_ids = frame.index[frame["is_flipped"]]
        assert list(flipped_ids) == list(y.index[out.flipped_indices])

    def test_array_labels_take_the_frames_index_in_to_frame(self, indexed_moons, name):
        """Labels as an array stay an array; to_frame takes X's DataFrame index."""
        X, y = indexed_moons
        out = ATTACKS[name](X, y.to_numpy(), 0.1, random_state=0)
        assert isinstance(out.labels, np.ndarray)
        pd.testing.assert_index_equal(out.to_frame().index, X.index)

    def test_plain_arrays_give_row_numbers(self, indexed_moons, name):
        """Arrays in, arrays out; to_frame has row numbers."""
        X, y = indexed_moons
        out = ATTACKS[name](X.to_numpy(), y.to_numpy(), 0.1, random_state=0)
        assert isinstance(out.labels, np.ndarray) and out.index is None
        assert list(out.to_frame().index) == list(range(80))


def test_attack_on_series_flips_the_same_rows_as_on_arrays(indexed_moons):
    """The index changes what comes back, not which rows flip."""
    X, y = indexed_moons
    a = lw.poison.alfa(X, y, 0.15, random_state=0)
    b = lw.poison.alfa(X.to_numpy(), y.to_numpy(), 0.15, random_state=0)
    np.testing.assert_array_equal(a.is_flipped, b.is_flipped)
    np.testing.assert_array_equal(a.labels.to_numpy(), b.labels)


def test_categorical_labels_stay_categorical(indexed_moons):
    """A categorical Series keeps its categories, as flip_labels keeps them."""
    X, y = indexed_moons
    cat = y.astype(pd.CategoricalDtype(["pos", "neg", "unused"]))
    out = lw.poison.random_flips(X, cat, 0.1, random_state=0)
    assert out.labels.dtype == cat.dtype
    assert out.to_frame()["label"].dtype == cat.dtype


def test_backdoor_keeps_the_index():
    """The backdoor's labels keep a Series' index; to_frame is indexed by it."""
    rng = np.random.default_rng(0)
    X = rng.random((40, 16))
    y = pd.Series(np.repeat([0, 1], 20), index=np.arange(40) * 10)
    out = lw.poison.backdoor(X, y, 0.1, target=1, image_shape=(4, 4), random_state=0)
    pd.testing.assert_index_equal(out.labels.index, y.index)
    pd.testing.assert_index_equal(out.to_frame().index, y.index)
    assert set(out.to_frame().index[out.to_frame()["is_flipped"]]) <= set(y.index[y == 0])


class TestDetectionIndex:
    def test_to_frame_is_indexed_by_the_input_index(self):
        """spectral_signatures on a DataFrame indexed 500..699: to_frame's index holds those ids,
        and the flagged ids are the flagged positions' ids."""
        rng = np.random.default_rng(0)
        features = pd.DataFrame(rng.normal(size=(200, 5)), index=pd.Index(np.arange(500, 700), name="id"))
        features.iloc[:10, 2] += 8.0
        labels = np.repeat(["cat", "dog"], 100)
        found = lw.poison.spectral_signatures(features, labels)
        frame = found.to_frame()
        assert frame.index.name == "id" and sorted(frame.index) == list(range(500, 700))
        assert set(frame.index[frame["is_flagged"]]) == set(features.index[found.flagged_indices])
        assert set(range(500, 510)) <= set(frame.index[frame["is_flagged"]])

    def test_arrays_keep_the_row_number(self):
        """Without a pandas input the index is the row number, named row."""
        rng = np.random.default_rng(0)
        found = lw.poison.spectral_signatures(rng.normal(size=(60, 3)), np.repeat([0, 1], 30))
        frame = found.to_frame()
        assert frame.index.name == "row" and sorted(frame.index) == list(range(60))


def test_detection_ids_are_arts_flagged_positions_through_the_index():
    """ART 1.20.1's SpectralSignatureDefense flags positions; labelwise's to_frame on a DataFrame (index
    in another order than its rows) flags the ids at those positions, with the same scores."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ART warns that PyTorch is absent
        poison_art = pytest.importorskip("art.defences.detector.poison")

    class FixedActivations:
        layer_names = ["features"]
        nb_classes = 2

        def get_activations(self, x, layer, batch_size=128):
            return values[np.asarray(x)]

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 100)
    values = rng.normal(size=(200, 8)) + 3.0 * np.eye(2, 8)[labels]
    values[:10] += 4.0 * np.eye(8)[5]
    for k in (0, 1):  # centred per class, where ART's projection is the paper's (test_detect_peer.py)
        values[labels == k] -= values[labels == k].mean(axis=0)
    ids = pd.Index(rng.permutation(np.arange(200) * 10 + 7), name="id")
    found = lw.poison.spectral_signatures(pd.DataFrame(values, index=ids), labels, eps=0.1)
    report, is_clean = poison_art.SpectralSignatureDefense(
        FixedActivations(), np.arange(200), labels, expected_pp_poison=0.1
    ).detect_poison()
    art_flagged = np.flatnonzero(np.asarray(is_clean) == 0)
    frame = found.to_frame()
    assert set(frame.index[frame["is_flagged"]]) == set(ids[art_flagged])
    rows = np.array(sorted(report))
    np.testing.assert_allclose(
        frame.loc[ids[rows], "score"].to_numpy(), np.array([report[r] for r in rows]) ** 2, rtol=1e-9
    )
