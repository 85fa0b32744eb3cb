"""Invariants every public weak label model keeps on degenerate but legal votes (weakbugs51).

The models of ``labelwise.weak.__all__`` (``LabelModel``, ``DawidSkeneLabelModel``, ``IWMVLabelModel``
and the three baselines) are fitted on small random long tables: one to four functions, two to five
classes named by ints, strings, bools, floats or a mix of ints and strings, abstains everywhere, items nobody voted on (``items=`` with
extra items) and declared classes nobody voted (``labels=``). What a user relies on: ``probas_`` rows
are distributions, ``labels_`` a most probable class and ``predict``'s answer, ``get_conditional_probs``
a distribution over each function's outcomes per class, accuracies and weights in ``[0, 1]``,
``score`` the accuracy on gold, the same fit twice and for any row order of the table.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.errors import InvalidParameterError
from labelwise.weak._fit_items import fit_votes_over

MODELS = {
    "label-model": lambda labels: weak.LabelModel(labels=labels),
    "label-model-moments-only": lambda labels: weak.LabelModel(n_em_iter=0, labels=labels),
    "label-model-missing": lambda labels: weak.LabelModel(abstains="missing", labels=labels),
    "dawid-skene": lambda labels: weak.DawidSkeneLabelModel(labels=labels),
    "iwmv": lambda labels: weak.IWMVLabelModel(labels=labels),
    "majority-vote": lambda labels: weak.MajorityLabelVoter(labels=labels),
    "majority-class": lambda labels: weak.MajorityClassVoter(labels=labels),
    "random": lambda labels: weak.RandomVoter(labels=labels),
}
WITH_CONDITIONALS = ["label-model", "label-model-moments-only", "label-model-missing", "dawid-skene"]
SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def vote_tables(draw):
    """A long table of votes (item, labeler, label) with at least two voted classes, every item of the
    data (some with no vote), the model's ``labels`` (None or with an undeclared-by-votes class) and gold."""
    kind = draw(st.sampled_from(["int", "str", "bool", "float", "mixed"]))
    k = 2 if kind == "bool" else draw(st.integers(2, 5))
    classes = {
        "int": list(range(k)),
        "str": [f"c{i}" for i in range(k)],
        "bool": [False, True],
        "float": [i + 0.5 for i in range(k)],
        "mixed": [i if i % 2 else f"c{i}" for i in range(k)],
    }[kind]
    n, m = draw(st.integers(2, 14)), draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, k, size=(n, m))
    codes[rng.random((n, m)) < draw(st.sampled_from([0.0, 0.3, 0.6]))] = -1
    codes[0, 0], codes[1, 0] = 0, 1  # two classes voted: a label model needs two
    rows = [(f"i{i:02d}", f"lf{j}", classes[c]) for i in range(n) for j in range(m) if (c := codes[i, j]) >= 0]
    table = pd.DataFrame(rows, columns=["item", "labeler", "label"])
    items = [f"i{i:02d}" for i in range(n + draw(st.integers(0, 2)))]
    unseen = {"int": [k + 3], "str": ["unseen"], "bool": [], "float": [-2.5], "mixed": ["unseen"]}[kind]
    labels = classes + unseen if draw(st.booleans()) else None
    voted = np.unique(codes[codes >= 0])  # gold of a class nobody voted nor declared is an error, not a score
    gold = pd.Series([classes[c] for c in rng.choice(voted, size=len(items))], index=items, dtype=object)
    return table, items, labels, gold


def fitted(name, table, items, labels):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and fallback warnings on tiny tables are expected
        return MODELS[name](labels).fit(table, items=items)


def fit_votes(model, table, items):
    """The fit's votes (the table over ``items``) as predict_proba and score take them."""
    return fit_votes_over(table, model.labels, items)


