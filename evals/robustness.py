"""The robustness suite: long chains, refusals, injected faults and references across turns, each run
for real through `Agent.run` (real tools on real generated audio), one session per item.

Faults are injected in-process: a tool fault replaces the registry tool's `impl.func` for that turn
(`exception`: it raises; `timeout`: it hangs past a short step timeout and is released afterwards);
an input fault attaches a broken file in place of the turn's first audio input.

Scored per item (see SCHEMA.md for the pass rules of each category), and across items:
- crashes: exceptions escaping Agent.run that are not AudiogentError (a bug in the agent);
- unexpected errors: AudiogentError escaping Agent.run where none was expected (an invalid plan, an
  LLM failure; input faults expect one);
- lost artifacts: artifacts present before a turn that are gone, or whose bytes changed (sha256),
  after it.

References in multi-turn gold (`@turn-K`, `@turn-K.upload-N`, `@last`) and predicted artifact-id
references are both mapped to names through the session's run records, so a prediction that says
`@audio-3f2a9c1e0b` matches a gold `@turn-1` when that is turn 1's final output.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.artifacts import RunRecord, Session
from agent.context import PlanContext
from agent.errors import AudiogentError, ToolFailed
from agent.plan import Plan, iter_refs, step_dependencies
from agent.planners.base import Planner
from agent.registry import Registry, default_registry
from evals.consistency import needed_seconds, safe_name
from evals.inputs import broken_file, make_inputs
from evals.metrics import PlanScore, PlanView, confusion, per_tool, registry_defaults, score_plan, totals, view_plan
from evals.schema import INPUT_FAULTS, TOOL_FAULTS, Fault, RobustnessItem, Turn, lint_gold

STEP_TIMEOUT_S = 300.0
FAULT_STEP_TIMEOUT_S = 15.0  # for `timeout` faults: long enough for real steps, short for the hung one
CATEGORIES = ("long_chain", "unsupported", "fault", "context_break")


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def snapshot(session: Session) -> dict[str, str | None]:
    """Artifact id -> sha256 of its file now."""
    return {aid: _sha256(session.path(rec)) for aid, rec in session.manifest.artifacts.items()}


def lost_artifacts(session: Session, before: dict[str, str | None]) -> list[str]:
    """Artifacts of `before` that are missing from the manifest or whose file changed."""
    arts = session.manifest.artifacts
    lost = []
    for aid, digest in before.items():
        if aid not in arts:
            lost.append(f"{aid}: gone from the manifest")
        elif _sha256(session.path(arts[aid])) != digest:
            lost.append(f"{aid}: file missing or changed")
    return lost


@contextmanager
def inject(registry: Registry, fault: Fault | None) -> Iterator[None]:
    """Make the fault's tool raise or hang while the block runs (tool faults only)."""
    if fault is None or fault.kind not in TOOL_FAULTS:
        yield
        return
    assert fault.tool is not None
    impl = registry[fault.tool].impl
    original = impl.func
    release = threading.Event()

    def boom(**kwargs: Any) -> Any:
        raise RuntimeError(f"injected fault: {fault.tool} raises")

    def hang(**kwargs: Any) -> Any:
        release.wait(600)
        raise ToolFailed(f"injected fault: {fault.tool} hung and was released")

    impl.func = boom if fault.kind == "exception" else hang
    try:
        yield
    finally:
        impl.func = original
        release.set()


def artifact_names(turn_runs: dict[int, RunRecord], current: int) -> dict[str, str]:
    """Artifact id -> its name in gold terms: `upload-N` (this turn's uploads), `turn-K` (turn K's
    final output), `turn-K.upload-N`, else `turn-K.<step>.<output>` or `turn-K.final-N`."""
    names: dict[str, str] = {}
    for k in sorted(turn_runs):
        run = turn_runs[k]
        if k == current:
            for i, a in enumerate(run.uploads, 1):
                names[a] = f"upload-{i}"
            continue
        for i, a in enumerate(run.uploads, 1):
            names[a] = f"turn-{k}.upload-{i}"
        for st in run.steps:
            for out, v in st.outputs.items():
                if isinstance(v, str):
                    names[v] = f"turn-{k}.{st.id}.{out}"
        for i, a in enumerate(run.final):
            names[a] = f"turn-{k}" if i == 0 else f"turn-{k}.final-{i + 1}"
    return names


