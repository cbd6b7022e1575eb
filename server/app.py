"""The application: the API under /api (OpenAPI at /api/openapi.json, docs at /api/docs, served
without any CDN), the studio mounted at / (Gradio), and the Guard middleware around all of it.
(server/__init__.py has already set Gradio's offline environment when gradio is imported here.)"""

from __future__ import annotations

import os
import secrets
import warnings
from pathlib import Path

import gradio as gr
from fastapi import FastAPI
from starlette.types import ASGIApp

from agent.paths import data_home, sessions_dir
from server.api import build_api
from server.config import ServerConfig
from server.security import Guard
from server.studio import Studio
from server.ui import CSS, THEME, build_blocks
from server.workspace import Workspace


def browser_state_secret() -> str:
    """Kept across restarts so a browser finds its session again after the server restarts."""
    path = data_home() / "server" / "browser-state-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(24))
    return path.read_text().strip()


def create_app(config: ServerConfig) -> ASGIApp:
    ws = Workspace(config)
    app = build_api(ws)
    blocks = build_blocks(Studio(ws), browser_state_secret())
    blocks.queue(default_concurrency_limit=4)
    sessions = sessions_dir()
    sessions.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="SSR mode is not supported")  # multi-page: SSR is off anyway
        app = _mount(app, blocks, config, sessions)
    return Guard(app, token=config.token, max_body_bytes=config.max_upload_bytes, allowed_hosts={config.host})


def _mount(app: FastAPI, blocks: gr.Blocks, config: ServerConfig, sessions: Path) -> FastAPI:
    return gr.mount_gradio_app(
        app, blocks, path="/",
        allowed_paths=[],  # the studio serves copies in Gradio's upload cache, nothing else
        blocked_paths=[str(sessions.resolve())],
        max_file_size=config.max_upload_bytes,
        footer_links=[], show_error=True, theme=THEME, css=CSS, ssr_mode=False, mcp_server=False,
        server_name=config.host, server_port=config.port,
    )


def serve(config: ServerConfig) -> None:
    import uvicorn

    app = create_app(config)
    where = config.url + ("/?token=<your token>" if config.token else "/")
    print(f"audiogent studio on {where}  (API docs: {config.url}/api/docs)", flush=True)
    uvicorn.run(app, host=config.host, port=config.port, log_level="warning", proxy_headers=False,
                server_header=False, timeout_graceful_shutdown=5)
