"""Tests of Snorkel's label-model API on ``weak.LabelModel`` and ``weak.DawidSkeneLabelModel``:
``predict`` with a tie-break policy, ``score``, ``get_weights``, ``get_conditional_probs``, ``y_dev``
and ``save``/``load``; Snorkel 0.10's ``LabelModel`` (by subprocess, when ``LABELWISE_SNORKEL_PYTHON``
names its Python), given labelwise's fitted ``μ`` and class balance, computes the same."""

from __future__ import annotations

import json
import os
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import DataFileError, EstimatorError, InvalidLabelsError, InvalidParameterError
from labelwise.weak import DawidSkeneLabelModel, LabelModel, Votes, score_predictions, simulate_lfs
from labelwise.weak._posterior import FLOOR

SETTINGS = settings(max_examples=10, deadline=None)
SNORKEL_PYTHON = Path(os.environ.get("LABELWISE_SNORKEL_PYTHON", "/nonexistent/snorkel-python"))

L = np.array([[0, 0, -1], [1, 1, 1], [0, -1, 0], [1, 0, 1], [-1, 1, 1], [0, 0, 0], [0, 1, -1], [-1, -1, -1]])


def _sim(seed: int, n_items: int = 300, n_lfs: int = 5):
    return simulate_lfs(n_items=n_items, n_lfs=n_lfs, n_classes=3, random_state=seed)


def _fit(seed: int = 0, **params) -> tuple[LabelModel, object]:
    sim = _sim(seed)
    return LabelModel(**params).fit(sim.votes), sim


class TestPredict:
    def test_without_a_policy_predictions_are_the_fitted_labels(self):
        """The default keeps the model's seeded tie-break: on the fit's votes, ``labels_``."""
        model = LabelModel().fit(L)
        assert model.predict(L, tie_break_policy=None).tolist() == model.labels_.tolist()

    def test_abstain_policy_marks_ties_and_return_probs_gives_the_posterior(self):
        """Items whose top classes are within 1e-5 get -1 (integer classes); probabilities come along."""
        votes = np.array([[0, 1], [1, 0], [0, 0], [1, 1], [-1, -1]] * 4)  # nobody votes: the uniform balance
        model = LabelModel(class_balance="uniform", abstains="missing").fit(votes)
        preds, probs = model.predict(votes, return_probs=True, tie_break_policy="abstain")
        assert preds.dtype == np.int64 and (preds == -1).any() and (preds >= 0).any()
        assert probs.equals(model.predict_proba(votes))
        tied = (probs.max(axis=1) - probs.min(axis=1)) < 1e-5
        assert ((preds == -1) == tied).all()

    def test_unknown_policy_and_unfitted_model_are_named(self):
        """An unknown policy lists the policies; predict before fit says to fit."""
        with pytest.raises(InvalidParameterError, match="tie_break_policy must be one of .*'abstain'.*got 'first'"):
            LabelModel().fit(L).predict(L, tie_break_policy="first")
        with pytest.raises(EstimatorError, match="LabelModel must be fitted before predict_proba"):
            LabelModel().predict(L)


class TestScore:
    def test_scores_against_gold_labels_by_position_or_by_item(self):
        """Accuracy equals the share of correct predictions; a Series is matched by item."""
        model, sim = _fit(0)
        scores = model.score(sim.votes, sim.truth.to_numpy(), metrics=["accuracy", "coverage", "f1_macro"])
        preds = model.predict(sim.votes, tie_break_policy="abstain")
        kept = preds >= 0
        assert scores["accuracy"] == pytest.approx((preds[kept] == sim.truth[kept]).mean())
        assert scores["coverage"] == pytest.approx(kept.mean())
        shuffled = sim.truth.sample(frac=1.0, random_state=0)
        assert model.score(sim.votes, shuffled, metrics=["accuracy", "coverage", "f1_macro"]) == scores

    def test_unknown_gold_labels_are_left_out(self):
        """Gold -1 (or None) on an item removes it from accuracy."""
        model = LabelModel().fit(L)
        preds = model.predict(L, tie_break_policy="abstain")
        gold = preds.to_numpy().copy()
        gold[0] = 1 - gold[0]
        gold[-1] = -1
        assert model.score(L, gold)["accuracy"] < 1.0
        gold[0] = -1
        assert model.score(L, gold)["accuracy"] == 1.0

    def test_bad_metrics_and_gold_labels_are_named(self):
        """An unknown metric, binary f1 on three classes and a gold label that is no class are refused."""
        model, sim = _fit(0)
        with pytest.raises(InvalidParameterError, match="metrics must be names from"):
            model.score(sim.votes, sim.truth, metrics=["auc"])
        with pytest.raises(InvalidParameterError, match="'f1' scores class 1 of two"):
            model.score(sim.votes, sim.truth, metrics=["f1"])
        with pytest.raises(InvalidLabelsError, match=r"y must hold the model's classes \[0, 1, 2\]"):
            model.score(sim.votes, sim.truth.replace(2, 5))


