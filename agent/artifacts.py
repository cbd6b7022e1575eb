"""The session workspace: artifacts on disk with metadata and provenance, and the manifest that
is the source of truth for them.

Guarantees: writes are atomic (temp file + rename, manifest included); nothing is overwritten
(ids derive from content, a clash gets a new id); user files are copied in, never touched; the
manifest is re-read under a file lock before every change, so two processes on one session do not
lose each other's records.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from agent.errors import ArtifactNotFound, BadInput, SessionError
from agent.paths import sessions_dir

SESSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
EXTENSIONS = {"text": "txt", "json": "json"}
DEFAULT_MAX_UPLOAD_BYTES = 512 * 1024 * 1024


class ArtifactRecord(BaseModel):
    id: str
    kind: str
    file: str  # relative to the session directory
    format: str
    bytes: int
    sha256: str
    created: float
    meta: dict[str, Any] = Field(default_factory=dict)
    # Provenance: who made it and from what.
    source: str  # "upload", or "<run>/<step>"
    tool: str | None = None
    inputs: list[str] = Field(default_factory=list)
    original_name: str | None = None  # the user's file name, for display only; never a path


class StepRecord(BaseModel):
    id: str
    tool: str
    args: dict[str, Any]
    status: str  # ok | failed | skipped
    outputs: dict[str, Any] = Field(default_factory=dict)  # output name -> artifact id or plain value
    backend: str | None = None
    error: str | None = None
    error_type: str | None = None
    suggestion: str | None = None
    started_at: float | None = None  # epoch seconds
    seconds: float = 0.0


class RunRecord(BaseModel):
    id: str
    request: str
    started: float
    uploads: list[str] = Field(default_factory=list)
    planner: str = ""
    plan: dict[str, Any] = Field(default_factory=dict)
    steps: list[StepRecord] = Field(default_factory=list)
    final: list[str] = Field(default_factory=list)  # artifact ids a user would want first
    answer: str = ""
    status: str = "planned"


class Manifest(BaseModel):
    version: int = 1
    name: str
    created: float
    artifacts: dict[str, ArtifactRecord] = Field(default_factory=dict)
    runs: list[RunRecord] = Field(default_factory=list)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Session:
    """One named workspace. Open with Session.open(name)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.name = root.name
        self.artifact_dir = root / "artifacts"
        self.scratch_root = root / "scratch"
        self._manifest_path = root / "manifest.json"
        self._lock_path = root / ".lock"
        self._thread_lock = threading.RLock()

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def open(cls, name: str = "default", base: Path | None = None, create: bool = True) -> "Session":
        if not SESSION_NAME.match(name):
            raise SessionError(
                f"bad session name {name!r}", "use letters, digits, '.', '_' or '-' (at most 64 characters)"
            )
        root = (base or sessions_dir()) / name
        if not root.exists():
            if not create:
                raise SessionError(f"no session named {name!r}", "see `audiogent sessions list`")
            root.mkdir(parents=True)
        s = cls(root)
        s.artifact_dir.mkdir(exist_ok=True)
        s.scratch_root.mkdir(exist_ok=True)
        if not s._manifest_path.exists():
            with s._locked():
                if not s._manifest_path.exists():
                    s._write(Manifest(name=name, created=time.time()))
        return s

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock, open(self._lock_path, "a+") as lf:
            fcntl.flock(lf, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lf, fcntl.LOCK_UN)

    def _read(self) -> Manifest:
        try:
            return Manifest.model_validate_json(self._manifest_path.read_bytes())
        except FileNotFoundError as e:
            raise SessionError(f"session {self.name!r} has no manifest at {self._manifest_path}") from e
        except ValueError as e:
            raise SessionError(
                f"the manifest of session {self.name!r} is damaged: {e}",
                f"artifacts are still in {self.artifact_dir}; move the session aside and start a new one",
            ) from e

    def _write(self, m: Manifest) -> None:
        _atomic_write(self._manifest_path, m.model_dump_json(indent=1).encode())

    def mutate(self, change: Callable[[Manifest], Any]) -> Any:
        """Apply `change` to the freshest manifest under the lock and save it."""
        with self._locked():
            m = self._read()
            result = change(m)
            self._write(m)
            return result

    @property
    def manifest(self) -> Manifest:
        with self._thread_lock:
            return self._read()

    def scratch(self, label: str) -> Path:
        d = Path(tempfile.mkdtemp(prefix=f"{label}-", dir=self.scratch_root))
        return d

    # ------------------------------------------------------------------ artifacts
    def _store_file(
        self,
        tmp: Path,
        kind: str,
        fmt: str,
        meta: dict[str, Any],
        source: str,
        tool: str | None,
        inputs: list[str],
        original_name: str | None,
    ) -> ArtifactRecord:
        digest = _sha256(tmp)
        size = tmp.stat().st_size

        def add(m: Manifest) -> ArtifactRecord:
            base_id = f"{kind}-{digest[:10]}"
            aid, n = base_id, 1
            while aid in m.artifacts:
                n += 1
                aid = f"{base_id}-{n}"
            dest = self.artifact_dir / f"{aid}.{fmt}"
            os.replace(tmp, dest)  # same filesystem: atomic, and dest is new by construction
            rec = ArtifactRecord(
                id=aid, kind=kind, file=str(dest.relative_to(self.root)), format=fmt, bytes=size,
                sha256=digest, created=time.time(), meta=meta, source=source, tool=tool,
                inputs=inputs, original_name=original_name,
            )
            m.artifacts[aid] = rec
            return rec

        return self.mutate(add)

    def _tmp_path(self, fmt: str) -> Path:
        fd, tmp = tempfile.mkstemp(dir=self.artifact_dir, prefix=".incoming-", suffix=f".{fmt}")
        os.close(fd)
        return Path(tmp)

    def add_file(
        self,
        writer: Callable[[Path], None],
        kind: str,
        fmt: str,
        meta: dict[str, Any] | None = None,
        source: str = "",
        tool: str | None = None,
        inputs: list[str] | None = None,
        original_name: str | None = None,
    ) -> ArtifactRecord:
        """Store what `writer(path)` writes as a new artifact."""
        tmp = self._tmp_path(fmt)
        try:
            writer(tmp)
            return self._store_file(tmp, kind, fmt, meta or {}, source, tool, inputs or [], original_name)
        finally:
            tmp.unlink(missing_ok=True)

    def add_text(self, text: str, **kw: Any) -> ArtifactRecord:
        return self.add_file(lambda p: p.write_text(text, encoding="utf-8"), "text", "txt",
                             meta={"chars": len(text)}, **kw)

    def add_json(self, data: Any, **kw: Any) -> ArtifactRecord:
        return self.add_file(
            lambda p: p.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8"),
            "json", "json", **kw,
        )

    def import_upload(
        self, src: Path, kind: str, fmt: str, meta: dict[str, Any], max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    ) -> ArtifactRecord:
        """Copy a user's file in (the original is never modified)."""
        size = src.stat().st_size
        if size > max_bytes:
            raise BadInput(
                f"{src.name} is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB upload limit",
                "trim it first, or raise the limit with --max-upload-mb",
            )
        return self.add_file(lambda p: shutil.copyfile(src, p), kind, fmt, meta=meta, source="upload",
                             original_name=src.name)

    def get(self, artifact_id: str) -> ArtifactRecord:
        rec = self.manifest.artifacts.get(artifact_id)
        if rec is None:
            raise ArtifactNotFound(
                f"session {self.name!r} has no artifact {artifact_id!r}",
                "list them with `audiogent sessions show`",
            )
        return rec

    def path(self, rec: ArtifactRecord) -> Path:
        p = (self.root / rec.file).resolve()
        if self.root.resolve() not in p.parents:
            raise SessionError(f"artifact {rec.id} points outside its session")
        return p

    # ------------------------------------------------------------------ runs
    def new_run(self, request: str) -> RunRecord:
        def add(m: Manifest) -> RunRecord:
            run = RunRecord(id=f"r{len(m.runs) + 1}", request=request, started=time.time())
            m.runs.append(run)
            return run

        return self.mutate(add)

    def save_run(self, run: RunRecord) -> None:
        def put(m: Manifest) -> None:
            for i, r in enumerate(m.runs):
                if r.id == run.id:
                    m.runs[i] = run
                    return
            m.runs.append(run)

        self.mutate(put)

    def last_outputs(self) -> list[str]:
        """Final artifacts of the most recent run that produced any, newest first."""
        for run in reversed(self.manifest.runs):
            if run.final:
                return list(run.final)
        return []


def list_sessions(base: Path | None = None) -> list[Path]:
    root = base or sessions_dir()
    if not root.exists():
        return []
    return sorted(p for p in root.iterdir() if (p / "manifest.json").exists())
