"""Tests of ``labelwise review`` (the server loop itself is replaced by a stub)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from labelwise.cli import main
from labelwise.review.server import ReviewServer, is_loopback
from tests.report.fake_outputs import write_audit


@pytest.fixture
def out(tmp_path):
    return write_audit(tmp_path / "out", kind="features", n=30, noise=0.3)


@pytest.fixture
def no_serve(monkeypatch):
    calls = []

    def fake_run(self):
        calls.append(self)
        self.sock.close()

    monkeypatch.setattr(ReviewServer, "run", fake_run)
    return calls


def test_binds_loopback_by_default_and_prints_the_address(out, no_serve):
    """Without --host the server binds 127.0.0.1 and prints its URL."""
    result = CliRunner().invoke(main, ["review", str(out), "--port", "0", "--reviewer", "ann"])
    assert result.exit_code == 0, result.output
    server = no_serve[0]
    assert server.host == "127.0.0.1" and f"http://127.0.0.1:{server.port}/" in result.output
    assert "review.sqlite" in result.output


def test_other_host_needs_allow_remote(out, no_serve):
    """Binding a non-loopback address without --allow-remote is refused with exit status 2."""
    result = CliRunner().invoke(main, ["review", str(out), "--host", "0.0.0.0", "--port", "0"])
    assert result.exit_code == 2 and "--allow-remote" in result.output and not no_serve


def test_allow_remote_prints_a_warning(out, no_serve):
    """With --allow-remote the server starts and a warning is printed."""
    result = CliRunner().invoke(main, ["review", str(out), "--host", "0.0.0.0", "--port", "0", "--allow-remote"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "no login" in result.output and no_serve


def test_port_in_use_is_a_clear_error(out, no_serve):
    """A port that is taken gives one error line naming it."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["review", str(out), "--port", str(port)])
    assert result.exit_code == 2 and f"port {port}" in result.output


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("127.3.4.5", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("192.168.1.2", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host, expected):
    """Only 127/8, ::1 and localhost count as loopback."""
    assert is_loopback(host) is expected
