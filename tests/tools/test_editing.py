"""trim, concatenate, mix, fade, change_tempo: measured durations, levels and pitch."""

from __future__ import annotations

import numpy as np
import pytest

from agent.errors import InvalidArguments
from agent.media import Audio
from tests.conftest import noise, tone
from tests.tools.audio_measure import assert_agrees_with_registry, dominant_hz, rms
from tools.editing import change_tempo, concatenate, fade, mix, trim


def test_matches_registry() -> None:
    assert_agrees_with_registry("tools.editing", ["trim", "concatenate", "mix", "fade", "change_tempo"])


# ---------------------------------------------------------------- trim
def test_trim_keep_range() -> None:
    a = noise(1.0)
    out = trim(a, start=0.2, end=0.5)
    assert out.duration == pytest.approx(0.3, abs=0.002)
    np.testing.assert_array_equal(out.samples, a.samples[3200:8000])


def test_trim_cut_first_seconds_keeps_rest() -> None:
    out = trim(noise(1.0), start=0.25)
    assert out.duration == pytest.approx(0.75, abs=0.002)


def test_trim_negative_end_counts_from_the_end() -> None:
    out = trim(noise(1.0), end=-0.25)
    assert out.duration == pytest.approx(0.75, abs=0.002)


def test_trim_end_past_clip_means_clip_end() -> None:
    assert trim(noise(1.0), start=0.5, end=3).duration == pytest.approx(0.5, abs=0.002)


def test_trim_remove_joins_the_rest() -> None:
    a = noise(1.0)
    out = trim(a, start=0.2, end=0.5, mode="remove")
    assert out.duration == pytest.approx(0.7, abs=0.002)
    # Away from the short splice ramps the samples are the original ones.
    np.testing.assert_array_equal(out.samples[:3000], a.samples[:3000])
    np.testing.assert_array_equal(out.samples[3300:], a.samples[8100:])


def test_trim_start_past_end_names_the_duration() -> None:
    clip = Audio(np.zeros(10_000, np.float32), 1000)
    with pytest.raises(InvalidArguments, match=r"start 12 s is past the end of the 10\.0 s clip"):
        trim(clip, start=12)


@pytest.mark.parametrize("kwargs", [{"start": 0.5, "end": 0.5}, {"start": 0.6, "end": 0.3}, {"end": -2.0}])
def test_trim_empty_range_is_rejected(kwargs: dict) -> None:
    with pytest.raises(InvalidArguments):
        trim(noise(1.0), **kwargs)


def test_trim_removing_everything_is_rejected() -> None:
    with pytest.raises(InvalidArguments, match="nothing"):
        trim(noise(1.0), start=0, mode="remove")


# ---------------------------------------------------------------- concatenate
def test_concatenate_durations_add() -> None:
    out = concatenate([tone(seconds=0.5), noise(0.3)])
    assert out.duration == pytest.approx(0.8, abs=0.002)


def test_concatenate_gap_is_silence() -> None:
    out = concatenate([tone(seconds=0.5), tone(seconds=0.3)], gap=0.2)
    assert out.duration == pytest.approx(1.0, abs=0.002)
    assert np.max(np.abs(out.samples[8000:11200])) == 0.0
    assert rms(out.samples[11200:]) > 0.3


def test_concatenate_crossfade_overlaps_at_steady_level() -> None:
    a, b = noise(0.5, seed=1), noise(0.5, seed=2)
    out = concatenate([a, b], crossfade=0.1)
    assert out.duration == pytest.approx(0.9, abs=0.002)
    # Equal power: the overlap of two uncorrelated noises is about as loud as each of them.
    middle = out.samples[int(0.42 * 16000) : int(0.48 * 16000)]
    assert 20 * np.log10(rms(middle) / rms(a.samples)) == pytest.approx(0.0, abs=1.0)


def test_concatenate_adapts_to_the_first_clip_format() -> None:
    stereo_22k = tone(seconds=0.5, sr=22050, channels=2)
    out = concatenate([tone(seconds=0.5), stereo_22k])
    assert (out.sample_rate, out.channels) == (16000, 1)
    assert out.duration == pytest.approx(1.0, abs=0.002)
    assert dominant_hz(out.samples[8000:]) == pytest.approx(440, rel=0.02)


def test_concatenate_rejects_gap_with_crossfade_and_long_crossfade() -> None:
    with pytest.raises(InvalidArguments, match="not both"):
        concatenate([noise(0.5), noise(0.5)], gap=0.1, crossfade=0.1)
    with pytest.raises(InvalidArguments, match="longer than the shortest clip"):
        concatenate([noise(0.5), noise(0.2)], crossfade=0.3)


# ---------------------------------------------------------------- mix
def test_mix_at_offset_and_gain() -> None:
    silence = Audio(np.zeros(16000, np.float32), 16000)
    out = mix(silence, tone(seconds=0.3, amp=0.5), other_gain_db=-6.0206, offset=0.5)
    assert out.duration == pytest.approx(1.0)
    assert np.max(np.abs(out.samples[:8000])) == 0.0
    assert np.max(np.abs(out.samples[8000:12800])) == pytest.approx(0.25, abs=0.002)
    assert np.max(np.abs(out.samples[12800:])) == 0.0


def test_mix_adds_both_and_keeps_main_length() -> None:
    voice, music = tone(200, seconds=1.0, amp=0.3), tone(1000, seconds=2.0, sr=44100, amp=0.3, channels=2)
    out = mix(voice, music)
    assert (out.sample_rate, out.channels, out.frames) == (16000, 1, 16000)
    spec = np.abs(np.fft.rfft(out.samples[:, 0]))
    assert spec[200] > 0.8 * spec.max() and spec[1000] > 0.8 * spec.max()


def test_mix_extend_fits_the_other_clip() -> None:
    out = mix(tone(seconds=0.5), tone(seconds=0.5), offset=0.8, extend=True)
    assert out.duration == pytest.approx(1.3, abs=0.002)
    with pytest.raises(InvalidArguments, match="past the end"):
        mix(tone(seconds=0.5), tone(seconds=0.5), offset=0.8)


# ---------------------------------------------------------------- fade
def test_fade_in_and_out() -> None:
    a = tone(seconds=1.0, channels=2)
    out = fade(a, fade_in=0.2, fade_out=0.3)
    assert np.all(out.samples[0] == 0) and np.all(out.samples[-1] == 0)
    assert rms(out.samples[:800]) < 0.05 * rms(a.samples)  # the first quarter of the fade-in is under -26 dB
    np.testing.assert_array_equal(out.samples[3300:11000], a.samples[3300:11000])
    assert out.duration == a.duration


def test_fade_longer_than_clip_is_rejected() -> None:
    with pytest.raises(InvalidArguments, match="longer than"):
        fade(tone(seconds=1.0), fade_out=2.0)


# ---------------------------------------------------------------- change_tempo
@pytest.mark.parametrize("rate", [1.25, 0.8])
def test_change_tempo_changes_duration_not_pitch(rate: float) -> None:
    a = tone(440, seconds=1.0, channels=2)
    out = change_tempo(a, rate=rate)
    assert out.duration == pytest.approx(1.0 / rate, abs=0.005)
    assert out.channels == 2 and out.sample_rate == 16000
    assert dominant_hz(out.samples) == pytest.approx(440, rel=0.02)


def test_change_tempo_rejects_a_few_sample_clip() -> None:
    with pytest.raises(InvalidArguments, match="too short"):
        change_tempo(Audio(np.zeros((10, 2), np.float32), 16000), rate=2)
