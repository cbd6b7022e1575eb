"""The tool registry: specs from model_registry.yaml bound to their implementations in tools/.

Loading checks that the two agree (every spec implemented, parameter names and defaults equal,
backend names equal), so a wrong declaration fails at load time, not in the middle of a plan.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from agent.errors import BackendUnavailable, RegistryError
from agent.paths import registry_path
from agent.specs import ToolSpec
from tools.base import Backend, ToolImpl, implementations

_EXTRA_PARAMS = {"backend", "ctx"}


@dataclass
class RegisteredTool:
    spec: ToolSpec
    impl: ToolImpl

    @property
    def name(self) -> str:
        return self.spec.name

    def backend_status(self) -> list[tuple[str, bool, str]]:
        return [(b.name, *b.available()) for b in self.impl.backends]

    def pick_backend(self, wanted: str | None = None) -> Backend:
        """The named backend, or the first available one in registry order."""
        if wanted:
            for b in self.impl.backends:
                if b.name == wanted:
                    b.check()
                    return b
            names = ", ".join(b.name for b in self.impl.backends)
            raise BackendUnavailable(f"tool `{self.name}` has no backend `{wanted}`", f"choose one of: {names}")
        reasons = []
        for b in self.impl.backends:
            ok, why = b.available()
            if ok:
                return b
            reasons.append(why)
        raise BackendUnavailable(f"no backend of `{self.name}` can run here: " + "; ".join(reasons))


class Registry:
    def __init__(self, tools: dict[str, RegisteredTool]) -> None:
        self.tools = tools

    def __contains__(self, name: str) -> bool:
        return name in self.tools

    def __getitem__(self, name: str) -> RegisteredTool:
        return self.tools[name]

    def names(self) -> list[str]:
        return list(self.tools)

    def specs(self) -> list[ToolSpec]:
        return [t.spec for t in self.tools.values()]


def _check_agreement(spec: ToolSpec, impl: ToolImpl) -> list[str]:
    problems = []
    sig = inspect.signature(impl.func)
    params = {n: p for n, p in sig.parameters.items() if n not in _EXTRA_PARAMS}
    if set(params) != set(spec.inputs):
        problems.append(
            f"{spec.name}: function parameters {sorted(params)} != registry inputs {sorted(spec.inputs)}"
        )
    for name, p in params.items():
        ps = spec.inputs.get(name)
        if ps is None:
            continue
        has_default = p.default is not inspect.Parameter.empty
        if ps.required and has_default:
            problems.append(f"{spec.name}.{name}: required in the registry but has a default in code")
        if not ps.required and not has_default:
            problems.append(f"{spec.name}.{name}: optional in the registry but has no default in code")
        if has_default and ps.default is not None and p.default != ps.default:
            problems.append(f"{spec.name}.{name}: default {p.default!r} in code, {ps.default!r} in registry")
    code_backends = [b.name for b in impl.backends]
    spec_backends = [b.name for b in spec.backends]
    if code_backends != spec_backends:
        problems.append(f"{spec.name}: backends {code_backends} in code, {spec_backends} in registry")
    return problems


def load_registry(path: Path | None = None) -> Registry:
    raw = yaml.safe_load((path or registry_path()).read_text(encoding="utf-8"))
    specs = [ToolSpec.model_validate(t) for t in raw["tools"]]
    seen: set[str] = set()
    for s in specs:
        if s.name in seen:
            raise RegistryError(f"tool {s.name!r} is declared twice in model_registry.yaml")
        seen.add(s.name)
    for module in dict.fromkeys(s.module for s in specs):
        importlib.import_module(module)
    impls = implementations()
    problems: list[str] = []
    tools: dict[str, RegisteredTool] = {}
    for s in specs:
        impl = impls.get(s.name)
        if impl is None:
            problems.append(f"{s.name}: declared in model_registry.yaml but {s.module} implements no such tool")
            continue
        problems += _check_agreement(s, impl)
        tools[s.name] = RegisteredTool(s, impl)
    extra = set(impls) - seen
    if extra:
        problems.append(f"implemented but not in model_registry.yaml: {sorted(extra)}")
    if problems:
        raise RegistryError("model_registry.yaml and tools/ disagree:\n  " + "\n  ".join(problems))
    return Registry(tools)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return load_registry()


def describe_for_planner(registry: Registry) -> list[dict[str, Any]]:
    return [s.planner_view() for s in registry.specs()]
