"""The typed frames that flow through a realtime session. Every frame carries the turn it belongs to;
a stage drops any frame whose turn is older than the session's current one, so an interruption
needs no queue surgery: bumping the turn id is enough (pipecat's interruption frames, simplified)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np


@dataclass(frozen=True)
class Frame:
    turn: int


@dataclass(frozen=True)
class UserSpeech(Frame):
    """VAD: the user started (`start`) or finished (`end`) speaking; `at` is the monotonic clock."""

    state: Literal["start", "end"]
    at: float


@dataclass(frozen=True)
class Transcript(Frame):
    text: str
    final: bool
    at: float


@dataclass(frozen=True)
class TextDelta(Frame):
    """A piece of the LLM's reply as it streams."""

    text: str


@dataclass(frozen=True)
class Sentence(Frame):
    """A speakable chunk of the reply (the first clause is sent alone for a fast first response)."""

    text: str
    index: int


@dataclass(frozen=True)
class SpeechAudio(Frame):
    """TTS output for one sentence, mono float32 at the session's sample rate."""

    samples: np.ndarray = field(repr=False)
    sentence: Sentence


@dataclass(frozen=True)
class Interrupt(Frame):
    """System frame: the user cut in; everything of turns < `turn` is dropped."""

    reason: str = "barge-in"
