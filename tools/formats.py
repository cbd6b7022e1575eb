"""Levels and formats: loudness_normalize, resample, convert and audio_info (specs in model_registry.yaml)."""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from agent.errors import BadInput, InvalidArguments
from agent.media import AUDIO_FORMATS, Audio, adapt
from tools.base import PackageBackend, tool

log = logging.getLogger(__name__)

# BS.1770 measures loudness over 400 ms gating blocks: a shorter clip has no loudness.
MIN_LOUDNESS_S = 0.4
# Limiter timing: the gain reaches its floor this long before a peak and recovers as slowly after it.
_LIMITER_WINDOW_S = 0.005
# How far past the plain gain we may drive the limiter before giving up on the target and staying quieter.
_MAX_LIMITING_DB = 12.0


def _pyloudnorm() -> PackageBackend:
    return PackageBackend("pyloudnorm", ["pyloudnorm"])


def _db(x: float) -> float:
    return 20 * math.log10(x) if x > 0 else -math.inf


def _loudness(audio: Audio) -> float:
    """Integrated loudness (LUFS, BS.1770 gated). -inf when everything is under the -70 LUFS gate."""
    import pyloudnorm

    return float(pyloudnorm.Meter(audio.sample_rate).integrated_loudness(audio.samples.astype(np.float64)))


def _true_peak(x: np.ndarray, sr: int) -> float:
    """Linear true peak: the sample peak after 4x oversampling (BS.1770-4), so inter-sample peaks count."""
    from scipy.signal import resample_poly

    if x.size == 0:
        return 0.0
    factor = 4 if sr < 96000 else 2
    return float(max(np.max(np.abs(x)), np.max(np.abs(resample_poly(x, factor, 1, axis=0)))))


