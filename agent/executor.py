"""Runs a validated plan: independent steps in parallel, formats adapted between steps, every output
stored as an artifact with provenance. A failing step is recorded with its cause and a suggestion;
the steps that depend on it are skipped; the rest of the plan still runs."""

from __future__ import annotations

import inspect
import json
import logging
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from agent.artifacts import ArtifactRecord, RunRecord, Session, StepRecord
from agent.context import PlanContext
from agent.errors import (
    AudiogentError,
    BackendUnavailable,
    BadInput,
    InvalidArguments,
    StepTimeout,
    ToolFailed,
)
from agent.media import Audio, audio_metadata, read_audio, write_audio
from agent.plan import Plan, PlanStep, parse_ref, step_dependencies
from agent.registry import RegisteredTool, Registry
from agent.specs import ParamSpec
from agent.validation import topological_order
from tools.base import FileOutput, ToolContext

log = logging.getLogger(__name__)

StepListener = Callable[[StepRecord], None]


@dataclass
class _StepOutputs:
    """What a finished step produced: output name -> artifact record or plain value."""

    values: dict[str, Any] = field(default_factory=dict)


def _suggestion(err: BaseException, tool: str) -> str:
    if isinstance(err, AudiogentError) and err.hint:
        return err.hint
    if isinstance(err, BadInput):
        return "check the input file: re-export it as wav/flac/mp3/ogg"
    if isinstance(err, InvalidArguments):
        return f"change the arguments of {tool} (see `audiogent tools`)"
    if isinstance(err, BackendUnavailable):
        return "see `audiogent tools` for what this tool needs"
    if isinstance(err, StepTimeout):
        return "try a shorter clip, or raise --step-timeout"
    return f"{tool} failed on this input; try other arguments or another input"


