"""The consistency suite: does the planner turn each request into the gold plan?

Each item is planned in-process through `Agent.plan` (the code path of `audiogent plan`: inputs are
checked with `preview_inputs`, then planned and validated) in a fresh session with real input files
of the item's kinds. When the item says `"previous": "audio"`, the session first holds a real earlier
run ("say hello", run through Agent.run) whose final output is audio, so `@last` resolves. Planner
errors (PlanError, LLM errors) score as a wrong item with the error kept; any other exception is a
crash (also kept, and counted).
"""

from __future__ import annotations

import re
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.artifacts import Session
from agent.errors import AudiogentError, PlanError
from agent.planners.base import Planner
from agent.registry import Registry, default_registry
from evals.inputs import MIN_SECONDS, make_inputs
from evals.metrics import PlanScore, PlanView, confusion, per_tool, registry_defaults, score_plan, totals, view_plan
from evals.schema import ConsistencyItem, Expect, lint_gold

PREVIOUS_REQUEST = "say hello"
_TIME_ARGS = ("start", "end", "offset", "fade_in", "fade_out", "gap", "crossfade")


def needed_seconds(expect: Expect) -> float:
    """Input audio long enough for the times the gold plan mentions (e.g. trim end=20 needs 20 s)."""
    longest = 0.0
    for s in expect.steps or []:
        for k, v in s.args.items():
            if k in _TIME_ARGS and isinstance(v, (int, float)) and not isinstance(v, bool):
                longest = max(longest, abs(float(v)))
    return max(MIN_SECONDS, longest + 3.0)


