"""The `diffsinger` backend slot: an OpenUTAU-style DiffSinger voicebank (ONNX) from a local folder.

A voicebank folder (docs/generation.md) holds `dsconfig.yaml` naming its acoustic model
(`acoustic: acoustic.onnx`), its phoneme list (`phonemes: phonemes.txt` or .json) and its vocoder
(`vocoder: nsf_hifigan`, a folder beside it or under the voicebank with `vocoder.yaml` + an .onnx).
Nothing is downloaded: the folder is $AUDIOGENT_DIFFSINGER_VOICEBANK.

What is implemented: finding and validating the voicebank (`describe()`), and loading its ONNX
models with onnxruntime (`inspect()`: their input and output names). What is not: inference
(phonemizing lyrics with the voicebank's dictionary, phoneme durations, the acoustic model's mel
frames and the vocoder). Until it is, check() says so, so the tool never pretends to sing with it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from agent.errors import BackendUnavailable
from tools.base import Backend

VOICEBANK_ENV = "AUDIOGENT_DIFFSINGER_VOICEBANK"
DOCS = "see docs/generation.md"


def voicebank_path() -> Path | None:
    p = os.environ.get(VOICEBANK_ENV, "").strip()
    return Path(p).expanduser() if p else None


def describe(root: Path) -> dict[str, Any]:
    """Read dsconfig.yaml and resolve the files it names; raises BackendUnavailable naming what is missing."""
    import yaml

    cfg_path = root / "dsconfig.yaml"
    try:
        cfg = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise BackendUnavailable(f"backend `diffsinger`: cannot read {cfg_path}: {e}", DOCS) from e
    if not isinstance(cfg, dict):
        raise BackendUnavailable(f"backend `diffsinger`: {cfg_path} is not a mapping", DOCS)
    out: dict[str, Any] = {"root": str(root), "config": cfg}
    for key in ("acoustic", "phonemes"):
        name = cfg.get(key)
        if not name:
            raise BackendUnavailable(f"backend `diffsinger`: {cfg_path} names no `{key}` file", DOCS)
        f = (root / str(name)).resolve()
        if not f.is_file():
            raise BackendUnavailable(f"backend `diffsinger`: the {key} file {f} named in dsconfig.yaml is missing", DOCS)
        out[key] = f
    out["vocoder"] = _find_vocoder(root, str(cfg.get("vocoder") or "nsf_hifigan"))
    out["sample_rate"] = int(cfg.get("sample_rate", 44100))
    out["hop_size"] = int(cfg.get("hop_size", 512))
    return out


def _find_vocoder(root: Path, name: str) -> Path:
    """The vocoder's ONNX: <root>/<name>/, <root>/../<name>/ or OpenUTAU's Dependencies/<name>/,
    via its vocoder.yaml (`model: x.onnx`) or the only .onnx there."""
    import yaml

    for d in (root / name, root.parent / name, root.parent.parent / "Dependencies" / name, root / "dsvocoder"):
        if not d.is_dir():
            continue
        y = d / "vocoder.yaml"
        if y.is_file():
            try:
                model = (yaml.safe_load(y.read_text(encoding="utf-8")) or {}).get("model")
            except yaml.YAMLError:
                model = None
            if model and (d / str(model)).is_file():
                return (d / str(model)).resolve()
        onnx = sorted(d.glob("*.onnx"))
        if len(onnx) == 1:
            return onnx[0].resolve()
    raise BackendUnavailable(f"backend `diffsinger`: the voicebank's vocoder `{name}` was not found beside {root}",
                             f"put the vocoder folder ({name}/ with vocoder.yaml and its .onnx) next to the voicebank; {DOCS}")


def inspect(root: Path) -> dict[str, Any]:
    """Load the acoustic model and the vocoder with onnxruntime and the phoneme list: their interfaces."""
    import json

    import onnxruntime as ort

    info = describe(root)
    so = ort.SessionOptions()
    so.intra_op_num_threads = max(1, min(4, os.cpu_count() or 1))
    models: dict[str, Any] = {}
    for key in ("acoustic", "vocoder"):
        try:
            sess = ort.InferenceSession(str(info[key]), sess_options=so, providers=["CPUExecutionProvider"])
        except Exception as e:
            raise BackendUnavailable(f"backend `diffsinger`: onnxruntime cannot load {info[key]}: {e}", DOCS) from e
        models[key] = {"inputs": [i.name for i in sess.get_inputs()], "outputs": [o.name for o in sess.get_outputs()]}
    text = Path(info["phonemes"]).read_text(encoding="utf-8")
    if str(info["phonemes"]).endswith(".json"):
        phonemes = list(json.loads(text))
    else:
        phonemes = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return {**info, "models": models, "phonemes": phonemes}


class DiffSingerBackend(Backend):
    """An OpenUTAU-style DiffSinger ONNX voicebank. The slot: finds, validates and loads a voicebank;
    inference is not implemented yet, and check() says so."""

    name = "diffsinger"

    def check(self) -> None:
        root = voicebank_path()
        shown = str(root) if root else f"${VOICEBANK_ENV} (not set)"
        if root is None or not (root / "dsconfig.yaml").is_file():
            raise BackendUnavailable(f"backend `diffsinger` needs a voicebank at {shown}; {DOCS}",
                                     f"set {VOICEBANK_ENV} to an OpenUTAU DiffSinger voicebank folder (with dsconfig.yaml)")
        describe(root)  # names a missing model or vocoder file
        raise BackendUnavailable(
            f"backend `diffsinger`: the voicebank at {root} is complete, but the DiffSinger inference adapter "
            "is not implemented yet (phonemizer, durations, acoustic model and vocoder calls)",
            "use backend world; docs/generation.md says what the adapter needs")

    def render(self, song: Any, ctx: Any = None) -> Any:
        self.check()  # raises: see the class docstring
        raise BackendUnavailable("backend `diffsinger`: adapter not implemented yet", "use backend world")
