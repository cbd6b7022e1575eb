"""Audio editing tools: trim, concatenate, mix, fade and change_tempo (specs in model_registry.yaml)."""

from __future__ import annotations

import logging

import numpy as np

from agent.errors import InvalidArguments
from agent.media import Audio, adapt
from tools.base import PackageBackend, tool

log = logging.getLogger(__name__)

# Short ramps either side of a splice so joining two cut points does not click; they keep the length.
_SPLICE_RAMP_S = 0.003


def _secs(x: float) -> str:
    """A duration as a person would write it: 12 s, 2.5 s."""
    return f"{x:g} s"


def _frames(seconds: float, sr: int) -> int:
    return int(round(seconds * sr))


@tool("trim", backends=[PackageBackend("numpy", ["numpy"])])
def trim(audio: Audio, start: float = 0, end: float | None = None, mode: str = "keep") -> Audio:
    """Keep [start, end) or remove it and join what is left. A negative `end` counts back from the
    clip's end; an `end` past the clip's end means the end (the range is what exists of it)."""
    dur = audio.duration
    if mode not in ("keep", "remove"):
        raise InvalidArguments(f"trim mode must be keep or remove, not {mode!r}")
    if start < 0:
        raise InvalidArguments(f"start {_secs(start)} is negative", "start counts from 0 s")
    if start >= dur:
        raise InvalidArguments(
            f"start {_secs(start)} is past the end of the {dur:.1f} s clip", "choose a start inside the clip"
        )
    stop = dur if end is None else (dur + end if end < 0 else min(end, dur))
    if end is not None and end < 0 and stop <= 0:
        raise InvalidArguments(f"end {_secs(end)} counts back past the start of the {dur:.1f} s clip")
    if stop <= start:
        raise InvalidArguments(
            f"the range {_secs(start)} to {_secs(stop)} is empty (the clip is {dur:.1f} s long)",
            "end must come after start",
        )
    a, b = _frames(start, audio.sample_rate), min(_frames(stop, audio.sample_rate), audio.frames)
    x = audio.samples
    if mode == "keep":
        return audio.with_samples(x[a:b].copy())
    head, tail = x[:a].copy(), x[b:].copy()
    if len(head) + len(tail) == 0:
        raise InvalidArguments(f"removing {_secs(start)} to {_secs(stop)} would leave nothing of the {dur:.1f} s clip")
    if len(head) and len(tail):
        n = max(1, _frames(_SPLICE_RAMP_S, audio.sample_rate))
        nh, nt = min(n, len(head)), min(n, len(tail))
        head[-nh:] *= np.linspace(1.0, 0.0, nh, dtype=np.float32)[:, None]
        tail[:nt] *= np.linspace(0.0, 1.0, nt, dtype=np.float32)[:, None]
    return audio.with_samples(np.concatenate([head, tail], axis=0))


@tool("concatenate", backends=[PackageBackend("numpy", ["numpy"])])
def concatenate(clips: list[Audio], gap: float = 0, crossfade: float = 0) -> Audio:
    """Join clips in order, in the first clip's sample rate and channel count."""
    if not clips:
        raise InvalidArguments("concatenate needs at least two clips, got none")
    if gap < 0 or crossfade < 0:
        raise InvalidArguments("gap and crossfade must not be negative")
    if gap > 0 and crossfade > 0:
        raise InvalidArguments(
            f"gap {_secs(gap)} and crossfade {_secs(crossfade)} contradict each other",
            "use a gap (silence between clips) or a crossfade (overlap), not both",
        )
    first = clips[0]
    sr, ch = first.sample_rate, first.channels
    parts = [adapt(c, sample_rate=sr, channels=ch).samples for c in clips]
    if crossfade == 0:
        silence = np.zeros((_frames(gap, sr), ch), dtype=np.float32)
        pieces: list[np.ndarray] = []
        for i, p in enumerate(parts):
            if i and len(silence):
                pieces.append(silence)
            pieces.append(p)
        return Audio(np.concatenate(pieces, axis=0), sr, first.format)

    n = _frames(crossfade, sr)
    shortest = min(len(p) for p in parts)
    if n > shortest:
        raise InvalidArguments(
            f"crossfade {_secs(crossfade)} is longer than the shortest clip ({shortest / sr:.2f} s)",
            "use a shorter crossfade",
        )
    # Equal-power curves (cos/sin) keep the loudness steady through the overlap of uncorrelated material.
    t = (np.arange(n, dtype=np.float32) + 0.5) / n
    fade_out, fade_in = np.cos(t * np.pi / 2)[:, None], np.sin(t * np.pi / 2)[:, None]
    out = parts[0].copy()
    for p in parts[1:]:
        overlap = out[len(out) - n :] * fade_out + p[:n] * fade_in
        out = np.concatenate([out[: len(out) - n], overlap, p[n:]], axis=0)
    return Audio(out, sr, first.format)


