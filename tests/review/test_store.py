"""Tests of ``labelwise.review.DecisionStore``: versions, conflicts, durability and storage errors."""

from __future__ import annotations

import os
import sqlite3
import threading

import numpy as np
import pytest

from labelwise.errors import ConflictError, InvalidParameterError, StorageError
from labelwise.review import DecisionStore


@pytest.fixture
def store(tmp_path):
    return DecisionStore(tmp_path / "review.sqlite", n_examples=10)


class TestRecord:
    def test_decisions_are_versioned_and_persist_across_instances(self, store, tmp_path):
        """Each decision bumps the example's version and a fresh store sees it."""
        d1 = store.record(3, "relabel", version=0, reviewer="ann", label=7)
        d2 = store.record(3, "exclude", version=1, reviewer="bob")
        assert (d1.version, d2.version) == (1, 2)
        again = DecisionStore(tmp_path / "review.sqlite")
        current = again.current()
        assert list(current) == [3]
        assert (current[3].action, current[3].reviewer, current[3].version, current[3].label) == (
            "exclude",
            "bob",
            2,
            None,
        )
        history = again.history()
        assert history[["row", "version", "action", "reviewer"]].values.tolist() == [
            [3, 1, "relabel", "ann"],
            [3, 2, "exclude", "bob"],
        ]
        assert history["label"].tolist()[0] == 7 and history["decided_at"].str.endswith("+00:00").all()

    def test_labels_keep_their_json_type(self, store):
        """String and integer class values come back with their type."""
        store.record(1, "relabel", version=0, reviewer="a", label="<script>")
        store.record(2, "relabel", version=0, reviewer="a", label=4)
        current = store.current()
        assert current[1].label == "<script>" and current[2].label == 4 and isinstance(current[2].label, int)

    def test_a_numpy_class_value_is_stored_as_its_python_value(self, store):
        """A class read from a numpy array (np.int64) was refused as 'not a JSON value'."""
        store.record(3, "relabel", version=0, reviewer="a", label=np.int64(5))
        assert store.current()[3].label == 5 and isinstance(store.current()[3].label, int)

    def test_stale_version_is_a_conflict_and_nothing_is_written(self, store):
        """A decision made on an outdated version raises ConflictError naming who changed it."""
        store.record(5, "keep", version=0, reviewer="tab1")
        with pytest.raises(ConflictError, match=r"row 5 changed by 'tab1' \(keep\).*version 0.*version 1"):
            store.record(5, "exclude", version=0, reviewer="tab2")
        assert len(store.history()) == 1

    def test_racing_writers_on_one_version_exactly_one_wins(self, store):
        """Threads deciding the same example on the same version: one succeeds, the others conflict."""
        barrier = threading.Barrier(4)
        results = []

        def attempt(name):
            barrier.wait()
            try:
                store.record(0, "keep", version=0, reviewer=name)
                results.append("ok")
            except ConflictError:
                results.append("conflict")

        threads = [threading.Thread(target=attempt, args=(f"t{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["conflict"] * 3 + ["ok"]
        assert len(store.history()) == 1

    def test_clear_undoes_a_decision(self, store):
        """A clear decision is recorded and leaves the example with no label."""
        store.record(4, "relabel", version=0, reviewer="a", label=1)
        d = store.record(4, "clear", version=1, reviewer="a", label=9)
        assert d.action == "clear" and d.label is None and store.get(4).version == 2

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"row": -1}, "row must be a non-negative integer, got -1"),
            ({"row": 10}, r"row must be in \[0, 9\], got 10"),
            ({"action": "delete"}, "action must be one of .*got 'delete'"),
            ({"version": -2}, "version must be a non-negative integer, got -2"),
            ({"reviewer": "  "}, "reviewer must be a non-empty name"),
            ({"action": "relabel", "label": None}, "label is required for action 'relabel'"),
            ({"action": "relabel", "label": object()}, "label must be one class value"),
            # session 15: a list was stored and exported into the label column; NaN made a missing label
            ({"action": "relabel", "label": [1, 2]}, r"label must be one class value .*got \[1, 2\]"),
            ({"action": "relabel", "label": float("nan")}, "label must be one class value .*got nan"),
        ],
    )
    def test_invalid_arguments_are_refused(self, store, kwargs, match):
        """Bad rows, actions, versions, reviewers and labels raise InvalidParameterError."""
        args = {"row": 1, "action": "keep", "version": 0, "reviewer": "a", **kwargs}
        with pytest.raises(InvalidParameterError, match=match):
            store.record(args.pop("row"), args.pop("action"), **args)


class TestStorage:
    def test_database_is_in_wal_mode(self, store):
        """The journal is WAL so readers never block the writer."""
        with sqlite3.connect(store.path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    def test_locked_database_raises_storage_error_and_saves_nothing(self, tmp_path):
        """A write while another process holds the lock fails clearly after the timeout."""
        store = DecisionStore(tmp_path / "review.sqlite", timeout=0.1)
        other = sqlite3.connect(store.path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageError, match=r"is locked by another process.*was not saved"):
                store.record(1, "keep", version=0, reviewer="a")
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert store.current() == {}

    def test_read_only_database_raises_storage_error(self, store, monkeypatch):
        """A database that refuses writes gives a clear StorageError, not a lost decision."""
        original = DecisionStore._connect

        def read_only(self):
            cm = original(self)
            conn = cm.__enter__()
            conn.execute("PRAGMA query_only = ON")  # SQLITE_READONLY on any write, even as root
            return _Wrap(cm, conn)

        monkeypatch.setattr(DecisionStore, "_connect", read_only)
        with pytest.raises(StorageError, match=r"is read-only; the decision 'keep' on row 1 was not saved"):
            store.record(1, "keep", version=0, reviewer="a")
        monkeypatch.undo()
        assert store.current() == {}

    @pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
    def test_read_only_file_raises_storage_error(self, store):
        """A database file without write permission gives StorageError."""
        os.chmod(store.path, 0o444)
        try:
            with pytest.raises(StorageError, match="read-only"):
                store.record(1, "keep", version=0, reviewer="a")
        finally:
            os.chmod(store.path, 0o644)

    def test_missing_folder_and_corrupt_file(self, tmp_path):
        """A missing folder or a file that is not SQLite raises StorageError naming the path."""
        with pytest.raises(StorageError, match="does not exist"):
            DecisionStore(tmp_path / "nope" / "review.sqlite")
        bad = tmp_path / "review.sqlite"
        bad.write_bytes(b"this is not a database" * 100)
        with pytest.raises(StorageError, match="corrupt"):
            DecisionStore(bad)


class _Wrap:
    """Context manager returning a pre-opened connection and closing it through the original."""

    def __init__(self, cm, conn):
        self.cm, self.conn = cm, conn

    def __enter__(self):
        return self.conn

    def __exit__(self, *exc):
        return self.cm.__exit__(*exc)


def test_bind_refuses_a_database_of_another_audit(tmp_path):
    """A database bound to one audit size refuses another, with a message saying what to do."""
    store = DecisionStore(tmp_path / "review.sqlite")
    store.bind("n_examples", "100")
    store.bind("n_examples", "100")
    with pytest.raises(StorageError, match=r"belongs to another audit \(n_examples 100, this audit has 120\)"):
        DecisionStore(tmp_path / "review.sqlite").bind("n_examples", "120")
