"""WebSocket fallback for networks where WebRTC's UDP cannot pass. The browser sends its microphone
as 16 kHz 16-bit mono PCM (binary messages) and gets JSON events as text messages and one binary
message per video frame: b"F", the frame index (uint32, little-endian), the 640 audio samples it
covers (int16), then the picture as JPEG. The client plays audio on its own clock and shows each
picture when its audio plays, so the pairing made by the pacer holds at the client too."""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any

import cv2
import numpy as np
from starlette.websockets import WebSocket, WebSocketDisconnect

from tools.thg.stream import AvatarFrame

JPEG_QUALITY = 80
MAX_MESSAGE_BYTES = 64 * 1024  # a microphone message is ~640 bytes; anything this big is not audio


class WsSink:
    """One writer task sends everything, in order: frames from the pacer and events from the session."""

    MAX_QUEUED = 100  # 4 s of frames: a client that far behind loses its oldest frames

    def __init__(self, ws: WebSocket) -> None:
        self.ws = ws
        self.closed = False
        self.out: asyncio.Queue[bytes | str | None] = asyncio.Queue()
        self.dropped = 0

    async def send(self, frame: AvatarFrame, index: int) -> None:
        if self.closed:
            return
        ok, jpeg = cv2.imencode(".jpg", frame.video, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            return  # the picture could not be encoded: the page keeps showing the previous one
        pcm = np.clip(frame.audio.samples.reshape(-1) * 32767.0, -32768, 32767).astype("<i2")
        header = b"F" + struct.pack("<IH", index, pcm.size)
        while self.out.qsize() >= self.MAX_QUEUED:
            self.out.get_nowait()
            self.dropped += 1
        self.out.put_nowait(header + pcm.tobytes() + jpeg.tobytes())

    def event(self, event: dict[str, Any]) -> None:
        if not self.closed:
            self.out.put_nowait(json.dumps(event, ensure_ascii=False))

    def flush(self) -> None:
        """Frames not yet sent are dropped; the client drops what it queued on the `interrupt` event."""
        kept = [m for m in _drain(self.out) if isinstance(m, str) or m is None]
        for m in kept:
            self.out.put_nowait(m)

    async def write(self) -> None:
        try:
            while (msg := await self.out.get()) is not None:
                if isinstance(msg, str):
                    await self.ws.send_text(msg)
                else:
                    await self.ws.send_bytes(msg)
        except Exception:  # noqa: BLE001, S110 - the socket closed under us; the reader ends the session
            pass
        finally:
            self.closed = True


def _drain(q: asyncio.Queue[Any]) -> list[Any]:
    items = []
    while not q.empty():
        items.append(q.get_nowait())
    return items


async def serve_websocket(ws: WebSocket, make_session: Any) -> None:
    await ws.accept()
    sink = WsSink(ws)
    writer = asyncio.get_running_loop().create_task(sink.write())
    session = make_session(sink.event, sink)
    session.start()
    try:
        while True:
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                break
            data = msg.get("bytes")
            if data is None:
                continue  # text from the client is not used yet
            if len(data) > MAX_MESSAGE_BYTES or len(data) % 2:
                await ws.close(1009, "microphone messages are 16-bit PCM of at most 64 KiB")
                break
            session.push_audio(np.frombuffer(data, "<i2").astype(np.float32) / 32768.0)
    except WebSocketDisconnect:
        pass
    finally:
        await session.close()
        sink.closed = True
        sink.out.put_nowait(None)
        await asyncio.gather(writer, return_exceptions=True)
