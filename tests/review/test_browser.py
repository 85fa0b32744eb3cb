"""End-to-end tests in headless Chromium (Debian's chromium, driven by Playwright), as a person uses it."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.report import load_audit, write_report
from labelwise.review import DecisionStore
from labelwise.review.server import prepare_server
from tests.report.fake_outputs import write_audit
from tests.review.test_duplicates import DUPS, write_duplicate_audit

pytestmark = [pytest.mark.browser, pytest.mark.slow]
expect = pytest.importorskip("playwright.sync_api").expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """The output of `labelwise audit --demo` (digits with 10% of labels flipped)."""
    out = tmp_path_factory.mktemp("demo") / "out"
    result = CliRunner().invoke(main, ["audit", "--demo", "--out", str(out), "--top", "0"])
    assert result.exit_code == 0, result.output
    if not (out / "report.html").is_file():
        write_report(out)
    return out


@contextlib.contextmanager
def serving(out_dir: Path, **kwargs):
    """Run the review app on a free loopback port in a thread; yield its URL."""
    srv = prepare_server(out_dir, port=0, **kwargs)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.server.started:
        assert time.monotonic() < deadline, "review server did not start"
        time.sleep(0.02)
    try:
        yield srv.url
    finally:
        srv.server.should_exit = True
        thread.join(timeout=10)


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]")
    return page


def _image_width(img) -> int:
    """The image's natural width once it has loaded, 0 if it failed (thumbnails load after data-ready)."""
    return img.evaluate(
        "img => img.complete ? img.naturalWidth : new Promise(done => {"
        " img.addEventListener('load', () => done(img.naturalWidth));"
        " img.addEventListener('error', () => done(0)); })"
    )


def _status(page, index):
    return page.locator(".card").nth(index).locator(".status").text_content()


def test_relabel_and_exclude_with_keyboard_survive_reload_and_export(browser, demo_dir, tmp_path):
    """Relabel one example and exclude another with the keyboard, reload, then export and check the file."""
    audit = load_audit(demo_dir)
    flagged = audit.flagged
    r0, r1 = int(flagged["row"].iloc[0]), int(flagged["row"].iloc[1])
    given0, suggested0 = int(flagged["given_label"].iloc[0]), int(flagged["suggested_label"].iloc[0])
    new0 = next(c for c in range(1, 10) if c not in (given0, suggested0))
    with serving(demo_dir, reviewer="default-name") as url:
        page = _open(browser, url)
        cards = page.locator(".card")
        assert int(cards.nth(0).get_attribute("data-row")) == r0
        assert cards.nth(0).locator("select.chooser option:checked").text_content() == str(suggested0)
        assert _image_width(cards.nth(0).locator("img")) == 8
        page.fill("#reviewer", "e2e")
        page.locator("#reviewer").dispatch_event("change")
        page.locator("#grid").click(position={"x": 1, "y": 1})
        page.keyboard.press(str(new0))
        page.keyboard.press("Enter")
        expect(cards.nth(0)).to_have_class(re.compile(r"\bd-relabel\b"))
        page.keyboard.press("x")
        expect(cards.nth(1)).to_have_class(re.compile(r"\bd-exclude\b"))
        expect(page.locator("#progress-text")).to_contain_text(f"reviewed 2 / {len(flagged)} flagged")
        page.screenshot(path=str(tmp_path / "review.png"))

        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        assert _status(page, 0).startswith(f"relabelled to {new0} by e2e")
        assert _status(page, 1).startswith("excluded by e2e")

        with page.expect_download() as info:
            page.click("#export-csv")
        downloaded = tmp_path / "downloaded.csv"
        info.value.save_as(downloaded)
        page.close()

    original = pd.read_csv(demo_dir / "data.csv")
    expected = original.copy()
    expected.loc[r0, "label"] = new0
    expected = expected.drop(index=r1).reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.read_csv(downloaded), expected)
    cleaned = tmp_path / "cleaned.csv"
    result = CliRunner().invoke(main, ["export", str(demo_dir), "--out", str(cleaned)])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(cleaned), expected)
    log = pd.read_csv(tmp_path / "cleaned.changes.csv")
    assert log[["row", "action", "reviewer"]].values.tolist() == sorted(
        [[r0, "relabel", "e2e"], [r1, "exclude", "e2e"]]
    )
    assert len(DecisionStore(demo_dir / "review.sqlite").history()) == 2


def test_report_opens_without_network(browser, demo_dir):
    """The demo's report.html renders its heatmap and thumbnails with every network request blocked."""
    requests = []

    def block(route):
        requests.append(route.request.url)
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            route.abort()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.route("**/*", block)
    page.goto((demo_dir / "report.html").as_uri())
    page.wait_for_load_state("load")
    assert _image_width(page.locator("#noise-heatmap")) > 300
    thumbs = page.locator("img.thumb")
    assert thumbs.count() > 10
    assert all(_image_width(thumbs.nth(i)) == 8 for i in range(thumbs.count()))
    assert [u for u in requests if not u.startswith(("file://", "data:"))] == []
    page.close()


