"""The eval history: one JSON line per run (suite, when, which planner and commit, headline numbers),
so a report can show how a suite's numbers moved. Default: $AUDIOGENT_HOME/evals/history.jsonl."""

from __future__ import annotations

import fcntl
import json
from pathlib import Path
from typing import Any

from agent.paths import data_home


def evals_home() -> Path:
    return data_home() / "evals"


def default_history_path() -> Path:
    return evals_home() / "history.jsonl"


def append(path: Path, entry: dict[str, Any]) -> None:
    """Append one line (under an exclusive lock, so parallel runs do not interleave)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n"
    with open(path, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            f.write(line)
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def read(path: Path, suite: str | None = None) -> list[dict[str, Any]]:
    """Earlier entries, oldest first, of one suite (or all); unreadable lines are skipped."""
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            e = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(e, dict) and (suite is None or e.get("suite") == suite):
            out.append(e)
    return out
