"""Where things live: the project's data files and the user's session workspaces."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def registry_path() -> Path:
    return Path(os.environ.get("AUDIOGENT_REGISTRY", PROJECT_ROOT / "model_registry.yaml"))


def prompts_dir() -> Path:
    return PROJECT_ROOT / "prompts"


def data_home() -> Path:
    """Root of sessions and caches: $AUDIOGENT_HOME, else $XDG_DATA_HOME/audiogent, else ~/.local/share/audiogent."""
    env = os.environ.get("AUDIOGENT_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "audiogent"


def sessions_dir() -> Path:
    return data_home() / "sessions"


def cache_dir() -> Path:
    """Model caches (e.g. the assembled Whisper weights): $AUDIOGENT_CACHE, else <data home>/cache."""
    env = os.environ.get("AUDIOGENT_CACHE")
    return Path(env).expanduser() if env else data_home() / "cache"
