"""What ``load`` leaves on a label model: the saved model only, whatever the model held before; files
from another version or edited by hand are named; a matrix of the wrong width is refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from labelwise.errors import DataFileError, InvalidParameterError, ShapeMismatchError
from labelwise.weak import DawidSkeneLabelModel, LabelModel, simulate_lfs

MODELS = [LabelModel, DawidSkeneLabelModel]


def _saved(cls, tmp_path, seed: int = 1, n_lfs: int = 6, n_classes: int = 3, **params):
    sim = simulate_lfs(300, n_lfs, n_classes, unipolar=0.0, random_state=seed)
    model = cls(**params).fit(sim.votes)
    return model, sim, model.save(tmp_path / f"{cls.__name__}.npz")


def _edit(path, tmp_path, *, header=None, arrays=None):
    """A copy of the saved file at ``path`` with its header and arrays changed by the given functions."""
    with np.load(path, allow_pickle=False) as data:
        contents = {name: np.array(data[name]) for name in data.files}
    head = json.loads(str(contents.pop("header")))
    head = header(head) if header else head
    contents = arrays(contents) if arrays else contents
    out = tmp_path / "edited.npz"
    np.savez(out, header=np.array(json.dumps(head)), **contents)
    return out


@pytest.mark.parametrize("cls", MODELS)
class TestLoadReplacesTheFit:
    def test_a_fitted_model_keeps_nothing_of_its_own_fit(self, cls, tmp_path):
        """Loading into a model fitted on other votes (2 classes, 5 functions) drops its labels_,
        probas_, n_votes_ (and estimator_): they belonged to the other votes."""
        saved, sim, path = _saved(cls, tmp_path)
        other = cls().fit(simulate_lfs(200, 5, 2, unipolar=0.0, random_state=0).votes)
        loaded = other.load(path)
        for name in ("labels_", "probas_", "n_votes_", "estimator_"):
            assert not hasattr(loaded, name), name
        assert loaded.classes_.tolist() == saved.classes_.tolist()
        np.testing.assert_array_equal(loaded.predict_proba(sim.votes), saved.predict_proba(sim.votes))

    def test_a_refused_file_leaves_the_model_as_it_was(self, cls, tmp_path):
        """A file that fails its checks changes neither the parameters nor the fitted attributes."""
        _, _, path = _saved(cls, tmp_path)
        bad = _edit(path, tmp_path, header=lambda h: {**h, "params": {**h["params"], "from_the_future": 1}})
        sim = simulate_lfs(200, 5, 2, unipolar=0.0, random_state=0)
        model = cls().fit(sim.votes)
        before = model.predict_proba(sim.votes)
        with pytest.raises(DataFileError):
            model.load(bad)
        assert hasattr(model, "labels_") and model.predict_proba(sim.votes).equals(before)

    def test_parameters_the_file_does_not_give_take_their_defaults(self, cls, tmp_path):
        """A file without ``max_iter`` (an older version's) loads the class's default, not the value the
        model loaded into had."""
        _, _, path = _saved(cls, tmp_path)
        older = _edit(
            path, tmp_path, header=lambda h: {**h, "params": {k: v for k, v in h["params"].items() if k != "max_iter"}}
        )
        loaded = cls(max_iter=3).load(older)
        assert loaded.get_params().get("max_iter") == cls().get_params().get("max_iter")


@pytest.mark.parametrize("cls", MODELS)
class TestFilesFromElsewhere:
    def test_a_parameter_this_version_does_not_take_is_a_data_file_error(self, cls, tmp_path):
        """A newer version's parameter names the file and the parameter, not sklearn's ValueError."""
        _, _, path = _saved(cls, tmp_path)
        bad = _edit(path, tmp_path, header=lambda h: {**h, "params": {**h["params"], "from_the_future": 1}})
        with pytest.raises(DataFileError, match=r"edited\.npz.*does not take.*from_the_future"):
            cls().load(bad)

    def test_a_header_without_the_classes_is_named(self, cls, tmp_path):
        """A header that lacks a key is a DataFileError naming it, not a KeyError."""
        _, _, path = _saved(cls, tmp_path)
        bad = _edit(path, tmp_path, header=lambda h: {k: v for k, v in h.items() if k != "labelers_"})
        with pytest.raises(DataFileError, match=r"edited\.npz.*lacks \['labelers_'\]"):
            cls().load(bad)

    def test_a_path_that_is_no_path_is_named(self, cls, tmp_path):
        """save(3) and load(3) name ``path`` (not numpy's or pathlib's TypeError)."""
        model, _, _ = _saved(cls, tmp_path)
        with pytest.raises(InvalidParameterError, match="path must be a file path.*got int"):
            model.save(3)
        with pytest.raises(InvalidParameterError, match="path must be a file path.*got int"):
            cls().load(3)


class TestLabelModelArrays:
    def test_arrays_that_do_not_fit_the_header_are_named(self, tmp_path):
        """An edited LabelModel file whose mu_ does not fit its functions is refused at load, not
        predicted from."""
        _, _, path = _saved(LabelModel, tmp_path)
        bad = _edit(path, tmp_path, arrays=lambda a: {**a, "mu_": a["mu_"][:3]})
        with pytest.raises(DataFileError, match=r"mu_ \(3, 3\) \(expected \(18, 3\)\)"):
            LabelModel().load(bad)

    def test_groups_that_are_not_a_partition_of_the_functions_are_named(self, tmp_path):
        """A group naming a function twice is refused."""
        _, _, path = _saved(LabelModel, tmp_path)
        bad = _edit(path, tmp_path, header=lambda h: {**h, "groups": [[0, 1], [1], [2], [3], [4], [5]]})
        with pytest.raises(DataFileError, match="not a partition of its 6 labelers"):
            LabelModel().load(bad)


@pytest.mark.parametrize("cls", MODELS)
class TestMatrixWidth:
    def test_a_matrix_narrower_than_the_functions_is_refused(self, cls, tmp_path):
        """A 4-column matrix for a model of 6 functions is an error in predict, predict_proba and score,
        not 6 functions of which the last two abstained; the full width predicts as the votes."""
        model, sim, _ = _saved(cls, tmp_path)
        narrow = sim.votes.matrix()[:, :4]
        for call in (model.predict, model.predict_proba, lambda v: model.score(v, sim.truth.to_numpy())):
            with pytest.raises(ShapeMismatchError, match=r"one column per labeling function .*\(6\), got 4"):
                call(narrow)
        with pytest.raises(ShapeMismatchError, match="got 4"):
            model.predict(narrow.tolist())
        expected = model.predict(sim.votes).tolist()  # the full width, an array or a list, is the votes
        assert model.predict(sim.votes.matrix()).tolist() == expected
        assert model.predict(sim.votes.matrix().tolist()).tolist() == expected
