"""Plan validation: each kind of mistake gives one specific, actionable problem."""

from __future__ import annotations

from typing import Any

import pytest

from agent.artifacts import ArtifactRecord
from agent.context import PlanContext
from agent.errors import PlanError
from agent.plan import Plan
from agent.planners.base import plan_request
from agent.validation import topological_order, validate_plan


def _rec(aid: str, kind: str = "audio") -> ArtifactRecord:
    return ArtifactRecord(id=aid, kind=kind, file=f"artifacts/{aid}", format="wav", bytes=1, sha256="0",
                          created=0, source="upload", meta={"duration": 3.0, "sample_rate": 16000, "channels": 1})


@pytest.fixture
def ctx() -> PlanContext:
    up = _rec("audio-aaaaaaaaaa")
    note = _rec("text-bbbbbbbbbb", "text")
    return PlanContext(uploads=[up], last=[], artifacts={up.id: up, note.id: note})


def _plan(*steps: dict[str, Any]) -> Plan:
    return Plan.model_validate({"steps": list(steps)})


def _problems(plan: Plan, registry, ctx) -> list[str]:
    with pytest.raises(PlanError) as e:
        validate_plan(plan, registry, ctx)
    return e.value.problems


def test_a_good_chain_validates_and_numbers_in_strings_are_normalised(registry, ctx) -> None:
    plan = _plan(
        {"id": "s1", "tool": "trim", "args": {"audio": "@upload-1", "start": "5"}},
        {"id": "s2", "tool": "loudness_normalize", "args": {"audio": "@s1", "target_lufs": -16}},
        {"id": "s3", "tool": "convert", "args": {"audio": "@s2.audio", "format": "mp3"}},
    )
    out = validate_plan(plan, registry, ctx)
    assert out.steps[0].args["start"] == 5.0
    assert topological_order(out) == ["s1", "s2", "s3"]


@pytest.mark.parametrize(
    "step, expected",
    [
        ({"tool": "revreb", "args": {"audio": "@upload-1"}}, "unknown tool 'revreb' (did you mean 'reverb'?)"),
        ({"tool": "trim", "args": {"audio": "@upload-1", "begin": 3}}, "trim has no argument 'begin'"),
        ({"tool": "gain", "args": {"audio": "@upload-1"}}, "gain needs argument 'db'"),
        ({"tool": "gain", "args": {"audio": "@upload-1", "db": "loud"}}, "db must be a number, got 'loud'"),
        ({"tool": "gain", "args": {"audio": "@upload-1", "db": 99}}, "db=99 dB is above the maximum 40 dB"),
        ({"tool": "change_tempo", "args": {"audio": "@upload-1", "rate": 0.1}}, "rate=0.1 is below the minimum 0.25"),
        ({"tool": "reverb", "args": {"audio": "@upload-1", "room": "garage"}}, "room='garage' is not one of small"),
        ({"tool": "gain", "args": {"audio": "@upload-2", "db": 3}}, "@upload-2 does not exist: this request has 1 input"),
        ({"tool": "gain", "args": {"audio": "@last", "db": 3}}, "@last does not exist: this session has no earlier result"),
        ({"tool": "gain", "args": {"audio": "@audio-ffffffffff", "db": 3}}, "neither a step of this plan nor an artifact"),
        ({"tool": "gain", "args": {"audio": "@s9", "db": 3}}, "neither a step of this plan nor an artifact"),
        ({"tool": "gain", "args": {"audio": "@text-bbbbbbbbbb", "db": 3}}, "audio needs audio but @text-bbbbbbbbbb is text"),
        ({"tool": "gain", "args": {"audio": "interview.wav", "db": 3}}, "must reference a audio artifact"),
        ({"tool": "transcribe", "args": {"audio": "@upload-1", "backend": "whisper-huge"}}, "has no backend 'whisper-huge'"),
    ],
)
def test_each_mistake_is_named(registry, ctx, step: dict[str, Any], expected: str) -> None:
    problems = _problems(_plan({"id": "s1", **step}), registry, ctx)
    assert any(expected in p for p in problems), problems


