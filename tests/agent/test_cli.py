"""The command line, end to end, as a user runs it: real tools, real files, a session on disk."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agent.media import Audio, read_audio, write_audio
from tests.conftest import noise, tone

pytestmark = pytest.mark.slow


def audiogent(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUDIOGENT_HOME": str(home)}
    env.pop("AUDIOGENT_LLM_BASE_URL", None)
    env.pop("OPENAI_API_KEY", None)
    proc = subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True, text=True,
                          env=env, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}")
    return proc


def run_json(*args: str, home: Path, check: bool = True) -> tuple[dict, subprocess.CompletedProcess[str]]:
    proc = audiogent("run", *args, "--json", home=home, check=check)
    return json.loads(proc.stdout), proc


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)) + 1e-20))


def _final_audio(result: dict) -> tuple[Audio, dict]:
    arts = {a["id"]: a for a in result["artifacts"]}
    rec = arts[result["final"][0]]
    return read_audio(rec["path"]), rec


def test_tools_lists_every_tool_with_backend_availability(isolated_home: Path) -> None:
    rows = json.loads(audiogent("tools", "--json", home=isolated_home).stdout)
    names = {r["name"] for r in rows}
    assert {"trim", "transcribe", "text_to_speech", "denoise", "loudness_normalize", "convert"} <= names
    backends = {b["name"]: b["available"] for r in rows for b in r["backends"]}
    assert backends["piper-joe"] and backends["whisper-base"] and backends["espeak-ng"]
    human = audiogent("tools", home=isolated_home).stdout
    assert "speech recognition" in human and "whisper-base" in human


def test_main_job_then_refer_back_to_the_previous_result(isolated_home: Path) -> None:
    res, proc = run_json("read 'welcome to audiogent' aloud, then add a hall reverb and fade out the last second",
                         home=isolated_home)
    assert res["status"] == "ok", res
    assert [s["tool"] for s in res["steps"]] == ["text_to_speech", "reverb", "fade"]
    audio, rec = _final_audio(res)
    assert Path(rec["path"]).is_file() and rec["tool"] == "fade" and rec["source"].endswith("/s3")
    x = audio.mono()
    sr = audio.sample_rate
    assert audio.duration > 1.0 and _rms(x) > 0.01
    assert _rms(x[-int(0.05 * sr):]) < 0.05 * _rms(x[: -sr])  # the last second fades to near silence
    assert "reverb (room hall)" in res["answer"] and rec["id"] in res["answer"]  # says what it did and made

    slower, _ = run_json("make the previous result 20% slower", home=isolated_home)
    assert slower["status"] == "ok" and slower["plan"]["steps"][0]["args"]["audio"] == "@last"
    stretched, _ = _final_audio(slower)
    assert stretched.duration / audio.duration == pytest.approx(1.25, rel=0.02)

    shown = audiogent("sessions", "show", home=isolated_home).stdout
    assert "r1 [ok]" in shown and "r2 [ok]" in shown


def test_transcribe_and_tell_the_language(isolated_home: Path, tmp_path: Path) -> None:
    speech, _ = run_json("say the quick brown fox jumps over the lazy dog", home=isolated_home, )
    wav = _final_audio(speech)[1]["path"]
    res, proc = run_json("transcribe this and tell me the language", "-i", wav, home=isolated_home)
    assert res["status"] == "ok"
    assert "English" in res["answer"]
    # Piper's synthesis is random per call; Whisper sometimes mishears one word ("quit brown fox").
    said = "the quick brown fox jumps over the lazy dog".split()
    heard = re.sub(r"[^a-z ]", " ", res["answer"].lower()).split()
    assert sum(w in heard for w in said) >= len(said) - 2, res["answer"]
    human = audiogent("run", "transcribe this", "-i", wav, home=isolated_home).stdout
    assert "Plan (rules planner)" in human and "[ok  ] s1" in human and "Transcript" in human


def test_denoise_trim_level_and_save_as_mp3(isolated_home: Path, tmp_path: Path) -> None:
    import pyloudnorm

    sr = 16000
    x = tone(220, seconds=8.0, sr=sr, amp=0.2).mono() * (1 + 0.5 * np.sin(np.linspace(0, 40, 8 * sr)))
    src = tmp_path / "talk.wav"
    write_audio(Audio(x + noise(8.0, sr, 0.02).mono(), sr), src)
    before = src.read_bytes()
    out_dir = tmp_path / "out"
    res, _ = run_json("remove the background noise, cut the first 5 seconds, level it to -16 LUFS, save as mp3",
                      "-i", str(src), "-o", str(out_dir), home=isolated_home)
    assert res["status"] == "ok", res
    assert [s["tool"] for s in res["steps"]] == ["denoise", "trim", "loudness_normalize", "convert"]
    audio, rec = _final_audio(res)
    assert rec["format"] == "mp3" and rec["path"].endswith(".mp3")
    assert audio.duration == pytest.approx(3.0, abs=0.08)
    lufs = pyloudnorm.Meter(audio.sample_rate).integrated_loudness(audio.samples)
    assert lufs == pytest.approx(-16, abs=0.5)
    assert src.read_bytes() == before  # the user's file is untouched
    copied = [Path(p) for p in res["copied"]]
    assert len(copied) == 1 and copied[0].suffix == ".mp3" and copied[0].parent == out_dir
    res2, _ = run_json("save as mp3", "-i", str(src), "-o", str(out_dir), home=isolated_home)
    assert len(list(out_dir.iterdir())) == 2  # a second copy never overwrites the first


def test_plan_json_does_not_run_or_store_anything(isolated_home: Path, tmp_path: Path) -> None:
    src = tmp_path / "song.wav"
    write_audio(tone(seconds=1.0), src)
    out = json.loads(audiogent("plan", "pitch it up 3 semitones", "-i", str(src), "--json", home=isolated_home).stdout)
    assert out["outcome"] == "steps"
    assert out["plan"]["steps"] == [{"id": "s1", "tool": "pitch_shift", "args": {"audio": "@upload-1", "semitones": 3}}]
    assert not (isolated_home / "sessions" / "default" / "artifacts").exists() or not any(
        (isolated_home / "sessions" / "default" / "artifacts").iterdir())


def _manifest(home: Path) -> dict:
    return json.loads((home / "sessions" / "default" / "manifest.json").read_text())


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_text("this is not audio, just text\n" * 10), "text file, not audio"),
        (lambda p: p.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + os.urandom(3000)), "corrupt or not an audio file"),
    ],
    ids=["empty", "text-named-wav", "corrupt"],
)
def test_bad_files_get_a_clear_error_and_lose_nothing(isolated_home: Path, tmp_path: Path, make, message) -> None:
    good = tmp_path / "good.wav"
    write_audio(tone(seconds=1.0), good)
    first, _ = run_json("make it 3 dB louder", "-i", str(good), home=isolated_home)
    kept = _final_audio(first)[1]["path"]
    before = _manifest(isolated_home)

    bad = tmp_path / "bad.wav"
    make(bad)
    proc = audiogent("run", "make it 3 dB louder", "-i", str(bad), home=isolated_home, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr and "bad.wav" in proc.stderr
    after = _manifest(isolated_home)
    assert after["artifacts"] == before["artifacts"]
    assert Path(kept).is_file()


def test_missing_input_and_unknown_artifact_are_errors(isolated_home: Path) -> None:
    proc = audiogent("run", "transcribe this", "-i", "/nonexistent/x.wav", home=isolated_home, check=False)
    assert proc.returncode == 2 and "not found" in proc.stderr
    proc = audiogent("run", "make @audio-0123456789 louder by 3 dB", home=isolated_home, check=False)
    assert proc.returncode == 2 and "audio-0123456789" in proc.stderr


def test_six_channel_96k_input_is_adapted_not_rejected(isolated_home: Path, tmp_path: Path) -> None:
    src = tmp_path / "surround.wav"
    write_audio(tone(seconds=1.0, sr=96000, channels=6, amp=0.3), src)
    res, _ = run_json("make it 3 dB louder", "-i", str(src), home=isolated_home)
    audio, _ = _final_audio(res)
    assert (audio.sample_rate, audio.channels) == (96000, 6)
    asr, _ = run_json("transcribe this", "-i", str(src), home=isolated_home)
    assert asr["status"] == "ok"  # adapted to 16 kHz mono for Whisper


def test_sessions_are_separate_and_can_be_cleaned(isolated_home: Path) -> None:
    run_json("say hello", "--session", "alpha", home=isolated_home)
    proc = audiogent("run", "make the previous result 20% slower", "--session", "beta", "--json",
                     home=isolated_home, check=False)
    res = json.loads(proc.stdout)
    assert proc.returncode == 0 and res["status"] == "clarify"  # beta has no previous result: a question back
    assert "-i" in res["answer"]
    listing = audiogent("sessions", "list", home=isolated_home).stdout
    assert "alpha" in listing and "beta" in listing
    audiogent("sessions", "clean", "alpha", home=isolated_home)
    assert "alpha" not in audiogent("sessions", "list", home=isolated_home).stdout
