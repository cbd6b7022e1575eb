"""Measurements shared by the tool tests."""

from __future__ import annotations

import importlib

import numpy as np
import yaml

from agent.paths import registry_path
from agent.specs import ToolSpec


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def db(ratio: float) -> float:
    return float(20 * np.log10(ratio))


def dominant_hz(x: np.ndarray, sr: int = 16000) -> float:
    """Frequency of the strongest spectral peak (Hann window, parabolic interpolation)."""
    m = x.mean(axis=1) if x.ndim == 2 else x
    spec = np.abs(np.fft.rfft(m * np.hanning(len(m))))
    k = int(np.argmax(spec[1:-1])) + 1
    a, b, c = np.log(spec[k - 1 : k + 2] + 1e-12)
    return float((k + 0.5 * (a - c) / (a - 2 * b + c)) * sr / len(m))


def assert_agrees_with_registry(module: str, names: list[str]) -> None:
    """The module's tools match their model_registry.yaml specs (names, defaults, backends)."""
    from agent.registry import _check_agreement
    from tools.base import implementations

    importlib.import_module(module)
    raw = yaml.safe_load(registry_path().read_text(encoding="utf-8"))
    specs = {t["name"]: ToolSpec.model_validate(t) for t in raw["tools"] if t["module"] == module}
    assert sorted(specs) == sorted(names)
    impls = implementations()
    problems = [p for n in names for p in _check_agreement(specs[n], impls[n])]
    assert problems == []
