"""Regenerate docs/report.png and docs/review.png from the digits demo.

Run from the project root: ``.venv/bin/python docs/screenshots.py``. Needs Debian's chromium at
/usr/bin/chromium (driven by Playwright; nothing is downloaded).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

from click.testing import CliRunner
from playwright.sync_api import expect, sync_playwright

from labelwise.cli import main
from labelwise.report import write_report
from labelwise.review.server import prepare_server

DOCS = Path(__file__).resolve().parent
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def main_() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "labelwise-out"
        result = CliRunner().invoke(main, ["audit", "--demo", "--out", str(out), "--top", "0", "--no-report"])
        if result.exit_code != 0:
            print(result.output, file=sys.stderr)
            return 1
        report = write_report(out)
        srv = prepare_server(out, port=0, reviewer="alice")
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        while not srv.server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1500}, device_scale_factor=1)
                page.goto(report.as_uri())
                page.wait_for_load_state("load")
                page.screenshot(path=str(DOCS / "report.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 1500})

                page = browser.new_page(viewport={"width": 1280, "height": 860})
                page.goto(srv.url)
                page.wait_for_selector("body[data-ready=true]")
                page.locator("#grid").click(position={"x": 1, "y": 1})
                cards = page.locator(".card")
                page.keyboard.press("r")  # relabel the worst example to the suggestion
                expect(cards.nth(0)).to_have_class("card d-relabel")
                page.keyboard.press("x")  # exclude the second
                expect(cards.nth(1)).to_have_class("card d-exclude")
                page.keyboard.press("a")  # keep the third
                expect(cards.nth(2)).to_have_class("card d-keep")
                page.keyboard.press("?")
                page.screenshot(path=str(DOCS / "review.png"))
                browser.close()
        finally:
            srv.server.should_exit = True
            thread.join(timeout=10)
    print(f"wrote {DOCS / 'report.png'} and {DOCS / 'review.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_())
