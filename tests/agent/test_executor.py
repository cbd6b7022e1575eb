"""The executor: parallel independent steps, format adaptation, failures isolated to their step."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from agent.artifacts import Session
from agent.context import PlanContext
from agent.executor import Executor
from agent.ingest import ingest
from agent.media import read_audio, write_audio
from agent.plan import Plan
from agent.validation import validate_plan
from tests.conftest import tone


@pytest.fixture
def session() -> Session:
    return Session.open("exec")


def _upload(session: Session, tmp_path: Path, audio, name: str = "in.wav") -> PlanContext:
    p = tmp_path / name
    write_audio(audio, p)
    ups = ingest(session, [p])
    return PlanContext.from_session(session, ups)


def _run(registry, session: Session, ctx: PlanContext, steps: list[dict], **kw):
    plan = validate_plan(Plan.model_validate({"steps": steps}), registry, ctx)
    run = session.new_run("test")
    Executor(registry, session, **kw).execute(plan, ctx, run)
    return {s.id: s for s in run.steps}, run


def test_chain_output_is_stored_with_provenance(registry, session, tmp_path) -> None:
    ctx = _upload(session, tmp_path, tone(seconds=3.0, sr=22050))
    steps, run = _run(registry, session, ctx, [
        {"id": "s1", "tool": "trim", "args": {"audio": "@upload-1", "start": 1}},
        {"id": "s2", "tool": "gain", "args": {"audio": "@s1", "db": -6}},
    ])
    assert steps["s1"].status == steps["s2"].status == "ok"
    out = session.get(steps["s2"].outputs["audio"])
    assert out.source == f"{run.id}/s2" and out.tool == "gain" and out.inputs == [steps["s1"].outputs["audio"]]
    audio = read_audio(session.path(out))
    assert audio.duration == pytest.approx(2.0, abs=0.01)
    assert np.sqrt(np.mean(audio.samples**2)) == pytest.approx(0.5 / np.sqrt(2) / 2, rel=0.03)


def test_a_failing_step_skips_its_dependents_and_independent_steps_still_run(registry, session, tmp_path) -> None:
    ctx = _upload(session, tmp_path, tone(seconds=2.0))
    steps, _ = _run(registry, session, ctx, [
        {"id": "bad", "tool": "trim", "args": {"audio": "@upload-1", "start": 30}},
        {"id": "after", "tool": "gain", "args": {"audio": "@bad", "db": 3}},
        {"id": "other", "tool": "fade", "args": {"audio": "@upload-1", "fade_out": 0.5}},
    ])
    assert steps["bad"].status == "failed" and "2.0" in steps["bad"].error and steps["bad"].suggestion
    assert steps["after"].status == "skipped" and "bad" in steps["after"].error
    assert steps["other"].status == "ok"


def test_a_crashing_tool_fails_only_its_step(registry, session, tmp_path, monkeypatch) -> None:
    ctx = _upload(session, tmp_path, tone(seconds=1.0))
    impl = registry["gain"].impl

    def crash(**kwargs):
        raise ZeroDivisionError("injected fault")

    monkeypatch.setattr(impl, "func", crash)
    steps, _ = _run(registry, session, ctx, [
        {"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 3}},
        {"id": "s2", "tool": "fade", "args": {"audio": "@upload-1", "fade_in": 0.2}},
    ])
    assert steps["s1"].status == "failed" and steps["s1"].error_type == "ToolFailed"
    assert "ZeroDivisionError: injected fault" in steps["s1"].error
    assert steps["s2"].status == "ok"


def test_a_hung_step_times_out_and_the_run_goes_on(registry, session, tmp_path, monkeypatch) -> None:
    ctx = _upload(session, tmp_path, tone(seconds=1.0))
    impl = registry["gain"].impl
    release = threading.Event()

    def hang(**kwargs):
        release.wait(30)
        raise RuntimeError("released")

    monkeypatch.setattr(impl, "func", hang)
    t0 = time.monotonic()
    steps, _ = _run(registry, session, ctx, [
        {"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 3}},
        {"id": "s2", "tool": "fade", "args": {"audio": "@upload-1", "fade_in": 0.2}},
    ], step_timeout=1.0)
    release.set()
    assert time.monotonic() - t0 < 10
    assert steps["s1"].status == "failed" and steps["s1"].error_type == "StepTimeout"
    assert steps["s2"].status == "ok"


def test_independent_steps_run_in_parallel(registry, session, tmp_path, monkeypatch) -> None:
    ctx = _upload(session, tmp_path, tone(seconds=1.0))
    impl = registry["gain"].impl
    original = impl.func
    inside, peak = [0], [0]
    lock = threading.Lock()

    def slow_gain(**kwargs):
        with lock:
            inside[0] += 1
            peak[0] = max(peak[0], inside[0])
        time.sleep(0.3)
        with lock:
            inside[0] -= 1
        return original(**kwargs)

    monkeypatch.setattr(impl, "func", slow_gain)
    steps, _ = _run(registry, session, ctx, [
        {"id": "a", "tool": "gain", "args": {"audio": "@upload-1", "db": 1}},
        {"id": "b", "tool": "gain", "args": {"audio": "@upload-1", "db": 2}},
    ])
    assert {s.status for s in steps.values()} == {"ok"}
    assert peak[0] == 2


def test_audio_is_adapted_to_what_a_tool_declares(registry, session, tmp_path, monkeypatch) -> None:
    """transcribe declares 16 kHz mono; a 44.1 kHz stereo upload reaches it converted."""
    ctx = _upload(session, tmp_path, tone(seconds=1.0, sr=44100, channels=2))
    seen = {}

    def fake_asr(audio, language=None, backend=None):
        seen["sr"], seen["ch"], seen["dur"] = audio.sample_rate, audio.channels, audio.duration
        raise RuntimeError("stop here")

    monkeypatch.setattr(registry["transcribe"].impl, "func", fake_asr)
    _run(registry, session, ctx, [{"id": "s1", "tool": "transcribe", "args": {"audio": "@upload-1"}}])
    assert seen == {"sr": 16000, "ch": 1, "dur": pytest.approx(1.0, abs=0.001)}


def test_mixed_formats_are_aligned_between_steps(registry, session, tmp_path) -> None:
    p1, p2 = tmp_path / "a.wav", tmp_path / "b.flac"
    write_audio(tone(seconds=1.0, sr=22050), p1)
    write_audio(tone(330, seconds=0.5, sr=48000, channels=2), p2, "flac")
    ups = ingest(session, [p1, p2])
    ctx = PlanContext.from_session(session, ups)
    steps, _ = _run(registry, session, ctx, [
        {"id": "s1", "tool": "concatenate", "args": {"clips": ["@upload-1", "@upload-2"]}},
    ])
    assert steps["s1"].status == "ok", steps["s1"].error
    out = read_audio(session.path(session.get(steps["s1"].outputs["audio"])))
    assert out.sample_rate == 22050 and out.duration == pytest.approx(1.5, abs=0.01)


def test_the_step_records_the_backend_that_really_ran(registry, session) -> None:
    """text_to_speech is handed Piper (first available) but speaks German with espeak-ng."""
    ctx = PlanContext.from_session(session, [])
    steps, _ = _run(registry, session, ctx, [
        {"id": "de", "tool": "text_to_speech", "args": {"text": "guten Tag", "language": "de"}},
        {"id": "en", "tool": "text_to_speech", "args": {"text": "good day"}},
    ])
    assert (steps["de"].backend, steps["en"].backend) == ("espeak-ng", "piper-joe")
