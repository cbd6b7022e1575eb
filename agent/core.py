"""The agent: ingest inputs, plan, validate, execute, answer. The CLI and any server call this;
none of them repeat it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.artifacts import DEFAULT_MAX_UPLOAD_BYTES, ArtifactRecord, RunRecord, Session, StepRecord
from agent.context import PlanContext
from agent.errors import AudiogentError, BadInput
from agent.executor import Executor
from agent.ingest import ingest
from agent.plan import Plan
from agent.planners.base import Planner, plan_request
from agent.registry import Registry, default_registry
from agent.responder import compose_answer, final_artifacts
from agent.validation import validate_plan

MAX_REQUEST_CHARS = 2000
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class RunResult:
    session: Session
    run: RunRecord
    plan: Plan | None
    artifacts: dict[str, ArtifactRecord] = field(default_factory=dict)  # everything this run made or used

    @property
    def status(self) -> str:
        return self.run.status

    def to_json(self) -> dict[str, Any]:
        return {
            "session": self.session.name,
            "workspace": str(self.session.root),
            "run": self.run.id,
            "request": self.run.request,
            "planner": self.run.planner,
            "status": self.run.status,
            "plan": self.run.plan,
            "steps": [s.model_dump() for s in self.run.steps],
            "artifacts": [
                {**a.model_dump(), "path": str(self.session.path(a))} for a in self.artifacts.values()
            ],
            "final": self.run.final,
            "answer": self.run.answer,
        }


def make_planner(name: str = "auto", llm_overrides: dict[str, Any] | None = None) -> Planner:
    """`rules`, `llm` (an OpenAI-compatible endpoint from flags/env), or `auto` (llm when configured)."""
    from agent.planners.rules import RulePlanner

    if name == "rules":
        return RulePlanner()
    from agent.llm import LLMConfig

    config = LLMConfig.from_env(**(llm_overrides or {}))
    if name == "llm" or (name == "auto" and config.is_configured):
        from agent.planners.llm import LLMPlanner

        return LLMPlanner(config)
    return RulePlanner()


class Agent:
    def __init__(
        self,
        session: Session,
        planner: Planner,
        registry: Registry | None = None,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
        step_timeout: float = 900.0,
    ) -> None:
        self.session = session
        self.planner = planner
        self.registry = registry or default_registry()
        self.max_upload_bytes = max_upload_bytes
        self.executor = Executor(self.registry, session, step_timeout=step_timeout)

    def ingest(self, inputs: list[Path]) -> list[ArtifactRecord]:
        return ingest(self.session, inputs, self.max_upload_bytes)

    def plan(self, request: str, uploads: list[ArtifactRecord]) -> tuple[Plan, PlanContext]:
        if len(request) > MAX_REQUEST_CHARS:
            # Requests are instructions, not documents; the rule planner's cost grows super-linearly
            # with very long number runs, so a cap keeps one request from stalling a server.
            raise BadInput(f"the request is {len(request)} characters long; the limit is {MAX_REQUEST_CHARS}",
                           "shorten it; put long text to speak in a text file and attach it")
        ctx = PlanContext.from_session(self.session, uploads)
        return plan_request(self.planner, request, ctx, self.registry), ctx

    def run(
        self,
        request: str,
        inputs: list[Path] | None = None,
        on_plan: Callable[[Plan], None] | None = None,
        on_step: Callable[[StepRecord], None] | None = None,
        uploads: list[ArtifactRecord] | None = None,
    ) -> RunResult:
        """Plan and run a request. Planning errors (bad input, invalid plan, LLM down) are recorded on
        the run and re-raised; step failures are recorded and the run goes on. `uploads` are artifacts
        already in the session (uploaded earlier, e.g. through the HTTP API) that count as this
        request's inputs after the `inputs` files."""
        uploads = self.ingest(inputs or []) + list(uploads or [])
        run = self._new_run(request, uploads, self.planner.name)
        try:
            plan, ctx = self.plan(request, uploads)
        except AudiogentError as e:
            run.status = "plan_failed"
            run.answer = str(e)
            self.session.save_run(run)
            raise
        return self._execute(run, plan, ctx, on_plan, on_step)

    def run_plan(
        self,
        plan: Plan,
        request: str = "",
        inputs: list[Path] | None = None,
        uploads: list[ArtifactRecord] | None = None,
        on_plan: Callable[[Plan], None] | None = None,
        on_step: Callable[[StepRecord], None] | None = None,
    ) -> RunResult:
        """Run a plan made elsewhere (an API client, a fixed recipe). It is validated against the
        session first: an invalid plan raises PlanError and records no run."""
        uploads = self.ingest(inputs or []) + list(uploads or [])
        ctx = PlanContext.from_session(self.session, uploads)
        plan = validate_plan(plan.model_copy(deep=True), self.registry, ctx)
        run = self._new_run(request or "(a given plan)", uploads, "given")
        return self._execute(run, plan, ctx, on_plan, on_step)

    def _new_run(self, request: str, uploads: list[ArtifactRecord], planner: str) -> RunRecord:
        run = self.session.new_run(request)
        run.uploads = [u.id for u in uploads]
        run.planner = planner
        return run

    def _execute(
        self,
        run: RunRecord,
        plan: Plan,
        ctx: PlanContext,
        on_plan: Callable[[Plan], None] | None,
        on_step: Callable[[StepRecord], None] | None,
    ) -> RunResult:
        run.plan = plan.to_json()
        run.status = "running"
        self.session.save_run(run)
        if on_plan:
            on_plan(plan)
        if plan.outcome == "steps":
            self.executor.execute(plan, ctx, run, on_step=on_step)
            statuses = {s.status for s in run.steps}
            run.status = "ok" if statuses == {"ok"} else ("failed" if "ok" not in statuses else "partial")
            run.final = final_artifacts(plan, run, set(self.session.manifest.artifacts))
        else:
            run.status = plan.outcome
        run.answer = compose_answer(plan, run, self.session)
        if plan.speak and run.answer:
            self._speak(run, ctx, on_step)
        self.session.save_run(run)
        arts = self.session.manifest.artifacts
        used = set(run.uploads) | {v for s in run.steps for v in s.outputs.values() if isinstance(v, str)}
        return RunResult(self.session, run, plan, {a: arts[a] for a in arts if a in used})

    def _speak(self, run: RunRecord, ctx: PlanContext, on_step: Callable[[StepRecord], None] | None) -> None:
        """Read the answer aloud as one more step, so it is stored and shown like any other output."""
        if "text_to_speech" not in self.registry:
            return
        args: dict[str, Any] = {"text": run.answer}
        if _CJK.search(run.answer):
            args["language"] = "zh"
        speech_plan = Plan.model_validate({"steps": [{"id": "answer", "tool": "text_to_speech", "args": args}]})
        before = list(run.steps)
        self.executor.execute(speech_plan, ctx, run, on_step=on_step)
        run.steps = before + run.steps
        said = run.steps[-1]
        if said.status == "ok":
            run.final = run.final + [v for v in said.outputs.values() if isinstance(v, str)]

