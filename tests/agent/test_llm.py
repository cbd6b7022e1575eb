"""The LLM factory: configuration, error translation and retries at the boundary (against a
fault-injecting server), the real llama-cpp-python server, and the embedded SmolLM2 model."""

from __future__ import annotations

import time

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from agent.errors import LLMBadOutput, LLMConnectionError, LLMError, LLMHTTPError, LLMTimeout
from agent.llm import LLMConfig, invoke_with_retry, make_chat_model
from tests.agent.llm_servers import fault_server

_ENV = ("AUDIOGENT_LLM_PROVIDER", "AUDIOGENT_LLM_BASE_URL", "AUDIOGENT_LLM_MODEL", "AUDIOGENT_LLM_API_KEY",
        "AUDIOGENT_LLM_TIMEOUT", "AUDIOGENT_LLM_MAX_RETRIES", "AUDIOGENT_LLM_STRUCTURED",
        "OPENAI_BASE_URL", "OPENAI_API_KEY")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for k in _ENV:
        monkeypatch.delenv(k, raising=False)
    return monkeypatch


def _ask(config: LLMConfig, text: str = "hi") -> str:
    model = make_chat_model(config)
    return invoke_with_retry(lambda: model.invoke([HumanMessage(text)]), config, sleep=lambda s: None).text


# ---------------------------------------------------------------------------- configuration

