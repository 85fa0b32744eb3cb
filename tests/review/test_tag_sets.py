"""The review of a tag-set aggregation folder (`labelwise aggregate-tags`): units, cards, keep/exclude, export."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from labelwise.cli import main
from labelwise.errors import DataFileError, InvalidParameterError
from labelwise.io import read_table
from labelwise.review import DecisionStore, create_app, export_cleaned
from labelwise.review.tag_sets import tags_units

BASE = "http://127.0.0.1"
ANSWERS = """\
item,annotator,tags
1,a,cat|dog
1,b,cat
1,c,cat
2,a,dog
2,b,dog
2,c,dog
3,a,cat
3,b,
3,c,owl
4,a,owl|cat
4,b,owl
4,c,owl|cat
"""


@pytest.fixture
def tags(tmp_path):
    (tmp_path / "tags.csv").write_text(ANSWERS)
    res = CliRunner().invoke(
        main, ["aggregate-tags", str(tmp_path / "tags.csv"), "--out", str(tmp_path / "t"), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    return tmp_path / "t"


def _labels(path):
    return read_table(path, text_columns=("item", "tags"), na_values="")


def test_items_least_certain_first_with_every_answer(tags):
    """Units follow labels.csv's confidence (lowest first); a card lists each annotator's tag set."""
    audit, previewer, _ = tags_units(tags)
    labels = _labels(tags / "labels.csv")
    conf = labels["confidence"].to_numpy()[audit.issues["row"].to_numpy()]
    assert list(conf) == sorted(conf)
    row = int(labels.index[labels["item"].astype(str) == "3"][0])
    card = previewer.describe(row)
    assert {(a["annotator"], tuple(a["tags"])) for a in card["answers"]} == {
        ("a", ("cat",)),
        ("b", ()),
        ("c", ("owl",)),
    }
    assert "per tag: " in card["text"] and "b (mean skill" in card["text"]
    flagged = audit.issues.set_index("row")["is_issue"]
    assert flagged[row] and not flagged[int(labels.index[labels["item"].astype(str) == "2"][0])]  # 2: all said dog


def test_keep_exclude_over_http_and_export(tags, tmp_path):
    """The page records exclude and keep, and the export drops the excluded item, the rest as written."""
    with TestClient(create_app(tags, reviewer="tester"), base_url=BASE) as c:
        meta = c.get("/api/meta").json()
        assert meta["task"] == "aggregate-tags" and meta["classes"] == []
        assert c.post("/api/examples/2/decision", json={"action": "exclude", "version": 0}).status_code == 200
        assert c.post("/api/examples/1/decision", json={"action": "keep", "version": 0}).status_code == 200
    res = export_cleaned(tags, tmp_path / "clean.csv")
    labels = _labels(tags / "labels.csv")
    pd.testing.assert_frame_equal(
        _labels(tmp_path / "clean.csv"), labels.drop(index=2).reset_index(drop=True), check_dtype=False
    )
    assert res.n_excluded == 1 and res.n_kept == 1 and res.n_rows == len(labels) - 1
    log = pd.read_csv(tmp_path / "clean.changes.csv", dtype=str, keep_default_na=False)
    assert log["action"].tolist() == ["keep", "exclude"] and log["item"].tolist() == ["2", "3"]
    with pytest.raises(InvalidParameterError, match="already exists"):
        export_cleaned(tags, tmp_path / "clean.csv")
    with pytest.raises(InvalidParameterError, match="write to another file"):
        export_cleaned(tags, tags / "labels.csv", force=True, log=tmp_path / "l.csv")


def test_a_relabel_to_an_unknown_tag_recorded_from_python_is_refused_by_the_export(tags, tmp_path):
    """A relabel naming a tag outside the folder's (recorded outside the page) is not guessed at: the export
    names the row and the tag, and writes nothing."""
    DecisionStore(tags / "review.sqlite").record(0, "relabel", version=0, reviewer="ann", label="cat|emu")
    with pytest.raises(DataFileError, match=r"relabels row 0 to 'cat\|emu'.*'emu', which is not one"):
        export_cleaned(tags, tmp_path / "clean.csv")
    assert not (tmp_path / "clean.csv").exists() and not (tmp_path / "clean.changes.csv").exists()
