"""TaskBench-style plan metrics between a predicted plan and a gold plan.

- node F1: multiset of tool names.
- edge F1: multiset of (source, destination) links; the source is the tool of the earlier step an
  argument references, or an input node (`input:upload-1`, `input:last`, `input:turn-2`, ...), the
  destination the consuming tool.
- argument F1: (tool, argument, value) triples of the non-reference arguments. Predicted arguments
  equal to the registry default are dropped first (gold omits defaults; a gold argument stated at
  its default is dropped too, so stating it or not is the same). Steps of the same tool are aligned
  in order (the k-th trim of the prediction with the k-th trim of the gold). Numbers match within
  the item's tolerance (SCHEMA.md: default 5% relative or 0.01 absolute; a number = absolute; a
  [low, high] pair = a range); strings case-insensitively.
- exact plan: the outcome is equal and all three F1 are 1.
- tool-selection accuracy per item: the predicted tool set equals the gold tool set (for an
  `unsupported` / `clarify` gold: the predicted outcome equals it).

All totals are micro-averaged (counts summed over items, F1 = 2tp / (2tp + fp + fn)); an item with
nothing to count on either side (both refuse) has F1 = 1.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from agent.plan import iter_refs

Tol = float | tuple[float, float]
REL_TOL, ABS_TOL = 0.05, 0.01
UNSUPPORTED, CLARIFY, ERROR, NONE = "(unsupported)", "(clarify)", "(error)", "(none)"


# ---------------------------------------------------------------------- counts
@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __iadd__(self, o: Counts) -> Self:
        self.tp += o.tp
        self.fp += o.fp
        self.fn += o.fn
        return self

    @property
    def f1(self) -> float:
        d = 2 * self.tp + self.fp + self.fn
        return 1.0 if d == 0 else 2 * self.tp / d

    @property
    def precision(self) -> float:
        return 1.0 if self.tp + self.fp == 0 else self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        return 1.0 if self.tp + self.fn == 0 else self.tp / (self.tp + self.fn)

    def to_json(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "f1": round(self.f1, 4)}


def multiset_counts(pred: Iterable[Any], gold: Iterable[Any]) -> Counts:
    p, g = Counter(pred), Counter(gold)
    tp = sum((p & g).values())
    return Counts(tp, sum(p.values()) - tp, sum(g.values()) - tp)


# ---------------------------------------------------------------------- plan views
@dataclass(frozen=True)
class NormStep:
    tool: str
    args: dict[str, Any]  # non-reference arguments (defaults dropped)
    sources: tuple[str, ...]  # where its reference arguments come from (tool name or input:<name>)


@dataclass
class PlanView:
    """A plan reduced to what the metrics compare. outcome: steps | unsupported | clarify | error."""

    outcome: str
    steps: list[NormStep] = field(default_factory=list)

    @property
    def tools(self) -> list[str]:
        return [s.tool for s in self.steps]

    @property
    def edges(self) -> list[tuple[str, str]]:
        return [(src, s.tool) for s in self.steps for src in s.sources]

    def label(self) -> str:
        """The tool set, or the outcome when there are no steps: what the confusion table shows."""
        if self.outcome == "steps":
            return "+".join(sorted(set(self.tools))) or NONE
        return {"unsupported": UNSUPPORTED, "clarify": CLARIFY}.get(self.outcome, ERROR)


def _same_value(a: Any, b: Any) -> bool:
    """Exact equality for default-dropping (numbers numerically, strings case-insensitively)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b and type(a) is type(b)
    na, nb = _as_number(a), _as_number(b)
    if na is not None and nb is not None:
        return math.isclose(na, nb, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return bool(a == b)


def _as_number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    return None


def view_plan(
    outcome: str,
    steps: Sequence[Mapping[str, Any]],
    name_input: Callable[[str], str] | None = None,
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
) -> PlanView:
    """Reduce `steps` (each {"id", "tool", "args"}) to a PlanView.

    name_input maps a reference target that is not a step of this plan (an alias like `upload-1`,
    `last`, `turn-2`, or an artifact id) to the input node's name; identity when omitted.
    defaults: tool -> argument -> registry default; arguments equal to it are dropped."""
    name_input = name_input or (lambda t: t)
    defaults = defaults or {}
    if outcome != "steps":
        return PlanView(outcome)
    tool_of = {s["id"]: s["tool"] for s in steps}
    out: list[NormStep] = []
    for s in steps:
        plain: dict[str, Any] = {}
        sources: list[str] = []
        tool_defaults = defaults.get(s["tool"], {})
        for name, value in (s.get("args") or {}).items():
            refs = iter_refs(value)
            if refs:
                for r in refs:
                    sources.append(tool_of[r.target] if r.target in tool_of else f"input:{name_input(r.target)}")
                continue
            if name in tool_defaults and tool_defaults[name] is not None and _same_value(value, tool_defaults[name]):
                continue
            plain[name] = value
        out.append(NormStep(s["tool"], plain, tuple(sources)))
    return PlanView("steps", out)


def registry_defaults(registry: Any) -> dict[str, dict[str, Any]]:
    """tool -> argument -> default, from the registry specs."""
    return {spec.name: {n: p.default for n, p in spec.inputs.items() if p.default is not None}
            for spec in registry.specs()}


# ---------------------------------------------------------------------- values
def _tolerance_for(tool: str, arg: str, tolerance: Mapping[str, Tol]) -> Tol | None:
    return tolerance.get(f"{tool}.{arg}", tolerance.get(arg))


def values_match(pred: Any, gold: Any, tol: Tol | None = None) -> bool:
    """Does a predicted argument value match the gold one (SCHEMA.md tolerance rules)?"""
    if isinstance(gold, list) or isinstance(pred, list):
        if not (isinstance(gold, list) and isinstance(pred, list)) or len(gold) != len(pred):
            return False
        return all(values_match(p, g, tol) for p, g in zip(pred, gold))
    if isinstance(tol, tuple):
        p = _as_number(pred)
        return p is not None and tol[0] - 1e-9 <= p <= tol[1] + 1e-9
    if isinstance(gold, bool) or isinstance(pred, bool):
        return isinstance(gold, bool) and isinstance(pred, bool) and gold == pred
    g, p = _as_number(gold), _as_number(pred)
    if g is not None and p is not None and not (isinstance(gold, str) and isinstance(pred, str)):
        allowed = tol if isinstance(tol, float) else max(REL_TOL * abs(g), ABS_TOL)
        return abs(p - g) <= allowed + 1e-9
    if isinstance(gold, str) and isinstance(pred, str):
        if g is not None and p is not None:  # numeric strings, e.g. remove_hum frequency "50"
            return math.isclose(g, p, abs_tol=1e-9)
        return gold.strip().casefold() == pred.strip().casefold()
    return bool(pred == gold)


# ---------------------------------------------------------------------- one item
@dataclass
class PlanScore:
    gold_outcome: str
    pred_outcome: str
    nodes: Counts
    edges: Counts
    args: Counts
    tool_correct: bool
    per_tool: dict[str, Counts]
    gold_label: str
    pred_label: str
    gold_tools: list[str]
    pred_tools: list[str]
    diffs: list[str] = field(default_factory=list)  # what differs, for the per-item report

    @property
    def outcome_correct(self) -> bool:
        return self.gold_outcome == self.pred_outcome

    @property
    def exact(self) -> bool:
        return self.outcome_correct and self.nodes.f1 == 1.0 and self.edges.f1 == 1.0 and self.args.f1 == 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "gold_outcome": self.gold_outcome, "pred_outcome": self.pred_outcome,
            "node": self.nodes.to_json(), "edge": self.edges.to_json(), "arg": self.args.to_json(),
            "node_f1": round(self.nodes.f1, 4), "edge_f1": round(self.edges.f1, 4), "arg_f1": round(self.args.f1, 4),
            "exact": self.exact, "tool_correct": self.tool_correct, "outcome_correct": self.outcome_correct,
            "gold_tools": self.gold_tools, "pred_tools": self.pred_tools, "diffs": self.diffs,
        }


