"""Style (prosody) transfer: make a speech clip follow a reference clip's pitch, speaking rate and level,
and optionally its vocal-tract scale, with the WORLD vocoder (pyworld: harvest, cheaptrick, d4c,
synthesize). DSP, not voice cloning: the words, the voice's identity and its accent stay the source's.

What is matched, each moved by `strength` (0 = unchanged, 1 = the reference's):
- pitch: per voiced frame, log F0 is mapped affinely from the source's centre and spread (over voiced frames, in
  the log domain: the median and (P90 - P10) / 2.563, a mean and standard deviation robust to tracking errors) to
  the reference's, so the pitch level and range follow the reference (range scaled 0.5x to 2x at most);
- speaking rate: syllable nuclei (intensity peaks in voiced speech, after de Jong & Wempe 2009) per second
  of phonation time (pauses of 250 ms or more left out) give the articulation rate; the WORLD frames are
  re-timed by source rate / reference rate (at most 2x either way);
- level: the RMS of the active frames (within 30 dB of the loudest) is matched, peaks kept under -0.5 dBFS;
- timbre (`timbre=true` only): the spectral envelope is warped in frequency by the factor that best maps
  the source's average voiced envelope onto the reference's (a vocal-tract-length scale, searched over
  0.80-1.25 and applied within 0.87-1.15). Off by default: "speaking style" is prosody, and a global
  envelope warp is a coarse change whose estimate is confounded by what each clip says.

A neural zero-shot cloner would do more; the `maskgct` backend is its adapter slot (tools/adapter_slots.py).
"""

from __future__ import annotations

import glob
import importlib.util
import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from agent.errors import BackendUnavailable, BadInput, InvalidArguments
from agent.media import Audio
from tools.adapter_slots import AdapterSlot
from tools.base import Backend, tool

FRAME_MS = 5.0
F0_FLOOR, F0_CEIL = 50.0, 600.0
YIN_THRESHOLD = 0.2
# Pitch level and range: the median and (P90 - P10) / 2.563 of log F0 over voiced frames, i.e. the mean and the
# standard deviation for a normal distribution, but not dragged by the octave errors and creaky stretches any F0
# tracker makes on some frames (Piper's voice has many). The range is scaled by at most 2x either way.
SPREAD_DIVISOR = 2.563
RANGE_SCALE_LIMIT = (0.5, 2.0)
MIN_VOICED_FRAMES = 40  # 200 ms of voiced speech
MAX_SECONDS = 600.0
MAX_STRETCH = 2.0
WARP_SEARCH = (0.80, 1.25)
WARP_LIMIT = (0.87, 1.15)
PEAK_CEILING = 10 ** (-0.5 / 20)
ACTIVE_RANGE_DB = 30.0
PAUSE_S = 0.25

_PW: Any = None
_PW_LOCK = threading.Lock()


def load_pyworld() -> Any:
    """The pyworld extension module. pyworld 0.3.5's __init__ imports pkg_resources, which setuptools
    81+ no longer ships; the compiled module itself needs nothing, so load it directly when that fails."""
    global _PW
    with _PW_LOCK:
        if _PW is not None:
            return _PW
        try:
            import pyworld

            _PW = pyworld
        except ModuleNotFoundError as e:
            if e.name != "pkg_resources":
                raise
            spec = importlib.util.find_spec("pyworld")
            if spec is None or spec.origin is None:
                raise
            found = glob.glob(os.path.join(os.path.dirname(spec.origin), "pyworld*.so")) + glob.glob(
                os.path.join(os.path.dirname(spec.origin), "pyworld*.pyd"))
            if not found:
                raise
            ext = importlib.util.spec_from_file_location("pyworld.pyworld", found[0])
            assert ext is not None and ext.loader is not None
            mod = importlib.util.module_from_spec(ext)
            ext.loader.exec_module(mod)
            _PW = mod
        return _PW


class WorldBackend(Backend):
    name = "world"

    def check(self) -> None:
        if importlib.util.find_spec("pyworld") is None:
            raise BackendUnavailable(f"backend `{self.name}` needs the Python package pyworld",
                                     "pip install pyworld-prebuilt (or pyworld)")

    def load(self) -> None:
        load_pyworld()


