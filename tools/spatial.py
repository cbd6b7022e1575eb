"""Mono to binaural: place a sound at a direction for headphones with a spherical-head model.

Coordinates: azimuth -180..180 degrees, 0 = straight ahead, positive = to the right (90 = right ear,
-90 = left ear, +-180 = behind); elevation -40..90 degrees, 0 = ear level, 90 = overhead. The output is
stereo in the order left, right.

Per ear, one FIR filter (the same for a still source; one per block for a moving one):
- delay: Woodworth's spherical-head path (head radius a = 8.75 cm, c = 343 m/s). With theta the angle
  between the source and the ear's axis, the ear hears the sound a/c (1 - cos theta) late while it faces
  the source (theta < 90), a/c (1 + theta - 90 deg) once the head is in the way, so the interaural time
  difference is ITD = a/c (lateral + sin lateral), lateral = asin(sin azimuth cos elevation): 656 us
  at 90 degrees. It is a fractional delay (linear phase), exact at every frequency;
- head shadow: the magnitude of Brown & Duda's (1998) one-pole/one-zero filter
  H(w) = (1 + j alpha w / 2w0) / (1 + j w / 2w0), w0 = c/a, alpha(theta) = 1.05 + 0.95 cos(theta / 150 deg * 180 deg):
  up to +6 dB of treble at the ear facing the source and -20 dB at the far one. Its own phase is left out
  (the delay above carries all the timing), so the measured ITD is Woodworth's at every azimuth;
- pinna / elevation: a notch (Gaussian in log frequency, 0.12 octave) at 8 kHz x 2^(elevation / 90 deg)
  (5.9 kHz at -40, 11.3 kHz at +45), 15 dB deep up to 30 degrees up and fading out towards overhead;
- front/back: behind the listener a high shelf (above ~3 kHz) cuts up to 5 dB, in proportion to
  -cos(azimuth) cos(elevation).

A moving source follows `path` keyframes (time_s, azimuth, elevation), interpolated linearly (azimuth
along the shorter way round), rendered in 50%-overlapping Hann-windowed blocks (~12 ms hop) whose
windows sum to one, so a still path equals the static filter exactly and a moving one never clicks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from agent.errors import InvalidArguments
from agent.media import Audio
from tools.base import PackageBackend, tool

HEAD_RADIUS = 0.0875  # m
SPEED_OF_SOUND = 343.0  # m/s
ALPHA_MIN, THETA_MIN = 0.1, math.radians(150.0)
NOTCH_HZ, NOTCH_OCTAVES, NOTCH_DB = 8000.0, 0.12, 15.0
REAR_SHELF_HZ, REAR_SHELF_DB = 3000.0, -5.0
AZ_RANGE, EL_RANGE = (-180.0, 180.0), (-40.0, 90.0)
MAX_KEYFRAMES = 1000
PEAK_CEILING = 10 ** (-1 / 20)


def woodworth_itd(azimuth: float, elevation: float = 0.0) -> float:
    """Interaural time difference in seconds, left ear minus right ear (positive: the sound is on the right)."""
    lat = math.asin(max(-1.0, min(1.0, math.sin(math.radians(azimuth)) * math.cos(math.radians(elevation)))))
    return HEAD_RADIUS / SPEED_OF_SOUND * (lat + math.sin(lat))


def _ear_delay(theta: np.ndarray) -> np.ndarray:
    """Seconds the sound takes past the head centre to an ear at angle theta (radians) from the source."""
    k = HEAD_RADIUS / SPEED_OF_SOUND
    return np.where(theta < math.pi / 2, k * (1 - np.cos(theta)), k * (1 + theta - math.pi / 2))


def _head_shadow(f: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """|H| of Brown & Duda's head-shadow filter for ears at angles theta (shape (..., 1)) at frequencies f."""
    w = 2 * math.pi * f
    w0 = SPEED_OF_SOUND / HEAD_RADIUS
    alpha = (1 + ALPHA_MIN / 2) + (1 - ALPHA_MIN / 2) * np.cos(theta / THETA_MIN * math.pi)
    x = w / (2 * w0)
    return np.sqrt((1 + (alpha * x) ** 2) / (1 + x ** 2))