class TestWeightsAndConditionals:
    def test_conditional_probs_are_mu_with_the_abstain_row(self):
        """Rows 1..K are ``mu_``; each column sums to 1 over the K + 1 outcomes."""
        model, _ = _fit(1)
        cprobs = model.get_conditional_probs()
        m, k = len(model.labelers_), len(model.classes_)
        assert cprobs.shape == (m, k + 1, k)
        np.testing.assert_allclose(cprobs[:, 1:, :].reshape(m * k, k), model.mu_)
        np.testing.assert_allclose(cprobs.sum(axis=1), 1.0)

    def test_weights_are_the_accuracies_and_nan_for_a_silent_function(self):
        """get_weights equals ``accuracies_`` (clipped); a function that never voted has NaN."""
        votes = L.copy()
        votes = np.column_stack([votes, np.full(len(votes), -1)])
        model = LabelModel().fit(votes, y_dev=[0, 1])
        weights = model.get_weights()
        assert np.isnan(weights[-1]) and np.isnan(model.accuracies_.iloc[-1])
        np.testing.assert_allclose(weights[:-1], np.clip(model.accuracies_.to_numpy()[:-1], 1e-6, 1.0))

    def test_dawid_skene_weights_and_conditionals(self):
        """Dawid-Skene: abstaining is independent of the class, so P(abstain | y) is one minus the
        coverage for every class, and the weights are ``accuracies_``."""
        sim = _sim(2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = DawidSkeneLabelModel().fit(sim.votes)
        cprobs = model.get_conditional_probs()
        coverage = (sim.votes.matrix() >= 0).mean(axis=0)
        np.testing.assert_allclose(cprobs[:, 0, :], np.repeat(1 - coverage[:, None], 3, axis=1))
        np.testing.assert_allclose(model.get_weights(), model.accuracies_.to_numpy())
        assert model.predict(sim.votes).tolist() == model.labels_.tolist()


class TestDevLabels:
    def test_y_dev_fixes_the_class_balance_to_its_shares(self):
        """Both models take the dev labels' class shares as their class balance."""
        sim = _sim(3)
        y_dev = [0, 0, 1, 2, 2, 2]
        assert LabelModel().fit(sim.votes, y_dev=y_dev).class_balance_.tolist() == pytest.approx([1 / 3, 1 / 6, 1 / 2])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = DawidSkeneLabelModel().fit(sim.votes, y_dev=np.array(y_dev))
        assert ds.class_balance_.tolist() == pytest.approx([1 / 3, 1 / 6, 1 / 2])

    def test_dev_labels_missing_a_class_or_not_a_class_are_refused(self):
        """Every class must occur; a label that is no class is named."""
        with pytest.raises(InvalidLabelsError, match=r"y_dev must hold every class \[0, 1, 2\] at least once"):
            LabelModel().fit(_sim(3).votes, y_dev=[0, 1])
        with pytest.raises(InvalidLabelsError, match="y_dev must hold the model's classes"):
            LabelModel().fit(L, y_dev=[0, 1, "x"])


class TestSaveLoad:
    def test_a_loaded_model_predicts_as_the_saved_one(self, tmp_path):
        """Probabilities, predictions, weights and parameters survive the round trip."""
        model, sim = _fit(4, n_em_iter=20)
        path = model.save(tmp_path / "model.npz")
        loaded = LabelModel().load(path)
        assert loaded.get_params() == {**model.get_params(), "dependencies": list(model.dependencies)}
        assert loaded.predict_proba(sim.votes).equals(model.predict_proba(sim.votes))
        assert loaded.predict(sim.votes).tolist() == model.predict(sim.votes).tolist()
        np.testing.assert_array_equal(loaded.get_weights(), model.get_weights())
        assert loaded.groups_ == model.groups_ and loaded.abstains_ == model.abstains_

    def test_string_classes_and_labelers_survive(self, tmp_path):
        """A table with named classes and labelers loads with the same names."""
        sim = _sim(5, n_items=120, n_lfs=4)
        table = sim.votes.answers.assign(label=lambda d: d["label"].map({0: "a", 1: "b", 2: "c"}))
        model = LabelModel(n_em_iter=10).fit(table)
        loaded = LabelModel().load(model.save(tmp_path / "m.npz"))
        assert loaded.classes_.tolist() == ["a", "b", "c"] and loaded.labelers_ == model.labelers_
        assert loaded.predict(table).tolist() == model.predict(table).tolist()

    def test_a_file_that_is_not_a_saved_model_is_named(self, tmp_path):
        """A missing file, a text file and another npz are refused naming the path."""
        other = tmp_path / "other.npz"
        np.savez(other, header=np.array(json.dumps({"format": "something else"})))
        (tmp_path / "text.npz").write_text("hello")
        for path in (tmp_path / "missing.npz", tmp_path / "text.npz", other):
            with pytest.raises(
                DataFileError, match=f"path must be a label model written by LabelModel.save.*{path.name}"
            ):
                LabelModel().load(path)

    def test_saving_to_a_folder_or_into_a_missing_folder_is_refused_naming_path(self, tmp_path):
        """A folder, or a file in a folder that does not exist, is a labelwise error, not an OSError."""
        model = LabelModel(n_em_iter=0).fit(L)
        with pytest.raises(InvalidParameterError, match="path must name a file in an existing folder.*a folder"):
            model.save(tmp_path)
        with pytest.raises(InvalidParameterError, match="path must name a file.*folder .*missing.* does not exist"):
            model.save(tmp_path / "missing" / "m.npz")
        assert not list(tmp_path.iterdir())

    def test_unfitted_models_and_unsavable_parameters_are_refused(self, tmp_path):
        """save before fit, and a Generator random_state (no safe file form), are named."""
        with pytest.raises(EstimatorError, match="must be fitted before save"):
            LabelModel().save(tmp_path / "m.npz")
        model = LabelModel(random_state=np.random.default_rng(0), n_em_iter=0).fit(L)
        with pytest.raises(InvalidParameterError, match="parameters must hold only numbers.*Generator"):
            model.save(tmp_path / "m.npz")
        assert not list(tmp_path.iterdir())


@pytest.mark.slow
@given(st.integers(0, 10_000), st.randoms(use_true_random=False))
@SETTINGS
def test_rows_labelers_and_classes_can_be_permuted_and_renamed(seed, rnd):
    """Permuting items permutes the probabilities and the abstain-policy predictions; renaming the
    labelers and classes (in their sorted positions) gives the same weights and conditional
    probabilities (to the fit's own tolerance) and scores named gold labels as their codes;
    refitting gives the same model; a save-load round trip predicts the same."""
    sim = simulate_lfs(n_items=150, n_lfs=4, n_classes=3, random_state=seed)
    matrix = sim.votes.matrix()
    model = LabelModel(n_em_iter=15, labels=[0, 1, 2]).fit(matrix)  # a class may go unvoted
    preds, probs = model.predict(matrix, return_probs=True, tie_break_policy="abstain")
    order = list(range(len(matrix)))
    rnd.shuffle(order)
    moved = model.predict(matrix[order], return_probs=True, tie_break_policy="abstain")
    np.testing.assert_allclose(moved[1].to_numpy(), probs.to_numpy()[order], rtol=0, atol=1e-12)
    assert moved[0].tolist() == preds.to_numpy()[order].tolist()
    again = LabelModel(n_em_iter=15, labels=[0, 1, 2]).fit(matrix)
    assert again.predict_proba(matrix).equals(probs) and (again.get_weights() == model.get_weights()).all()
    names = {f"lf_{j}": f"w{j}" for j in range(4)}
    classes = {0: "a", 1: "b", 2: "c"}
    answers = sim.votes.answers.assign(
        labeler=lambda d: d["labeler"].map(names), label=lambda d: d["label"].map(classes)
    )
    votes = Votes(answers, sim.votes.items, tuple(names.values()), np.array(["a", "b", "c"], dtype=object))
    renamed = LabelModel(n_em_iter=15).fit(votes)
    # the fit itself moves within FIT_ATOL = 1e-4 under renaming (test_label_model_order_properties)
    np.testing.assert_allclose(renamed.get_weights(), model.get_weights(), rtol=0, atol=1e-4)
    np.testing.assert_allclose(renamed.get_conditional_probs(), model.get_conditional_probs(), rtol=0, atol=1e-4)
    gold = sim.truth.map(classes)
    metrics = ["accuracy", "coverage", "f1_macro", "matthews_corrcoef"]
    named, named_probs = renamed.predict(votes, return_probs=True, tie_break_policy="abstain")
    codes = named.map({"a": 0, "b": 1, "c": 2}).fillna(-1).astype(int)
    expected = score_predictions(sim.truth.to_numpy(), codes.to_numpy(), named_probs.to_numpy(), metrics=metrics)
    assert renamed.score(votes, gold, metrics=metrics) == expected
    path = Path(model.save(Path(os.environ.get("TMPDIR", "/tmp")) / f"lw-api-{os.getpid()}.npz"))
    try:
        loaded = LabelModel().load(path)
    finally:
        path.unlink()
    assert loaded.predict_proba(matrix).equals(probs)


SNORKEL = """
import json, sys
import numpy as np, torch
from snorkel.labeling.model import LabelModel
d = json.loads(sys.stdin.read())
out = {}
for name, case in d.items():
    L, mu, p = np.array(case["L"]), np.array(case["mu"]), np.array(case["p"])
    lm = LabelModel(cardinality=p.size, verbose=False)
    lm.fit(L, n_epochs=1, seed=0, progress_bar=False, Y_dev=case["y_dev"])
    balance = lm.p.tolist()
    lm.mu = torch.nn.Parameter(torch.from_numpy(mu))
    lm.p, lm.P = p, torch.diag(torch.from_numpy(p))
    lm.coverage = np.array(case["coverage"])
    out[name] = {"weights": lm.get_weights().tolist(), "cprobs": lm.get_conditional_probs().tolist(), "balance": balance}
    lm.mu = torch.nn.Parameter(torch.from_numpy(np.array(case["mu_floor"])))
    out[name]["probs"] = lm.predict_proba(L).tolist()
print(json.dumps(out))
"""


@pytest.mark.slow
@pytest.mark.skipif(
    not SNORKEL_PYTHON.exists(), reason="LABELWISE_SNORKEL_PYTHON does not name a Python with Snorkel 0.10"
)
def test_weights_conditionals_and_posterior_match_snorkel_given_our_parameters():
    """Given labelwise's μ, class balance and coverage, Snorkel's get_weights and
    get_conditional_probs equal labelwise's (1e-12); on votes without abstains (where Snorkel's
    posterior, which leaves the abstain factor out, is the same model) so does predict_proba, for
    the paper's estimator (``n_em_iter=0``), with μ floored at labelwise's ``FLOOR`` as its posterior
    does (Snorkel takes ``log 0``: NaN rows); Snorkel's class balance from Y_dev equals ``y_dev``'s."""
    cases, ours = {}, {}
    sparse = simulate_lfs(n_items=400, n_lfs=6, n_classes=3, random_state=7).votes.matrix()
    dense = simulate_lfs(
        n_items=400, n_lfs=6, n_classes=2, coverage=(1.0, 1.0), unipolar=0.0, random_state=8
    ).votes.matrix()
    assert (dense >= 0).all()
    for name, matrix, params in (("sparse", sparse, {}), ("dense", dense, {"n_em_iter": 0})):
        k = int(matrix.max()) + 1
        y_dev = [c for c in range(k) for _ in range(c + 1)]
        model = LabelModel(dependency_threshold=None, **params).fit(matrix, y_dev=y_dev)
        cond = model.get_conditional_probs()[:, 1:, :]
        coverage = cond.sum(axis=1) @ model.class_balance_
        cases[name] = {
            "L": matrix.tolist(),
            "mu": model.mu_.tolist(),
            "mu_floor": np.clip(model.mu_, FLOOR, 1.0).tolist(),
            "p": model.class_balance_.tolist(),
            "coverage": coverage.tolist(),
            "y_dev": y_dev,
        }
        ours[name] = model
    done = subprocess.run(
        [str(SNORKEL_PYTHON), "-c", SNORKEL], input=json.dumps(cases), capture_output=True, text=True, timeout=400
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    for name, model in ours.items():
        np.testing.assert_allclose(model.get_weights(), theirs[name]["weights"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.get_conditional_probs(), theirs[name]["cprobs"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(model.class_balance_, theirs[name]["balance"], rtol=0, atol=1e-12)
    probs = ours["dense"].predict_proba(dense).to_numpy()
    np.testing.assert_allclose(probs, theirs["dense"]["probs"], rtol=0, atol=1e-9)