class Executor:
    def __init__(
        self,
        registry: Registry,
        session: Session,
        max_workers: int = 2,
        step_timeout: float = 900.0,
    ) -> None:
        self.registry = registry
        self.session = session
        self.max_workers = max_workers
        self.step_timeout = step_timeout

    # ------------------------------------------------------------------ public
    def execute(
        self, plan: Plan, ctx: PlanContext, run: RunRecord, on_step: StepListener | None = None
    ) -> list[StepRecord]:
        """Run every step; return their records in plan order (also stored on `run`)."""
        order = topological_order(plan)
        deps = step_dependencies(plan)
        records: dict[str, StepRecord] = {}
        outputs: dict[str, _StepOutputs] = {}
        pending = list(order)
        running: dict[Future[tuple[_StepOutputs, str | None]], tuple[PlanStep, float, float]] = {}

        def finish(rec: StepRecord) -> None:
            records[rec.id] = rec
            run.steps = [records[s.id] for s in plan.steps if s.id in records]
            self.session.save_run(run)
            if on_step:
                on_step(rec)

        pool = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="step")
        try:
            while pending or running:
                # Skip steps whose inputs failed; start steps whose inputs are ready.
                for sid in list(pending):
                    step = plan.step(sid)
                    assert step is not None
                    failed = [d for d in deps[sid] if d in records and records[d].status != "ok"]
                    if failed:
                        pending.remove(sid)
                        finish(StepRecord(
                            id=sid, tool=step.tool, args=step.args, status="skipped",
                            error=f"not run: it needs the output of step {', '.join(sorted(failed))}, which did not finish",
                            error_type="Skipped",
                        ))
                    elif all(d in outputs for d in deps[sid]) and len(running) < self.max_workers:
                        pending.remove(sid)
                        fut = pool.submit(self._run_step, step, ctx, outputs, run)
                        running[fut] = (step, time.monotonic(), time.time())
                if not running:
                    continue
                done, _ = wait(list(running), timeout=1.0, return_when=FIRST_COMPLETED)
                now = time.monotonic()
                for fut in list(running):
                    step, started, wall = running[fut]
                    if fut in done:
                        del running[fut]
                        finish(self._record(step, fut, outputs, now - started).model_copy(update={"started_at": wall}))
                    elif now - started > self.step_timeout:
                        # The thread cannot be killed; its late result is ignored.
                        del running[fut]
                        err = StepTimeout(f"step {step.id} ({step.tool}) ran past {self.step_timeout:.0f} s")
                        finish(self._failed(step, err, now - started).model_copy(update={"started_at": wall}))
        finally:
            # Don't wait for a timed-out step's thread: its result is ignored anyway.
            pool.shutdown(wait=False, cancel_futures=True)
        return run.steps

    # ------------------------------------------------------------------ one step
    def _record(self, step: PlanStep, fut: Future[tuple[_StepOutputs, str | None]],
                outputs: dict[str, _StepOutputs], seconds: float) -> StepRecord:
        try:
            produced, backend = fut.result()
        except BaseException as e:  # noqa: BLE001 - a tool crash fails its step, not the process
            log.debug("step %s failed", step.id, exc_info=True)
            return self._failed(step, e, seconds)
        outputs[step.id] = produced
        shown = {k: (v.id if isinstance(v, ArtifactRecord) else v) for k, v in produced.values.items()}
        return StepRecord(id=step.id, tool=step.tool, args=step.args, status="ok", outputs=shown,
                          backend=backend, seconds=round(seconds, 3))

    def _failed(self, step: PlanStep, err: BaseException, seconds: float) -> StepRecord:
        if not isinstance(err, AudiogentError):
            err = ToolFailed(f"{step.tool} crashed: {type(err).__name__}: {err}")
        return StepRecord(
            id=step.id, tool=step.tool, args=step.args, status="failed", error=err.message,
            error_type=type(err).__name__, suggestion=_suggestion(err, step.tool), seconds=round(seconds, 3),
        )

    def _run_step(self, step: PlanStep, ctx: PlanContext, outputs: dict[str, _StepOutputs],
                  run: RunRecord) -> tuple[_StepOutputs, str | None]:
        tool = self.registry[step.tool]
        args = dict(step.args)
        wanted_backend = args.pop("backend", None)
        consumed: list[str] = []
        kwargs = {name: self._resolve(tool.spec.inputs[name], value, ctx, outputs, consumed)
                  for name, value in args.items()}
        backend = tool.pick_backend(wanted_backend)
        backend.ensure_loaded()
        params = inspect.signature(tool.impl.func).parameters
        if "backend" in params:
            kwargs["backend"] = backend
        tctx = None
        if "ctx" in params:
            tctx = ToolContext(step_id=step.id, scratch_dir=self.session.scratch(f"{run.id}-{step.id}"))
            kwargs["ctx"] = tctx
        result = tool.impl.func(**kwargs)
        used = (tctx.backend_used if tctx else None) or backend.name
        return self._store(tool, step, result, consumed, run), used

    # ------------------------------------------------------------------ inputs
    def _resolve(self, p: ParamSpec, value: Any, ctx: PlanContext, outputs: dict[str, _StepOutputs],
                 consumed: list[str]) -> Any:
        if p.type == "list":
            item = ParamSpec(type=p.items or "string", description="", sample_rate=p.sample_rate, channels=p.channels)
            return [self._resolve(item, v, ctx, outputs, consumed) for v in value]
        ref = parse_ref(value)
        if ref is None:
            return value
        if ref.target in outputs:
            produced = outputs[ref.target].values
            name = ref.output or next(iter(produced))
            target = produced[name]
        else:
            target = ctx.resolve(ref.target)
            if target is None:  # validation prevents this; a manifest edited meanwhile does not
                raise BadInput(f"{value} no longer exists in session {self.session.name!r}")
        if not isinstance(target, ArtifactRecord):
            return target  # a plain value (e.g. a detected language)
        consumed.append(target.id)
        return self._load(target, p)

    def _load(self, rec: ArtifactRecord, p: ParamSpec) -> Any:
        path = self.session.path(rec)
        label = rec.original_name or rec.id
        if rec.kind == "audio":
            from agent.media import adapt

            return adapt(read_audio(path, name=label), sample_rate=p.sample_rate, channels=p.channels)
        if rec.kind == "text":
            return path.read_text(encoding="utf-8")
        if rec.kind == "json":
            return json.loads(path.read_text(encoding="utf-8"))
        return path  # image, video, score: tools read the file (read-only) themselves

    # ------------------------------------------------------------------ outputs
    def _store(self, tool: RegisteredTool, step: PlanStep, result: Any, consumed: list[str],
               run: RunRecord) -> _StepOutputs:
        spec = tool.spec
        if not isinstance(result, dict) or set(result) - set(spec.outputs):
            if len(spec.outputs) != 1:
                raise ToolFailed(f"{spec.name} returned {type(result).__name__}, expected outputs {list(spec.outputs)}")
            result = {spec.primary_output: result}
        missing = set(spec.outputs) - set(result)
        if missing:
            raise ToolFailed(f"{spec.name} did not produce {sorted(missing)}")
        prov = {"source": f"{run.id}/{step.id}", "tool": spec.name, "inputs": consumed}
        out = _StepOutputs()
        for name, o in spec.outputs.items():
            value = result[name]
            if o.type == "audio":
                if not isinstance(value, Audio):
                    raise ToolFailed(f"{spec.name}.{name} should be audio, got {type(value).__name__}")
                out.values[name] = self.session.add_file(
                    lambda path, a=value: write_audio(a, path), "audio", value.format,
                    meta=audio_metadata(value), **prov)
            elif o.type == "text":
                out.values[name] = self.session.add_text(str(value), **prov)
            elif o.type == "json":
                out.values[name] = self.session.add_json(value, **prov)
            elif o.type in ("image", "video", "score"):
                f = value if isinstance(value, FileOutput) else FileOutput(Path(value))
                fmt = f.path.suffix.lstrip(".").lower() or "bin"
                out.values[name] = self.session.add_file(
                    lambda path, s=f.path: shutil.copyfile(s, path), o.type, fmt, meta=f.meta, **prov)
            else:
                out.values[name] = value
        return out