def _spectral_cues_db(f: np.ndarray, az: np.ndarray, el: np.ndarray, sr: int) -> np.ndarray:
    """Pinna notch and rear shelf in dB, shape (directions, freqs): the same at both ears."""
    el_ = el[:, None]
    fn = NOTCH_HZ * 2.0 ** (el_ / 90.0)
    depth = NOTCH_DB * np.clip((90.0 - el_) / 60.0, 0.0, 1.0) * (fn < 0.45 * sr)
    with np.errstate(divide="ignore"):
        octs = np.log2(np.maximum(f, 1.0)[None, :] / fn)
    notch = -depth * np.exp(-0.5 * (octs / NOTCH_OCTAVES) ** 2)
    behind = np.clip(-np.cos(np.radians(az)) * np.cos(np.radians(el)), 0.0, 1.0)[:, None]
    shelf = REAR_SHELF_DB * behind * (f[None, :] ** 2 / (f[None, :] ** 2 + REAR_SHELF_HZ ** 2))
    return notch + shelf


def fir_length(sr: int) -> int:
    """~12 ms, a power of two: 256 taps at 16-24 kHz, 512 at 44.1/48 kHz."""
    return int(2 ** max(7, round(math.log2(0.0116 * sr))))


def hrirs(az: np.ndarray, el: np.ndarray, sr: int) -> np.ndarray:
    """Impulse responses, shape (directions, 2 ears [left, right], taps), with a bulk delay of taps/2."""
    from scipy.signal.windows import tukey

    n = fir_length(sr)
    f = np.fft.rfftfreq(n, 1.0 / sr)
    az_r, el_r = np.radians(np.asarray(az, float)), np.radians(np.asarray(el, float))
    lateral = np.clip(np.sin(az_r) * np.cos(el_r), -1.0, 1.0)
    cues = 10 ** (_spectral_cues_db(f, np.asarray(az, float), np.asarray(el, float), sr) / 20)
    out = np.empty((len(lateral), 2, n))
    window = tukey(n, 0.5)
    for e, sign in ((0, -1.0), (1, 1.0)):  # the right ear's axis points to +90 degrees
        theta = np.arccos(np.clip(sign * lateral, -1.0, 1.0))[:, None]
        delay = n / 2 + _ear_delay(theta) * sr
        spec = _head_shadow(f[None, :], theta) * cues * np.exp(-2j * np.pi * f[None, :] / sr * delay)
        out[:, e, :] = np.fft.irfft(spec, n, axis=1) * window
    return out


def _keyframes(path: Sequence[Any]) -> np.ndarray:
    """(k, 3) keyframes from a flat [t, az, el, t, az, el, ...] list or a list of [t, az, el] triples."""
    if len(path) and all(isinstance(p, (list, tuple)) for p in path):
        rows = [list(p) for p in path]
        if any(len(r) != 3 for r in rows):
            raise InvalidArguments("every path keyframe needs three numbers: time_s, azimuth, elevation")
        flat = [v for r in rows for v in r]
    else:
        flat = list(path)
    if not flat or len(flat) % 3:
        raise InvalidArguments(f"path needs numbers in threes (time_s, azimuth, elevation), got {len(flat)} numbers",
                               "for example [0, -90, 0, 4, 90, 0] moves from left to right over 4 s")
    try:
        k = np.asarray(flat, dtype=float).reshape(-1, 3)
    except (TypeError, ValueError) as e:
        raise InvalidArguments(f"path must hold numbers only: {e}") from e
    if len(k) > MAX_KEYFRAMES:
        raise InvalidArguments(f"path has {len(k)} keyframes; at most {MAX_KEYFRAMES} are supported")
    if not np.isfinite(k).all():
        raise InvalidArguments("path holds a value that is not a finite number")
    if (k[:, 0] < 0).any() or (np.diff(k[:, 0]) < 0).any():
        raise InvalidArguments("path keyframe times must be 0 or more and in increasing order")
    for az, el in k[:, 1:]:
        _check_angles(az, el, "path keyframe ")
    return k


