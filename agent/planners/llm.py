"""The LLM planner: prompt files + tool catalogue + references in, a structured Plan out.

Structured output is requested the strongest way the endpoint supports, with a JSON schema whose
`tool` field is an enum of the registry's tool names (a grammar-constrained server cannot invent a
tool). In "auto" mode the methods are tried in order and the first one the endpoint accepts is
remembered per endpoint:

  json_schema         response_format {"type": "json_schema"}: OpenAI, vLLM, Ollama, llama.cpp's server
  function_calling    a forced tool call: most OpenAI-compatible servers; llama-cpp-python turns its
                      parameters into a grammar
  json_object_schema  response_format {"type": "json_object", "schema": ...}: llama-cpp-python's own
                      form, also a grammar; the embedded model uses it
  (llama-cpp-python 0.3 rejects "json_schema": its request model allows only "text"/"json_object",
  answered as HTTP 500 with a validation error, so "auto" lands on function_calling there)
  json_mode           response_format {"type": "json_object"}: any JSON, schema only in the prompt
  text                no constraint; the first JSON object in the reply is taken

Besides the fixed examples in prompts/planner_examples.yaml, the prompt shows the labelled requests most like
this one with their gold plans (the intent bank's nearest, as HuggingGPT shows demonstrations): a model copies a
worked example of the same shape more reliably than it follows rules.

Whatever comes back is data: parsed as JSON and validated as a Plan, never evaluated.
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from typing import Any

import yaml
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import ValidationError

from agent.context import PlanContext
from agent.errors import LLMBadOutput, LLMHTTPError
from agent.llm import LLMConfig, StructuredMethod, invoke_with_retry, make_chat_model
from agent.paths import prompts_dir
from agent.plan import STEP_ID, Plan
from agent.registry import Registry, describe_for_planner
from agent.specs import ParamSpec, ToolSpec

log = logging.getLogger(__name__)

_AUTO_ORDER: tuple[StructuredMethod, ...] = ("json_schema", "function_calling", "json_object_schema", "json_mode", "text")
_EMBEDDED_ORDER: tuple[StructuredMethod, ...] = ("json_object_schema", "text")
# HTTP answers that mean "this endpoint does not take that request format": try the next method
# (llama-cpp-python answers 500 with a validation error instead).
_FORMAT_REJECTED = {400, 422, 501}
_FORMAT_WORDS = ("response_format", "json_schema", "tool_choice", "tools")


def _format_rejected(e: LLMHTTPError) -> bool:
    """The endpoint refused the structured-output request itself (not a crash or an overload)."""
    return e.status in _FORMAT_REJECTED or (not e.retryable and any(w in e.message for w in _FORMAT_WORDS))


_PLAN_KEYS = ("steps", "unsupported", "instead", "clarify", "speak")
_STEP_KEYS = ("id", "tool", "args")
_STEP_ID = re.compile(f"^{STEP_ID}$")
# The method that worked, per endpoint, so the probing happens once per process.
_WORKING_METHOD: dict[tuple[str, str | None, str], StructuredMethod] = {}


# ---------------------------------------------------------------------------- prompt

@lru_cache(maxsize=8)
def _prompt(name: str) -> str:
    return (prompts_dir() / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_examples() -> list[dict[str, Any]]:
    raw = yaml.safe_load(_prompt("planner_examples.yaml"))
    return list(raw["examples"])


def _fmt_num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def render_tool(view: dict[str, Any]) -> str:
    """One line per tool, from describe_for_planner(): compact enough for a 4k-context model."""
    args = []
    for name, a in view["args"].items():
        s = name + ("" if a["required"] else "?") + ": "
        s += "|".join(map(str, a["choices"])) if "choices" in a else a["type"]
        if "minimum" in a or "maximum" in a:
            s += f" [{_fmt_num(a.get('minimum', ''))}..{_fmt_num(a.get('maximum', ''))}]"
        if "unit" in a:
            s += f" {a['unit']}"
        if "default" in a:
            s += f" ={_fmt_num(a['default'])}"
        args.append(s)
    outs = ", ".join(f"{k}: {t}" for k, t in view["outputs"].items())
    return f"- {view['tool']}({', '.join(args)}) -> {outs}: {view['does']}"


def system_prompt(registry: Registry) -> str:
    catalogue = "\n".join(render_tool(v) for v in describe_for_planner(registry))
    return _prompt("planner_system.md").replace("{{tools}}", catalogue)


def user_message(request: str, refs: list[dict[str, Any]]) -> str:
    lines = [f"Request: {request}", "References:"]
    for r in refs:
        facts = ", ".join(f"{k} {v}" for k, v in r.items() if k not in ("ref", "kind"))
        lines.append(f"- {r['ref']}: {r['kind']}" + (f" ({facts})" if facts else ""))
    if not refs:
        lines.append("- none (no file uploaded, no earlier result)")
    return "\n".join(lines)


# What a demonstration says where its gold records only the outcome.
_DEMO_UNSUPPORTED = "none of the listed tools can do what this asks"
_DEMO_CLARIFY = "Which recording do you mean? Please upload it."


def demonstrations(request: str, k: int) -> list[tuple[str, dict[str, Any]]]:
    """(user message, plan) for the `k` labelled requests nearest to `request`, least similar first so the
    closest sits next to the request. Empty when the intent bank is missing or `k` is 0."""
    from agent.planners.intent_bank import default_bank

    bank = default_bank() if k > 0 else None
    if bank is None:
        return []
    out = []
    for example, _ in reversed(bank.nearest_plans(request, k)):
        gold = example.plan or {}
        if "steps" in gold:
            plan: dict[str, Any] = {"steps": gold["steps"]}
        elif gold.get("outcome") == "clarify":
            plan = {"steps": [], "clarify": _DEMO_CLARIFY}
        else:
            plan = {"steps": [], "unsupported": _DEMO_UNSUPPORTED}
        refs = [{"ref": f"@upload-{i}", "kind": kind} for i, kind in enumerate(example.inputs, 1)]
        out.append((user_message(example.text, refs), plan))
    return out


def plan_json(plan: Plan | dict[str, Any]) -> str:
    data = plan.to_json() if isinstance(plan, Plan) else plan
    data.setdefault("steps", [])
    return json.dumps(data, ensure_ascii=False)


def build_messages(
    request: str, ctx: PlanContext, registry: Registry,
    feedback: list[str] | None = None, previous: Plan | None = None, demos: int = 0,
) -> list[BaseMessage]:
    """System prompt with the catalogue, the fixed few-shot pairs, `demos` retrieved ones, the request; on
    repair, the rejected plan and the validation problems. The fixed part comes first, so a server that
    caches the prompt's prefix (llama.cpp) evaluates it once."""
    messages: list[BaseMessage] = [SystemMessage(system_prompt(registry))]
    pairs = [(user_message(ex["request"], ex.get("refs") or []), dict(ex["plan"])) for ex in load_examples()]
    for text, plan in pairs + demonstrations(request, demos):
        messages.append(HumanMessage(text))
        messages.append(AIMessage(plan_json(plan)))
    messages.append(HumanMessage(user_message(request, ctx.describe())))
    if feedback:
        if previous is not None:
            messages.append(AIMessage(plan_json(previous)))
        problems = "\n".join(f"- {p}" for p in feedback)
        messages.append(HumanMessage(_prompt("planner_repair.md").replace("{{problems}}", problems)))
    return messages


