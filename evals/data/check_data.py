"""Validate the eval data files against evals/SCHEMA.md and model_registry.yaml.

    .venv/bin/python evals/data/check_data.py [--quiet] [--no-cross-check] [--consistency F] [--robustness F]

Checks every line of evals/data/consistency.jsonl and evals/data/robustness.jsonl:
- the fields SCHEMA.md names (and no others), their values (split, lang, style, category, fault kinds,
  input kinds), unique ids, the language of the request text matching `lang`;
- gold plans against the registry (parsed here with PyYAML): step ids s1..sN in order, tool names,
  argument names, required arguments, types, ranges and choices, no argument stated at its default;
- references: `@upload-N` (an audio upload of this request/turn), `@last` (only with a previous
  result), `@sN` / `@sN.output` (an earlier step and one of its tool's outputs, of the kind the
  argument needs), `@turn-K` / `@turn-K.upload-N` (an earlier turn that produced a plan / had that
  upload);
- tolerances: named arguments that occur in the plan, ranges that hold the gold value;
- item-level rules: clarify items have no inputs and no previous result, unsupported items have one
  turn, fault items have exactly one fault on the last turn, context_break items have 3-5 turns and
  go back to a turn at least two turns earlier, long_chain items have 4-8 steps in one turn or 2-4
  turns referring back;
- coverage: at least 8 consistency items per registry tool, about 40% heldout, at least 20
  robustness items per category with English and Chinese in each.
Then, unless --no-cross-check, loads both files with evals/schema.py and runs its lint_gold (the real
plan validator) on every gold plan, when that module is importable.

Prints the problems (file:line: id: problem) and the counts; exits 1 when there is any error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
REGISTRY_PATH = ROOT / "model_registry.yaml"
DATA = Path(__file__).resolve().parent
CONSISTENCY = DATA / "consistency.jsonl"
ROBUSTNESS = DATA / "robustness.jsonl"

SPLITS = {"tune", "heldout"}
LANGS = {"en", "zh", "mixed"}
STYLES = {"plain", "terse", "chatty", "typo", "number-words", "mixed-language"}
CATEGORIES = {"long_chain", "unsupported", "fault", "context_break"}
FAULT_KINDS = {"exception", "timeout", "corrupt_input", "wrong_format", "empty_input"}
TOOL_FAULTS = {"exception", "timeout"}
INPUT_KINDS = {"audio", "image", "video", "score", "text", "json"}
ARTIFACT_TYPES = {"audio", "image", "video", "text", "score", "json"}

CONSISTENCY_KEYS = {"id", "split", "lang", "style", "request", "inputs", "previous", "expect"}
CONSISTENCY_OPTIONAL = {"tolerance"}
ROBUSTNESS_KEYS = {"id", "category", "lang", "split", "turns"}
TURN_KEYS = {"request", "inputs", "expect"}
TURN_OPTIONAL = {"tolerance", "fault"}

MIN_PER_TOOL = 8
HELDOUT_RANGE = (0.35, 0.45)
MIN_PER_CATEGORY = 20

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# file formats and units are written in Latin letters in Chinese requests too; they do not make a request mixed
UNITS = re.compile(r"(?<![A-Za-z])(?:mp3|wav|flac|ogg|lufs|db|hz|khz|k|x)(?![A-Za-z])", re.IGNORECASE)
REF = re.compile(r"^@(?P<target>[A-Za-z0-9][A-Za-z0-9_-]*)(?:\.(?P<output>[A-Za-z0-9_-]+))?$")
STEP_ID = re.compile(r"^s(\d+)$")
UPLOAD = re.compile(r"^upload-(\d+)$")
TURN = re.compile(r"^turn-(\d+)$")


# ---------------------------------------------------------------------- registry
class Registry:
    def __init__(self, path: Path) -> None:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.tools: dict[str, dict[str, Any]] = {t["name"]: t for t in raw["tools"]}

    def inputs(self, tool: str) -> dict[str, dict[str, Any]]:
        return self.tools[tool].get("inputs") or {}

    def outputs(self, tool: str) -> dict[str, dict[str, Any]]:
        return self.tools[tool].get("outputs") or {}

    def primary_output(self, tool: str) -> str:
        return next(iter(self.outputs(tool)))

    @staticmethod
    def required(spec: dict[str, Any]) -> bool:
        if "required" in spec:
            return bool(spec["required"])
        return "default" not in spec


# ---------------------------------------------------------------------- reporting
class Report:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def error(self, where: str, msg: str) -> None:
        self.errors.append(f"{where}: {msg}")

    def warn(self, where: str, msg: str) -> None:
        self.warnings.append(f"{where}: {msg}")


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same(a: Any, b: Any) -> bool:
    if is_number(a) and is_number(b):
        return abs(float(a) - float(b)) < 1e-9
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------------- plan checks
class PlanContext:
    """What a gold plan may refer to."""

    def __init__(self, inputs: list[str], previous: str | None, turn: int = 1,
                 earlier: list[dict[str, Any]] | None = None) -> None:
        self.inputs = inputs
        self.previous = previous
        self.turn = turn  # 1-based turn number (consistency items: 1)
        self.earlier = earlier or []  # earlier turns: {"inputs": [...], "final_kind": kind or None}


def ref_kind(value: str, step_no: int, steps: list[dict[str, Any]], ctx: PlanContext, reg: Registry,
             rep: Report, where: str) -> str | None:
    """The artifact kind a reference points at, or None after reporting a problem."""
    m = REF.match(value)
    if not m:
        rep.error(where, f"malformed reference {value!r}")
        return None
    target, output = m.group("target"), m.group("output")
    sm = STEP_ID.match(target)
    if sm:
        k = int(sm.group(1))
        if k >= step_no:
            rep.error(where, f"{value} refers to step s{k}, which is not earlier than s{step_no}")
            return None
        tool = steps[k - 1]["tool"]
        if tool not in reg.tools:
            return None
        name = output or reg.primary_output(tool)
        outs = reg.outputs(tool)
        if name not in outs:
            rep.error(where, f"{value}: {tool} has no output {name!r} (it has {', '.join(outs)})")
            return None
        return outs[name]["type"]
    um = UPLOAD.match(target)
    if um:
        if output is not None:
            rep.error(where, f"{value}: an upload has no outputs")
            return None
        n = int(um.group(1))
        if not 1 <= n <= len(ctx.inputs):
            rep.error(where, f"{value} does not exist: the request has {len(ctx.inputs)} input(s)")
            return None
        return ctx.inputs[n - 1]
    if target == "last":
        if output is not None:
            rep.error(where, f"{value}: use @last without an output name")
            return None
        if ctx.previous != "audio" and ctx.turn == 1:
            rep.error(where, "@last used but there is no previous result (set \"previous\": \"audio\")")
            return None
        if ctx.turn > 1 and not any(t["final_kind"] for t in ctx.earlier):
            rep.error(where, "@last used but no earlier turn produced anything")
            return None
        return "audio"
    tm = TURN.match(target)
    if tm:
        k = int(tm.group(1))
        if not 1 <= k < ctx.turn:
            rep.error(where, f"{value}: turn {k} is not an earlier turn (this is turn {ctx.turn})")
            return None
        earlier = ctx.earlier[k - 1]
        if output is None:
            if earlier["final_kind"] is None:
                rep.error(where, f"{value}: turn {k} produced no plan, so it has no output")
                return None
            return earlier["final_kind"]
        um = UPLOAD.match(output)
        if not um:
            rep.error(where, f"{value}: after @turn-K only .upload-N is allowed")
            return None
        n = int(um.group(1))
        if not 1 <= n <= len(earlier["inputs"]):
            rep.error(where, f"{value}: turn {k} had {len(earlier['inputs'])} input(s)")
            return None
        return earlier["inputs"][n - 1]
    rep.error(where, f"{value}: unknown reference target {target!r}")
    return None


def check_value(name: str, spec: dict[str, Any], value: Any, step_no: int, steps: list[dict[str, Any]],
                ctx: PlanContext, reg: Registry, rep: Report, where: str) -> None:
    typ = spec["type"]
    w = f"{where} {name}"
    if typ == "list":
        if not isinstance(value, list):
            rep.error(w, f"must be a list, got {value!r}")
            return
        if len(value) < spec.get("min_items", 0):
            rep.error(w, f"needs at least {spec['min_items']} items, got {len(value)}")
        item_spec = {"type": spec.get("items", "string")}
        for i, v in enumerate(value):
            check_value(f"{name}[{i}]", item_spec, v, step_no, steps, ctx, reg, rep, where)
        return
    if typ in ARTIFACT_TYPES:
        if isinstance(value, str) and value.startswith("@"):
            kind = ref_kind(value, step_no, steps, ctx, reg, rep, w)
            if kind is not None and kind != typ and not (typ == "text" and kind == "string"):
                rep.error(w, f"needs {typ} but {value} is {kind}")
        elif typ == "text" and isinstance(value, str) and value.strip():
            if value != value.strip():
                rep.error(w, "literal text has leading/trailing whitespace")
        else:
            rep.error(w, f"must reference a {typ} artifact, got {value!r}")
        return
    if isinstance(value, str) and value.startswith("@"):
        rep.error(w, f"a plain {typ} argument cannot be a reference ({value})")
        return
    if typ in ("number", "integer"):
        if not is_number(value):
            rep.error(w, f"must be a {typ}, got {value!r}")
            return
        if typ == "integer" and float(value) != int(value):
            rep.error(w, f"must be a whole number, got {value!r}")
        if "minimum" in spec and value < spec["minimum"]:
            rep.error(w, f"{value} is below the minimum {spec['minimum']}")
        if "maximum" in spec and value > spec["maximum"]:
            rep.error(w, f"{value} is above the maximum {spec['maximum']}")
    elif typ == "boolean":
        if not isinstance(value, bool):
            rep.error(w, f"must be true or false, got {value!r}")
    elif typ == "string":
        if not isinstance(value, str):
            rep.error(w, f"must be a string, got {value!r}")
            return
        choices = spec.get("choices")
        if choices is not None and value not in [str(c) for c in choices]:
            rep.error(w, f"{value!r} is not one of {choices}")
    else:
        rep.error(w, f"unknown registry type {typ!r}")


def check_plan(expect: Any, ctx: PlanContext, tolerance: Any, reg: Registry, rep: Report, where: str) -> str | None:
    """Check an `expect`; returns the kind of the plan's final output (None for no plan)."""
    if not isinstance(expect, dict):
        rep.error(where, "expect must be an object")
        return None
    if "outcome" in expect:
        if set(expect) != {"outcome"}:
            rep.error(where, f"expect with an outcome has extra keys {sorted(set(expect) - {'outcome'})}")
        if expect["outcome"] not in ("unsupported", "clarify"):
            rep.error(where, f"outcome must be unsupported or clarify, got {expect['outcome']!r}")
        if tolerance:
            rep.error(where, "tolerance given for an item without steps")
        return None
    if set(expect) != {"steps"}:
        rep.error(where, f"expect needs exactly one of steps / outcome, got {sorted(expect)}")
        return None
    steps = expect["steps"]
    if not isinstance(steps, list) or not steps:
        rep.error(where, "expect.steps must be a non-empty list")
        return None
    final_kind = None
    arg_values: dict[str, list[Any]] = {}
    for i, step in enumerate(steps, 1):
        w = f"{where} step {i}"
        if not isinstance(step, dict) or set(step) != {"id", "tool", "args"}:
            rep.error(w, "a step is exactly {id, tool, args}")
            continue
        if step["id"] != f"s{i}":
            rep.error(w, f"step id {step['id']!r} should be 's{i}'")
        tool = step["tool"]
        if tool not in reg.tools:
            rep.error(w, f"unknown tool {tool!r}")
            continue
        args = step["args"]
        if not isinstance(args, dict):
            rep.error(w, "args must be an object")
            continue
        specs = reg.inputs(tool)
        for name, value in args.items():
            if name not in specs:
                rep.error(w, f"{tool} has no argument {name!r} (it has {', '.join(specs)})")
                continue
            spec = specs[name]
            if "default" in spec and same(value, spec["default"]):
                rep.error(w, f"{tool}.{name}={value!r} is the registry default; omit it")
            check_value(name, spec, value, i, steps, ctx, reg, rep, w)
            if not (isinstance(value, str) and value.startswith("@")) and not isinstance(value, list):
                arg_values.setdefault(name, []).append(value)
                arg_values.setdefault(f"{tool}.{name}", []).append(value)
        for name, spec in specs.items():
            if Registry.required(spec) and name not in args:
                rep.error(w, f"{tool} needs argument {name!r}")
        # text_to_speech: literal Chinese text is spoken with language zh, other text without it
        if tool == "text_to_speech" and isinstance(args.get("text"), str) and not args["text"].startswith("@"):
            has_cjk = bool(CJK.search(args["text"]))
            lang = args.get("language")
            if has_cjk and lang != "zh":
                rep.error(w, "Chinese text needs \"language\": \"zh\"")
            if not has_cjk and lang == "zh":
                rep.error(w, "language zh for text without Chinese characters")
        outs = reg.outputs(tool)
        final_kind = outs[reg.primary_output(tool)]["type"]
    # tolerances
    if tolerance is None:
        tolerance = {}
    if not isinstance(tolerance, dict):
        rep.error(where, "tolerance must be an object")
        return final_kind
    for name, tol in tolerance.items():
        values = arg_values.get(name)
        if not values:
            rep.error(where, f"tolerance for {name!r}, which no step states")
            continue
        if len(values) > 1:
            rep.warn(where, f"tolerance {name!r} applies to {len(values)} steps")
        if is_number(tol):
            if tol < 0:
                rep.error(where, f"tolerance {name!r} is negative")
        elif isinstance(tol, list) and len(tol) == 2 and all(is_number(x) for x in tol):
            lo, hi = tol
            if lo > hi:
                rep.error(where, f"tolerance {name!r}: low {lo} > high {hi}")
            for v in values:
                if not is_number(v) or not lo <= v <= hi:
                    rep.error(where, f"gold {name}={v!r} is outside its tolerance range {tol}")
            # the range itself should stay inside the registry range
            for tool in {s["tool"] for s in steps if isinstance(s, dict) and name.split(".")[-1] in s.get("args", {})}:
                spec = reg.inputs(tool).get(name.split(".")[-1], {}) if tool in reg.tools else {}
                if "minimum" in spec and lo < spec["minimum"] or "maximum" in spec and hi > spec["maximum"]:
                    rep.error(where, f"tolerance {name!r} {tol} leaves the registry range of {tool}.{name}")
        else:
            rep.error(where, f"tolerance {name!r} must be a number or [low, high], got {tol!r}")
    return final_kind


