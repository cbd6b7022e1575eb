"""Preparing an avatar once: find the face, eyes and mouth, build the warp fields, and (for an idle clip)
track the face through the frames. The result is cached under
`agent.paths.cache_dir()/avatars/<content-hash>/` and reused by the talking_head tool and realtime mode:

    avatar.json   version, kind, source, size, geometry, preparation time
    frame.png     the working image (an image avatar; at most 1024 px on its longer side, even-sized)
    source.mp4    the idle clip as given, and offsets.npy: the face's per-frame shift (a video avatar)
    fields.npz    the displacement fields of render.build_fields
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import BadInput
from agent.paths import cache_dir
from tools.thg.face import FaceGeometry, default_image, find_geometry, read_image
from tools.thg.render import Renderer, build_fields

PREP_VERSION = 4
MAX_IMAGE_SIDE = 1024
DEFAULT_NAME = "skimage.data.astronaut() (Eileen Collins, NASA, public domain)"

_memo: dict[str, Avatar] = {}
_memo_lock = threading.Lock()


@dataclass
class Avatar:
    key: str
    kind: str  # "image" or "video"
    frames: list[np.ndarray]  # BGR uint8; one for an image
    offsets: np.ndarray  # (frames, 2): the face's shift from the geometry's frame
    geometry: FaceGeometry
    fields: dict[str, np.ndarray]
    source: str
    cache_dir: Path | None
    prep_seconds: float
    from_cache: bool = False

    @property
    def size(self) -> tuple[int, int]:
        h, w = self.frames[0].shape[:2]
        return w, h

    def renderer(self) -> Renderer:
        return Renderer(self.frames, self.offsets, self.geometry, self.fields)

    def summary(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "source": self.source, "width": self.size[0],
                "height": self.size[1], "frames": len(self.frames), "cache": str(self.cache_dir or ""),
                "prep_seconds": round(self.prep_seconds, 4), "from_cache": self.from_cache,
                "geometry": self.geometry.to_json()}


def avatars_dir() -> Path:
    return cache_dir() / "avatars"


def _key(kind: str, data: bytes) -> str:
    return hashlib.sha256(f"{kind}\0v{PREP_VERSION}\0".encode() + data).hexdigest()[:16]


def _fit(img: np.ndarray) -> np.ndarray:
    import cv2

    from tools.thg.video import even

    s = MAX_IMAGE_SIDE / max(img.shape[:2])
    if s < 1:
        img = cv2.resize(img, (int(img.shape[1] * s), int(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
    return even(img)


def _save(dest: Path, avatar: Avatar, files: dict[str, Any]) -> None:
    """Write into a temp folder beside dest, then rename: readers never see half an avatar."""
    import cv2

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}-"))
    try:
        meta = {"version": PREP_VERSION, "kind": avatar.kind, "key": avatar.key, "source": avatar.source,
                "width": avatar.size[0], "height": avatar.size[1], "frames": len(avatar.frames),
                "prep_seconds": avatar.prep_seconds, "created": time.time(), "geometry": avatar.geometry.to_json()}
        for name, value in files.items():
            if name.endswith(".png"):
                cv2.imwrite(str(tmp / name), value)
            elif name.endswith(".npy"):
                np.save(tmp / name, value)
            else:
                shutil.copyfile(value, tmp / name)
        np.savez(tmp / "fields.npz", **avatar.fields)  # type: ignore[arg-type]
        (tmp / "avatar.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest, ignore_errors=True)
        tmp.rename(dest)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (dest / "avatar.json").is_file():
            raise


def _load(dest: Path) -> Avatar | None:
    import cv2

    try:
        meta = json.loads((dest / "avatar.json").read_text(encoding="utf-8"))
        if meta.get("version") != PREP_VERSION:
            return None
        with np.load(dest / "fields.npz") as z:
            fields = {k: z[k] for k in z.files}
        if meta["kind"] == "image":
            img = cv2.imread(str(dest / "frame.png"), cv2.IMREAD_COLOR)
            if img is None:
                return None
            frames, offsets = [img], np.zeros((1, 2), np.float32)
        else:
            from tools.thg.video import read_clip

            frames, _ = read_clip(dest / "source.mp4")
            offsets = np.load(dest / "offsets.npy")
            frames = frames[: len(offsets)]
        return Avatar(meta["key"], meta["kind"], frames, offsets, FaceGeometry.from_json(meta["geometry"]), fields,
                      meta["source"], dest, float(meta["prep_seconds"]), from_cache=True)
    except (OSError, ValueError, KeyError, json.JSONDecodeError, BadInput):
        return None


def _cached(key: str, use_cache: bool) -> Avatar | None:
    if not use_cache:
        return None
    with _memo_lock:
        if key in _memo:
            return replace(_memo[key], from_cache=True)
    found = _load(avatars_dir() / key)
    if found is not None:
        _remember(found)
    return found


def _remember(avatar: Avatar) -> None:
    with _memo_lock:
        if len(_memo) >= 4:
            _memo.pop(next(iter(_memo)))
        _memo[avatar.key] = avatar


def prepare_image(path: str | Path | None = None, label: str | None = None, use_cache: bool = True) -> Avatar:
    """An image avatar from a portrait file, or the default astronaut when path is None."""
    if path is None:
        img = default_image()
        data, source = img.tobytes(), DEFAULT_NAME
    else:
        p = Path(path)
        img = read_image(p, label)
        data, source = p.read_bytes(), label or p.name
    key = _key("image", data)
    if (hit := _cached(key, use_cache)) is not None:
        return hit
    t0 = time.perf_counter()
    img = _fit(img)
    geo = find_geometry(img, source)
    fields = build_fields(geo, img.shape)
    avatar = Avatar(key, "image", [img], np.zeros((1, 2), np.float32), geo, fields, source, avatars_dir() / key,
                    time.perf_counter() - t0)
    _save(avatars_dir() / key, avatar, {"frame.png": img})
    _remember(avatar)
    return avatar


def _track(frames: list[np.ndarray], ref: int, face: tuple[float, float, float, float]) -> np.ndarray:
    """The face's shift in every frame relative to frame `ref`, by template matching, lightly smoothed."""
    import cv2

    fx, fy, fw, fh = (int(v) for v in face)
    gray = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in frames]
    tmpl = gray[ref][fy:fy + fh, fx:fx + fw]
    pad = int(0.3 * fw)
    H, W = gray[0].shape
    x0, y0 = max(0, fx - pad), max(0, fy - pad)
    x1, y1 = min(W, fx + fw + pad), min(H, fy + fh + pad)
    out = np.zeros((len(frames), 2), np.float32)
    for i, g in enumerate(gray):
        res = cv2.matchTemplate(g[y0:y1, x0:x1], tmpl, cv2.TM_CCOEFF_NORMED)
        _, _, _, (bx, by) = cv2.minMaxLoc(res)
        out[i] = (x0 + bx - fx, y0 + by - fy)
    if len(out) >= 3:
        k = np.ones(3, np.float32) / 3
        out = np.stack([np.convolve(np.pad(out[:, j], 1, mode="edge"), k, mode="valid") for j in (0, 1)], axis=1)
    return out.astype(np.float32)


