"""WebRTC transport (aiortc): the browser's microphone in, the avatar's audio and video out as one
media stream (so the browser lip-syncs them by RTCP), and a data channel for events.

The outgoing tracks have no clock of their own: they hand out whatever the session's pacer put in
their queues, so audio and video leave with the timestamps the pacer gave them."""

from __future__ import annotations

import asyncio
import fractions
import json
import logging
from collections.abc import Callable
from typing import Any

import av
import numpy as np
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription
from aiortc.jitterbuffer import JitterBuffer
from aiortc.mediastreams import MediaStreamError

from realtime.session import SPF
from realtime.vad import SAMPLE_RATE
from tools.thg.stream import AvatarFrame

log = logging.getLogger("audiogent.realtime")

AUDIO_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)
VIDEO_TIME_BASE = fractions.Fraction(1, 90000)
VIDEO_TICKS = 90000 // 25
AUDIO_PACKET = SPF // 2  # 20 ms: aiortc's Opus encoder stamps every packet of one frame alike
IDLE_INPUT_S = 10.0  # no microphone audio for this long: the browser is gone


class QueueTrack(MediaStreamTrack):
    def __init__(self, kind: str, maxsize: int) -> None:
        super().__init__()
        self.kind = kind
        self.queue: asyncio.Queue[av.AudioFrame | av.VideoFrame] = asyncio.Queue(maxsize)

    def put(self, frame: av.AudioFrame | av.VideoFrame) -> None:
        if self.queue.full():  # the encoder fell behind: drop the oldest (video repeats nothing)
            self.queue.get_nowait()
        self.queue.put_nowait(frame)

    async def recv(self) -> av.AudioFrame | av.VideoFrame:
        if self.readyState != "live":
            raise MediaStreamError
        return await self.queue.get()


class RtcSink:
    """The session's MediaSink for WebRTC."""

    def __init__(self) -> None:
        self.audio = QueueTrack("audio", maxsize=50)
        self.video = QueueTrack("video", maxsize=5)

    async def send(self, frame: AvatarFrame, index: int) -> None:
        pcm = np.clip(frame.audio.samples.reshape(-1) * 32767.0, -32768, 32767).astype(np.int16)
        for i in range(0, SPF, AUDIO_PACKET):
            af = av.AudioFrame.from_ndarray(pcm[None, i:i + AUDIO_PACKET], format="s16", layout="mono")
            af.sample_rate = SAMPLE_RATE
            af.pts = index * SPF + i
            af.time_base = AUDIO_TIME_BASE
            self.audio.put(af)
        vf = av.VideoFrame.from_ndarray(frame.video, format="bgr24")
        vf.pts = index * VIDEO_TICKS
        vf.time_base = VIDEO_TIME_BASE
        self.video.put(vf)

    def flush(self) -> None:
        """Drop audio not yet encoded (the client is told to mute what its jitter buffer holds)."""
        while not self.audio.queue.empty():
            self.audio.queue.get_nowait()

    def stop(self) -> None:
        self.audio.stop()
        self.video.stop()


def _short_jitter_buffer(receiver: Any) -> None:
    """aiortc hands incoming audio on only once 4 later packets (80 ms) have arrived, and the end of
    the user's turn waits on the last of them. One packet suffices on the loopbacks and LANs this
    serves; a packet later than that is dropped (20 ms of microphone audio, which the VAD tolerates).
    The buffer is private to aiortc: if a version renames it, the default stays and nothing breaks."""
    name = "_RTCRtpReceiver__jitter_buffer"
    if hasattr(receiver, name):
        setattr(receiver, name, JitterBuffer(capacity=16, prefetch=1))
    else:
        log.debug("aiortc has no %s here; keeping its default microphone buffering", name)


class RtcPeer:
    """One browser connection: the peer, its session and the pumps between them."""

    def __init__(self, make_session: Callable[[Callable[[dict[str, Any]], None], RtcSink], Any],
                 on_closed: Callable[[RtcPeer], None]) -> None:
        self.pc = RTCPeerConnection()
        self.sink = RtcSink()
        self.channel: Any = None
        self._early: list[str] = []
        self.session = make_session(self.send_event, self.sink)
        self._on_closed = on_closed
        self._tasks: list[asyncio.Task[Any]] = []
        self._closing = False

        @self.pc.on("datachannel")
        def on_datachannel(channel: Any) -> None:
            self.channel = channel
            for msg in self._early:
                channel.send(msg)
            self._early.clear()

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "audio":
                self._tasks.append(asyncio.ensure_future(self._pump_microphone(track)))

        @self.pc.on("connectionstatechange")
        async def on_state() -> None:
            if self.pc.connectionState in ("failed", "closed", "disconnected"):
                await self.close()

    def send_event(self, event: dict[str, Any]) -> None:
        msg = json.dumps(event, ensure_ascii=False)
        if self.channel is not None and self.channel.readyState == "open":
            self.channel.send(msg)
        elif len(self._early) < 200:
            self._early.append(msg)

    async def answer(self, sdp: str, kind: str) -> RTCSessionDescription:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
        for transceiver in self.pc.getTransceivers():
            if transceiver.kind == "audio":
                _short_jitter_buffer(transceiver.receiver)
        self.pc.addTrack(self.sink.audio)  # one stream id for both: the browser syncs them
        self.pc.addTrack(self.sink.video)
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        self.session.start()
        return self.pc.localDescription

    async def _pump_microphone(self, track: MediaStreamTrack) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        try:
            while True:
                frame = await asyncio.wait_for(track.recv(), IDLE_INPUT_S)
                for f in resampler.resample(frame):
                    self.session.push_audio(f.to_ndarray().reshape(-1).astype(np.float32) / 32768.0)
        except (TimeoutError, MediaStreamError):
            pass  # the browser went away or stopped sending: end this session only
        finally:
            await self.close()

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        await self.session.close()
        self.sink.stop()
        for t in self._tasks:
            if t is not asyncio.current_task():
                t.cancel()
        await self.pc.close()
        self._on_closed(self)
