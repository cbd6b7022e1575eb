"""loudness_normalize, resample, convert, audio_info: levels measured with pyloudnorm, files round-tripped."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import resample_poly

from agent.errors import BadInput, InvalidArguments
from agent.media import Audio, read_audio, write_audio
from tests.conftest import noise, tone
from tests.tools.audio_measure import assert_agrees_with_registry, db, dominant_hz
from tools.formats import audio_info, convert, loudness_normalize, resample


def lufs(a: Audio) -> float:
    return float(pyloudnorm.Meter(a.sample_rate).integrated_loudness(a.samples.astype(np.float64)))


def true_peak_db(a: Audio) -> float:
    return db(float(np.max(np.abs(resample_poly(a.samples, 4, 1, axis=0)))))


def test_matches_registry() -> None:
    assert_agrees_with_registry("tools.formats", ["loudness_normalize", "resample", "convert", "audio_info"])


@pytest.mark.parametrize("make", [lambda: noise(1.0, amp=0.02), lambda: tone(440, seconds=1.0, amp=0.9, channels=2)])
@pytest.mark.parametrize("target", [-16.0, -23.0])
def test_loudness_normalize_hits_the_target(make, target: float) -> None:
    out = loudness_normalize(make(), target_lufs=target)
    assert lufs(out) == pytest.approx(target, abs=0.5)
    assert true_peak_db(out) <= -1.0 + 0.05


def test_loudness_normalize_limits_peaks_when_the_target_needs_it() -> None:
    # Noise at -8 LUFS would peak around +4 dBFS: the limiter must hold it under -1 dBTP and still reach -8.
    out = loudness_normalize(noise(1.0), target_lufs=-8, peak_ceiling_db=-1)
    assert lufs(out) == pytest.approx(-8, abs=0.5)
    assert true_peak_db(out) <= -1.0 + 0.05


def test_loudness_normalize_rejects_short_and_silent_clips() -> None:
    with pytest.raises(BadInput, match="400 ms"):
        loudness_normalize(tone(seconds=0.2))
    with pytest.raises(BadInput, match="silent"):
        loudness_normalize(Audio(np.zeros(16000, np.float32), 16000))


def test_resample_rate_and_channels() -> None:
    out = resample(tone(440, seconds=1.0, sr=16000), sample_rate=8000, channels=2)
    assert (out.sample_rate, out.channels, out.frames) == (8000, 2, 8000)
    assert dominant_hz(out.samples, sr=8000) == pytest.approx(440, rel=0.01)
    mono = resample(tone(seconds=0.5, channels=2), channels=1)
    assert (mono.sample_rate, mono.channels) == (16000, 1)


def test_resample_needs_something_to_do() -> None:
    with pytest.raises(InvalidArguments, match="sample_rate"):
        resample(tone())


@pytest.mark.parametrize("fmt", ["mp3", "flac", "ogg", "wav"])
def test_convert_round_trips(fmt: str, tmp_path: Path) -> None:
    a = tone(440, seconds=1.0, channels=2)
    out = convert(a, format=fmt)
    assert out.format == fmt and a.format == "wav"
    path = tmp_path / f"clip.{fmt}"
    write_audio(out, path)
    back = read_audio(path)
    assert abs(back.duration - a.duration) < 0.06  # mp3 adds encoder padding
    assert back.channels == 2
    assert dominant_hz(back.samples, sr=back.sample_rate) == pytest.approx(440, rel=0.01)


def test_convert_rejects_unknown_format() -> None:
    with pytest.raises(InvalidArguments, match="mp3"):
        convert(tone(), format="aiff")


def test_audio_info_measures() -> None:
    a = tone(440, seconds=1.5, amp=0.5, channels=2)
    info = audio_info(a)
    json.dumps(info, allow_nan=False)
    assert info["duration"] == pytest.approx(1.5)
    assert (info["sample_rate"], info["channels"]) == (16000, 2)
    assert info["peak_db"] == pytest.approx(-6.02, abs=0.05)
    assert info["rms_db"] == pytest.approx(-9.03, abs=0.05)
    assert info["lufs"] == pytest.approx(lufs(a), abs=0.01)


def test_audio_info_short_and_silent() -> None:
    short = audio_info(tone(seconds=0.2))
    assert short["lufs"] is None and "short" in short["lufs_note"]
    silent = audio_info(Audio(np.zeros(16000, np.float32), 16000))
    assert silent["lufs"] is None and silent["peak_db"] is None
    json.dumps(silent, allow_nan=False)


def test_loudness_normalize_out_of_reach_keeps_the_ceiling(caplog: pytest.LogCaptureFixture) -> None:
    # A sine can't reach -5 LUFS with peaks at -10 dBFS (about -10.7 LUFS is its most): the ceiling wins.
    out = loudness_normalize(tone(1000, seconds=1.0, amp=0.5), target_lufs=-5, peak_ceiling_db=-10)
    assert true_peak_db(out) <= -10 + 0.05
    assert lufs(out) < -8
    assert "quieter" in caplog.text
