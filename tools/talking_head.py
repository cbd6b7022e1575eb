"""Talking heads: a portrait photo (or the default avatar, or a short idle clip) speaks a recording.

The engine lives in tools/thg/ (see its __init__). Backends, in registry order: `portrait` (default:
CPU, no neural weights: warps of the jaw, lips and eyelids driven by the speech), `wav2lip` (the
published Wav2Lip generator from a local checkpoint), and `geneface`, `sadtalker`, `musetalk`
(registered; they say which weights or GPU they need until their adapters exist). cv2, skimage, av and
torch are imported inside the function and backends, so importing this module stays cheap.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

from agent.errors import InvalidArguments
from agent.media import Audio
from tools.base import FileOutput, PackageBackend, ToolContext, tool
from tools.thg import FPS
from tools.thg.neural import Wav2LipBackend, pending_backends

MAX_SECONDS = 600.0

_PORTRAIT = PackageBackend("portrait", ["cv2", "skimage", "av"], pip="opencv-python-headless scikit-image av")
_WAV2LIP = Wav2LipBackend()


@tool("talking_head", backends=[_PORTRAIT, _WAV2LIP, *pending_backends()])
def talking_head(audio: Audio, image: Path | None = None, video: Path | None = None, *, backend: Any = None,
                 ctx: ToolContext | None = None) -> FileOutput:
    from tools.thg.prepare import prepare
    from tools.thg.video import AUDIO_RATE, write_mp4

    if audio.duration <= 0:
        raise InvalidArguments("talking_head: the audio is empty", "give it a recording of speech")
    if audio.duration > MAX_SECONDS:
        raise InvalidArguments(f"talking_head: the audio lasts {audio.duration:.0f} s; at most {MAX_SECONDS:.0f} s "
                               "can be animated in one go", "trim it or split it first")
    if image is not None and video is not None:
        raise InvalidArguments("talking_head: give a portrait image or an idle video, not both")
    avatar = prepare(image=image, video=video)
    out_dir = ctx.scratch_dir if ctx is not None else Path(tempfile.mkdtemp(prefix="audiogent-thg-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "talking-head.mp4"
    total = max(1, math.ceil(round(audio.duration * FPS, 6)))
    step = max(1, total // 20)

    def progress(n: int) -> None:
        if ctx is not None and n % step == 0:
            ctx.progress(min(1.0, n / total), f"frame {n}/{total}")

    if isinstance(backend, Wav2LipBackend):
        frames = backend.runner().frames(avatar, audio, AUDIO_RATE)
        used = backend.name
    else:
        from agent.media import adapt
        from tools.thg.stream import frames_for

        frames = frames_for(avatar, adapt(audio, sample_rate=AUDIO_RATE, channels=1))
        used = "portrait"
    info = write_mp4(path, frames, avatar.size, AUDIO_RATE, progress=progress)
    return FileOutput(path, meta={**info, "backend": used, "avatar": avatar.source, "avatar_key": avatar.key,
                                  "audio_duration": round(audio.duration, 6)})
