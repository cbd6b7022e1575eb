"""How the server is configured, and the rule that keeps it private by default: it binds to the
loopback interface unless given a token, and with a token every route needs it."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from typing import Any

from agent.artifacts import DEFAULT_MAX_UPLOAD_BYTES
from agent.errors import AudiogentError

TOKEN_ENV = "AUDIOGENT_TOKEN"
MIN_TOKEN_CHARS = 8


class ServerConfigError(AudiogentError):
    """The server cannot start safely with these settings."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 7860
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    step_timeout: float = 900.0
    planner: str = "auto"  # the default planner: rules | llm | auto (users may switch in the studio)
    llm_overrides: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def resolve(cls, **kw: Any) -> ServerConfig:
        """Fill the token from $AUDIOGENT_TOKEN when not given, then check the settings are safe."""
        cfg = cls(**{k: v for k, v in kw.items() if v is not None})
        if not cfg.token:
            cfg.token = os.environ.get(TOKEN_ENV) or None
        cfg.check()
        return cfg

    def check(self) -> None:
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise ServerConfigError(
                f"the token is too short ({len(self.token)} characters; at least {MIN_TOKEN_CHARS})",
                "use a long random one, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(24))'`",
            )
        if not is_loopback(self.host) and not self.token:
            raise ServerConfigError(
                f"refusing to listen on {self.host} without a token: anyone who can reach it could use it",
                f"pass --token SECRET (or set {TOKEN_ENV}), or bind to 127.0.0.1",
            )
        if self.max_upload_bytes <= 0:
            raise ServerConfigError("the upload limit must be positive")
        if not 0 < self.port < 65536:
            raise ServerConfigError(f"bad port {self.port}")

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"
