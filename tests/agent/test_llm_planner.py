"""The LLM planner: prompt data, reply parsing, failures against a fault-injecting server, and the
whole path (request -> structured output -> Plan -> validation -> one repair) against the real
llama-cpp-python server running SmolLM2-135M. That model is too small to plan well, so the
real-server tests check that the path works, not the quality of the plans."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from agent.artifacts import ArtifactRecord
from agent.context import PlanContext
from agent.errors import LLMBadOutput, LLMConnectionError, LLMHTTPError, PlanError
from agent.llm import LLMConfig
from agent.plan import Plan
from agent.planners.base import plan_request
from agent.planners.intent_bank import default_bank
from agent.planners.llm import (
    LLMPlanner,
    build_messages,
    demonstrations,
    extract_json,
    load_examples,
    plan_schema,
    system_prompt,
    to_plan,
)
from agent.validation import validate_plan
from tests.agent.llm_servers import BROKEN_JSON, JUNK, fault_server

CFG = LLMConfig(base_url="http://127.0.0.1:9/v1", model="m")


def _rec(aid: str, kind: str = "audio", name: str | None = None, tool: str | None = None,
         duration: float = 12.0) -> ArtifactRecord:
    return ArtifactRecord(id=aid, kind=kind, file=f"artifacts/{aid}", format="wav", bytes=1, sha256="0",
                          created=0, source="upload" if tool is None else "r1/s1", tool=tool,
                          original_name=name, meta={"duration": duration, "sample_rate": 16000, "channels": 1})


def _ctx_from_refs(refs: list[dict[str, Any]]) -> PlanContext:
    """The PlanContext that PlanContext.describe() would show as `refs` (for the few-shot examples)."""
    uploads = [_rec(f"audio-u{i}", r["kind"], r.get("name")) for i, r in enumerate(refs) if r["ref"].startswith("@upload")]
    last = [_rec(f"audio-l{i}", r["kind"], tool=r.get("made_by")) for i, r in enumerate(refs) if r["ref"].startswith("@last")]
    return PlanContext(uploads=uploads, last=last, artifacts={a.id: a for a in uploads + last})


@pytest.fixture
def one_upload() -> PlanContext:
    up = _rec("audio-aaaaaaaaaa", name="talk.wav")
    return PlanContext(uploads=[up], artifacts={up.id: up})


# ---------------------------------------------------------------------------- prompt data

def test_every_few_shot_plan_is_valid_for_the_registry(registry) -> None:
    examples = load_examples()
    assert 6 <= len(examples) <= 10
    outcomes = set()
    for ex in examples:
        plan = Plan.model_validate(ex["plan"])
        outcomes.add(plan.outcome)
        ctx = _ctx_from_refs(ex.get("refs") or [])
        validate_plan(plan, registry, ctx)  # raises PlanError naming the stale tool/argument
    assert outcomes == {"steps", "unsupported", "clarify"}


def test_system_prompt_lists_every_tool_compactly(registry) -> None:
    prompt = system_prompt(registry)
    for name in registry.names():
        assert f"- {name}(" in prompt
    assert "trim(audio: audio, start?: number [0..] s =0, end?: number s, mode?: keep|remove =keep)" in prompt
    assert "{{" not in prompt
    assert len(prompt) < 9000  # ~2.5k tokens: the prompt must leave room in a 4k-context model


def test_messages_carry_references_and_on_repair_the_previous_plan_and_problems(registry, one_upload) -> None:
    msgs = build_messages("add reverb", one_upload, registry)
    assert isinstance(msgs[0], SystemMessage) and isinstance(msgs[-1], HumanMessage)
    assert len(msgs) == 1 + 2 * len(load_examples()) + 1
    assert "Request: add reverb" in msgs[-1].text and "@upload-1: audio (name talk.wav" in msgs[-1].text
    json.loads(msgs[2].text)  # few-shot answers are plain JSON plans

    prev = Plan.model_validate({"steps": [{"id": "s1", "tool": "reverb", "args": {"audio": "@upload-2"}}]})
    problems = ["step s1: @upload-2 does not exist: this request has 1 input file(s)"]
    msgs = build_messages("add reverb", one_upload, registry, feedback=problems, previous=prev)
    assert isinstance(msgs[-2], AIMessage) and "@upload-2" in msgs[-2].text
    assert problems[0] in msgs[-1].text and "corrected plan" in msgs[-1].text


def test_the_nearest_labelled_requests_are_shown_with_their_plans_closest_last(registry, one_upload) -> None:
    request = "cut the first three seconds and make it 4 dB louder"
    fixed = 1 + 2 * len(load_examples())
    msgs = build_messages(request, one_upload, registry, demos=3)
    assert len(msgs) == fixed + 2 * 3 + 1 and msgs[-1].text.startswith(f"Request: {request}")
    shown = [(msgs[i].text, json.loads(msgs[i + 1].text)) for i in range(fixed, fixed + 6, 2)]
    closest = default_bank().nearest_plans(request, 3)  # type: ignore[union-attr]
    assert [t.splitlines()[0] for t, _ in shown] == [f"Request: {e.text}" for e, _ in reversed(closest)]
    assert all("trim" in {s["tool"] for s in plan["steps"]} for _, plan in shown if plan["steps"])
    assert len(build_messages(request, one_upload, registry, demos=0)) == fixed + 1


def test_a_demonstration_of_a_refusal_or_a_question_reads_as_one(registry) -> None:
    for request, outcome in (("how many people are talking in this clip, can you count them?", "unsupported"),
                             ("转成文字", "clarify")):
        plans = [Plan.model_validate(p) for _, p in demonstrations(request, 4)]
        assert outcome in {p.outcome for p in plans}, plans


def test_every_plan_the_bank_can_show_is_valid_for_the_registry(registry) -> None:
    """A demonstration with a stale tool or argument would teach the model to write an invalid plan."""
    bank = default_bank()
    assert bank is not None
    shown = [e for e in bank.examples if e.plan is not None and "steps" in e.plan]
    assert len(shown) > 1500
    for e in shown:
        uploads = [_rec(f"audio-u{i}", kind) for i, kind in enumerate(e.inputs)]
        ctx = PlanContext(uploads=uploads, artifacts={a.id: a for a in uploads})
        validate_plan(Plan.model_validate(e.plan), registry, ctx)


def _schema_tools(schema: dict[str, Any]) -> list[str]:
    items = schema["properties"]["steps"]["items"]
    return [n for v in items.get("anyOf", [items]) for n in v["properties"]["tool"]["enum"]]


def test_schema_constrains_tool_names_to_the_registry(registry) -> None:
    assert _schema_tools(plan_schema(registry, typed_args=False)) == registry.names()
    typed = plan_schema(registry)
    assert _schema_tools(typed) == registry.names()
    trim = next(v for v in typed["properties"]["steps"]["items"]["anyOf"] if v["properties"]["tool"]["enum"] == ["trim"])
    args = trim["properties"]["args"]
    assert args["required"] == ["audio"] and args["additionalProperties"] is False
    assert args["properties"]["mode"] == {"enum": ["keep", "remove"]}
    assert args["properties"]["audio"]["pattern"].startswith("^@")


# ---------------------------------------------------------------------------- reply parsing

@pytest.mark.parametrize("text", [
    '```json\n{"steps": [{"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 6}}]}\n```',
    'Sure! Here is the plan: {"plan": {"steps": [{"tool": "gain", "args": {"audio": "@upload-1", "db": 6}}]}} Done.',
    '[{"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 6}, "why": "louder"}]',
])
def test_plans_are_found_in_chatty_replies(text: str) -> None:
    plan = to_plan(extract_json(text), text, CFG)
    assert [(s.id, s.tool, s.args) for s in plan.steps] == [("s1", "gain", {"audio": "@upload-1", "db": 6})]


def test_empty_strings_from_a_grammar_do_not_change_the_outcome() -> None:
    plan = to_plan({"steps": [], "unsupported": "", "clarify": "Which file?", "speak": "yes"}, "", CFG)
    assert plan.outcome == "clarify" and plan.unsupported is None and plan.speak is False


@pytest.mark.parametrize("text", [
    JUNK,
    BROKEN_JSON,
    '{"answer": "use reverb"}',
    '{"steps": "reverb"}',
    "__import__('os').system('touch /tmp/pwned')",  # data only: never evaluated
    # truncated: the complete `steps` list inside must not be taken for the whole plan
    '{"steps": [{"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 6}}], "clarify": "Wh',
])
def test_replies_that_are_not_plans_are_bad_output_quoting_the_reply(text: str) -> None:
    with pytest.raises(LLMBadOutput) as e:
        data = extract_json(text)
        if data is None:
            raise LLMBadOutput("no json")
        to_plan(data, text, CFG)
    if "no json" not in str(e.value):
        assert "the model's reply was not a plan" in str(e.value) and text[:20] in str(e.value)


# ---------------------------------------------------------------------------- faults

def test_junk_reply_is_bad_output_that_quotes_it(registry, one_upload) -> None:
    with fault_server("junk") as srv:
        planner = LLMPlanner(LLMConfig(base_url=srv.base_url, model="m"))
        with pytest.raises(LLMBadOutput) as e:
            planner.plan("add reverb", one_upload, registry)
        assert srv.count == 1  # bad output is not retried
        sent = srv.requests[0]["body"]
    msg = str(e.value)
    assert f'not a plan: "{JUNK}"' in msg and srv.base_url in msg
    assert sent["response_format"]["type"] == "json_schema"  # the first structured-output method tried
    assert _schema_tools(sent["response_format"]["json_schema"]["schema"]) == registry.names()


def test_broken_json_reply_is_bad_output(registry, one_upload) -> None:
    with fault_server("junk", content=BROKEN_JSON) as srv:
        with pytest.raises(LLMBadOutput) as e:
            LLMPlanner(LLMConfig(base_url=srv.base_url, model="m")).plan("add reverb", one_upload, registry)
    assert BROKEN_JSON[:60] in str(e.value)


def test_a_reply_cut_off_at_the_token_limit_says_to_give_the_server_more_context(registry, one_upload) -> None:
    with fault_server("cut", content=BROKEN_JSON) as srv, pytest.raises(LLMBadOutput, match="cut off") as e:
        LLMPlanner(LLMConfig(base_url=srv.base_url, model="m", structured_output="text")).plan(
            "add reverb", one_upload, registry)
    assert "--ctx-size 8192" in e.value.hint and "AUDIOGENT_LLM_DEMOS=0" in e.value.hint


def test_http_500_is_not_mistaken_for_an_unsupported_format(registry, one_upload) -> None:
    with fault_server("500") as srv:
        planner = LLMPlanner(LLMConfig(base_url=srv.base_url, model="m", max_retries=1))
        with pytest.raises(LLMHTTPError) as e:
            planner.plan("add reverb", one_upload, registry)
        assert srv.count == 2  # 1 + max_retries, and no fallback to other methods
    assert e.value.status == 500 and "HTTP 500 twice" in str(e.value) and srv.base_url in str(e.value)


def test_refused_connection_reaches_the_user_with_a_hint(registry, one_upload) -> None:
    with fault_server("refuse") as srv:
        planner = LLMPlanner(LLMConfig(base_url=srv.base_url, model="m", max_retries=0))
        with pytest.raises(LLMConnectionError, match="is the server running"):
            planner.plan("add reverb", one_upload, registry)


# ---------------------------------------------------------------------------- the real server

@pytest.mark.slow
def test_llama_cpp_server_structured_output_support(llama_server_url: str, registry) -> None:
    """What llama-cpp-python's server accepts: `json_schema` is rejected (HTTP 500 carrying the
    request's validation error: only "text" and "json_object" are allowed), `json_object` with a
    `schema` is honoured as a grammar (so the tool is always a registry tool)."""
    schema = plan_schema(registry)
    msgs = [{"role": "user", "content": "Plan: make @upload-1 louder by 6 dB. Reply with JSON."}]
    url = f"{llama_server_url}/chat/completions"
    r = httpx.post(url, timeout=120, json={"messages": msgs, "max_tokens": 8, "response_format": {
        "type": "json_schema", "json_schema": {"name": "Plan", "schema": schema}}})
    assert r.status_code in (422, 500) and "json_object" in r.text
    r = httpx.post(url, timeout=120, json={"messages": msgs, "max_tokens": 200, "temperature": 0,
                                           "response_format": {"type": "json_object", "schema": schema}})
    assert r.status_code == 200
    content = r.json()["choices"][0]["message"]["content"]
    print(f"\njson_object+schema reply: {content}")
    data = json.loads(content) if r.json()["choices"][0]["finish_reason"] == "stop" else None
    if data is not None:
        assert all(s["tool"] in registry for s in data["steps"])


REQUESTS = [
    "make it 6 dB louder",
    "cut the first 5 seconds, then fade out the last 2 seconds",
    "transcribe this",
    "separate the vocals from the drums",
]


def _plan_end_to_end(planner: LLMPlanner, request: str, ctx: PlanContext, registry) -> str:
    """Plan, validate, repair once; return what happened. Asserts only that the path worked."""
    t0 = time.monotonic()
    try:
        plan = plan_request(planner, request, ctx, registry)
        outcome = f"valid plan ({plan.outcome}): {json.dumps(plan.to_json(), ensure_ascii=False)}"
        assert all(s.tool in registry for s in plan.steps)
        assert plan.steps or plan.unsupported or plan.clarify
    except PlanError as e:
        outcome = f"PlanError after one repair: {e.problems}"
        assert e.problems and all(isinstance(p, str) and len(p) > 10 for p in e.problems)
        assert "could not repair" in e.hint
    print(f"\n[{request}] via {planner.last_method}, {time.monotonic() - t0:.1f} s: {outcome}"
          f"\n  last reply: {planner.last_reply[:300]}")
    return outcome


@pytest.mark.slow
@pytest.mark.parametrize("request_text", REQUESTS)
def test_planner_against_the_real_server_gives_a_valid_plan_or_specific_problems(
    llama_server_url: str, registry, one_upload: PlanContext, request_text: str
) -> None:
    planner = LLMPlanner(LLMConfig(base_url=llama_server_url, model="smollm2", timeout_s=300, max_tokens=400))
    _plan_end_to_end(planner, request_text, one_upload, registry)
    # The reply came through structured output: llama-cpp-python rejects `json_schema`, so "auto"
    # settles on the forced tool call, which that server turns into a grammar.
    assert planner.last_method == "function_calling"
    assert planner.last_reply.lstrip().startswith("{")


@pytest.mark.slow
def test_planner_with_llama_cpp_json_object_schema(llama_server_url: str, registry, one_upload: PlanContext) -> None:
    cfg = LLMConfig(base_url=llama_server_url, model="smollm2", timeout_s=300, max_tokens=400,
                    structured_output="json_object_schema")
    planner = LLMPlanner(cfg)
    _plan_end_to_end(planner, "add a hall reverb", one_upload, registry)
    assert planner.last_method == "json_object_schema"
