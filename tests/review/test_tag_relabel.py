"""Relabelling an item's tag set in the review of a `labelwise aggregate-tags` folder: the HTTP API, the export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from labelwise.cli import main
from labelwise.errors import InvalidParameterError
from labelwise.review import DecisionStore, create_app, export_cleaned

BASE = "http://127.0.0.1"
TAGS = ["cat", "dog", "owl"]
ANSWERS = """\
item,annotator,tags
1,a,cat;dog
1,b,cat
1,c,cat
2,a,dog
2,b,dog
2,c,dog
3,a,cat
3,b,
3,c,owl
4,a,owl;cat
4,b,owl
4,c,owl;cat
5,a,dog;owl
5,b,owl
5,c,dog
"""


def _aggregate(base, answers=ANSWERS) -> object:
    (base / "tags.csv").write_text(answers)
    args = ["aggregate-tags", str(base / "tags.csv"), "--tag-separator", ";", "--out", str(base / "t"), "--quiet"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return base / "t"


@pytest.fixture
def tags(tmp_path):
    """An aggregate-tags folder whose tags are joined by ';' (not the default '|')."""
    return _aggregate(tmp_path)


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(
        path, dtype={"item": str, "tags": str, "given_label": str, "new_label": str}, keep_default_na=False
    )


def _row_of(folder, item: str) -> int:
    return int(np.flatnonzero(_csv(folder / "labels.csv")["item"].to_numpy() == item)[0])


def _post(c, row, label, version=0):
    return c.post(f"/api/examples/{row}/decision", json={"action": "relabel", "label": label, "version": version})


class TestDecisionAPI:
    def test_meta_offers_the_folders_tags_and_separator(self, tags):
        """The page learns the tags it may set (probs.csv's, in their order) and the folder's separator."""
        with TestClient(create_app(tags), base_url=BASE) as c:
            meta = c.get("/api/meta").json()
        assert meta["tags"] == {"names": TAGS, "separator": ";"} and meta["classes"] == []

    def test_a_tag_list_or_text_is_stored_as_the_folder_writes_a_set(self, tags):
        """Checked tags (a list, any order) or a text joined by the separator become the cell the folder
        would write: its tags in vocabulary order, joined by ';'; no tag is the empty set."""
        with TestClient(create_app(tags, reviewer="t"), base_url=BASE) as c:
            assert _post(c, 0, ["owl", "cat"]).json()["decision"]["label"] == "cat;owl"
            assert _post(c, 1, " dog ; cat ").json()["decision"]["label"] == "cat;dog"
            res = _post(c, 2, [])
            assert res.status_code == 200 and res.json()["decision"]["label"] == ""
            assert c.get("/api/examples/0").json()["decision"]["label"] == "cat;owl"

    @pytest.mark.parametrize(
        ("label", "said"),
        [
            (["cat", "emu"], "the tag 'emu', which is not one; the tags are ['cat', 'dog', 'owl']"),
            ("cat|dog", "the tag 'cat|dog', which is not one"),  # '|' is not this folder's separator
            (["cat", 3], "a list of tags, or a text of tags joined by ';'"),
            ({"tags": ["cat"]}, "a list of tags, or a text of tags joined by ';'"),
        ],
    )
    def test_a_tag_outside_the_folder_is_refused_by_name(self, tags, label, said):
        """An unknown tag (or a label that is no tag set) is a 422 naming it and the allowed tags; nothing is saved."""
        with TestClient(create_app(tags, reviewer="t"), base_url=BASE) as c:
            res = _post(c, 0, label)
            assert res.status_code == 422 and said in res.json()["detail"]
            assert c.get("/api/examples/0").json()["decision"] is None
        assert DecisionStore(tags / "review.sqlite").current() == {}


class TestExport:
    def test_relabelled_sets_are_written_in_the_folders_format_with_their_log(self, tags, tmp_path):
        """The export writes the new set in the folder's own format, its n_tags and its probability under
        probs.csv; the change log has the old and the new set; other rows and cells are as written."""
        r1, r3 = _row_of(tags, "1"), _row_of(tags, "3")
        with TestClient(create_app(tags, reviewer="t"), base_url=BASE) as c:
            assert _post(c, r1, ["dog", "cat"]).status_code == 200
            assert _post(c, r3, []).status_code == 200
        res = export_cleaned(tags, tmp_path / "clean.csv")
        labels, probs = _csv(tags / "labels.csv"), pd.read_csv(tags / "probs.csv", dtype={"item": str})
        out = _csv(tmp_path / "clean.csv")
        assert out.at[r1, "tags"] == "cat;dog" and out.at[r1, "n_tags"] == 2
        assert out.at[r3, "tags"] == "" and out.at[r3, "n_tags"] == 0
        p = probs.set_index("item").loc["1", TAGS].to_numpy()
        assert out.at[r1, "confidence"] == pytest.approx(p[0] * p[1] * (1 - p[2]))
        p = probs.set_index("item").loc["3", TAGS].to_numpy()
        assert out.at[r3, "confidence"] == pytest.approx(np.prod(1 - p))
        rest = [r for r in range(len(labels)) if r not in (r1, r3)]
        pd.testing.assert_frame_equal(out.iloc[rest], labels.iloc[rest])
        log = _csv(tmp_path / "clean.changes.csv")
        assert log[["item", "action", "given_label", "new_label"]].values.tolist() == [
            ["1", "relabel", labels.at[r1, "tags"], "cat;dog"],
            ["3", "relabel", labels.at[r3, "tags"], ""],
        ]
        assert res.n_relabelled == 2 and res.n_rows == len(labels)
        export_cleaned(tags, tmp_path / "clean.parquet")  # no tag: a missing cell, as labels.csv reads an empty one
        assert pd.isna(pd.read_parquet(tmp_path / "clean.parquet").at[r3, "tags"])
        with pytest.raises(InvalidParameterError, match="already exists"):
            export_cleaned(tags, tmp_path / "clean.csv")
        assert _csv(tmp_path / "clean.csv").equals(out)

    def test_the_export_command_needs_force_to_replace_its_file(self, tags, tmp_path):
        """`labelwise export` of a relabelled tag folder refuses an existing --out without --force, then replaces it."""
        DecisionStore(tags / "review.sqlite").record(0, "relabel", version=0, reviewer="t", label="owl")
        (tmp_path / "mine.csv").write_text("keep me\n")
        args = ["export", str(tags), "--out", str(tmp_path / "mine.csv")]
        res = CliRunner().invoke(main, args)
        assert res.exit_code != 0 and "already exists" in res.output
        assert (tmp_path / "mine.csv").read_text() == "keep me\n"
        assert CliRunner().invoke(main, [*args, "--force"]).exit_code == 0
        assert _csv(tmp_path / "mine.csv").at[0, "tags"] == "owl"


@st.composite
def _decisions(draw, n: int):
    rows = draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    sets = st.lists(st.sampled_from(TAGS), unique=True, max_size=len(TAGS))
    return {r: draw(st.one_of(st.just(None), sets)) for r in rows}  # None: exclude


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_setting_the_given_set_changes_nothing_and_others_only_their_rows(tmp_path_factory, data):
    """For any decisions, the export is labels.csv with exactly the decided rows changed: a relabel to the
    set the item has gives back its cells (the command's own confidence, recomputed from probs.csv) and
    is logged as unchanged; the row order of the decisions does not matter."""
    folder = _aggregate(tmp_path_factory.mktemp("tags"))
    labels = _csv(folder / "labels.csv")
    chosen = data.draw(_decisions(len(labels)))
    store = DecisionStore(folder / "review.sqlite")
    for row, tags in sorted(chosen.items(), key=lambda kv: data.draw(st.integers(0, 100))):
        label = None if tags is None else ";".join(tags)
        store.record(row, "exclude" if tags is None else "relabel", version=0, reviewer="h", label=label)
    same = data.draw(st.lists(st.sampled_from([r for r in range(len(labels)) if r not in chosen] or [-1]), max_size=2))
    for row in {r for r in same if r >= 0}:
        store.record(row, "relabel", version=0, reviewer="h", label=labels.at[row, "tags"])
        chosen[row] = [t for t in labels.at[row, "tags"].split(";") if t]
    out_path = folder.parent / "clean.csv"
    export_cleaned(folder, out_path, mark_excluded=True, force=True)
    out = _csv(out_path)
    log = _csv(folder.parent / "clean.changes.csv").set_index("row")
    for r in range(len(labels)):
        if r not in chosen or chosen[r] is None:
            assert out.iloc[r].drop("excluded").equals(labels.iloc[r]) and out.at[r, "excluded"] == (r in chosen)
            continue
        new = [t for t in TAGS if t in chosen[r]]
        assert out.at[r, "tags"] == ";".join(new) and out.at[r, "n_tags"] == len(new)
        unchanged = set(new) == {t for t in labels.at[r, "tags"].split(";") if t}
        assert bool(log.at[r, "changed"]) == (not unchanged)
        if unchanged:
            assert out.at[r, "confidence"] == pytest.approx(labels.at[r, "confidence"], rel=1e-9)
