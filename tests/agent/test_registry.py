"""The registry: model_registry.yaml and tools/ agree, and a disagreement fails loudly at load."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agent.errors import RegistryError
from agent.paths import registry_path
from agent.registry import load_registry


def test_every_declared_tool_is_implemented_with_matching_signature(registry) -> None:
    declared = [t["name"] for t in yaml.safe_load(registry_path().read_text())["tools"]]
    assert registry.names() == declared
    for t in registry.tools.values():
        assert t.spec.examples, f"{t.name} needs example requests (they feed the evals)"
        assert t.impl.backends, f"{t.name} has no backend"


def test_backends_report_availability_with_a_reason(registry) -> None:
    for t in registry.tools.values():
        for name, ok, why in t.backend_status():
            assert isinstance(ok, bool) and why
    assert registry["trim"].pick_backend().name == "numpy"


def _broken_registry(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(registry_path().read_text())
    edit(data["tools"])
    p = tmp_path / "registry.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


def test_a_wrong_default_is_caught(tmp_path: Path) -> None:
    def edit(tools):
        next(t for t in tools if t["name"] == "trim")["inputs"]["start"]["default"] = 1

    with pytest.raises(RegistryError, match=r"trim.start: default 0.* in code, 1 in registry"):
        load_registry(_broken_registry(tmp_path, edit))


def test_an_undeclared_argument_and_a_missing_implementation_are_caught(tmp_path: Path) -> None:
    def edit(tools):
        del next(t for t in tools if t["name"] == "gain")["inputs"]["db"]
        tools.append({**next(t for t in tools if t["name"] == "gain"), "name": "gain_twice"})

    with pytest.raises(RegistryError) as e:
        load_registry(_broken_registry(tmp_path, edit))
    assert "gain: function parameters" in str(e.value)
    assert "gain_twice: declared in model_registry.yaml but tools.effects implements no such tool" in str(e.value)


def test_importing_the_agent_does_not_load_heavy_libraries() -> None:
    import subprocess
    import sys

    code = ("import sys, agent.cli, agent.core, agent.registry; agent.registry.default_registry(); "
            "heavy = [m for m in ('torch', 'tensorflow', 'faster_whisper', 'piper', 'pedalboard', 'noisereduce',"
            " 'llama_cpp', 'langchain_openai', 'cv2', 'torch', 'skimage') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
