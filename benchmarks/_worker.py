"""Run a benchmark's peer half in another Python (a peer's own virtualenv), by subprocess."""

from __future__ import annotations

import subprocess


def run_worker(python: str, script: str, args: list[str], timeout: float) -> str | None:
    """Run ``python script --snorkel-worker *args``; ``None`` when it exits 0, else why it failed
    (a timeout, or the last line of its standard error)."""
    try:
        done = subprocess.run(
            [python, script, "--snorkel-worker", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"timed out (> {timeout:.0f} s)"
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
    return None
