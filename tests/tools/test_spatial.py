"""binauralize: interaural time and level differences match the spherical-head model; left stays left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agent.errors import InvalidArguments
from agent.media import Audio, read_audio, write_audio
from evals.gen_measure import interaural
from tests.tools.audio_measure import assert_agrees_with_registry

SR = 44100


def noise(seconds: float = 0.5, sr: int = SR) -> Audio:
    return Audio((0.1 * np.random.default_rng(7).standard_normal(int(seconds * sr))).astype(np.float32), sr)


def test_agrees_with_registry() -> None:
    assert_agrees_with_registry("tools.spatial", ["binauralize"])


@pytest.mark.parametrize("azimuth", [-150, -90, -45, 0, 30, 90, 135, 180])
def test_itd_and_ild_follow_the_head_model(azimuth: float) -> None:
    from tools.spatial import binauralize, woodworth_itd

    out = binauralize(noise(), azimuth=azimuth)
    assert out.channels == 2 and out.frames == int(0.5 * SR)
    itd, ild = interaural(out.samples, SR)
    assert abs(itd - woodworth_itd(azimuth)) < 50e-6, (itd, woodworth_itd(azimuth))
    if azimuth in (0, 180):
        assert abs(ild) < 0.1
    else:  # left of centre: louder and earlier on the left channel (channel 0), and vice versa
        assert np.sign(ild) == -np.sign(np.sin(np.radians(azimuth))) and abs(ild) > 6
        assert np.sign(itd) == np.sign(np.sin(np.radians(azimuth)))


def test_woodworth_values() -> None:
    from tools.spatial import woodworth_itd

    assert woodworth_itd(90) == pytest.approx(0.0875 / 343 * (np.pi / 2 + 1), rel=1e-9)  # 656 us
    assert woodworth_itd(-90) == -woodworth_itd(90) and woodworth_itd(180) == pytest.approx(0, abs=1e-12)
    assert woodworth_itd(60, 60) < woodworth_itd(60)  # above, the lateral angle shrinks


def _spectrum_db(x: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    from scipy.signal import welch

    f, p = welch(x, sr, nperseg=2048)
    return f, 10 * np.log10(p + 1e-20)


def test_elevation_moves_the_pinna_notch_and_behind_is_duller() -> None:
    from tools.spatial import binauralize

    x = noise(1.0)
    _, ref = _spectrum_db(x.samples[:, 0], SR)
    notches = []
    for el in (-30, 0, 40):
        y = binauralize(x, azimuth=0, elevation=el).samples
        f, s = _spectrum_db(y[:, 0], SR)
        band = (f > 4000) & (f < 15000)
        notches.append(f[band][np.argmin((s - ref)[band])])
    assert notches[0] < notches[1] < notches[2], notches
    assert notches[1] == pytest.approx(8000, rel=0.1)
    front = binauralize(x, azimuth=30).samples
    back = binauralize(x, azimuth=150).samples  # same lateral angle, so the same ITD
    f, sf = _spectrum_db(front.mean(axis=1), SR)
    _, sb = _spectrum_db(back.mean(axis=1), SR)
    hi = (f > 6000) & (f < 7000)  # above the shelf, below the notch
    assert 2.0 < np.mean(sf[hi] - sb[hi]) < 6.0
    assert interaural(front, SR)[0] == pytest.approx(interaural(back, SR)[0], abs=2e-6)


def test_a_still_path_equals_the_static_filter_and_a_moving_one_sweeps_without_clicks() -> None:
    from tools.spatial import _render_moving, binauralize

    x = noise(0.6)
    still = _render_moving(x.mono().astype(np.float64), SR, np.array([[0, 40.0, 10.0], [0.6, 40.0 + 1e-9, 10.0]]))
    assert np.max(np.abs(still - binauralize(x, azimuth=40, elevation=10).samples)) < 1e-6
    t = np.arange(2 * SR) / SR
    tone = Audio((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), SR)
    y = binauralize(tone, path=[0, -90, 0, 2, 90, 0]).samples
    first, last = y[: SR // 4], y[-SR // 4:]
    assert interaural(first, SR)[1] > 1 and interaural(last, SR)[1] < -1  # left at the start, right at the end (440 Hz: little shadow)
    f, s = _spectrum_db(y[:, 0], SR)
    assert np.max(s[f > 3000]) < np.max(s) - 60  # a click would spread energy far above the 440 Hz tone


@pytest.mark.parametrize("kwargs, message", [
    ({"azimuth": 200}, "azimuth 200 degrees is outside -180 to 180"),
    ({"azimuth": -181}, "outside -180 to 180"),
    ({"elevation": -60}, "elevation -60 degrees is outside -40 to 90"),
    ({"elevation": 91}, "outside -40 to 90"),
    ({"path": [0, -90, 0, 2, 90]}, "threes"),
    ({"path": [1, -90, 0, 0.5, 90, 0]}, "increasing order"),
    ({"path": [0, -90, 0, 2, 270, 0]}, "path keyframe azimuth 270"),
])
def test_out_of_range_angles_and_bad_paths_are_refused(kwargs, message: str) -> None:
    from tools.spatial import binauralize

    with pytest.raises(InvalidArguments, match=message):
        binauralize(noise(0.1), **kwargs)


def test_cli_from_my_left_gives_stereo_with_the_left_channel_leading(tmp_path: Path, isolated_home: Path) -> None:
    voice = tmp_path / "voice.wav"
    write_audio(noise(1.0, 22050), voice)
    env = {**os.environ, "AUDIOGENT_HOME": str(isolated_home)}
    env.pop("AUDIOGENT_LLM_BASE_URL", None)
    env.pop("OPENAI_API_KEY", None)
    proc = subprocess.run([sys.executable, "-m", "agent.cli", "run", "make this sound like it comes from my left",
                           "-i", str(voice), "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    res = json.loads(proc.stdout)
    assert [s["tool"] for s in res["steps"]] == ["binauralize"] and res["steps"][0]["args"]["azimuth"] == -90
    rec = {a["id"]: a for a in res["artifacts"]}[res["final"][0]]
    out = read_audio(rec["path"])
    assert out.channels == 2
    itd, ild = interaural(out.samples, out.sample_rate)
    assert itd == pytest.approx(-656e-6, abs=50e-6) and ild > 6  # the left ear hears it first and louder
