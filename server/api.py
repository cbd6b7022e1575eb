"""The HTTP API under /api: tools, sessions, uploads, plans, runs and artifact bytes, all through
agent.core.Agent. Every lookup is scoped to the session in the URL; ids are checked by strict
patterns before anything touches the disk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.artifacts import ArtifactRecord, Manifest
from agent.core import RunResult
from agent.errors import (
    ArtifactNotFound,
    AudiogentError,
    BadInput,
    InvalidArguments,
    LLMError,
    PlanError,
    SessionError,
)
from agent.registry import default_registry
from server.schemas import (
    ERRORS,
    ArtifactOut,
    BackendInfo,
    PlanBody,
    PlanOut,
    PlanRunBody,
    RunBody,
    RunOut,
    SessionCreated,
    ToolInfo,
)
from server.workspace import NotFound, TooLarge, Workspace, content_type

DOCS_ASSETS = "/api/docs/assets"


def artifact_url(session: str, artifact_id: str) -> str:
    return f"/api/sessions/{session}/artifacts/{artifact_id}"


def _artifact_out(session: str, rec: ArtifactRecord) -> ArtifactOut:
    return ArtifactOut(**rec.model_dump(), url=artifact_url(session, rec.id))


def run_out(result: RunResult) -> RunOut:
    """`audiogent run --json`, less the server's file paths, plus each artifact's URL."""
    data = result.to_json()
    data.pop("workspace", None)
    data["artifacts"] = [_artifact_out(result.session.name, rec) for rec in result.artifacts.values()]
    return RunOut(**data)


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: ERRORS[c] for c in codes}


def build_router(ws: Workspace) -> APIRouter:
    api = APIRouter(prefix="/api", responses=_errors(401), tags=["audiogent"])

    @api.get("/tools", response_model=list[ToolInfo], summary="Every tool, its inputs and backends")
    def list_tools() -> list[ToolInfo]:
        rows = []
        for t in default_registry().tools.values():
            backends = [BackendInfo(**b.model_dump(exclude={"note"}), available=ok, status=why)
                        for b, (_, ok, why) in zip(t.spec.backends, t.backend_status())]
            rows.append(ToolInfo(name=t.name, family=t.spec.family, description=t.spec.description,
                                 inputs={k: v.model_dump(exclude_none=True) for k, v in t.spec.inputs.items()},
                                 outputs={k: v.type for k, v in t.spec.outputs.items()},
                                 examples=t.spec.examples, backends=backends))
        return rows

    @api.post("/sessions", response_model=SessionCreated, status_code=201, summary="Start a new session")
    def create_session() -> SessionCreated:
        return SessionCreated(session=ws.create().name)

    @api.get("/sessions/{session}", response_model=Manifest, responses=_errors(404),
             summary="The session's manifest: its artifacts and runs")
    def get_session(session: str) -> Manifest:
        return ws.open(session).manifest

    @api.post("/sessions/{session}/uploads", response_model=ArtifactOut, status_code=201,
              responses=_errors(400, 404, 413, 422), summary="Upload a file (audio, image, video, score, text)")
    def upload(session: str, file: Annotated[UploadFile, File(description="the file; its name only says its type")]
               ) -> ArtifactOut:
        s = ws.open(session)
        rec = ws.upload(s, file.filename, file.file)
        return _artifact_out(s.name, rec)

    @api.post("/sessions/{session}/plan", response_model=PlanOut, responses=_errors(400, 404, 422, 502),
              summary="Plan a request without running it")
    def plan(session: str, body: PlanBody) -> PlanOut:
        s = ws.open(session)
        agent = ws.agent(s)
        p, _ = agent.plan(body.request, ws.artifacts(s, body.inputs))
        return PlanOut(planner=agent.planner.name, outcome=p.outcome, plan=p.to_json())

    @api.post("/sessions/{session}/runs", response_model=RunOut, responses=_errors(400, 404, 422, 502),
              summary="Plan and run a request (answers when it is done)")
    def run(session: str, body: RunBody) -> RunOut:
        s = ws.open(session)
        return run_out(ws.agent(s).run(body.request, uploads=ws.artifacts(s, body.inputs)))

    @api.post("/sessions/{session}/plans/run", response_model=RunOut, responses=_errors(400, 404, 422),
              summary="Validate and run a given plan")
    def run_plan(session: str, body: PlanRunBody) -> RunOut:
        s = ws.open(session)
        return run_out(ws.agent(s).run_plan(body.plan, body.request, uploads=ws.artifacts(s, body.inputs)))

    @api.get("/sessions/{session}/artifacts/{artifact_id}", response_class=FileResponse,
             responses={**_errors(404), 200: {"content": {"application/octet-stream": {}},
                                             "description": "the artifact's bytes, with its media type"}},
             summary="An artifact's bytes")
    def get_artifact(session: str, artifact_id: str) -> FileResponse:
        s = ws.open(session)
        rec = ws.artifact(s, artifact_id)
        path = ws.artifact_file(s, rec)
        media, inline = content_type(rec.format)
        return FileResponse(path, media_type=media, filename=f"{rec.id}.{rec.format}",
                            content_disposition_type="inline" if inline else "attachment")

    return api


def _status(e: AudiogentError) -> int:
    if isinstance(e, (NotFound, ArtifactNotFound, SessionError)):
        return 404
    if isinstance(e, TooLarge):
        return 413
    if isinstance(e, (PlanError, InvalidArguments)):
        return 422
    if isinstance(e, LLMError):
        return 502
    if isinstance(e, BadInput):
        return 400
    return 400


def error_body(e: AudiogentError) -> dict[str, Any]:
    kind = "NotFound" if isinstance(e, (NotFound, ArtifactNotFound)) else type(e).__name__
    return {"error_type": kind, "error": e.message, "hint": e.hint,
            "problems": e.problems if isinstance(e, PlanError) else []}


def register_errors(app: FastAPI) -> None:
    @app.exception_handler(AudiogentError)
    async def on_agent_error(_: Request, e: AudiogentError) -> JSONResponse:
        return JSONResponse(error_body(e), status_code=_status(e))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(_: Request, e: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error_type": "HTTPError", "error": str(e.detail), "hint": "", "problems": []},
                            status_code=e.status_code, headers=e.headers)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, e: RequestValidationError) -> JSONResponse:
        problems = []
        for err in e.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        return JSONResponse({"error_type": "InvalidRequest", "error": "the request is not valid",
                             "hint": "see /api/docs", "problems": problems}, status_code=422)


def _docs_assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("audiogent")
    except PackageNotFoundError:
        return "0.1.0"


def build_api(ws: Workspace) -> FastAPI:
    """The API alone (no studio): routes, error handlers, OpenAPI and the Swagger UI page."""
    app = FastAPI(
        title="audiogent",
        version=_version(),
        description="An audio agent: upload files, ask in words, get the plan, the artifacts and the answer. "
                    "Start with POST /api/sessions; keep the session id it returns.",
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
    )
    app.include_router(build_router(ws))
    register_errors(app)
    app.mount(DOCS_ASSETS, StaticFiles(directory=_docs_assets_dir()), name="docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/api/openapi.json", title="audiogent API",
                                   swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
                                   swagger_favicon_url=f"{DOCS_ASSETS}/favicon.png")

    return app