_REF_PATTERN = "^@[A-Za-z0-9][A-Za-z0-9_.-]*$"
_MAX_STRING = 300  # bounds what a looping model can emit inside one value
_MAX_STEPS = 12


def _value_schema(p: ParamSpec) -> dict[str, Any]:
    """JSON schema of one argument value; ranges are left to validation (grammars cannot express them)."""
    if p.type == "list":
        item = ParamSpec(type=p.items or "string", description="")
        out: dict[str, Any] = {"type": "array", "items": _value_schema(item)}
        if p.min_items:
            out["minItems"] = p.min_items
        return out
    if p.is_artifact:  # a reference; `text` may also be a literal
        ref = {"type": "string", "pattern": _REF_PATTERN}
        return {"type": "string", "maxLength": _MAX_STRING} if p.type == "text" else ref
    if p.choices is not None:
        return {"enum": list(p.choices)}
    if p.type in ("number", "integer", "boolean"):
        return {"type": p.type}
    return {"type": "string", "maxLength": _MAX_STRING}


def _step_schema(spec: ToolSpec | None, tool_names: list[str]) -> dict[str, Any]:
    args: dict[str, Any] = {"type": "object", "description": "argument name -> value or '@reference'"}
    if spec is not None:
        args["properties"] = {n: _value_schema(p) for n, p in spec.inputs.items()}
        args["required"] = [n for n, p in spec.inputs.items() if p.required]
        args["additionalProperties"] = False
    return {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "s1, s2, ...", "pattern": "^s[0-9]{1,2}$"},
            "tool": {"type": "string", "enum": [spec.name] if spec else list(tool_names)},
            "args": args,
        },
        "required": ["id", "tool", "args"],
        "additionalProperties": False,
    }


