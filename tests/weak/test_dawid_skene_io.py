"""Tests of DawidSkeneLabelModel.save / load: a round trip predicts the same; bad files are named."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError, EstimatorError, InvalidParameterError, LabelwiseWarning
from labelwise.weak import DawidSkeneLabelModel, LabelModel, simulate_lfs
from tests.aggregate._crowd import pair_crowd


def _same_predictions(loaded: DawidSkeneLabelModel, model: DawidSkeneLabelModel, votes) -> None:
    """Identical posteriors (bit for bit), predictions under every tie-break policy, weights and scores."""
    pd.testing.assert_frame_equal(loaded.predict_proba(votes), model.predict_proba(votes), check_exact=True)
    for policy in (None, "abstain", "random", "true-random"):
        pd.testing.assert_series_equal(
            loaded.predict(votes, tie_break_policy=policy), model.predict(votes, tie_break_policy=policy)
        )
    np.testing.assert_array_equal(loaded.get_weights(), model.get_weights())
    np.testing.assert_array_equal(loaded.get_conditional_probs(), model.get_conditional_probs())
    assert loaded.get_params() == model.get_params()


class TestRoundTrip:
    @pytest.mark.parametrize("class_balance", [None, "votes", "uniform", [0.5, 0.3, 0.2]])
    def test_a_loaded_model_predicts_as_the_saved_one(self, tmp_path, class_balance):
        """Fitted or fixed class balance: the loaded model's posterior, predictions, weights and
        conditional probabilities equal the saved one's exactly."""
        sim = simulate_lfs(600, 6, 3, unipolar=0.0, random_state=4)
        model = DawidSkeneLabelModel(class_balance=class_balance, max_iter=40).fit(sim.votes)
        loaded = DawidSkeneLabelModel().load(model.save(tmp_path / "ds.npz"))
        _same_predictions(loaded, model, sim.votes)
        pd.testing.assert_frame_equal(loaded.predict_proba(sim.votes), model.probas_, check_exact=False, atol=1e-12)
        pd.testing.assert_series_equal(loaded.accuracies_, model.accuracies_)
        truth = sim.truth.to_numpy()
        assert loaded.score(sim.votes, truth, metrics=["accuracy", "f1_macro"]) == model.score(
            sim.votes, truth, metrics=["accuracy", "f1_macro"]
        )

    def test_named_classes_and_labelers_load_with_their_names(self, tmp_path):
        """A table with text classes and labelers loads with the same names and predicts the same."""
        table = pd.DataFrame(
            {
                "item": np.repeat(np.arange(40), 3),
                "labeler": np.tile(["ann", "bob", "cy"], 40),
                "label": [["no", "yes", "maybe"][(i // 3 + (i % 3 == 2 and i % 5 == 0)) % 3] for i in range(120)],
            }
        )
        model = DawidSkeneLabelModel().fit(table)
        loaded = DawidSkeneLabelModel().load(model.save(tmp_path / "named.npz"))
        assert loaded.classes_.tolist() == model.classes_.tolist() and loaded.labelers_ == model.labelers_
        _same_predictions(loaded, model, table)

    def test_dependent_pairs_still_weigh_one_answer_after_load(self, tmp_path):
        """Where the fit found a dependent pair, the loaded model's posterior on new items still
        weighs the pair's two votes as one (it read the pairs from the aggregate before)."""
        answers, _ = pair_crowd(seed=0)
        votes = answers.rename(columns={"annotator": "labeler"})
        model = DawidSkeneLabelModel().fit(votes)
        pairs = model.estimator_.dependent_pairs_
        assert len(pairs) == 1
        a, b = pairs["annotator_a"].iloc[0], pairs["annotator_b"].iloc[0]
        new = pd.DataFrame(
            {"item": ["n0", "n0", "n1", "n1", "n1"], "labeler": [a, b, a, b, "w5"], "label": [1, 1, 1, 0, 0]}
        )
        loaded = DawidSkeneLabelModel().load(model.save(tmp_path / "pairs.npz"))
        _same_predictions(loaded, model, votes)
        pd.testing.assert_frame_equal(loaded.predict_proba(new), model.predict_proba(new), check_exact=True)
        loaded._fitted["pairs"] = []  # without the pair the posterior moves: the file's pairs are used
        assert np.abs(loaded.predict_proba(new).to_numpy() - model.predict_proba(new).to_numpy()).max() > 1e-3

    def test_a_fallback_to_majority_vote_is_kept(self, tmp_path):
        """A model whose fit fell back to majority vote predicts the vote shares after load too."""
        sim = simulate_lfs(300, 4, 2, random_state=2)
        with pytest.warns(LabelwiseWarning, match="falling back to majority vote"):
            model = DawidSkeneLabelModel(class_balance=[0.8, 0.2]).fit(sim.votes)
        loaded = DawidSkeneLabelModel().load(model.save(tmp_path / "fallback.npz"))
        _same_predictions(loaded, model, sim.votes)

    @settings(max_examples=10, deadline=None)
    @given(seed=st.integers(0, 10_000), n_classes=st.integers(2, 4))
    def test_round_trip_property(self, tmp_path_factory, seed, n_classes):
        """Any simulated fit (with or without a fallback) loads to the same posterior, bit for bit."""
        sim = simulate_lfs(150, 5, n_classes, random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)
            model = DawidSkeneLabelModel(max_iter=20).fit(sim.votes)
        path = tmp_path_factory.mktemp("rt") / "m.npz"
        loaded = DawidSkeneLabelModel().load(model.save(path))
        pd.testing.assert_frame_equal(loaded.predict_proba(sim.votes), model.predict_proba(sim.votes), check_exact=True)
        pd.testing.assert_series_equal(loaded.predict(sim.votes), model.predict(sim.votes))


class TestBadFiles:
    def _model(self) -> DawidSkeneLabelModel:
        return DawidSkeneLabelModel().fit(simulate_lfs(200, 4, 2, unipolar=0.0, random_state=1).votes)

    def test_files_that_are_not_a_saved_model_are_named(self, tmp_path):
        """A missing file, a text file, a LabelModel's file and an .npz of another format are each a
        DataFileError naming the path."""
        text = tmp_path / "notes.npz"
        text.write_text("not a zip")
        other = tmp_path / "other.npz"
        np.savez(other, header=np.array(json.dumps({"format": "something else"})))
        label_model = LabelModel().fit(simulate_lfs(200, 4, 2, random_state=0).votes).save(tmp_path / "lm.npz")
        for path in (tmp_path / "missing.npz", text, other, label_model):
            with pytest.raises(DataFileError, match=f"written by DawidSkeneLabelModel.save.*{path.name}"):
                DawidSkeneLabelModel().load(path)

    def test_arrays_that_do_not_fit_the_header_are_named(self, tmp_path):
        """An edited file whose confusion matrices do not match its labelers is named, not an IndexError later."""
        path = self._model().save(tmp_path / "m.npz")
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: np.array(data[name]) for name in data.files}
        arrays["confusion_"] = arrays["confusion_"][:2]
        np.savez(path, **arrays)
        with pytest.raises(DataFileError, match=r"confusion_ \(2, 2, 2\) \(expected \(4, 2, 2\)\)"):
            DawidSkeneLabelModel().load(path)
        del arrays["prior"]
        np.savez(path, **arrays)
        with pytest.raises(DataFileError, match="prior"):
            DawidSkeneLabelModel().load(path)

    def test_unfitted_models_bad_paths_and_unsavable_parameters_are_named(self, tmp_path):
        """save before fit, to a folder or a missing folder, and with a Generator random_state."""
        with pytest.raises(EstimatorError, match="must be fitted before save"):
            DawidSkeneLabelModel().save(tmp_path / "m.npz")
        model = self._model()
        with pytest.raises(InvalidParameterError, match="path must name a file in an existing folder.*a folder"):
            model.save(tmp_path)
        with pytest.raises(InvalidParameterError, match="does not exist"):
            model.save(tmp_path / "missing" / "m.npz")
        model.random_state = np.random.default_rng(0)
        with pytest.raises(InvalidParameterError, match="parameters must hold only numbers"):
            model.save(tmp_path / "m.npz")
        assert not list(tmp_path.glob("*.tmp")) and not (tmp_path / "m.npz").exists()

    def test_a_saved_file_holds_no_pickle(self, tmp_path):
        """The file loads with allow_pickle=False: no object arrays (loading runs no code)."""
        path = self._model().save(tmp_path / "m.npz")
        with np.load(path, allow_pickle=False) as data:
            assert all(data[name].dtype != object for name in data.files)
