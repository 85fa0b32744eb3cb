"""The `labelwise review` process itself: killing it loses no decision."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from labelwise.report import load_audit
from labelwise.review import DecisionStore
from tests.report.fake_outputs import write_audit

pytestmark = pytest.mark.slow


def _start(out_dir):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from labelwise.cli import main; main()",
            "review",
            str(out_dir),
            "--port",
            "0",
            "--reviewer",
            "proc",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if m:
            url = m.group(1)
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url + "api/progress", timeout=2).status_code == 200:
                        return proc, url
                except httpx.TransportError:
                    time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.kill()
    pytest.fail(f"review server did not start: {proc.stdout.read()}")


def test_killed_server_keeps_every_decision(tmp_path):
    """Decisions posted to the server process are all in the database after a SIGKILL."""
    out = write_audit(tmp_path / "out", kind="features", n=50, noise=0.3)
    rows = load_audit(out).flagged["row"].tolist()[:2]
    proc, url = _start(out)
    try:
        r1 = httpx.post(f"{url}api/examples/{rows[0]}/decision", json={"action": "exclude", "version": 0})
        r2 = httpx.post(f"{url}api/examples/{rows[1]}/decision", json={"action": "keep", "version": 0})
        assert r1.status_code == r2.status_code == 200
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    # Read back in this process: the database alone must hold both decisions.
    current = DecisionStore(out / "review.sqlite").current()
    assert [(current[r].action, current[r].reviewer) for r in rows] == [("exclude", "proc"), ("keep", "proc")]
