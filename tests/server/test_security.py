"""What keeps the server private and the files in their sessions: the token on every route, the
refusal to listen publicly without one, path traversal and planted symlinks, the upload limit, Host and
Origin checks. Real HTTP against `audiogent serve`."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import websockets.sync.client as ws_client
from websockets.exceptions import InvalidStatus

from agent.artifacts import ArtifactRecord, Session
from tests.server.conftest import TOKEN, UPLOAD_LIMIT_MB, Served, serve, server_env

pytestmark = pytest.mark.slow
SECRET_MARKERS = (b"root:x:0:0", b'"sha256"', b"RIFF", b"audiogent-canary")


def raw_get(s: Served, target: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """A GET with the request target exactly as written (no client-side normalisation of ../ or %2e)."""
    u = urlsplit(s.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.putrequest("GET", target, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def _session_with_a_file(s: Served, wav: Path) -> tuple[str, dict]:
    sid = s.new_session()
    with s.client() as c, open(wav, "rb") as f:
        up = c.post(f"/api/sessions/{sid}/uploads", files={"file": ("tone.wav", f)})
    assert up.status_code == 201, up.text
    return sid, up.json()


# ---------------------------------------------------------------------- traversal
def test_no_route_serves_anything_outside_the_session(open_server: Served, media: dict[str, Path],
                                                      tmp_path: Path) -> None:
    sid, up = _session_with_a_file(open_server, media["wav"])
    canary = tmp_path / "canary.txt"
    canary.write_text("audiogent-canary")
    home, art = open_server.home, f"/api/sessions/{sid}/artifacts/"
    targets = [
        art + "../../../../../../etc/passwd",
        art + "..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        art + "%2e%2e%2f%2e%2e%2fmanifest.json",
        art + "%252e%252e%252f%252e%252e%252fmanifest.json",  # double-encoded
        art + "%2fetc%2fpasswd",
        art + "/etc/passwd",
        art + "..%5c..%5cmanifest.json",
        art + up["id"] + "%00.txt",
        "/api/sessions/..%2f..%2f..%2fetc/artifacts/passwd",
        f"/api/sessions/{sid}%2f..%2f..%2f..%2f..%2fetc/artifacts/passwd",
        f"/api/sessions/%2e%2e/artifacts/{up['id']}",
        "/gradio_api/file=/etc/passwd",
        f"/gradio_api/file={canary}",
        f"/gradio_api/file={home}/sessions/{sid}/manifest.json",
        f"/gradio_api/file={home}/sessions/{sid}/{up['file']}",  # even its own session: not via Gradio
        "/gradio_api/file=../../../../../../etc/passwd",
        "/gradio_api/file=%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"/gradio_api/file={home}/gradio-cache/../sessions/{sid}/manifest.json",
        "/gradio_api/file=http://127.0.0.1:1/secret",  # no fetching on a client's behalf
        "/gradio_api/proxy=http://127.0.0.1:1/secret",
        "/file=/etc/passwd",
        "/static/../../../../../../etc/passwd",
        "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/api/docs/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/avatar/../../../../etc/passwd",
    ]
    for target in targets:
        status, body = raw_get(open_server, target)
        assert status in (400, 403, 404), (target, status, body[:200])
        assert not any(m in body for m in SECRET_MARKERS), (target, body[:200])
    status, body = raw_get(open_server, art + up["id"])  # the honest request still works
    assert status == 200 and body.startswith(b"RIFF")


def test_symlinks_and_forged_records_in_a_workspace_are_not_followed(open_server: Served,
                                                                     media: dict[str, Path]) -> None:
    sid, up = _session_with_a_file(open_server, media["wav"])
    session = Session.open(sid, base=open_server.home / "sessions", create=False)
    arts = session.artifact_dir
    (arts / "audio-0000000001.wav").symlink_to("/etc/passwd")
    (arts / "audio-0000000002.wav").symlink_to(session.root / "manifest.json")
    (arts / "audio-0000000003.wav").symlink_to(arts / f"{up['id']}.wav")  # even to a real artifact
    outside = session.root.parent / "outside.wav"
    outside.write_bytes(b"RIFF audiogent-canary")

    def forge(aid: str, file: str) -> None:
        rec = ArtifactRecord(id=aid, kind="audio", file=file, format="wav", bytes=1, sha256="0" * 64,
                             created=0.0, source="upload")
        session.mutate(lambda m: m.artifacts.__setitem__(aid, rec))

    forge("audio-0000000001", "artifacts/audio-0000000001.wav")
    forge("audio-0000000002", "artifacts/audio-0000000002.wav")
    forge("audio-0000000003", "artifacts/audio-0000000003.wav")
    forge("audio-0000000004", "../outside.wav")
    forge("audio-0000000005", "/etc/passwd")
    forge("audio-0000000006", "manifest.json")
    for n in range(1, 7):
        status, body = raw_get(open_server, f"/api/sessions/{sid}/artifacts/audio-000000000{n}")
        assert status == 404, (n, status, body[:200])
        assert not any(m in body for m in SECRET_MARKERS), (n, body[:200])


# ---------------------------------------------------------------------- the upload limit
def test_an_oversize_upload_is_refused_early_with_413(open_server: Served) -> None:
    sid = open_server.new_session()
    big = os.urandom((UPLOAD_LIMIT_MB + 2) * 1_000_000)
    with open_server.client() as c:
        r = c.post(f"/api/sessions/{sid}/uploads", files={"file": ("big.wav", big)})
        assert r.status_code == 413
        assert "limit" in r.json()["error"] and "--max-upload-mb" in r.json()["hint"]

        def chunks():  # no Content-Length: the limit holds while the body streams in
            boundary = b"--x0x0x0\r\n"
            yield boundary + b'Content-Disposition: form-data; name="file"; filename="big.wav"\r\n\r\n'
            for i in range(0, len(big), 256 * 1024):
                yield big[i:i + 256 * 1024]
            yield b"\r\n--x0x0x0--\r\n"

        r = c.post(f"/api/sessions/{sid}/uploads", content=chunks(),
                   headers={"content-type": "multipart/form-data; boundary=x0x0x0"})
        assert r.status_code == 413
        r = c.post("/gradio_api/upload", files={"files": ("big.wav", big)})  # the studio's own upload route
        assert r.status_code == 413
        assert c.get(f"/api/sessions/{sid}").json()["artifacts"] == {}


# ---------------------------------------------------------------------- the token
GRADIO_ROUTES = ["/", "/avatar", "/config", "/gradio_api/info", "/gradio_api/config", "/theme.css",
                 "/gradio_api/queue/data?session_hash=abc", "/gradio_api/file=/etc/passwd", "/gradio_api/upload_progress"]
API_ROUTES = ["/api/tools", "/api/openapi.json", "/api/docs", "/api/docs/assets/swagger-ui.css", "/api/sessions/x"]


def test_with_a_token_every_route_needs_it(token_server: Served) -> None:
    anon = httpx.Client(base_url=token_server.url, timeout=60)
    for path in GRADIO_ROUTES + API_ROUTES:
        r = anon.get(path)
        assert r.status_code == 401, (path, r.status_code)
        assert b"root:" not in r.content and "bearer" in r.headers["www-authenticate"].lower()
    for path in ["/api/sessions", "/gradio_api/upload", "/gradio_api/queue/join", "/gradio_api/run/predict"]:
        assert anon.post(path, json={}).status_code == 401, path
    wrong = httpx.Client(base_url=token_server.url, headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
    assert wrong.get("/api/tools").status_code == 401
    assert anon.get("/api/tools", headers={"Cookie": f"audiogent_token={TOKEN}"}).status_code == 401  # raw token: no
    with pytest.raises(InvalidStatus) as refused:
        ws_client.connect(token_server.url.replace("http", "ws") + "/gradio_api/queue/join", open_timeout=10)
    assert refused.value.response.status_code == 403

    with token_server.client() as c:  # Authorization: Bearer
        assert c.get("/api/tools").status_code == 200
        assert c.get("/api/openapi.json").json()["info"]["title"] == "audiogent"
        assert c.get("/").status_code == 200 and c.get("/avatar").status_code == 200


def test_a_browser_gets_a_cookie_from_the_token_in_the_url_once(token_server: Served) -> None:
    browser = httpx.Client(base_url=token_server.url, timeout=60)
    r = browser.get("/?token=wrong-token-123")
    assert r.status_code == 401 and "set-cookie" not in r.headers
    r = browser.get(f"/avatar?token={TOKEN}&x=1")
    assert r.status_code == 303 and r.headers["location"] == "/avatar?x=1"  # the token leaves the URL
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and TOKEN not in cookie
    assert browser.get("/").status_code == 200
    assert browser.get("/gradio_api/info").status_code == 200
    sid = browser.post("/api/sessions").json()["session"]
    assert browser.get(f"/api/sessions/{sid}").status_code == 200
    # a page on another site cannot drive it with the browser's cookie
    r = browser.post("/api/sessions", headers={"Origin": "http://evil.example"})
    assert r.status_code == 403


def test_oversize_upload_with_a_token_is_413_and_without_one_401(token_server: Served) -> None:
    sid = token_server.new_session()
    big = b"\0" * ((UPLOAD_LIMIT_MB + 1) * 1_000_000)
    with token_server.client() as c:
        assert c.post(f"/api/sessions/{sid}/uploads", files={"file": ("big.wav", big)}).status_code == 413
    r = httpx.post(f"{token_server.url}/api/sessions/{sid}/uploads", files={"file": ("big.wav", big)}, timeout=60)
    assert r.status_code == 401


def test_without_a_token_only_localhost_names_are_answered(open_server: Served) -> None:
    status, _ = raw_get(open_server, "/api/tools", {"Host": "attacker.example:7860"})  # DNS rebinding
    assert status == 403
    status, _ = raw_get(open_server, "/api/tools", {"Host": "localhost"})
    assert status == 200


def test_serve_refuses_a_public_address_without_a_token(tmp_path: Path) -> None:
    env = server_env(tmp_path / "home")
    proc = subprocess.run([sys.executable, "-m", "agent.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert "refusing to listen on 0.0.0.0 without a token" in proc.stderr and "--token" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "agent.cli", "serve", "--host", "0.0.0.0", "--token", "short"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and "too short" in proc.stderr


def test_serve_on_all_interfaces_with_the_token_from_the_environment(tmp_path: Path) -> None:
    with serve(tmp_path / "home", host="0.0.0.0", env_extra={"AUDIOGENT_TOKEN": TOKEN}) as s:
        assert "/?token=<your token>" in s.log.read_text()
        assert httpx.get(s.url + "/api/tools").status_code == 401
        assert httpx.get(s.url + "/api/tools", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        r = httpx.get(s.url + "/api/tools", headers={"Host": "studio.example:8080", "Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 200  # with a token any host name may be used
