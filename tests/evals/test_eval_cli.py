"""`audiogent eval` through the real command line on small fixture files: real planning, real tools on
real generated speech, the JSON / Markdown / PNG it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.agent.test_cli import audiogent

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"


def _eval(home: Path, tmp_path: Path, *args: str) -> tuple[dict, str, Path]:
    out = tmp_path / "out"
    proc = audiogent("eval", *args, "--planner", "rules", "--out", str(out), "--history",
                     str(tmp_path / "history.jsonl"), home=home)
    return json.loads((out / "result.json").read_text(encoding="utf-8")), proc.stdout, out


def test_consistency_slice_writes_json_markdown_and_chart(isolated_home: Path, tmp_path: Path) -> None:
    result, stdout, out = _eval(isolated_home, tmp_path, "consistency", "--limit", "4",
                                "--data", str(DATA / "consistency_small.jsonl"))
    assert result["suite"] == "consistency" and result["planner"] == "rules" and result["machine"]
    assert [i["id"] for i in result["items"]] == ["t-trim-gain", "h-translate", "t-prev-slower", "h-room-mismatch"]
    items = {i["id"]: i for i in result["items"]}
    # The known refusal: translation is unsupported and the planner refuses: scored correct.
    assert items["h-translate"]["pred_outcome"] == "unsupported"
    assert items["h-translate"]["exact"] and items["h-translate"]["tool_correct"]
    # `@last` resolved against a real earlier run in the session.
    assert items["t-prev-slower"]["predicted"]["steps"][0]["args"]["audio"] == "@last"
    assert items["t-prev-slower"]["exact"]
    # Hand-checked: the gold of h-room-mismatch says room "hall", the request says cathedral.
    # args over the 4 items: t-trim-gain start+db tp 2; t-prev-slower rate tp 1; h-room-mismatch trim.start tp 1,
    # reverb.room fp 1 + fn 1 -> tp 4 fp 1 fn 1 -> F1 = 8/10 = 0.8; heldout: tp 1 fp 1 fn 1 -> 0.5.
    overall = result["metrics"]["overall"]
    assert overall["n"] == 4 and overall["arg_f1"] == 0.8
    assert overall["node_f1"] == 1.0 and overall["edge_f1"] == 1.0
    assert overall["exact_rate"] == 0.75 and overall["tool_accuracy"] == 1.0
    heldout, tune = result["metrics"]["by_split"]["heldout"], result["metrics"]["by_split"]["tune"]
    assert (heldout["n"], heldout["arg_f1"], heldout["exact_rate"]) == (2, 0.5, 0.5)
    assert (tune["n"], tune["exact_rate"]) == (2, 1.0)
    assert items["h-room-mismatch"]["diffs"] == ["reverb.room='cathedral', expected 'hall'"]

    md = (out / "report.md").read_text(encoding="utf-8")
    assert "| split=heldout | 2 | 1.000 | 1.000 | 0.500 | 50.0% | 100.0% | 0 |" in md
    assert "![per-tool accuracy](tool_accuracy.png)" in md and "h-room-mismatch" in md
    assert (out / "tool_accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "arg F1" in stdout and "0.800" in stdout
    line = json.loads((tmp_path / "history.jsonl").read_text().splitlines()[-1])
    assert line["suite"] == "consistency" and line["headline"]["all.arg_f1"] == 0.8


def test_robustness_fault_refusal_and_reference_back(isolated_home: Path, tmp_path: Path) -> None:
    result, stdout, out = _eval(isolated_home, tmp_path, "robustness", "--data", str(DATA / "robustness_small.jsonl"))
    items = {i["id"]: i for i in result["items"]}
    # exception injected into gain: that step is named with an error and a suggestion, the independent
    # transcription still succeeds, and the earlier turn's speech is still there.
    fault = items["rf-gain-exception"]
    assert fault["passed"], fault["reasons"]
    last = fault["turns"][-1]
    steps = {s["tool"]: s for s in last["steps"]}
    assert steps["gain"]["status"] == "failed" and "injected fault" in steps["gain"]["error"]
    assert steps["gain"]["suggestion"]
    assert steps["transcribe"]["status"] == "ok" and last["status"] == "partial"
    assert fault["lost_artifacts"] == 0 and fault["crashes"] == 0
    # an empty file: a clear error naming it, nothing lost, not a crash
    empty = items["rf-empty"]
    assert empty["passed"], empty["reasons"]
    assert "broken-recording.wav is empty" in empty["turns"][-1]["error"] and empty["crashes"] == 0
    # an unsupported request is refused
    assert items["ru-weather"]["passed"] and items["ru-weather"]["turns"][0]["status"] == "unsupported"
    # "the previous recording" after a transcript resolves (by artifact id) to turn 1's output
    back = items["rc-back-to-audio"]
    assert back["passed"], back["reasons"]
    assert back["turns"][2]["plan"]["steps"][0]["args"]["audio"].startswith("@audio-")
    m = result["metrics"]
    assert m["by_category"]["fault"]["pass_rate"] == 1.0 and m["overall"]["lost_artifacts"] == 0
    assert "category=fault" in stdout and "| category=fault | 2 | 2 | 100.0% | 0 | 0 | 0 |" in (
        out / "report.md").read_text()


def test_capability_only_asr_and_loudness(isolated_home: Path, tmp_path: Path) -> None:
    result, stdout, _ = _eval(isolated_home, tmp_path, "capability", "--only", "asr,loudness")
    rows = {(r["tool"], r["metric"]): r for r in result["items"]}
    assert {r["check"] for r in result["items"]} == {"asr", "loudness"}
    wer = rows[("transcribe", "WER (en, Piper speech)")]
    assert wer["n"] == 8 and 0.0 <= wer["value"] < 0.15
    assert rows[("loudness_normalize", "mean |error|")]["value"] < 0.5
    assert "WER (en, Piper speech)" in stdout
