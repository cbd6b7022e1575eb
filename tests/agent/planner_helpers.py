"""Shared helpers for the rule-planner tests: fake artifact records and 'plan, validate, list the steps'."""

from __future__ import annotations

from typing import Any

from agent.artifacts import ArtifactRecord
from agent.context import PastRun, PlanContext
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


class FakeSession:
    """A fake session history: each run's uploads and what its steps made (tool, kind, input)."""

    def __init__(self) -> None:
        self.arts: dict[str, ArtifactRecord] = {}
        self.runs: list[PastRun] = []
        self.n = 0

    def _rec(self, kind: str, tool: str | None = None, inputs: list[str] | None = None) -> ArtifactRecord:
        self.n += 1
        a = ArtifactRecord(id=f"{kind}-{self.n:010x}", kind=kind, file="f", format="wav", bytes=1, sha256="0",
                           created=float(self.n), source="upload" if tool is None else f"r/s{self.n}", tool=tool,
                           inputs=inputs or [], original_name=f"take{self.n}.wav" if tool is None else None)
        self.arts[a.id] = a
        return a

    def run(self, uploads: int = 0, steps: tuple[str, ...] = (), request: str = "...",
            args: dict[str, dict[str, Any]] | None = None, upload_kind: str = "audio",
            ) -> tuple[list[ArtifactRecord], list[ArtifactRecord]]:
        ups = [self._rec(upload_kind) for _ in range(uploads)]
        made: list[ArtifactRecord] = []
        cur = ups[0] if ups else None
        for tool in steps:
            kind = {"transcribe": "text", "audio_info": "json"}.get(tool, "audio")
            a = self._rec(kind, tool, [cur.id] if cur is not None else [])
            made.append(a)
            if kind == "audio":
                cur = a
        outs = [cur] if cur is not None and made and cur in made else made[-1:]
        planned = [{"id": f"s{i}", "tool": t, "args": (args or {}).get(t, {})} for i, t in enumerate(steps, 1)]
        self.runs.append(PastRun(id=f"r{len(self.runs) + 1}", request=request, uploads=ups, outputs=outs, made=made,
                                 steps=planned))
        return ups, outs

    def ctx(self, uploads: int = 0) -> PlanContext:
        new = [self._rec("audio") for _ in range(uploads)]
        last = next((r.outputs for r in reversed(self.runs) if r.outputs), [])
        return PlanContext(uploads=new, last=last, artifacts=dict(self.arts), history=list(self.runs))
