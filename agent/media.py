"""In-memory media types and their file I/O: the one place that decodes, encodes and adapts audio.

Tools take and return `Audio`; the executor turns artifacts into `Audio` (adapted to the sample rate
and channel count a tool declares) and `Audio` back into artifacts.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent.errors import BadInput

AUDIO_FORMATS = ("wav", "flac", "mp3", "ogg")
MAX_CHANNELS = 64


@dataclass
class Audio:
    """Float32 samples shaped (frames, channels) in [-1, 1], and their sample rate."""

    samples: np.ndarray
    sample_rate: int
    # Container to write when this becomes an artifact; the convert tool sets it.
    format: str = "wav"

    def __post_init__(self) -> None:
        s = np.asarray(self.samples, dtype=np.float32)
        if s.ndim == 1:
            s = s[:, None]
        if s.ndim != 2:
            raise ValueError(f"audio samples must be 1-D or 2-D, got shape {s.shape}")
        self.samples = s
        if self.sample_rate <= 0:
            raise ValueError(f"sample rate must be positive, got {self.sample_rate}")

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate

    def mono(self) -> np.ndarray:
        """1-D mono mixdown."""
        return self.samples.mean(axis=1) if self.channels > 1 else self.samples[:, 0]

    def with_samples(self, samples: np.ndarray, sample_rate: int | None = None) -> "Audio":
        return Audio(samples, sample_rate or self.sample_rate, self.format)


def adapt(audio: Audio, sample_rate: int | None = None, channels: int | None = None) -> Audio:
    """Resample and up/down-mix so a tool gets the format it declares."""
    out = audio
    if channels is not None and out.channels != channels:
        if channels == 1:
            out = out.with_samples(out.mono())
        elif out.channels == 1:
            out = out.with_samples(np.repeat(out.samples, channels, axis=1))
        else:
            # Keep the first `channels` of a multichannel mix after folding the rest in evenly.
            mono = out.mono()[:, None]
            out = out.with_samples(np.repeat(mono, channels, axis=1))
    if sample_rate is not None and out.sample_rate != sample_rate:
        out = resample(out, sample_rate)
    return out


def resample(audio: Audio, sample_rate: int) -> Audio:
    """Band-limited polyphase resampling (scipy), exact in length to within one sample."""
    from scipy.signal import resample_poly

    if audio.sample_rate == sample_rate:
        return audio
    g = math.gcd(audio.sample_rate, sample_rate)
    up, down = sample_rate // g, audio.sample_rate // g
    y = resample_poly(audio.samples, up, down, axis=0).astype(np.float32)
    return Audio(y, sample_rate, audio.format)


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(b >= 9 for b in head[:256])


def read_audio(path: str | os.PathLike[str], name: str | None = None) -> Audio:
    """Decode any audio file soundfile or PyAV can read. Raises BadInput with the reason."""
    p = Path(path)
    label = name or p.name
    if not p.is_file():
        raise BadInput(f"{label}: no such file")
    size = p.stat().st_size
    if size == 0:
        raise BadInput(f"{label} is empty (0 bytes)", "check the file was fully copied or recorded")
    with open(p, "rb") as f:
        head = f.read(512)
    if _looks_like_text(head):
        raise BadInput(
            f"{label} is a text file, not audio (it starts with {head[:24]!r})",
            "pass a wav, flac, mp3 or ogg recording",
        )
    try:
        import soundfile as sf

        data, sr = sf.read(str(p), dtype="float32", always_2d=True)
        audio = Audio(data, int(sr))
    except Exception as sf_error:  # soundfile cannot read every container; PyAV can read most
        audio = _read_with_av(p, label, sf_error)
    if audio.frames == 0:
        raise BadInput(f"{label} holds no audio samples", "record or export it again")
    if audio.channels > MAX_CHANNELS:
        raise BadInput(f"{label} has {audio.channels} channels; at most {MAX_CHANNELS} are supported")
    if not np.isfinite(audio.samples).all():
        raise BadInput(f"{label} contains NaN or infinite samples", "re-export it as PCM")
    return audio


def _read_with_av(p: Path, label: str, first_error: Exception) -> Audio:
    try:
        import av
    except ImportError:
        raise BadInput(f"{label} is not audio that soundfile can read ({first_error})") from first_error
    try:
        with av.open(str(p)) as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None:
                raise BadInput(f"{label} contains no audio stream")
            chunks = []
            sr = stream.rate
            for frame in container.decode(stream):
                arr = frame.to_ndarray()
                if arr.dtype.kind == "i":
                    arr = arr.astype(np.float32) / float(np.iinfo(arr.dtype).max)
                if frame.format.is_planar:
                    arr = arr.T
                else:
                    arr = arr.reshape(-1, len(frame.layout.channels))
                chunks.append(arr.astype(np.float32))
            if not chunks:
                raise BadInput(f"{label} contains an audio stream with no samples")
            return Audio(np.concatenate(chunks, axis=0), int(sr))
    except BadInput:
        raise
    except Exception as e:
        raise BadInput(
            f"{label} is corrupt or not an audio file ({type(e).__name__}: {e})",
            "pass a wav, flac, mp3 or ogg recording",
        ) from e


def write_audio(audio: Audio, path: str | os.PathLike[str], fmt: str | None = None) -> None:
    """Encode to wav (float32), flac (24-bit), mp3 or ogg (Vorbis) by soundfile (libsndfile)."""
    import soundfile as sf

    fmt = (fmt or audio.format).lower()
    if fmt not in AUDIO_FORMATS:
        raise BadInput(f"cannot write audio as {fmt!r}", f"choose one of {', '.join(AUDIO_FORMATS)}")
    data = audio.samples
    if fmt == "wav":
        sf.write(str(path), data, audio.sample_rate, format="WAV", subtype="FLOAT")
        return
    data = np.clip(data, -1.0, 1.0)
    if fmt == "flac":
        sf.write(str(path), data, audio.sample_rate, format="FLAC", subtype="PCM_24")
    elif fmt == "ogg":
        sf.write(str(path), data, audio.sample_rate, format="OGG", subtype="VORBIS")
    else:
        if audio.channels > 2:
            data = adapt(audio, channels=2).samples
        sr = audio.sample_rate
        if sr not in (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000):
            data = resample(Audio(data, sr), 44100).samples
            sr = 44100
        sf.write(str(path), data, sr, format="MP3", subtype="MPEG_LAYER_III")


def audio_metadata(audio: Audio) -> dict[str, float | int | str]:
    return {
        "sample_rate": audio.sample_rate,
        "channels": audio.channels,
        "duration": round(audio.duration, 6),
        "frames": audio.frames,
        "format": audio.format,
    }
