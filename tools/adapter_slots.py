"""Adapter slots: backends the registry lists for neural generation models whose weights are not shipped
and whose inference adapter is not written yet (MaskGCT for style transfer, Make-An-Audio for inpainting).

A slot reads a local weights folder from an environment variable (else a default under the model cache);
nothing is ever downloaded. `check()` always raises, so the executor never picks a slot by accident:
without weights it names the folder it needs, with weights it says honestly that the adapter is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

from agent.errors import BackendUnavailable
from agent.paths import cache_dir
from tools.base import Backend

DOC = "see docs/generation.md"


class AdapterSlot(Backend):
    def __init__(self, name: str, env: str, subdir: str, what: str, fallback: str) -> None:
        super().__init__()
        self.name = name
        self.env = env
        self.subdir = subdir
        self.what = what
        self.fallback = fallback

    def weights(self) -> Path:
        """$<env>, else <cache>/weights/<subdir>."""
        env = os.environ.get(self.env)
        return Path(env).expanduser() if env else cache_dir() / "weights" / self.subdir

    def check(self) -> None:
        path = self.weights()
        if not (path.is_dir() and any(path.iterdir())):
            raise BackendUnavailable(f"backend `{self.name}` needs weights at {path}; {DOC}",
                                     f"put the {self.what} there or set {self.env}; until then use backend "
                                     f"{self.fallback}")
        raise BackendUnavailable(f"backend `{self.name}` found weights at {path}, but its adapter is not "
                                 f"implemented yet; {DOC}", f"use backend {self.fallback}")
