"""inpaint: gaps filled from both sides beat zero-filling and linear interpolation; dropouts are found."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agent.errors import BackendUnavailable, BadInput, InvalidArguments
from agent.media import Audio
from evals.gen_measure import chord_melody, inpainting_snrs, snr_db
from tests.tools.audio_measure import assert_agrees_with_registry

TEXT = "Our train leaves the station at half past seven tomorrow morning, so please be on time."


def test_agrees_with_registry() -> None:
    assert_agrees_with_registry("tools.inpaint", ["inpaint"])


@pytest.mark.parametrize("gap_ms", [10, 20, 50])
def test_speech_gaps_beat_zero_fill_and_linear_interpolation(piper_speech, gap_ms: float) -> None:
    a = piper_speech(TEXT + " " + TEXT)
    r = inpainting_snrs(a.mono().astype(np.float64), a.sample_rate, gap_ms, 20, seed=gap_ms)  # 10 gaps swung 3 dB
    assert r["gaps"] >= 15 and r["inpaint"] > r["linear"], r
    if gap_ms <= 20:
        assert r["inpaint"] > r["zero"] + 0.5, r
    else:  # a new sound may start inside 50 ms of speech: the fill is about as good as silence, never worse by much
        assert r["inpaint"] > r["zero"] - 0.5, r


@pytest.mark.parametrize("gap_ms, at_least_db", [(10, 15), (20, 15), (50, 8), (100, 5)])
def test_music_gaps_are_filled_well(gap_ms: float, at_least_db: float) -> None:
    r = inpainting_snrs(chord_melody(44100, 3.0), 44100, gap_ms, 4, seed=gap_ms)
    assert r["inpaint"] > at_least_db and r["inpaint"] > r["linear"] + at_least_db, r


def _damaged(seconds: float = 2.0, sr: int = 22050) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    x = chord_melody(sr, seconds).astype(np.float32)
    gaps = [(0.5, 0.52), (1.2, 1.25)]
    y = x.copy()
    for s, e in gaps:
        y[int(s * sr): int(e * sr)] = 0.0
    return x, y, gaps


def test_detect_finds_and_fills_dropouts_in_every_channel() -> None:
    from tools.inpaint import inpaint

    sr = 22050
    x, y, gaps = _damaged(sr=sr)
    out = inpaint(Audio(np.stack([y, 0.5 * y], axis=1), sr), detect=True)
    found = [(g["start"], g["end"]) for g in out["gaps"]["filled"]]
    assert found == [pytest.approx(g, abs=1 / sr) for g in gaps]
    z = out["audio"].samples
    for s, e in gaps:
        n0, n1 = int(s * sr), int(e * sr)
        assert snr_db(x[n0:n1], z[n0:n1, 0]) > 10 and snr_db(0.5 * x[n0:n1], z[n0:n1, 1]) > 10
    untouched = np.ones(len(x), bool)
    for s, e in gaps:
        untouched[int(s * sr): int(e * sr)] = False
    assert np.array_equal(z[untouched, 0], y[untouched])


def test_a_range_is_filled_whatever_it_holds_and_the_rest_is_untouched() -> None:
    from tools.inpaint import inpaint

    sr = 22050
    x = chord_melody(sr, 2.0).astype(np.float32)
    damaged = x.copy()
    n0, n1 = round(1.0 * sr), round(1.03 * sr)  # the tool rounds times to the nearest sample
    damaged[n0:n1] = 0.3  # a glitch, not silence
    out = inpaint(Audio(damaged, sr), start=1.0, end=1.03)
    z = out["audio"].samples[:, 0]
    assert snr_db(x[n0:n1], z[n0:n1]) > 10
    assert np.array_equal(z[:n0], damaged[:n0]) and np.array_equal(z[n1:], damaged[n1:])
    assert out["gaps"]["filled"][0]["ms"] == pytest.approx(30, abs=0.1)


def test_clean_audio_has_no_dropouts_and_long_silences_are_left_alone(piper_speech) -> None:
    from tools.inpaint import find_dropouts, inpaint

    a = piper_speech(TEXT)
    assert find_dropouts(a.samples, a.sample_rate) == []
    with pytest.raises(BadInput, match="found no dropouts"):
        inpaint(a, detect=True)
    sr = 22050
    x, y, _ = _damaged(sr=sr)
    y[int(1.6 * sr): int(1.9 * sr)] = 0.0  # 300 ms of digital silence inside the music
    out = inpaint(Audio(y, sr), detect=True)
    assert len(out["gaps"]["filled"]) == 2 and out["gaps"]["left_alone"][0]["start"] == pytest.approx(1.6, abs=1e-3)
    assert not out["audio"].samples[int(1.65 * sr): int(1.85 * sr)].any()


@pytest.mark.parametrize("kwargs, error, message", [
    ({"start": 1.0, "end": 1.3}, InvalidArguments, "300 ms long; autoregressive inpainting can honestly fill at most 250 ms"),
    ({"start": 1.0}, InvalidArguments, "needs both start and end"),
    ({"start": 1.0, "end": 0.9}, InvalidArguments, "end must be after start"),
    ({"start": 1.95, "end": 2.1}, InvalidArguments, "the clip lasts"),
    ({}, InvalidArguments, "say which gap to fill"),
    ({"start": 1.0, "end": 1.1, "detect": True}, InvalidArguments, "not both"),
])
def test_errors(kwargs, error, message: str) -> None:
    from tools.inpaint import inpaint

    with pytest.raises(error, match=message):
        inpaint(Audio(chord_melody(22050, 2.0).astype(np.float32), 22050), **kwargs)


def test_make_an_audio_slot_says_what_it_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.inpaint import _MAKE_AN_AUDIO, inpaint

    monkeypatch.setenv("AUDIOGENT_MAKE_AN_AUDIO_DIR", str(tmp_path / "maa"))
    audio = Audio(chord_melody(22050, 1.0).astype(np.float32), 22050)
    with pytest.raises(BackendUnavailable, match=r"backend `make-an-audio` needs weights at .*maa; see docs/generation.md"):
        inpaint(audio, start=0.5, end=0.52, backend=_MAKE_AN_AUDIO)
    (tmp_path / "maa").mkdir()
    (tmp_path / "maa" / "maa2.ckpt").write_bytes(b"\0")
    with pytest.raises(BackendUnavailable, match="adapter is not implemented yet"):
        inpaint(audio, start=0.5, end=0.52, backend=_MAKE_AN_AUDIO)
