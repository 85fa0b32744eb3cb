"""``DecisionStore.bind_audit(issues, id_column=...)``: with the data's ids the review's decisions follow them into
an audit of the same examples in another row order (labelwise.review._id_keys). Before, such an audit was refused
("belongs to another audit") and the review was lost with it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import StorageError
from labelwise.review._id_keys import issues_id_column
from labelwise.review.store import DecisionStore

IDS = ["007", "a b", "ünï", "10", "x", "y", "z", "w"]
LABELS = ["cat", "dog", "owl", "cat", "dog", "owl", "cat", "dog"]


def _issues(order) -> pd.DataFrame:
    """An issues table of the examples IDS (labels LABELS) in the row order ``order`` (positions into IDS)."""
    return pd.DataFrame(
        {
            "row": np.arange(len(order)),
            "sample": [IDS[i] for i in order],
            "given_label": [LABELS[i] for i in order],
        }
    )


def _bound(tmp_path, issues) -> DecisionStore:
    store = DecisionStore(tmp_path / "review.sqlite", n_examples=len(issues))
    store.bind_audit(issues, id_column="sample")
    return store


def _by_id(store: DecisionStore, issues: pd.DataFrame) -> dict[str, tuple[str, object]]:
    ids = issues.set_index("row")["sample"]
    return {ids[r]: (d.action, d.label) for r, d in store.current().items()}


class TestDecisionsFollowTheirIds:
    def test_a_reaudit_in_another_row_order_takes_the_decisions_at_their_ids_rows(self, tmp_path):
        """Each decision is at the row of its id in the new audit, with its action, label and version."""
        first = _issues(range(8))
        store = _bound(tmp_path, first)
        store.record(0, "relabel", version=0, reviewer="a", label="owl")  # 007
        store.record(2, "exclude", version=0, reviewer="a")  # ünï
        store.record(2, "keep", version=1, reviewer="b")
        order = [5, 2, 7, 0, 1, 3, 4, 6]
        second = _issues(order)
        again = _bound(tmp_path, second)
        assert _by_id(again, second) == {"007": ("relabel", "owl"), "ünï": ("keep", None)}
        assert again.get(order.index(2)).version == 2
        assert again.get(order.index(0)).reviewer == "a"

    def test_a_decision_made_after_the_move_is_kept_with_its_id_for_the_next(self, tmp_path):
        """A decision recorded on the new audit follows its id into a third order too."""
        store = _bound(tmp_path, _issues(range(8)))
        store.record(1, "exclude", version=0, reviewer="a")  # a b
        second = _issues([7, 6, 5, 4, 3, 2, 1, 0])
        _bound(tmp_path, second).record(0, "keep", version=0, reviewer="a")  # w
        third = _issues([1, 7, 0, 2, 3, 4, 5, 6])
        assert _by_id(_bound(tmp_path, third), third) == {"a b": ("exclude", None), "w": ("keep", None)}

    def test_decisions_recorded_without_ids_are_given_them_when_bound_with_them(self, tmp_path):
        """A store written from Python (no ids) gets its decided rows' ids at the next bind with them."""
        first = _issues(range(8))
        plain = DecisionStore(tmp_path / "review.sqlite", n_examples=8)
        plain.bind_audit(first)
        plain.record(3, "exclude", version=0, reviewer="a")  # 10
        _bound(tmp_path, first)  # the export or the review page opening it
        second = _issues([3, 0, 1, 2, 4, 5, 6, 7])
        assert _by_id(_bound(tmp_path, second), second) == {"10": ("exclude", None)}


class TestRefusedAsBefore:
    def test_a_decided_id_missing_from_the_new_audit_is_refused(self, tmp_path):
        """A decision whose example is gone has no row to go to: the store belongs to another audit."""
        store = _bound(tmp_path, _issues(range(8)))
        store.record(4, "exclude", version=0, reviewer="a")  # x
        with pytest.raises(StorageError, match="belongs to another audit"):
            _bound(tmp_path, _issues([0, 1, 2, 3, 5, 6, 7]))

    def test_a_decided_example_whose_given_label_changed_is_refused(self, tmp_path):
        """The same ids with another given label at a decided one: refused, decisions left where they were."""
        store = _bound(tmp_path, _issues(range(8)))
        store.record(1, "relabel", version=0, reviewer="a", label="cat")  # a b (dog)
        changed = _issues([1, 0, 2, 3, 4, 5, 6, 7])
        changed.loc[0, "given_label"] = "owl"
        with pytest.raises(StorageError, match="belongs to another audit"):
            _bound(tmp_path, changed)
        assert set(DecisionStore(tmp_path / "review.sqlite").current()) == {1}

    def test_decisions_never_bound_with_ids_are_refused_in_another_order(self, tmp_path):
        """Decided while no id was kept (the ids unknown when the audit still matched): another order is refused."""
        store = DecisionStore(tmp_path / "review.sqlite", n_examples=8)
        store.bind_audit(_issues(range(8)))
        store.record(0, "exclude", version=0, reviewer="a")
        with pytest.raises(StorageError, match="belongs to another audit"):
            DecisionStore(tmp_path / "review.sqlite").bind_audit(_issues([1, 0, 2, 3, 4, 5, 6, 7]), id_column="sample")


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(range(8)), decided=st.sets(st.integers(0, 7), max_size=8))
def test_any_reorder_moves_every_decision_to_its_ids_row(tmp_path_factory, order, decided):
    """For any new order and any decided rows, the decisions by id are the same before and after the move."""
    folder = tmp_path_factory.mktemp("store")
    first = _issues(range(8))
    store = _bound(folder, first)
    for r in sorted(decided):
        store.record(r, "relabel", version=0, reviewer="a", label=LABELS[(r + 1) % 8])
    before = _by_id(store, first)
    second = _issues(order)
    assert _by_id(_bound(folder, second), second) == before


class TestIssuesIdColumn:
    def test_the_audits_id_column_or_id_where_it_was_named_row(self):
        """The settings' --id-column as the issues table holds it; ``id`` for a column named ``row``."""
        issues = _issues(range(3))
        assert issues_id_column(issues, {"id_column": "sample"}) == "sample"
        assert issues_id_column(issues.rename(columns={"sample": "id"}), {"id_column": "row"}) == "id"
        assert issues_id_column(issues, {}) is None
        assert issues_id_column(issues, {"id_column": "sample", "task": "multilabel"}) is None