# ---------------------------------------------------------------------- analysis
def _intensity_db(x: np.ndarray, sr: int, hop: float = 0.01, win: float = 0.05) -> np.ndarray:
    """Band-limited (250 Hz - 4 kHz) intensity in dB per 10 ms."""
    from scipy.signal import butter, sosfiltfilt

    sos = butter(2, [250.0, min(4000.0, 0.45 * sr)], btype="band", fs=sr, output="sos")
    y = sosfiltfilt(sos, x) if len(x) > 30 else x
    h, w = int(hop * sr), int(win * sr)
    if len(y) < w:
        y = np.pad(y, (0, w - len(y)))
    n = 1 + (len(y) - w) // h
    idx = np.arange(w)[None, :] + h * np.arange(n)[:, None]
    return 10 * np.log10(np.mean((y[idx] * np.hanning(w)) ** 2, axis=1) + 1e-12)


def articulation_rate(x: np.ndarray, sr: int) -> tuple[float, float, int]:
    """(syllable nuclei per second of phonation, phonation seconds, nuclei). Nuclei are peaks of the 250 Hz -
    4 kHz intensity (50 ms windows) at least 3 dB prominent, 90 ms apart and within 25 dB of the loudest
    frame; phonation time leaves out pauses of 250 ms or more. On Piper sentences spoken at 0.7x, 1x and
    1.4x, and resynthesized by WORLD with the pitch 4 semitones up or down, the count stayed within 10% of
    the true syllable count (coefficient of variation 5%)."""
    from scipy.signal import find_peaks

    inten = _intensity_db(x, sr)
    thr = float(inten.max()) - 25.0
    active = inten > thr
    i, n = 0, len(active)
    while i < n:  # bridge short dips: only real pauses are left out of the phonation time
        if active[i]:
            i += 1
            continue
        j = i
        while j < n and not active[j]:
            j += 1
        if 0 < i and j < n and (j - i) * 0.01 < PAUSE_S:
            active[i:j] = True
        i = j
    nuclei = len(find_peaks(inten, prominence=3.0, distance=9, height=thr)[0])
    seconds = float(active.sum()) * 0.01
    return (nuclei / seconds if seconds > 0 else 0.0), seconds, nuclei


def active_level_db(x: np.ndarray, sr: int) -> float:
    """RMS level (dBFS) of the 20 ms frames within 30 dB of the loudest one."""
    w = max(1, int(0.02 * sr))
    n = len(x) // w
    if n == 0:
        return -120.0
    e = np.mean(x[: n * w].reshape(n, w) ** 2, axis=1)
    db = 10 * np.log10(e + 1e-20)
    keep = db > db.max() - ACTIVE_RANGE_DB
    return float(10 * np.log10(np.mean(e[keep]) + 1e-20))


