"""Fixtures for the tool tests: real speech made once per session with the installed TTS voices."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from agent.media import Audio


@pytest.fixture(scope="session")
def piper_speech() -> Callable[..., Audio]:
    """`piper_speech(text, speed=1.0) -> Audio`: English speech from the Piper voice (22.05 kHz mono),
    synthesized once per distinct request per session, without VITS's sampling noise so that every
    run measures the same samples."""
    from tools.tts import PiperBackend

    backend = PiperBackend()
    cache: dict[tuple[str, float], Audio] = {}

    def make(text: str, speed: float = 1.0) -> Audio:
        key = (text, float(speed))
        if key not in cache:
            cache[key] = backend.ensure_loaded().synthesize(text, speed, noise=0)
        a = cache[key]
        return a.with_samples(a.samples.copy())

    return make


@pytest.fixture(scope="session")
def espeak_speech() -> Callable[..., Audio]:
    """`espeak_speech(text, language, speed=1.0) -> Audio`: speech from the espeak-ng program."""
    from tools.tts import EspeakBackend

    backend = EspeakBackend()
    cache: dict[tuple[str, str, float], Audio] = {}

    def make(text: str, language: str, speed: float = 1.0) -> Audio:
        key = (text, language, float(speed))
        if key not in cache:
            cache[key] = backend.ensure_loaded().synthesize(text, language, speed)
        a = cache[key]
        return a.with_samples(a.samples.copy())

    return make
