"""The report of an aggregation folder shows who copied whom: summary.json's ``dependent_pairs`` and
``dependent_rings`` in a "Dependent annotators" section (each ring's accounts, each pair with the
check's numbers, what the fit did with them) and a ``dependence`` column in the annotator table.

The folders are written by ``labelwise aggregate`` itself (in memory and on Dask) on
``test_ring_check``'s crowd with a ring of five accounts and a copied pair; the ring's worker is named
with markup, which the page must show as text. On main the page had neither the section nor the
column: every test here fails there but the ones on folders without a pair (guards: those pages
must stay as they were).
"""

from __future__ import annotations

import html
import json
import re
import shutil
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelwise.cli import main
from labelwise.report import _dependence, write_report
from tests.aggregate.test_ring_check import crowd, with_ring
from tests.report._views39_folders import rows, section

#: The copied worker's name: a script tag, which must never reach the page as markup.
WHO = '<script>alert("copied")</script>'


def _crowd() -> tuple[pd.DataFrame, list[str], tuple[str, str]]:
    """The ring-and-pair crowd (``tests/scale/test_distributed_dependence.ring_and_pair_crowd``'s, seed 0)
    with the ring's worker named :data:`WHO`: the answers, the ring's accounts and the copied pair."""
    answers, _, who = crowd(0)
    answers["annotator"] = answers["annotator"].replace({who: WHO})
    ringed = with_ring(answers, WHO, 5, 0.1, 0)
    other = sorted(set(answers["annotator"]) - {WHO})[0]
    twin = answers[answers["annotator"] == other].assign(annotator=f"{other}_twin")
    accounts = sorted([WHO, *(f"{WHO}_copy{c}" for c in range(1, 5))])
    return pd.concat([ringed, twin], ignore_index=True), accounts, (other, f"{other}_twin")


