"""The review web app (FastAPI): worst examples first, decide keep / relabel / exclude.

Routes
------
``GET /``                                   the page (static HTML + JS shipped with the package)
``GET /api/meta``                           classes, counts, preview kind, default reviewer
``GET /api/examples``                       a page of examples (``page``, ``page_size``, ``scope``,
                                            ``klass``, ``decision``, ``check``), worst first
``GET /api/examples/{row}``                 one example
``GET /api/examples/{row}/image``           its thumbnail (pixel columns) or image file
``POST /api/examples/{row}/decision``       JSON ``{action, label?, version, reviewer}``; on an
                                            ``aggregate-tags`` folder a relabel's label is the new
                                            tag set (a list of the folder's tags, ``meta.tags``)
``POST /api/examples/{row}/keep-one``       JSON ``{check, versions, reviewer}``: keep this row,
                                            exclude the rest of its duplicate set
``GET /api/progress``                       reviewed / flagged counts
``GET /api/export/cleaned``                 the cleaned data (download): a CSV table, or a task
                                            audit's CoNLL or COCO file
``GET /api/export/cleaned.csv``             the same, for the audits whose cleaned data is a table
``GET /api/export/label-studio.json``       Label Studio tasks of the flagged examples (422 for a
                                            task audit)
``GET /files/{path}``                       files under the output folder (e.g. report.html)

Security: the page is served with a strict Content-Security-Policy (no inline script, nothing
from other hosts), every value is inserted as text by the page's script, requests with a ``Host``
other than the bound address are refused (DNS rebinding), decisions must be JSON (so other sites
cannot post forms to it) and come from the same origin, and files are only served from under the
output folder or, for images, the data table's image column.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from .._extras import missing
from ..errors import ConflictError, LabelwiseError, StorageError

try:
    from fastapi import FastAPI, Request
    from fastapi.responses import FileResponse, JSONResponse, Response
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.staticfiles import StaticFiles
except ImportError:
    raise missing("fastapi", "the review app") from None
from ._state import ReviewState, jsonable
from .duplicates import keep_one
from .export import label_studio_tasks
from .store import ACTIONS, DB_NAME
from .task_export import cleaned_download

__all__ = ["create_app"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]
DECISION_FILTERS = ("any", "undecided", "reviewed", "keep", "relabel", "exclude")
MAX_PAGE_SIZE = 200
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def create_app(
    out_dir: str | os.PathLike,
    *,
    reviewer: str | None = None,
    allowed_hosts: list[str] | None = None,
    db_timeout: float = 5.0,
):
    """Build the review app over an audit's output folder.

    Long because the routes are closures over one shared state (audit, store, previewer), declared together so the API reads as one table.

    Parameters
    ----------
    out_dir : path-like
        Folder written by ``labelwise audit``; decisions go to ``out_dir/review.sqlite``.
    reviewer : str, optional
        Default reviewer name shown on the page (the OS user name when omitted).
    allowed_hosts : list of str, optional
        Host names the app answers to (default: loopback names). Requests with another ``Host``
        header get 400, which defeats DNS-rebinding attacks.
    db_timeout : float
        Seconds to wait for a locked database before answering 503.

    Returns
    -------
    fastapi.FastAPI

    Raises
    ------
    DataFileError, StorageError
        If the folder is not an audit output or its database cannot be opened.
    """
    state = ReviewState(out_dir, reviewer=reviewer, db_timeout=db_timeout)
    hosts = list(allowed_hosts) if allowed_hosts is not None else list(LOOPBACK_HOSTS)
    app = FastAPI(title="labelwise review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.review = state

    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"detail": message}, status_code=status)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        if request.method not in ("GET", "HEAD"):
            origin = request.headers.get("origin")
            # Browsers send Origin on cross-site posts: it must name this very server (same origin).
            if origin is not None and urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
                return error(403, f"cross-origin request from {origin!r} refused")
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)

    @app.exception_handler(StorageError)
    async def storage_error(request: Request, exc: StorageError):
        return error(503, str(exc))

    @app.exception_handler(ConflictError)
    async def conflict_error(request: Request, exc: ConflictError):
        return error(409, str(exc))

    @app.exception_handler(LabelwiseError)
    async def labelwise_error(request: Request, exc: LabelwiseError):
        return error(422, str(exc))

    def find(row: int) -> int:
        i = state.by_row.get(row)
        if i is None:
            raise KeyError(row)
        return i

    async def decision_request(row: str, request: Request) -> tuple[int, int, Any] | JSONResponse:
        """A decision POST's row, its position and its JSON object body, or the error response to send."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return error(415, f"decisions must be sent as application/json, got {ctype or 'no content type'!r}")
        try:
            r = int(row)
            i = find(r)
        except (KeyError, ValueError):
            return unknown(row)
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return error(400, f"request body must be JSON: {exc}")
        if not isinstance(body, dict):
            return error(422, f"request body must be a JSON object, got {type(body).__name__}")
        return r, i, body

    def unknown(row: Any) -> JSONResponse:
        return error(404, state.unknown_id(row))

    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/meta")
    def meta():
        a = state.audit
        report = a.out_dir / "report.html"
        decisions = state.store.current()
        return {
            "title": Path(str(a.settings.get("data") or a.out_dir.name)).name,
            "out_dir": str(a.out_dir),
            "classes": [jsonable(c) for c in a.classes],
            "n_examples": len(state.rows),
            "preview_kind": state.previewer.kind,
            "reviewer": state.reviewer,
            "report_url": "/files/report.html" if report.is_file() else None,
            "can_export": state.data_found,
            "rank_by": a.settings.get("rank_by"),
            "checks": state.checks.counts(),
            "task": state.task,
            "tags": state.tags,  # an aggregate-tags folder: a relabel sets the item's tags among these
            "dependence": state.dependence,  # an aggregate folder: its copying annotators (pairs, rings)
            "progress": state.progress(decisions),
        }

    @app.get("/api/progress")
    def progress():
        return state.progress(state.store.current())

    @app.get("/api/examples")
    def examples(
        page: int = 1,
        page_size: int = 24,
        scope: str = "flagged",
        klass: str | None = None,
        decision: str = "any",
        check: str | None = None,
    ):
        if page < 1:
            return error(422, f"page must be >= 1, got {page}")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            return error(422, f"page_size must be in [1, {MAX_PAGE_SIZE}], got {page_size}")
        if scope not in ("flagged", "all"):
            return error(422, f"scope must be 'flagged' or 'all', got {scope!r}")
        if decision not in DECISION_FILTERS:
            return error(422, f"decision must be one of {list(DECISION_FILTERS)}, got {decision!r}")
        if klass not in (None, "") and klass not in state.class_text:
            shown = list(state.class_text)[:30]
            return error(422, f"klass must be one of the classes {shown}, got {klass!r}")
        decisions = state.store.current()
        mask = np.ones(len(state.rows), dtype=bool)
        if check not in (None, ""):
            mask &= state.checks.mask(check)  # the rows this data check flagged (scope is not applied)
        elif scope == "flagged":
            mask &= state.audit.issues["is_issue"].to_numpy()
        if klass not in (None, ""):
            mask &= state.given_text == klass
        if decision != "any":
            latest = pd.Series({r: d.action for r, d in decisions.items()}, dtype=object)
            acts = latest.reindex(state.rows).fillna("clear").to_numpy()
            if decision == "undecided":
                mask &= acts == "clear"
            elif decision == "reviewed":
                mask &= acts != "clear"
            else:
                mask &= acts == decision
        idx = np.flatnonzero(mask)
        total = len(idx)
        pages = max(1, -(-total // page_size))
        chosen = idx[(page - 1) * page_size : page * page_size]
        return {
            "page": page,
            "page_size": page_size,
            "pages": pages,
            "total": total,
            "items": [state.example(int(i), decisions) for i in chosen],
            "progress": state.progress(decisions),
        }

    @app.get("/api/examples/{row}")
    def example(row: str):
        try:
            i = find(int(row))
        except (KeyError, ValueError):
            return unknown(row)
        return state.example(i, state.store.current())

    @app.get("/api/examples/{row}/image")
    def image(row: str):
        try:
            r = int(row)
            find(r)
        except (KeyError, ValueError):
            return unknown(row)
        pv = state.previewer
        source = pv.image_source(r)
        if isinstance(source, bytes):
            return Response(source, media_type="image/png", headers={"Cache-Control": "max-age=3600"})
        if source is None:
            return error(404, f"example {r} has no readable image file")
        return FileResponse(source, media_type=pv.mime_of(source), headers={"Cache-Control": "max-age=3600"})

    @app.post("/api/examples/{row}/decision")
    async def decide(row: str, request: Request):
        parsed = await decision_request(row, request)
        if isinstance(parsed, JSONResponse):
            return parsed
        r, i, body = parsed
        action = body.get("action")
        if action not in ACTIONS:
            return error(422, f"action must be one of {list(ACTIONS)}, got {action!r}")
        version = body.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            return error(422, f"version must be the example's version (an integer >= 0) you saw, got {version!r}")
        reviewer = body.get("reviewer") or state.reviewer
        label = None
        if action == "relabel" and not state.relabel:  # the export of a task audit applies exclusions only
            return error(
                422,
                f"action 'relabel' does not apply to {state.unit_kind}: its review records keep or exclude "
                f"per unit, got label {body.get('label')!r}",
            )
        if action == "relabel":
            if "label" not in body:
                return error(422, "label is required for action 'relabel'")
            label = state.resolve_label(body["label"])
        # store.record runs SQLite with a busy timeout: keep it off the event loop.
        d = await run_in_threadpool(state.store.record, r, action, version=version, reviewer=str(reviewer), label=label)
        decisions = state.store.current()
        return {"example": state.example(i, decisions), "decision": d.to_dict(), "progress": state.progress(decisions)}

    @app.post("/api/examples/{row}/keep-one")
    async def keep_one_of_set(row: str, request: Request):
        parsed = await decision_request(row, request)
        if isinstance(parsed, JSONResponse):
            return parsed
        r, i, body = parsed
        raw = body.get("versions")
        if not isinstance(raw, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in raw.values()):
            return error(422, f"versions must map each row of the set to the version you saw, got {raw!r}")
        try:
            versions = {int(k): v for k, v in raw.items()}
        except ValueError:
            return error(422, f"versions must be keyed by row numbers, got {list(raw)!r}")
        reviewer = str(body.get("reviewer") or state.reviewer)
        made = await run_in_threadpool(
            keep_one, state.store, state.checks, r, body.get("check"), versions=versions, reviewer=reviewer
        )
        decisions = state.store.current()
        return {
            "example": state.example(i, decisions),
            "decisions": [d.to_dict() for d in made],
            "progress": state.progress(decisions),
        }

    @app.get("/api/export/cleaned")
    def export_cleaned(mark_excluded: bool = False):
        payload, name, media = cleaned_download(state.audit.out_dir, mark_excluded=mark_excluded)
        return Response(payload, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/api/export/cleaned.csv")
    def export_cleaned_csv(mark_excluded: bool = False):
        if state.task in ("token", "detection"):
            return error(422, f"the cleaned data of a {state.task} audit is not a table: GET /api/export/cleaned")
        return export_cleaned(mark_excluded)

    @app.get("/api/export/label-studio.json")
    def export_ls():
        tasks = label_studio_tasks(state.audit.out_dir)
        return Response(
            json.dumps(tasks, ensure_ascii=False),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="label-studio-tasks.json"'},
        )

    @app.get("/files/{path:path}")
    def files(path: str):
        root = state.audit.out_dir
        try:
            target = (root / path).resolve()
        except (OSError, RuntimeError, ValueError):
            return error(404, f"no such file {path!r} in the output folder")
        if not target.is_relative_to(root) or not target.is_file() or target.name.startswith(DB_NAME):
            return error(404, f"no such file {path!r} in the output folder")
        # Files of the output folder (report.html) carry their own inline CSS and data: images.
        return FileResponse(
            target,
            headers={"Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"},
        )

    return app
