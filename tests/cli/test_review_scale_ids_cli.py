"""An audit at scale with ``--id-column``, walked on into the review and ``labelwise export``: the cards and the
change log name the user's ids, the cleaned copy is DATA's rows (ids intact) minus the excluded ones and equals
the in-memory audit's export, the decisions follow their ids into a re-audit whose parts are reordered, and data
whose ids moved since the audit is refused."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise import _chunk_floor
from labelwise.cli import main
from labelwise.review._state import ReviewState
from labelwise.review.store import DecisionStore

N = 60
IDS = ["007", "a b", "ünï", *[f"s{i:03d}" for i in range(N - 3)]]


@pytest.fixture(autouse=True)
def _partitions_kept(monkeypatch):
    """Partitions of a few KB are not merged into one (the chunk floor), so 3 parts run as 3 partitions."""
    monkeypatch.setattr(_chunk_floor, "ROW_CHUNK_FLOOR_BYTES", 0)
    monkeypatch.setattr(_chunk_floor, "MIN_CHUNK_BYTES", 0)


def _invoke(*args) -> object:
    return CliRunner().invoke(main, [*map(str, args)])


def _text(res) -> str:
    return " ".join(res.output.split())


def _write(frame: pd.DataFrame, probs: np.ndarray, folder, order=(0, 1, 2)) -> None:
    """``frame`` as 3 Parquet parts in ``folder/data`` (part i holds block ``order[i]``), and its probabilities."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    blocks = np.array_split(np.arange(len(frame)), 3)
    rows = np.concatenate([blocks[b] for b in order])
    for i, b in enumerate(order):
        frame.iloc[blocks[b]].to_parquet(folder / "data" / f"part.{i}.parquet", index=False)
    np.save(folder / "p.npy", probs[rows])


@pytest.fixture
def walk(tmp_path):
    """A table of text ids, a number and a label (three rows mislabelled), as 3 parts; audited at scale."""
    rng = np.random.default_rng(5)
    y = np.arange(N) % 3
    frame = pd.DataFrame({"sample": IDS, "x": (rng.normal(size=N) + y).round(3), "y": np.array(list("abc"))[y]})
    frame.loc[[4, 25, 47], "y"] = "a"
    probs = rng.dirichlet(np.ones(3), size=N) * 0.2
    probs[np.arange(N), y] += 0.8
    _write(frame, probs, tmp_path / "in")
    res = _audit(tmp_path / "in", tmp_path / "A")
    assert res.exit_code == 0, res.output
    return tmp_path, frame, probs


def _audit(folder, out, *extra) -> object:
    args = ["--label", "y", "--probs", folder / "p.npy", "--id-column", "sample", "--out", out, "--no-report"]
    return _invoke("audit", folder / "data", *args, "--scheduler", "synchronous", "--chunk-rows", 25, *extra)


def _decide(out) -> dict[str, tuple[str, object]]:
    """As the review page does (its state, bound with the ids): exclude the worst card, relabel the next two."""
    state = ReviewState(out, reviewer="me", db_timeout=5.0)
    cards = [state.example(i, {}) for i in range(3)]
    state.store.record(cards[0]["row"], "exclude", version=0, reviewer="me")
    for card in cards[1:]:
        state.store.record(card["row"], "relabel", version=0, reviewer="me", label=card["suggested"])
    return {c["id"]: ("exclude", None) if i == 0 else ("relabel", c["suggested"]) for i, c in enumerate(cards)}


def _export(out, target) -> object:
    return _invoke("export", out, "--out", target)


class TestExportOfAnAuditAtScale:
    def test_the_cards_name_the_users_ids(self, walk):
        """Each card's id is DATA's id of its row, under the --id-column's name."""
        tmp, frame, _ = walk
        state = ReviewState(tmp / "A", reviewer="me", db_timeout=5.0)
        card = state.example(0, {})
        assert card["id_column"] == "sample"
        assert card["id"] == frame["sample"][card["row"]]

    def test_the_cleaned_copy_is_datas_rows_minus_the_excluded_with_the_ids_intact(self, walk):
        """The excluded id is gone, the relabelled ids hold their new labels, every other row is DATA's."""
        tmp, frame, _ = walk
        decided = _decide(tmp / "A")
        res = _export(tmp / "A", tmp / "clean.parquet")
        assert res.exit_code == 0, res.output
        clean = pd.read_parquet(tmp / "clean.parquet")
        gone = [i for i, d in decided.items() if d[0] == "exclude"]
        assert list(clean["sample"]) == [i for i in frame["sample"] if i not in gone]
        expected = frame.set_index("sample").drop(index=gone)
        for i, (action, label) in decided.items():
            if action == "relabel":
                expected.loc[i, "y"] = label
        pd.testing.assert_frame_equal(clean.set_index("sample"), expected, check_dtype=False)
        log = pd.read_csv(tmp / "clean.parquet.changes.csv", dtype=str)
        assert list(log.columns[:2]) == ["row", "sample"] and set(log["sample"]) == set(decided)

    def test_the_in_memory_audit_of_the_same_data_exports_the_same_rows(self, walk):
        """The same decisions by id on the in-memory audit of the same folder: the same cleaned rows."""
        tmp, _, _ = walk
        decided = _decide(tmp / "A")
        res = _invoke(
            "audit", tmp / "in" / "data", "--label", "y", "--probs", tmp / "in" / "p.npy", "--id-column", "sample",
            "--out", tmp / "M", "--no-report",
        )  # fmt: skip
        assert res.exit_code == 0, res.output
        issues = pd.read_csv(tmp / "M" / "issues.csv", dtype={"sample": str})
        row_of = dict(zip(issues["sample"], issues["row"], strict=True))
        store = DecisionStore(tmp / "M" / "review.sqlite")
        for i, (action, label) in decided.items():
            store.record(int(row_of[i]), action, version=0, reviewer="me", label=label)
        assert _export(tmp / "A", tmp / "a.parquet").exit_code == 0
        assert _export(tmp / "M", tmp / "m.parquet").exit_code == 0
        pd.testing.assert_frame_equal(pd.read_parquet(tmp / "a.parquet"), pd.read_parquet(tmp / "m.parquet"))


