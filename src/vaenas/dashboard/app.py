"""The dashboard's routes: two pages (a study, a compare folder) that draw themselves
from the JSON API, and the API (documented in docs/dashboard.md):

    GET /api/state?run=R              what R is: a study's configuration, counts and best;
                                      a compare folder's curves and summary; or `none` yet
    GET /api/trials?run=R&since=N     trials numbered N on, and `next`, the N to ask next
    GET /api/arch?run=R&number=K      trial K's architecture as the page draws it
    GET /api/latent?run=R             the space's latent map (202 while it is computed)
    GET /api/optimum?run=R            the best value a table objective can reach (202 while read)

`run` is a folder inside the served one ("" is the served folder itself, e.g.
runs/bo/seed0 in a compare folder); one outside it, or a file that links outside it, is
refused (403), and so is a request to another Host name or from another origin
(request_guard.py). Work a crafted journal could make long (building its space) runs
once per space and answers within DRAW_SECONDS."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from vaenas.dashboard.drawing import drawing
from vaenas.dashboard.folder_view import (
    FolderProblem,
    StudyWatch,
    compare_state,
    config_and_arch,
    config_of,
    folder_kind,
    within,
)
from vaenas.dashboard.request_guard import LOOPBACK_NAMES, RequestGuard
from vaenas.errors import VaenasError

STATIC = Path(__file__).parent / "static"
DRAW_SECONDS = 10.0
"""The longest an architecture's drawing may take before the request is answered 503."""
MAX_NUMBER = 2**63 - 1
"""The largest trial number a query may name (SQLite's largest integer)."""
TORCH_SIDE_SECONDS = 600.0
"""The longest the latent map or the optimum may compute before its process is stopped."""


