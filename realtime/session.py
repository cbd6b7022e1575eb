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
from realtime.frames import EndOfReply, Sentence, Speech, TextDelta, Transcript
from realtime.models import RealtimeModels
from realtime.tools import ConversationTools, ToolJob
from realtime.vad import SAMPLE_RATE, TurnDetector, VADEvent, VADSettings
from tools.thg import FPS
from tools.thg.stream import AvatarFrame, AvatarStream, EndOfSegment

log = logging.getLogger("audiogent.realtime")

FRAME_SECONDS = 1.0 / FPS
SPF = SAMPLE_RATE // FPS  # audio samples per video frame (640 = 40 ms)
PARTIAL_EVERY_S = 0.7  # ASR partials while the user speaks (only when the recogniser is idle)
VOICED_RMS = 0.01  # a frame whose audio is above this is "voiced" (the benchmark's marker uses it)
LLM_DOWN_REPLY = "Sorry, I can't reach my language model right now."
JOB_ACK = "Sure, one moment."


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
                 vad: VADSettings | None = None, mark_voiced_frames: bool = False,
                 tools: ConversationTools | None = None) -> None:
        self.models = models
        self.tools = tools
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
                    self.emit(Transcript(self.turn + 1, text, final=False).event())
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
            self._prefill()
        log.debug("turn %d cancelled (%s) after %d of %d samples", reply.turn, why, reply.played, reply.queued)

    def _prefill(self) -> None:
        """The embedded LLM evaluates the history now, not when the next question comes (a server would
        bill this as a call, so only the embedded model gets it)."""
        if self.models.settings.llm.provider != "embedded" or self.closed:
            return
        messages = self.conversation.prefill_messages()

        async def run() -> None:
            try:
                await asyncio.to_thread(self.models.chat.invoke, messages, max_tokens=1)
            except Exception as e:  # noqa: BLE001 - an optimisation: the next turn evaluates the prompt itself
                log.debug("prefill failed: %r", e)

        self._spawn(run())

    # ------------------------------------------------------------------ one turn
    async def _respond(self, reply: Reply, audio: np.ndarray) -> None:
        turn, times = reply.turn, reply.times
        text = await asyncio.to_thread(self.models.transcriber, audio)
        times.asr_final = time.monotonic()
        if self.live != turn:
            return
        reply.user_text = text
        self._emit_for(reply, Transcript(turn, text, final=True).event())
        if not _has_words(text):
            await reply.committed.wait()
            if self.live == turn:
                self.reply, self.live = None, None
            return
        job = await asyncio.to_thread(self.tools.job_for, text) if self.tools is not None else None
        if self.live != turn:
            return
        if job is not None:
            await self._run_job(reply, job)
            return
        reply.stream = ReplyStream(self.models.chat, self.models.settings.llm, self.conversation.messages(text))
        sentences: asyncio.Queue[Sentence | Speech | EndOfReply] = asyncio.Queue()
        speaker = self._spawn(self._speak(reply, sentences))
        chunker = SentenceChunker()
        written, count = "", 0

        def queue(texts: list[str]) -> None:
            nonlocal count
            for text in texts:
                times.llm_first_sentence = times.llm_first_sentence or time.monotonic()
                sentences.put_nowait(Sentence(turn, text, count))
                count += 1

        try:
            async for delta in reply.stream.deltas():
                if self.live != turn:
                    return
                times.llm_first_token = times.llm_first_token or time.monotonic()
                written += delta
                self._emit_for(reply, TextDelta(turn, delta).event())
                queue(chunker.push(delta))
            queue(chunker.flush())
        except AudiogentError as e:
            self._emit_for(reply, {"type": "error", "error": e.message, "hint": e.hint, "turn": turn})
            if self.live == turn and not written:
                queue([LLM_DOWN_REPLY])
        finally:
            sentences.put_nowait(EndOfReply(turn))
        await speaker

    async def _run_job(self, reply: Reply, job: ToolJob) -> None:
        """An audio job asked for in words: say so at once, run it through the agent (only once the turn
        is committed: a job writes files), then say how it went and play what it made."""
        assert self.tools is not None
        turn = reply.turn
        items: asyncio.Queue[Sentence | Speech | EndOfReply] = asyncio.Queue()
        speaker = self._spawn(self._speak(reply, items))

        def say(text: str, index: int) -> None:
            self._emit_for(reply, TextDelta(turn, text + " ").event())
            items.put_nowait(Sentence(turn, text, index))

        say(JOB_ACK, 0)
        try:
            await reply.committed.wait()
            if self.live != turn:
                return
            self.emit({"type": "tool_start", "turn": turn, "tools": [s.tool for s in job.plan.steps]})
            outcome = await asyncio.to_thread(self.tools.run, job)
            # the files are the user's even when they talked over the avatar meanwhile
            self.emit({"type": "tool_result", "turn": turn, "ok": outcome.ok, "answer": outcome.answer,
                       "files": outcome.files})
            if self.live == turn:
                say(outcome.said, 1)
                if outcome.audio is not None:
                    items.put_nowait(Speech(turn, "(the result)", outcome.audio))
        finally:
            items.put_nowait(EndOfReply(turn))
        await speaker

    async def _speak(self, reply: Reply, sentences: asyncio.Queue[Sentence | Speech | EndOfReply]) -> None:
        while not isinstance(sentence := await sentences.get(), EndOfReply):
            if self.live != sentence.turn:
                return
            if isinstance(sentence, Speech):  # audio made elsewhere (a tool's result): played as it is
                await reply.committed.wait()
                if not self._play(reply, sentence):
                    return
                continue
            # The first clause is what the user waits for: the LLM pauses while it is synthesised, so
            # TTS gets the CPU; later sentences are synthesised while earlier ones play, beside the LLM.
            hold = sentence.index == 0 and reply.stream is not None
            if hold:
                reply.stream.hold()
            try:
                speech = Speech(sentence.turn, sentence.text, await asyncio.to_thread(self.models.voice, sentence.text))
            finally:
                if hold:
                    reply.stream.release()
            reply.times.tts_first_audio = reply.times.tts_first_audio or time.monotonic()
            await reply.committed.wait()  # a speculative reply is prepared, not played
            if not self._play(reply, speech):
                return  # barge-in while synthesising: the clip is dropped here
        if self.live == reply.turn:
            self.stream.push_audio(EndOfSegment())
            reply.text_done = True

    def _play(self, reply: Reply, speech: Speech) -> bool:
        """Queue one sentence for the pacer, if its turn is still the live one."""
        if self.live != speech.turn:
            return False
        self.stream.push_audio(speech.samples)
        reply.segments.append((speech.text, int(speech.samples.size)))
        reply.queued += int(speech.samples.size)
        return True

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
            self._prefill()
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
