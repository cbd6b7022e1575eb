"""transfer_prosody: the output's pitch level and range, speaking rate and level move to the reference's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agent.errors import BackendUnavailable, BadInput, InvalidArguments, PlanError
from agent.media import Audio
from tests.tools.audio_measure import assert_agrees_with_registry

SOURCE = "Please send the report to the office before noon on Friday."
REFERENCE = "She opened the window and listened to the rain on the roof."


def test_agrees_with_registry() -> None:
    assert_agrees_with_registry("tools.prosody", ["transfer_prosody"])


@pytest.fixture(scope="module")
def pair():
    """Source at normal speed; reference: other words, 35% faster, 4 semitones up, 8 dB quieter.
    Piper's sampling noise is off so the test measures the tool, not Piper's run-to-run variation."""
    from tools.effects import gain, pitch_shift
    from tools.tts import PiperBackend

    piper = PiperBackend()
    src = piper.synthesize(SOURCE, 1.0, noise=0.0)
    ref = gain(pitch_shift(piper.synthesize(REFERENCE, 1.35, noise=0.0), 4.0), -8.0)
    return src, ref


@pytest.fixture(scope="module")
def converted(pair):
    from tools.prosody import transfer_prosody

    return transfer_prosody(*pair)


def test_pitch_rate_and_level_move_to_the_reference(pair, converted) -> None:
    from tools.prosody import speech_stats

    src, ref = pair
    s, r, o = speech_stats(src), speech_stats(ref), speech_stats(converted["audio"])
    st = lambda a, b: abs(12 * np.log2(a / b))
    before, after = st(s["f0_median_hz"], r["f0_median_hz"]), st(o["f0_median_hz"], r["f0_median_hz"])
    assert before > 2.0 and after < 1.0 and after < 0.4 * before, (s, r, o)
    rate = lambda x: abs(x["articulation_rate_syl_per_s"] / r["articulation_rate_syl_per_s"] - 1)
    assert rate(o) < rate(s), (s, r, o)
    assert abs(o["level_dbfs"] - r["level_dbfs"]) < 0.5 < abs(s["level_dbfs"] - r["level_dbfs"])
    rep = converted["report"]
    # a faster reference shortens the speech (by how much depends on the syllable counts of two different sentences)
    assert rep["stretch"] < 1.0
    assert converted["audio"].duration == pytest.approx(src.duration * rep["stretch"], rel=0.03)
    assert rep["pitch_shift_semitones"] > 2.0 and rep["formant_warp"] == 1.0  # timbre off by default
    assert converted["audio"].channels == 1 and np.max(np.abs(converted["audio"].samples)) < 1.0


def test_strength_moves_part_of_the_way_and_zero_changes_nothing(pair, converted) -> None:
    from tools.prosody import transfer_prosody

    src, ref = pair
    half = transfer_prosody(src, ref, strength=0.5)["report"]
    full = converted["report"]
    assert half["pitch_shift_semitones"] == pytest.approx(full["pitch_shift_semitones"] / 2, abs=0.01)
    assert half["stretch"] == pytest.approx(full["stretch"] ** 0.5, abs=0.01)
    none = transfer_prosody(src, ref, strength=0)
    assert np.array_equal(none["audio"].samples, src.samples)


def test_formant_scale_is_recovered_and_timbre_applies_a_limited_warp(piper_speech) -> None:
    from tools.prosody import _mean_envelope_db, _warp_envelope, analyze, formant_scale, load_pyworld, transfer_prosody

    pw = load_pyworld()
    a = piper_speech(SOURCE)
    x, sr = a.mono().astype(np.float64), a.sample_rate
    an = analyze(x, sr, "src")
    sp, ap = pw.cheaptrick(x, an.f0, an.t, sr), pw.d4c(x, an.f0, an.t, sr)
    warped = pw.synthesize(an.f0, _warp_envelope(sp, 1.1), ap, sr, 5.0)  # the same words, formants 10% up
    b = analyze(warped, sr, "ref")
    assert formant_scale(_mean_envelope_db(x, sr, an.f0, an.t, sp), _mean_envelope_db(warped, sr, b.f0, b.t)) == \
        pytest.approx(1.1, abs=0.02)
    rep = transfer_prosody(a, Audio(warped.astype(np.float32), sr), timbre=True)["report"]
    assert rep["formant_warp"] == pytest.approx(1.1, abs=0.02) and rep["timbre"] is True


def test_errors(piper_speech, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.prosody import _MASKGCT, transfer_prosody

    src = piper_speech(SOURCE)
    silence = Audio(np.zeros(22050, np.float32), 22050)
    with pytest.raises(BadInput, match="too little voiced speech"):
        transfer_prosody(src, silence)
    with pytest.raises(InvalidArguments, match="strength"):
        transfer_prosody(src, src, strength=1.5)
    monkeypatch.setenv("AUDIOGENT_MASKGCT_DIR", str(tmp_path / "maskgct"))
    with pytest.raises(BackendUnavailable, match=r"backend `maskgct` needs weights at .*maskgct; see docs/generation.md"):
        transfer_prosody(src, src, backend=_MASKGCT)
    (tmp_path / "maskgct").mkdir()
    (tmp_path / "maskgct" / "t2s_model.safetensors").write_bytes(b"\0")
    with pytest.raises(BackendUnavailable, match="adapter is not implemented yet"):
        _MASKGCT.check()


def test_a_plan_without_a_reference_is_refused(registry) -> None:
    from agent.context import PlanContext
    from agent.plan import Plan, PlanStep
    from agent.validation import validate_plan

    plan = Plan(steps=[PlanStep(id="s1", tool="text_to_speech", args={"text": "hi"}),
                       PlanStep(id="s2", tool="transfer_prosody", args={"audio": "@s1"})])
    with pytest.raises(PlanError, match="transfer_prosody needs argument 'reference'"):
        validate_plan(plan, registry, PlanContext(uploads=[], last=[], artifacts={}))
