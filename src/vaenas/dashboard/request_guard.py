"""Which requests the dashboard answers at all: those addressed to a name it serves
(the Host header: a page from another name that resolves to 127.0.0.1, DNS rebinding,
gets 403), and, for the API, those its own page makes (an Origin or Sec-Fetch-Site
that says another site asks gets 403), as Jupyter's server does."""

from __future__ import annotations

import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
WILDCARDS = ("0.0.0.0", "::", "")

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def served_names(host: str) -> frozenset[str]:
    """The Host names a dashboard bound to `host` answers: the loopback names, `host`
    itself, and where `host` is every interface (0.0.0.0), this machine's name and the
    addresses that name resolves to."""
    names = {*LOOPBACK_NAMES, host.lower().strip("[]")}
    if host in WILDCARDS:
        machine = socket.gethostname()
        names |= {machine.lower(), socket.getfqdn().lower()}
        try:
            names |= {str(info[4][0]).lower() for info in socket.getaddrinfo(machine, None)}
        except OSError:  # a machine whose own name does not resolve
            pass
    return frozenset(names - set(WILDCARDS))


def host_name(header: str) -> str:
    """The name part of a Host header: `[::1]:8080` -> `::1`, `LocalHost.:80` -> `localhost`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


class RequestGuard:
    """ASGI middleware: refuses (403, one sentence) what the dashboard must not answer."""

    def __init__(self, app: ASGIApp, names: Iterable[str]) -> None:
        self.app, self.names = app, frozenset(names)

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] == "http":
            problem = self.problem(scope)
            if problem is not None:
                await _refuse(send, problem)
                return
        await self.app(scope, receive, send)

    def problem(self, scope: Scope) -> str | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if host_name(host) not in self.names:
            return (f"this dashboard answers requests to {', '.join(sorted(self.names))} only, not to {host[:100]!r} "
                    "(open it by the address it printed)")
        if not str(scope.get("path", "")).startswith("/api/"):
            return None
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host.lower()}":
            return f"the dashboard's API answers its own page only, not a page of {origin[:100]!r}"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "the dashboard's API answers its own page only, not a page of another site"
        return None


async def _refuse(send: Callable[[Any], Awaitable[None]], message: str) -> None:
    import json

    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
