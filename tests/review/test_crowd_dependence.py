"""The review of an aggregation shows the annotators Dawid-Skene found copying (summary.json's
``dependent_pairs`` and ``dependent_rings``): on each card beside the answer, and above the cards.

On main the review read neither field: a ring's accounts looked like five independent annotators
agreeing. Every test here but the older-folder one fails there.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from labelwise.cli import main
from labelwise.review import create_app
from labelwise.review.crowd import copy_marks, crowd_units
from tests.aggregate.test_ring_check import crowd, with_ring

BASE = "http://127.0.0.1"
#: The copied annotator's name: markup, which the page must show as text.
WHO = "<b>ann</b> & co"


@pytest.fixture(scope="module")
def ring_folder(tmp_path_factory) -> tuple[Path, list[str]]:
    """``test_ring_check``'s crowd with its median annotator (renamed :data:`WHO`) behind five accounts,
    aggregated with the ring check on; the five accounts' names."""
    base = tmp_path_factory.mktemp("ring")
    answers, _, who = crowd(0)
    answers["annotator"] = answers["annotator"].replace({who: WHO})
    with_ring(answers, WHO, 5).to_csv(base / "answers.csv", index=False)
    args = ["aggregate", str(base / "answers.csv"), "--method", "dawid-skene", "--out", str(base / "agg")]
    res = CliRunner().invoke(main, [*args, "--param", "dependency_rings=true", "--quiet"])
    assert res.exit_code == 0, res.output
    accounts = sorted([WHO, *(f"{WHO}_copy{c}" for c in range(1, 5))])
    assert json.loads((base / "agg" / "summary.json").read_text())["dependent_rings"] == [accounts]
    return base / "agg", accounts


@pytest.fixture
def folder(ring_folder, tmp_path) -> Path:
    """A fresh copy of the ring folder (its review.sqlite is the test's own; the answers file is found
    where summary.json names it)."""
    copy = tmp_path / "agg"
    shutil.copytree(ring_folder[0], copy)
    return copy


def _a_ring_card(previewer, audit, accounts: list[str]) -> dict:
    for row in audit.issues["row"]:
        card = previewer.describe(int(row))
        if any(a["annotator"] in accounts for a in card["answers"]):
            return card
    raise AssertionError("no card holds a ring account's answer")


class TestCards:
    def test_a_ring_account_s_answer_names_its_ring(self, folder, ring_folder):
        """Each answer of a ring's account says ``copy ring 1 of 5 accounts`` (in the card's text, beside
        its accuracy, and in the answer's ``copies``); the other annotators' say nothing."""
        accounts = ring_folder[1]
        audit, previewer, _ = crowd_units(folder)
        card = _a_ring_card(previewer, audit, accounts)
        for a in card["answers"]:
            if a["annotator"] in accounts:
                assert a["copies"] == "copy ring 1 of 5 accounts"
                assert f"{a['annotator']} (accuracy {a['accuracy']:.2f}; copy ring 1 of 5 accounts): " in card["text"]
            else:
                assert a["copies"] is None
                assert f"{a['annotator']} (accuracy {a['accuracy']:.2f}): " in card["text"]

    def test_an_older_folder_without_the_fields_loads_unmarked(self, folder):
        """A summary.json written before the fields (no ``dependent_pairs``/``dependent_rings``) opens: no
        marks on the cards, no pairs or rings on the page."""
        path = folder / "summary.json"
        summary = json.loads(path.read_text())
        del summary["dependent_pairs"], summary["dependent_rings"]
        path.write_text(json.dumps(summary))
        audit, previewer, _ = crowd_units(folder)
        card = previewer.describe(int(audit.issues["row"].iloc[0]))
        assert card["answers"] and all(a["copies"] is None for a in card["answers"])
        with TestClient(create_app(folder, reviewer="t"), base_url=BASE) as c:
            assert c.get("/api/meta").json()["dependence"] == {"pairs": [], "rings": []}


def test_the_page_s_meta_lists_the_rings_and_pairs_as_written(folder, ring_folder):
    """``/api/meta``'s ``dependence``: the ring's accounts and its ten pairs with their numbers, names as
    written (markup included: the page inserts them as text)."""
    accounts = ring_folder[1]
    summary = json.loads((folder / "summary.json").read_text())
    with TestClient(create_app(folder, reviewer="t"), base_url=BASE) as c:
        dep = c.get("/api/meta").json()["dependence"]
    assert dep["rings"] == [accounts]
    assert len(dep["pairs"]) == 10
    for got, want in zip(dep["pairs"], summary["dependent_pairs"], strict=True):
        assert got == {k: (float(v) if not isinstance(v, str) else v) for k, v in want.items()}


class TestCopyMarks:
    def test_a_pair_names_its_partners_a_ring_its_number(self):
        """An annotator of dependent pairs only is ``dependent on`` its partners (three named, then a count);
        a ring's account is its ring, even when it is in pairs too."""
        from labelwise.io.dependence import dependent_pairs_of

        pairs = [("a", "b"), ("a", "c"), ("a", "d"), ("a", "e"), ("r1", "r2")]
        summary = {"dependent_pairs": [{"annotator_a": x, "annotator_b": y} for x, y in pairs]}
        marks = copy_marks(dependent_pairs_of(summary), [["r1", "r2", "r3"]])
        assert marks["a"] == "dependent on b, c, d and 1 more"
        assert marks["b"] == "dependent on a"
        assert marks["r1"] == marks["r3"] == "copy ring 1 of 3 accounts"
        assert "z" not in marks