def _fmt(v: Any) -> str:
    return repr(v) if isinstance(v, str) else str(v)


def score_plan(pred: PlanView, gold: PlanView, tolerance: Mapping[str, Tol] | None = None) -> PlanScore:
    tolerance = tolerance or {}
    nodes = multiset_counts(pred.tools, gold.tools)
    edges = multiset_counts(pred.edges, gold.edges)
    diffs: list[str] = []
    if gold.outcome != pred.outcome:
        diffs.append(f"outcome {pred.outcome}, expected {gold.outcome}")
    pc, gc = Counter(pred.tools), Counter(gold.tools)
    if pc != gc:
        if gc - pc:
            diffs.append("missing tools: " + ", ".join(sorted((gc - pc).elements())))
        if pc - gc:
            diffs.append("extra tools: " + ", ".join(sorted((pc - gc).elements())))
    pe, ge = Counter(pred.edges), Counter(gold.edges)
    if pe != ge:
        if ge - pe:
            diffs.append("missing links: " + ", ".join(f"{a}->{b}" for a, b in sorted((ge - pe).elements())))
        if pe - ge:
            diffs.append("extra links: " + ", ".join(f"{a}->{b}" for a, b in sorted((pe - ge).elements())))

    # Arguments: align same-tool steps in order.
    args = Counts()
    by_tool_p: dict[str, list[NormStep]] = {}
    by_tool_g: dict[str, list[NormStep]] = {}
    for s in pred.steps:
        by_tool_p.setdefault(s.tool, []).append(s)
    for s in gold.steps:
        by_tool_g.setdefault(s.tool, []).append(s)
    for tool in sorted(set(by_tool_p) | set(by_tool_g)):
        ps, gs = by_tool_p.get(tool, []), by_tool_g.get(tool, [])
        for k in range(max(len(ps), len(gs))):
            p = ps[k].args if k < len(ps) else {}
            g = gs[k].args if k < len(gs) else {}
            tp = 0
            for name, gv in g.items():
                if name in p and values_match(p[name], gv, _tolerance_for(tool, name, tolerance)):
                    tp += 1
                elif name in p:
                    diffs.append(f"{tool}.{name}={_fmt(p[name])}, expected {_fmt(gv)}")
                elif k < len(ps):
                    diffs.append(f"{tool}.{name} missing, expected {_fmt(gv)}")
            for name, pv in p.items():
                if name not in g and k < len(gs):
                    diffs.append(f"{tool}.{name}={_fmt(pv)} not expected")
            args += Counts(tp, len(p) - tp, len(g) - tp)

    per_tool: dict[str, Counts] = {}
    for tool in set(pc) | set(gc):
        tp = min(pc[tool], gc[tool])
        per_tool[tool] = Counts(tp, pc[tool] - tp, gc[tool] - tp)

    if gold.outcome == "steps":
        tool_correct = pred.outcome == "steps" and set(pred.tools) == set(gold.tools)
    else:
        tool_correct = pred.outcome == gold.outcome
    return PlanScore(gold.outcome, pred.outcome, nodes, edges, args, tool_correct, per_tool,
                     gold.label(), pred.label(), gold.tools, pred.tools, diffs)


