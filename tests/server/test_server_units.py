"""The server's small rules, checked directly (fast): ids, file names, the token cookie, the
refusal to listen publicly without a token, whose LLM key goes where, and the Guard in front of an
ASGI app."""

from __future__ import annotations

import asyncio
import json

import pytest

from server.config import ServerConfig, ServerConfigError, is_loopback
from server.security import (
    Guard,
    cookie_value,
    new_session_id,
    safe_filename,
    token_matches,
    valid_artifact_id,
    valid_session_id,
)
from server.workspace import PlannerChoice, Workspace, content_type


def test_session_ids_are_random_and_strictly_shaped() -> None:
    ids = {new_session_id() for _ in range(200)}
    assert len(ids) == 200 and all(valid_session_id(i) for i in ids)
    for bad in ["default", "web-", "web-" + "a" * 31, "web-" + "a" * 33, "web-" + "a" * 31 + "/",
                "web-" + "a" * 31 + ".", "../web-" + "a" * 32, "web-" + "a" * 32 + "\n"]:
        assert not valid_session_id(bad), bad


def test_artifact_ids_are_strictly_shaped() -> None:
    for good in ["audio-3f2a9c1e0b", "text-0123456789-2", "video-abcdefabcd-12"]:
        assert valid_artifact_id(good)
    for bad in ["audio-3F2A9C1E0B", "audio-3f2a9c1e0", "../audio-3f2a9c1e0b", "audio-3f2a9c1e0b.wav",
                "audio-3f2a9c1e0b/..", "%2e%2e", "", "Audio-3f2a9c1e0b", "audio-3f2a9c1e0b\n"]:
        assert not valid_artifact_id(bad), bad


@pytest.mark.parametrize("given, cleaned", [
    ("take 1.wav", "take 1.wav"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\song.MP3", "song.mp3"),
    ("..", "upload"),
    (".bashrc", "bashrc"),
    ("", "upload"),
    (None, "upload"),
    ("a\x00b\x1fc.wav", "abc.wav"),
    ("x.tar.gz", "x.tar.gz"),
    ("sp$c!@l;chars.ogg", "sp_c_l_chars.ogg"),
    ("录音.wav", "录音.wav"),
    ("voice.w/a\\v", "v"),
    ("n" * 300 + ".flac", "n" * 96 + ".flac"),
    ("weird.ext!!", "weird.ext"),
])
def test_file_names_are_cleaned_to_a_bare_display_name(given: str | None, cleaned: str) -> None:
    assert safe_filename(given) == cleaned


def test_the_cookie_holds_a_mac_of_the_token_not_the_token() -> None:
    c = cookie_value("a-long-secret-token")
    assert "a-long-secret-token" not in c and len(c) == 64 and c != cookie_value("a-long-secret-tokeN")
    assert token_matches("abc", "abc") and not token_matches("abd", "abc") and not token_matches(None, "abc")
    assert not token_matches("ab", "abc")


def test_only_loopback_may_be_bound_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUDIOGENT_TOKEN", raising=False)
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5", "example.com"))
    assert ServerConfig.resolve().host == "127.0.0.1"
    for host in ("0.0.0.0", "::", "10.0.0.7"):
        with pytest.raises(ServerConfigError, match="refusing to listen"):
            ServerConfig.resolve(host=host)
    with pytest.raises(ServerConfigError, match="too short"):
        ServerConfig.resolve(host="0.0.0.0", token="short")
    assert ServerConfig.resolve(host="0.0.0.0", token="long-enough-token").token == "long-enough-token"
    monkeypatch.setenv("AUDIOGENT_TOKEN", "from-the-environment")
    assert ServerConfig.resolve(host="0.0.0.0").token == "from-the-environment"


def test_the_servers_llm_key_never_goes_to_a_url_a_client_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIOGENT_LLM_BASE_URL", "https://llm.internal/v1")
    monkeypatch.setenv("AUDIOGENT_LLM_API_KEY", "server-key")
    ws = Workspace(ServerConfig())
    other = ws.llm_overrides(PlannerChoice("llm", base_url="http://attacker.example/v1"))
    assert other == {"base_url": "http://attacker.example/v1", "api_key": ""}
    mine = ws.llm_overrides(PlannerChoice("llm", base_url="http://mine.example/v1", api_key="my-key", model="m"))
    assert mine == {"base_url": "http://mine.example/v1", "api_key": "my-key", "model": "m"}
    same = ws.llm_overrides(PlannerChoice("llm", model="bigger"))
    assert same == {"model": "bigger"}  # the server's endpoint with the server's key (from the environment)
    from agent.llm import LLMConfig

    assert LLMConfig.from_env(**other).api_key == ""
    assert LLMConfig.from_env(**same).api_key == "server-key"


def test_artifacts_are_served_with_safe_content_types() -> None:
    assert content_type("wav") == ("audio/wav", True)
    assert content_type("MP4") == ("video/mp4", True)
    assert content_type("txt") == ("text/plain; charset=utf-8", True)
    for risky in ("html", "svg", "js", "xml", "exe", ""):
        media, inline = content_type(risky)
        assert not inline and media in ("application/octet-stream", "application/xml")


# ---------------------------------------------------------------------- the Guard, as ASGI
async def _echo(scope, receive, send) -> None:
    body = b""
    while True:
        m = await receive()
        if m["type"] == "http.disconnect":
            raise ConnectionError("client went away")
        body += m.get("body", b"")
        if not m.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": str(len(body)).encode()})


def _call(app, path: str = "/api/x", method: str = "GET", headers: dict[str, str] | None = None,
          chunks: list[bytes] | None = None, query: str = "") -> tuple[int, dict[str, str], bytes]:
    hdrs = {"host": "127.0.0.1:7860", **(headers or {})}
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "headers": [(k.lower().encode(), v.encode()) for k, v in hdrs.items()], "scheme": "http", "root_path": ""}
    pending = list(chunks or [b""])
    sent: list[dict] = []

    async def receive():
        if pending:
            c = pending.pop(0)
            return {"type": "http.request", "body": c, "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    async def send(m):
        sent.append(m)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def test_the_guard_caps_a_streaming_body_without_a_length() -> None:
    guard = Guard(_echo, token=None, max_body_bytes=100_000)
    status, _, body = _call(guard, method="POST", chunks=[b"x" * 50_000] * 2)
    assert status == 200 and body == b"100000"
    status, _, body = _call(guard, method="POST", chunks=[b"x" * 50_000] * 10)
    assert status == 413 and json.loads(body)["error_type"] == "TooLarge"
    status, _, _ = _call(guard, method="POST", headers={"content-length": str(10**9)}, chunks=[b"x"])
    assert status == 413  # refused on the declared length, before reading


def test_the_guard_token_header_cookie_and_query() -> None:
    guard = Guard(_echo, token="the-token-123", max_body_bytes=1000)
    assert _call(guard)[0] == 401
    assert _call(guard, headers={"authorization": "Bearer the-token-123"})[0] == 200
    assert _call(guard, headers={"authorization": "Bearer the-token-124"})[0] == 401
    assert _call(guard, headers={"cookie": f"a=b; audiogent_token={cookie_value('the-token-123')}"})[0] == 200
    status, headers, _ = _call(guard, path="//evil.example/x", query="token=the-token-123")
    assert status == 303 and headers["location"] == "/evil.example/x"  # never a protocol-relative redirect
    assert _call(guard, query="token=nope")[0] == 401
    status, _, body = _call(guard, path="/", headers={"accept": "text/html"})
    assert status == 401 and b"<h1>audiogent</h1>" in body

