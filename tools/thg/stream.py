"""The streaming core, shaped like livekit-agents' video generator: push speech audio in as it arrives,
take out video frames, each paired with the 40 ms of audio it covers and one timestamp.

    stream = AvatarStream(avatar, sample_rate=16000)
    stream.push_audio(chunk)            # Audio (any rate/channels: adapted) or a float32 mono array
    stream.push_audio(EndOfSegment())   # the utterance is over: its last partial frame is padded out
    for video, audio, ts in stream:     # every frame ready now (sync); `async for` waits for more
        ...
    stream.clear_buffer()               # interruption: queued audio (and its frames) is dropped

The offline mp4 path (tools/talking_head.py) pushes the whole recording plus EndOfSegment and drains
the same stream, so files and realtime sessions render from one parameter stream.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from agent.media import Audio, adapt
from tools.thg import FPS
from tools.thg.motion import MotionTracker
from tools.thg.render import Pose

if TYPE_CHECKING:
    from tools.thg.prepare import Avatar


@dataclass(frozen=True)
class EndOfSegment:
    """The end of one utterance (livekit's AudioSegmentEnd)."""


@dataclass
class AvatarFrame:
    """One video frame and the audio it covers; unpacks as (video, audio, timestamp)."""

    video: np.ndarray  # BGR uint8, H x W x 3
    audio: Audio  # exactly one frame's worth (40 ms at 25 fps), mono
    timestamp: float  # seconds since the stream began: index / fps
    index: int
    pose: Pose
    speaking: bool = True  # False for idle frames (silent audio)
    segment_end: bool = False  # the last frame of an utterance

    def __iter__(self) -> Iterator[object]:
        return iter((self.video, self.audio, self.timestamp))


class AvatarStream:
    def __init__(self, avatar: Avatar, sample_rate: int = 16000, fps: int = FPS, seed: int = 0,
                 idle_fill: bool = False) -> None:
        self.avatar = avatar
        self.sample_rate = int(sample_rate)
        self.fps = fps
        self.spf = self.sample_rate // fps
        if self.spf * fps != self.sample_rate:
            raise ValueError(f"sample rate {sample_rate} is not a multiple of {fps} fps")
        self.renderer = avatar.renderer()
        self.motion = MotionTracker(self.sample_rate, fps, seed, idle=True, head_motion=avatar.kind == "image")
        self.idle_fill = idle_fill  # async iteration yields silent idle frames while nothing is queued
        self._lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._queued = 0  # samples queued
        self._ends: list[int] = []  # queued sample counts at which an utterance ends
        self._index = 0
        self._closed = False

    # ------------------------------------------------------------------ input
    def push_audio(self, chunk: Audio | EndOfSegment | np.ndarray) -> None:
        if isinstance(chunk, EndOfSegment):
            with self._lock:
                if self._queued and (not self._ends or self._ends[-1] != self._queued):
                    self._ends.append(self._queued)
            return
        if isinstance(chunk, Audio):
            x = adapt(chunk, sample_rate=self.sample_rate, channels=1).samples[:, 0]
        else:
            x = np.asarray(chunk, np.float32).reshape(-1)
        if x.size:
            with self._lock:
                self._chunks.append(np.ascontiguousarray(x, dtype=np.float32))
                self._queued += int(x.size)

    def clear_buffer(self) -> None:
        """Interruption: drop everything queued; the mouth eases shut over the next frames."""
        with self._lock:
            self._chunks.clear()
            self._queued = 0
            self._ends.clear()
        self.motion.reset()

    def close(self) -> None:
        """End `async for` once the queue is drained."""
        self._closed = True

    @property
    def queued_frames(self) -> int:
        with self._lock:
            whole = self._queued // self.spf
            return whole + (1 if self._ends and self._ends[0] % self.spf and self._queued % self.spf else 0)

    # ------------------------------------------------------------------ output
    def _take(self) -> tuple[np.ndarray, bool] | None:
        """The next frame's samples (padded at an utterance's end) and whether it ends one."""
        with self._lock:
            end = self._ends[0] if self._ends else None
            n = self.spf if end is None or end >= self.spf else end
            if self._queued < n or n == 0:
                return None
            parts, need = [], n
            while need:
                c = self._chunks[0]
                if c.size <= need:
                    parts.append(self._chunks.pop(0))
                    need -= c.size
                else:
                    parts.append(c[:need])
                    self._chunks[0] = c[need:]
                    need = 0
            self._queued -= n
            self._ends = [e - n for e in self._ends if e - n > 0]
            ends_here = end is not None and end <= self.spf
        x = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if n < self.spf:
            x = np.concatenate([x, np.zeros(self.spf - n, np.float32)])
        return x, ends_here

    def _frame(self, x: np.ndarray, speaking: bool, segment_end: bool) -> AvatarFrame:
        pose = self.motion.step(x)
        video = self.renderer.render(pose, self._index)
        frame = AvatarFrame(video, Audio(x.copy(), self.sample_rate), self._index / self.fps, self._index, pose,
                            speaking, segment_end)
        self._index += 1
        return frame

    def next_frame(self) -> AvatarFrame | None:
        """The next frame if its audio is queued, else None."""
        got = self._take()
        return None if got is None else self._frame(got[0], True, got[1])

    def idle_frame(self) -> AvatarFrame:
        """A frame with 40 ms of silence: the avatar keeps blinking and breathing between utterances."""
        return self._frame(np.zeros(self.spf, np.float32), False, False)

    def frames(self) -> Iterator[AvatarFrame]:
        """Every frame that can be made from the queued audio now."""
        while (f := self.next_frame()) is not None:
            yield f

    def __iter__(self) -> Iterator[AvatarFrame]:
        return self.frames()

    def __aiter__(self) -> AsyncIterator[AvatarFrame]:
        return self._aiter()

    async def _aiter(self) -> AsyncIterator[AvatarFrame]:
        period = 1.0 / self.fps
        t0 = time.monotonic()
        while True:
            f = self.next_frame()
            if f is not None:
                yield f
                await asyncio.sleep(0)
                continue
            if self._closed:
                return
            if self.idle_fill and time.monotonic() - t0 >= self._index * period:
                yield self.idle_frame()
                continue
            await asyncio.sleep(period / 4)


def frames_for(avatar: Avatar, audio: Audio, seed: int = 0) -> Iterator[AvatarFrame]:
    """All frames of one recording: the offline path through the streaming core."""
    stream = AvatarStream(avatar, sample_rate=audio.sample_rate, seed=seed)
    stream.push_audio(audio)
    stream.push_audio(EndOfSegment())
    return stream.frames()
