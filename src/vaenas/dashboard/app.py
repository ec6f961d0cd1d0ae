"""The dashboard's routes: two pages (a study, a compare folder) that draw themselves
from the JSON API, and the API (documented in docs/dashboard.md):

    GET /api/state?run=R              what R is: a study's configuration, counts and best;
                                      a compare folder's curves and summary; or `none` yet
    GET /api/trials?run=R&since=N     trials numbered N on, and `next`, the N to ask next
    GET /api/arch?run=R&number=K      trial K's architecture as the page draws it
    GET /api/latent?run=R             the space's latent map (202 while it is computed)
    GET /api/optimum?run=R            the best value a table objective can reach (202 while read)

`run` is a folder inside the served one ("" is the served folder itself, e.g.
runs/bo/seed0 in a compare folder); one outside it is refused (403)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
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
    arch_of,
    StudyWatch,
    compare_state,
    config_of,
    folder_kind,
    within,
)

STATIC = Path(__file__).parent / "static"


def plotly_script() -> Path:
    """plotly.js as the plotly package ships it: the page fetches nothing from the internet."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def make_app(out: Path) -> Starlette:
    """The dashboard of folder `out` (a study, a compare folder, or one a search will write)."""
    out = out.resolve()
    computed: dict[tuple[str, Path], Any] = {}
    spaces: dict[Path, Any] = {}
    watches: dict[Path, StudyWatch] = {}

    def watch(path: Path) -> StudyWatch:
        return watches.setdefault(path, StudyWatch(path))

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
            return _json(compare_state(path))
        if kind == "none":  # a state, not an error: a search may be about to write here
            return _json({"kind": "none", "message": f"{path} holds no study yet: this page fills in once a search "
                                                     "writes its journal (study.db) here"})
        return _json(watch(path).state())

    def trials(request: Request) -> Response:  # sync: Starlette runs it in a thread
        since = _whole(request, "since", 0)
        return _json(watch(folder(request)).since(since))

    def arch(request: Request) -> Response:  # sync: Starlette runs it in a thread
        path, number = folder(request), _whole(request, "number", None)
        if path not in spaces:
            from vaenas.spaces import space_of

            config = config_of(path)
            spaces[path] = space_of(config["space"], config.get("space_definition"))
        return _json(drawing(spaces[path], arch_of(path, number)))

    async def torch_side(request: Request) -> Response:
        """The latent map or the optimum, from a process of its own; 202 until it is done."""
        path, view = folder(request), request.url.path.rsplit("/", 1)[-1]
        config_of(path)  # a study, readable, or the problem it has
        if (view, path) not in computed:
            computed[view, path] = asyncio.ensure_future(_torch_side(view, path))
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
    return Starlette(routes=routes, exception_handlers={FolderProblem: problem})


def _whole(request: Request, name: str, default: int | None) -> int:
    text = request.query_params.get(name)
    if text is None and default is not None:
        return default
    if text is None or not text.isdigit():
        raise FolderProblem(f"{name} must be a whole number, got {text!r}", 400)
    return int(text)


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload, separators=(",", ":")), status_code=status, media_type="application/json")


async def _torch_side(view: str, path: Path) -> dict[str, Any]:
    """A view of torch_side.py from its own process, with one torch thread (the search keeps
    the cores); its failure is an answer that says why."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "vaenas.dashboard.torch_side", view, str(path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    stdout, stderr = await process.communicate()
    if process.returncode != 0:
        lines = stderr.decode(errors="replace").strip().splitlines()
        return {"available": False, "optimum": None, "reason": lines[-1] if lines else f"exit {process.returncode}"}
    return dict(json.loads(stdout))


def _problem_page(message: str) -> str:
    from html import escape

    return ((STATIC / "head.html").read_text() + "<body><header><h1>vaenas dashboard</h1></header>"
            f"<p class='problem' id='problem'>{escape(message)}</p></body></html>")
