"""Realtime benchmark: N turns spoken into the real browser client, measured at the page.

    python -m evals.bench_realtime [--turns 20] [--barge-ins 5] [--transport webrtc|ws] [--json out.json]
    python -m evals.bench_realtime --turns 45 --barge-ins 0      # the long run: over 11 minutes of talk, for drift

One Chromium page talks to `audiogent realtime` (its own process, embedded models) with a microphone
WAV of N questions, each followed by enough silence for the whole reply, then a run of barge-ins
(a long request, cut off by a second utterance). Printed, p50/p95 with the machine:
- end of user speech -> first reply audio at the page, -> first reply frame at the page (the page's
  own clock: microphone and output level meters, and the voiced-frame marker the server draws with
  --mark-frames);
- each server stage after the end of speech (VAD end of turn, ASR final, LLM first token and first
  sentence, TTS first audio, first frame sent); transport = page audio minus the server's first frame;
- barge-in: onset of the interrupting speech at the page -> the avatar's audio silent at the page;
- sustained fps at the page, the A/V offset (first voiced frame minus first voiced audio) on the first
  and the last turns, and the server's CPU time and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.machine import describe_machine, percentile
from evals.realtime_browser import (
    Browser,
    Pause,
    Say,
    measured_turns,
    open_page,
    page_state,
    realtime_server,
    speech_wav,
)

QUESTIONS = [
    "What is your name?", "Where do you live?", "Tell me a joke.", "What is your favourite colour?",
    "How are you today?", "What time is it?", "Can you help me with my homework?", "What is the weather like?",
    "Do you like music?", "What should I cook for dinner?", "Who are you?", "What do you do for fun?",
    "Can you sing?", "What is two plus two?", "Tell me something interesting.", "Where are you from?",
    "What is your favourite food?", "Do you have a pet?", "What day is it today?", "Say something nice.",
]
REPLY_ROOM_S = 14.0  # silence after each question: an 80-token reply (~60 words) fits; with 9 s the next question barged in


def _server_usage(pid: int) -> dict[str, float]:
    stat = Path(f"/proc/{pid}/stat").read_text().split()
    ticks = os.sysconf("SC_CLK_TCK")
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {"cpu_s": (int(stat[13]) + int(stat[14])) / ticks,
            "peak_rss_mb": int(status.get("VmHWM", "0 kB").split()[0]) / 1024}


def _summary(name: str, values: list[float]) -> dict[str, Any]:
    vals = [v for v in values if v is not None]
    if not vals:
        return {"name": name, "n": 0}
    return {"name": name, "n": len(vals), "p50": round(percentile(vals, 50), 1), "p95": round(percentile(vals, 95), 1)}


def _p50(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return round(percentile(vals, 50), 1) if vals else None


def run(turns: int, barge_ins: int, transport: str) -> dict[str, Any]:
    script: list[Say | Pause] = []
    for i in range(turns):
        script += [Say(QUESTIONS[i % len(QUESTIONS)]), Pause(REPLY_ROOM_S)]
    for _ in range(barge_ins):
        script += [Say("Tell me a long story about a brave dragon."), Pause(3.2), Say("Stop, what is two plus two?"),
                   Pause(REPLY_ROOM_S)]
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "mic.wav"
        spans = speech_wav(wav, script)
        length = spans[-1][1] + REPLY_ROOM_S
        with realtime_server(token=None) as server:
            browser = Browser(wav)
            try:
                page = open_page(browser, server, transport, aec=False)
                t0, fps = time.monotonic(), []
                while time.monotonic() - t0 < length + 5:
                    page.wait_for_timeout(1000)
                    fps.append(page_state(page)["fps"])
                state = page_state(page)
                usage = _server_usage(server.proc.pid)
            finally:
                browser.close()
    done = sorted(measured_turns(state), key=lambda t: t["turn"])
    stages = ["vad_end", "asr_final", "llm_first_token", "llm_first_sentence", "tts_first_audio", "first_frame"]
    plain = [t for t in done if not t["interrupted"]]
    rows = [_summary("reply audio at page (ms after speech end)", [t["replyAudioMs"] for t in plain]),
            _summary("first reply frame at page", [t["firstFrameMs"] for t in plain])]
    rows += [_summary(f"server {s}", [(t["server"] or {}).get(s) for t in plain]) for s in stages]
    rows.append(_summary("transport (page audio - server first frame)",
                         [t["replyAudioMs"] - t["server"]["first_frame"] for t in plain if t.get("server")]))
    rows.append(_summary("barge-in: speech onset -> silence at page", [b["onsetToSilenceMs"] for b in state["bargeIns"]]))
    rows.append(_summary("A/V offset at reply start (video - audio)", [t["avOffsetMs"] for t in plain]))
    steady = fps[5:-2] or fps
    return {
        "machine": describe_machine(), "transport": transport, "turns_spoken": turns, "turns_measured": len(plain),
        "barge_ins_spoken": barge_ins, "barge_ins_measured": len(state["bargeIns"]),
        "rows": rows, "fps_p50": round(percentile(steady, 50), 1), "fps_p5": round(percentile(steady, 5), 1),
        # drift: the offset over the first and the last five replies of the run
        "av_offset_first_ms": _p50([t["avOffsetMs"] for t in plain[:5]]),
        "av_offset_last_ms": _p50([t["avOffsetMs"] for t in plain[-5:]]),
        "last_reply_at_s": round(max((t["userEnd"] for t in plain), default=0) / 1000 - state["startedAt"] / 1000, 1)
        if plain and state.get("startedAt") is not None else None,
        "run_seconds": round(length, 1), "server": usage, "errors": state["errors"],
        # per turn and per barge-in, for a closer look at the tails
        "turns": [{k: t.get(k) for k in ("turn", "transcript", "interrupted", "replyAudioMs", "firstFrameMs", "avOffsetMs",
                                         "server")} for t in done],
        "barge_ins": state["bargeIns"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--barge-ins", type=int, default=5)
    ap.add_argument("--transport", choices=["webrtc", "ws"], default="webrtc")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    r = run(args.turns, args.barge_ins, args.transport)
    print(f"machine: {r['machine']}")
    print(f"transport {r['transport']}: {r['turns_measured']}/{r['turns_spoken']} turns measured, "
          f"{r['barge_ins_measured']}/{r['barge_ins_spoken']} barge-ins, {r['run_seconds']} s of talk")
    for row in r["rows"]:
        if row["n"]:
            print(f"  {row['name']:<46} n={row['n']:<3} p50 {row['p50']:8.1f} ms   p95 {row['p95']:8.1f} ms")
        else:
            print(f"  {row['name']:<46} not measured")
    print(f"  page fps: p50 {r['fps_p50']}, p5 {r['fps_p5']}; A/V offset p50 over the first 5 replies "
          f"{r['av_offset_first_ms']} ms, over the last 5 {r['av_offset_last_ms']} ms "
          f"(the last one {r['last_reply_at_s']} s into the session)")
    print(f"  server: {r['server']['cpu_s']:.0f} s CPU over {r['run_seconds']:.0f} s, peak RSS {r['server']['peak_rss_mb']:.0f} MB")
    if r["errors"]:
        print(f"  page errors: {r['errors']}")
    if args.json:
        args.json.write_text(json.dumps(r, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
