"""Shared fixtures: an isolated AUDIOGENT_HOME per test, the registry, and test signals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agent.media import Audio


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Sessions go to a temp dir; the model cache (assembled Whisper weights) stays shared."""
    from agent import paths

    real_cache = paths.cache_dir()
    home = tmp_path / "home"
    monkeypatch.setenv("AUDIOGENT_HOME", str(home))
    monkeypatch.setenv("AUDIOGENT_CACHE", str(real_cache))
    return home


@pytest.fixture(scope="session")
def registry():
    from agent.registry import default_registry

    return default_registry()


def tone(freq: float = 440.0, seconds: float = 1.0, sr: int = 16000, amp: float = 0.5, channels: int = 1) -> Audio:
    t = np.arange(int(seconds * sr)) / sr
    x = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return Audio(np.repeat(x[:, None], channels, axis=1), sr)


def noise(seconds: float = 1.0, sr: int = 16000, amp: float = 0.1, seed: int = 0) -> Audio:
    rng = np.random.default_rng(seed)
    return Audio((amp * rng.standard_normal(int(seconds * sr))).astype(np.float32), sr)