@dataclass
class TurnResult:
    index: int
    turn: Turn
    run_id: str | None = None
    status: str = "not run"
    plan: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    error_type: str | None = None
    crash: bool = False
    unexpected_error: bool = False
    lost: list[str] = field(default_factory=list)
    score: PlanScore | None = None
    failures: list[str] = field(default_factory=list)
    injected: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "turn": self.index, "request": self.turn.request, "inputs": self.turn.inputs,
            "fault": self.turn.fault.model_dump() if self.turn.fault else None, "injected": self.injected,
            "expect": self.turn.expect.to_json(), "run": self.run_id, "status": self.status, "plan": self.plan,
            "steps": self.steps, "error": self.error, "error_type": self.error_type, "crash": self.crash,
            "unexpected_error": self.unexpected_error, "lost_artifacts": self.lost,
            "score": self.score.to_json() if self.score else None, "failures": self.failures,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class ItemResult:
    item: RobustnessItem
    turns: list[TurnResult]
    passed: bool
    reasons: list[str]
    gold_problems: list[str] = field(default_factory=list)

    @property
    def crashes(self) -> int:
        return sum(t.crash for t in self.turns)

    @property
    def unexpected_errors(self) -> int:
        return sum(t.unexpected_error for t in self.turns)

    @property
    def lost(self) -> int:
        return sum(len(t.lost) for t in self.turns)

    def to_json(self) -> dict[str, Any]:
        it = self.item
        return {"id": it.id, "category": it.category, "lang": it.lang, "split": it.split, "passed": self.passed,
                "reasons": self.reasons, "crashes": self.crashes, "unexpected_errors": self.unexpected_errors,
                "lost_artifacts": self.lost, "gold_problems": self.gold_problems,
                "turns": [t.to_json() for t in self.turns]}