def check_lang(lang: str, text: str, rep: Report, where: str) -> None:
    has_cjk = bool(CJK.search(text))
    # Latin words outside quotes: quoted English inside a Chinese request does not make it mixed
    unquoted = re.sub(r"[\"“'‘「][^\"”'’」]*[\"”'’」]", "", text)
    no_units = UNITS.sub("", unquoted)
    has_latin = bool(LATIN_WORD.search(no_units))
    if lang == "en" and has_cjk:
        rep.error(where, "lang en but the request has Chinese characters")
    if lang == "zh" and not has_cjk:
        rep.error(where, "lang zh but the request has no Chinese characters")
    if lang == "mixed" and not (has_cjk and has_latin):
        rep.error(where, "lang mixed but the request is not a mix of Chinese and English words")


def check_inputs(inputs: Any, rep: Report, where: str) -> list[str]:
    if not isinstance(inputs, list) or not all(isinstance(k, str) for k in inputs):
        rep.error(where, "inputs must be a list of kinds")
        return []
    bad = [k for k in inputs if k not in INPUT_KINDS]
    if bad:
        rep.error(where, f"unknown input kinds {bad}")
    return inputs


def plan_refs(expect: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, str) and v.startswith("@"):
            out.append(v)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    for s in expect.get("steps") or []:
        for v in (s.get("args") or {}).values():
            walk(v)
    return out


