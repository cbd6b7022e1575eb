"""Shared helpers for the rule-planner tests: fake artifact records and 'plan, validate, list the steps'."""

from __future__ import annotations

from typing import Any

from agent.artifacts import ArtifactRecord
from agent.context import PlanContext
from agent.planners.rules import RulePlanner
from agent.registry import Registry
from agent.validation import validate_plan


def fake_record(i: int, kind: str, name: str) -> ArtifactRecord:
    """An artifact record with a stable id and creation order; no file behind it (planning only)."""
    return ArtifactRecord(id=f"{kind}-{i:010d}", kind=kind, file=f"artifacts/{kind}-{i}.bin",
                          format=name.split(".")[-1], bytes=1, sha256="0" * 64, created=float(i),
                          source="upload", original_name=name)


def steps_of(request: str, ctx: PlanContext, registry: Registry) -> list[tuple[str, dict[str, Any]]]:
    """The rule planner's steps for a request, after checking the plan is `steps` and validates."""
    plan = RulePlanner().plan(request, ctx, registry)
    assert plan.outcome == "steps", (request, plan.to_json())
    validate_plan(plan.model_copy(deep=True), registry, ctx)  # raises PlanError if invalid
    return [(s.tool, s.args) for s in plan.steps]
