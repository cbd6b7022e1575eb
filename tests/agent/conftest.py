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

    import llama_cpp  # noqa: F401  - a missing install must fail here, not skip: scripts/install.sh installs it

    return smollm2_gguf()


@pytest.fixture(scope="session")
def llama_server_url(smollm2_gguf: Path) -> Iterator[str]:
    """The real llama-cpp-python OpenAI-compatible server over SmolLM2-135M, once per test session."""
    import llama_cpp.server.app  # noqa: F401  - the [server] extra; fail, don't skip, when it is missing
    t0 = time.monotonic()
    with llama_server(smollm2_gguf) as url:
        print(f"\nllama_cpp.server up at {url} in {time.monotonic() - t0:.1f} s")
        yield url