def read_jsonl(path: Path, rep: Report) -> list[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        rep.error(str(path), "file not found")
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            rep.error(f"{path.name}:{n}", "blank line")
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as e:
            rep.error(f"{path.name}:{n}", f"not JSON: {e.msg}")
            continue
        if not isinstance(raw, dict):
            rep.error(f"{path.name}:{n}", "not a JSON object")
            continue
        out.append((n, raw))
    return out


def check_common(raw: dict[str, Any], required: set[str], optional: set[str], seen: dict[str, int], n: int,
                 rep: Report, where: str) -> bool:
    missing = required - set(raw)
    extra = set(raw) - required - optional
    if missing:
        rep.error(where, f"missing fields {sorted(missing)}")
    if extra:
        rep.error(where, f"unknown fields {sorted(extra)}")
    if missing:
        return False
    if not isinstance(raw["id"], str) or not raw["id"]:
        rep.error(where, "id must be a non-empty string")
    elif raw["id"] in seen:
        rep.error(where, f"id {raw['id']!r} already used on line {seen[raw['id']]}")
    else:
        seen[raw["id"]] = n
    if raw["split"] not in SPLITS:
        rep.error(where, f"split {raw['split']!r} not in {sorted(SPLITS)}")
    if raw["lang"] not in LANGS:
        rep.error(where, f"lang {raw['lang']!r} not in {sorted(LANGS)}")
    return True


def check_split_share(items: list[dict[str, Any]], rep: Report, name: str) -> None:
    if not items:
        return
    share = sum(i.get("split") == "heldout" for i in items) / len(items)
    if not HELDOUT_RANGE[0] <= share <= HELDOUT_RANGE[1]:
        rep.error(name, f"heldout share {share:.0%} is outside {HELDOUT_RANGE[0]:.0%}-{HELDOUT_RANGE[1]:.0%}")


# ---------------------------------------------------------------------- consistency
def check_consistency(path: Path, reg: Registry, rep: Report) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    items = []
    for n, raw in read_jsonl(path, rep):
        where = f"{path.name}:{n}: {raw.get('id', '?')}"
        if not check_common(raw, CONSISTENCY_KEYS, CONSISTENCY_OPTIONAL, seen, n, rep, where):
            continue
        items.append(raw)
        if raw["style"] not in STYLES:
            rep.error(where, f"style {raw['style']!r} not in {sorted(STYLES)}")
        if raw["style"] == "mixed-language" and raw["lang"] != "mixed":
            rep.error(where, "style mixed-language needs lang mixed")
        if not isinstance(raw["request"], str) or not raw["request"].strip():
            rep.error(where, "empty request")
            continue
        check_lang(raw["lang"], raw["request"], rep, where)
        inputs = check_inputs(raw["inputs"], rep, where)
        if raw["previous"] not in ("audio", None):
            rep.error(where, f"previous must be \"audio\" or null, got {raw['previous']!r}")
        ctx = PlanContext(inputs, raw["previous"])
        check_plan(raw["expect"], ctx, raw.get("tolerance"), reg, rep, where)
        expect = raw["expect"] if isinstance(raw["expect"], dict) else {}
        if expect.get("outcome") == "clarify" and (inputs or raw["previous"] is not None):
            rep.error(where, "a clarify item has \"inputs\": [] and \"previous\": null")
        refs = plan_refs(expect)
        if raw["previous"] == "audio" and expect.get("steps") and "@last" not in refs:
            rep.warn(where, "previous is audio but the plan does not use @last")
        for k, kind in enumerate(inputs, 1):
            if expect.get("steps") and not any(r == f"@upload-{k}" for r in refs):
                rep.error(where, f"input {k} ({kind}) is attached but the plan never uses @upload-{k}")
    # coverage
    per_tool = Counter(t for i in items for t in {s.get("tool") for s in (i["expect"].get("steps") or [])
                                                    if isinstance(s, dict)})
    for tool in reg.tools:
        if per_tool[tool] < MIN_PER_TOOL:
            rep.error(path.name, f"tool {tool} has {per_tool[tool]} items; at least {MIN_PER_TOOL} wanted")
    check_split_share(items, rep, path.name)
    return items


# ---------------------------------------------------------------------- robustness
def check_robustness(path: Path, reg: Registry, rep: Report) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    items = []
    for n, raw in read_jsonl(path, rep):
        where = f"{path.name}:{n}: {raw.get('id', '?')}"
        if not check_common(raw, ROBUSTNESS_KEYS, set(), seen, n, rep, where):
            continue
        items.append(raw)
        cat = raw["category"]
        if cat not in CATEGORIES:
            rep.error(where, f"category {cat!r} not in {sorted(CATEGORIES)}")
        turns = raw["turns"]
        if not isinstance(turns, list) or not turns:
            rep.error(where, "turns must be a non-empty list")
            continue
        earlier: list[dict[str, Any]] = []
        turn_refs: list[list[str]] = []
        for t_no, turn in enumerate(turns, 1):
            w = f"{where} turn {t_no}"
            if not isinstance(turn, dict):
                rep.error(w, "a turn is an object")
                earlier.append({"inputs": [], "final_kind": None})
                turn_refs.append([])
                continue
            missing, extra = TURN_KEYS - set(turn), set(turn) - TURN_KEYS - TURN_OPTIONAL
            if missing:
                rep.error(w, f"missing fields {sorted(missing)}")
            if extra:
                rep.error(w, f"unknown fields {sorted(extra)}")
            if missing:
                earlier.append({"inputs": [], "final_kind": None})
                turn_refs.append([])
                continue
            if not isinstance(turn["request"], str) or not turn["request"].strip():
                rep.error(w, "empty request")
            else:
                check_lang_turn(raw["lang"], turn["request"], rep, w)
            inputs = check_inputs(turn["inputs"], rep, w)
            ctx = PlanContext(inputs, None, t_no, earlier)
            final_kind = check_plan(turn["expect"], ctx, turn.get("tolerance"), reg, rep, w)
            refs = plan_refs(turn["expect"]) if isinstance(turn["expect"], dict) else []
            turn_refs.append(refs)
            if isinstance(turn["expect"], dict) and turn["expect"].get("steps"):
                for k, kind in enumerate(inputs, 1):
                    if f"@upload-{k}" not in refs:
                        rep.error(w, f"input {k} ({kind}) is attached but the plan never uses @upload-{k}")
            if "fault" in turn:
                check_fault(turn, t_no == len(turns), cat, reg, rep, w)
            earlier.append({"inputs": inputs, "final_kind": final_kind})
        check_category(raw, turns, turn_refs, rep, where)
    # coverage
    by_cat = Counter(i.get("category") for i in items)
    for cat in sorted(CATEGORIES):
        if by_cat[cat] < MIN_PER_CATEGORY:
            rep.error(path.name, f"category {cat} has {by_cat[cat]} items; at least {MIN_PER_CATEGORY} wanted")
        langs = {i["lang"] for i in items if i.get("category") == cat}
        if not {"en", "zh"} <= langs:
            rep.error(path.name, f"category {cat} lacks English or Chinese items (has {sorted(langs)})")
    faults = Counter(i["turns"][-1]["fault"]["kind"] for i in items
                     if i.get("category") == "fault" and isinstance(i["turns"][-1].get("fault"), dict))
    for kind in sorted(FAULT_KINDS):
        if faults[kind] < 3:
            rep.error(path.name, f"fault kind {kind} has {faults[kind]} items; several wanted")
    unsup = [i for i in items if i.get("category") == "unsupported"]
    if unsup:
        refused = sum(i["turns"][0]["expect"].get("outcome") == "unsupported" for i in unsup)
        if not 0.35 <= refused / len(unsup) <= 0.65:
            rep.error(path.name, f"unsupported category: {refused}/{len(unsup)} refusals; about half wanted")
    check_split_share(items, rep, path.name)
    return items


def check_lang_turn(lang: str, text: str, rep: Report, where: str) -> None:
    # A mixed item may have purely English or purely Chinese turns; only en/zh are strict per turn.
    if lang in ("en", "zh"):
        check_lang(lang, text, rep, where)


def check_fault(turn: dict[str, Any], is_last: bool, cat: str, reg: Registry, rep: Report, where: str) -> None:
    fault = turn["fault"]
    if cat != "fault":
        rep.error(where, "only fault items have a fault")
    if not is_last:
        rep.error(where, "the fault belongs on the last turn")
    if not isinstance(fault, dict) or set(fault) - {"kind", "tool"} or "kind" not in fault:
        rep.error(where, "fault is {\"kind\": K, \"tool\": T}")
        return
    kind, tool = fault["kind"], fault.get("tool")
    if kind not in FAULT_KINDS:
        rep.error(where, f"fault kind {kind!r} not in {sorted(FAULT_KINDS)}")
    steps = turn["expect"].get("steps") if isinstance(turn["expect"], dict) else None
    if not steps:
        rep.error(where, "a fault turn needs a plan to fail")
        return
    tools = [s.get("tool") for s in steps if isinstance(s, dict)]
    if kind in TOOL_FAULTS and not tool:
        rep.error(where, f"a {kind} fault needs a tool")
    if tool is not None:
        if tool not in reg.tools:
            rep.error(where, f"fault tool {tool!r} is not a registry tool")
        elif tool not in tools:
            rep.error(where, f"fault tool {tool} is not in the turn's plan ({', '.join(map(str, tools))})")
    if kind not in TOOL_FAULTS:
        if "audio" not in turn["inputs"]:
            rep.error(where, f"an {kind} fault needs an attached audio input")
        elif tool is not None:
            uses_upload = any(isinstance(s, dict) and s.get("tool") == tool and
                              any(r.startswith("@upload-") for r in plan_refs({"steps": [s]})) for s in steps)
            if not uses_upload:
                rep.error(where, f"input fault on {tool}, but no {tool} step reads an upload")


def check_category(raw: dict[str, Any], turns: list[Any], turn_refs: list[list[str]], rep: Report, where: str) -> None:
    cat = raw["category"]
    n = len(turns)

    def n_steps(t: Any) -> int:
        return len(t["expect"].get("steps") or []) if isinstance(t, dict) and isinstance(t.get("expect"), dict) else 0

    def back_refs(k: int) -> list[int]:
        return [int(m.group(1)) for r in turn_refs[k] for m in [re.match(r"^@turn-(\d+)", r)] if m]

    if cat == "unsupported" and n != 1:
        rep.error(where, "an unsupported item has exactly one turn")
    if cat == "fault":
        if not isinstance(turns[-1], dict) or "fault" not in turns[-1]:
            rep.error(where, "a fault item has a fault on its last turn")
        if any(isinstance(t, dict) and "fault" in t for t in turns[:-1]):
            rep.error(where, "only the last turn may have a fault")
    if cat == "long_chain":
        if n == 1:
            if not 4 <= n_steps(turns[0]) <= 8:
                rep.error(where, f"a one-turn long_chain has 4-8 steps, this one {n_steps(turns[0])}")
        elif 2 <= n <= 4:
            for k in range(1, n):
                if not back_refs(k) and "@last" not in turn_refs[k]:
                    rep.error(where, f"long_chain turn {k + 1} does not refer back to an earlier turn")
        else:
            rep.error(where, f"a long_chain has 1 turn (4-8 steps) or 2-4 turns, this one {n}")
    if cat == "context_break":
        if not 3 <= n <= 5:
            rep.error(where, f"a context_break has 3-5 turns, this one {n}")
        far = [k for k in back_refs(n - 1) if k <= n - 2]
        if not far:
            rep.error(where, "the last turn should go back (@turn-K / @turn-K.upload-N) to a turn before the previous one")


# ---------------------------------------------------------------------- cross-check with evals/schema.py
def cross_check(rep: Report, consistency: Path, robustness: Path) -> str:
    sys.path.insert(0, str(ROOT))
    try:
        from agent.registry import load_registry
        from evals.schema import lint_gold, load_consistency, load_robustness
    except Exception as e:  # noqa: BLE001 - the module may not exist yet
        return f"cross-check skipped (evals.schema not importable: {e})"
    registry = load_registry(REGISTRY_PATH)
    count = 0
    try:
        for item in load_consistency(consistency):
            for p in lint_gold(item.expect, item.inputs, item.previous, registry):
                rep.error(f"lint_gold {item.id}", p)
            count += 1
        for ritem in load_robustness(robustness):
            for k, turn in enumerate(ritem.turns):
                for p in lint_gold(turn.expect, turn.inputs, None, registry, earlier_turns=k):
                    rep.error(f"lint_gold {ritem.id} turn {k + 1}", p)
            count += 1
    except Exception as e:  # noqa: BLE001
        rep.error("evals.schema", str(e).splitlines()[0] if str(e) else repr(e))
        for line in str(e).splitlines()[1:]:
            rep.error("evals.schema", line.strip())
    return f"cross-check: evals.schema loaded and lint_gold ran on {count} items"


# ---------------------------------------------------------------------- summary
def table(title: str, counter: Counter, order: list[str] | None = None) -> str:
    keys = order or sorted(counter, key=lambda k: (-counter[k], str(k)))
    return f"{title}: " + ", ".join(f"{k} {counter[k]}" for k in keys if counter[k])


def summary(cons: list[dict[str, Any]], rob: list[dict[str, Any]], reg: Registry) -> list[str]:
    out = [f"consistency: {len(cons)} items"]
    tools = Counter(t for i in cons for t in {s["tool"] for s in (i["expect"].get("steps") or [])})
    held = Counter(t for i in cons if i["split"] == "heldout" for t in {s["tool"] for s in (i["expect"].get("steps") or [])})
    out.append("  per tool (items using it / heldout): " + ", ".join(
        f"{t} {tools[t]}/{held[t]}" for t in sorted(reg.tools, key=lambda t: -tools[t])))
    out.append("  " + table("lang", Counter(i["lang"] for i in cons), ["en", "zh", "mixed"]))
    out.append("  " + table("style", Counter(i["style"] for i in cons)))
    out.append("  " + table("split", Counter(i["split"] for i in cons), ["tune", "heldout"]))
    outcomes = Counter(i["expect"].get("outcome") or ("multi-step" if len(i["expect"]["steps"]) > 1 else "single-step")
                       for i in cons)
    out.append("  " + table("outcome", outcomes, ["single-step", "multi-step", "unsupported", "clarify"])
               + f"  (multi-step {outcomes['multi-step'] / max(len(cons), 1):.0%}, unsupported "
                 f"{outcomes['unsupported'] / max(len(cons), 1):.0%}, clarify {outcomes['clarify'] / max(len(cons), 1):.0%})")
    out.append("  " + table("heldout by lang", Counter(i["lang"] for i in cons if i["split"] == "heldout"), ["en", "zh", "mixed"]))
    out.append("  " + table("heldout by style", Counter(i["style"] for i in cons if i["split"] == "heldout")))
    out.append("  " + table("previous=audio", Counter("yes" for i in cons if i["previous"] == "audio")))
    out.append(f"robustness: {len(rob)} items")
    cats = ["long_chain", "unsupported", "fault", "context_break"]
    out.append("  " + table("category", Counter(i["category"] for i in rob), cats))
    for cat in cats:
        sub = [i for i in rob if i["category"] == cat]
        extra = ""
        if cat == "unsupported":
            extra = "; " + table("expect", Counter(i["turns"][0]["expect"].get("outcome") or "plan (near-miss)" for i in sub))
        if cat == "fault":
            extra = "; " + table("kind", Counter(i["turns"][-1]["fault"]["kind"] for i in sub))
            extra += "; " + table("turns", Counter(f"{len(i['turns'])}-turn" for i in sub))
        if cat in ("long_chain", "context_break"):
            extra = "; " + table("turns", Counter(f"{len(i['turns'])}-turn" for i in sub))
        out.append(f"  {cat}: " + table("lang", Counter(i["lang"] for i in sub), ["en", "zh", "mixed"]) + "; "
                   + table("split", Counter(i["split"] for i in sub), ["tune", "heldout"]) + extra)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quiet", action="store_true", help="print only problems")
    ap.add_argument("--no-cross-check", action="store_true", help="skip evals/schema.py's loader and lint_gold")
    ap.add_argument("--consistency", type=Path, default=CONSISTENCY, help="consistency file (default: %(default)s)")
    ap.add_argument("--robustness", type=Path, default=ROBUSTNESS, help="robustness file (default: %(default)s)")
    args = ap.parse_args(argv)
    reg = Registry(REGISTRY_PATH)
    rep = Report()
    cons = check_consistency(args.consistency, reg, rep)
    rob = check_robustness(args.robustness, reg, rep)
    note = ("cross-check skipped (--no-cross-check)" if args.no_cross_check
            else cross_check(rep, args.consistency, args.robustness))
    for w in rep.warnings:
        print(f"warning: {w}")
    for e in rep.errors:
        print(f"error: {e}")
    if not args.quiet:
        try:
            for line in summary(cons, rob, reg):
                print(line)
        except (KeyError, TypeError, AttributeError) as e:
            print(f"(summary skipped: {e!r})")
        print(note)
    print(f"{len(rep.errors)} error(s), {len(rep.warnings)} warning(s)")
    return 1 if rep.errors else 0


if __name__ == "__main__":
    sys.exit(main())