def plan_schema(registry: Registry, typed_args: bool = True) -> dict[str, Any]:
    """The plan as JSON schema. `tool` only takes registry names, so a grammar-constrained model cannot
    invent a tool. With `typed_args` each tool gets its own step shape (its argument names, value
    types, choices, required arguments), which also keeps a small model from looping inside `args`.
    Not "strict" in OpenAI's sense: optional arguments stay optional."""
    names = registry.names()
    if typed_args:
        items: dict[str, Any] = {"anyOf": [_step_schema(registry[n].spec, names) for n in names]}
    else:
        items = _step_schema(None, names)
    return {
        "title": "Plan",
        "description": "Tool-call steps; or `unsupported` with `instead`; or one `clarify` question.",
        "type": "object",
        "properties": {
            "steps": {"type": "array", "items": items, "maxItems": _MAX_STEPS},
            "unsupported": {"type": "string", "maxLength": _MAX_STRING},
            "instead": {"type": "string", "maxLength": _MAX_STRING},
            "clarify": {"type": "string", "maxLength": _MAX_STRING},
            "speak": {"type": "boolean"},
        },
        "required": ["steps"],
        "additionalProperties": False,
    }


# ---------------------------------------------------------------------------- reply parsing

def _bad(text: str, config: LLMConfig, why: str = "") -> LLMBadOutput:
    snippet = " ".join(str(text).split())[:200]
    return LLMBadOutput(
        f'the model\'s reply was not a plan: "{snippet}"' + (f" ({why})" if why else "") + f" [from {config.endpoint}]",
        "try a larger model, or use --planner rules",
    )


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def extract_json(text: str) -> Any:
    """The JSON object (or array) in a reply: inside a ```json fence if there is one, else starting at
    the first `{` or `[`. Strict: a truncated object is not "repaired", and nothing inside a broken one
    is picked out (that would run half a plan). Parsing only, never evaluation."""
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    starts = [i for i in (body.find("{"), body.find("[")) if i >= 0]
    if not starts:
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(body, min(starts))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, (dict, list)) else None


def to_plan(data: Any, text: str, config: LLMConfig) -> Plan:
    """Coerce parsed JSON into a Plan, forgiving harmless slips (a wrapper object, extra keys,
    missing ids, empty strings); anything else is LLMBadOutput quoting the reply."""
    if isinstance(data, list):
        data = {"steps": data}
    if isinstance(data, dict) and not any(k in data for k in _PLAN_KEYS):
        inner = [v for v in data.values() if isinstance(v, dict) and any(k in v for k in _PLAN_KEYS)]
        data = inner[0] if len(inner) == 1 else data
    if not isinstance(data, dict) or not any(k in data for k in _PLAN_KEYS):
        raise _bad(text, config, "no JSON object with steps, unsupported or clarify")
    clean: dict[str, Any] = {}
    for key in ("unsupported", "instead", "clarify"):
        v = data.get(key)
        if v not in (None, "", False):
            clean[key] = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    clean["speak"] = data.get("speak") is True
    steps = data.get("steps") or []
    if not isinstance(steps, list):
        raise _bad(text, config, "`steps` is not a list")
    clean["steps"] = []
    for i, s in enumerate(steps, 1):
        if not isinstance(s, dict):
            raise _bad(text, config, f"step {i} is not an object")
        step = {k: s[k] for k in _STEP_KEYS if k in s}
        if not isinstance(step.get("id"), str) or not _STEP_ID.match(step["id"]):
            step["id"] = f"s{i}"
        if step.get("args") is None:
            step["args"] = {}
        clean["steps"].append(step)
    try:
        return Plan.model_validate(clean)
    except ValidationError as e:
        err = e.errors()[0]
        raise _bad(text, config, f"{'.'.join(map(str, err['loc']))}: {err['msg']}") from e


