"""Voice activity: Silero VAD v6 (the ONNX file faster-whisper ships), run one 32 ms window at a
time with its recurrent state carried across windows, and a small state machine on top that turns
probabilities into speech start, barge-in and end-of-turn decisions."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from agent.errors import BackendUnavailable

SAMPLE_RATE = 16000
WINDOW = 512  # samples per Silero window at 16 kHz (32 ms)
CONTEXT = 64  # samples of the previous window the model sees


@lru_cache(maxsize=1)
def silero_session() -> Any:
    """One ONNX session per process; `run` is thread-safe, the recurrent state lives in SileroVAD."""
    try:
        import onnxruntime
        from faster_whisper.vad import get_assets_path
    except ImportError as e:
        raise BackendUnavailable("the voice activity detector needs faster-whisper and onnxruntime",
                                 "pip install faster-whisper onnxruntime") from e
    path = os.path.join(get_assets_path(), "silero_vad_v6.onnx")
    if not os.path.isfile(path):
        raise BackendUnavailable(f"faster-whisper has no Silero VAD model at {path}",
                                 "reinstall it: pip install --force-reinstall faster-whisper")
    opts = onnxruntime.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 4
    return onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"], sess_options=opts)


class SileroVAD:
    """Speech probability per 512-sample window of 16 kHz mono float32."""

    def __init__(self) -> None:
        self.session = silero_session()
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)

    def __call__(self, window: np.ndarray) -> float:
        window = np.asarray(window, np.float32).reshape(-1)
        if window.size != WINDOW:
            raise ValueError(f"Silero VAD takes windows of {WINDOW} samples, not {window.size}")
        x = np.concatenate([self._context, window])[None, :]
        out, self._h, self._c = self.session.run(None, {"input": x, "h": self._h, "c": self._c})
        self._context = window[-CONTEXT:].copy()
        return float(np.asarray(out).reshape(-1)[0])


@dataclass(frozen=True)
class VADSettings:
    threshold: float = 0.5  # speech when p >= threshold ...
    release: float = 0.35  # ... and still speech until p < release (hysteresis)
    start_ms: int = 96  # this much speech before "the user is speaking"
    end_ms: int = 400  # this much silence ends the turn
    eager_ms: int = 192  # after this much silence the reply is prepared speculatively (see session)
    barge_in_ms: int = 250  # this much speech while the avatar talks interrupts it
    pre_roll_ms: int = 256  # audio kept from before the start, so the first syllable reaches ASR


@dataclass(frozen=True)
class VADEvent:
    kind: Literal["start", "barge_in", "pause", "resume", "end"]
    sample: int  # index (in samples since the session began) where the event's condition began
    audio: np.ndarray | None = None  # the utterance, with "end"
    long: bool = False  # with "end": the utterance lasted at least barge_in_ms of speech


class TurnDetector:
    """Feed 16 kHz audio in any chunk size; get events:
    start (speech began), barge_in (once per utterance, after `barge_in_ms` of speech: the caller
    knows whether the avatar is talking), pause (`eager_ms` of silence: the turn will probably end,
    with the utterance so far), resume (speech again after a pause), end (`end_ms` of silence)."""

    def __init__(self, settings: VADSettings | None = None, vad: SileroVAD | None = None) -> None:
        self.s = settings or VADSettings()
        self.vad = vad or SileroVAD()
        self._pending = np.zeros(0, np.float32)
        self._pre: list[np.ndarray] = []
        self._utt: list[np.ndarray] = []
        self.samples = 0  # samples consumed
        self.speaking = False
        self._speech_run = 0  # windows of speech in a row (before start) / since start
        self._silence_run = 0
        self._start_sample = 0
        self._barged = False
        self._paused = False
        self.last_prob = 0.0

    def _windows(self, ms: int) -> int:
        return max(1, round(ms * SAMPLE_RATE / 1000 / WINDOW))

    @property
    def utterance_seconds(self) -> float:
        return sum(x.size for x in self._utt) / SAMPLE_RATE

    def utterance(self) -> np.ndarray:
        return np.concatenate(self._utt) if self._utt else np.zeros(0, np.float32)

    def push(self, samples: np.ndarray) -> list[VADEvent]:
        x = np.concatenate([self._pending, np.asarray(samples, np.float32).reshape(-1)])
        n = x.size // WINDOW * WINDOW
        self._pending = x[n:]
        events: list[VADEvent] = []
        for i in range(0, n, WINDOW):
            if (ev := self._step(x[i:i + WINDOW])) is not None:
                events.append(ev)
        return events

    def _step(self, w: np.ndarray) -> VADEvent | None:
        p = self.vad(w)
        self.last_prob = p
        at = self.samples
        self.samples += WINDOW
        if not self.speaking:
            self._pre.append(w)
            if len(self._pre) > self._windows(self.s.pre_roll_ms) + self._windows(self.s.start_ms):
                self._pre.pop(0)
            self._speech_run = self._speech_run + 1 if p >= self.s.threshold else 0
            if self._speech_run >= self._windows(self.s.start_ms):
                self.speaking, self._silence_run, self._barged = True, 0, False
                self._start_sample = at - (self._speech_run - 1) * WINDOW
                self._utt = list(self._pre)
                self._pre = []
                return VADEvent("start", self._start_sample)
            return None
        self._utt.append(w)
        if p < self.s.release:
            self._silence_run += 1
        else:
            self._silence_run = 0
            self._speech_run += 1
            if self._paused:
                self._paused = False
                return VADEvent("resume", at)
        if not self._paused and self._silence_run == self._windows(self.s.eager_ms) < self._windows(self.s.end_ms):
            self._paused = True
            return VADEvent("pause", at + WINDOW - self._silence_run * WINDOW, self._trimmed(), long=self._barged)
        if not self._barged and self._speech_run >= self._windows(self.s.barge_in_ms):
            self._barged = True
            return VADEvent("barge_in", self._start_sample)
        if self._silence_run >= self._windows(self.s.end_ms):
            self.speaking, self._speech_run, self._paused = False, 0, False
            end_sample = at + WINDOW - self._silence_run * WINDOW
            audio = self._trimmed()
            self._utt = []
            return VADEvent("end", end_sample, audio, long=self._barged)
        return None

    def _trimmed(self) -> np.ndarray:
        """The utterance with ~150 ms of its trailing silence (Whisper clips a final consonant without)."""
        keep = len(self._utt) - self._silence_run + self._windows(150)
        return np.concatenate(self._utt[:keep])