def test_wrong_output_name_and_kind_mismatch_between_steps(registry, ctx) -> None:
    problems = _problems(_plan(
        {"id": "s1", "tool": "transcribe", "args": {"audio": "@upload-1"}},
        {"id": "s2", "tool": "gain", "args": {"audio": "@s1.words", "db": 1}},
        {"id": "s3", "tool": "gain", "args": {"audio": "@s1", "db": 1}},
    ), registry, ctx)
    assert any("has no output 'words'" in p for p in problems)
    assert any("s3: audio needs audio but @s1 is text" in p for p in problems)


def test_cycles_and_duplicate_ids_are_refused(registry, ctx) -> None:
    cyc = _plan(
        {"id": "a", "tool": "gain", "args": {"audio": "@b", "db": 1}},
        {"id": "b", "tool": "gain", "args": {"audio": "@a", "db": 1}},
    )
    assert any("cycle" in p for p in _problems(cyc, registry, ctx))
    dup = _plan({"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 1}},
                {"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 2}})
    assert _problems(dup, registry, ctx) == ["step id 's1' is used twice"]
    selfref = _plan({"id": "s1", "tool": "gain", "args": {"audio": "@s1", "db": 1}})
    assert any("refers to itself" in p for p in _problems(selfref, registry, ctx))


def test_text_accepts_a_literal_or_a_transcript_and_lists_take_references(registry, ctx) -> None:
    plan = _plan(
        {"id": "s1", "tool": "transcribe", "args": {"audio": "@upload-1"}},
        {"id": "s2", "tool": "text_to_speech", "args": {"text": "@s1.text"}},
        {"id": "s3", "tool": "text_to_speech", "args": {"text": "hello there"}},
        {"id": "s4", "tool": "concatenate", "args": {"clips": ["@s2", "@s3", "@upload-1"]}},
    )
    validate_plan(plan, registry, ctx)
    short = _plan({"id": "s1", "tool": "concatenate", "args": {"clips": ["@upload-1"]}})
    assert any("at least 2 items" in p for p in _problems(short, registry, ctx))


def test_unsupported_and_clarify_are_valid_outcomes(registry, ctx) -> None:
    assert validate_plan(Plan(unsupported="no translation tool", instead="editing"), registry, ctx).outcome == "unsupported"
    assert validate_plan(Plan(clarify="Which file?"), registry, ctx).outcome == "clarify"
    assert any("no steps" in p for p in _problems(Plan(), registry, ctx))


class _ScriptedPlanner:
    """Injects a planner fault: the first plan is invalid; a repairing planner fixes it."""

    name = "scripted"

    def __init__(self, can_repair: bool, second: Plan) -> None:
        self.can_repair = can_repair
        self.second = second
        self.feedback: list[list[str] | None] = []

    def plan(self, request, ctx, registry, feedback=None, previous=None) -> Plan:
        self.feedback.append(feedback)
        if feedback is None:
            return _plan({"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 500}})
        return self.second


def test_validation_errors_go_back_to_the_planner_once(registry, ctx) -> None:
    good = _plan({"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 6}})
    p = _ScriptedPlanner(True, good)
    assert plan_request(p, "louder", ctx, registry).steps[0].args["db"] == 6
    assert p.feedback[0] is None and "above the maximum" in p.feedback[1][0]

    still_bad = _plan({"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 400}})
    p2 = _ScriptedPlanner(True, still_bad)
    with pytest.raises(PlanError, match="400"):
        plan_request(p2, "louder", ctx, registry)
    assert len(p2.feedback) == 2

    p3 = _ScriptedPlanner(False, good)
    with pytest.raises(PlanError, match="500"):
        plan_request(p3, "louder", ctx, registry)
    assert len(p3.feedback) == 1
