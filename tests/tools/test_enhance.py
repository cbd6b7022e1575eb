"""denoise and remove_hum, measured on Piper speech with added noise and hum."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from agent.errors import InvalidArguments
from agent.media import Audio, adapt
from agent.paths import PROJECT_ROOT
from tests.conftest import tone

SPEECH = "Please remember to close the window before you leave the office tonight."
PAD_S = 0.6  # silence on either side of the speech, to measure the noise floor in


def _db(x: float) -> float:
    return 10 * np.log10(max(x, 1e-20))


def _power(x: np.ndarray) -> float:
    return float(np.mean(np.square(x, dtype=np.float64)))


def _tone_power(x: np.ndarray, sr: int, freq: float) -> float:
    """Power of the component at `freq` (a Hann-windowed DFT bin at exactly that frequency)."""
    n = np.arange(len(x))
    w = np.hanning(len(x))
    c = np.sum(x * w * np.exp(-2j * np.pi * freq * n / sr)) / np.sum(w)
    return float(np.abs(c) ** 2)


@pytest.fixture(scope="module")
def clean_speech(piper_speech) -> Audio:
    speech = adapt(piper_speech(SPEECH), sample_rate=16000)
    pad = np.zeros((int(PAD_S * 16000), 1), np.float32)
    return speech.with_samples(np.concatenate([pad, speech.samples, pad]))


def _with_white_noise(clean: Audio, snr_db: float, seed: int = 1) -> tuple[Audio, np.ndarray]:
    x = clean.samples[:, 0]
    pad = int(PAD_S * clean.sample_rate)
    speech_power = _power(x[pad:-pad])
    rng = np.random.default_rng(seed)
    n = rng.standard_normal(len(x)) * np.sqrt(speech_power / 10 ** (snr_db / 10))
    return clean.with_samples((x + n).astype(np.float32)), n


def test_denoise_raises_snr_of_noisy_speech(clean_speech: Audio) -> None:
    from tools.enhance import denoise

    noisy, noise = _with_white_noise(clean_speech, snr_db=5)
    out = denoise(noisy)
    assert out.sample_rate == noisy.sample_rate and out.frames == noisy.frames
    x = clean_speech.samples[:, 0].astype(np.float64)
    y = out.samples[:, 0].astype(np.float64)
    pad = int(PAD_S * clean_speech.sample_rate)

    snr_in = _db(_power(x) / _power(noisy.samples[:, 0] - x))
    snr_out = _db(_power(x) / _power(y - x))
    assert snr_out > snr_in + 6, (snr_in, snr_out)  # measured: 3.8 dB -> 13.0 dB

    # In the speech-free lead-in and tail, the noise drops by more than 10 dB...
    gaps = np.r_[0:pad, len(x) - pad : len(x)]
    reduction = _db(_power(noise[gaps])) - _db(_power(y[gaps]))
    assert reduction > 10, reduction
    # ...while the speech keeps its level (within 1.5 dB; measured -0.5 dB).
    speech_change = _db(_power(y[pad:-pad])) - _db(_power(x[pad:-pad]))
    assert abs(speech_change) < 1.5, speech_change


def test_denoise_ignores_digital_silence_when_profiling_noise(clean_speech: Audio) -> None:
    """A zeroed lead-in is quieter than the noise; it must not become the noise profile."""
    from tools.enhance import denoise

    noisy, noise = _with_white_noise(clean_speech, snr_db=10, seed=3)
    lead = np.zeros((clean_speech.sample_rate, 1), np.float32)
    out = denoise(noisy.with_samples(np.concatenate([lead, noisy.samples])))
    y = out.samples[len(lead) :, 0]
    pad = int(PAD_S * clean_speech.sample_rate)
    gaps = np.r_[0:pad, len(y) - pad : len(y)]
    assert _db(_power(noise[gaps])) - _db(_power(y[gaps])) > 10
    assert np.abs(out.samples[: len(lead)]).max() < 1e-4


def test_denoise_strength_zero_is_identity_and_stereo_is_per_channel() -> None:
    from tests.conftest import noise
    from tools.enhance import denoise

    a = noise(seconds=1.0, amp=0.1)
    assert np.array_equal(denoise(a, strength=0).samples, a.samples)

    # Left: 440 Hz beeps (0.25 s on, 0.25 s off) in hiss; right: silence. A tone that never stops
    # would count as steady noise and be gated away, so the beeps pause.
    sr = 16000
    beeps = tone(440, 2.0, amp=0.3).samples[:, 0] * ((np.arange(2 * sr) // (sr // 4)) % 2 == 0)
    hiss = noise(2.0, amp=0.05, seed=2).samples[:, 0]
    stereo = Audio(np.stack([beeps + hiss, np.zeros_like(beeps)], axis=1), sr)
    out = denoise(stereo, strength=1.0)
    assert out.channels == 2 and out.frames == stereo.frames
    assert np.abs(out.samples[:, 1]).max() < 1e-6  # a silent channel stays silent
    y = out.samples[:, 0]
    assert abs(_db(_tone_power(y, sr, 440)) - _db(_tone_power(beeps, sr, 440))) < 2  # the beeps survive
    off = (np.arange(2 * sr) // (sr // 4)) % 2 == 1
    off &= np.convolve(off, np.ones(801) / 801, mode="same") > 0.999  # away from the beep edges
    assert _db(_power(hiss[off])) - _db(_power(y[off])) > 10  # the hiss between them goes


def test_denoise_handles_very_short_clips_and_refuses_bad_strength() -> None:
    from tests.conftest import noise
    from tools.enhance import denoise

    short = noise(seconds=0.02, amp=0.1)  # 320 samples: shorter than one STFT window
    out = denoise(short)
    assert out.frames == short.frames and np.isfinite(out.samples).all()
    with pytest.raises(InvalidArguments, match="strength"):
        denoise(short, strength=1.5)


def _hum(frames: int, sr: int, f0: float, amp: float = 0.05) -> np.ndarray:
    t = np.arange(frames) / sr
    # fundamental plus decaying harmonics, as a buzzing mains hum has
    return sum((amp / k) * np.sin(2 * np.pi * k * f0 * t + k) for k in range(1, 6)).astype(np.float32)


def test_remove_hum_cuts_60hz_series_from_speech(clean_speech: Audio) -> None:
    from tools.enhance import detect_mains, remove_hum

    sr = clean_speech.sample_rate
    x = clean_speech.samples[:, 0]
    hum = _hum(len(x), sr, 60.0)
    humming = clean_speech.with_samples(x + hum)
    assert detect_mains(humming) == 60
    out = remove_hum(humming)  # frequency=auto
    y = out.samples[:, 0]
    for k in (1, 2, 3):
        before = _tone_power(humming.samples[:, 0], sr, 60.0 * k)
        after = _tone_power(y, sr, 60.0 * k)
        assert _db(before) - _db(after) > 20, (k, _db(before) - _db(after))
    # The speech itself is barely touched: its level within 1 dB, the difference 10 dB below it.
    assert abs(_db(_power(y)) - _db(_power(x))) < 1
    residual = _db(_power(y - x) / _power(x))
    assert residual < -10, residual


def test_remove_hum_keeps_a_1khz_tone() -> None:
    from tools.enhance import remove_hum

    for freq in ("auto", "50", "60"):
        a = tone(1000.0, seconds=2.0, amp=0.5)
        out = remove_hum(a, frequency=freq)
        mid = slice(4000, 28000)
        change = _db(_power(out.samples[mid, 0])) - _db(_power(a.samples[mid, 0]))
        assert abs(change) < 1.0, (freq, change)


def test_remove_hum_50hz_explicit_and_auto() -> None:
    from tools.enhance import detect_mains, remove_hum

    sr = 16000
    music = tone(1000.0, seconds=3.0, sr=sr, amp=0.2).samples[:, 0]
    humming = Audio(music + _hum(len(music), sr, 50.0), sr)
    assert detect_mains(humming) == 50
    for freq in ("50", "auto"):
        y = remove_hum(humming, frequency=freq).samples[:, 0]
        reduction = _db(_tone_power(humming.samples[:, 0], sr, 50.0)) - _db(_tone_power(y, sr, 50.0))
        assert reduction > 20, (freq, reduction)
    # Notching at 60 Hz leaves a 50 Hz hum in place.
    y60 = remove_hum(humming, frequency="60").samples[:, 0]
    assert abs(_db(_tone_power(y60, sr, 50.0)) - _db(_tone_power(humming.samples[:, 0], sr, 50.0))) < 3


def test_remove_hum_tolerates_a_drifting_mains_frequency() -> None:
    from tools.enhance import remove_hum

    sr = 16000
    t = np.arange(3 * sr) / sr
    hum = 0.05 * np.sin(2 * np.pi * 60.2 * t)  # mains a little off its nominal frequency
    y = remove_hum(Audio(hum.astype(np.float32), sr), frequency="60").samples[:, 0]
    mid = slice(sr // 2, -sr // 2)
    assert _db(_power(hum[mid])) - _db(_power(y[mid])) > 20


def test_remove_hum_edge_cases() -> None:
    from tools.enhance import remove_hum

    with pytest.raises(InvalidArguments, match="auto, 50 or 60"):
        remove_hum(tone(), frequency="55")
    short = tone(seconds=0.005)
    assert remove_hum(short).frames == short.frames
    stereo = tone(channels=2)
    out = remove_hum(stereo, frequency="60 Hz")
    assert out.channels == 2 and np.isfinite(out.samples).all()


@pytest.mark.parametrize("name", ["denoise", "remove_hum"])
def test_agrees_with_registry(name: str) -> None:
    from agent.registry import _check_agreement
    from agent.specs import ToolSpec
    from tools.base import implementations

    import tools.enhance  # noqa: F401

    raw = yaml.safe_load((PROJECT_ROOT / "model_registry.yaml").read_text(encoding="utf-8"))
    spec = ToolSpec.model_validate(next(t for t in raw["tools"] if t["name"] == name))
    assert _check_agreement(spec, implementations()[name]) == []
