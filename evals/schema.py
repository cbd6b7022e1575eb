"""The eval data (evals/SCHEMA.md) as typed models, and a JSONL loader whose errors name the line.

    items = load_consistency(Path("evals/data/consistency.jsonl"))
    items = load_robustness(Path("evals/data/robustness.jsonl"))

`lint_gold` checks gold plans against the registry (tool and argument names, ranges, references) so
a wrong gold item is reported instead of silently scoring the planner as wrong.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agent.errors import AudiogentError

Split = Literal["tune", "heldout"]
Lang = Literal["en", "zh", "mixed"]
Style = Literal["plain", "terse", "chatty", "typo", "number-words", "mixed-language"]
Outcome = Literal["steps", "unsupported", "clarify"]
Category = Literal["long_chain", "unsupported", "fault", "context_break"]
FaultKind = Literal["exception", "timeout", "corrupt_input", "wrong_format", "empty_input"]
TOOL_FAULTS = ("exception", "timeout")
INPUT_FAULTS = ("corrupt_input", "wrong_format", "empty_input")
INPUT_KINDS = ("audio", "image", "video", "score", "text", "json")

# A per-argument tolerance: an absolute number, or an inclusive [low, high] range.
Tolerance = float | tuple[float, float]


class EvalDataError(AudiogentError):
    """An eval data file cannot be read: the message lists `file:line: problem` for each bad line."""


class GoldStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)


class Expect(BaseModel):
    """Either a plan (`steps`) or an outcome without steps (`unsupported` / `clarify`)."""

    model_config = ConfigDict(extra="forbid")

    steps: list[GoldStep] | None = None
    outcome: Literal["unsupported", "clarify"] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Expect:
        if (self.steps is None) == (self.outcome is None):
            raise ValueError("expect needs exactly one of `steps` or `outcome`")
        if self.steps is not None and not self.steps:
            raise ValueError("expect.steps is empty (use {\"outcome\": \"unsupported\"} for no plan)")
        return self

    @property
    def kind(self) -> Outcome:
        return "steps" if self.steps is not None else self.outcome  # type: ignore[return-value]

    def to_json(self) -> dict[str, Any]:
        if self.steps is not None:
            return {"steps": [s.model_dump() for s in self.steps]}
        return {"outcome": self.outcome}


def _check_tolerance(v: dict[str, Any]) -> dict[str, Tolerance]:
    out: dict[str, Tolerance] = {}
    for name, t in v.items():
        if isinstance(t, bool):
            raise ValueError(f"tolerance {name!r} must be a number or [low, high], got {t!r}")  # noqa: TRY004
        if isinstance(t, (int, float)):
            if t < 0:
                raise ValueError(f"tolerance {name!r} is negative")
            out[name] = float(t)
        elif isinstance(t, (list, tuple)) and len(t) == 2 and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) for x in t):
            lo, hi = float(t[0]), float(t[1])
            if lo > hi:
                raise ValueError(f"tolerance {name!r}: low {lo} > high {hi}")
            out[name] = (lo, hi)
        else:
            raise ValueError(f"tolerance {name!r} must be a number or [low, high], got {t!r}")
    return out


class _Request(BaseModel):
    """What a consistency item and a robustness turn share: a request, its inputs and the expectation."""

    model_config = ConfigDict(extra="forbid")

    request: str = Field(min_length=1)
    inputs: list[str] = Field(default_factory=list)
    expect: Expect
    tolerance: dict[str, Tolerance] = Field(default_factory=dict)
    note: str | None = None

    @field_validator("tolerance", mode="before")
    @classmethod
    def _tol(cls, v: Any) -> dict[str, Tolerance]:
        return _check_tolerance(v or {})

    @field_validator("inputs")
    @classmethod
    def _kinds(cls, v: list[str]) -> list[str]:
        bad = [k for k in v if k not in INPUT_KINDS]
        if bad:
            raise ValueError(f"unknown input kinds {bad}; use {', '.join(INPUT_KINDS)}")
        return v


class ConsistencyItem(_Request):
    id: str = Field(min_length=1)
    split: Split
    lang: Lang
    style: Style
    previous: Literal["audio"] | None = None


class Fault(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: FaultKind
    tool: str | None = None

    @model_validator(mode="after")
    def _tool_for_tool_faults(self) -> Fault:
        if self.kind in TOOL_FAULTS and not self.tool:
            raise ValueError(f"a {self.kind} fault needs `tool`")
        return self


class Turn(_Request):
    fault: Fault | None = None


class RobustnessItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    category: Category
    lang: Lang
    split: Split
    turns: list[Turn] = Field(min_length=1)
    style: Style | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _fault_last(self) -> RobustnessItem:
        faults = [i for i, t in enumerate(self.turns) if t.fault is not None]
        if self.category == "fault":
            if faults != [len(self.turns) - 1]:
                raise ValueError("a fault item has exactly one fault, on its last turn")
            f = self.turns[-1].fault
            assert f is not None
            if f.kind in INPUT_FAULTS and "audio" not in self.turns[-1].inputs:
                raise ValueError(f"an {f.kind} fault needs an audio input on its turn to corrupt")
        elif faults:
            raise ValueError(f"only `fault` items may have a fault (this one is {self.category})")
        if self.category == "unsupported" and len(self.turns) != 1:
            raise ValueError("an unsupported item has exactly one turn")
        return self


Item = TypeVar("Item", ConsistencyItem, RobustnessItem)


def _short(e: ValidationError) -> str:
    parts = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    return "; ".join(parts)


def load_jsonl(path: Path, model: type[Item]) -> list[Item]:
    """Every item of a JSONL file, or EvalDataError listing `path:line: problem` for each bad line
    (blank lines and lines starting with // are skipped)."""
    if not path.is_file():
        raise EvalDataError(f"eval data file not found: {path}", "see evals/SCHEMA.md for the format")
    items: list[Item] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{path}:{n}: not JSON ({e.msg} at column {e.colno})")
            continue
        try:
            item = model.model_validate(raw)
        except ValidationError as e:
            problems.append(f"{path}:{n}: {raw.get('id', '?') if isinstance(raw, dict) else '?'}: {_short(e)}")
            continue
        if item.id in seen:
            problems.append(f"{path}:{n}: id {item.id!r} already used on line {seen[item.id]}")
            continue
        seen[item.id] = n
        items.append(item)
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise EvalDataError(f"{len(problems)} bad line(s) in {path}:\n  " + "\n  ".join(shown),
                            "see evals/SCHEMA.md for the format")
    return items


def load_consistency(path: Path) -> list[ConsistencyItem]:
    return load_jsonl(path, ConsistencyItem)


def load_robustness(path: Path) -> list[RobustnessItem]:
    return load_jsonl(path, RobustnessItem)


def select(items: list[Item], split: str = "all", ids: list[str] | None = None, limit: int | None = None) -> list[Item]:
    """Filter by split and ids (in file order), then keep the first `limit`."""
    out = [i for i in items if split == "all" or i.split == split]
    if ids:
        wanted = set(ids)
        missing = wanted - {i.id for i in items}
        if missing:
            raise EvalDataError(f"no items with ids {sorted(missing)}")
        out = [i for i in out if i.id in wanted]
    return out[:limit] if limit is not None else out


# ---------------------------------------------------------------------- gold lint
_TURN_REF = re.compile(r"^turn-(\d+)(?:\.upload-(\d+))?$")


def lint_gold(expect: Expect, inputs: list[str], previous: str | None, registry: Any,
              earlier_turns: int = 0) -> list[str]:
    """Problems with a gold plan as the real validator sees them (unknown tools or arguments, values
    out of range, references to uploads that do not exist), plus `@turn-K` beyond the earlier turns.
    Empty when the gold plan is valid."""
    from agent.artifacts import ArtifactRecord
    from agent.context import PlanContext
    from agent.errors import PlanError
    from agent.plan import Plan, iter_refs
    from agent.validation import validate_plan

    if expect.steps is None:
        return []
    problems: list[str] = []

    def fake(i: str, kind: str) -> ArtifactRecord:
        return ArtifactRecord(id=i, kind=kind, file="", format="wav", bytes=1, sha256="", created=0.0,
                              source="upload")

    arts: dict[str, ArtifactRecord] = {}
    for s in expect.steps:
        for v in s.args.values():
            for r in iter_refs(v):
                m = _TURN_REF.match(r.target)
                if m:
                    if int(m.group(1)) > earlier_turns:
                        problems.append(f"step {s.id}: @{r.target} refers to a turn that has not happened yet")
                    # Kind unknown here; assume the consumer's expected kind by trying audio then text.
                    arts[r.target] = fake(r.target, "audio")
    ctx = PlanContext(uploads=[fake(f"upload-{i}", k) for i, k in enumerate(inputs, 1)],
                      last=[fake("last", "audio")] if previous == "audio" or earlier_turns else [],
                      artifacts=arts)
    plan = Plan.model_validate({"steps": [s.model_dump() for s in expect.steps]})
    try:
        validate_plan(plan, registry, ctx)
    except PlanError as e:
        # A turn reference to a transcript is fine where text is wanted; only kind clashes on audio fakes.
        problems += [p for p in e.problems if not (" is audio" in p and "@turn-" in p)]
    return problems