class _Runner:
    def __init__(self, item: RobustnessItem, planner: Planner, registry: Registry, work: Path,
                 defaults: dict[str, dict[str, Any]]) -> None:
        self.item = item
        self.planner = planner
        self.registry = registry
        self.defaults = defaults
        self.name = safe_name(item.id)
        self.work = work
        base = work / "sessions"
        base.mkdir(parents=True, exist_ok=True)
        self.session = Session.open(self.name, base=base)
        self.turn_runs: dict[int, RunRecord] = {}

    def run_turn(self, k: int, turn: Turn) -> TurnResult:
        from agent.core import Agent

        res = TurnResult(k, turn)
        lang = "zh" if self.item.lang == "zh" else "en"
        paths = make_inputs(turn.inputs, self.work / "inputs" / self.name / f"turn-{k}", lang,
                            needed_seconds(turn.expect), first_clip=k - 1)
        fault = turn.fault
        if fault and fault.kind in INPUT_FAULTS:
            i = turn.inputs.index("audio")
            variant = int(hashlib.sha256(self.item.id.encode()).hexdigest(), 16)  # text or PNG, stable per item
            paths[i] = broken_file(fault.kind, self.work / "inputs" / self.name / f"turn-{k}-broken", variant)
            res.injected = f"{fault.kind}: {paths[i].name} ({paths[i].stat().st_size} bytes"
            res.injected += ", PNG bytes)" if fault.kind == "wrong_format" and variant % 2 else ")"
        elif fault:
            if not fault.tool or fault.tool not in self.registry:
                res.failures.append(f"fault tool {fault.tool!r} is not in the registry")
                return res
            res.injected = f"{fault.kind} in {fault.tool}"
        before = snapshot(self.session)
        runs_before = {r.id for r in self.session.manifest.runs}
        ctx_before = PlanContext.from_session(self.session, [])
        timeout = FAULT_STEP_TIMEOUT_S if fault and fault.kind == "timeout" else STEP_TIMEOUT_S
        agent = Agent(self.session, self.planner, registry=self.registry, step_timeout=timeout)
        t0 = time.perf_counter()
        plan: Plan | None = None
        try:
            with inject(self.registry, fault):
                result = agent.run(turn.request, paths)
            plan = result.plan
        except AudiogentError as e:
            res.error, res.error_type = e.message + (f" ({e.hint})" if e.hint else ""), type(e).__name__
            res.unexpected_error = not (fault and fault.kind in INPUT_FAULTS)
        except Exception as e:  # noqa: BLE001 - the finding this suite exists for
            res.error, res.error_type = f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=8)}", type(e).__name__
            res.crash = True
        res.seconds = time.perf_counter() - t0
        res.lost = lost_artifacts(self.session, before)

        new_runs = [r for r in self.session.manifest.runs if r.id not in runs_before]
        if new_runs:
            run = new_runs[-1]
            self.turn_runs[k] = run
            res.run_id, res.status = run.id, run.status
            res.plan = run.plan or None
            res.steps = [{"id": s.id, "tool": s.tool, "status": s.status, "error": s.error,
                          "error_type": s.error_type, "suggestion": s.suggestion} for s in run.steps]
        elif res.error:
            res.status = "error"
        if not (fault and fault.kind in INPUT_FAULTS):  # an input fault stops the turn before planning
            res.score = self._score(k, turn, plan, ctx_before)
        return res

    def _score(self, k: int, turn: Turn, plan: Plan | None, ctx: PlanContext) -> PlanScore:
        names = artifact_names(self.turn_runs, k)
        last_ids = [a.id for a in ctx.last]

        def resolve_alias(target: str) -> str | None:
            if target == "last" or (target.startswith("last-") and target[5:].isdigit()):
                i = 0 if target == "last" else int(target[5:]) - 1
                return last_ids[i] if i < len(last_ids) else None
            return None

        def name_pred(target: str) -> str:
            if target.startswith("upload-"):
                return target
            aid = resolve_alias(target) or target
            return names.get(aid, f"artifact:{aid}")

        def name_gold(target: str) -> str:
            aid = resolve_alias(target)
            return names.get(aid, target) if aid else target

        if turn.expect.steps is None:
            gold = PlanView(turn.expect.kind)
        else:
            gold = view_plan("steps", [s.model_dump() for s in turn.expect.steps], name_gold, self.defaults)
        if plan is None:
            pred = PlanView("error")
        else:
            pred = view_plan(plan.outcome, [s.model_dump() for s in plan.steps], name_pred, self.defaults)
        return score_plan(pred, gold, turn.tolerance)

    # ------------------------------------------------------------------ pass rules
    def judge(self, results: list[TurnResult]) -> list[str]:
        item = self.item
        reasons: list[str] = []
        for r in results:
            where = f"turn {r.index}"
            reasons += [f"{where}: {f}" for f in r.failures]
            if r.crash:
                reasons.append(f"{where}: crash: {(r.error or '').splitlines()[0]}")
            if r.unexpected_error:
                reasons.append(f"{where}: {r.error_type}: {r.error}")
            if r.lost:
                reasons.append(f"{where}: lost artifacts: {', '.join(r.lost)}")
        if item.category == "long_chain":
            for r in results:
                reasons += self._plan_reasons(r, exact=True, must_run=True)
        elif item.category == "unsupported":
            r = results[0]
            if r.score and not r.score.outcome_correct:
                reasons.append(f"turn 1: outcome {r.score.pred_outcome}, expected {r.score.gold_outcome}")
        elif item.category == "context_break":
            back = [r for r in results if _refers_back(r.turn)] or results[-1:]
            for r in back:
                reasons += self._plan_reasons(r, exact=False, must_run=False)
        elif item.category == "fault":
            reasons += self._fault_reasons(results[-1])
        return reasons

    def _plan_reasons(self, r: TurnResult, exact: bool, must_run: bool) -> list[str]:
        s = r.score
        where = f"turn {r.index}"
        if s is None:
            return [f"{where}: not run"]
        if not s.outcome_correct:
            return [f"{where}: outcome {s.pred_outcome}, expected {s.gold_outcome}" +
                    (f" ({r.error})" if r.error and not r.unexpected_error else "")]
        out = []
        ok = s.exact if exact else (s.nodes.f1 == 1.0 and s.edges.f1 == 1.0)
        if not ok:
            out.append(f"{where}: plan differs: {'; '.join(s.diffs)}")
        if must_run and s.gold_outcome == "steps" and r.status != "ok":
            bad = [f"{st['id']} {st['tool']} {st['status']}: {st['error']}" for st in r.steps if st["status"] != "ok"]
            out.append(f"{where}: run {r.status}: {'; '.join(bad)}")
        return out

    def _fault_reasons(self, r: TurnResult) -> list[str]:
        fault = r.turn.fault
        assert fault is not None
        where = f"turn {r.index}"
        if fault.kind in INPUT_FAULTS:
            if r.error is None:
                return [f"{where}: the broken file was accepted (run {r.status})"]
            if r.crash:
                return []  # already reported
            if "broken-recording.wav" not in r.error:
                return [f"{where}: the error does not name the file: {r.error}"]
            return []
        if r.crash or r.unexpected_error or r.plan is None:
            return [] if (r.crash or r.unexpected_error) else [f"{where}: nothing was planned"]
        plan = Plan.model_validate({k: v for k, v in r.plan.items()})
        faulty = {s.id for s in plan.steps if s.tool == fault.tool}
        if not faulty:
            return [f"{where}: the plan has no {fault.tool} step, so the {fault.kind} fault was not exercised"]
        deps = step_dependencies(plan)
        downstream = set(faulty)
        changed = True
        while changed:
            changed = False
            for sid, ds in deps.items():
                if sid not in downstream and ds & downstream:
                    downstream.add(sid)
                    changed = True
        recs = {s["id"]: s for s in r.steps}
        out = []
        for sid in sorted(faulty):
            rec = recs.get(sid)
            if rec is None:
                out.append(f"{where}: step {sid} has no record")
                continue
            if rec["status"] != "failed" or not rec["error"] or not rec["suggestion"]:
                out.append(f"{where}: step {sid} ({fault.tool}) should fail with an error and a suggestion; "
                           f"got {rec['status']}, error={rec['error']!r}, suggestion={rec['suggestion']!r}")
            elif fault.kind == "timeout" and rec["error_type"] != "StepTimeout":
                out.append(f"{where}: step {sid} failed with {rec['error_type']}, expected StepTimeout")
        for s in plan.steps:
            if s.id in downstream:
                continue
            rec = recs.get(s.id)
            if rec is None or rec["status"] != "ok":
                out.append(f"{where}: independent step {s.id} ({s.tool}) did not succeed: "
                           f"{rec['status'] if rec else 'no record'} {rec['error'] if rec else ''}")
        return out


