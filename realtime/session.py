"""One conversation with the avatar: the pipeline from microphone samples to paced avatar frames.

    push_audio() -> TurnDetector (VAD) -> Transcriber -> ReplyStream (LLM) -> SentenceChunker
                 -> Voice (TTS) -> AvatarStream (talking head) -> pacer -> MediaSink

The pacer is the only clock: every 40 ms it takes one talking-head frame together with the 40 ms
of audio that frame covers (an idle frame and silence when nothing is queued) and hands both to
the sink under one timestamp, so audio and video cannot drift apart.

Turns: every user utterance gets a turn id; `self.live` names the one turn whose reply may still
reach the user. An interruption sets it to None and empties the talking-head queue; every stage
checks `live` before handing work on, so a stale LLM delta, TTS clip or frame is dropped wherever
it is. Events (captions, state, metrics) go to `emit` as plain JSON-able dicts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from agent.errors import AudiogentError
from realtime.chunker import SentenceChunker
from realtime.conversation import Conversation, ReplyStream
from realtime.models import RealtimeModels
from realtime.vad import SAMPLE_RATE, TurnDetector, VADEvent, VADSettings
from tools.thg import FPS
from tools.thg.stream import AvatarFrame, AvatarStream, EndOfSegment

log = logging.getLogger("audiogent.realtime")

FRAME_SECONDS = 1.0 / FPS
SPF = SAMPLE_RATE // FPS  # audio samples per video frame (640 = 40 ms)
PARTIAL_EVERY_S = 0.7  # ASR partials while the user speaks (only when the recogniser is idle)
VOICED_RMS = 0.01  # a frame whose audio is above this is "voiced" (the benchmark's marker uses it)
LLM_DOWN_REPLY = "Sorry, I can't reach my language model right now."


class MediaSink(Protocol):
    async def send(self, frame: AvatarFrame, index: int) -> None: ...

    def flush(self) -> None: ...


@dataclass
class TurnTimes:
    """Monotonic seconds of each stage of one turn; `speech_end` is when the user stopped talking."""

    turn: int
    speech_end: float
    vad_end: float = 0.0
    asr_final: float = 0.0
    llm_first_token: float = 0.0
    llm_first_sentence: float = 0.0
    tts_first_audio: float = 0.0
    first_frame: float = 0.0  # the pacer sent the reply's first frame (audio + video)
    text: str = ""

    def report(self) -> dict[str, Any]:
        stages = {k: round((getattr(self, k) - self.speech_end) * 1000, 1)
                  for k in ("vad_end", "asr_final", "llm_first_token", "llm_first_sentence", "tts_first_audio",
                            "first_frame") if getattr(self, k)}
        return {"type": "turn_metrics", "turn": self.turn, "ms_since_speech_end": stages}


@dataclass
class Reply:
    """The reply being spoken: what was queued for playback and how much of it was played."""

    turn: int
    times: TurnTimes
    user_text: str = ""
    speech_ms: int = 0
    committed: asyncio.Event = field(default_factory=asyncio.Event)
    held_events: list[dict[str, Any]] = field(default_factory=list)
    stream: ReplyStream | None = None
    segments: list[tuple[str, int]] = field(default_factory=list)  # (sentence, samples) in play order
    queued: int = 0
    played: int = 0
    text_done: bool = False
    started: bool = False

    def heard(self) -> str:
        """The sentences played, the one cut off included up to the word reached."""
        out, pos = [], 0
        for text, n in self.segments:
            if self.played >= pos + n:
                out.append(text)
            elif self.played > pos:
                words = text.split()
                out.append(" ".join(words[: max(1, int(len(words) * (self.played - pos) / n))]))
                break
            pos += n
        return " ".join(out)


class RealtimeSession:
    def __init__(self, models: RealtimeModels, emit: Callable[[dict[str, Any]], None], sink: MediaSink,
                 vad: VADSettings | None = None, mark_voiced_frames: bool = False) -> None:
        self.models = models
        self.emit = emit
        self.sink = sink
        self.detector = TurnDetector(vad)
        self.stream = AvatarStream(models.avatar, sample_rate=SAMPLE_RATE)
        self.conversation = Conversation()
        self.mark_voiced_frames = mark_voiced_frames
        self.turn = 0  # the newest user turn
        self.live: int | None = None  # the turn whose reply may still reach the user
        self.reply: Reply | None = None
        self._audio_in: asyncio.Queue[np.ndarray | None] = asyncio.Queue()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._turn_tasks: dict[int, asyncio.Task[Any]] = {}
        self._partial_busy = False
        self._last_partial = 0.0
        self._in_samples = 0
        self._in_clock = time.monotonic()
        self.closed = False
        self.frames_sent = 0
        self.late_frames = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        for coro in (self._listen(), self._pace()):
            self._spawn(coro)
        self.emit({"type": "ready", "fps": FPS, "sample_rate": SAMPLE_RATE,
                   "avatar": {"size": list(self.models.avatar.size)}})

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._cancel_reply("closed")
        self._audio_in.put_nowait(None)
        tasks = list(self._tasks) + list(self._turn_tasks.values())
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _spawn(self, coro: Any, turn: int | None = None) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro)
        if turn is None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            self._turn_tasks[turn] = task
            task.add_done_callback(lambda _t, k=turn: self._turn_tasks.pop(k, None))
        task.add_done_callback(self._log_failure)
        return task

    def _log_failure(self, task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and (e := task.exception()) is not None:
            log.error("realtime task failed: %r", e, exc_info=e)
            self.emit({"type": "error", "error": f"internal error: {e}"})

    # ------------------------------------------------------------------ input
    def push_audio(self, samples: np.ndarray) -> None:
        """16 kHz mono float32 from the transport, any chunk size."""
        if not self.closed:
            self._audio_in.put_nowait(samples)

    def _time_of(self, sample: int) -> float:
        """When sample number `sample` of the input reached us (monotonic seconds)."""
        return self._in_clock - (self._in_samples - sample) / SAMPLE_RATE

    async def _listen(self) -> None:
        while (chunk := await self._audio_in.get()) is not None:
            self._in_samples += chunk.size
            self._in_clock = time.monotonic()
            for ev in self.detector.push(chunk):
                if ev.kind == "start":
                    self.emit({"type": "vad", "state": "start", "turn": self.turn + 1})
                    self._last_partial = time.monotonic()
                elif ev.kind == "barge_in" and self.reply is not None and not self._is_pending(self.reply):
                    self.interrupt()
                elif ev.kind == "pause":
                    self._on_pause(ev)
                elif ev.kind == "resume" and self.reply is not None and self._is_pending(self.reply):
                    self._cancel_reply("the user went on speaking")
                elif ev.kind == "end":
                    self._on_end(ev)
            if self.detector.speaking:
                self._maybe_partial()

    def _is_pending(self, reply: Reply) -> bool:
        return not reply.committed.is_set()

    def _on_pause(self, ev: VADEvent) -> None:
        """A short silence: the turn will probably end. Start its reply now (ASR, LLM, TTS) but hold
        it back until `end` commits it; `resume` throws it away. This hides most of the end-of-turn
        wait (`eager_ms` to `end_ms`) behind work that had to happen anyway."""
        if self.reply is not None and not ev.long:
            return  # a short sound while the avatar talks is not a turn
        self._start_turn(ev, committed=False)

    def _on_end(self, ev: VADEvent) -> None:
        reply = self.reply
        if reply is not None and self._is_pending(reply):
            self._commit(reply)
            return
        if reply is not None and not ev.long:
            self.emit({"type": "vad", "state": "end", "turn": self.turn, "ignored": True})
            return
        self._commit(self._start_turn(ev, committed=False))

    def _start_turn(self, ev: VADEvent, committed: bool) -> Reply:
        self._cancel_reply("new turn")
        self.turn += 1
        reply = self.reply = Reply(self.turn, TurnTimes(self.turn, self._time_of(ev.sample)))
        reply.speech_ms = round((ev.audio.size if ev.audio is not None else 0) / SAMPLE_RATE * 1000)
        self.live = reply.turn
        audio = ev.audio if ev.audio is not None else np.zeros(0, np.float32)
        self._spawn(self._respond(reply, audio), turn=reply.turn)
        return reply

    def _commit(self, reply: Reply) -> None:
        reply.times.vad_end = time.monotonic()
        self.emit({"type": "vad", "state": "end", "turn": reply.turn, "speech_ms": reply.speech_ms})
        reply.committed.set()
        for event in reply.held_events:
            self.emit(event)
        reply.held_events.clear()

    def _emit_for(self, reply: Reply, event: dict[str, Any]) -> None:
        """Events of a reply that is still speculative wait for its commit."""
        if reply.committed.is_set():
            self.emit(event)
        else:
            reply.held_events.append(event)

    def _maybe_partial(self) -> None:
        now = time.monotonic()
        if self._partial_busy or now - self._last_partial < PARTIAL_EVERY_S:
            return
        self._partial_busy, self._last_partial = True, now
        audio = self.detector.utterance()

        async def run() -> None:
            try:
                text = await asyncio.to_thread(self.models.transcriber, audio)
                if text and self.detector.speaking:
                    self.emit({"type": "caption", "role": "user", "final": False, "text": text,
                               "turn": self.turn + 1})
            finally:
                self._partial_busy = False

        self._spawn(run())

    # ------------------------------------------------------------------ interruption
    def interrupt(self) -> None:
        """Barge-in: stop the reply now, everywhere, and remember only what was heard."""
        reply = self.reply
        if reply is None:
            return
        self._cancel_reply("barge-in")
        self.emit({"type": "interrupt", "turn": reply.turn, "heard": reply.heard()})

    def _cancel_reply(self, why: str) -> None:
        reply, self.reply, self.live = self.reply, None, None
        if reply is None:
            return
        if reply.segments:  # audio of this reply is queued or playing: drop it here and at the client
            self.stream.clear_buffer()
            self.sink.flush()
        if reply.stream is not None:
            reply.stream.cancel()
        if reply.committed.is_set() and reply.user_text and (reply.started or reply.segments):
            self.conversation.record(reply.user_text, reply.heard(), interrupted=True)
        log.debug("turn %d cancelled (%s) after %d of %d samples", reply.turn, why, reply.played, reply.queued)

    # ------------------------------------------------------------------ one turn
    async def _respond(self, reply: Reply, audio: np.ndarray) -> None:
        turn, times = reply.turn, reply.times
        text = await asyncio.to_thread(self.models.transcriber, audio)
        times.asr_final = time.monotonic()
        if self.live != turn:
            return
        reply.user_text = text
        self._emit_for(reply, {"type": "caption", "role": "user", "final": True, "text": text, "turn": turn})
        if not _has_words(text):
            await reply.committed.wait()
            if self.live == turn:
                self.reply, self.live = None, None
            return
        reply.stream = ReplyStream(self.models.chat, self.models.settings.llm, self.conversation.messages(text))
        sentences: asyncio.Queue[str | None] = asyncio.Queue()
        speaker = self._spawn(self._speak(reply, sentences))
        chunker = SentenceChunker()
        written = ""
        try:
            async for delta in reply.stream.deltas():
                if self.live != turn:
                    return
                times.llm_first_token = times.llm_first_token or time.monotonic()
                written += delta
                self._emit_for(reply, {"type": "caption", "role": "assistant", "delta": delta, "turn": turn})
                for s in chunker.push(delta):
                    times.llm_first_sentence = times.llm_first_sentence or time.monotonic()
                    sentences.put_nowait(s)
            for s in chunker.flush():
                times.llm_first_sentence = times.llm_first_sentence or time.monotonic()
                sentences.put_nowait(s)
        except AudiogentError as e:
            self._emit_for(reply, {"type": "error", "error": e.message, "hint": e.hint, "turn": turn})
            if self.live == turn and not written:
                sentences.put_nowait(LLM_DOWN_REPLY)
        finally:
            sentences.put_nowait(None)
        await speaker

    async def _speak(self, reply: Reply, sentences: asyncio.Queue[str | None]) -> None:
        while (text := await sentences.get()) is not None:
            if self.live != reply.turn:
                return
            samples = await asyncio.to_thread(self.models.voice, text)
            reply.times.tts_first_audio = reply.times.tts_first_audio or time.monotonic()
            await reply.committed.wait()  # a speculative reply is prepared, not played
            if self.live != reply.turn:
                return  # barge-in while synthesising: the clip is dropped here
            self.stream.push_audio(samples)
            reply.segments.append((text, int(samples.size)))
            reply.queued += int(samples.size)
        if self.live == reply.turn:
            self.stream.push_audio(EndOfSegment())
            reply.text_done = True

    # ------------------------------------------------------------------ output clock
    async def _pace(self) -> None:
        t0 = time.monotonic()
        k = 0
        while not self.closed:
            frame = self.stream.next_frame() or self.stream.idle_frame()
            self._account(frame)
            if self.mark_voiced_frames:
                _mark(frame)
            await self.sink.send(frame, k)
            self.frames_sent = k = k + 1
            delay = t0 + k * FRAME_SECONDS - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.2:
                # the loop stalled (a long GC, a suspended laptop): restart the clock rather than
                # bursting frames; the transport's timestamps stay continuous
                self.late_frames += 1
                t0 = time.monotonic() - k * FRAME_SECONDS

    def _account(self, frame: AvatarFrame) -> None:
        reply = self.reply
        if reply is None or not frame.speaking or self.live != reply.turn:
            return
        if not reply.started:
            reply.started = True
            reply.times.first_frame = time.monotonic()
            self.emit({"type": "reply_start", "turn": reply.turn})
            self.emit(reply.times.report())
        reply.played += SPF
        if reply.text_done and reply.played >= reply.queued:
            self.conversation.record(reply.user_text, reply.heard(), interrupted=False)
            self.emit({"type": "reply_end", "turn": reply.turn})
            self.reply, self.live = None, None


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _mark(frame: AvatarFrame) -> None:
    """Measurement aid (benchmark and tests only): a white 16x16 block in the top-left corner of
    every frame whose audio is voiced, so the client can time video against audio it hears."""
    rms = float(np.sqrt(np.mean(frame.audio.samples.astype(np.float64) ** 2)))
    frame.video = frame.video.copy()
    frame.video[:16, :16] = 255 if rms >= VOICED_RMS else 0
