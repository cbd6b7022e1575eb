"""Agent-mode benchmark for the embedded stack on this machine.

    python -m evals.bench_agent [--repeats 5] [--seconds 10] [--json out.json]

Prints: cold start (process launch of `audiogent run` to its first tool running, p50/p95 over
repeats), warm real-time factors per tool (tool time / audio duration; < 1 is faster than real time),
model load times, and peak memory (max RSS) of this process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from evals.machine import describe_machine, percentile

SENTENCES = (
    "The quick brown fox jumps over the lazy dog. Audio agents turn requests into plans. "
    "Every step keeps its artifacts, and the answer comes back in words."
)


def cold_start(repeats: int) -> list[float]:
    """Seconds from launching `audiogent run` to the first step starting (read from the manifest)."""
    out = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "AUDIOGENT_HOME": home}
            t0 = time.time()
            subprocess.run([sys.executable, "-m", "agent.cli", "run", "say hello", "--json", "--planner", "rules"],
                           env=env, check=True, capture_output=True)
            manifest = json.loads((Path(home) / "sessions" / "default" / "manifest.json").read_text())
            first = min(s["started_at"] for s in manifest["runs"][0]["steps"])
            out.append(first - t0)
    return out


def _timed(fn: Any, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def warm_rtfs(
    repeats: int, seconds: float
) -> tuple[dict[str, list[float]], dict[str, float], dict[str, float], float]:
    """Per tool: real-time factors, the audio duration they are relative to; load times; peak RSS (MB)."""
    import numpy as np

    from agent.media import Audio, adapt
    from agent.registry import default_registry

    reg = default_registry()
    loads: dict[str, float] = {}

    def tool(name: str, backend: str | None = None):
        t = reg[name]
        b = t.pick_backend(backend)
        t0 = time.perf_counter()
        b.ensure_loaded()
        loads.setdefault(f"{name}/{b.name}", time.perf_counter() - t0)
        import inspect

        wants = "backend" in inspect.signature(t.impl.func).parameters
        return lambda **kw: t.impl.func(**kw, **({"backend": b} if wants else {}))

    tts = tool("text_to_speech")
    speech = tts(text=SENTENCES)
    reps = int(np.ceil(seconds / speech.duration))
    long = Audio(np.tile(speech.samples, (reps, 1))[: int(seconds * speech.sample_rate)], speech.sample_rate)
    rng = np.random.default_rng(0)
    noisy = long.with_samples(long.samples + 0.02 * rng.standard_normal(long.samples.shape).astype(np.float32))
    asr_in = adapt(long, 16000, 1)

    cases: dict[str, tuple[Any, float]] = {
        "text_to_speech (piper)": (lambda: tts(text=SENTENCES), speech.duration),
        "transcribe (whisper-base)": (lambda: tool("transcribe", "whisper-base")(audio=asr_in), long.duration),
        "transcribe (whisper-tiny.en)": (lambda: tool("transcribe", "whisper-tiny.en")(audio=asr_in, language="en"),
                                         long.duration),
        "denoise": (lambda: tool("denoise")(audio=noisy), long.duration),
        "remove_hum": (lambda: tool("remove_hum")(audio=noisy), long.duration),
        "trim": (lambda: tool("trim")(audio=long, start=1.0), long.duration),
        "fade": (lambda: tool("fade")(audio=long, fade_in=1.0, fade_out=1.0), long.duration),
        "gain": (lambda: tool("gain")(audio=long, db=3.0), long.duration),
        "loudness_normalize": (lambda: tool("loudness_normalize")(audio=long), long.duration),
        "change_tempo": (lambda: tool("change_tempo")(audio=long, rate=0.8), long.duration),
        "pitch_shift": (lambda: tool("pitch_shift")(audio=long, semitones=3.0), long.duration),
        "reverb": (lambda: tool("reverb")(audio=long, room="hall"), long.duration),
        "filter": (lambda: tool("filter")(audio=long, kind="highpass", cutoff_hz=80.0), long.duration),
        "equalize": (lambda: tool("equalize")(audio=long, bass_db=6.0), long.duration),
        "resample": (lambda: tool("resample")(audio=long, sample_rate=48000), long.duration),
    }
    rtfs: dict[str, list[float]] = {}
    for name, (fn, dur) in cases.items():
        fn()  # warm-up: first call pays for lazy imports and model loading
        rtfs[name] = [t / dur for t in _timed(fn, repeats)]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return rtfs, {k: d for k, (_, d) in cases.items()}, loads, peak_mb


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=10.0, help="length of the test audio for the RTFs")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args(argv)

    machine = describe_machine()
    print(f"machine: {machine}")
    cold = cold_start(a.repeats)
    print(f"\ncold start, `audiogent run \"say hello\"` launch -> first tool running (n={len(cold)}):"
          f" p50 {percentile(cold, 50):.2f} s, p95 {percentile(cold, 95):.2f} s")
    rtfs, durations, loads, peak = warm_rtfs(a.repeats, a.seconds)
    print(f"\nwarm real-time factors on {a.seconds:.0f} s of speech (n={a.repeats}; < 1 = faster than real time):")
    print(f"  {'tool':<30} {'RTF p50':>9} {'RTF p95':>9} {'ms p50':>9}")
    for name, v in rtfs.items():
        ms = percentile(v, 50) * durations[name] * 1000
        print(f"  {name:<30} {percentile(v, 50):9.5f} {percentile(v, 95):9.5f} {ms:9.1f}")
    print("\nbackend load times (first use):")
    for name, s in loads.items():
        print(f"  {name:<30} {s:6.2f} s")
    print(f"\npeak memory (max RSS of the benchmark process, all models loaded): {peak:.0f} MB")
    if a.json:
        a.json.write_text(json.dumps({"machine": machine, "cold_start_s": cold, "rtf": rtfs, "load_s": loads,
                                      "peak_rss_mb": peak}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
