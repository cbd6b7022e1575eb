"""Agent.run_plan (a plan made elsewhere, validated before it runs) and Agent.run with artifacts
already in the session: what the HTTP API and the studio's avatar page use."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.artifacts import Session
from agent.core import Agent, make_planner
from agent.errors import PlanError
from agent.ingest import ingest
from agent.media import read_audio, write_audio
from agent.plan import Plan
from tests.conftest import tone


@pytest.fixture
def agent(tmp_path: Path) -> tuple[Agent, Path]:
    wav = tmp_path / "tone.wav"
    write_audio(tone(440, seconds=1.0, amp=0.2), wav)
    return Agent(Session.open("given"), make_planner("rules")), wav


def test_a_given_plan_runs_after_validation(agent: tuple[Agent, Path]) -> None:
    a, wav = agent
    plan = Plan.model_validate({"steps": [{"id": "cut", "tool": "trim", "args": {"audio": "@upload-1", "start": 0.25}}]})
    res = a.run_plan(plan, "cut the start", [wav])
    assert res.status == "ok" and res.run.planner == "given" and res.run.request == "cut the start"
    out = res.artifacts[res.run.final[0]]
    assert read_audio(a.session.path(out)).duration == pytest.approx(0.75, abs=0.01)
    assert plan.steps[0].args == {"audio": "@upload-1", "start": 0.25}  # the caller's plan is left as it was


def test_an_invalid_given_plan_records_nothing(agent: tuple[Agent, Path]) -> None:
    a, wav = agent
    plan = Plan.model_validate({"steps": [{"id": "s1", "tool": "gain", "args": {"audio": "@upload-1"}},
                                          {"id": "s2", "tool": "gian", "args": {}}]})
    with pytest.raises(PlanError) as e:
        a.run_plan(plan, inputs=[wav])
    assert any("'db'" in p for p in e.value.problems) and any("gian" in p for p in e.value.problems)
    assert a.session.manifest.runs == []


def test_run_with_artifacts_already_in_the_session(agent: tuple[Agent, Path]) -> None:
    a, wav = agent
    [up] = ingest(a.session, [wav])
    res = a.run("make it 6 dB louder", uploads=[up])
    assert res.status == "ok" and res.run.uploads == [up.id]
    assert res.run.plan["steps"][0]["args"]["audio"] == "@upload-1"
    assert len(a.session.manifest.artifacts) == 2  # the upload was not copied in again
