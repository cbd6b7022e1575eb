"""The planner contract, and the plan-validate-repair loop every planner goes through."""

from __future__ import annotations

from typing import Protocol

from agent.context import PlanContext
from agent.errors import PlanError
from agent.plan import Plan
from agent.registry import Registry
from agent.validation import validate_plan


class Planner(Protocol):
    """Turns a request into a Plan. `feedback` carries the problems validation found in the
    previous attempt (`previous`), so a planner that can learn from them (an LLM) repairs it."""

    name: str
    can_repair: bool

    def plan(
        self,
        request: str,
        ctx: PlanContext,
        registry: Registry,
        feedback: list[str] | None = None,
        previous: Plan | None = None,
    ) -> Plan: ...


def plan_request(planner: Planner, request: str, ctx: PlanContext, registry: Registry) -> Plan:
    """Plan, validate, and feed validation errors back to the planner once; raise PlanError if the
    repaired plan is still invalid."""
    plan = planner.plan(request, ctx, registry)
    try:
        return validate_plan(plan, registry, ctx)
    except PlanError as first:
        if not planner.can_repair:
            raise
        repaired = planner.plan(request, ctx, registry, feedback=first.problems, previous=plan)
        try:
            return validate_plan(repaired, registry, ctx)
        except PlanError as second:
            raise PlanError(
                second.problems,
                f"the {planner.name} planner could not repair its plan; rephrase the request or use --planner rules",
            ) from second
