"""``CleanMultilabelClassifier(tag_separator=)``: string tags split at the separator the audit's
``find_label_issues(..., tag_separator=)`` takes, checked by the same shared check (a string ``y``
was split at ``|`` only)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_multilabel_classification

from labelwise.errors import InvalidLabelsError, InvalidParameterError
from labelwise.robust import CleanMultilabelClassifier

TAGS = np.array(["R&D|ops", "sales", "legal"])  # the first holds a "|" of its own


def _data():
    X, Y = make_multilabel_classification(150, n_features=6, n_classes=3, random_state=3)
    return X, Y.astype(bool)


def _cells(Y: np.ndarray, sep: str) -> list[str]:
    return [sep.join(TAGS[row]) for row in Y]


class TestTagSeparator:
    @pytest.mark.parametrize("sep", [";", "//", "+", "::"])
    def test_string_tags_split_at_the_separator_fit_as_the_lists(self, sep):
        """Cells joined by ``sep`` and read with ``tag_separator=sep`` give the fit of the tag lists (given
        the same separator: 'R&D|ops' could not be written back into a cell joined by the default '|')."""
        X, Y = _data()
        lists = [TAGS[row].tolist() for row in Y]
        want = CleanMultilabelClassifier(cv=3, random_state=0, tag_separator=sep).fit(X, lists)
        got = CleanMultilabelClassifier(cv=3, random_state=0, tag_separator=sep).fit(X, _cells(Y, sep))
        assert got.classes_.tolist() == want.classes_.tolist() == sorted(TAGS.tolist())
        np.testing.assert_array_equal(got.issues_.is_issue, want.issues_.is_issue)
        np.testing.assert_array_equal(got.predict_proba(X), want.predict_proba(X))

    def test_the_default_still_splits_at_the_bar(self):
        """Without the option ``"a|b"`` is two tags: a tag holding ``|`` is cut (why the option exists)."""
        X, Y = _data()
        model = CleanMultilabelClassifier(cv=3, random_state=0).fit(X, _cells(Y, "|"))
        assert "R&D|ops" not in model.classes_.tolist()
        assert {"R&D", "ops"} <= set(model.classes_.tolist())

    @pytest.mark.parametrize("bad", ["", " ", " ;", "; ", None, 3])
    def test_a_bad_separator_is_refused_by_name(self, bad):
        """Empty, blank, space-padded or non-string separators raise naming tag_separator and the value."""
        X, Y = _data()
        with pytest.raises(InvalidParameterError, match=r"tag_separator must be a non-empty string") as info:
            CleanMultilabelClassifier(cv=3, tag_separator=bad).fit(X, _cells(Y, ";"))
        assert repr(bad) in str(info.value)

    def test_the_separator_is_a_parameter_clone_keeps(self):
        """get_params / clone carry it, so a grid search or a pipeline keeps the reading of y."""
        model = CleanMultilabelClassifier(tag_separator=";")
        assert model.get_params()["tag_separator"] == ";"
        assert clone(model).tag_separator == ";"


def test_a_tag_holding_the_default_bar_fits_under_another_separator():
    """Tag lists holding 'R&D|ops' fit with ``tag_separator=";"`` (the audit inside checks its tags against
    the classifier's separator, not the default '|') and are refused naming the tag under the default."""
    X, Y = _data()
    lists = [TAGS[row].tolist() for row in Y]
    model = CleanMultilabelClassifier(cv=3, random_state=0, tag_separator=";").fit(X, lists)
    assert "R&D|ops" in model.classes_.tolist()
    with pytest.raises(InvalidLabelsError, match="R&D"):
        CleanMultilabelClassifier(cv=3, random_state=0).fit(X, lists)
