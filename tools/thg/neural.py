"""The neural talking-head backends behind the portrait one: Wav2Lip (implemented, PyTorch, CPU or CUDA)
and GeneFace, SadTalker, MuseTalk (registered; they say what they need until their adapters exist).

Weights never download at run time. Each backend reads a local path from an environment variable,
else a default under the model cache; docs/talking-heads.md says where to get them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from agent.errors import BackendUnavailable
from agent.paths import cache_dir
from tools.base import Backend

DOC = "see docs/talking-heads.md"


def weights_dir() -> Path:
    return cache_dir() / "weights"


def has_cuda() -> bool:
    """Cheap (no torch import): an NVIDIA driver is present."""
    return Path("/proc/driver/nvidia/version").exists() or shutil.which("nvidia-smi") is not None


class Wav2LipBackend(Backend):
    name = "wav2lip"
    env = "AUDIOGENT_WAV2LIP_CHECKPOINT"

    def __init__(self) -> None:
        super().__init__()
        self._runner: Any = None
        self._runner_key: tuple[str, float] | None = None
        self._runner_lock = threading.Lock()

    def checkpoint(self) -> Path:
        """$AUDIOGENT_WAV2LIP_CHECKPOINT, else <cache>/weights/wav2lip/wav2lip_gan.pth (or wav2lip.pth)."""
        env = os.environ.get(self.env)
        if env:
            return Path(env).expanduser()
        d = weights_dir() / "wav2lip"
        gan = d / "wav2lip_gan.pth"
        return gan if gan.is_file() or not (d / "wav2lip.pth").is_file() else d / "wav2lip.pth"

    def device(self) -> str:
        want = os.environ.get("AUDIOGENT_WAV2LIP_DEVICE", "auto").lower()
        if want in ("cpu", "cuda"):
            return want
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def check(self) -> None:
        if importlib.util.find_spec("torch") is None:
            raise BackendUnavailable(f"backend `{self.name}` needs the Python package torch",
                                     "pip install torch==2.13.0 (or pip install -e '.[neural]')")
        path = self.checkpoint()
        if not path.is_file():
            raise BackendUnavailable(f"backend `{self.name}` needs weights at {path}; {DOC}",
                                     f"download wav2lip_gan.pth (or wav2lip.pth) there, or set {self.env}")

    def load(self) -> None:
        self.runner()

    def runner(self) -> Any:
        """The loaded generator; reloaded when the checkpoint path or file changes."""
        from tools.thg.wav2lip import Wav2LipRunner

        path = self.checkpoint()
        self.check()
        key = (str(path.resolve()), path.stat().st_mtime)
        with self._runner_lock:
            if self._runner is None or self._runner_key != key:
                try:
                    self._runner = Wav2LipRunner(path, self.device())
                except Exception as e:
                    why = str(e).splitlines()[0] if str(e) else type(e).__name__
                    raise BackendUnavailable(f"backend `{self.name}` cannot load {path}: {why}",
                                             "use the authors' wav2lip.pth or wav2lip_gan.pth") from e
                self._runner_key = key
            return self._runner


class PendingBackend(Backend):
    """A backend the registry lists whose adapter is not written yet: check() says what it would need
    (weights, a GPU) and that it is not implemented, so it is never picked by accident."""

    def __init__(self, name: str, env: str, subdir: str, needs_gpu: bool, what: str) -> None:
        super().__init__()
        self.name = name
        self.env = env
        self.subdir = subdir
        self.needs_gpu = needs_gpu
        self.what = what

    def weights(self) -> Path:
        env = os.environ.get(self.env)
        return Path(env).expanduser() if env else weights_dir() / self.subdir

    def check(self) -> None:
        path = self.weights()
        hint = f"put the {self.what} there or set {self.env}; until then use backend portrait or wav2lip"
        missing_gpu = self.needs_gpu and not has_cuda()
        if not (path.is_dir() and any(path.iterdir())):
            gpu = " and a GPU (CUDA)" if missing_gpu else ""
            raise BackendUnavailable(f"backend `{self.name}` needs weights at {path}{gpu}; {DOC}", hint)
        if missing_gpu:
            raise BackendUnavailable(f"backend `{self.name}` needs a GPU (CUDA), and none is available here; {DOC}",
                                     "run it on a machine with an NVIDIA GPU, or use backend portrait or wav2lip")
        raise BackendUnavailable(f"backend `{self.name}` found weights at {path}, but its adapter is not "
                                 f"implemented yet; {DOC}", "use backend portrait or wav2lip")


def pending_backends() -> list[PendingBackend]:
    return [
        PendingBackend("geneface", "AUDIOGENT_GENEFACE_DIR", "geneface", True,
                       "GeneFace checkpoints (audio2motion and a NeRF renderer trained on the person)"),
        PendingBackend("sadtalker", "AUDIOGENT_SADTALKER_DIR", "sadtalker", False,
                       "SadTalker checkpoints (SadTalker_V0.0.2_256.safetensors, mapping_*.pth.tar) and gfpgan"),
        PendingBackend("musetalk", "AUDIOGENT_MUSETALK_DIR", "musetalk", True,
                       "MuseTalk weights (musetalk unet, sd-vae-ft-mse, whisper tiny, dwpose, face-parse-bisent)"),
    ]
