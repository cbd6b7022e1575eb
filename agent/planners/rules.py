"""The deterministic rule planner: no model, English and Chinese, multi-step chains.

How a request becomes a plan:
 1. clauses.split_request: protect quotes and file names, split on strong separators (then, ;,
    然后, 再 ...) and weak ones (",", and, 、, 和 ...), spell numbers as digits.
 2. Per clause: a capability no tool has (lexicon.UNSUPPORTED: translation, images, ...) makes the
    whole plan `unsupported`; "read me ..." / "念给我听" sets Plan.speak; then the first rule of
    tool_rules.RULES whose tool is in the registry and whose triggers match gives the step
    (stackable format rules may add more). A weak-split piece with only arguments ("and the last
    3 seconds") joins its neighbour; one that maps to the same tool as its neighbour is read with it
    ("fade in 2 s and out 3 s" is one fade).
 3. Audio chains: each audio-taking step takes the previous audio-producing step's output; the
    first takes the request's audio upload, else the session's previous result (@last), else the
    plan asks which recording (clarify). Analysis steps on the same input are not repeated.

A clause nothing understands is never dropped silently (design choice): if it is vague ("make it
better") the plan is `clarify`; otherwise the whole plan is `unsupported`, naming that clause and
listing what is supported, so the user can rephrase instead of getting a partial result.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from agent.context import PlanContext
from agent.plan import Plan, PlanStep
from agent.planners import lexicon as L
from agent.planners.clauses import PLACEHOLDER, Clause, Request, split_request
from agent.planners.numbers import scan
from agent.planners.rule_args import NeedInfo
from agent.planners.tool_rules import RULES, ToolRule, animates, literal_only, speaks_text
from agent.registry import Registry
from agent.specs import ToolSpec

NO_RECORDING = ("Which recording should I work on? Attach an audio file with -i (for example -i voice.wav), "
                "or run this after a request that produced audio.")


def supported_summary(registry: Registry) -> str:
    """What the registry can do, grouped by family: 'audio editing (trim, mix, ...); ...'."""
    families: dict[str, list[str]] = {}
    for spec in registry.specs():
        families.setdefault(spec.family, []).append(spec.name)
    return "; ".join(f"{fam} ({', '.join(names)})" for fam, names in families.items())


@dataclass
class Group:
    """One understood clause and the tool(s) it maps to."""

    clause: Clause
    rules: list[ToolRule]
    later: bool = False


ARTIFACT_ID = re.compile(r"@?\b((?:audio|image|video)-[0-9a-f]{10}(?:-\d+)?)\b")


class Chain:
    """Which audio each step reads: uploads, the previous result, earlier steps (rule_args.Sources)."""

    def __init__(self, ctx: PlanContext, req: Request) -> None:
        self.ctx = ctx
        self.uploads = [(f"@upload-{i}", a) for i, a in enumerate(ctx.uploads, 1) if a.kind == "audio"]
        lasts = [(("@last" if i == 1 else f"@last-{i}"), a) for i, a in enumerate(ctx.last, 1)]
        self.last_audio = next((r for r, a in lasts if a.kind == "audio"), None)
        if self.last_audio is None and (newest := ctx.latest("audio")) is not None:
            self.last_audio = f"@{newest.id}"
        self.last_text = next((r for r, a in lasts if a.kind == "text"), None)
        self.prefer_last = bool(self.last_audio and L.PREVIOUS.search(req.original))
        self.req = req
        self.cur: str | None = None
        self.origin: str | None = None
        self.used: set[str] = set()
        self.text_ref: str | None = None

    def current(self, clause: Clause, prefer_mention: bool = True) -> str:
        if self.cur:
            return self.cur
        ref: str | None = None
        if prefer_mention:
            named = [r for _, _, r in self.mentioned(clause)]
            ref = named[0] if named else None
        if ref is None:
            if self.prefer_last or not self.uploads:
                ref = self.last_audio or (self.uploads[0][0] if self.uploads else None)
            else:
                ref = self.uploads[0][0]
        if ref is None:
            raise NeedInfo(NO_RECORDING)
        self.cur = self.origin = ref
        self.used.add(ref)
        return ref

    def others(self) -> list[str]:
        return [r for r, _ in self.uploads if r not in self.used]

    def take(self, ref: str) -> None:
        self.used.add(ref)

    def text_source(self) -> str | None:
        return self.text_ref or self.last_text

    def upload_of(self, kind: str, newest: bool = False) -> str | None:
        """The first upload of a kind (image, video), else (newest=True) the session's newest one."""
        i = next((i for i, a in enumerate(self.ctx.uploads, 1) if a.kind == kind), None)
        if i is not None:
            return f"@upload-{i}"
        rec = self.ctx.latest(kind) if newest else None
        return f"@{rec.id}" if rec else None

    def mentioned(self, clause: Clause) -> list[tuple[int, int, str]]:
        """Inputs the clause names: 'the second file', 'music.wav', 'the music' (a file's stem), 'the previous
        result', as (start, end, reference) in clause order."""
        t = clause.core
        found: list[tuple[int, int, str]] = []
        for m in L.ORDINAL_MENTION.finditer(t):
            n = m.group("ord") or m.group("num") or m.group("zh") or m.group("zhrel")
            k = L.ORDINALS.get(n) if n in L.ORDINALS else {"前者": 1, "后者": 2}.get(n)
            if k is None:
                k = int(n) if n.isdigit() else "一二三四五".index(n) + 1
            if 1 <= k <= len(self.uploads):
                found.append((m.start(), m.end(), self.uploads[k - 1][0]))
        for m in PLACEHOLDER.finditer(t):
            if m.group(1) == "f":
                name = self.req.files[ord(m.group(2)) - 97].lower()
                ref = next((r for r, a in self.uploads if (a.original_name or "").lower().endswith(name)), None)
                if ref:
                    found.append((m.start(), m.end(), ref))
        for ref, a in self.uploads:
            stem = re.sub(r"\.\w+$", "", (a.original_name or "").lower())
            if len(stem) >= 3:
                for m in re.finditer(rf"(?<![\w⟦]){re.escape(stem)}(?!\w)", t):
                    found.append((m.start(), m.end(), ref))
        for m in ARTIFACT_ID.finditer(t):  # an artifact named by id; validation says if it is not there
            found.append((m.start(), m.end(), f"@{m.group(1)}"))
        if self.last_audio:
            for m in L.PREVIOUS.finditer(t):
                found.append((m.start(), m.end(), self.last_audio))
        found.sort()
        # What the chain already started from is now the chain's latest output.
        return [(s, e, self.cur if self.cur and r == self.origin else r) for s, e, r in found]

    def produced(self, step_id: str, spec: ToolSpec) -> None:
        if spec.outputs[spec.primary_output].type == "audio":
            self.cur = f"@{step_id}"
        text_out = next((n for n, o in spec.outputs.items() if o.type == "text"), None)
        if text_out:
            self.text_ref = f"@{step_id}.{text_out}"