@pytest.mark.parametrize("name", sorted(MODELS))
class TestEveryModel:
    @SETTINGS
    @given(data=vote_tables())
    def test_probas_rows_are_distributions(self, name, data):
        """probas_ has a finite, non-negative row summing to 1 for every item, voted or not."""
        table, items, labels, _ = data
        probs = fitted(name, table, items, labels).probas_.to_numpy()
        assert probs.shape[0] == len(items)
        assert np.isfinite(probs).all() and (probs >= 0).all()
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-9)

    @SETTINGS
    @given(data=vote_tables())
    def test_labels_are_a_most_probable_class_and_predict_gives_them(self, name, data):
        """labels_ is a class of largest probability (ties within 1e-9), and predict / predict_proba on the
        fit's votes give labels_ and probas_."""
        table, items, labels, _ = data
        model = fitted(name, table, items, labels)
        probs = model.probas_.to_numpy()
        codes = pd.Index(model.classes_).get_indexer(model.labels_.to_numpy(dtype=object))
        assert (codes >= 0).all()
        top = probs.max(axis=1)
        assert (probs[np.arange(len(probs)), codes] >= top - 1e-9 * np.maximum(top, 1)).all()
        votes = fit_votes(model, table, items)
        if name != "random":  # RandomVoter draws afresh per call: only the shape is its contract
            np.testing.assert_allclose(model.predict_proba(votes).to_numpy(), probs, atol=1e-12)
            assert model.predict(votes).tolist() == model.labels_.tolist()

    @SETTINGS
    @given(data=vote_tables())
    def test_score_is_the_accuracy_on_gold_of_the_untied_items(self, name, data):
        """score's accuracy equals the share of gold matched by the argmax over the items whose top class is
        unique (within 1e-5; the default "abstain" policy leaves ties out); NaN when every item ties."""
        table, items, labels, gold = data
        model = fitted(name, table, items, labels)
        votes = fit_votes(model, table, items)
        probs = model.predict_proba(votes).to_numpy()
        untied = (np.abs(probs - probs.max(axis=1, keepdims=True)) < 1e-5).sum(axis=1) == 1
        predicted = np.asarray(model.classes_, dtype=object)[probs.argmax(axis=1)]
        expected = np.mean(predicted[untied] == gold.to_numpy()[untied]) if untied.any() else np.nan
        assert model.score(votes, gold)["accuracy"] == pytest.approx(expected, nan_ok=True)

    @SETTINGS
    @given(data=vote_tables())
    def test_fit_twice_and_on_shuffled_rows_gives_the_same_answer(self, name, data):
        """Two fits of one table, and a fit of its rows shuffled, give the same probas_ and labels_ by item."""
        table, items, labels, _ = data
        first = fitted(name, table, items, labels)
        again = fitted(name, table, items, labels)
        pd.testing.assert_frame_equal(again.probas_, first.probas_)
        pd.testing.assert_series_equal(again.labels_, first.labels_)
        shuffled = fitted(name, table.sample(frac=1.0, random_state=1), items, labels)
        np.testing.assert_allclose(shuffled.probas_.to_numpy(), first.probas_.to_numpy(), atol=1e-9)
        assert shuffled.labels_.tolist() == first.labels_.tolist()

    @SETTINGS
    @given(data=vote_tables())
    def test_accuracies_and_weights_lie_in_the_unit_interval(self, name, data):
        """accuracies_ (and get_weights, where the model has it) lie in [0, 1], NaN only for a silent labeler."""
        table, items, labels, _ = data
        model = fitted(name, table, items, labels)
        for values in [getattr(model, "accuracies_", None), getattr(model, "get_weights", lambda: None)()]:
            if values is not None:
                arr = np.asarray(values, dtype=np.float64)
                assert ((arr >= 0) & (arr <= 1) | np.isnan(arr)).all()


@pytest.mark.parametrize("name", WITH_CONDITIONALS)
@SETTINGS
@given(data=vote_tables())
def test_conditional_probs_are_a_distribution_per_function_and_class(name, data):
    """get_conditional_probs()[j, :, y] (abstain first) has entries in [0, 1] summing to 1."""
    table, items, labels, _ = data
    cond = fitted(name, table, items, labels).get_conditional_probs()
    assert (cond >= -1e-12).all() and (cond <= 1 + 1e-12).all()
    np.testing.assert_allclose(cond.sum(axis=1), 1.0, atol=1e-9)