def track_f0(x: np.ndarray, sr: int, threshold: float = YIN_THRESHOLD) -> np.ndarray:
    """F0 per 5 ms frame (0 = unvoiced) by YIN (de Cheveigne & Kawahara 2002): the cumulative-mean-normalized
    difference function's first dip under `threshold`, refined to its local minimum with parabolic
    interpolation; frames more than 45 dB under the loudest are unvoiced. Then voiced runs shorter than
    20 ms are dropped, frames more than 3/4 octave off their run's median are folded back, and log F0
    is median-filtered over 25 ms.

    Why not WORLD's harvest: on Piper speech re-synthesized by WORLD with a known F0, harvest's estimate was
    more than a semitone off in 15-40% of frames (it misses this voice's low, creaky ~75 Hz stretches and
    jumps octaves), this tracker in 0-12%."""
    from scipy.ndimage import median_filter

    x = np.asarray(x, np.float64)
    hop = sr * FRAME_MS / 1000
    tau_max = int(np.ceil(sr / F0_FLOOR))
    tau_min = max(2, int(np.floor(sr / F0_CEIL)))
    w = tau_max
    n = int(len(x) / hop) + 1
    span = w + tau_max
    starts = np.round(np.arange(n) * hop).astype(int) - w // 2 + span
    padded = np.pad(x, (span, span + span))
    out = np.zeros(n)
    nfft = 1 << int(np.ceil(np.log2(2 * span)))
    taus = np.arange(tau_max + 1)
    for b in range(0, n, 512):  # blocks of frames bound the memory
        idx = starts[b:b + 512, None] + np.arange(span)[None, :]
        fr = padded[idx]
        fr = fr - fr.mean(axis=1, keepdims=True)
        r = np.fft.irfft(np.fft.rfft(fr, nfft) * np.conj(np.fft.rfft(fr[:, :w], nfft)), nfft)[:, :tau_max + 1]
        sq = np.concatenate([np.zeros((len(fr), 1)), np.cumsum(fr ** 2, axis=1)], axis=1)
        e0 = sq[:, w][:, None]
        d = e0 + (sq[:, taus + w] - sq[:, taus]) - 2 * r
        d[:, 0] = 0
        cm = np.ones_like(d)
        cm[:, 1:] = d[:, 1:] * taus[1:] / np.maximum(np.cumsum(d[:, 1:], axis=1), 1e-20)
        below = cm[:, tau_min:] < threshold
        has = below.any(axis=1)
        t = np.argmax(below, axis=1) + tau_min
        rows = np.arange(len(fr))
        # walk down to the local minimum: the first k >= t where the curve stops falling
        rising = np.concatenate([cm[:, 1:] >= cm[:, :-1], np.ones((len(fr), 1), bool)], axis=1)
        rising &= taus[None, :] >= t[:, None]
        t = np.argmax(rising, axis=1)
        lo, hi = np.maximum(t - 1, 1), np.minimum(t + 1, tau_max)
        a, c0, c = cm[rows, lo], cm[rows, t], cm[rows, hi]
        den = a - 2 * c0 + c
        off = np.where((den > 0) & (lo < t) & (hi > t), 0.5 * (a - c) / np.where(den > 0, den, 1), 0.0)
        out[b:b + len(fr)] = np.where(has, sr / (t + off), 0.0)
        energy = 10 * np.log10(e0[:, 0] / w + 1e-20)
        out[b:b + len(fr)][energy < -100] = 0.0
    energy_all = _frame_energy_db(x, sr, n)
    out[energy_all < energy_all.max() - 45.0] = 0.0
    # clean-up: short runs out, octave jumps folded, light median smoothing
    v = out > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[0], v.astype(np.int8), [0]])))
    for i, j in zip(edges[::2], edges[1::2]):
        if j - i < 4:
            out[i:j] = 0.0
            continue
        lf = np.log2(out[i:j])
        dev = lf - np.median(lf)
        lf = np.where(np.abs(dev) > 0.75, lf - np.round(dev), lf)
        out[i:j] = 2 ** median_filter(lf, size=5, mode="nearest")
    return out