class RulePlanner:
    """Keyword and pattern tables to a Plan; see the module docstring."""

    name = "rules"
    can_repair = False

    def plan(self, request: str, ctx: PlanContext, registry: Registry, feedback: list[str] | None = None,
             previous: Plan | None = None) -> Plan:
        return _Planning(request, ctx, registry).run()


_KNOWN_WORDS = L.FILLER_WORDS | L.ARG_WORDS | set(L.ORDINALS)
_TYPO_VOCAB = sorted({w for r in RULES for w in r.words})


class _Planning:
    def __init__(self, request: str, ctx: PlanContext, registry: Registry) -> None:
        self.req = split_request(request)
        self.ctx = ctx
        self.registry = registry
        self.speak = False
        self.groups: list[Group] = []
        self.unknown: list[Clause] = []

    # ------------------------------------------------------------------ outcomes
    def _unsupported(self, why: str) -> Plan:
        return Plan(unsupported=why, instead=f"I can do: {supported_summary(self.registry)}.")

    def _clarify_vague(self) -> Plan:
        return Plan(clarify=f"What should I do with the recording? I can do: {supported_summary(self.registry)}.")

    # ------------------------------------------------------------------ reading clauses
    def _match(self, c: Clause) -> tuple[list[ToolRule], ToolRule | None]:
        """The rules for a clause (primary first, then stackables), and the first matching rule whose tool is
        missing from the registry."""
        missing: ToolRule | None = None
        chosen: list[ToolRule] = []
        for rule in RULES:
            if chosen:
                if rule.tool in self.registry and rule.stacks_on(c) and self._makes_audio(chosen[0]) \
                        and all(r.tool != rule.tool for r in chosen):
                    chosen.append(rule)  # "denoise it into a mono mp3": format steps follow the edit
                continue
            if not rule.matches(c):
                continue
            if rule.tool not in self.registry:
                missing = missing or rule
                continue
            chosen.append(rule)
        return chosen, missing

    def _makes_audio(self, rule: ToolRule) -> bool:
        spec = self.registry[rule.tool].spec
        return spec.outputs[spec.primary_output].type == "audio"

    def _kind_of_leftover(self, c: Clause) -> str:
        """'filler' (nothing in it), 'args' (only numbers/positions/names: belongs to a neighbour) or 'unknown'."""
        if L.CONTEXT_STATEMENT.search(c.core):
            return "filler"
        if L.PRONOUN_ACTION.search(c.core.strip(" !.?")):
            return "args"
        t = L.PREVIOUS.sub(" ARG ", PLACEHOLDER.sub(" ARG ", c.core))
        spans = [(q.start, q.end) for q in scan(t)]
        for s, e in reversed(spans):
            t = t[:s] + " ARG " + t[e:]
        has_args = "ARG" in t
        words = re.findall(r"[a-z']+|[\u4e00-\u9fff]", t.replace("ARG", " ARG ").lower())
        strange = 0
        for w in words:
            if w == "arg" or w in L.FILLER_WORDS:
                continue
            if w in L.ARG_WORDS or w in L.ORDINALS or w in L.ZH_ARG_CHARS:
                has_args = True
                continue
            strange += 1
        # "50% wet": a number with one word of its own still qualifies the neighbouring step
        if strange == 0 or (strange == 1 and spans and len(words) <= 3):
            return "args" if has_args else "filler"
        return "unknown"

    def _qualifies(self, prev: Group | None, c: Clause, rules: list[ToolRule]) -> bool:
        """A weak-split piece that only qualifies the previous step: 'mix them, the second one at -6 dB',
        'normalize to -16 LUFS, -1 dB true peak'."""
        if prev is None or (rules and rules[0].tool not in ("gain", "trim")):
            return False
        tool = prev.rules[0].tool
        if tool == "mix":
            return bool(Chain(self.ctx, self.req).mentioned(c) or L.MIX_PART.search(c.core))
        if tool == "loudness_normalize":
            return bool(L.PEAK_WORDS.search(c.core))
        return False

    def _fix_typos(self, c: Clause) -> Clause:
        def fix(m: re.Match[str]) -> str:
            w = m.group(0)
            if len(w) < 4 or w in _KNOWN_WORDS or w in _TYPO_VOCAB:
                return w
            near = difflib.get_close_matches(w, _TYPO_VOCAB, n=1, cutoff=0.8)
            return near[0] if near else w

        return c.with_core(re.sub(r"[a-z]+", fix, c.core))

    def _read(self) -> Plan | None:
        """Map clauses to groups; returns an unsupported plan when a capability is missing."""
        pending: Clause | None = None
        for c in self.req.clauses:
            for capability, pat in ([] if speaks_text(c) or animates(c) else L.UNSUPPORTED):  # "say I love pictures"
                if pat.search(PLACEHOLDER.sub(" ", c.core)):
                    return self._unsupported(f"There is no tool for {capability} (asked for in {c.shown()!r}).")
            if not c.quotes:
                m = L.SPEAK.search(c.core)
                if m:
                    self.speak = True
                    c = c.with_core(c.core[:m.start()] + " " + c.core[m.end():])
            if pending is not None:
                c = pending.merged(c)
                pending = None
            rules, missing = self._match(c)
            if not rules:
                fixed = self._fix_typos(c)
                if fixed.core != c.core:
                    rules, missing2 = self._match(fixed)
                    missing = missing or missing2
                    c = fixed if rules else c
            prev = self.groups[-1] if self.groups else None
            if not rules and c.sep == "weak" and self._qualifies(prev, c, rules) and prev is not None:
                prev.clause = prev.clause.merged(c)
                continue
            if not rules:
                kind = self._kind_of_leftover(c)
                if literal_only(c) and prev and prev.rules[0].tool == "text_to_speech":
                    kind = "args"
                if kind == "args" and prev:
                    prev.clause = prev.clause.merged(c)
                elif kind == "args":
                    pending = c
                elif kind == "unknown" and prev and prev.rules[-1].absorbs and c.sep == "weak":
                    prev.clause = prev.clause.merged(c)
                elif missing is not None:
                    return self._unsupported(f"This setup has no {missing.what} tool ({missing.tool!r} is not "
                                             f"registered), needed for {c.shown()!r}.")
                elif kind == "unknown":
                    self.unknown.append(c)
                continue
            same = prev and [r.tool for r in prev.rules] == [r.tool for r in rules]
            if (same or self._qualifies(prev, c, rules)) and c.sep == "weak" and prev is not None:
                prev.clause = prev.clause.merged(c)  # "more bass, less treble" is one EQ step
                continue
            self.groups.append(Group(c, rules, later=c.later))
        if pending is not None and not self.groups:
            self.unknown.append(pending)
        for i in range(len(self.groups) - 2, -1, -1):  # "before transcribing, denoise it"
            if self.groups[i].later:
                self.groups[i], self.groups[i + 1] = self.groups[i + 1], self.groups[i]
        return None

    # ------------------------------------------------------------------ building steps
    def _clean(self, spec: ToolSpec, args: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in args.items():
            p = spec.inputs.get(name)
            if p is None:
                continue
            if isinstance(value, float):
                value = round(value, 4)
                if value.is_integer() and (p.type == "integer" or name not in ("rate",)):
                    value = int(value)
            if p.default is not None and value == p.default and (p.type in ("string", "boolean") or value == 0):
                continue  # a default the user did not need to state
            if p.type in ("number", "integer") and isinstance(value, (int, float)):
                unit = f" {p.unit}" if p.unit else ""
                lo, hi = p.minimum, p.maximum
                if (lo is not None and value < lo) or (hi is not None and value > hi):
                    span = f"between {lo:g} and {hi:g}{unit}" if lo is not None and hi is not None else (
                        f"at least {lo:g}{unit}" if lo is not None else f"at most {hi:g}{unit}")
                    raise NeedInfo(f"{spec.name} {name} must be {span}, but the request asks for {value:g}{unit}. "
                                   f"What value should I use?")
            if p.choices is not None and not str(value).startswith("@") and value not in p.choices:
                raise NeedInfo(f"{spec.name} {name} must be one of {', '.join(map(str, p.choices))}. Which one?")
            out[name] = value
        return out

    def _build(self) -> Plan:
        chain = Chain(self.ctx, self.req)
        steps: list[PlanStep] = []
        for g in self.groups:
            for rule in g.rules:
                spec = self.registry[rule.tool].spec
                args = rule.extract(g.clause, chain)
                audio_in = next((n for n, p in spec.inputs.items() if p.type == "audio"), None)
                if audio_in and audio_in not in args:
                    args[audio_in] = chain.current(g.clause)
                args = self._clean(spec, args)
                if spec.outputs[spec.primary_output].type != "audio":
                    src = args.get(audio_in or "")
                    twin = next((s for s in steps if s.tool == rule.tool and s.args.get(audio_in or "") == src), None)
                    if twin is not None:  # "how long is it and how loud": one measurement
                        twin.args = {**args, **twin.args}
                        continue
                sid = f"s{len(steps) + 1}"
                steps.append(PlanStep(id=sid, tool=rule.tool, args=args))
                chain.produced(sid, spec)
        return Plan(steps=steps, speak=self.speak)

    def run(self) -> Plan:
        early = self._read()
        if early is not None:
            return early
        if self.unknown:
            vague = [c for c in self.unknown if L.VAGUE.search(c.core)]
            if vague or (not self.groups and any(L.AUDIOISH.search(c.core) for c in self.unknown)):
                return self._clarify_vague()
            c = self.unknown[0]
            return self._unsupported(f"I don't know a tool that does {c.shown()!r}.")
        if not self.groups:
            if self.speak and self.ctx.last and "text_to_speech" in self.registry:
                chain = Chain(self.ctx, self.req)
                if chain.last_text:
                    return Plan(steps=[PlanStep(id="s1", tool="text_to_speech", args={"text": chain.last_text})])
            if L.VAGUE.search(self.req.original) or L.AUDIOISH.search(self.req.original) or self.speak:
                return self._clarify_vague()
            return self._unsupported("I found no audio task in this request.")
        try:
            return self._build()
        except NeedInfo as e:
            return Plan(clarify=e.question, speak=self.speak)