@pytest.mark.parametrize("name", sorted(set(MODELS) - {"iwmv", "random"}))
@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 14), m=st.integers(1, 4), k=st.integers(2, 5))
def test_a_matrix_with_rows_permuted_gives_the_rows_probas_permuted(name, seed, n, m, k):
    """A label matrix's rows permuted give probas_ with the same rows permuted. (IWMV's rounds break
    ties by item name, a matrix's items are its row numbers; RandomVoter draws per row.)"""
    rng = np.random.default_rng(seed)
    matrix = rng.integers(-1, k, size=(n, m))
    matrix[0, 0], matrix[1, 0] = 0, 1
    order = rng.permutation(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probs = MODELS[name](None).fit(matrix).probas_.to_numpy()
        permuted = MODELS[name](None).fit(matrix[order]).probas_.to_numpy()
    np.testing.assert_allclose(permuted, probs[order], atol=1e-9)


class TestKnownViolations:
    """Inputs that broke an invariant on main (each test fails there)."""

    #: Six items, three functions: the moment fit alone gave P(λ_2 votes | y = 0) = 1.197 (abstain -0.197).
    MATRIX = np.array([[0, 0, 0], [1, 1, 1], [0, -1, 1], [-1, 1, -1], [-1, 1, -1], [-1, 0, 1]])

    def test_the_moment_fit_alone_gives_no_negative_abstain_probability(self):
        """LabelModel(n_em_iter=0): each function's outcome probabilities per class are a distribution."""
        model = weak.LabelModel(n_em_iter=0).fit(self.MATRIX)
        cond = model.get_conditional_probs()
        assert cond.min() >= 0.0
        np.testing.assert_allclose(cond.sum(axis=1), 1.0)
        assert model.mu_.reshape(3, 2, 2).sum(axis=1).max() <= 1.0 + 1e-12

    def test_dawid_skene_on_votes_of_one_class_is_an_error_naming_labels(self):
        """DawidSkeneLabelModel on votes naming one class raises as the other models do (it fitted a 1-class
        model whose predict then failed on a (n, 1) posterior)."""
        table = pd.DataFrame({"item": ["a", "b"], "labeler": ["x", "x"], "label": [True, True]})
        with pytest.raises(InvalidParameterError, match=r"labels must hold at least 2 classes.*True"):
            weak.DawidSkeneLabelModel().fit(table)
        model = weak.DawidSkeneLabelModel(labels=[False, True]).fit(table)
        assert model.probas_.shape == (2, 2)

    def test_dawid_skene_balance_with_a_declared_class_nobody_voted_sums_to_one(self):
        """DawidSkeneLabelModel with labels= naming a class nobody voted: class_balance_ (and so the probas_ row of
        an item nobody voted on) sums to 1 (the floored prior was not renormalised: 1 + 1e-6)."""
        table = pd.DataFrame({"item": ["a", "b"], "labeler": ["x", "x"], "label": [0, 1]})
        model = weak.DawidSkeneLabelModel(labels=[0, 1, 5]).fit(table, items=["a", "b", "c"])
        assert model.class_balance_.sum() == pytest.approx(1.0, abs=1e-12)
        assert model.probas_.loc["c"].sum() == pytest.approx(1.0, abs=1e-12)

    @pytest.mark.parametrize("name", ["majority-vote", "majority-class"])
    def test_predict_abstains_on_ties_with_classes_of_mixed_types(self, name):
        """predict(tie_break_policy="abstain") with classes 1 and "b" (an object Index) gives None on a tie (item a
        here, both models): it raised "assignment destination is read-only" (pandas' read-only view of the Index)."""
        table = pd.DataFrame({"item": ["a", "a", "b", "c"], "labeler": ["x", "y", "x", "x"], "label": [1, "b", "b", 1]})
        predicted = fitted(name, table, None, None).predict(table, tie_break_policy="abstain")
        assert predicted.index.tolist() == ["a", "b", "c"] and predicted["a"] is None

    def test_dawid_skene_fits_votes_whose_classes_are_of_mixed_types(self):
        """DawidSkeneLabelModel on labels 7 and "b" fits as LabelModel does (it passed them to the aggregate as a
        list, which made the text "7" the declared class and refused the vote 7)."""
        table = pd.DataFrame({"item": ["a", "a", "b", "c"], "labeler": ["x", "y", "x", "y"], "label": [7, 7, "b", "b"]})
        model = weak.DawidSkeneLabelModel().fit(table)
        assert sorted(model.classes_.tolist(), key=str) == [7, "b"]
        assert model.labels_["a"] == 7 and model.predict(table).tolist() == model.labels_.tolist()

    def test_the_aggregates_declared_labels_of_mixed_types_stay_themselves(self):
        """aggregate.DawidSkene(labels=[7, "b"]) (the label models' dependence check runs it) takes the vote 7."""
        from labelwise import aggregate

        answers = pd.DataFrame({"item": ["a", "a", "b"], "annotator": ["x", "y", "x"], "label": [7, 7, "b"]})
        assert aggregate.DawidSkene(labels=[7, "b"]).fit(answers).labels_["a"] == 7

    @pytest.mark.parametrize("name", ["label-model", "majority-vote", "dawid-skene"])
    def test_classes_of_mixed_types_declared_or_not_are_fitted_in_one_order(self, name):
        """Labels 7 and "b": declared in labels= they were turned into the text "7" (the vote 7 refused), and found
        in the votes their order (the columns of probas_) followed the table's rows."""
        table = pd.DataFrame({"item": ["a", "a", "b", "c"], "labeler": ["x", "y", "x", "y"], "label": [7, 7, "b", "b"]})
        declared = fitted(name, table, None, [7, "b"])
        assert declared.classes_.tolist() == [7, "b"] and declared.labels_["a"] == 7
        found = fitted(name, table, None, None).classes_.tolist()
        assert fitted(name, table.iloc[::-1], None, None).classes_.tolist() == found

    @pytest.mark.parametrize("classes", [[False, True], [1.5, 2.5], [0, 1], ["ham", "spam"]])
    @pytest.mark.parametrize("name", ["label-model", "dawid-skene"])
    def test_a_saved_and_loaded_model_predicts_the_fitted_models_series(self, tmp_path, name, classes):
        """load(save(model)).predict gives model.predict's Series, dtype included (bool and float classes came
        back as an object array: an object Series of the same values)."""
        first, second = classes
        table = pd.DataFrame(
            {"item": [*"aabbcd"], "labeler": [*"xyxyxy"], "label": [first, first, second, second, first, second]}
        )
        model = fitted(name, table, None, None)
        path = model.save(tmp_path / "model.npz")
        loaded = type(model)().load(path)
        pd.testing.assert_series_equal(loaded.predict(table), model.predict(table))
        assert loaded.classes_.dtype == model.classes_.dtype or model.classes_.dtype == object

    def test_majority_class_ties_do_not_depend_on_the_order_of_the_rows(self):
        """MajorityClassVoter on a matrix and on its rows reversed: the same probas_ rows. The "votes" balance is a
        mean of vote shares (here [0.5, 0.5], [1/3, 2/3], [2/3, 1/3]: 1/2 each), whose last bits follow the order of
        the items; an exact == on it gave [1, 0] one way and [0.5, 0.5] the other."""
        matrix = np.array([[1, 0, -1], [1, 0, 1], [1, 0, 0]])
        forward = weak.MajorityClassVoter().fit(matrix).probas_.to_numpy()
        backward = weak.MajorityClassVoter().fit(matrix[::-1]).probas_.to_numpy()
        np.testing.assert_array_equal(forward, backward)
        np.testing.assert_array_equal(forward, np.full((3, 2), 0.5))

    def test_majority_class_balance_averages_the_voted_items_as_the_other_models(self):
        """MajorityClassVoter's "votes" balance with items= is the mean vote share over the voted items, the
        balance LabelModel's and DawidSkeneLabelModel's "votes" give: items without a vote do not dilute it."""
        table = pd.DataFrame({"item": ["a", "a", "b", "c"], "labeler": ["x", "y", "x", "y"], "label": [1, 1, 0, 1]})
        items = ["a", "b", "c", "d", "e"]
        balance = weak.MajorityClassVoter().fit(table, items=items).class_balance_
        np.testing.assert_allclose(balance, [1 / 3, 2 / 3])
        np.testing.assert_allclose(weak.MajorityClassVoter().fit(table).class_balance_, balance)
        np.testing.assert_allclose(weak.LabelModel(n_em_iter=0).fit(table, items=items).class_balance_, balance)
        ds = weak.DawidSkeneLabelModel(class_balance="votes").fit(table, items=items)
        np.testing.assert_allclose(ds.class_balance_, balance)
