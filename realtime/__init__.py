"""Realtime mode: talk to the avatar in the browser.

One session (realtime/session.py) is an asyncio pipeline in which every piece of work carries its turn id:

    microphone -> VAD (end of turn, barge-in) -> streaming ASR -> LLM stream -> sentence chunker
               -> TTS -> talking-head stream -> one pacer (audio and video on one clock) -> transport

Model work runs in threads; the models are loaded and warmed once per process (realtime/models.py)
and shared by every session. Transports: WebRTC (aiortc) and a WebSocket fallback (realtime/app.py).
"""
