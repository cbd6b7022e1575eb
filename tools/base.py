"""What a tool module uses to implement the specs in model_registry.yaml.

A tool is a plain function decorated with `@tool("name")`. Its parameters are the spec's inputs
(artifacts arrive decoded: audio as `Audio`, text as `str`, json as Python data), plus two optional
keyword-only extras the executor fills in: `backend` (the chosen, loaded Backend) and `ctx`
(a ToolContext). It returns the spec's outputs as a dict, or the bare value when there is one output.
"""

from __future__ import annotations

import importlib.util
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import BackendUnavailable


class Backend:
    """One engine that can run a tool. Subclasses set `name` (matching the registry entry), say in
    `check()` what is missing, and load their model in `load()`, which runs once, lazily."""

    name: str = ""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded = False

    def check(self) -> None:
        """Raise BackendUnavailable naming what is missing. Must be cheap: no model loading."""

    def load(self) -> None:
        """Load weights; called once before the first use."""

    def ensure_loaded(self) -> "Backend":
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self.check()
                    self.load()
                    self._loaded = True
        return self

    def available(self) -> tuple[bool, str]:
        try:
            self.check()
        except BackendUnavailable as e:
            return False, str(e)
        return True, "ready"


class PackageBackend(Backend):
    """A backend that is available when some Python modules (and optionally programs) are."""

    def __init__(self, name: str, modules: Sequence[str], programs: Sequence[str] = (), pip: str = "") -> None:
        super().__init__()
        self.name = name
        self.modules = tuple(modules)
        self.programs = tuple(programs)
        self.pip = pip or " ".join(self.modules)

    def check(self) -> None:
        for m in self.modules:
            if importlib.util.find_spec(m) is None:
                raise BackendUnavailable(f"backend `{self.name}` needs the Python package {m}", f"pip install {self.pip}")
        for prog in self.programs:
            if shutil.which(prog) is None:
                raise BackendUnavailable(f"backend `{self.name}` needs the program {prog}", f"apt-get install {prog}")


@dataclass
class ToolContext:
    """Per-step facts a tool may use: where to put scratch files, and which step it is."""

    step_id: str
    scratch_dir: Path
    progress: Callable[[float, str], None] = lambda fraction, message: None
    # A tool that reroutes to another engine than the one it was handed (text_to_speech sends
    # Mandarin to FastSpeech 2) names it here, so the step record shows what really ran.
    backend_used: str | None = None


@dataclass
class FileOutput:
    """A file a tool wrote (image, video, score) in its scratch dir, with metadata for the manifest."""

    path: Path
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class ToolImpl:
    name: str
    func: Callable[..., Any]
    backends: list[Backend] = field(default_factory=list)


_IMPLS: dict[str, ToolImpl] = {}


def tool(name: str, backends: Sequence[Backend] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register `func` as the implementation of the registry tool `name`."""

    def deco(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in _IMPLS and _IMPLS[name].func is not func:
            raise ValueError(f"tool {name!r} is implemented twice")
        _IMPLS[name] = ToolImpl(name, func, list(backends))
        return func

    return deco


def implementations() -> dict[str, ToolImpl]:
    return _IMPLS
