"""Fixtures for the LLM tests (servers live in tests/agent/llm_servers.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agent.llm_servers import llama_server


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    from agent.llm import smollm2_gguf

    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed (pip install 'audiogent[llm]')")
    return smollm2_gguf()


@pytest.fixture(scope="session")
def llama_server_url(smollm2_gguf: Path) -> Iterator[str]:
    """The real llama-cpp-python OpenAI-compatible server over SmolLM2-135M, once per test session."""
    pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python[server] is not installed")
    t0 = time.monotonic()
    with llama_server(smollm2_gguf) as url:
        print(f"\nllama_cpp.server up at {url} in {time.monotonic() - t0:.1f} s")
        yield url
