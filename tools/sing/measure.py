"""Measuring a sung rendering against its score, from the audio alone: F0 accuracy in cents and note
onset errors. Used by tests/tools/test_singing.py and the `singing` capability check.

- F0: YIN (de Cheveigne & Kawahara 2002; numpy/scipy, 40 ms windows, 5 ms hop, parabolic
  interpolation). A frame is voiced when YIN's aperiodicity (the minimum of the cumulative-mean-
  normalized difference) is under 0.2; every voiced frame inside a note's span is compared with that
  note's pitch. (WORLD harvest, which calls nearly every frame voiced, is `f0_track(method="harvest")`.)
- Onsets: at a join between two different pitches with voice on both sides, the time the measured
  F0 crosses the midpoint (in cents) between them; elsewhere (repeated pitches, after a consonant or a
  rest), where the 150-1500 Hz band energy of the periodic frames (YIN aperiodicity under 0.35:
  the voiced part of the syllable, not a consonant burst) climbs through 6 dB under the note's own
  level, nearest the note's start within +-80 ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agent.media import Audio
from tools.sing.score import Song

FRAME_MS = 5.0
WINDOW = 0.08


YIN_THRESHOLD = 0.2


def yin(x: np.ndarray, sr: int, fmin: float = 60.0, fmax: float = 1100.0, hop_ms: float = FRAME_MS,
        win_ms: float = 40.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(times, F0 in Hz, aperiodicity 0..1 per frame): YIN with an FFT difference function."""
    hop, win = int(sr * hop_ms / 1000), int(sr * win_ms / 1000)
    tau_min, tau_max = max(2, int(sr / fmax)), min(win - 1, int(sr / fmin) + 1)
    x = np.asarray(x, dtype=np.float64)
    n_frames = max(1, 1 + (len(x) - win - tau_max) // hop) if len(x) > win + tau_max else 1
    xp = np.pad(x, (0, max(0, (n_frames - 1) * hop + win + tau_max - len(x))))
    idx = np.arange(n_frames)[:, None] * hop + np.arange(win + tau_max)[None, :]
    frames = xp[idx]
    nfft = 1 << int(np.ceil(np.log2(2 * (win + tau_max))))
    # d(tau) = sum_j (x_j - x_{j+tau})^2 over j < win = e0 + e_tau - 2 r(tau)
    a = np.fft.rfft(frames[:, :win], nfft)
    b = np.fft.rfft(frames, nfft)
    r = np.fft.irfft(np.conj(a) * b, nfft)[:, : tau_max + 1]
    sq = np.cumsum(frames ** 2, axis=1)
    sq = np.concatenate([np.zeros((n_frames, 1)), sq], axis=1)
    taus = np.arange(tau_max + 1)
    e_tau = sq[:, taus + win] - sq[:, taus]
    d = sq[:, win][:, None] + e_tau - 2 * r
    d[:, 0] = 0
    cum = np.cumsum(d[:, 1:], axis=1) / np.arange(1, tau_max + 1)
    dn = np.ones_like(d)
    dn[:, 1:] = d[:, 1:] / (cum + 1e-12)
    f0 = np.zeros(n_frames)
    aper = np.ones(n_frames)
    for i in range(n_frames):
        row = dn[i]
        below = np.flatnonzero(row[tau_min:tau_max] < YIN_THRESHOLD)
        if len(below):
            tau = tau_min + below[0]
            while tau + 1 < tau_max and row[tau + 1] < row[tau]:
                tau += 1  # down to the local minimum
        else:
            tau = tau_min + int(np.argmin(row[tau_min:tau_max]))
        aper[i] = float(row[tau])
        if 1 <= tau < tau_max:
            y0, y1, y2 = row[tau - 1], row[tau], row[tau + 1]
            den = y0 - 2 * y1 + y2
            shift = 0.5 * (y0 - y2) / den if den > 0 else 0.0
            f0[i] = sr / (tau + float(np.clip(shift, -1, 1)))
    t = (np.arange(n_frames) * hop + win / 2) / sr
    return t, f0, aper


def f0_track(audio: Audio, method: str = "yin") -> tuple[np.ndarray, np.ndarray]:
    """(times in s, F0 in Hz with 0 = unvoiced): YIN (voiced = aperiodicity under 0.2) or WORLD harvest."""
    if method == "harvest":
        import pyworld as pw

        x = np.ascontiguousarray(audio.mono(), dtype=np.float64)
        f0, t = pw.harvest(x, audio.sample_rate, f0_floor=60.0, f0_ceil=1100.0, frame_period=FRAME_MS)
        return t, f0
    t, f0, aper = yin(audio.mono(), audio.sample_rate)
    return t, np.where(aper < YIN_THRESHOLD, f0, 0.0)


@dataclass
class PitchScore:
    within: float  # fraction of voiced in-note frames within the tolerance
    frames: int
    median_cents: float  # median |error|
    tolerance: float
    voiced: float  # fraction of in-note frames that are voiced


def pitch_accuracy(audio: Audio, song: Song, lead_in: float, tolerance: float = 50.0,
                   track: tuple[np.ndarray, np.ndarray] | None = None) -> PitchScore:
    t, f0 = track or f0_track(audio)
    expected = np.full(len(t), np.nan)
    for n in song.notes:
        expected[(t >= n.start + lead_in) & (t < n.end + lead_in)] = n.pitch
    inside = ~np.isnan(expected)
    sel = inside & (f0 > 0)
    if not sel.any():
        return PitchScore(0.0, 0, float("nan"), tolerance, 0.0)
    cents = 1200 * np.log2(f0[sel] / 440.0) + 6900 - 100 * expected[sel]
    err = np.abs(cents)
    return PitchScore(float(np.mean(err <= tolerance)), int(sel.sum()), float(np.median(err)), tolerance,
                      float(sel.sum() / max(1, inside.sum())))


@dataclass
class Onset:
    note: int
    expected: float
    measured: float | None
    method: str  # "f0" or "energy"

    @property
    def error(self) -> float | None:
        return None if self.measured is None else self.measured - self.expected


def _band_energy(audio: Audio) -> tuple[np.ndarray, np.ndarray]:
    from scipy.signal import stft

    sr = audio.sample_rate
    hop = int(sr * FRAME_MS / 1000)
    f, t, z = stft(audio.mono().astype(np.float64), fs=sr, nperseg=4 * hop, noverlap=3 * hop, boundary=None)
    band = (f >= 150) & (f <= 1500)
    e = 10 * np.log10(np.sum(np.abs(z[band]) ** 2, axis=0) + 1e-12)
    k = np.ones(4) / 4
    return t, np.convolve(e, k, mode="same")


def onsets(audio: Audio, song: Song, lead_in: float,
           track: tuple[np.ndarray, np.ndarray] | None = None) -> list[Onset]:
    t, f0 = track or f0_track(audio)
    te, e = _band_energy(audio)
    ty, _, aper = yin(audio.mono(), audio.sample_rate)
    periodic = np.interp(te, ty, aper) < 0.35
    e_raw = e
    e = np.where(periodic, e, e.min() - 20.0)
    out: list[Onset] = []
    for i, n in enumerate(song.notes):
        at = n.start + lead_in
        measured: float | None = None
        method = "energy"
        prev = song.notes[i - 1] if i else None
        if prev is not None and prev.pitch != n.pitch and n.start - prev.end < 0.005:
            mid = 50.0 * (prev.pitch + n.pitch)
            sel = (t >= at - WINDOW) & (t <= at + WINDOW) & (f0 > 0)
            idx = np.flatnonzero(sel)
            if len(idx) >= 4:
                c = 1200 * np.log2(f0[idx] / 440.0) + 6900
                side = np.sign(c - mid) * np.sign(n.pitch - prev.pitch)  # -1 before, +1 after
                best: float | None = None
                for j in range(1, len(idx)):
                    # a crossing between adjacent voiced frames, with 2 frames each side on its side
                    if side[j - 1] < 0 <= side[j] and idx[j] - idx[j - 1] <= 2 \
                            and np.all(side[max(0, j - 2):j] < 0) and np.all(side[j:j + 2] >= 0):
                        a, b = c[j - 1], c[j]
                        frac = (mid - a) / (b - a) if b != a else 0.0
                        cand = float(t[idx[j - 1]] + frac * (t[idx[j]] - t[idx[j - 1]]))
                        # voiced through the join: 3 adjacent voiced frames each side (not a voicing onset,
                        # where a 40 ms window leans on the voiced side)
                        if j >= 3 and j + 3 <= len(idx) and idx[j + 2] - idx[j - 3] == 5 \
                                and (best is None or abs(cand - at) < abs(best - at)):
                            best = cand
                if best is not None:
                    measured, method = best, "f0"
        if measured is None:
            body = (te >= at + 0.2 * (n.end - n.start)) & (te <= n.end + lead_in - 0.2 * (n.end - n.start))
            if body.any():
                level = float(np.median(e_raw[body])) - 6.0
                sel = np.flatnonzero((te >= at - WINDOW) & (te <= at + WINDOW))
                # the periodic part's rise first; where a voiced consonant blurs it, the plain energy's
                for curve, how in ((e, "energy"), (e_raw, "energy (ungated)")):
                    ups = [j for j in sel[1:] if curve[j - 1] < level <= curve[j]]
                    if ups:
                        j = min(ups, key=lambda j: abs(te[j] - at))
                        lo = max(curve[j - 1], level - 20.0)
                        frac = (level - lo) / (curve[j] - lo) if curve[j] != lo else 0.0
                        measured, method = float(te[j - 1] + frac * (te[j] - te[j - 1])), how
                        break
        out.append(Onset(i, at, measured, method))
    return out


def onset_summary(found: list[Onset], tolerance: float = 0.03) -> dict[str, float]:
    errs = np.array([abs(o.error) for o in found if o.error is not None])
    if not len(errs):
        return {"n": 0, "median_ms": float("nan"), "mean_ms": float("nan"), "max_ms": float("nan"), "within": 0.0}
    return {"n": len(errs), "median_ms": float(np.median(errs) * 1000), "mean_ms": float(np.mean(errs) * 1000),
            "max_ms": float(np.max(errs) * 1000), "within": float(np.mean(errs <= tolerance))}
