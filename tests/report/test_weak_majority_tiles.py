"""The report's page of a ``labelwise weak --gold-column`` folder shows the functions' majority vote beside the
label model's accuracy (ties split and every tie lost, as the command prints them since session 48), and marks
the label model's accuracy when it is below the majority vote however its ties are broken."""

from __future__ import annotations

import html
import json

from click.testing import CliRunner

from labelwise.cli import main
from labelwise.report import write_report
from labelwise.weak import _negative_pairs
from tests.cli.test_weak_majority_baseline_cli import LFS, _spam_table
from tests.report._views39_folders import section, tiles, weak_folder

SPLIT, LOST = "functions' majority vote, ties split (same items)", "functions' majority vote, every tie lost"


def _accuracy_tile_class(page: str) -> str:
    """The class of the tile holding the label model's accuracy against gold."""
    head = page[: page.index("accuracy vs gold")]
    return head[head.rindex('<div class="tile') :].split('"')[1]


def test_the_majority_votes_figures_are_tiles_of_a_gold_folder(tmp_path):
    """Both majority-vote figures are summary.json's, to 3 decimals; the label model is not below them here."""
    folder = weak_folder(tmp_path)
    s = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    page = write_report(folder).read_text(encoding="utf-8")
    t = tiles(page)
    assert t[SPLIT] == f"{s['majority_vote_accuracy_on_covered_gold']:.3f}"
    assert t[LOST] == f"{s['majority_vote_accuracy_ties_lost']:.3f}"
    assert s["accuracy_on_covered_gold"] >= s["majority_vote_accuracy_ties_lost"]
    assert _accuracy_tile_class(page) == "tile"
    assert "less accurate against the gold labels" not in page


def test_without_gold_there_is_no_majority_vote_tile(tmp_path):
    """No --gold-column: neither figure exists, and no tile is shown."""
    page = write_report(weak_folder(tmp_path, gold=False)).read_text(encoding="utf-8")
    assert SPLIT not in tiles(page) and LOST not in tiles(page)


def test_a_label_model_below_the_majority_vote_is_marked(tmp_path, monkeypatch):
    """Spam rules where the label model loses (session 48's walk): its accuracy tile warns, the functions' note says why."""
    monkeypatch.setattr(_negative_pairs, "ENABLED", False)  # the fit that loses here (before session 52)
    (tmp_path / "lfs.py").write_text(LFS)
    _spam_table(3000, seed=4).to_csv(tmp_path / "data.csv", index=False)
    args = ["weak", str(tmp_path / "lfs.py"), str(tmp_path / "data.csv"), "--id-column", "id", "--gold-column", "label"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    s = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert s["accuracy_on_covered_gold"] < s["majority_vote_accuracy_ties_lost"]
    page = write_report(tmp_path / "out").read_text(encoding="utf-8")
    assert _accuracy_tile_class(page) == "tile warn"
    assert tiles(page)[LOST] == f"{s['majority_vote_accuracy_ties_lost']:.3f}"
    note = html.unescape(section(page, "weak-functions"))
    assert "less accurate against the gold labels than the functions' majority vote" in note
