"""Runs the dashboard: checks the folder and the address before anything starts, binds
the socket itself (so a port in use is one line), and serves until Ctrl-C or SIGTERM,
after which open requests get a second to finish and the processes it started stop."""

from __future__ import annotations

import errno
import socket
import warnings
from collections.abc import Callable
from pathlib import Path

from vaenas.errors import InvalidArgumentError, MissingExtraError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_folder(out: Path) -> Path:
    if not out.exists():
        raise InvalidArgumentError(f"{out} does not exist; pass the folder of a study (vaenas search --out) "
                                   "or of a comparison (vaenas compare --out)")
    if not out.is_dir():
        raise InvalidArgumentError(f"{out} is a file; pass the folder that holds study.db (or a compare folder)")
    return out


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or one line saying why not."""
    if not 0 <= port <= 65535:
        raise InvalidArgumentError(f"port must be from 0 to 65535, got {port}")
    if host not in LOOPBACK:
        warnings.warn(f"serving on {host}: the dashboard has no authentication; anyone who can reach this "
                      "address can read the study", stacklevel=2)
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except socket.gaierror:
        raise InvalidArgumentError(f"host {host!r} is not an address of this machine; use 127.0.0.1") from None
    except OSError as exc:
        reason = "is in use; pass another --port" if exc.errno == errno.EADDRINUSE else f"cannot be bound ({exc.strerror})"
        raise InvalidArgumentError(f"{host}:{port} {reason}") from None
    sock.listen(128)
    return sock


def serve(out: str | Path, host: str = "127.0.0.1", port: int = 8080,
          announce: Callable[[str], None] | None = print) -> None:
    """Serves the dashboard of folder `out` at http://host:port/ until interrupted
    (Ctrl-C: KeyboardInterrupt once the server has stopped); `announce(url)` once it
    listens (port 0: a free port is chosen)."""
    try:
        import uvicorn

        from vaenas.dashboard.app import make_app
    except ImportError as exc:
        raise MissingExtraError(f"the dashboard needs {exc.name}: pip install 'vaenas[dashboard]'") from None

    from vaenas.dashboard.request_guard import served_names

    out = check_folder(Path(out))
    sock = bind(host, port)
    if announce is not None:
        shown = f"[{host}]" if ":" in host else host
        announce(f"http://{shown}:{sock.getsockname()[1]}/")
    app = make_app(out, served_names(host))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1))
    try:
        server.run(sockets=[sock])
    finally:
        for child in list(app.state.children):  # a latent map still computing
            if child.returncode is None:
                child.kill()