def reply_data(raw: Any) -> tuple[Any, str]:
    """(parsed JSON or None, reply text) of a model reply: a tool call's arguments (already strictly
    parsed by LangChain), else the JSON in the text. LangChain's JsonOutputParser is not used
    because it completes truncated JSON."""
    if not isinstance(raw, AIMessage):
        text = "" if raw is None else str(raw)
        return extract_json(text), text
    for call in raw.tool_calls:
        return call.get("args"), json.dumps(call.get("args"), ensure_ascii=False)
    text = str(raw.text)
    if not text.strip():
        text = next((str(bad.get("args") or "") for bad in raw.invalid_tool_calls), text)
    return extract_json(text), text


# ---------------------------------------------------------------------------- planner

class LLMPlanner:
    """Plans with an LLM; validation problems come back once as `feedback` for a repair."""

    name = "llm"
    can_repair = True

    def __init__(self, config: LLMConfig | None = None, model: BaseChatModel | None = None,
                 typed_args: bool = True) -> None:
        self.config = config or LLMConfig.from_env()
        self._model = model
        self.typed_args = typed_args
        self.last_method: StructuredMethod | None = None  # for --verbose output and tests
        self.last_reply: str = ""
        self.last_cut_off = False  # the reply stopped at the token limit (finish_reason "length")
        self.calls = 0

    @property
    def model(self) -> BaseChatModel:
        if self._model is None:
            self._model = make_chat_model(self.config)
        return self._model

    def _key(self) -> tuple[str, str | None, str]:
        return (self.config.provider, self.config.base_url, self.config.model_name)

    def _methods(self) -> tuple[StructuredMethod, ...]:
        if self.config.structured_output != "auto":
            return (self.config.structured_output,)
        known = _WORKING_METHOD.get(self._key())
        if known:
            return (known,)
        return _EMBEDDED_ORDER if self.config.provider == "embedded" else _AUTO_ORDER

    def _runnable(self, method: StructuredMethod, schema: dict[str, Any]) -> Any:
        if method in ("json_schema", "function_calling"):
            return self.model.with_structured_output(schema, method=method, include_raw=True, strict=False)
        if method == "json_mode":
            return self.model.with_structured_output(schema, method="json_mode", include_raw=True)
        if method == "json_object_schema":
            return self.model.bind(response_format={"type": "json_object", "schema": schema})
        return self.model

    def _ask(self, messages: list[BaseMessage], schema: dict[str, Any]) -> tuple[Any, str]:
        """(parsed JSON or None, reply text), trying structured-output methods in order.
        with_structured_output builds the request; the reply is parsed by reply_data()."""
        methods = self._methods()
        for i, method in enumerate(methods):
            last = i == len(methods) - 1
            try:
                runnable = self._runnable(method, schema)
                self.calls += 1
                out = invoke_with_retry(lambda: runnable.invoke(messages), self.config)
            except NotImplementedError:  # e.g. no tool calling on this chat model
                if last:
                    raise
                continue
            except LLMHTTPError as e:
                if last or not _format_rejected(e):
                    raise
                log.info("%s rejected structured output via %s (%s); trying %s",
                         self.config.endpoint, method, e.status, methods[i + 1])
                continue
            if self.config.structured_output == "auto":
                _WORKING_METHOD[self._key()] = method
            self.last_method = method
            raw = out.get("raw") if isinstance(out, dict) else out
            self.last_cut_off = isinstance(raw, AIMessage) and raw.response_metadata.get("finish_reason") == "length"
            return reply_data(raw)
        raise AssertionError("unreachable")

    def plan(
        self,
        request: str,
        ctx: PlanContext,
        registry: Registry,
        feedback: list[str] | None = None,
        previous: Plan | None = None,
    ) -> Plan:
        messages = build_messages(request, ctx, registry, feedback, previous, self.config.demos)
        data, text = self._ask(messages, plan_schema(registry, self.typed_args))
        self.last_reply = text
        log.debug("LLM plan reply via %s: %s", self.last_method, text[:500])
        if data is None and self.last_cut_off:
            raise LLMBadOutput(
                f"the model's reply was cut off before the plan was complete [from {self.config.endpoint}]",
                "the prompt needs about 4k tokens of context and the plan up to 1k more: give the server a context of "
                "8k tokens (llama.cpp: --ctx-size 8192), or shorten the prompt with AUDIOGENT_LLM_DEMOS=0")
        if data is None:
            raise _bad(text, self.config, "no JSON in the reply")
        return to_plan(data, text, self.config)
