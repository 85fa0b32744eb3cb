"""``python -m labelwise`` runs the command line."""

from __future__ import annotations

import subprocess
import sys


def test_python_dash_m_labelwise_runs_the_command_line():
    """`python -m labelwise --help` prints the labelwise usage under its own name and exits 0."""
    done = subprocess.run([sys.executable, "-m", "labelwise", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: labelwise [OPTIONS] COMMAND")
    assert "audit" in done.stdout