def _frame_energy_db(x: np.ndarray, sr: int, n: int) -> np.ndarray:
    """Energy (dB) of 25 ms frames centred every 5 ms, n frames."""
    hop = sr * FRAME_MS / 1000
    w = int(0.025 * sr)
    padded = np.pad(np.asarray(x, np.float64), (w, w))
    c = np.cumsum(np.concatenate([[0.0], padded ** 2]))
    s = np.clip(np.round(np.arange(n) * hop).astype(int) - w // 2 + w, 0, len(padded) - w)
    return 10 * np.log10((c[s + w] - c[s]) / w + 1e-20)


@dataclass
class Analysis:
    sr: int
    x: np.ndarray
    f0: np.ndarray
    t: np.ndarray
    log_mean: float  # the median of log F0 (robust centre)
    log_std: float  # (P90 - P10) / 2.563 of log F0 (robust spread)
    rate: float
    phonation_s: float
    nuclei: int
    level_db: float

    @property
    def voiced(self) -> np.ndarray:
        return self.f0 > 0

    def summary(self) -> dict[str, float]:
        return {"f0_median_hz": round(float(np.exp(self.log_mean)), 2),
                "f0_spread_semitones": round(float(self.log_std * 12 / np.log(2)), 3),
                "articulation_rate_syl_per_s": round(self.rate, 3),
                "level_dbfs": round(self.level_db, 2)}


def analyze(x: np.ndarray, sr: int, label: str) -> Analysis:
    x = np.ascontiguousarray(x, dtype=np.float64)
    f0 = track_f0(x, sr)
    t = np.arange(len(f0)) * FRAME_MS / 1000
    v = f0 > 0
    if int(v.sum()) < MIN_VOICED_FRAMES:
        raise BadInput(f"{label} holds too little voiced speech ({v.sum() * FRAME_MS / 1000:.2f} s; at least "
                       f"{MIN_VOICED_FRAMES * FRAME_MS / 1000:.1f} s is needed to measure its pitch)",
                       "give a clip of someone speaking")
    p10, p50, p90 = np.percentile(np.log(f0[v]), [10, 50, 90])
    rate, seconds, nuclei = articulation_rate(x, sr)
    return Analysis(sr, x, f0, t, float(p50), float((p90 - p10) / SPREAD_DIVISOR), rate, seconds, nuclei,
                    active_level_db(x, sr))


def speech_stats(audio: Audio) -> dict[str, float]:
    """F0 mean (Hz), F0 spread (semitones), articulation rate (syllables/s) and active level (dBFS) of a
    speech clip, measured as transfer_prosody measures them (for tests and evals)."""
    return analyze(audio.mono().astype(np.float64), audio.sample_rate, "the clip").summary()


def _mean_envelope_db(x: np.ndarray, sr: int, f0: np.ndarray, t: np.ndarray, sp: np.ndarray | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(frequencies, mean log envelope in dB) over the loud voiced frames."""
    pw = load_pyworld()
    if sp is None:
        sp = pw.cheaptrick(x, f0, t, sr)
    v = f0 > 0
    frame_db = 10 * np.log10(np.sum(sp, axis=1) + 1e-20)
    keep = v & (frame_db > np.max(frame_db[v]) - 30)
    env = np.mean(10 * np.log10(sp[keep] + 1e-20), axis=0)
    freqs = np.linspace(0, sr / 2, sp.shape[1])
    return freqs, env


def formant_scale(src: tuple[np.ndarray, np.ndarray], ref: tuple[np.ndarray, np.ndarray]) -> float:
    """The warp a (new envelope(f) = source envelope(f / a)) that best matches the reference's average voiced
    envelope between 200 Hz and 5 kHz (mean-removed dB, on a log-frequency grid)."""
    top = min(5000.0, 0.9 * src[0][-1], 0.9 * ref[0][-1])
    grid = np.geomspace(200.0, top, 160)
    r = np.interp(grid, *ref)
    r -= r.mean()
    best, best_err = 1.0, np.inf
    for a in np.arange(WARP_SEARCH[0], WARP_SEARCH[1] + 1e-9, 0.0025):
        s = np.interp(grid / a, *src)
        s -= s.mean()
        err = float(np.mean((s - r) ** 2))
        if err < best_err:
            best, best_err = float(a), err
    return best


def _warp_envelope(sp: np.ndarray, a: float) -> np.ndarray:
    """Each frame's envelope moved up in frequency by a (a < 1: down)."""
    k = np.arange(sp.shape[1], dtype=np.float64)
    src = np.clip(k / a, 0, sp.shape[1] - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, sp.shape[1] - 1)
    w = src - lo
    return np.ascontiguousarray(sp[:, lo] * (1 - w) + sp[:, hi] * w)


def _retime(f0: np.ndarray, sp: np.ndarray, ap: np.ndarray, stretch: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WORLD frames re-timed: the clip lasts `stretch` times as long (linear interpolation between frames;
    log F0 inside voiced stretches, voicing from the nearest frame)."""
    n = len(f0)
    m = max(2, int(round(n * stretch)))
    pos = np.minimum(np.arange(m) * (n - 1) / max(m - 1, 1), n - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    w = (pos - lo)[:, None]
    sp2 = np.exp(np.log(sp[lo] + 1e-20) * (1 - w) + np.log(sp[hi] + 1e-20) * w)
    ap2 = ap[lo] * (1 - w) + ap[hi] * w
    nearest = np.where(w[:, 0] < 0.5, lo, hi)
    voiced = f0[nearest] > 0
    both = (f0[lo] > 0) & (f0[hi] > 0)
    lf = np.where(both, np.log(np.maximum(f0[lo], 1)) * (1 - w[:, 0]) + np.log(np.maximum(f0[hi], 1)) * w[:, 0],
                  np.log(np.maximum(f0[nearest], 1)))
    f02 = np.where(voiced, np.exp(lf), 0.0)
    return np.ascontiguousarray(f02), np.ascontiguousarray(sp2), np.ascontiguousarray(np.clip(ap2, 0, 1))


# ---------------------------------------------------------------------- the tool
_WORLD = WorldBackend()
_MASKGCT = AdapterSlot("maskgct", "AUDIOGENT_MASKGCT_DIR", "maskgct",
                       "MaskGCT checkpoints (semantic codec, acoustic codec, t2s and s2a models, w2v-bert-2.0)",
                       "world")


@tool("transfer_prosody", backends=[_WORLD, _MASKGCT])
def transfer_prosody(audio: Audio, reference: Audio, strength: float = 1, timbre: bool = False, *,
                     backend: Any = None) -> dict[str, Any]:
    if isinstance(backend, AdapterSlot):
        backend.check()  # always raises: says which weights it needs, or that its adapter is not written
    if reference is None:
        raise InvalidArguments("transfer_prosody needs a reference clip whose speaking style to follow",
                               "attach it with -i (for example -i reference.wav)")
    if not 0 <= float(strength) <= 1:
        raise InvalidArguments(f"strength {strength:g} is outside 0 to 1")
    for a, label in ((audio, "the speech to convert"), (reference, "the reference clip")):
        if a.duration > MAX_SECONDS:
            raise InvalidArguments(f"{label} lasts {a.duration:.0f} s; at most {MAX_SECONDS:.0f} s can be converted",
                                   "trim it first")
        if a.duration < 0.3:
            raise BadInput(f"{label} is only {a.duration * 1000:.0f} ms long; it needs at least 0.3 s of speech")
    s = float(strength)
    pw = load_pyworld()
    src = analyze(audio.mono().astype(np.float64), audio.sample_rate, "the speech to convert")
    ref = analyze(reference.mono().astype(np.float64), reference.sample_rate, "the reference clip")
    report: dict[str, Any] = {"source": src.summary(), "reference": ref.summary(), "strength": s, "timbre": bool(timbre)}
    if s == 0:
        report.update(pitch_shift_semitones=0.0, range_scale=1.0, stretch=1.0, gain_db=0.0, formant_warp=1.0)
        return {"audio": audio.with_samples(audio.mono().copy()), "report": report}

    sr = src.sr
    sp = pw.cheaptrick(src.x, src.f0, src.t, sr)
    ap = pw.d4c(src.x, src.f0, src.t, sr)

    # Pitch: the log-F0 distribution of the voiced frames moved towards the reference's.
    target_mean = src.log_mean + s * (ref.log_mean - src.log_mean)
    scale = float(np.clip(ref.log_std / src.log_std, *RANGE_SCALE_LIMIT)) ** s if src.log_std > 1e-6 else 1.0
    f0 = src.f0.copy()
    v = f0 > 0
    f0[v] = np.clip(np.exp(target_mean + (np.log(f0[v]) - src.log_mean) * scale), F0_FLOOR / 2, 1100.0)

    # Timbre: the envelope warped towards the reference's vocal-tract scale (opt-in, limited).
    warp_found = warp = 1.0
    if timbre:
        warp_found = formant_scale(_mean_envelope_db(src.x, sr, src.f0, src.t, sp),
                                   _mean_envelope_db(ref.x, ref.sr, ref.f0, ref.t))
        warp = float(np.clip(warp_found, *WARP_LIMIT)) ** s
        sp = _warp_envelope(sp, warp)

    # Rate: WORLD frames re-timed by the ratio of articulation rates.
    stretch = 1.0
    if src.rate > 0 and ref.rate > 0:
        stretch = float(np.clip((src.rate / ref.rate) ** s, 1 / MAX_STRETCH, MAX_STRETCH))
    if abs(stretch - 1.0) > 1e-3:
        f0, sp, ap = _retime(f0, sp, ap, stretch)

    y = pw.synthesize(np.ascontiguousarray(f0), np.ascontiguousarray(sp), np.ascontiguousarray(ap), sr, FRAME_MS)
    y = np.asarray(y, dtype=np.float64)

    # Level: the active RMS moved towards the reference's; peaks stay under the ceiling.
    target_db = src.level_db + s * (ref.level_db - src.level_db)
    gain_db = target_db - active_level_db(y, sr)
    y *= 10 ** (gain_db / 20)
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    limited_db = 0.0
    if peak > PEAK_CEILING:
        limited_db = 20 * np.log10(PEAK_CEILING / peak)
        y *= PEAK_CEILING / peak
    report.update(
        pitch_shift_semitones=round(float((target_mean - src.log_mean) * 12 / np.log(2)), 3),
        range_scale=round(float(scale), 4),
        stretch=round(stretch, 4),
        gain_db=round(float(gain_db + limited_db), 2),
        peak_limited_db=round(float(limited_db), 2),
        formant_warp=round(float(warp), 4),
        formant_warp_estimated=round(float(warp_found), 4) if timbre else None,
        duration_s={"source": round(audio.duration, 3), "output": round(len(y) / sr, 3)},
    )
    return {"audio": Audio(y.astype(np.float32), sr), "report": report}
