"""The realtime server: the avatar page at /, WebRTC signalling at POST /api/offer, the WebSocket
fallback at /ws, /api/health, and /files/<workspace>/<artifact> for what the agent tools made in a
conversation (realtime/tools.py). The studio's Guard stands in front (token, Host and Origin checks,
body cap), so the same rules hold: loopback by default, a token for anything else."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, WebSocket
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.types import ASGIApp

from realtime.models import ModelSettings, RealtimeModels
from realtime.session import RealtimeSession
from realtime.tools import ConversationTools, artifact_file, workspace_root
from realtime.vad import SAMPLE_RATE, VADSettings
from realtime.websocket import serve_websocket
from server.config import ServerConfig
from server.security import Guard
from server.workspace import content_type

log = logging.getLogger("audiogent.realtime")
STATIC = Path(__file__).parent / "static"
MAX_SIGNALLING_BYTES = 64 * 1024


@dataclass
class RealtimeConfig:
    server: ServerConfig = field(default_factory=lambda: ServerConfig(port=7861))
    models: ModelSettings = field(default_factory=ModelSettings)
    vad: VADSettings = field(default_factory=VADSettings)
    max_sessions: int = 4  # each session costs one model pipeline's CPU while it talks
    mark_voiced_frames: bool = False  # the benchmark's measurement aid (realtime/session.py:_mark)
    tools: bool = True  # audio jobs asked for in the conversation run through the agent (realtime/tools.py)
    workspace: Path | None = None  # where their files go (default: <data home>/realtime)


class Offer(BaseModel):
    sdp: str = Field(max_length=MAX_SIGNALLING_BYTES)
    type: str = Field(pattern="^offer$")


class SessionLimit(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(503, f"the avatar is already talking to {limit} people; try again when one leaves "
                              "(or start the server with a larger --max-sessions)")


class Sessions:
    """The live sessions of this process: counted, each closed on its own."""

    def __init__(self, config: RealtimeConfig, models: RealtimeModels) -> None:
        self.config = config
        self.models = models
        self.live: set[Any] = set()

    def make(self, emit: Any, sink: Any) -> RealtimeSession:
        tools = ConversationTools(SAMPLE_RATE, root=self.config.workspace) if self.config.tools else None
        return RealtimeSession(self.models, emit, sink, vad=self.config.vad,
                               mark_voiced_frames=self.config.mark_voiced_frames, tools=tools)

    def reserve(self) -> None:
        if len(self.live) >= self.config.max_sessions:
            raise SessionLimit(self.config.max_sessions)


def build_app(config: RealtimeConfig, models: RealtimeModels) -> FastAPI:
    from realtime.webrtc import RtcPeer

    sessions = Sessions(config, models)
    app = FastAPI(title="audiogent realtime", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sessions = sessions

    @app.get("/")
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-store"})

    @app.get("/client.js")
    async def client_js() -> FileResponse:
        return FileResponse(STATIC / "client.js", media_type="text/javascript", headers={"cache-control": "no-store"})

    @app.get("/api/health")
    async def health() -> dict[str, Any]:
        return {"ok": True, "sessions": len(sessions.live), "max_sessions": config.max_sessions,
                "models_load_s": models.load_seconds, "asr": models.settings.asr,
                "llm": models.settings.llm.endpoint}

    @app.get("/files/{workspace}/{artifact}")
    async def file(workspace: str, artifact: str) -> FileResponse:
        found = artifact_file(config.workspace or workspace_root(), workspace, artifact)
        if found is None:
            raise HTTPException(404, "no such file")
        path, rec = found
        media, inline = content_type(rec.format)
        return FileResponse(path, media_type=media, filename=rec.original_name or path.name,
                            content_disposition_type="inline" if inline else "attachment",
                            headers={"x-content-type-options": "nosniff"})

    @app.post("/api/offer")
    async def offer(body: Offer) -> dict[str, str]:
        sessions.reserve()
        peer = RtcPeer(sessions.make, on_closed=lambda p: sessions.live.discard(p))
        sessions.live.add(peer)
        try:
            answer = await asyncio.wait_for(peer.answer(body.sdp, body.type), 15)
        except Exception as e:
            await peer.close()
            raise HTTPException(400, f"could not answer the WebRTC offer: {e}") from e
        return {"sdp": answer.sdp, "type": answer.type}

    @app.websocket("/ws")
    async def websocket(ws: WebSocket) -> None:
        if len(sessions.live) >= config.max_sessions:
            await ws.accept()
            await ws.close(1013, "the avatar is busy with other sessions; try again later")
            return
        sessions.live.add(ws)
        try:
            await serve_websocket(ws, sessions.make)
        finally:
            sessions.live.discard(ws)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Any, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)

    return app


def create_app(config: RealtimeConfig, models: RealtimeModels) -> ASGIApp:
    return Guard(build_app(config, models), token=config.server.token, max_body_bytes=MAX_SIGNALLING_BYTES,
                 allowed_hosts={config.server.host})


def serve(config: RealtimeConfig) -> None:
    import uvicorn

    print("loading the realtime models (VAD, Whisper, Piper, the LLM, the avatar)...", flush=True)
    models = RealtimeModels(config.models).load()
    where = config.server.url + ("/?token=<your token>" if config.server.token else "/")
    print(f"audiogent realtime on {where}  (models ready in {sum(models.load_seconds.values()):.1f} s)", flush=True)
    uvicorn.run(create_app(config, models), host=config.server.host, port=config.server.port, log_level="warning",
                proxy_headers=False, server_header=False, timeout_graceful_shutdown=3)