def prepare_video(path: str | Path, label: str | None = None, use_cache: bool = True) -> Avatar:
    """A video avatar from a short idle clip: its frames loop back and forth under the rendered mouth."""
    from tools.thg.video import read_clip

    p = Path(path)
    source = label or p.name
    if not p.is_file() or p.stat().st_size == 0:
        raise BadInput(f"{source}: no such file, or it is empty")
    key = _key("video", p.read_bytes())
    if (hit := _cached(key, use_cache)) is not None:
        return hit
    t0 = time.perf_counter()
    frames, _ = read_clip(p, source)
    geo, ref, first_err = None, 0, None
    for ref in sorted({0, len(frames) // 4, len(frames) // 2}):
        try:
            geo = find_geometry(frames[ref], source)
            break
        except BadInput as e:
            first_err = first_err or e
    if geo is None:
        raise first_err or BadInput(f"no face found in {source}")
    offsets = _track(frames, ref, geo.face)
    fields = build_fields(geo, frames[0].shape)
    avatar = Avatar(key, "video", frames, offsets, geo, fields, source, avatars_dir() / key, time.perf_counter() - t0)
    _save(avatars_dir() / key, avatar, {"source.mp4": p, "offsets.npy": offsets})
    _remember(avatar)
    return avatar


def prepare(image: str | Path | None = None, video: str | Path | None = None, label: str | None = None,
            use_cache: bool = True) -> Avatar:
    """The avatar for a request: an idle clip if given, else a portrait, else the default astronaut."""
    if video is not None:
        return prepare_video(video, label, use_cache)
    return prepare_image(image, label, use_cache)