def _check_angles(az: float, el: float, what: str = "") -> None:
    if not AZ_RANGE[0] <= az <= AZ_RANGE[1]:
        raise InvalidArguments(f"{what}azimuth {az:g} degrees is outside -180 to 180",
                               "0 is straight ahead, -90 left, 90 right, 180 behind")
    if not EL_RANGE[0] <= el <= EL_RANGE[1]:
        raise InvalidArguments(f"{what}elevation {el:g} degrees is outside -40 to 90",
                               "0 is ear level, 90 overhead, -40 the lowest this head model covers")


def _path_at(k: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth (the shorter way round between keyframes, wrapped to -180..180) and elevation at times t."""
    az = k[:, 1].copy()
    for i in range(1, len(az)):
        d = (az[i] - az[i - 1] + 180.0) % 360.0 - 180.0
        if d == -180.0 and k[i, 1] - k[i - 1, 1] > 0:
            d = 180.0  # exactly opposite: go the way the numbers say
        az[i] = az[i - 1] + d
    a = np.interp(t, k[:, 0], az)
    e = np.interp(t, k[:, 0], k[:, 2])
    return (a + 180.0) % 360.0 - 180.0, e


@tool("binauralize", backends=[PackageBackend("spherical-head", ["numpy", "scipy"])])
def binauralize(audio: Audio, azimuth: float = 0, elevation: float = 0, path: list[Any] | None = None) -> Audio:
    from scipy.signal import fftconvolve

    x = audio.mono().astype(np.float64)
    sr = audio.sample_rate
    n = fir_length(sr)
    if path:
        k = _keyframes(path)
    else:
        _check_angles(float(azimuth), float(elevation))
        k = np.array([[0.0, float(azimuth), float(elevation)]])
    if len(k) == 1 or np.allclose(k[:, 1:], k[0, 1:]):
        h = hrirs(np.array([k[0, 1]]), np.array([k[0, 2]]), sr)[0]
        y = np.stack([fftconvolve(x, h[e])[n // 2: n // 2 + len(x)] for e in (0, 1)], axis=1)
    else:
        y = _render_moving(x, sr, k)
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak > PEAK_CEILING:  # the ear facing the source gets up to +6 dB of treble: keep 1 dB of headroom
        y *= PEAK_CEILING / peak  # (both channels alike, so the level difference stays)
    return Audio(y.astype(np.float32), sr, audio.format)


def _render_moving(x: np.ndarray, sr: int, k: np.ndarray) -> np.ndarray:
    n = fir_length(sr)
    hop = n
    win = np.hanning(2 * hop + 1)[:-1]  # periodic Hann: shifted by hop, the windows sum to exactly one
    blocks = len(x) // hop + 2
    az, el = _path_at(k, np.arange(blocks) * hop / sr)
    nfft = 1 << int(np.ceil(np.log2(2 * hop + n - 1)))
    padded = np.concatenate([np.zeros(hop), x, np.zeros(3 * hop + n)])
    out = np.zeros((len(padded) + nfft, 2))
    for b0 in range(0, blocks, 256):
        b = np.arange(b0, min(blocks, b0 + 256))
        h = hrirs(az[b], el[b], sr)  # (blocks, 2, n)
        seg = padded[b[:, None] * hop + np.arange(2 * hop)[None, :]] * win
        spec = np.fft.rfft(seg, nfft)[:, None, :] * np.fft.rfft(h, nfft)
        part = np.fft.irfft(spec, nfft)  # (blocks, 2, nfft)
        for i, bi in enumerate(b):
            out[bi * hop: bi * hop + nfft] += part[i].T
    # block b is centred on input sample b*hop; remove the leading pad and the bulk delay n/2
    start = hop + n // 2
    return out[start: start + len(x)]
