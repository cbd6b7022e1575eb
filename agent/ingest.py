"""Bringing user files into a session: check what they are, decode audio once to prove it is
readable, and copy them in. The user's file is never modified."""

from __future__ import annotations

from pathlib import Path

from agent.artifacts import DEFAULT_MAX_UPLOAD_BYTES, ArtifactRecord, Session
from agent.errors import BadInput
from agent.media import audio_metadata, read_audio

AUDIO_EXT = {"wav", "wave", "flac", "mp3", "ogg", "oga", "opus", "m4a", "aac", "aif", "aiff", "wma"}
IMAGE_EXT = {"png", "jpg", "jpeg", "webp", "bmp"}
VIDEO_EXT = {"mp4", "mov", "mkv", "webm", "avi"}
SCORE_EXT = {"mid", "midi", "musicxml", "mxl", "xml"}
TEXT_EXT = {"txt", "md"}
MAX_AUDIO_SECONDS = 4 * 3600


def kind_of(path: Path) -> str:
    ext = path.suffix.lower().lstrip(".")
    for kind, exts in (("audio", AUDIO_EXT), ("image", IMAGE_EXT), ("video", VIDEO_EXT),
                       ("score", SCORE_EXT), ("text", TEXT_EXT), ("json", {"json"})):
        if ext in exts:
            return kind
    return "audio"  # unknown extension: try to decode it as audio, which says clearly if it isn't


def _image_meta(path: Path) -> dict[str, int]:
    try:
        import cv2

        img = cv2.imread(str(path))
    except ImportError:
        return {}
    if img is None:
        raise BadInput(f"{path.name} is not an image this can read", "pass a png or jpg")
    return {"width": int(img.shape[1]), "height": int(img.shape[0])}


def check_inputs(paths: list[Path], max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> list[tuple[Path, str, str, dict]]:
    """(path, kind, format, metadata) of each file, or BadInput naming the first bad one."""
    checked: list[tuple[Path, str, str, dict]] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if not p.exists():
            raise BadInput(f"input file not found: {raw}")
        if not p.is_file():
            raise BadInput(f"input is not a regular file: {raw}")
        size = p.stat().st_size
        if size > max_bytes:
            raise BadInput(
                f"{p.name} is {size / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB upload limit",
                "trim it first, or raise the limit with --max-upload-mb",
            )
        kind = kind_of(p)
        fmt = p.suffix.lower().lstrip(".") or "bin"
        meta: dict = {}
        if kind == "audio":
            audio = read_audio(p, name=p.name)
            if audio.duration > MAX_AUDIO_SECONDS:
                raise BadInput(f"{p.name} lasts {audio.duration / 3600:.1f} h; the limit is {MAX_AUDIO_SECONDS // 3600} h")
            meta = audio_metadata(audio)
            meta["format"] = fmt
        elif kind == "image":
            meta = _image_meta(p)
        elif size == 0:
            raise BadInput(f"{p.name} is empty (0 bytes)")
        checked.append((p, kind, fmt, meta))
    return checked


def ingest(session: Session, paths: list[Path], max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> list[ArtifactRecord]:
    """Check every file first, then copy them all in, so a bad file leaves the session unchanged."""
    checked = check_inputs(paths, max_bytes)
    return [session.import_upload(p, kind, fmt, meta, max_bytes=max_bytes) for p, kind, fmt, meta in checked]


def preview_inputs(paths: list[Path], max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> list[ArtifactRecord]:
    """Records for planning only (`audiogent plan`): checked like uploads, but nothing is copied."""
    return [
        ArtifactRecord(id=f"upload-{i}", kind=kind, file="", format=fmt, bytes=p.stat().st_size, sha256="",
                       created=0.0, meta=meta, source="upload", original_name=p.name)
        for i, (p, kind, fmt, meta) in enumerate(check_inputs(paths, max_bytes), 1)
    ]