@tool("mix", backends=[PackageBackend("numpy", ["numpy"])])
def mix(audio: Audio, other: Audio, other_gain_db: float = 0, offset: float = 0, extend: bool = False) -> Audio:
    """Add `other` (at `other_gain_db`, starting at `offset`) to `audio`, in `audio`'s format.

    The sum is not normalized: two loud clips can exceed full scale. That is deliberate (a silent
    level change would surprise); lower `other_gain_db` or run loudness_normalize afterwards."""
    if offset < 0:
        raise InvalidArguments(f"offset {_secs(offset)} is negative")
    sr, ch = audio.sample_rate, audio.channels
    o = adapt(other, sample_rate=sr, channels=ch).samples * np.float32(10 ** (other_gain_db / 20))
    start = _frames(offset, sr)
    if start >= audio.frames and not extend:
        raise InvalidArguments(
            f"offset {_secs(offset)} is past the end of the {audio.duration:.1f} s main clip, so nothing would be heard",
            "use a smaller offset, or extend: true to lengthen the result",
        )
    length = max(audio.frames, start + len(o)) if extend else audio.frames
    out = np.zeros((length, ch), dtype=np.float32)
    out[: audio.frames] = audio.samples
    seg = o[: max(0, length - start)]
    out[start : start + len(seg)] += seg
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if peak > 1.0:
        log.warning("mix: the result peaks at %.1f dBFS and will clip if saved to a fixed-point format",
                    20 * np.log10(peak))
    return Audio(out, sr, audio.format)


@tool("fade", backends=[PackageBackend("numpy", ["numpy"])])
def fade(audio: Audio, fade_in: float = 0, fade_out: float = 0) -> Audio:
    """Fade in from silence and/or out to silence; the first/last sample of a fade is exactly 0."""
    dur = audio.duration
    for name, v in (("fade_in", fade_in), ("fade_out", fade_out)):
        if v < 0:
            raise InvalidArguments(f"{name} {_secs(v)} is negative")
        if v > dur + 1e-9:
            raise InvalidArguments(f"{name} {_secs(v)} is longer than the {dur:.2f} s clip", "use a shorter fade")
    x = audio.samples.copy()
    # A quadratic gain curve sounds even to the ear (a linear one seems to drop suddenly at its end).
    n_in, n_out = min(_frames(fade_in, audio.sample_rate), len(x)), min(_frames(fade_out, audio.sample_rate), len(x))
    if n_in > 1:
        x[:n_in] *= (np.linspace(0.0, 1.0, n_in, dtype=np.float32) ** 2)[:, None]
    elif n_in == 1:
        x[0] = 0.0
    if n_out > 1:
        x[len(x) - n_out :] *= (np.linspace(1.0, 0.0, n_out, dtype=np.float32) ** 2)[:, None]
    elif n_out == 1:
        x[-1] = 0.0
    return audio.with_samples(x)


@tool("change_tempo", backends=[PackageBackend("pedalboard", ["pedalboard"])])
def change_tempo(audio: Audio, rate: float) -> Audio:
    """Speed up (rate > 1) or slow down (rate < 1) keeping the pitch, by Rubber Band via pedalboard."""
    if not 0.25 <= rate <= 4:
        raise InvalidArguments(f"rate {rate:g} is outside 0.25 to 4")
    if rate == 1:
        return audio.with_samples(audio.samples.copy())
    if audio.frames < 64:  # too little for Rubber Band; pedalboard also misreads a few-frame clip's layout
        raise InvalidArguments(f"the clip is only {audio.frames} samples long, too short to stretch")
    from pedalboard import time_stretch

    # pedalboard wants (channels, frames); its stretch_factor is a speed factor (2.0 = half as long).
    y = time_stretch(np.ascontiguousarray(audio.samples.T), float(audio.sample_rate), stretch_factor=float(rate))
    return audio.with_samples(np.ascontiguousarray(y.T))