class TestReauditWithItsPartsReordered:
    def test_the_decisions_follow_their_ids_into_the_reaudit(self, walk):
        """Parts written in another order and audited again into the same folder: the export applies each
        decision to its id (before, the review's database was refused as another audit's)."""
        tmp, frame, probs = walk
        decided = _decide(tmp / "A")
        assert _export(tmp / "A", tmp / "before.parquet").exit_code == 0
        _write(frame, probs, tmp / "in", order=(2, 0, 1))
        res = _audit(tmp / "in", tmp / "A", "--force")
        assert res.exit_code == 0, res.output
        res = _export(tmp / "A", tmp / "after.parquet")
        assert res.exit_code == 0, res.output
        before = pd.read_parquet(tmp / "before.parquet").set_index("sample").sort_index()
        after = pd.read_parquet(tmp / "after.parquet").set_index("sample").sort_index()
        pd.testing.assert_frame_equal(after, before)
        log = pd.read_csv(tmp / "after.parquet.changes.csv", dtype=str)
        assert {i: a for i, a in zip(log["sample"], log["action"], strict=True)} == {
            i: d[0] for i, d in decided.items()
        }


class TestDataChangedSinceTheAudit:
    def test_two_rows_of_one_label_swapped_are_refused_by_their_ids(self, walk):
        """Every label in place, two ids swapped: the export names the row and both ids, writes nothing
        (before, it excluded the other example and logged its id)."""
        tmp, frame, probs = walk
        _decide(tmp / "A")
        first = pd.read_parquet(tmp / "in" / "data" / "part.0.parquet")
        same = first.index[first["y"] == first["y"][0]][1]
        first.iloc[[0, same]] = first.iloc[[same, 0]].to_numpy()
        first.to_parquet(tmp / "in" / "data" / "part.0.parquet", index=False)
        res = _export(tmp / "A", tmp / "clean.parquet")
        assert res.exit_code != 0
        assert f"holds {frame['sample'][same]!r} at row 0" in _text(res) and "changed since the audit" in _text(res)
        assert not (tmp / "clean.parquet").exists()

    def test_data_without_the_id_column_any_more_is_refused(self, walk):
        """Every part written again without the --id-column: refused, naming the column."""
        tmp, _, _ = walk
        for part in sorted((tmp / "in" / "data").iterdir()):
            pd.read_parquet(part).drop(columns="sample").to_parquet(part, index=False)
        res = _export(tmp / "A", tmp / "clean.parquet")
        assert res.exit_code != 0 and "has no column 'sample', the audit's --id-column" in _text(res)

    def test_an_id_emptied_since_the_audit_is_refused(self, walk):
        """A row whose id was emptied (labels unchanged): refused, naming the row."""
        tmp, _, _ = walk
        last = tmp / "in" / "data" / "part.2.parquet"
        part = pd.read_parquet(last)
        part.loc[part.index[1], "sample"] = None
        part.to_parquet(last, index=False)
        res = _export(tmp / "A", tmp / "clean.parquet")
        assert res.exit_code != 0 and f"at row {N - len(part) + 1} " in _text(res)

    def test_an_existing_out_is_never_overwritten(self, walk):
        """An --out that exists is refused without --force, and left as it was."""
        tmp, _, _ = walk
        _decide(tmp / "A")
        (tmp / "clean.parquet").write_bytes(b"mine")
        res = _export(tmp / "A", tmp / "clean.parquet")
        assert res.exit_code != 0 and "already exists" in _text(res)
        assert (tmp / "clean.parquet").read_bytes() == b"mine"
        assert not (tmp / "clean.parquet.changes.csv").exists()
