"""``labelwise review`` and ``labelwise export`` on the folders of ``labelwise aggregate`` (and the others)."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.review import DecisionStore
from labelwise.review.server import ReviewServer

ANSWERS = """\
item,annotator,label
q1,ann,cat
q1,bob,cat
q1,cy,dog
q2,ann,dog
q2,bob,dog
q2,cy,dog
q3,ann,owl
q3,bob,cat
q3,cy,owl
q4,ann,cat
q4,bob,owl
q4,cy,dog
"""


@pytest.fixture
def agg(tmp_path):
    (tmp_path / "answers.csv").write_text(ANSWERS)
    res = CliRunner().invoke(
        main, ["aggregate", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "agg"), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    return tmp_path / "agg"


@pytest.fixture
def no_serve(monkeypatch):
    calls = []

    def fake_run(self):
        calls.append(self)
        self.sock.close()

    monkeypatch.setattr(ReviewServer, "run", fake_run)
    return calls


def test_review_serves_an_aggregation_folder(agg, no_serve):
    """`labelwise review` opens labelwise aggregate's folder and says where decisions go."""
    res = CliRunner().invoke(main, ["review", str(agg), "--port", "0"])
    assert res.exit_code == 0, res.output
    assert no_serve and "review.sqlite" in res.output


def test_export_writes_the_labels_and_refuses_to_overwrite(agg, tmp_path):
    """`labelwise export` writes the relabelled labels.csv and its log, then refuses the same --out without --force."""
    DecisionStore(agg / "review.sqlite").record(2, "relabel", version=0, reviewer="ann", label="cat")
    out = tmp_path / "clean.csv"
    res = CliRunner().invoke(main, ["export", str(agg), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "4 rows: 1 relabelled, 0 excluded and removed" in res.output
    cleaned = pd.read_csv(out)
    assert cleaned["label"].tolist()[2] == "cat" and list(cleaned.columns) == list(
        pd.read_csv(agg / "labels.csv").columns
    )
    assert (tmp_path / "clean.changes.csv").is_file()
    before = out.read_bytes()
    again = CliRunner().invoke(main, ["export", str(agg), "--out", str(out)])
    assert again.exit_code == 2 and "already exists; pass --force" in again.output and "Traceback" not in again.output
    assert out.read_bytes() == before


def test_other_label_folders_are_refused_in_one_line(tmp_path, no_serve):
    """An aggregate-numbers folder gets one error naming its kind and what review opens, from review and export."""
    (tmp_path / "nums.csv").write_text("item,annotator,value\n1,a,1.0\n1,b,2.0\n2,a,3.0\n2,b,3.5\n")
    made = CliRunner().invoke(
        main, ["aggregate-numbers", str(tmp_path / "nums.csv"), "--out", str(tmp_path / "n"), "--quiet"]
    )
    assert made.exit_code == 0, made.output
    for args in (["review", str(tmp_path / "n"), "--port", "0"], ["export", str(tmp_path / "n"), "--out", "x.csv"]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2 and not no_serve, res.output
        assert "is a labelwise aggregate-numbers folder" in res.output and "labelwise aggregate's" in res.output
        assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
