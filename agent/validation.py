"""Checks a plan against the registry and the session before anything runs. Each problem is one
specific sentence the planner (or the user) can act on."""

from __future__ import annotations

import difflib
from typing import Any

from agent.context import PlanContext
from agent.errors import PlanError
from agent.plan import Plan, PlanStep, iter_refs, parse_ref, step_dependencies
from agent.registry import Registry
from agent.specs import ParamSpec

MAX_STEPS = 32


def _close(word: str, options: list[str]) -> str:
    near = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f" (did you mean {near[0]!r}?)" if near else ""


def topological_order(plan: Plan) -> list[str]:
    """Step ids in an order that respects references; raises PlanError naming a cycle."""
    deps = step_dependencies(plan)
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(sid: str, path: list[str]) -> None:
        if state.get(sid) == 2:
            return
        if state.get(sid) == 1:
            cycle = path[path.index(sid):] + [sid]
            raise PlanError([f"steps form a cycle: {' -> '.join(cycle)}"])
        state[sid] = 1
        for d in sorted(deps[sid]):
            visit(d, path + [sid])
        state[sid] = 2
        order.append(sid)

    for s in plan.steps:
        visit(s.id, [])
    return order


def _ref_kind(ref_target: str, output: str | None, plan: Plan, registry: Registry, ctx: PlanContext,
              problems: list[str], where: str) -> str | None:
    step = plan.step(ref_target)
    if step is not None:
        if step.tool not in registry:
            return None  # reported as an unknown tool already
        spec = registry[step.tool].spec
        name = output or spec.primary_output
        if name not in spec.outputs:
            problems.append(
                f"{where}: step {ref_target} ({step.tool}) has no output {name!r}; "
                f"it has {', '.join(spec.outputs)}"
            )
            return None
        return spec.outputs[name].type
    rec = ctx.resolve(ref_target)
    if rec is None:
        if ref_target.startswith("upload-"):
            problems.append(f"{where}: @{ref_target} does not exist: this request has {len(ctx.uploads)} input file(s)")
        elif ref_target.startswith("last"):
            problems.append(f"{where}: @{ref_target} does not exist: this session has no earlier result yet")
        else:
            problems.append(
                f"{where}: @{ref_target} is neither a step of this plan nor an artifact of this session "
                "(`audiogent sessions show` lists the artifacts)"
            )
        return None
    if output is not None:
        problems.append(f"{where}: @{ref_target} is an artifact; it has no output {output!r}")
    return rec.kind


def _check_value(name: str, p: ParamSpec, value: Any, where: str, kind_of: Any, problems: list[str]) -> Any:
    """Type- and range-check one argument; returns it normalised (numeric strings become numbers)."""
    if p.type == "list":
        if not isinstance(value, list):
            value = [value]
        if p.min_items and len(value) < p.min_items:
            problems.append(f"{where}: {name} needs at least {p.min_items} items, got {len(value)}")
        item = ParamSpec(type=p.items or "string", description="")
        return [_check_value(f"{name}[{i}]", item, v, where, kind_of, problems) for i, v in enumerate(value)]
    ref = parse_ref(value)
    if p.is_artifact:
        if ref is None:
            if p.type == "text" and isinstance(value, str):
                return value
            problems.append(f"{where}: {name} must reference a {p.type} artifact like @upload-1 or @s1, got {value!r}")
            return value
        kind = kind_of(ref)
        if kind is not None and kind != p.type and not (p.type == "text" and kind == "string"):
            problems.append(f"{where}: {name} needs {p.type} but {value} is {kind}")
        return value
    if ref is not None:
        kind = kind_of(ref)
        if kind is not None and kind != p.type and not (p.type == "number" and kind == "integer"):
            problems.append(f"{where}: {name} needs a {p.type} but {value} is {kind}")
        return value
    if p.type in ("number", "integer"):
        if isinstance(value, str):
            try:
                value = float(value.strip().rstrip("%")) if p.type == "number" else int(value.strip())
            except ValueError:
                problems.append(f"{where}: {name} must be a {p.type}, got {value!r}")
                return value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append(f"{where}: {name} must be a {p.type}, got {value!r}")
            return value
        if p.type == "integer" and float(value) != int(value):
            problems.append(f"{where}: {name} must be a whole number, got {value!r}")
            return value
        unit = f" {p.unit}" if p.unit else ""
        if p.minimum is not None and value < p.minimum:
            problems.append(f"{where}: {name}={value}{unit} is below the minimum {p.minimum:g}{unit}")
        if p.maximum is not None and value > p.maximum:
            problems.append(f"{where}: {name}={value}{unit} is above the maximum {p.maximum:g}{unit}")
        return int(value) if p.type == "integer" else value
    if p.type == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{where}: {name} must be true or false, got {value!r}")
        return value
    if p.type == "string":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value).removesuffix(".0")
        if not isinstance(value, str):
            problems.append(f"{where}: {name} must be a string, got {value!r}")
            return value
        if p.choices is not None and value not in p.choices:
            problems.append(f"{where}: {name}={value!r} is not one of {', '.join(map(str, p.choices))}")
        return value
    return value


def _check_step(step: PlanStep, plan: Plan, registry: Registry, ctx: PlanContext, problems: list[str]) -> None:
    where = f"step {step.id}"
    if step.tool not in registry:
        problems.append(f"{where}: unknown tool {step.tool!r}{_close(step.tool, registry.names())}")
        return
    spec = registry[step.tool].spec

    def kind_of(ref: Any) -> str | None:
        if ref.target == step.id:
            problems.append(f"{where}: refers to itself")
            return None
        return _ref_kind(ref.target, ref.output, plan, registry, ctx, problems, where)

    normalised = {}
    for name, value in step.args.items():
        if name == "backend":
            backends = [b.name for b in spec.backends]
            if value not in backends:
                problems.append(f"{where}: {step.tool} has no backend {value!r}; it has {', '.join(backends)}")
            normalised[name] = value
            continue
        if name not in spec.inputs:
            problems.append(
                f"{where}: {step.tool} has no argument {name!r}{_close(name, list(spec.inputs))}; "
                f"its arguments are {', '.join(spec.inputs)}"
            )
            continue
        normalised[name] = _check_value(name, spec.inputs[name], value, where, kind_of, problems)
    for name, p in spec.inputs.items():
        if p.required and name not in step.args:
            problems.append(f"{where}: {step.tool} needs argument {name!r} ({p.description})")
    step.args = normalised


def validate_plan(plan: Plan, registry: Registry, ctx: PlanContext) -> Plan:
    """Return the plan with arguments normalised, or raise PlanError listing every problem."""
    if plan.outcome != "steps":
        return plan
    problems: list[str] = []
    if not plan.steps:
        problems.append("the plan has no steps (use `unsupported` or `clarify` when nothing can be done)")
    if len(plan.steps) > MAX_STEPS:
        problems.append(f"the plan has {len(plan.steps)} steps; at most {MAX_STEPS} are allowed")
    seen: set[str] = set()
    for s in plan.steps:
        if s.id in seen:
            problems.append(f"step id {s.id!r} is used twice")
        seen.add(s.id)
    if problems:
        raise PlanError(problems)
    for s in plan.steps:
        _check_step(s, plan, registry, ctx, problems)
    if problems:
        raise PlanError(problems)
    topological_order(plan)
    return plan


def referenced_artifacts(plan: Plan) -> set[str]:
    ids = {s.id for s in plan.steps}
    return {r.target for s in plan.steps for v in s.args.values() for r in iter_refs(v) if r.target not in ids}
