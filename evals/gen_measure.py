"""Measurements and test signals for the style-transfer, binaural and inpainting checks (evals/capability.py)
and their tests: interaural time/level differences, gap SNRs and their baselines, a synthetic chord and melody."""

from __future__ import annotations

import math

import numpy as np


def interaural(stereo: np.ndarray, sr: int, max_s: float = 0.0015, up: int = 16) -> tuple[float, float]:
    """(ITD in s, ILD in dB) of a (frames, 2) left/right signal. ITD = left arrival minus right arrival from the
    peak of the cross-correlation (FFT-interpolated `up` times): positive when the left ear hears it later, i.e. a
    source on the right. ILD = left level minus right level (positive: louder on the left)."""
    left, right = stereo[:, 0].astype(np.float64), stereo[:, 1].astype(np.float64)
    n = 1 << int(math.ceil(math.log2(2 * len(left))))
    cc = np.fft.irfft(np.fft.rfft(left, n) * np.conj(np.fft.rfft(right, n)), n * up)
    m = int(max_s * sr * up)
    lags = np.concatenate([np.arange(0, m + 1), np.arange(-m, 0)])
    vals = np.concatenate([cc[: m + 1], cc[-m:]])
    itd = float(lags[int(np.argmax(vals))]) / (sr * up)
    ild = 20 * math.log10(math.sqrt(np.mean(left ** 2)) / max(math.sqrt(np.mean(right ** 2)), 1e-20))
    return itd, ild


def snr_db(reference: np.ndarray, estimate: np.ndarray) -> float:
    err = float(np.sum((reference - estimate) ** 2))
    return 10 * math.log10(float(np.sum(reference ** 2)) / max(err, 1e-30))


def linear_fill(x: np.ndarray, n0: int, n1: int) -> np.ndarray:
    """Straight line between the samples either side of the gap."""
    a = x[n0 - 1] if n0 > 0 else 0.0
    b = x[n1] if n1 < len(x) else 0.0
    return np.linspace(a, b, n1 - n0 + 2)[1:-1]


def gap_positions(x: np.ndarray, sr: int, length: int, count: int, seed: int, margin_s: float = 0.3) -> list[int]:
    """Gap starts in active audio (the gap's RMS at least 0.3x the clip's), at least 0.3 s apart and from the ends."""
    rng = np.random.default_rng(seed)
    level = math.sqrt(float(np.mean(x ** 2)))
    out: list[int] = []
    for _ in range(20000):
        if len(out) >= count:
            break
        n0 = int(rng.uniform(margin_s * sr, len(x) - margin_s * sr - length))
        if math.sqrt(float(np.mean(x[n0:n0 + length] ** 2))) > 0.3 * level and all(abs(n0 - o) > margin_s * sr for o in out):
            out.append(n0)
    return sorted(out)


def chord_melody(sr: int = 44100, seconds: float = 6.0, seed: int = 0, noise_db: float = -60.0) -> np.ndarray:
    """A held C major chord (four partials per note, random phases) under a melody of 0.5 s notes (C5 D5 E5 F5
    G5 E5 D5 C5, five partials, 10 ms attack, exponential decay), plus white noise `noise_db` under the signal."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = np.zeros_like(t)
    for f in (261.63, 329.63, 392.0):
        for h, amp in ((1, 0.12), (2, 0.05), (3, 0.025), (4, 0.012)):
            y += amp * np.sin(2 * np.pi * f * h * t + rng.uniform(0, 2 * np.pi))
    notes = (523.25, 587.33, 659.25, 698.46, 783.99, 659.25, 587.33, 523.25)
    step = int(0.5 * sr)
    for i in range(int(len(t) / step)):
        s = i * step
        tt = t[s: s + step] - t[s]
        env = np.minimum(1.0, tt / 0.01) * np.exp(-3.0 * tt)
        for h, amp in ((1, 0.2), (2, 0.08), (3, 0.04), (5, 0.02)):
            y[s: s + step] += amp * env * np.sin(2 * np.pi * notes[i % len(notes)] * h * tt)
    y *= 0.6
    return y + 10 ** (noise_db / 20) * float(np.std(y)) * rng.standard_normal(len(y))


def inpainting_snrs(x: np.ndarray, sr: int, gap_ms: float, count: int, seed: int) -> dict[str, float]:
    """SNR (dB) over `count` gaps of `gap_ms` in active audio, pooled (total signal / total error energy), for
    inpaint's filler, zero-filling and linear interpolation."""
    from tools.inpaint import fill_gap

    n = int(round(gap_ms * sr / 1000))
    pos = gap_positions(x, sr, n, count, seed)
    ref = np.concatenate([x[p:p + n] for p in pos])
    damaged = x.copy()
    for p in pos:
        damaged[p:p + n] = 0.0
    ar = np.concatenate([fill_gap(damaged, p, p + n, sr)[0] for p in pos])
    lin = np.concatenate([linear_fill(damaged, p, p + n) for p in pos])
    return {"inpaint": snr_db(ref, ar), "zero": snr_db(ref, np.zeros_like(ref)), "linear": snr_db(ref, lin),
            "gaps": float(len(pos))}


def semitones(a_hz: float, b_hz: float) -> float:
    return 12 * math.log2(a_hz / b_hz)