def test_stale_tab_and_locked_database_never_lose_a_decision_silently(browser, tmp_path):
    """A stale tab and a locked database are both told "not saved"; labels with markup stay text."""
    evil = '<img src=x onerror="window.__xss=1">'
    out = write_audit(tmp_path / "out", kind="text", n=60, noise=0.4, classes=[evil, "<script>b</script>", "bird"])
    with serving(out, db_timeout=0.2) as url:
        first, second = _open(browser, url), _open(browser, url)
        first.locator("#grid").click(position={"x": 1, "y": 1})
        first.keyboard.press("a")
        expect(first.locator(".card").nth(0)).to_have_class(re.compile(r"\bd-keep\b"))
        # The second tab still shows version 0 of the first example: its exclude is refused.
        second.locator("#grid").click(position={"x": 1, "y": 1})
        second.keyboard.press("x")
        expect(second.locator(".card").nth(0).locator(".status")).to_contain_text("changed elsewhere")
        assert "Not saved" in second.locator("#toasts").text_content()
        assert "kept by" in _status(second, 0)
        second.keyboard.press("x")  # deciding again on the refreshed version works
        expect(second.locator(".card").nth(0)).to_have_class(re.compile(r"\bd-exclude\b"))
        # Another process locks the database: the decision is reported as not saved, then retried.
        lock = sqlite3.connect(out / "review.sqlite", isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            second.keyboard.press("a")
            expect(second.locator(".card").nth(1).locator(".status")).to_contain_text("NOT SAVED (keep)")
            expect(second.locator(".card").nth(1)).to_have_class(re.compile(r"\bunsaved\b"))
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        second.keyboard.press("a")
        expect(second.locator(".card").nth(1)).to_have_class(re.compile(r"\bd-keep\b"))
        options = second.locator("#klass option").all_text_contents()
        assert evil in options and "<script>b</script>" in options
        assert second.evaluate("window.__xss") is None and second.locator("#grid img[src=x]").count() == 0
        first.close()
        second.close()
    history = DecisionStore(out / "review.sqlite").history()
    assert history["action"].tolist() == ["keep", "exclude", "keep"]


def test_filter_by_data_check_and_keep_one_of_a_duplicate_set(browser, tmp_path):
    """Choose the exact-duplicate filter, keep one row of the set with one click; the others are excluded."""
    out = write_duplicate_audit(tmp_path)
    with serving(out, reviewer="e2e") as url:
        page = _open(browser, url)
        page.select_option("#check", "exact_duplicate")
        expect(page.locator(".card")).to_have_count(len(DUPS))
        rows = sorted(int(c.get_attribute("data-row")) for c in page.locator(".card").all())
        assert rows == DUPS
        first = page.locator(".card").nth(0)
        kept = int(first.get_attribute("data-row"))
        first.locator("button.keep-one[data-check=exact_duplicate]").click()
        expect(page.locator(".card.d-exclude")).to_have_count(len(DUPS) - 1)
        expect(page.locator(f'.card[data-row="{kept}"]')).to_have_class(re.compile("d-keep"))
        assert "check=exact_duplicate" in page.url
    current = DecisionStore(out / "review.sqlite").current()
    assert {r: d.action for r, d in current.items()} == {r: ("keep" if r == kept else "exclude") for r in DUPS}


def test_task_audit_cards_show_the_drawing_and_exclude_with_the_keyboard(browser, tmp_path):
    """A segmentation audit: the card shows the overlay image, has no relabel control, 'x' excludes, and the
    export link gives the cleaned data (not Label Studio)."""
    from tests.report.test_tasks import _audit, _segmentation_case

    folder, _, _ = _segmentation_case(tmp_path)
    out = _audit(tmp_path, folder, "--task", "segmentation", "--probs", tmp_path / "p.npy")
    with serving(out, reviewer="e2e") as url:
        page = _open(browser, url)
        card = page.locator(".card").nth(0)
        assert card.get_attribute("data-row") == "2"
        expect(card.locator("img")).to_have_count(1)
        # the drawing is fetched after the card appears: wait for it to decode, then check it has pixels
        card.locator("img").evaluate("img => img.decode().catch(() => null)")
        assert _image_width(card.locator("img")) > 0
        assert card.locator("select.chooser").count() == 0
        # the cleaned export of a task audit is its own format (here the mask manifest); Label Studio does not apply
        export = page.locator("#export-csv")
        assert export.is_visible() and export.get_attribute("href") == "/api/export/cleaned"
        assert export.text_content() == "Download cleaned data" and page.locator("#export-ls").is_hidden()
        page.locator("#grid").click(position={"x": 1, "y": 1})
        page.keyboard.press("x")
        expect(page.locator(".card.d-exclude")).to_have_count(1)
    assert DecisionStore(out / "review.sqlite").current()[2].action == "exclude"


def test_tag_set_checkboxes_relabel_an_aggregate_tags_item(browser, tmp_path):
    """An aggregate-tags folder: a card has a checkbox per tag checked as the item's set; toggling one with a
    digit and pressing 'r' saves the new set, which survives a reload and reaches the export."""
    answers = "item,annotator,tags\n1,a,cat\n1,b,cat|dog\n1,c,owl\n2,a,dog\n2,b,dog\n2,c,cat\n3,a,owl\n3,b,owl|dog\n"
    (tmp_path / "tags.csv").write_text(answers)
    res = CliRunner().invoke(main, ["aggregate-tags", str(tmp_path / "tags.csv"), "--out", str(tmp_path / "t")])
    assert res.exit_code == 0, res.output
    labels = pd.read_csv(tmp_path / "t" / "labels.csv", dtype=str, keep_default_na=False)
    with serving(tmp_path / "t", reviewer="e2e") as url:
        page = _open(browser, url)
        card = page.locator(".card").nth(0)
        row = int(card.get_attribute("data-row"))
        boxes = card.locator(".tag-boxes input")
        expect(boxes).to_have_count(3)  # cat, dog, owl
        had = {t for t in labels.at[row, "tags"].split("|") if t}
        assert [boxes.nth(i).is_checked() for i in range(3)] == [t in had for t in ("cat", "dog", "owl")]
        page.locator("#grid").click(position={"x": 1, "y": 1})
        page.keyboard.press("2")  # toggle 'dog'
        page.keyboard.press("r")
        expect(card).to_have_class(re.compile(r"\bd-relabel\b"))
        new = sorted(had ^ {"dog"}, key=["cat", "dog", "owl"].index)
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        assert _status(page, 0).startswith("tags set to " + ("|".join(new) or "(no tags)") + " by e2e")
        page.close()
    assert DecisionStore(tmp_path / "t" / "review.sqlite").current()[row].label == "|".join(new)


def test_aggregation_cards_show_the_answers_and_no_stray_text(browser, tmp_path):
    """An aggregate folder's card shows its answers and its controls, and no 'null' where a card has no data
    checks or duplicate sets (the page wrote the missing parts as the text 'null')."""
    rows = [(f"q{i}", who, "cat" if (i + j) % 3 else "dog") for i in range(6) for j, who in enumerate("abc")]
    pd.DataFrame(rows, columns=["item", "annotator", "label"]).to_csv(tmp_path / "answers.csv", index=False)
    res = CliRunner().invoke(main, ["aggregate", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "agg")])
    assert res.exit_code == 0, res.output
    with serving(tmp_path / "agg", reviewer="e2e") as url:
        page = _open(browser, url)
        card = page.locator(".card").nth(0)
        expect(card.locator("select.chooser")).to_have_count(1)
        text = card.inner_text()
        assert "(accuracy " in text and "null" not in text, text
        page.close()