def _limit(x: np.ndarray, sr: int, ceiling: float) -> np.ndarray:
    """Look-ahead brick-wall limiter. The gain each sample needs is min-filtered and then averaged
    over windows of the same width, which makes a smooth curve that is never above the need."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d
    from scipy.signal import resample_poly

    # The need is measured on the 4x-oversampled signal so inter-sample peaks are caught too.
    over = np.abs(resample_poly(x, 4, 1, axis=0)).max(axis=1)[: 4 * len(x)].reshape(len(x), 4).max(axis=1)
    env = np.maximum(np.abs(x).max(axis=1), over)
    need = np.minimum(1.0, ceiling / np.maximum(env, 1e-12))
    w = 2 * max(1, int(_LIMITER_WINDOW_S * sr)) + 1
    g = uniform_filter1d(minimum_filter1d(need, w, mode="nearest"), w, mode="nearest")
    return (x * np.minimum(g, need)[:, None]).astype(np.float32)


def _check_measurable(audio: Audio) -> float:
    if audio.duration < MIN_LOUDNESS_S:
        raise BadInput(
            f"the clip is {audio.duration * 1000:.0f} ms long; loudness (BS.1770) needs at least 400 ms",
            "use gain to change the level of very short clips",
        )
    lufs = _loudness(audio)
    if not math.isfinite(lufs):
        raise BadInput("the clip is silent (below -70 LUFS), so its loudness cannot be set", "check the recording")
    return lufs


@tool("loudness_normalize", backends=[_pyloudnorm()])
def loudness_normalize(audio: Audio, target_lufs: float = -16, peak_ceiling_db: float = -1) -> Audio:
    """Bring integrated loudness to `target_lufs` with the true peak at or under `peak_ceiling_db`.

    When the gain for the target would push peaks over the ceiling, both are kept: a look-ahead
    limiter holds the peaks at the ceiling and the gain is raised (secant steps) to make up the
    loudness the limiter took, so the result lands within 0.1 LU of the target. If that would mean
    driving the limiter more than 12 dB (a crushed, distorted sound; or the target is simply out of
    reach under that ceiling) the ceiling wins: we stop there, the clip is quieter than asked, and
    the log says so."""
    if not -70 <= target_lufs <= 0:
        raise InvalidArguments(f"target {target_lufs:g} LUFS is outside -70 to 0")
    if peak_ceiling_db > 0:
        raise InvalidArguments(f"peak ceiling {peak_ceiling_db:g} dBFS is above full scale (0 dBFS)")
    measured = _check_measurable(audio)
    sr, x = audio.sample_rate, audio.samples.astype(np.float32)
    ceiling = 10 ** (peak_ceiling_db / 20)
    plain = target_lufs - measured
    out = x * np.float32(10 ** (plain / 20))
    if _true_peak(out, sr) <= ceiling:
        return audio.with_samples(out)

    def limited(gain_db: float) -> tuple[np.ndarray, float]:
        y = _limit(x * np.float32(10 ** (gain_db / 20)), sr, ceiling)
        return y, _loudness(audio.with_samples(y))

    g0, (out, l0) = plain, limited(plain)
    g1 = min(plain + _MAX_LIMITING_DB, g0 + (target_lufs - l0))
    for _ in range(10):
        if abs(target_lufs - l0) < 0.05 or g1 == g0:
            break
        out, l1 = limited(g1)
        # Loudness grows more slowly than gain once limiting: step along the measured slope.
        slope = max((l1 - l0) / (g1 - g0), 0.05)
        g0, l0 = g1, l1
        g1 = min(plain + _MAX_LIMITING_DB, g1 + (target_lufs - l1) / slope)
    if target_lufs - l0 > 0.5:
        log.warning("loudness_normalize: %.1f LUFS under a %.1f dBFS ceiling would need over %.0f dB of limiting; "
                    "the result is quieter, %.1f LUFS", target_lufs, peak_ceiling_db, _MAX_LIMITING_DB, l0)
    # Belt and braces: the limiter works on a 4x-oversampled estimate; trim any tiny overshoot.
    tp = _true_peak(out, sr)
    if tp > ceiling:
        out = out * np.float32(ceiling / tp)
    return audio.with_samples(out)


@tool("resample", backends=[PackageBackend("scipy", ["scipy"])])
def resample(audio: Audio, sample_rate: int | None = None, channels: int | None = None) -> Audio:
    """New sample rate (polyphase, band-limited) and/or channel count (down-mix or copy)."""
    if sample_rate is None and channels is None:
        raise InvalidArguments("resample needs a sample_rate, channels or both", "e.g. sample_rate: 16000")
    if sample_rate is not None and not 8000 <= sample_rate <= 192000:
        raise InvalidArguments(f"sample rate {sample_rate} Hz is outside 8000 to 192000")
    if channels is not None and not 1 <= channels <= 8:
        raise InvalidArguments(f"{channels} channels is outside 1 to 8")
    return adapt(audio, sample_rate=sample_rate, channels=channels)


@tool("convert", backends=[PackageBackend("libsndfile", ["soundfile"])])
def convert(audio: Audio, format: str) -> Audio:  # noqa: A002 - the registry's name
    """Mark the clip for saving as `format`; the executor encodes it (agent.media.write_audio)."""
    fmt = format.lower().lstrip(".")
    if fmt not in AUDIO_FORMATS:
        raise InvalidArguments(f"cannot convert to {format!r}", f"choose one of {', '.join(AUDIO_FORMATS)}")
    return Audio(audio.samples, audio.sample_rate, fmt)


def _round(v: float, digits: int = 2) -> float | None:
    """JSON has no infinities: levels of silence are reported as null."""
    return round(v, digits) if math.isfinite(v) else None


@tool("audio_info", backends=[_pyloudnorm()])
def audio_info(audio: Audio) -> dict[str, Any]:
    """Duration, format and levels. Levels in dBFS; lufs is null when the clip is silent or shorter
    than the 400 ms BS.1770 needs (lufs_note then says why)."""
    x = audio.samples
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    info: dict[str, Any] = {
        "duration": round(audio.duration, 3),
        "sample_rate": audio.sample_rate,
        "channels": audio.channels,
        "frames": audio.frames,
        "lufs": None,
        "peak_db": _round(_db(peak)),
        "true_peak_db": _round(_db(_true_peak(x, audio.sample_rate))),
        "rms_db": _round(_db(rms)),
    }
    if audio.duration < MIN_LOUDNESS_S:
        info["lufs_note"] = "too short to measure (BS.1770 needs at least 0.4 s)"
    else:
        lufs = _loudness(audio)
        info["lufs"] = _round(lufs)
        if not math.isfinite(lufs):
            info["lufs_note"] = "silent (below the -70 LUFS gate)"
    return info
