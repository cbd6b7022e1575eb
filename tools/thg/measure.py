"""Measurements on a rendered talking-head mp4, from its pixels and its audio alone (not the renderer's
own parameters), so they can check any backend:

* lipsync_score: the mouth's opening per frame (the count of dark pixels in the mouth box of a face
  found on the first frame) against the speech RMS envelope per frame (40 ms at 25 fps): the Pearson
  correlation at the best lag in -3..+3 frames, and that lag (positive: the mouth follows the sound).
* av_sync: the audio and video durations of the file, from the container and by decoding.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from agent.media import Audio
from tools.thg import FPS

MAX_LAG = 3


def mouth_opening(frames: Iterable[np.ndarray]) -> np.ndarray:
    """Per frame: how many pixels of the mouth box are dark (an open mouth's cavity)."""
    import cv2

    from tools.thg.face import find_geometry

    it = iter(frames)
    first = next(it)
    geo = find_geometry(first, "the first frame")
    mx, split, mw, _ = geo.mouth
    fh = geo.face_h
    x0, x1 = int(mx - 1.1 * mw), int(mx + 1.1 * mw) + 1
    y0, y1 = int(split - 0.09 * fh), int(split + 0.17 * fh) + 1
    fx, fy, fw, _ = (int(v) for v in geo.face)
    skin = cv2.cvtColor(first[fy:fy + int(fh), fx:fx + fw], cv2.COLOR_BGR2GRAY)
    threshold = 0.42 * float(np.median(skin))
    out = []
    for frame in itertools.chain([first], it):
        g = cv2.cvtColor(frame[max(0, y0):y1, max(0, x0):x1], cv2.COLOR_BGR2GRAY)
        out.append(float(np.count_nonzero(g < threshold)))
    return np.asarray(out, np.float64)


def rms_envelope(samples: np.ndarray, sample_rate: int, n_frames: int, fps: int = FPS) -> np.ndarray:
    """RMS of each 1/fps slice of mono audio (zero past its end)."""
    spf = sample_rate // fps
    x = np.zeros(n_frames * spf, np.float64)
    m = min(len(samples), len(x))
    x[:m] = samples[:m]
    return np.sqrt(np.mean(x.reshape(n_frames, spf) ** 2, axis=1))


def lagged_correlation(video: np.ndarray, audio: np.ndarray, max_lag: int = MAX_LAG) -> dict[int, float]:
    """Pearson correlation of video[i] with audio[i - lag] for each lag."""
    out = {}
    n = min(len(video), len(audio))
    for lag in range(-max_lag, max_lag + 1):
        v = video[max(0, lag):n + min(0, lag)]
        a = audio[max(0, -lag):n - max(0, lag)]
        out[lag] = float(np.corrcoef(v, a)[0, 1]) if len(v) > 2 and v.std() > 0 and a.std() > 0 else 0.0
    return out


def lipsync_score(video_path: str | Path, audio: Audio | None = None) -> tuple[float, int]:
    """(correlation at the best lag, that lag in frames) between mouth opening and the speech envelope.
    `audio` defaults to the file's own audio track."""
    from tools.thg.video import iter_frames, read_audio_track

    if audio is None:
        x, sr = read_audio_track(video_path)
    else:
        x, sr = audio.mono(), audio.sample_rate
    opening = mouth_opening(iter_frames(video_path))
    env = rms_envelope(x, sr, len(opening))
    corr = lagged_correlation(opening, env)
    best = max(corr, key=lambda k: (corr[k], -abs(k)))
    return corr[best], best


def av_sync(video_path: str | Path) -> dict[str, Any]:
    """Durations of the file's streams (container and decoded) and their largest difference, in seconds."""
    from tools.thg.video import probe

    info = probe(video_path)
    diffs = [abs(info["decoded_video_seconds"] - info["decoded_audio_seconds"])]
    if info["video_duration"] is not None and info["audio_duration"] is not None:
        diffs.append(abs(info["video_duration"] - info["audio_duration"]))
    info["max_difference"] = max(diffs)
    return info