def _refers_back(turn: Turn) -> bool:
    for s in turn.expect.steps or []:
        for v in s.args.values():
            if any(r.target.startswith("turn-") for r in iter_refs(v)):
                return True
    return False


def run_item(item: RobustnessItem, planner: Planner, registry: Registry, work: Path,
             defaults: dict[str, dict[str, Any]]) -> ItemResult:
    runner = _Runner(item, planner, registry, work, defaults)
    gold_problems = [f"turn {k}: {p}" for k, t in enumerate(item.turns, 1)
                     for p in lint_gold(t.expect, t.inputs, None, registry, earlier_turns=k - 1)]
    results = [runner.run_turn(k, t) for k, t in enumerate(item.turns, 1)]
    reasons = runner.judge(results)
    return ItemResult(item, results, not reasons, reasons, gold_problems)


def summarize(results: list[ItemResult]) -> dict[str, Any]:
    def block(rs: list[ItemResult]) -> dict[str, Any]:
        n = len(rs)
        passed = sum(r.passed for r in rs)
        return {"n": n, "passed": passed, "pass_rate": round(passed / n, 4) if n else None,
                "crashes": sum(r.crashes for r in rs), "unexpected_errors": sum(r.unexpected_errors for r in rs),
                "lost_artifacts": sum(r.lost for r in rs)}

    scores = [t.score for r in results for t in r.turns if t.score is not None]
    by_cat = {c: block([r for r in results if r.item.category == c]) for c in CATEGORIES
              if any(r.item.category == c for r in results)}
    faults: dict[str, Any] = {}
    for r in results:
        f = r.item.turns[-1].fault
        if f:
            faults.setdefault(f.kind, []).append(r)
    return {
        "overall": block(results),
        "by_category": by_cat,
        "by_split": {s: block([r for r in results if r.item.split == s]) for s in sorted({r.item.split for r in results})},
        "by_lang": {s: block([r for r in results if r.item.lang == s]) for s in sorted({r.item.lang for r in results})},
        "by_fault": {k: block(v) for k, v in sorted(faults.items())},
        "turn_plans": totals(scores).to_json(),
        "per_tool": per_tool(scores),
        "confusion": confusion(scores),
        "crashes": sum(r.crashes for r in results),
        "gold_problems": {r.item.id: r.gold_problems for r in results if r.gold_problems},
    }


def run_robustness(items: list[RobustnessItem], planner: Planner, work: Path, registry: Registry | None = None,
                   progress: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    registry = registry or default_registry()
    defaults = registry_defaults(registry)
    results: list[ItemResult] = []
    for i, item in enumerate(items, 1):
        r = run_item(item, planner, registry, work, defaults)
        results.append(r)
        if progress:
            mark = "pass" if r.passed else ("CRASH" if r.crashes else "FAIL")
            print(f"[{i}/{len(items)}] {item.id:<28} {item.category:<14} {mark:<5} {'; '.join(r.reasons)[:120]}",
                  file=sys.stderr, flush=True)
    return summarize(results), [r.to_json() for r in results]

