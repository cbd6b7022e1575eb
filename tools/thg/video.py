"""mp4 in and out with PyAV: H.264 (libx264, yuv420p) + AAC writing, idle-clip reading, and probing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import BadInput
from tools.thg import FPS

# AAC pads its last frame to 1024 samples; at 48 kHz that is 21 ms, under one 40 ms video frame.
AUDIO_RATE = 48000
MAX_CLIP_SECONDS = 10.0
MAX_CLIP_SIDE = 720


def write_mp4(path: str | Path, frames: Iterable[Any], size: tuple[int, int], sample_rate: int,
              fps: int = FPS, crf: int = 20, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Encode AvatarFrame-like items (video BGR, audio mono Audio of 1/fps s) into an mp4. Returns facts."""
    import av

    w, h = size
    if w % 2 or h % 2:
        raise ValueError(f"H.264 in yuv420p needs even dimensions, got {w}x{h}")
    n = 0
    with av.open(str(path), "w") as c:
        vs = c.add_stream("libx264", rate=fps)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.options = {"crf": str(crf), "preset": "veryfast"}
        aud = c.add_stream("aac", rate=sample_rate)
        aud.layout = "mono"
        aud.bit_rate = 96000
        spf = sample_rate // fps
        for f in frames:
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(f.video), format="bgr24")
            vf.pts = n
            for p in vs.encode(vf):
                c.mux(p)
            x = f.audio.samples[:, 0] if f.audio.samples.ndim == 2 else f.audio.samples
            if x.shape[0] != spf or f.audio.sample_rate != sample_rate:
                raise ValueError(f"frame {n} carries {x.shape[0]} samples at {f.audio.sample_rate} Hz, "
                                 f"expected {spf} at {sample_rate}")
            af = av.AudioFrame.from_ndarray(np.clip(x, -1, 1).astype(np.float32)[None, :], format="fltp",
                                            layout="mono")
            af.sample_rate = sample_rate
            af.pts = n * spf
            for p in aud.encode(af):
                c.mux(p)
            n += 1
            if progress is not None:
                progress(n)
        for p in vs.encode():
            c.mux(p)
        for p in aud.encode():
            c.mux(p)
    return {"frames": n, "fps": fps, "width": w, "height": h, "duration": round(n / fps, 6),
            "video_codec": "h264", "audio_codec": "aac", "sample_rate": sample_rate}


def read_clip(path: str | Path, label: str | None = None, max_seconds: float = MAX_CLIP_SECONDS,
              max_side: int = MAX_CLIP_SIDE) -> tuple[list[np.ndarray], float]:
    """Frames (BGR, even-sized, at most max_side) of a video's first max_seconds, and its frame rate."""
    import av
    import cv2

    name = label or Path(path).name
    try:
        c = av.open(str(path))
    except Exception as e:
        raise BadInput(f"{name} is not a video PyAV can read ({type(e).__name__}: {e})", "pass an mp4 clip") from e
    frames: list[np.ndarray] = []
    with c:
        if not c.streams.video:
            raise BadInput(f"{name} contains no video stream", "pass an mp4 clip of the person idling")
        vs = c.streams.video[0]
        rate = float(vs.average_rate or FPS)
        try:
            for fr in c.decode(vs):
                img = fr.to_ndarray(format="bgr24")
                s = max_side / max(img.shape[:2])
                if s < 1:
                    img = cv2.resize(img, (int(img.shape[1] * s), int(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
                frames.append(even(img))
                if len(frames) >= max_seconds * rate:
                    break
        except Exception as e:
            if not frames:
                raise BadInput(f"{name} could not be decoded ({type(e).__name__}: {e})") from e
    if not frames:
        raise BadInput(f"{name} holds no video frames")
    return frames, rate


def even(img: np.ndarray) -> np.ndarray:
    """Crop to even width and height (H.264 in yuv420p)."""
    h, w = img.shape[:2]
    return np.ascontiguousarray(img[: h - h % 2, : w - w % 2])


def probe(path: str | Path) -> dict[str, Any]:
    """Codecs, frame rate and durations of an mp4: from the container and by decoding every frame."""
    import av

    with av.open(str(path)) as c:
        vs, aus = c.streams.video[0], c.streams.audio[0]
        info: dict[str, Any] = {
            "video_codec": vs.codec_context.name, "audio_codec": aus.codec_context.name,
            "fps": float(vs.average_rate), "width": vs.codec_context.width, "height": vs.codec_context.height,
            "sample_rate": aus.rate,
            "video_duration": float(vs.duration * vs.time_base) if vs.duration else None,
            "audio_duration": float(aus.duration * aus.time_base) if aus.duration else None,
        }
    with av.open(str(path)) as c:
        info["video_frames"] = sum(1 for _ in c.decode(video=0))
    with av.open(str(path)) as c:
        info["audio_samples"] = sum(f.samples for f in c.decode(audio=0))
    info["decoded_video_seconds"] = info["video_frames"] / info["fps"]
    info["decoded_audio_seconds"] = info["audio_samples"] / info["sample_rate"]
    return info


def iter_frames(path: str | Path) -> Iterator[np.ndarray]:
    """The video frames of a file, BGR, one at a time."""
    import av

    with av.open(str(path)) as c:
        for f in c.decode(video=0):
            yield f.to_ndarray(format="bgr24")


def read_frames(path: str | Path) -> list[np.ndarray]:
    """Every video frame of a file, BGR."""
    return list(iter_frames(path))


def read_audio_track(path: str | Path) -> tuple[np.ndarray, int]:
    """The first audio track, mono float32, and its rate."""
    import av

    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        parts = []
        for f in c.decode(s):
            a = f.to_ndarray().astype(np.float32)
            parts.append(a.mean(axis=0) if f.format.is_planar else a.reshape(-1, len(f.layout.channels)).mean(axis=1))
        return np.concatenate(parts), int(s.rate)
