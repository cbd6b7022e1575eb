"""Real input files for eval requests: speech for `audio` (made once with the text_to_speech tool and
cached, then copied), a PNG for `image`, a MIDI file for `score`, a short MP4 for `video`, text and
JSON files; and the broken files of the robustness input faults."""

from __future__ import annotations

import hashlib
import os
import struct
import tempfile
import threading
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from agent.media import Audio, read_audio, write_audio
from agent.paths import cache_dir

SPEECH_EN = (
    ("Hello, this is a test recording for the audio agent. We are checking that every step works. "
     "The weather is calm today, and the meeting starts at ten."),
    "This is the second recording. It talks about music, rivers and a long walk in the park.",
    "Here is a third clip, a little shorter than the others, about coffee and trains.",
    "Fourth recording. The library opens at nine and closes late on Thursdays.",
    "And this is the fifth clip, with a few words about mountains, snow and a quiet village.",
)
SPEECH_ZH = (
    "你好，这是音频助手的测试录音。我们正在检查每一个步骤。",
    "这是第二段录音，讲的是音乐、河流和公园里的散步。",
    "这是第三段，比前两段短一点。",
    "第四段录音，图书馆早上九点开门。",
    "这是第五段，说的是高山、雪和安静的小村庄。",
)
MIN_SECONDS = 6.0

_lock = threading.Lock()
_memo: dict[tuple[str, str], Audio] = {}


def _speech_cache_dir() -> Path:
    d = cache_dir() / "evals" / "speech"
    d.mkdir(parents=True, exist_ok=True)
    return d


def speech(text: str, language: str = "en") -> Audio:
    """Speech for `text` from the registry's text_to_speech tool (Piper for en; FastSpeech 2 for zh where
    it is installed, since Whisper often hears espeak-ng's Mandarin as no speech at all; espeak-ng
    otherwise), synthesized once and cached on disk under the model cache."""
    key = (text, language)
    with _lock:
        if key in _memo:
            return _memo[key]
        from agent.registry import default_registry

        t = default_registry()["text_to_speech"]
        name = _backend_for(t, language)
        digest = hashlib.sha256(f"{language}\0{text}".encode()).hexdigest()[:16]
        path = _speech_cache_dir() / f"{language}-{name}-{digest}.wav"
        if path.is_file():
            audio = read_audio(path)
        else:
            backend = t.pick_backend(name).ensure_loaded()
            audio = t.impl.func(text=text, language=language, backend=backend)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".wav")
            os.close(fd)
            write_audio(audio, tmp)
            os.replace(tmp, path)
        _memo[key] = audio
        return audio


def _backend_for(tool: Any, language: str) -> str:
    if language == "en":
        return "piper-joe"
    if language == "zh":
        zh = next((b for b in tool.impl.backends if b.name == "fastspeech2-zh"), None)
        if zh is not None and zh.available()[0]:
            return zh.name
    return "espeak-ng"


def speech_file(dest: Path, index: int = 0, language: str = "en", min_seconds: float = MIN_SECONDS) -> Path:
    """Write speech clip number `index` (distinct texts per index) to dest as wav, repeated with 0.4 s
    gaps until it lasts at least min_seconds (so "cut the first 10 seconds" has 10 s to cut)."""
    texts = SPEECH_ZH if language == "zh" else SPEECH_EN
    a = speech(texts[index % len(texts)], "zh" if language == "zh" else "en")
    x = a.mono()
    gap = np.zeros(int(0.4 * a.sample_rate), dtype=np.float32)
    parts = [x]
    while sum(len(p) for p in parts) / a.sample_rate < min_seconds:
        parts += [gap, x]
    write_audio(Audio(np.concatenate(parts), a.sample_rate), dest)
    return dest


def png_file(dest: Path, size: int = 32) -> Path:
    """A valid RGB PNG (a gradient), written with zlib: no imaging library needed."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 8 % 256, y * 8 % 256, 128)) for x in range(size))
                    for y in range(size))

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    dest.write_bytes(png)
    return dest


def midi_file(dest: Path) -> Path:
    """A valid one-track MIDI file: C, E, G quarter notes."""
    events = b""
    for note in (60, 64, 67):
        events += b"\x00\x90" + bytes([note, 96]) + b"\x83\x60\x80" + bytes([note, 64])
    events += b"\x00\xff\x2f\x00"
    dest.write_bytes(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480) + b"MTrk" + struct.pack(">I", len(events)) + events)
    return dest


def video_file(dest: Path) -> Path:
    """A 1-second 64x64 MP4 (PyAV); a tiny stand-in file when PyAV cannot encode here."""
    try:
        import av

        with av.open(str(dest), mode="w") as c:
            st = c.add_stream("mpeg4", rate=10)
            st.width = st.height = 64
            st.pix_fmt = "yuv420p"
            for i in range(10):
                img = np.full((64, 64, 3), i * 20, dtype=np.uint8)
                for pkt in st.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                    c.mux(pkt)
            for pkt in st.encode():
                c.mux(pkt)
    except Exception:  # noqa: BLE001 - the planner only needs a file of the right kind
        dest.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    return dest


def make_inputs(kinds: list[str], folder: Path, language: str = "en", min_seconds: float = MIN_SECONDS,
                first_clip: int = 0) -> list[Path]:
    """One real file per kind, in order, in `folder`. Audio files are distinct speech clips, starting
    with clip number `first_clip` (robustness turns pass the turn number, so each turn's uploads
    differ from the earlier turns')."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    n_audio = first_clip
    for i, kind in enumerate(kinds, 1):
        if kind == "audio":
            n_audio += 1
            paths.append(speech_file(folder / f"recording-{i}.wav", n_audio - 1, language, min_seconds))
        elif kind == "image":
            paths.append(png_file(folder / f"picture-{i}.png"))
        elif kind == "score":
            paths.append(midi_file(folder / f"score-{i}.mid"))
        elif kind == "video":
            paths.append(video_file(folder / f"video-{i}.mp4"))
        elif kind == "text":
            p = folder / f"notes-{i}.txt"
            p.write_text("Welcome to audiogent. This is a short note to read aloud.\n", encoding="utf-8")
            paths.append(p)
        elif kind == "json":
            p = folder / f"data-{i}.json"
            p.write_text('{"title": "test", "items": [1, 2, 3]}\n', encoding="utf-8")
            paths.append(p)
        else:
            raise ValueError(f"unknown input kind {kind!r}")
    return paths


def broken_file(kind: str, dest_dir: Path, variant: int = 0) -> Path:
    """The attached 'audio' of an input fault: corrupt bytes, a text file or a PNG named .wav, or 0 bytes."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    p = dest_dir / "broken-recording.wav"
    if kind == "empty_input":
        p.write_bytes(b"")
    elif kind == "corrupt_input":
        rng = np.random.default_rng(7)
        p.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    elif kind == "wrong_format":
        if variant % 2:
            png_file(p)
        else:
            p.write_text("These are meeting notes, not a recording.\n" * 20, encoding="utf-8")
    else:
        raise ValueError(f"not an input fault: {kind}")
    return p
