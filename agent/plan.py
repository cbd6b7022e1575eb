"""The plan the planner emits: a DAG of tool calls whose arguments may reference uploads, earlier
artifacts or other steps' outputs. Three outcomes: steps to run, `unsupported` (with a reason and
what is supported instead), or `clarify` (one question)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

STEP_ID = r"[A-Za-z][A-Za-z0-9_]{0,31}"
_REF = re.compile(r"^@(?P<target>[A-Za-z0-9][A-Za-z0-9_.-]*?)(?:\.(?P<output>[a-z][a-z0-9_]*))?$")


class PlanStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=f"^{STEP_ID}$", description="step id, e.g. s1")
    tool: str = Field(description="a tool name from the registry")
    args: dict[str, Any] = Field(default_factory=dict, description="argument name -> value or '@reference'")


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: list[PlanStep] = Field(default_factory=list)
    unsupported: str | None = Field(None, description="why the request cannot be done with these tools")
    instead: str | None = Field(None, description="with `unsupported`: what is supported instead")
    clarify: str | None = Field(None, description="one question to ask when the request is ambiguous")
    speak: bool = Field(False, description="the user asked to hear the answer spoken")

    @property
    def outcome(self) -> Literal["steps", "unsupported", "clarify"]:
        if self.unsupported:
            return "unsupported"
        if self.clarify:
            return "clarify"
        return "steps"

    def step(self, step_id: str) -> PlanStep | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(exclude_defaults=True)


@dataclass(frozen=True)
class Ref:
    """`@target` or `@target.output`: target is a step id, an alias (upload-1, last) or an artifact id."""

    target: str
    output: str | None = None

    def __str__(self) -> str:
        return f"@{self.target}" + (f".{self.output}" if self.output else "")


def parse_ref(value: Any) -> Ref | None:
    if not isinstance(value, str) or not value.startswith("@"):
        return None
    m = _REF.match(value.strip())
    if not m:
        return None
    return Ref(m.group("target"), m.group("output"))


def iter_refs(value: Any) -> list[Ref]:
    """Every reference in an argument value (lists included)."""
    if isinstance(value, list):
        return [r for v in value for r in iter_refs(v)]
    r = parse_ref(value)
    return [r] if r else []


def step_dependencies(plan: Plan) -> dict[str, set[str]]:
    ids = {s.id for s in plan.steps}
    deps: dict[str, set[str]] = {}
    for s in plan.steps:
        deps[s.id] = {r.target for v in s.args.values() for r in iter_refs(v) if r.target in ids}
    return deps