# ---------------------------------------------------------------------- totals
@dataclass
class Totals:
    n: int
    nodes: Counts
    edges: Counts
    args: Counts
    exact: int
    tool_correct: int
    outcome_correct: int
    errors: int = 0

    def to_json(self) -> dict[str, Any]:
        n = max(self.n, 1)
        return {
            "n": self.n,
            "node_f1": round(self.nodes.f1, 4), "edge_f1": round(self.edges.f1, 4), "arg_f1": round(self.args.f1, 4),
            "exact_rate": round(self.exact / n, 4) if self.n else None,
            "tool_accuracy": round(self.tool_correct / n, 4) if self.n else None,
            "outcome_accuracy": round(self.outcome_correct / n, 4) if self.n else None,
            "exact": self.exact, "tool_correct": self.tool_correct, "errors": self.errors,
            "node": self.nodes.to_json(), "edge": self.edges.to_json(), "arg": self.args.to_json(),
        }


def totals(scores: Sequence[PlanScore], errors: int = 0) -> Totals:
    t = Totals(len(scores), Counts(), Counts(), Counts(), 0, 0, 0, errors)
    for s in scores:
        t.nodes += s.nodes
        t.edges += s.edges
        t.args += s.args
        t.exact += s.exact
        t.tool_correct += s.tool_correct
        t.outcome_correct += s.outcome_correct
    return t


def per_tool(scores: Sequence[PlanScore]) -> dict[str, dict[str, Any]]:
    """Per gold/predicted tool: node counts (micro), and over the items whose gold uses the tool, how
    many had their tool selection right. The outcomes `(unsupported)` and `(clarify)` are rows too."""
    counts: dict[str, Counts] = {}
    items: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for s in scores:
        for tool, c in s.per_tool.items():
            counts.setdefault(tool, Counts())
            counts[tool] += c
        keys = set(s.gold_tools) if s.gold_outcome == "steps" else {s.gold_label}
        for k in keys:
            items[k] += 1
            right[k] += s.tool_correct
    out: dict[str, dict[str, Any]] = {}
    for tool in sorted(set(counts) | set(items)):
        c = counts.get(tool, Counts())
        out[tool] = {"items": items[tool], "tool_correct": right[tool],
                     "accuracy": round(right[tool] / items[tool], 4) if items[tool] else None,
                     "precision": round(c.precision, 4), "recall": round(c.recall, 4), "f1": round(c.f1, 4),
                     **{k: v for k, v in c.to_json().items() if k != "f1"}}
    return out


def confusion(scores: Sequence[PlanScore]) -> dict[str, dict[str, int]]:
    """gold tool -> what was predicted instead, over the items whose tool selection was wrong.

    For each gold tool the prediction lacks: every predicted tool the gold lacks, or the predicted
    outcome when it is not a plan, or `(none)`. A predicted tool with no gold tool missing is listed
    under gold `(none)`. An unsupported/clarify gold is the row `(unsupported)`/`(clarify)`."""
    table: dict[str, Counter[str]] = {}
    for s in scores:
        if s.tool_correct:
            continue
        if s.gold_outcome != "steps":
            table.setdefault(s.gold_label, Counter())[s.pred_label] += 1
            continue
        gset, pset = set(s.gold_tools), set(s.pred_tools)
        missing = sorted(gset - pset)
        extra = sorted(pset - gset)
        instead = extra if extra else [s.pred_label if s.pred_outcome != "steps" else NONE]
        for g in missing:
            for x in instead:
                table.setdefault(g, Counter())[x] += 1
        if not missing:
            for x in extra:
                table.setdefault(NONE, Counter())[x] += 1
    return {g: dict(c.most_common()) for g, c in sorted(table.items())}