def safe_name(item_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", item_id)[:60] or "item"


@dataclass
class ItemResult:
    item: ConsistencyItem
    predicted: dict[str, Any] | None
    score: PlanScore
    error: str | None = None
    error_type: str | None = None
    crash: bool = False
    seconds: float = 0.0
    gold_problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        it = self.item
        return {
            "id": it.id, "split": it.split, "lang": it.lang, "style": it.style, "request": it.request,
            "inputs": it.inputs, "previous": it.previous, "expect": it.expect.to_json(),
            "predicted": self.predicted, "error": self.error, "error_type": self.error_type, "crash": self.crash,
            "seconds": round(self.seconds, 3), "gold_problems": self.gold_problems, **self.score.to_json(),
        }


def gold_view(expect: Expect, defaults: dict[str, dict[str, Any]]) -> PlanView:
    if expect.steps is None:
        return PlanView(expect.kind)
    return view_plan("steps", [s.model_dump() for s in expect.steps], defaults=defaults)


class _PreviousTemplate:
    """A session whose last run is a real `say hello` (final output: audio), copied per item."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.root: Path | None = None

    def copy_to(self, name: str) -> Session:
        if self.root is None:
            from agent.core import Agent
            from agent.planners.rules import RulePlanner

            template = Session.open("previous-template", base=self.base)
            result = Agent(template, RulePlanner()).run(PREVIOUS_REQUEST)
            arts = template.manifest.artifacts
            if result.status != "ok" or not result.run.final or arts[result.run.final[0]].kind != "audio":
                raise RuntimeError(f"could not make the previous audio result: {result.run.answer}")
            self.root = template.root
        dest = self.base / name
        shutil.copytree(self.root, dest)
        return Session.open(name, base=self.base)


def run_item(item: ConsistencyItem, planner: Planner, registry: Registry, work: Path,
             template: _PreviousTemplate, defaults: dict[str, dict[str, Any]]) -> ItemResult:
    from agent.core import Agent
    from agent.ingest import preview_inputs

    name = safe_name(item.id)
    sessions = work / "sessions"
    sessions.mkdir(parents=True, exist_ok=True)
    if (sessions / name).exists():
        shutil.rmtree(sessions / name)
    gold = gold_view(item.expect, defaults)
    gold_problems = lint_gold(item.expect, item.inputs, item.previous, registry)
    # Setting up is the harness's job: a failure here is an eval crash, not the planner's.
    session = template.copy_to(name) if item.previous == "audio" else Session.open(name, base=sessions)
    paths = make_inputs(item.inputs, work / "inputs" / name, "zh" if item.lang == "zh" else "en",
                        needed_seconds(item.expect))
    agent = Agent(session, planner, registry=registry)
    uploads = preview_inputs(paths, agent.max_upload_bytes)
    t0 = time.perf_counter()
    try:
        plan, ctx = agent.plan(item.request, uploads)
    except AudiogentError as e:
        problems = e.problems if isinstance(e, PlanError) else []
        msg = e.message + (f" ({e.hint})" if e.hint else "")
        score = score_plan(PlanView("error"), gold, item.tolerance)
        score.diffs.insert(0, f"{type(e).__name__}: {msg}" + (f" {problems}" if problems and len(problems) > 1 else ""))
        return ItemResult(item, None, score, msg, type(e).__name__, False, time.perf_counter() - t0, gold_problems)
    except Exception as e:  # noqa: BLE001 - a planner crash is a finding, not the end of the suite
        score = score_plan(PlanView("error"), gold, item.tolerance)
        tb = traceback.format_exc(limit=6)
        score.diffs.insert(0, f"crash: {type(e).__name__}: {e}")
        return ItemResult(item, None, score, f"{type(e).__name__}: {e}\n{tb}", type(e).__name__, True,
                          time.perf_counter() - t0, gold_problems)
    seconds = time.perf_counter() - t0
    last_names = {a.id: ("last" if i == 0 else f"last-{i + 1}") for i, a in enumerate(ctx.last)}
    upload_names = {a.id: f"upload-{i}" for i, a in enumerate(ctx.uploads, 1)}

    def name_input(target: str) -> str:
        return upload_names.get(target) or last_names.get(target) or target

    pred_json = plan.to_json()
    pred = view_plan(plan.outcome, [s.model_dump() for s in plan.steps], name_input, defaults)
    score = score_plan(pred, gold, item.tolerance)
    return ItemResult(item, {"outcome": plan.outcome, **pred_json}, score, seconds=seconds, gold_problems=gold_problems)


def summarize(results: list[ItemResult]) -> dict[str, Any]:
    """Overall, per split, per language and per style totals, the per-tool table and the confusion table."""

    def tot(rs: list[ItemResult]) -> dict[str, Any]:
        return totals([r.score for r in rs], errors=sum(r.error is not None for r in rs)).to_json()

    def groups(key: Callable[[ItemResult], str]) -> dict[str, Any]:
        keys = sorted({key(r) for r in results})
        return {k: tot([r for r in results if key(r) == k]) for k in keys}

    scores = [r.score for r in results]
    return {
        "overall": tot(results),
        "by_split": groups(lambda r: r.item.split),
        "by_lang": groups(lambda r: r.item.lang),
        "by_style": groups(lambda r: r.item.style),
        "by_split_lang": groups(lambda r: f"{r.item.split}/{r.item.lang}"),
        "per_tool": per_tool(scores),
        "confusion": confusion(scores),
        "crashes": sum(r.crash for r in results),
        "gold_problems": {r.item.id: r.gold_problems for r in results if r.gold_problems},
    }


def run_consistency(items: list[ConsistencyItem], planner: Planner, work: Path,
                    registry: Registry | None = None, progress: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Plan every item; return (metrics, per-item results)."""
    registry = registry or default_registry()
    defaults = registry_defaults(registry)
    template = _PreviousTemplate(work / "sessions")
    results: list[ItemResult] = []
    for i, item in enumerate(items, 1):
        r = run_item(item, planner, registry, work, template, defaults)
        results.append(r)
        if progress:
            mark = "CRASH" if r.crash else ("exact" if r.score.exact else ("tools ok" if r.score.tool_correct else "WRONG"))
            print(f"[{i}/{len(items)}] {item.id:<28} {mark:<8} {'; '.join(r.score.diffs)[:110]}",
                  file=sys.stderr, flush=True)
    return summarize(results), [r.to_json() for r in results]
