"""Speech enhancement: steady-noise reduction (noisereduce spectral gating) and mains-hum removal
(scipy notch filters at 50 or 60 Hz and their harmonics).

noisereduce and scipy are imported inside the functions so that importing this module stays cheap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agent.errors import InvalidArguments
from agent.media import Audio
from tools.base import PackageBackend, tool

_NOISEREDUCE = PackageBackend("noisereduce", ["noisereduce", "scipy"], pip="noisereduce scipy")
_SCIPY = PackageBackend("scipy", ["scipy"])

# Hum: notch the fundamental and its harmonics up to this index (below Nyquist).
HUM_HARMONICS = 8
# -3 dB width of the notch at the fundamental, in Hz; the k-th harmonic's notch is sqrt(k) times as
# wide (a drift of the mains frequency moves the k-th harmonic k times as far). Measured at 16 kHz:
# mains 0.2 Hz off nominal is still cut by 28 dB at the fundamental and 17-23 dB at harmonics 2-4,
# while Piper speech (a low male voice) loses 0.7 dB. Constant-Q notches 3 Hz wide at the fundamental
# (24 Hz at the 8th harmonic) took away three times as much of the voice.
HUM_NOTCH_WIDTH_HZ = 2.0


# Gate settings, tuned on Piper speech in white noise at 5 dB SNR (16 kHz). With noisereduce's
# defaults (noise statistics over the whole clip, mask smoothed over 500 Hz and 50 ms) the SNR rose
# by only 1 dB and the speech lost 6 dB: speech inflates whole-clip statistics (and a tone that
# pauses was gated away entirely), and smoothing over 500 Hz blurs the mask between voice harmonics.
# Taking the noise profile from the quietest fifth of the clip, with light time-only smoothing, gave
# +9 dB SNR, -16 dB of noise in the pauses and -0.6 dB on the speech.
GATE_THRESHOLD_STD = 1.5
MASK_SMOOTH_MS = 32
NOISE_PROFILE_FRACTION = 0.2  # the share of the clip (its quietest blocks) that profiles the noise
NOISE_PROFILE_MAX_S = 60.0


def _noise_profile(x: np.ndarray, n_fft: int, sample_rate: int) -> np.ndarray | None:
    """The quietest blocks (2 STFT windows long) of `x`, joined: a noise sample for the gate."""
    block = 2 * n_fft
    nb = x.shape[0] // block
    if nb < 2:
        return None
    blocks = x[: nb * block].reshape(nb, block)
    energy = np.mean(np.square(blocks, dtype=np.float64), axis=1)
    # Digital silence (a zeroed lead-in, dither) is not the noise to remove: skip blocks more than
    # 50 dB below the median block.
    usable = np.flatnonzero(energy > np.median(energy) * 1e-5)
    if usable.size == 0:
        return None
    k = int(np.ceil(NOISE_PROFILE_FRACTION * usable.size))
    k = max(1, min(k, int(NOISE_PROFILE_MAX_S * sample_rate) // block))
    quietest = np.sort(usable[np.argsort(energy[usable], kind="stable")[:k]])
    return blocks[quietest].reshape(-1)


def _stft_size(sample_rate: int) -> int:
    """noisereduce's default n_fft (1024, 23 ms at 44.1 kHz), as the power of two nearest 23 ms at
    other rates (512 = 32 ms at 16 kHz)."""
    n = 1 << int(round(np.log2(max(sample_rate, 8000) * 0.0232)))
    return int(min(max(n, 256), 4096))


@tool("denoise", backends=[_NOISEREDUCE])
def denoise(audio: Audio, strength: float = 0.9, *, backend: Any = None, ctx: Any = None) -> Audio:
    """Stationary spectral gating per channel (suits hiss, fans and room tone): the noise profile comes
    from the quietest fifth of the channel, and `strength` of the gated noise is removed."""
    if not 0.0 <= float(strength) <= 1.0:
        raise InvalidArguments(f"denoise: strength must be between 0 and 1, got {strength}")
    if audio.frames == 0 or strength == 0:
        return audio.with_samples(audio.samples.copy())
    import noisereduce as nr

    n_fft = _stft_size(audio.sample_rate)
    out = np.empty_like(audio.samples)
    for c in range(audio.channels):
        x = audio.samples[:, c]
        # noisereduce needs at least a few STFT frames; pad very short clips with silence.
        pad = max(0, 4 * n_fft - x.shape[0])
        xp = np.pad(x, (0, pad)) if pad else x
        y = nr.reduce_noise(
            y=xp,
            y_noise=_noise_profile(xp, n_fft, audio.sample_rate),
            sr=audio.sample_rate,
            stationary=True,
            prop_decrease=float(strength),
            n_fft=n_fft,
            n_std_thresh_stationary=GATE_THRESHOLD_STD,
            freq_mask_smooth_hz=None,
            time_mask_smooth_ms=MASK_SMOOTH_MS,
            n_jobs=1,
        )
        out[:, c] = np.asarray(y, dtype=np.float32)[: x.shape[0]]
        if ctx is not None:
            ctx.progress((c + 1) / audio.channels, f"denoised channel {c + 1} of {audio.channels}")
    return audio.with_samples(out)


def _harmonics(f0: float, sample_rate: int) -> list[float]:
    nyquist = sample_rate / 2
    return [k * f0 for k in range(1, HUM_HARMONICS + 1) if k * f0 < 0.95 * nyquist]


def hum_score(x: np.ndarray, sample_rate: int, f0: float) -> float:
    """How much narrowband energy sits at f0 and its harmonics: the summed power within ±1 Hz of
    each harmonic, over the local spectral floor (the median power 3-12 Hz to either side)."""
    from scipy.signal import welch

    nperseg = int(min(x.shape[0], 4 * sample_rate))  # 0.25 Hz bins for clips of 4 s and longer
    if nperseg < 16:
        return 0.0
    freqs, p = welch(x, fs=sample_rate, nperseg=nperseg)
    df = freqs[1] - freqs[0]
    score = 0.0
    for f in _harmonics(f0, sample_rate):
        peak = p[np.abs(freqs - f) <= max(1.0, df)].sum()
        off = np.abs(freqs - f)
        floor_bins = p[(off >= max(3.0, 2 * df)) & (off <= max(12.0, 6 * df))]
        floor = float(np.median(floor_bins)) if floor_bins.size else 0.0
        n_peak_bins = max(1, int(np.sum(np.abs(freqs - f) <= max(1.0, df))))
        score += peak / (floor * n_peak_bins + 1e-20)
    return float(score)


def detect_mains(audio: Audio) -> int:
    """50 or 60: whichever hum series carries more narrowband energy (50 if neither does)."""
    x = audio.mono().astype(np.float64)
    return 60 if hum_score(x, audio.sample_rate, 60.0) > hum_score(x, audio.sample_rate, 50.0) else 50


@tool("remove_hum", backends=[_SCIPY])
def remove_hum(audio: Audio, frequency: str = "auto", *, backend: Any = None, ctx: Any = None) -> Audio:
    """Zero-phase notch filters (forward-backward, so each notch cuts twice) at the mains frequency
    and its harmonics up to the 8th."""
    from scipy.signal import iirnotch, sosfiltfilt, tf2sos

    freq = str(frequency).strip().lower()
    if freq.endswith("hz"):
        freq = freq[:-2].strip()
    if freq not in ("auto", "50", "60"):
        raise InvalidArguments(f"remove_hum: frequency must be auto, 50 or 60, got {frequency!r}")
    if audio.frames == 0:
        return audio.with_samples(audio.samples.copy())
    f0 = detect_mains(audio) if freq == "auto" else int(freq)
    sections = []
    for k, f in enumerate(_harmonics(float(f0), audio.sample_rate), start=1):
        b, a = iirnotch(f, Q=f / (HUM_NOTCH_WIDTH_HZ * np.sqrt(k)), fs=audio.sample_rate)
        sections.append(tf2sos(b, a))
    if not sections:  # sample rate too low for even the fundamental (cannot happen above 120 Hz)
        return audio.with_samples(audio.samples.copy())
    sos = np.vstack(sections)
    x = audio.samples.astype(np.float64)
    padlen = min(3 * (2 * len(sos) + 1), x.shape[0] - 1)
    if padlen < 1:
        return audio.with_samples(audio.samples.copy())
    # A longer pad lets the narrow notches settle before the clip starts: pad with up to 0.5 s.
    padlen = max(padlen, min(audio.sample_rate // 2, x.shape[0] - 1))
    y = sosfiltfilt(sos, x, axis=0, padlen=padlen)
    return audio.with_samples(y.astype(np.float32))