def _aggregate(path: Path, out: Path, *extra: str) -> dict:
    args = ["aggregate", str(path), "--method", "dawid-skene", "--out", str(out), "--quiet", *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ring(tmp_path_factory) -> tuple[Path, list[str], tuple[str, str]]:
    """The crowd aggregated with the ring check on (in memory): the folder, the ring, the pair."""
    base = tmp_path_factory.mktemp("ring")
    answers, accounts, pair = _crowd()
    answers.to_csv(base / "answers.csv", index=False)
    summary = _aggregate(base / "answers.csv", base / "agg", "--param", "dependency_rings=true")
    assert summary["dependent_rings"] == [accounts]  # the case is exercised
    assert len(summary["dependent_pairs"]) == 11
    return base / "agg", accounts, pair


@pytest.fixture(scope="module")
def page(ring) -> str:
    """The ring folder's report."""
    return _page(ring[0])


@pytest.fixture
def folder(ring, tmp_path) -> Path:
    """A fresh copy of the ring folder, the test's own to edit."""
    shutil.copytree(ring[0], tmp_path / "agg")
    return tmp_path / "agg"


@pytest.fixture
def summary(ring) -> dict:
    """The ring folder's summary.json, the test's own to edit."""
    return json.loads((ring[0] / "summary.json").read_text(encoding="utf-8"))


def _page(folder: Path) -> str:
    return write_report(folder).read_text(encoding="utf-8")


def _section_of(summary: dict) -> str:
    """The section as the page holds it, for a summary edited in memory."""
    return _dependence.dependence_section(summary)


def _tables(page: str) -> list[list[list[str]]]:
    """The body rows of each table of the dependence section, each cell's text."""
    body = section(page, "dependence") if "<main>" in page else page
    return [
        [
            [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", t)
        ]
        for t in re.findall(r"<tbody>(.*?)</tbody>", body, re.S)
    ]


def _note(page: str) -> str:
    body = section(page, "dependence") if "<main>" in page else page
    return html.unescape(re.search(r'<p class="note">(.*?)</p>', body, re.S).group(1))


def _marks(page: str) -> dict[str, str]:
    """The annotator table's ``dependence`` column: annotator -> its mark."""
    head = re.search(r'<section id="annotators">.*?<thead>(.*?)</thead>', page, re.S).group(1)
    names = [html.unescape(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]
    assert names[:2] == ["annotator", "dependence"]
    return {r[0]: r[1] for r in rows(page, "annotators")}


def _pairs(summary: dict) -> dict[frozenset, dict]:
    return {frozenset((p["annotator_a"], p["annotator_b"])): p for p in summary["dependent_pairs"]}


def test_the_page_lists_the_ring_with_its_accounts(ring, page):
    """The rings table has one row: ring 1, its five accounts, each named (the markup shown as text)."""
    folder, accounts, _ = ring
    rings, _ = _tables(page)
    assert rings == [["1", "5", ", ".join(accounts)]]


def test_the_page_lists_every_pair_with_the_summary_s_numbers_strongest_first(ring, page):
    """Eleven pairs (the ring's ten and the copied pair), each with its shared items, agreements and
    expected agreements (and their shares of the shared items) and z as summary.json holds them,
    strongest z first; the ring's pairs say ring 1, the copied pair none."""
    folder, accounts, pair = ring
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    _, table = _tables(page)
    by_pair = _pairs(summary)
    assert {frozenset(r[:2]) for r in table} == set(by_pair) and len(table) == 11
    for a, b, ring_no, shared, agreed, expected, z in table:
        p = by_pair[frozenset((a, b))]
        assert ring_no == ("1" if {a, b} <= set(accounts) else "")
        assert shared == f"{p['n_shared']:,.0f}"
        assert agreed == f"{p['agreements']:.0f} ({100 * p['agreements'] / p['n_shared']:.1f}%)"
        assert expected == f"{p['expected']:.1f} ({100 * p['expected'] / p['n_shared']:.1f}%)"
        assert z == f"{p['z']:.1f}"
    zs = [float(r[-1]) for r in table]
    assert zs == sorted(zs, reverse=True)
    assert {frozenset(r[:2]) for r in table if r[2] == ""} == {frozenset(pair)}


def test_the_note_says_what_the_check_found_and_that_the_fit_counted_the_copies_once(ring, page):
    """The note counts the pairs and rings, gives the threshold (the default 5: the run set none) and
    says each group's answers on an item were weighed as one."""
    note = _note(page)
    assert "found 11 pair(s) of annotators" in note and "1 copy ring(s)" in note
    assert "z above 5, the default" in note
    assert "weighed each such group's answers on an item as one answer" in note
    assert "counted once" in note


def test_the_annotator_table_marks_the_ring_s_accounts_and_the_pair_s_members(ring, page):
    """Each ring account reads ``copy ring 1 of 5 accounts``, each member of the copied pair
    ``dependent on`` the other, every other annotator nothing."""
    folder, accounts, (a, b) = ring
    marks = _marks(page)
    assert {who: marks[who] for who in accounts} == dict.fromkeys(accounts, "copy ring 1 of 5 accounts")
    assert (marks[a], marks[b]) == (f"dependent on {b}", f"dependent on {a}")
    assert {who: m for who, m in marks.items() if who not in {*accounts, a, b}} == dict.fromkeys(
        set(marks) - {*accounts, a, b}, ""
    )
    assert len(marks) == 20


def test_a_script_named_annotator_is_text_everywhere_on_the_page(ring, page):
    """The ring's worker ``<script>...`` appears escaped in the section and the table, and the page
    holds no script tag at all."""
    assert "<script" not in page.lower()
    escaped = html.escape(WHO, quote=True)
    assert escaped in section(page, "dependence") and escaped in section(page, "annotators")


def test_a_dask_written_folder_shows_the_same_ring_pairs_and_marks(page, tmp_path):
    """The Parquet file aggregated on Dask (``--scheduler threads``) writes the same keys: the same
    tables and marks as the in-memory folder, and its summary records the run's params (session 45,
    fix45a), so the note gives the same threshold as the in-memory page."""
    pytest.importorskip("dask.dataframe")
    answers, _, _ = _crowd()
    answers.to_parquet(tmp_path / "answers.parquet", index=False)
    args = ("--param", "dependency_rings=true", "--scheduler", "threads")
    summary = _aggregate(tmp_path / "answers.parquet", tmp_path / "dask", *args)
    assert summary["settings"]["scheduler"] == "threads"
    dask_page = _page(tmp_path / "dask")
    assert _tables(dask_page) == _tables(page)
    assert _marks(dask_page) == _marks(page)
    assert summary["settings"]["params"] == {"dependency_rings": True}
    assert "z above 5, the default" in _note(dask_page)
    assert "does not record it" not in _note(dask_page)


def test_the_default_threshold_named_is_dawid_skene_s():
    """The note's default threshold is the estimator's (kept as a number in the report, whose import of
    the estimator's module would cost the page seconds)."""
    from labelwise.aggregate.dawid_skene import DEFAULT_DEPENDENCY_THRESHOLD

    assert _dependence.DEFAULT_THRESHOLD == DEFAULT_DEPENDENCY_THRESHOLD


def test_a_threshold_the_run_set_is_the_one_named(summary):
    """``--param dependency_threshold=4`` (summary.json's settings) is the threshold the note gives."""
    summary["settings"]["params"]["dependency_threshold"] = 4.0
    assert "(z above 4)" in _note(_section_of(summary))


def test_a_fit_that_fell_back_to_majority_vote_says_its_labels_count_every_answer(summary):
    """With ``fallback`` set, the note does not claim the copies were counted once in the labels."""
    summary["fallback"] = "majority-vote"
    note = _note(_section_of(summary))
    assert "the labels are majority-vote's (the fit fell back to it), which counts every answer" in note
    assert "counted once" not in note


def test_long_lists_are_cut_and_counted(summary, monkeypatch):
    """More pairs than :data:`MAX_PAIRS` list the strongest and say how many; a ring of more than
    :data:`MAX_NAMES` accounts names that many and counts the rest."""
    monkeypatch.setattr(_dependence, "MAX_PAIRS", 3)
    monkeypatch.setattr(_dependence, "MAX_NAMES", 2)
    body = _section_of(summary)
    rings, pairs = _tables(body)
    accounts = summary["dependent_rings"][0]
    assert rings == [["1", "5", f"{accounts[0]}, {accounts[1]} and 3 more"]]
    assert len(pairs) == 3 and "(3 of 11, strongest first)" in html.unescape(body)


def _without_timestamp(page: str) -> str:
    return re.sub(r"on \d{4}-\d\d-\d\d \d\d:\d\d UTC", "", page)


def test_a_folder_without_pairs_renders_as_before(folder):
    """A summary.json without the keys (written before them), with ``null`` (a method without the
    check) or with empty lists: no section, no column, the same page in all three cases."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    pages = []
    for value in ("absent", None, []):
        for key in ("dependent_pairs", "dependent_rings"):
            summary.pop(key, None)
            if value != "absent":
                summary[key] = value
        (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        pages.append(_without_timestamp(_page(folder)))
    assert pages[0] == pages[1] == pages[2]
    assert 'id="dependence"' not in pages[0] and "<th>dependence</th>" not in pages[0]
    assert re.findall(r'<section id="([^"]+)"', pages[0]) == ["annotators", "annotator-confusions", "disagreement"]


def test_edited_entries_that_name_no_annotators_are_left_out(summary):
    """Entries of an edited summary.json that are not a pair of names or a list of names show nothing."""
    summary["dependent_pairs"], summary["dependent_rings"] = [{"annotator_a": "x"}, "a-b"], [[], {"a": 1}]
    assert _section_of(summary) == ""
    table = pd.DataFrame({"annotator": ["x", "a"], "answers": [1, 2]})
    assert _dependence.with_marks(table, summary) is table


def test_majority_vote_on_the_ring_crowd_has_no_section(ring, tmp_path):
    """Majority vote runs no check (the keys are null): its page of the same crowd has no section."""
    answers, _, _ = _crowd()
    answers.to_csv(tmp_path / "answers.csv", index=False)
    summary = _aggregate(tmp_path / "answers.csv", tmp_path / "mv", "--method", "majority-vote")
    assert summary["dependent_pairs"] is None
    page = _page(tmp_path / "mv")
    assert 'id="dependence"' not in page and "<th>dependence</th>" not in page


NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)
#: The only tags the section writes.
TAGS = {"section", "h2", "p", "table", "thead", "tbody", "tr", "th", "td"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(NAMES, min_size=2, max_size=6, unique=True), ring_size=st.integers(0, 6))
def test_any_names_are_shown_as_text_and_the_table_keeps_its_rows(names, ring_size):
    """Whatever the names (markup, quotes, ampersands), the section's only tags are its own, each name
    reads back from the cells, and the marked table keeps its rows and columns in order."""
    numbers = {"n_shared": 60, "agreements": 50, "expected": 20.5, "z": 7.0}
    pairs = [{"annotator_a": a, "annotator_b": b, **numbers} for a, b in pairwise(names)]
    summary = {"dependent_pairs": pairs, "dependent_rings": [names[:ring_size]] if ring_size >= 3 else []}
    body = _dependence.dependence_section(summary)
    assert {t.lower() for t in re.findall(r"</?([A-Za-z][^\s>/]*)", body)} <= TAGS
    cells = {html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)}
    assert set(names) <= cells  # every name is in a pair's row
    table = pd.DataFrame({"annotator": [*names, "other"], "answers": range(len(names) + 1)})
    marked = _dependence.with_marks(table, summary)
    assert list(marked.columns) == ["annotator", "dependence", "answers"]
    pd.testing.assert_frame_equal(marked.drop(columns="dependence"), table)
    assert marked["dependence"].iloc[-1] == "" and (marked["dependence"].iloc[:-1] != "").all()