def plotly_script() -> Path:
    """plotly.js as the plotly package ships it: the page fetches nothing from the internet."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def make_app(out: Path, names: Iterable[str] = LOOPBACK_NAMES) -> Starlette:
    """The dashboard of folder `out` (a study, a compare folder, or one a search will
    write), answering requests addressed to one of `names` (Host header) only."""
    out = out.resolve()
    computed: dict[tuple[str, Path], Any] = {}
    spaces: dict[str, asyncio.Future[Any]] = {}
    watches: dict[Path, StudyWatch] = {}
    children: set[asyncio.subprocess.Process] = set()

    def watch(path: Path) -> StudyWatch:
        return watches.setdefault(path, StudyWatch(path, out))

    def folder(request: Request) -> Path:
        return within(out, request.query_params.get("run", ""))

    async def page(request: Request) -> Response:
        try:
            path = folder(request)
        except FolderProblem as exc:
            return HTMLResponse(_problem_page(str(exc)), status_code=exc.status)
        body = "compare-body.html" if folder_kind(path) == "compare" else "study-body.html"
        return HTMLResponse((STATIC / "head.html").read_text() + (STATIC / body).read_text())

    def state(request: Request) -> Response:  # sync: Starlette runs it in a thread
        path = folder(request)
        kind = folder_kind(path)
        if kind == "compare":
            return _json(compare_state(path, out))
        if kind == "none":  # a state, not an error: a search may be about to write here
            return _json({"kind": "none", "message": f"{path} holds no study yet: this page fills in once a search "
                                                     "writes its journal (study.db) here"})
        return _json(watch(path).state())

    def trials(request: Request) -> Response:  # sync: Starlette runs it in a thread
        since = _whole(request, "since", 0)
        return _json(watch(folder(request)).since(since))

    async def arch(request: Request) -> Response:
        """Trial K drawn in the space its journal names now (a journal replaced by one of
        another space is drawn in the new one); each space is built once, in a thread of
        its own, and a request waits DRAW_SECONDS for it at most."""
        path, number = folder(request), _whole(request, "number", None)
        config, text = await asyncio.to_thread(config_and_arch, path, out, number)
        key = json.dumps([config.get("space"), config.get("space_definition")], sort_keys=True, default=str)
        if key not in spaces:
            spaces[key] = asyncio.wrap_future(_in_daemon_thread(_space_of, config))
        try:
            space = await asyncio.wait_for(asyncio.shield(spaces[key]), DRAW_SECONDS)
        except TimeoutError:
            raise FolderProblem(f"the study's space takes more than {DRAW_SECONDS:g} s to build: its architectures "
                                "are not drawn", 503) from None
        return _json(drawing(space, text))

    async def torch_side(request: Request) -> Response:
        """The latent map or the optimum, from a process of its own; 202 until it is done."""
        path, view = folder(request), request.url.path.rsplit("/", 1)[-1]
        await asyncio.to_thread(config_of, path, out)  # a study, readable, or the problem it has
        if (view, path) not in computed:
            computed[view, path] = asyncio.ensure_future(_torch_side(view, path, children))
        task = computed[view, path]
        if not task.done():
            return _json({"computing": True}, 202)
        return _json(task.result())

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FolderProblem)
        return _json({"error": str(exc)}, exc.status)

    routes = [
        Route("/", page),
        Route("/api/state", state),
        Route("/api/trials", trials),
        Route("/api/arch", arch),
        Route("/api/latent", torch_side),
        Route("/api/optimum", torch_side),
        Route("/static/plotly.min.js", lambda request: FileResponse(plotly_script())),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    app = Starlette(routes=routes, exception_handlers={FolderProblem: problem})
    app.state.children = children
    app.add_middleware(RequestGuard, names=names)
    return app


def _space_of(config: dict[str, Any]) -> Any:
    """The space a journal names, or the one sentence that says why it cannot be built."""
    from vaenas.spaces import space_of

    try:
        return space_of(str(config.get("space")), config.get("space_definition"))
    except VaenasError as exc:
        raise FolderProblem(f"the study's space cannot be built: {exc}", 409) from None


def _in_daemon_thread(work: Any, *args: Any) -> concurrent.futures.Future[Any]:
    """`work(*args)` in a daemon thread: a computation still running never holds the
    server's exit (the default executor's threads are joined at shutdown)."""
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def run() -> None:
        try:
            future.set_result(work(*args))
        except BaseException as exc:  # handed to the request that waits for it
            future.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    return future


def _whole(request: Request, name: str, default: int | None) -> int:
    text = request.query_params.get(name)
    if text is None and default is not None:
        return default
    if text is None or not (text.isascii() and text.isdigit()) or int(text) > MAX_NUMBER:
        raise FolderProblem(f"{name} must be a whole number from 0 to {MAX_NUMBER}, got {text[:40] if text else text!r}",
                            400)
    return int(text)


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload, separators=(",", ":")), status_code=status, media_type="application/json")


async def _torch_side(view: str, path: Path, children: set[asyncio.subprocess.Process]) -> dict[str, Any]:
    """A view of torch_side.py from its own process, with one torch thread (the search keeps
    the cores), stopped after TORCH_SIDE_SECONDS or when the server stops (`children`);
    its failure is an answer that says why."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "vaenas.dashboard.torch_side", view, str(path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    children.add(process)
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), TORCH_SIDE_SECONDS)
    except TimeoutError:
        process.kill()
        return {"available": False, "optimum": None, "reason": f"not done within {TORCH_SIDE_SECONDS:g} s"}
    finally:
        children.discard(process)
    if process.returncode != 0:
        lines = stderr.decode(errors="replace").strip().splitlines()
        return {"available": False, "optimum": None, "reason": lines[-1] if lines else f"exit {process.returncode}"}
    return dict(json.loads(stdout))


def _problem_page(message: str) -> str:
    from html import escape

    return ((STATIC / "head.html").read_text() + "<body><header><h1>vaenas dashboard</h1></header>"
            f"<p class='problem' id='problem'>{escape(message)}</p></body></html>")
