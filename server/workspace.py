"""The server's view of sessions: made with unguessable ids, opened only by such ids, artifacts looked
up only inside the session named in the request, uploads copied in under a cleaned name, and an
agent.core.Agent per request with the planner the client picked."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from agent.artifacts import ArtifactRecord, Session
from agent.core import Agent, make_planner
from agent.errors import BadInput, SessionError
from agent.ingest import ingest
from agent.llm import LLMConfig
from server.config import ServerConfig
from server.security import new_session_id, safe_filename, valid_artifact_id, valid_session_id

# Content types served inline; anything else goes out as an octet-stream attachment.
CONTENT_TYPES = {
    "wav": "audio/wav", "wave": "audio/wav", "flac": "audio/flac", "mp3": "audio/mpeg", "ogg": "audio/ogg",
    "oga": "audio/ogg", "opus": "audio/ogg", "m4a": "audio/mp4", "aac": "audio/aac", "aif": "audio/aiff",
    "aiff": "audio/aiff", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
    "bmp": "image/bmp", "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm",
    "mkv": "video/x-matroska", "txt": "text/plain; charset=utf-8", "md": "text/markdown; charset=utf-8",
    "json": "application/json", "mid": "audio/midi", "midi": "audio/midi",
}
ATTACHMENT_TYPES = {"musicxml": "application/vnd.recordare.musicxml+xml", "mxl": "application/vnd.recordare.musicxml",
                    "xml": "application/xml"}


class TooLarge(BadInput):
    """An upload over the size limit (HTTP 413)."""


class NotFound(SessionError):
    """Deliberately vague: a missing session, a malformed id and another session's artifact look alike."""


@dataclass
class PlannerChoice:
    """Which planner a request wants: `rules`, `llm` or `auto`, and for `llm` where the endpoint is."""

    name: str | None = None
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = None


def content_type(fmt: str) -> tuple[str, bool]:
    """(media type, inline?) for an artifact format."""
    fmt = fmt.lower()
    if fmt in CONTENT_TYPES:
        return CONTENT_TYPES[fmt], True
    if fmt in ATTACHMENT_TYPES:
        return ATTACHMENT_TYPES[fmt], False
    return "application/octet-stream", False


class Workspace:
    def __init__(self, config: ServerConfig) -> None:
        self.config = config

    # ------------------------------------------------------------------ sessions
    def create(self) -> Session:
        return Session.open(new_session_id())

    def open(self, session_id: str) -> Session:
        if not valid_session_id(session_id):
            raise NotFound("no such session", "create one with POST /api/sessions")
        try:
            return Session.open(session_id, create=False)
        except SessionError as e:
            raise NotFound("no such session", "create one with POST /api/sessions") from e

    def open_or_create(self, session_id: str | None) -> Session:
        """The studio's session: the browser's own if it still exists, else a new one."""
        if session_id:
            try:
                return self.open(session_id)
            except NotFound:
                pass
        return self.create()

    # ------------------------------------------------------------------ artifacts
    def artifact(self, session: Session, artifact_id: str) -> ArtifactRecord:
        if not valid_artifact_id(artifact_id):
            raise NotFound(f"no artifact {artifact_id[:40]!r} in this session")
        rec = session.manifest.artifacts.get(artifact_id)
        if rec is None:
            raise NotFound(f"no artifact {artifact_id!r} in this session")
        return rec

    def artifacts(self, session: Session, ids: list[str]) -> list[ArtifactRecord]:
        return [self.artifact(session, a) for a in ids]

    def artifact_file(self, session: Session, rec: ArtifactRecord) -> Path:
        """The file of an artifact, only if it is a regular file in the session's artifact folder,
        reached without a symlink anywhere on the way."""
        raw = session.root / rec.file
        art_dir = session.artifact_dir.resolve()
        try:
            path = session.path(rec)
        except SessionError as e:
            raise NotFound(f"no artifact {rec.id!r} in this session") from e
        rel = Path(rec.file)
        hops = [session.root / Path(*rel.parts[: i + 1]) for i in range(len(rel.parts))]
        if (rel.is_absolute() or ".." in rel.parts or path.parent != art_dir or any(h.is_symlink() for h in hops)
                or not raw.is_file()):
            raise NotFound(f"no artifact {rec.id!r} in this session")
        return path

    def upload(self, session: Session, filename: str | None, data: IO[bytes]) -> ArtifactRecord:
        """Copy an uploaded stream in: written under a cleaned name into a private scratch folder,
        checked by agent.ingest (kind, decodability, size and duration limits), stored by content."""
        tmp_dir = session.scratch("upload")
        try:
            dest = tmp_dir / safe_filename(filename)
            limit = self.config.max_upload_bytes
            with open(dest, "xb") as out:
                while block := data.read(1 << 20):
                    out.write(block)
                    if out.tell() > limit:
                        raise TooLarge(f"the upload is over the {limit / 1e6:g} MB limit",
                                       "trim it first, or start the server with a larger --max-upload-mb")
            return ingest(session, [dest], self.config.max_upload_bytes)[0]
        finally:
            shutil.rmtree(tmp_dir, ignore_errors=True)

    # ------------------------------------------------------------------ the agent
    def llm_overrides(self, choice: PlannerChoice) -> dict[str, Any]:
        """The server's LLM settings, overridden by the client's. A client that points the planner at
        its own endpoint gets its own key or none: the server's key never goes to a URL it did not set."""
        base = dict(self.config.llm_overrides)
        configured_url = base.get("base_url") or LLMConfig.from_env().base_url
        if choice.base_url and choice.base_url.strip() != (configured_url or ""):
            base.update(base_url=choice.base_url.strip(), api_key=(choice.api_key or "").strip())
        elif choice.api_key:
            base["api_key"] = choice.api_key.strip()
        if choice.model:
            base["model"] = choice.model.strip()
        return base

    def agent(self, session: Session, choice: PlannerChoice | None = None) -> Agent:
        choice = choice or PlannerChoice()
        planner = make_planner(choice.name or self.config.planner, self.llm_overrides(choice))
        return Agent(session, planner, max_upload_bytes=self.config.max_upload_bytes,
                     step_timeout=self.config.step_timeout)

