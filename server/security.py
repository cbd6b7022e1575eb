"""What stands in front of every route, the studio's included: the token (a Bearer header, or a
cookie set by visiting any page once with ?token=...), a Host check against DNS rebinding when no
token is set, an Origin check on state-changing requests, a request-body cap enforced while the body
streams in (413 before the app stores anything), and the identifiers and file names users send,
checked before they get anywhere near the file system."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE_NAME = "audiogent_token"
COOKIE_MAX_AGE = 30 * 24 * 3600
BODY_SLACK = 64 * 1024  # multipart framing and form fields on top of the file itself

# Server-made session ids: a prefix, then 24 random bytes (192 bits) in URL-safe base64. CLI
# sessions ("default", names people type) never match, so the server cannot be pointed at them.
SESSION_ID = re.compile(r"^web-[A-Za-z0-9_-]{32}$")
# Artifact ids as agent.artifacts makes them: kind, 10 hex digits of the content hash, maybe a count.
ARTIFACT_ID = re.compile(r"^[a-z]{1,16}-[0-9a-f]{10}(?:-[0-9]{1,6})?$")
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\- ]+", re.UNICODE)
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1"}


def new_session_id() -> str:
    return "web-" + secrets.token_urlsafe(24)


def valid_session_id(value: str) -> bool:
    return bool(SESSION_ID.fullmatch(value))


def valid_artifact_id(value: str) -> bool:
    return bool(ARTIFACT_ID.fullmatch(value))


def safe_filename(name: str | None, fallback: str = "upload") -> str:
    """A display-safe base name: no directories, no leading dots, no control or path characters,
    at most ~100 characters, extension kept (it says what the file is). Never used as a path by
    itself: uploads are written into a fresh private temp folder under this name, then copied into
    the content-addressed store."""
    raw = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    raw = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C")
    stem, dot, ext = raw.rpartition(".")
    if not dot or not stem.strip(" ._"):  # no extension, or a dotfile such as ".bashrc"
        stem, ext = raw, ""
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:12].lower()
    stem = _UNSAFE_NAME_CHARS.sub("_", stem).strip(" ._")[:96] or fallback
    return f"{stem}.{ext}" if ext else stem


def cookie_value(token: str) -> str:
    """What the cookie holds: a MAC of the token, so the token itself never sits in the browser."""
    return hmac.new(token.encode(), b"audiogent studio cookie v1", hashlib.sha256).hexdigest()


def token_matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _host_name(host: str | None) -> str:
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware around the whole application (API, docs and the mounted Gradio app)."""

    def __init__(self, app: ASGIApp, token: str | None, max_body_bytes: int, allowed_hosts: set[str] | None = None):
        self.app = app
        self.token = token
        self.cookie = cookie_value(token) if token else None
        self.max_body = max_body_bytes + BODY_SLACK
        self.allowed_hosts = _LOOPBACK_NAMES | (allowed_hosts or set())

    # ------------------------------------------------------------------ checks
    def _authorized(self, headers: Headers) -> bool:
        assert self.token and self.cookie
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer " and token_matches(auth[7:].strip(), self.token):
            return True
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE_NAME and token_matches(value, self.cookie):
                return True
        return False

    def _query_token(self, scope: Scope) -> tuple[bool, str]:
        """Whether ?token= carries the right token, and the query string without it."""
        pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [v for k, v in pairs if k == "token"]
        rest = urlencode([(k, v) for k, v in pairs if k != "token"])
        return bool(given) and token_matches(given[-1], self.token or ""), rest

    # ------------------------------------------------------------------ ASGI
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        is_http = scope["type"] == "http"
        method = scope.get("method", "GET") if is_http else "GET"

        if not self.token and _host_name(headers.get("host")) not in self.allowed_hosts:
            # A page on another site that rebinds its DNS name to 127.0.0.1 must not reach us.
            await _deny(scope, receive, send, 403, "this server only answers requests for localhost")
            return
        if self.token and not self._authorized(headers):
            good, rest = self._query_token(scope) if is_http and method in ("GET", "HEAD") else (False, "")
            if good:
                await _redirect_with_cookie(scope, send, rest, self.cookie or "")
                return
            await _deny(scope, receive, send, 401, "a token is required: send `Authorization: Bearer <token>`, "
                        "or open /?token=<token> once in this browser")
            return
        if not is_http:
            await self.app(scope, receive, send)
            return
        origin = headers.get("origin")
        cross_site = origin and origin != "null" and urlsplit(origin).netloc.lower() != (headers.get("host") or "").lower()
        if method not in _SAFE_METHODS and cross_site:
            await _deny(scope, receive, send, 403, "cross-site requests are not accepted")
            return
        path = unquote(unquote(scope.get("path", ""))).lower()
        if "/file=http:" in path or "/file=https:" in path or "/proxy=" in path:
            # Gradio can fetch remote URLs on a client's behalf; this server never reaches out.
            await _deny(scope, receive, send, 403, "remote files are not fetched by this server")
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _too_large(send, self.max_body - BODY_SLACK)
            return
        await self._limited(scope, receive, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the body as it streams; past the cap the app sees a disconnect and the client a 413."""
        received, too_big, started = 0, False, False

        async def limited_receive() -> Message:
            nonlocal received, too_big
            if too_big:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    too_big = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_big and not started:
                return  # whatever the app makes of the cut-off body, the client gets the 413
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": _with_security_headers(message.get("headers", []))}
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not too_big:
                raise
        if too_big and not started:
            await _too_large(send, self.max_body - BODY_SLACK)


_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
]


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    have = {k.lower() for k, _ in headers}
    return list(headers) + [(k, v) for k, v in _SECURITY_HEADERS if k not in have]


async def _send_response(send: Send, status: int, body: bytes, content_type: bytes,
                         extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": _with_security_headers(headers)})
    await send({"type": "http.response.body", "body": body})


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"error_type": "TooLarge", "error": f"the upload is over the {limit / 1e6:g} MB limit",
                       "hint": "trim it first, or start the server with a larger --max-upload-mb",
                       "problems": []}).encode()
    await _send_response(send, 413, body, b"application/json", [(b"connection", b"close")])


async def _deny(scope: Scope, receive: Receive, send: Send, status: int, why: str) -> None:
    if scope["type"] == "websocket":
        await receive()  # the websocket.connect message
        await send({"type": "websocket.close", "code": 1008, "reason": why[:120]})
        return
    extra = [(b"www-authenticate", b'Bearer realm="audiogent"')] if status == 401 else []
    path = scope.get("path", "")
    if path.startswith("/api") or "text/html" not in Headers(scope=scope).get("accept", ""):
        body = json.dumps({"error_type": "Unauthorized" if status == 401 else "Forbidden", "error": why,
                           "hint": "", "problems": []}).encode()
        await _send_response(send, status, body, b"application/json", extra)
        return
    page = (
        "<!doctype html><meta charset=utf-8><title>audiogent</title>"
        "<body style='font-family:system-ui;max-width:40em;margin:4em auto'>"
        f"<h1>audiogent</h1><p>{why}.</p></body>"
    ).encode()
    await _send_response(send, status, page, b"text/html; charset=utf-8", extra)


async def _redirect_with_cookie(scope: Scope, send: Send, query: str, cookie: str) -> None:
    """Visiting any page with the right ?token= sets the cookie, then drops the token from the URL."""
    path = "/" + (scope.get("root_path", "") + scope.get("path", "/")).lstrip("/")  # never //other.host
    location = quote(path) + (f"?{query}" if query else "")
    secure = "; Secure" if scope.get("scheme") == "https" else ""
    set_cookie = f"{COOKIE_NAME}={cookie}; Path=/; Max-Age={COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax{secure}"
    await _send_response(send, 303, b"", b"text/plain", [(b"location", location.encode("ascii")),
                                                          (b"set-cookie", set_cookie.encode())])
