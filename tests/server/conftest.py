"""Servers for the server tests: `audiogent serve` itself, started as a user starts it (a subprocess
on a free port of 127.0.0.1), with its own AUDIOGENT_HOME and Gradio cache, once per test session."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
import pytest

from agent.media import write_audio
from tests.conftest import tone

TOKEN = "s3cret-token-for-tests-0123456789"
UPLOAD_LIMIT_MB = 2


@dataclass
class Served:
    url: str
    home: Path
    log: Path
    token: str | None = None

    def client(self, **kw) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=300, **kw)

    def new_session(self) -> str:
        with self.client() as c:
            r = c.post("/api/sessions")
            assert r.status_code == 201, r.text
            return r.json()["session"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(home: Path, **extra: str) -> dict[str, str]:
    from agent import paths

    env = {**os.environ, "AUDIOGENT_HOME": str(home), "AUDIOGENT_CACHE": str(paths.cache_dir()),
           "GRADIO_TEMP_DIR": str(home / "gradio-cache"), **extra}
    for var in ("AUDIOGENT_TOKEN", "AUDIOGENT_LLM_BASE_URL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "AUDIOGENT_LLM_API_KEY"):
        if var not in extra:
            env.pop(var, None)
    return env


@contextmanager
def serve(home: Path, *args: str, token: str | None = None, host: str = "127.0.0.1",
          env_extra: dict[str, str] | None = None) -> Iterator[Served]:
    """`audiogent serve` in a subprocess; yields once it answers HTTP."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / f"serve-{port}.log"
    cmd = [sys.executable, "-m", "agent.cli", "serve", "--host", host, "--port", str(port), "--planner", "rules",
           "--max-upload-mb", str(UPLOAD_LIMIT_MB), *args]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, env=server_env(home, **(env_extra or {})), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"audiogent serve exited {proc.returncode}:\n{log.read_text()}")
            try:
                httpx.get(url + "/api/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"audiogent serve did not answer in 120 s:\n{log.read_text()}") from None
                time.sleep(0.3)
        yield Served(url, home, log, token)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@pytest.fixture(scope="session")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """No token (so loopback only), the rules planner, a 2 MB upload limit."""
    with serve(tmp_path_factory.mktemp("open-home")) as s:
        yield s


@pytest.fixture(scope="session")
def token_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("token-home"), "--token", TOKEN, token=TOKEN) as s:
        yield s


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small real files to upload: a tone, a text file posing as a wav, a PNG."""
    d = tmp_path_factory.mktemp("media")
    wav = d / "tone.wav"
    write_audio(tone(440, seconds=2.0, sr=16000, amp=0.25), wav)
    fake = d / "notes.wav"
    fake.write_text("this is a text file, not audio\n")
    import cv2

    png = d / "square.png"
    img = np.zeros((64, 64, 3), np.uint8)
    img[16:48, 16:48] = (0, 128, 255)
    cv2.imwrite(str(png), img)
    return {"wav": wav, "fake_wav": fake, "png": png}


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x.astype(np.float64)))))
