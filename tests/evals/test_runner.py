"""The eval runner in-process, without models: crash accounting and exit status, reports and the
history, artifact bookkeeping of the robustness suite."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent.artifacts import RunRecord, Session
from agent.plan import Plan
from evals import history
from evals.robustness import artifact_names, lost_artifacts, snapshot
from evals.run import run_eval


class CrashingPlanner:
    name = "crashing"
    can_repair = False

    def plan(self, request, ctx, registry, feedback=None, previous=None) -> Plan:
        if "boom" in request:
            raise ZeroDivisionError("planner bug")
        return Plan(unsupported="no", instead="nothing")


def _args(tmp_path: Path, data: Path, **kw) -> argparse.Namespace:
    base = {"suite": "consistency", "data": data, "split": "all", "limit": None, "ids": None, "only": None,
            "out": tmp_path / "out", "history": tmp_path / "history.jsonl", "keep_work": False, "json": True}
    return argparse.Namespace(**{**base, **kw})


def _item(i: str, request: str) -> str:
    return json.dumps({"id": i, "split": "tune", "lang": "en", "style": "plain", "request": request, "inputs": [],
                       "expect": {"outcome": "unsupported"}})


def test_a_planner_crash_is_kept_counted_and_exits_1(tmp_path: Path, capsys) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(_item("ok-1", "translate it") + "\n" + _item("crash-1", "boom") + "\n", encoding="utf-8")
    assert run_eval(_args(tmp_path, data), CrashingPlanner()) == 1
    result = json.loads((tmp_path / "out" / "result.json").read_text())
    items = {i["id"]: i for i in result["items"]}
    assert items["ok-1"]["exact"] and not items["ok-1"]["crash"]
    assert items["crash-1"]["crash"] and "ZeroDivisionError: planner bug" in items["crash-1"]["error"]
    assert result["metrics"]["crashes"] == 1 and result["metrics"]["overall"]["exact_rate"] == 0.5
    assert json.loads(capsys.readouterr().out)["suite"] == "consistency"


def test_low_scores_exit_0_and_history_accumulates(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    wrong = json.dumps({"id": "w", "split": "heldout", "lang": "zh", "style": "plain", "request": "把它调低",
                        "inputs": [], "expect": {"outcome": "clarify"}})
    data.write_text(wrong + "\n", encoding="utf-8")
    for n in (1, 2):
        assert run_eval(_args(tmp_path, data, out=tmp_path / f"out{n}", json=False), CrashingPlanner()) == 0
    entries = history.read(tmp_path / "history.jsonl", "consistency")
    assert len(entries) == 2 and entries[0]["headline"]["all.exact_rate"] == 0.0
    md = (tmp_path / "out2" / "report.md").read_text()
    assert "## History (consistency)" in md
    history_rows = [line for line in md.split("## History")[1].splitlines() if line.startswith("| 20")]
    assert len(history_rows) == 2  # the first run and this one
    assert "| (clarify) | (unsupported) (1) |" in md  # confusion: clarify wanted, refused instead
    assert (tmp_path / "out2" / "tool_accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_lost_artifacts_compare_bytes(tmp_path: Path) -> None:
    s = Session.open("lost")
    a = s.add_text("first", source="upload")
    b = s.add_text("second", source="upload")
    before = snapshot(s)
    assert lost_artifacts(s, before) == []
    s.path(a).write_text("changed", encoding="utf-8")
    s.path(b).unlink()
    assert sorted(lost_artifacts(s, before)) == sorted([f"{a.id}: file missing or changed",
                                                        f"{b.id}: file missing or changed"])


def test_artifact_names_follow_the_run_records() -> None:
    r1 = RunRecord(id="r1", request="x", started=0, uploads=["audio-u1"], final=["audio-f1", "json-f1"],
                   steps=[])
    r2 = RunRecord(id="r2", request="y", started=0, uploads=["audio-u2"], final=[], steps=[])
    names = artifact_names({1: r1, 2: r2}, current=2)
    assert names == {"audio-u1": "turn-1.upload-1", "audio-f1": "turn-1", "json-f1": "turn-1.final-2",
                     "audio-u2": "upload-1"}