def test_an_aggregation_s_copy_ring_is_shown_above_the_cards_as_text(browser, tmp_path):
    """An aggregate folder whose fit found a copy ring: the page lists the ring's accounts and its pairs above
    the cards, a name holding markup shown as text (no element made of it), and the cards mark the accounts;
    a folder without copying shows no such box."""
    from tests.aggregate.test_ring_check import crowd, with_ring

    answers, _, who = crowd(0)
    name = "<b>ann</b>"
    answers["annotator"] = answers["annotator"].replace({who: name})
    with_ring(answers, name, 5).to_csv(tmp_path / "answers.csv", index=False)
    args = ["aggregate", str(tmp_path / "answers.csv"), "--method", "dawid-skene", "--out", str(tmp_path / "agg")]
    res = CliRunner().invoke(main, [*args, "--param", "dependency_rings=true", "--quiet"])
    assert res.exit_code == 0, res.output
    with serving(tmp_path / "agg", reviewer="e2e") as url:
        page = _open(browser, url)
        box = page.locator("#dependence")
        expect(box).to_be_visible()
        text = box.inner_text()
        ring = ", ".join(sorted([name, *(f"{name}_copy{c}" for c in range(1, 5))]))
        assert f"copy ring 1: {ring}" in text, text
        assert text.count("pair ") == 10 and "shared items" in text
        expect(box.locator("b")).to_have_count(0)
        page.locator("#scope").select_option("all")
        expect(page.locator(".card", has_text="copy ring 1 of 5 accounts").first).to_be_visible()
        page.close()
    res = CliRunner().invoke(main, [*args[:-1], str(tmp_path / "plain"), "--quiet"])
    assert res.exit_code == 0, res.output
    with serving(tmp_path / "plain", reviewer="e2e") as url:
        page = _open(browser, url)
        expect(page.locator("#dependence")).to_be_hidden()
        page.close()


def test_the_card_on_the_page_names_the_id_before_the_row(browser, tmp_path):
    """In headless Chromium, the worst card's meta line reads ``sample ünï · row 2 · rank 1``."""
    from tests.review.test_card_ids import _classification

    out = _classification(tmp_path, "sample", "--id-column", "sample")
    with serving(out, reviewer="e2e") as url:
        page = _open(browser, url)
        meta = page.locator(".card").nth(0).locator(".meta").text_content()
        page.close()
    assert meta.startswith("sample ünï \u00b7 row 2 \u00b7 rank 1")
