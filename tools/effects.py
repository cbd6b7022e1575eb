"""Audio effects: gain, pitch_shift, reverb, filter and equalize (specs in model_registry.yaml)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from agent.errors import InvalidArguments
from agent.media import Audio
from tools.base import PackageBackend, tool

# Freeverb settings per room (room_size, damping) and how much tail to let ring out after the clip.
# Larger rooms: a longer decay and less high-frequency damping.
ROOMS: dict[str, tuple[float, float, float]] = {
    "small": (0.30, 0.60, 1.0),
    "medium": (0.55, 0.45, 2.0),
    "hall": (0.80, 0.35, 4.0),
    "cathedral": (0.95, 0.25, 8.0),
}
# The tail is cut where it has decayed this far below the clip's peak.
_TAIL_FLOOR_DB = -70.0


def _pedalboard() -> PackageBackend:
    return PackageBackend("pedalboard", ["pedalboard"])


def _run_plugins(audio: Audio, plugins: Sequence[Any], tail_s: float = 0.0) -> np.ndarray:
    """Run pedalboard plugins over (frames, channels) samples; pedalboard wants (channels, frames).
    `tail_s` of silence is appended first so effects that ring on (reverb) are not cut off."""
    from pedalboard import Pedalboard

    x = audio.samples
    if tail_s > 0:
        x = np.concatenate([x, np.zeros((int(tail_s * audio.sample_rate), audio.channels), np.float32)])
    board = Pedalboard(list(plugins))
    if audio.channels <= 2:
        y = board(np.ascontiguousarray(x.T), float(audio.sample_rate), reset=True)
    else:  # some plugins (Reverb) take mono or stereo only: run each channel on its own
        y = np.stack([board(np.ascontiguousarray(x[:, c]), float(audio.sample_rate), reset=True).reshape(-1)
                      for c in range(audio.channels)])
    return np.ascontiguousarray(np.asarray(y, dtype=np.float32).reshape(audio.channels, -1).T)


def _check_stretchable(audio: Audio) -> None:
    # Rubber Band needs some signal; pedalboard also misreads the channel layout of a few-frame clip.
    if audio.frames < 64:
        raise InvalidArguments(f"the clip is only {audio.frames} samples long, too short to process")


@tool("gain", backends=[PackageBackend("numpy", ["numpy"])])
def gain(audio: Audio, db: float) -> Audio:
    """Scale by `db` decibels. Boosts are not limited: a clip can go past full scale (wav keeps it
    as float; other formats clip), so use loudness_normalize to reach a level safely."""
    return audio.with_samples(audio.samples * np.float32(10 ** (db / 20)))


@tool("pitch_shift", backends=[_pedalboard()])
def pitch_shift(audio: Audio, semitones: float) -> Audio:
    """Shift the pitch keeping the duration (Rubber Band through pedalboard)."""
    if not -24 <= semitones <= 24:
        raise InvalidArguments(f"semitones {semitones:g} is outside -24 to 24")
    if semitones == 0:
        return audio.with_samples(audio.samples.copy())
    _check_stretchable(audio)
    from pedalboard import time_stretch

    # The offline time_stretch call (stretch 1, shift n) gives Rubber Band's whole-file mode:
    # no latency to trim and better transients than the streaming PitchShift plugin.
    y = time_stretch(np.ascontiguousarray(audio.samples.T), float(audio.sample_rate),
                     stretch_factor=1.0, pitch_shift_in_semitones=float(semitones))
    y = np.ascontiguousarray(y.T)[: audio.frames]
    if len(y) < audio.frames:
        y = np.concatenate([y, np.zeros((audio.frames - len(y), audio.channels), np.float32)])
    return audio.with_samples(y)


@tool("reverb", backends=[_pedalboard()])
def reverb(audio: Audio, room: str = "medium", wet: float = 0.33) -> Audio:
    """Freeverb room reverb. The clip gets longer by the reverb tail (cut once it has died away)."""
    if room not in ROOMS:
        raise InvalidArguments(f"unknown room {room!r}", f"choose one of {', '.join(ROOMS)}")
    if not 0 <= wet <= 1:
        raise InvalidArguments(f"wet {wet:g} is outside 0 to 1")
    from pedalboard import Reverb

    size, damping, tail = ROOMS[room]
    # JUCE's reverb doubles the dry signal (dry_level 0.5 = unity); its wet_level 1 is about as loud as the input.
    y = _run_plugins(audio, [Reverb(room_size=size, damping=damping, wet_level=wet, dry_level=(1 - wet) / 2)], tail)
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak > 0:
        loud = np.nonzero(np.max(np.abs(y[audio.frames :]), axis=1) > peak * 10 ** (_TAIL_FLOOR_DB / 20))[0]
        y = y[: audio.frames + (int(loud[-1]) + 1 if len(loud) else 0)].copy()
        n = min(len(y) - audio.frames, int(0.02 * audio.sample_rate))
        if n > 0:  # the cut is far down already; a 20 ms ramp makes sure it cannot click
            y[len(y) - n :] *= np.linspace(1.0, 0.0, n, dtype=np.float32)[:, None]
    return audio.with_samples(y)


@tool("filter", backends=[PackageBackend("scipy", ["scipy"])])
def filter(audio: Audio, kind: str, cutoff_hz: float) -> Audio:  # noqa: A001 - the registry's name
    """4th-order Butterworth low/high-pass (24 dB/octave), run forwards only like an analogue filter.

    pedalboard's LowpassFilter/HighpassFilter are first order (6 dB/octave): too gentle to
    "remove everything above 3 kHz", hence scipy here."""
    from scipy.signal import butter, sosfilt

    if kind not in ("lowpass", "highpass"):
        raise InvalidArguments(f"filter kind must be lowpass or highpass, not {kind!r}")
    if cutoff_hz <= 0:
        raise InvalidArguments(f"cutoff {cutoff_hz:g} Hz must be positive")
    nyquist = audio.sample_rate / 2
    if cutoff_hz >= 0.95 * nyquist:
        if kind == "lowpass":  # nothing to remove: the clip holds no frequencies that high
            return audio.with_samples(audio.samples.copy())
        raise InvalidArguments(
            f"a high-pass at {cutoff_hz:g} Hz would remove everything: the clip's sample rate "
            f"({audio.sample_rate} Hz) holds frequencies up to {nyquist:g} Hz only",
            "use a lower cutoff",
        )
    sos = butter(4, cutoff_hz, btype=kind, fs=audio.sample_rate, output="sos")
    return audio.with_samples(sosfilt(sos, audio.samples, axis=0).astype(np.float32))


# Band centres of the three-band EQ, as the registry describes them.
BASS_HZ, MID_HZ, TREBLE_HZ = 200.0, 1000.0, 4000.0


@tool("equalize", backends=[_pedalboard()])
def equalize(audio: Audio, bass_db: float = 0, mid_db: float = 0, treble_db: float = 0) -> Audio:
    """Low shelf at 200 Hz, peak at 1 kHz, high shelf at 4 kHz (second-order, Q 0.707)."""
    import pedalboard as pb

    for name, v in (("bass_db", bass_db), ("mid_db", mid_db), ("treble_db", treble_db)):
        if not -24 <= v <= 24:
            raise InvalidArguments(f"{name} {v:g} is outside -24 to 24 dB")
    # A band must sit below Nyquist; at low sample rates (8 kHz) the treble shelf moves down.
    top = 0.45 * audio.sample_rate
    bands: list[tuple[Callable[..., Any], float, float]] = [
        (pb.LowShelfFilter, BASS_HZ, bass_db),
        (pb.PeakFilter, MID_HZ, mid_db),
        (pb.HighShelfFilter, TREBLE_HZ, treble_db),
    ]
    plugins = [cls(cutoff_frequency_hz=min(f, top), gain_db=float(g), q=0.707) for cls, f, g in bands if g != 0]
    if not plugins:
        return audio.with_samples(audio.samples.copy())
    return audio.with_samples(_run_plugins(audio, plugins))
