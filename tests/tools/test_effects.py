"""gain, pitch_shift, reverb, filter, equalize: measured levels, frequencies and decay."""

from __future__ import annotations

import numpy as np
import pytest

from agent.errors import InvalidArguments
from agent.media import Audio
from tests.conftest import noise, tone
from tests.tools.audio_measure import assert_agrees_with_registry, db, dominant_hz, rms
from tools.effects import equalize, filter, gain, pitch_shift, reverb

# Skip the first 50 ms of filtered tones: the filter's start-up transient is not its steady response.
SETTLE = 800


def test_matches_registry() -> None:
    assert_agrees_with_registry("tools.effects", ["gain", "pitch_shift", "reverb", "filter", "equalize"])


def test_gain_plus_6_db_doubles_rms() -> None:
    a = noise(0.5)
    assert rms(gain(a, db=6.0206).samples) / rms(a.samples) == pytest.approx(2.0, rel=1e-3)
    assert rms(gain(a, db=-20).samples) / rms(a.samples) == pytest.approx(0.1, rel=1e-3)


@pytest.mark.parametrize("semitones, expected", [(12, 880.0), (-12, 220.0), (7, 440 * 2 ** (7 / 12))])
def test_pitch_shift_moves_the_pitch_and_keeps_the_duration(semitones: float, expected: float) -> None:
    a = tone(440, seconds=1.0, channels=2)
    out = pitch_shift(a, semitones=semitones)
    assert out.frames == a.frames and out.channels == 2
    assert dominant_hz(out.samples[1600:-1600]) == pytest.approx(expected, rel=0.02)


def _burst() -> Audio:
    """0.3 s of tone then 0.7 s of silence: what rings on after 0.3 s is the reverb."""
    x = tone(440, seconds=1.0).samples.copy()
    x[4800:] = 0
    return Audio(x, 16000)


def test_reverb_adds_decay_after_the_source_ends() -> None:
    out = reverb(_burst(), room="hall", wet=0.5)
    assert out.frames >= 16000
    after = out.samples[5600:16000]  # from 50 ms after the tone stops
    assert db(rms(after) / rms(out.samples[:4800])) > -40


def test_reverb_bigger_rooms_ring_longer_and_wet_0_is_dry() -> None:
    small, cathedral = reverb(_burst(), room="small"), reverb(_burst(), room="cathedral")
    assert cathedral.duration > small.duration
    late = slice(12000, 16000)  # 0.45 to 0.7 s after the tone stops
    assert rms(cathedral.samples[late]) > 3 * rms(small.samples[late])
    dry = reverb(_burst(), room="hall", wet=0.0)
    np.testing.assert_allclose(dry.samples[:16000], _burst().samples, atol=1e-4)


def test_reverb_rejects_unknown_room() -> None:
    with pytest.raises(InvalidArguments, match="cathedral"):
        reverb(_burst(), room="bathroom")


def test_lowpass_1k_cuts_5k_and_passes_200() -> None:
    high, low = tone(5000, seconds=0.5), tone(200, seconds=0.5)
    cut = filter(high, kind="lowpass", cutoff_hz=1000)
    kept = filter(low, kind="lowpass", cutoff_hz=1000)
    assert db(rms(cut.samples[SETTLE:]) / rms(high.samples)) < -20
    assert db(rms(kept.samples[SETTLE:]) / rms(low.samples)) == pytest.approx(0, abs=0.5)


def test_highpass_1k_cuts_200_and_passes_5k() -> None:
    high, low = tone(5000, seconds=0.5), tone(200, seconds=0.5)
    assert db(rms(filter(low, kind="highpass", cutoff_hz=1000).samples[SETTLE:]) / rms(low.samples)) < -20
    assert db(rms(filter(high, kind="highpass", cutoff_hz=1000).samples[SETTLE:]) / rms(high.samples)) == (
        pytest.approx(0, abs=0.5)
    )


def test_filter_cutoffs_beyond_nyquist() -> None:
    a = tone(440, seconds=0.2, sr=8000)
    np.testing.assert_array_equal(filter(a, kind="lowpass", cutoff_hz=12000).samples, a.samples)
    with pytest.raises(InvalidArguments, match="remove everything"):
        filter(a, kind="highpass", cutoff_hz=12000)


def _band_gain_db(freq: float, sr: int = 16000, **eq: float) -> float:
    a = tone(freq, seconds=0.5, sr=sr, amp=0.1, channels=2)
    return db(rms(equalize(a, **eq).samples[SETTLE:]) / rms(a.samples))


def test_equalize_bass_boost_raises_100_hz_by_about_6_db() -> None:
    assert _band_gain_db(100, bass_db=6) == pytest.approx(6, abs=1.0)
    assert _band_gain_db(5000, bass_db=6) == pytest.approx(0, abs=0.5)


def test_equalize_mid_cut_and_treble_boost() -> None:
    assert _band_gain_db(1000, mid_db=-6) == pytest.approx(-6, abs=0.5)
    assert _band_gain_db(100, mid_db=-6) == pytest.approx(0, abs=1.0)
    assert _band_gain_db(12000, sr=44100, treble_db=6) == pytest.approx(6, abs=1.0)


def test_equalize_flat_is_unchanged() -> None:
    a = noise(0.3)
    np.testing.assert_array_equal(equalize(a).samples, a.samples)


def test_reverb_tail_dies_away_without_a_click() -> None:
    out = reverb(noise(0.5, amp=0.3), room="small", wet=1.0)
    tail = out.samples[8000:, 0]
    assert len(tail) > 0.3 * 16000
    assert db(float(np.max(np.abs(tail[-800:]))) / float(np.max(np.abs(out.samples)))) < -55
    assert out.samples[-1, 0] == 0.0
