"""The models a realtime process shares across sessions, loaded and warmed once at start-up so the
first turn is as fast as the hundredth: VAD (per-session state, shared ONNX session), Whisper,
the Piper voice, the chat LLM (same factory as agent mode) and the avatar."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agent.errors import BadInput
from agent.llm import LLMConfig, make_chat_model
from agent.media import Audio, adapt
from realtime.vad import SAMPLE_RATE, silero_session

log = logging.getLogger("audiogent.realtime")

ASR_BACKENDS = ("whisper-tiny.en", "whisper-base")


@dataclass
class ModelSettings:
    asr: str = "whisper-tiny.en"  # English and fastest; whisper-base understands ~100 languages
    language: str | None = "en"
    avatar: str | None = None  # an image, a video or a prepared avatar; None: the default portrait
    # One llama.cpp thread: the other core stays free for TTS of the first sentence while the LLM
    # writes the second.
    llm: LLMConfig = field(default_factory=lambda: LLMConfig(provider="embedded", n_threads=1))


class Transcriber:
    """Whisper on one utterance held in memory: greedy, no timestamps, no VAD (ours ran already).

    Whisper pads every input to 30 s; its encoder then costs the same for a 1 s question as for 30 s
    of speech (0.42 s with tiny.en on 2 cores). CTranslate2 accepts shorter inputs, so utterances
    are padded to 10 s (or their length plus 1 s): 0.12 s on average, and the same words as the full
    window on 12 test sentences. Shorter windows (3-6 s) made tiny.en loop ("Okay. Okay. Okay...")
    on 5-7 of them, so a looping result is still decoded again on the full window."""

    MARGIN_FRAMES = 100  # 1 s of silence after the speech (100 mel frames per second)
    MIN_FRAMES = 1000

    def __init__(self, backend_name: str, language: str | None) -> None:
        from tools import asr

        backends = {b.name: b for b in (asr._WHISPER_BASE, asr._WHISPER_TINY_EN)}
        if backend_name not in backends:
            raise BadInput(f"unknown speech recogniser {backend_name!r}", f"use one of {', '.join(ASR_BACKENDS)}")
        self.backend = backends[backend_name]
        self.language = self.backend.resolve_language(language)
        self._lock = threading.Lock()  # one decode at a time: two would only share the same 2 cores
        self._tokenizer: Any = None

    def load(self) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self.backend.ensure_loaded()
        fw = self.backend.model
        self._tokenizer = Tokenizer(fw.hf_tokenizer, fw.model.is_multilingual, task="transcribe",
                                    language=self.language or "en")

    def __call__(self, samples: np.ndarray) -> str:
        samples = np.asarray(samples, np.float32).reshape(-1)
        if samples.size < SAMPLE_RATE // 10:
            return ""
        with self._lock:
            if samples.size > 29 * SAMPLE_RATE:
                segments, _ = self.backend.model.transcribe(
                    samples, language=self.language, beam_size=1, vad_filter=False, without_timestamps=True,
                    condition_on_previous_text=False, temperature=0.0)
                return " ".join(s.text.strip() for s in segments).strip()
            text = self._decode(samples, short=True)
            return self._decode(samples, short=False) if _loops(text) else text

    def _decode(self, samples: np.ndarray, short: bool) -> str:
        import ctranslate2

        fw, tok = self.backend.model, self._tokenizer
        feats = fw.feature_extractor(samples)
        n = feats.shape[-1]
        frames = min(3000, max(self.MIN_FRAMES, -(-(n + self.MARGIN_FRAMES) // 100) * 100)) if short else 3000
        padded = np.zeros((1, feats.shape[0], frames), np.float32)
        padded[0, :, : min(n, frames)] = feats[:, :frames]
        prompt = list(tok.sot_sequence) + [tok.no_timestamps]
        seconds = samples.size / SAMPLE_RATE
        result = fw.model.generate(ctranslate2.StorageView.from_array(padded), [prompt], beam_size=1,
                                   max_length=min(448, 32 + int(seconds * 10)), suppress_blank=True)
        ids = [i for i in result[0].sequences_ids[0] if i < tok.eot]
        return tok.decode(ids).strip()


def _loops(text: str) -> bool:
    """Whisper's failure mode: the same few words over and over."""
    words = text.lower().split()
    for size in range(1, 6):
        for i in range(len(words) - 3 * size + 1):
            if words[i:i + size] == words[i + size:i + 2 * size] == words[i + 2 * size:i + 3 * size]:
                return True
    return False


class Voice:
    """Piper (English) at the session rate; the only voice fast enough to start within ~100 ms here."""

    def __init__(self, sample_rate: int) -> None:
        from tools.tts import PiperBackend

        self.backend = PiperBackend()
        self.sample_rate = sample_rate

    def load(self) -> None:
        self.backend.ensure_loaded()

    def __call__(self, text: str, noise: float | None = None) -> np.ndarray:
        """`noise` as in PiperBackend.synthesize: 0 gives the same samples every time (tests want that)."""
        audio: Audio = self.backend.synthesize(text, noise=noise)
        return adapt(audio, sample_rate=self.sample_rate, channels=1).samples[:, 0]


class RealtimeModels:
    def __init__(self, settings: ModelSettings | None = None) -> None:
        self.settings = settings or ModelSettings()
        self.transcriber = Transcriber(self.settings.asr, self.settings.language)
        self.voice = Voice(SAMPLE_RATE)
        self.chat: Any = make_chat_model(self.settings.llm)
        self.avatar: Any = None
        self.load_seconds: dict[str, float] = {}

    def load(self) -> RealtimeModels:
        """Load and warm everything; a missing model fails here, at start-up, with its install hint."""
        from tools.thg.prepare import prepare_image, prepare_video

        steps = {
            "vad": lambda: silero_session().run(None, {"input": np.zeros((1, 576), np.float32),
                                                       "h": np.zeros((1, 1, 128), np.float32),
                                                       "c": np.zeros((1, 1, 128), np.float32)}),
            "asr": lambda: (self.transcriber.load(), self.transcriber(np.zeros(SAMPLE_RATE, np.float32))),
            "tts": lambda: (self.voice.load(), self.voice("Hello.")),
            "avatar": lambda: setattr(self, "avatar", self._avatar(prepare_image, prepare_video)),
        }
        for name, step in steps.items():
            t0 = time.perf_counter()
            step()
            self.load_seconds[name] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        self.warm_llm()
        self.load_seconds["llm"] = round(time.perf_counter() - t0, 3)
        log.info("realtime models ready: %s", self.load_seconds)
        return self

    def warm_llm(self) -> None:
        """One short generation with the chat's own system prompt (llama.cpp keeps the evaluated prefix,
        so the first turn only pays for its new tokens); a remote endpoint that is down is reported,
        not fatal (the session tells the user when a turn needs it)."""
        from realtime.conversation import Conversation

        try:
            self.chat.invoke(Conversation().messages("Hi"), max_tokens=1)
        except Exception as e:  # noqa: BLE001 - any client error: the endpoint may come up later
            log.warning("the LLM did not answer at start-up (%s); turns will retry it", e)

    def _avatar(self, prepare_image: Any, prepare_video: Any) -> Any:
        path = self.settings.avatar
        if not path:
            return prepare_image()
        p = Path(path).expanduser()
        if not p.is_file():
            raise BadInput(f"no avatar file at {p}", "give an image or a short video of one face")
        return prepare_video(p) if p.suffix.lower() in (".mp4", ".mov", ".webm", ".mkv", ".avi") else prepare_image(p)
