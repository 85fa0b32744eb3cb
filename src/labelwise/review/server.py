"""Run the review app with uvicorn on a local address."""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from typing import Any

from .._extras import require
from ..errors import InvalidParameterError

__all__ = ["LOOPBACK", "ReviewServer", "is_loopback", "prepare_server"]

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1 or ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class ReviewServer:
    """A configured uvicorn server with its bound socket; :meth:`run` blocks until Ctrl-C."""

    server: Any
    sock: socket.socket
    url: str
    host: str
    port: int

    def run(self) -> None:
        """Serve until interrupted."""
        self.server.run(sockets=[self.sock])


def prepare_server(
    out_dir: str | os.PathLike,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    allow_remote: bool = False,
    reviewer: str | None = None,
    log_level: str = "warning",
    db_timeout: float = 5.0,
) -> ReviewServer:
    """Build the app and bind its socket (so the address is known before serving).

    Parameters
    ----------
    host : str, default "127.0.0.1"
        Address to bind. Anything but a loopback address needs ``allow_remote=True``: the review
        app has no login, so anyone who can reach it can change decisions.
    port : int, default 8765
        0 picks a free port.
    db_timeout : float, default 5.0
        Seconds a decision waits for a locked database before the page is told it was not saved.

    Raises
    ------
    MissingDependencyError
        fastapi or uvicorn (the ``web`` extra) is not installed.
    InvalidParameterError
        If ``host`` is not loopback and ``allow_remote`` is False, or the port is taken.
    """
    from .app import create_app

    uvicorn = require("uvicorn", "the review server")  # before the app opens (and may create) review.sqlite

    if not isinstance(host, str) or not host:
        raise InvalidParameterError(f"host must be a non-empty address, got {host!r}")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise InvalidParameterError(f"port must be an integer in [0, 65535], got {port!r}")
    local = is_loopback(host)
    if not local and not allow_remote:
        raise InvalidParameterError(
            f"host must be a loopback address {list(LOOPBACK)} unless remote access is allowed "
            f"(--allow-remote), got {host!r}: the review page has no login"
        )
    allowed = ["127.0.0.1", "localhost", "::1", "[::1]"] if local else ["*"]
    app = create_app(out_dir, reviewer=reviewer, allowed_hosts=allowed, db_timeout=db_timeout)
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    bind_host = "127.0.0.1" if host == "localhost" else host.strip("[]")
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((bind_host, port))
    except OSError as exc:
        sock.close()
        raise InvalidParameterError(
            f"port {port} on {host} cannot be used ({exc.strerror}); choose another with --port"
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    actual = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    shown = f"[{bind_host}]" if family == socket.AF_INET6 else bind_host
    return ReviewServer(server=server, sock=sock, url=f"http://{shown}:{actual}/", host=bind_host, port=actual)