def test_from_env_reads_audiogent_variables_and_overrides_win(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("AUDIOGENT_LLM_BASE_URL", "http://localhost:11434/v1")
    clean_env.setenv("AUDIOGENT_LLM_MODEL", "qwen2.5:7b")
    clean_env.setenv("AUDIOGENT_LLM_TIMEOUT", "12.5")
    clean_env.setenv("OPENAI_API_KEY", "sk-fallback")
    c = LLMConfig.from_env()
    assert (c.provider, c.base_url, c.model, c.api_key, c.timeout_s) == (
        "openai", "http://localhost:11434/v1", "qwen2.5:7b", "sk-fallback", 12.5)
    assert c.max_retries == 2 and c.temperature == 0 and c.is_configured
    assert "http://localhost:11434/v1" in c.endpoint and "qwen2.5:7b" in c.endpoint
    assert LLMConfig.from_env(timeout_s=3, max_retries=0).timeout_s == 3
    assert "sk-fallback" not in repr(c)  # the key never lands in logs


def test_from_env_prefers_audiogent_over_openai_variables(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("OPENAI_BASE_URL", "https://api.deepseek.com/v1")
    clean_env.setenv("OPENAI_API_KEY", "sk-openai")
    clean_env.setenv("AUDIOGENT_LLM_API_KEY", "sk-audiogent")
    c = LLMConfig.from_env()
    assert c.base_url == "https://api.deepseek.com/v1" and c.api_key == "sk-audiogent"


def test_unconfigured_without_url_or_key(clean_env: pytest.MonkeyPatch) -> None:
    assert not LLMConfig.from_env().is_configured
    assert LLMConfig(provider="embedded").is_configured


def test_openai_provider_is_a_chat_openai_without_client_retries() -> None:
    from langchain_openai import ChatOpenAI

    m = make_chat_model(LLMConfig(base_url="http://127.0.0.1:9/v1", model="m", timeout_s=7))
    assert isinstance(m, ChatOpenAI) and isinstance(m, BaseChatModel)
    assert m.max_retries == 0 and m.request_timeout == 7 and m.model_name == "m"
    assert m.openai_api_key is not None and m.openai_api_key.get_secret_value() == "not-needed"


# ---------------------------------------------------------------------------- retry policy

def test_retry_retries_only_retryable_errors_with_growing_backoff() -> None:
    cfg = LLMConfig(base_url="http://x/v1", max_retries=3)
    calls, sleeps = [], []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise LLMTimeout("slow")
        return "ok"

    assert invoke_with_retry(flaky, cfg, sleep=sleeps.append) == "ok"
    assert len(calls) == 3 and sleeps == [0.5, 1.0]

    def bad() -> str:
        calls.append(1)
        raise LLMBadOutput("junk")

    calls.clear()
    with pytest.raises(LLMBadOutput):
        invoke_with_retry(bad, cfg, sleep=sleeps.append)
    assert len(calls) == 1

    with pytest.raises(ZeroDivisionError):  # a bug is not disguised as an endpoint failure
        invoke_with_retry(lambda: 1 / 0, cfg)


def test_a_500_that_reports_an_invalid_request_is_not_retried() -> None:
    # llama-cpp-python answers a request it cannot validate (e.g. response_format json_schema) with 500.
    import httpx
    import openai

    from agent.llm import translate_error

    req = httpx.Request("POST", "http://127.0.0.1:8000/v1/chat/completions")
    body = {"error": {"message": "1 validation error: ('body', 'response_format', 'type') Input should be "
                                 "'text' or 'json_object'", "type": "internal_server_error"}}
    exc = openai.InternalServerError("boom", response=httpx.Response(500, request=req, json=body), body=body["error"])
    err = translate_error(exc, LLMConfig(base_url="http://127.0.0.1:8000/v1", model="m"))
    assert isinstance(err, LLMHTTPError) and err.status == 500 and not err.retryable
    assert "Input should be 'text' or 'json_object'" in str(err)


def test_http_500_is_retried_then_reported_with_status_and_endpoint() -> None:
    with fault_server("500") as srv:
        cfg = LLMConfig(base_url=srv.base_url, model="m", max_retries=2, timeout_s=5)
        with pytest.raises(LLMHTTPError) as e:
            _ask(cfg)
        assert srv.count == 1 + cfg.max_retries
    err = e.value
    assert err.status == 500 and err.retryable
    msg = str(err)
    assert "HTTP 500 three times" in msg and srv.base_url in msg and "(model m)" in msg
    assert "injected failure: model crashed" in msg  # the endpoint's own words
    assert "check its log" in msg


def test_slow_endpoint_times_out_after_each_retry() -> None:
    with fault_server("slow", delay_s=10) as srv:
        cfg = LLMConfig(base_url=srv.base_url, model="m", max_retries=1, timeout_s=1)
        t0 = time.monotonic()
        with pytest.raises(LLMTimeout) as e:
            _ask(cfg)
        elapsed = time.monotonic() - t0
        assert srv.count == 2
    # 2 attempts x 1 s (+ the backoff, skipped here) + margin for a loaded machine
    assert elapsed < cfg.timeout_s * (cfg.max_retries + 1) + 3
    assert "did not answer within 1 s (2 attempts)" in str(e.value) and srv.base_url in str(e.value)
    assert "AUDIOGENT_LLM_TIMEOUT" in str(e.value)


def test_refused_connection_says_to_check_the_server() -> None:
    with fault_server("refuse") as srv:
        cfg = LLMConfig(base_url=srv.base_url, model="m", max_retries=1, timeout_s=5)
        with pytest.raises(LLMConnectionError) as e:
            _ask(cfg)
    msg = str(e.value)
    assert "cannot reach the LLM endpoint" in msg and srv.base_url in msg
    assert "is the server running? check AUDIOGENT_LLM_BASE_URL" in msg


def test_junk_chat_reply_passes_through_the_chat_model_untouched() -> None:
    # A chat reply may be anything; only the planner decides that junk is not a plan.
    with fault_server("junk") as srv:
        assert _ask(LLMConfig(base_url=srv.base_url, model="m")) == "I think you should use reverb!!"


# ---------------------------------------------------------------------------- real models

@pytest.mark.slow
def test_real_llama_cpp_server_answers_a_chat(llama_server_url: str) -> None:
    cfg = LLMConfig(base_url=llama_server_url, model="smollm2", max_tokens=32, timeout_s=120)
    t0 = time.monotonic()
    reply = _ask(cfg, "Say hello in one short sentence.")
    print(f"\nSmolLM2 via llama_cpp.server ({time.monotonic() - t0:.1f} s): {reply!r}")
    assert reply.strip()

    model = make_chat_model(cfg)
    chunks = [c.text for c in model.stream([HumanMessage("Count to three.")])]
    assert len([c for c in chunks if c]) > 1


@pytest.mark.slow
def test_embedded_smollm2_streams_a_reply(smollm2_gguf) -> None:
    cfg = LLMConfig(provider="embedded", max_tokens=24)
    model = make_chat_model(cfg)
    assert model.model_path == str(smollm2_gguf)  # type: ignore[attr-defined]
    t0 = time.monotonic()
    chunks = [c.text for c in model.stream([HumanMessage("Say hello.")])]
    text = "".join(chunks)
    print(f"\nembedded SmolLM2 streamed {len(chunks)} chunks in {time.monotonic() - t0:.1f} s: {text!r}")
    assert len([c for c in chunks if c]) > 0 and text.strip()
    assert model.invoke([HumanMessage("Say hi.")]).text.strip()


def test_embedded_without_the_package_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.llm as llm

    monkeypatch.setattr(llm, "SMOLLM2_PACKAGE", "no-such-package-audiogent")
    with pytest.raises(LLMError) as e:
        llm.smollm2_gguf()
    assert "no-such-package-audiogent" in str(e.value) and "pip install" in str(e.value)
