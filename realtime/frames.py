"""The typed frames one turn's data travels in, stage to stage (pipecat's shape, smaller):

    TurnDetector --VADEvent--> ASR --Transcript--> LLM --TextDelta--> SentenceChunker
        --Sentence--> TTS --Speech--> AvatarStream --AvatarFrame--> pacer --> MediaSink

Every frame carries the user turn it answers. A stage hands a frame on only while that turn is the
session's live one (`RealtimeSession.live`), so after a barge-in whatever is still in flight for the
old turn is dropped at the first stage that sees it. Frames that the page shows also know their
event (`event()`), the JSON the client receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Frame:
    turn: int


@dataclass(frozen=True)
class Transcript(Frame):
    """What the user said: partials while they speak, the final one at the end of their turn."""

    text: str
    final: bool

    def event(self) -> dict[str, Any]:
        return {"type": "caption", "role": "user", "final": self.final, "text": self.text, "turn": self.turn}


@dataclass(frozen=True)
class TextDelta(Frame):
    """A piece of the reply as the LLM streams it."""

    text: str

    def event(self) -> dict[str, Any]:
        return {"type": "caption", "role": "assistant", "delta": self.text, "turn": self.turn}


@dataclass(frozen=True)
class Sentence(Frame):
    """A speakable chunk of the reply (the first clause, then whole sentences); `index` counts from 0."""

    text: str
    index: int


@dataclass(frozen=True)
class EndOfReply(Frame):
    """The LLM has written the whole reply."""


@dataclass(frozen=True, eq=False)
class Speech(Frame):
    """One sentence spoken: mono float32 at the session rate."""

    text: str
    samples: np.ndarray
