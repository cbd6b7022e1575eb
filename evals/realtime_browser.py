"""Drive the realtime avatar the way a person does: a real server process, headless Chromium (Debian's,
never a downloaded one) whose microphone is a WAV file, and the page's own measurements
(window.audiogent, filled by realtime/static/client.js). Used by tests/realtime and
evals/bench_realtime.py."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

CHROMIUM = os.environ.get("AUDIOGENT_CHROMIUM", "/usr/bin/chromium")
WAV_RATE = 48000
CHROME_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required", "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class Pause:
    seconds: float


def speech_wav(path: Path, script: Sequence[Say | Pause], lead_s: float = 1.0) -> list[tuple[float, float]]:
    """Write the microphone's WAV: each Say spoken by the Piper voice, Pauses as silence. Returns the
    (start, end) second of each utterance in the file. The voice's sampling noise is off, so a script
    is the same audio on every run (with it, Whisper once heard "add an echo" as "add an ankle")."""
    from realtime.models import Voice

    voice = Voice(WAV_RATE)
    voice.load()
    parts, spans, t = [np.zeros(int(lead_s * WAV_RATE), np.float32)], [], lead_s
    for item in script:
        x = voice(item.text, noise=0) * 0.8 if isinstance(item, Say) else np.zeros(int(item.seconds * WAV_RATE), np.float32)
        if isinstance(item, Say):
            spans.append((t, t + x.size / WAV_RATE))
        parts.append(x)
        t += x.size / WAV_RATE
    sf.write(path, np.concatenate(parts), WAV_RATE, subtype="PCM_16")
    return spans


class Server:
    """`audiogent realtime` in its own process."""

    def __init__(self, port: int, token: str | None, extra: Sequence[str] = ()) -> None:
        self.port, self.token = port, token
        self.workspace = tempfile.TemporaryDirectory()  # files the conversation's audio jobs make
        args = [sys.executable, "-m", "agent.cli", "realtime", "--port", str(port), "--mark-frames",
                "--workspace", self.workspace.name, *extra]
        if token:
            args += ["--token", token]
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - outlives this call
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def health(self) -> dict[str, Any]:
        req = urllib.request.Request(self.url + "/api/health")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def wait_ready(self, timeout: float = 180) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the realtime server exited: {self.output()}")
            try:
                self.health()
                return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"the realtime server did not come up in {timeout:.0f} s: {self.output()}")

    def output(self) -> str:
        return Path(self.log.name).read_text()[-3000:]

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.workspace.cleanup()


@contextmanager
def realtime_server(token: str | None = "test-token-0123456789", extra: Sequence[str] = ()) -> Iterator[Server]:
    server = Server(free_port(), token, extra)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


_PLAYWRIGHT: Any = None


def _playwright() -> Any:
    """One Playwright driver per process: its sync API cannot be started twice in one thread."""
    global _PLAYWRIGHT
    if _PLAYWRIGHT is None:
        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT = sync_playwright().start()
    return _PLAYWRIGHT


def stop_playwright() -> None:
    """Its sync API keeps an event loop running in this thread until stopped."""
    global _PLAYWRIGHT
    if _PLAYWRIGHT is not None:
        _PLAYWRIGHT.stop()
        _PLAYWRIGHT = None


class Browser:
    """One Chromium process (killable for real) driven over CDP by Playwright."""

    def __init__(self, wav: Path) -> None:
        self.cdp_port = free_port()
        self.profile = tempfile.mkdtemp(prefix="audiogent-chromium-")
        self.proc = subprocess.Popen(
            [CHROMIUM, *CHROME_FLAGS, f"--use-file-for-fake-audio-capture={wav}%noloop",
             f"--remote-debugging-port={self.cdp_port}", f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # its own process group, so kill() reaches every child process
        self.browser: Any = None

    def connect(self) -> Any:
        end = time.monotonic() + 30
        while True:
            try:
                self.browser = _playwright().chromium.connect_over_cdp(f"http://127.0.0.1:{self.cdp_port}")
                break
            except Exception:
                if time.monotonic() > end or self.proc.poll() is not None:
                    raise
                time.sleep(0.3)
        return self.browser.contexts[0].pages[0] if self.browser.contexts[0].pages else self.browser.contexts[0].new_page()

    def kill(self) -> None:
        """What a crash or a closed laptop lid does: no goodbye to the server."""
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def close(self) -> None:
        try:
            if self.browser is not None and self.proc.poll() is None:
                self.browser.close()
        except Exception:  # noqa: BLE001, S110 - it may be dead already
            pass
        self.kill()
        self._remove_profile()

    def _remove_profile(self) -> None:
        """Chromium's helper processes can still be writing the profile for a moment after the group is
        killed (CI once failed on 'Directory not empty: Default'), so removal is retried briefly."""
        for _ in range(20):
            try:
                shutil.rmtree(self.profile)
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)
        shutil.rmtree(self.profile, ignore_errors=True)


def open_page(browser: Browser, server: Server, transport: str = "webrtc", aec: bool = True) -> Any:
    """aec=False when the microphone file must reach the server untouched while the avatar talks: with
    Chrome's echo canceller on, the test voice (the avatar's own Piper voice) is suppressed as echo
    during the reply, although no echo path exists between a file and a headless page."""
    page = browser.connect()
    query = f"autostart=1&transport={transport}" + ("" if aec else "&aec=0")
    token = f"token={server.token}&" if server.token else ""
    page.goto(f"{server.url}/?{token}{query}")
    return page


STATE_JS = """() => {
  const A = window.audiogent;
  return {state: A.state, startedAt: A.startedAt, toolResults: A.toolResults || [], frames: A.frames, fps: A.fps, errors: A.errors, mic: A.mic, out: A.out, marked: A.marked,
          bargeIns: A.bargeIns(), events: A.events.filter(e => e.type !== 'caption'),
          turns: Object.values(A.turns).map(t => ({turn: t.turn, transcript: t.transcript, reply: t.reply || '',
            heard: t.heard, interrupted: !!t.interruptedAt, userEnd: t.userEnd, replyAudioMs: t.replyAudioMs,
            firstFrameMs: t.firstFrameMs, avOffsetMs: t.avOffsetMs, server: t.server}))};
}"""


def page_state(page: Any) -> dict[str, Any]:
    return page.evaluate(STATE_JS)


def wait_for(page: Any, predicate: Any, timeout: float, what: str) -> dict[str, Any]:
    end = time.monotonic() + timeout
    state = page_state(page)
    while not predicate(state):
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; page state: "
                                 f"{json.dumps({k: state[k] for k in ('state', 'frames', 'errors', 'turns', 'out', 'marked')})[:4000]}")
        page.wait_for_timeout(250)
        state = page_state(page)
    return state


def measured_turns(state: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in state["turns"] if t.get("replyAudioMs") is not None]
