"""Talking-head benchmark on this machine.

    python -m evals.bench_talking_head [--seconds 20] [--repeats 5] [--no-wav2lip] [--json out.json]

Prints, with the machine: portrait-backend speed at 512x512 (the default avatar) as per-frame times
(p50/p95, and the fps they mean) for rendering alone and for the whole streaming core (speech analysis +
render), the end-to-end mp4 rate (with H.264/AAC encoding), avatar preparation time (cold: detection,
geometry and fields; warm: from the cache; an idle clip), lip-sync of the result, and peak memory (max
RSS). With torch installed, also the full-size Wav2Lip generator's CPU rate (random weights: speed only).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals.machine import describe_machine, percentile

TEXT = ("Good morning, and welcome. This benchmark makes a portrait speak: the jaw drops with every vowel, "
        "the lips round for words like you and who, and spread for see and me, while the eyes keep blinking.")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _speech(seconds: float) -> Any:
    from agent.media import Audio, adapt
    from evals.inputs import speech
    from tools.thg.video import AUDIO_RATE

    a = adapt(speech(TEXT, "en"), sample_rate=AUDIO_RATE, channels=1)
    reps = int(np.ceil(seconds / a.duration))
    return Audio(np.tile(a.samples, (reps, 1))[: int(seconds * AUDIO_RATE)], AUDIO_RATE)


def _idle_clip(path: Path, frames: int = 50) -> None:
    import av
    import cv2

    from tools.thg.face import default_image

    img = default_image()
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=25)
        s.width, s.height, s.pix_fmt = img.shape[1], img.shape[0], "yuv420p"
        for i in range(frames):
            m = np.array([[1, 0, 3 * np.sin(i / 8)], [0, 1, 2 * np.sin(i / 11)]], np.float32)
            f = cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REFLECT)
            for p in s.encode(av.VideoFrame.from_ndarray(f, format="bgr24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)


def prep_times(repeats: int) -> dict[str, list[float]]:
    from tools.thg.prepare import _memo, prepare_image, prepare_video

    out: dict[str, list[float]] = {"image (cold)": [], "image (cached)": [], "idle clip 2 s (cold)": []}
    for _ in range(repeats):
        t = time.perf_counter()
        prepare_image(None, use_cache=False)
        out["image (cold)"].append(time.perf_counter() - t)
        _memo.clear()
        t = time.perf_counter()
        prepare_image(None)
        out["image (cached)"].append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as d:
        clip = Path(d) / "idle.mp4"
        _idle_clip(clip)
        for _ in range(repeats):
            t = time.perf_counter()
            prepare_video(clip, use_cache=False)
            out["idle clip 2 s (cold)"].append(time.perf_counter() - t)
    return out


def portrait(seconds: float) -> dict[str, Any]:
    from tools.thg.measure import av_sync, lipsync_score
    from tools.thg.prepare import prepare_image
    from tools.thg.stream import AvatarStream, EndOfSegment
    from tools.thg.video import write_mp4

    audio = _speech(seconds)
    avatar = prepare_image(None)
    stream = AvatarStream(avatar, sample_rate=audio.sample_rate)
    stream.push_audio(audio)
    stream.push_audio(EndOfSegment())
    poses, core = [], []
    while True:  # the streaming core, frame by frame: speech analysis + render
        t = time.perf_counter()
        f = stream.next_frame()
        if f is None:
            break
        core.append(time.perf_counter() - t)
        poses.append(f.pose)
    renderer = avatar.renderer()
    renderer.render(poses[0], 0)
    render = []
    for i, p in enumerate(poses):  # rendering alone
        t = time.perf_counter()
        renderer.render(p, i)
        render.append(time.perf_counter() - t)
    from tools.thg.stream import frames_for

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "bench.mp4"
        t = time.perf_counter()
        write_mp4(path, frames_for(avatar, audio), avatar.size, audio.sample_rate)
        e2e = time.perf_counter() - t
        peak = _peak_mb()
        corr, lag = lipsync_score(path, audio)
        sync = av_sync(path)
    return {"size": avatar.size, "frames": len(poses), "render_s": render, "core_s": core,
            "mp4_fps": len(poses) / e2e, "lipsync_corr": corr, "lipsync_lag": lag,
            "av_difference_s": sync["max_difference"], "peak_rss_mb": peak}


def wav2lip_rate(frames: int = 50) -> dict[str, Any] | None:
    try:
        import torch
    except ImportError:
        return None
    from agent.media import Audio
    from tools.thg.prepare import prepare_image
    from tools.thg.wav2lip import Wav2Lip, Wav2LipRunner, save_checkpoint

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as d:
        ckpt = Path(d) / "wav2lip-random.pth"
        save_checkpoint(Wav2Lip(), ckpt)
        t = time.perf_counter()
        runner = Wav2LipRunner(ckpt, "cpu")
        load = time.perf_counter() - t
    audio = Audio(np.zeros(frames * 640, np.float32), 16000)
    t = time.perf_counter()
    n = sum(1 for _ in runner.frames(prepare_image(None), audio, 48000))
    return {"frames": n, "fps": n / (time.perf_counter() - t), "load_s": load, "threads": torch.get_num_threads()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0, help="length of the speech to animate")
    ap.add_argument("--repeats", type=int, default=5, help="avatar preparations to time")
    ap.add_argument("--no-wav2lip", action="store_true", help="skip the Wav2Lip CPU rate")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    a = ap.parse_args(argv)

    machine = describe_machine()
    print(f"machine: {machine}")
    prep = prep_times(a.repeats)
    print(f"\navatar preparation (n={a.repeats}):")
    for name, v in prep.items():
        print(f"  {name:<24} p50 {1000 * percentile(v, 50):8.1f} ms   p95 {1000 * percentile(v, 95):8.1f} ms")
    p = portrait(a.seconds)
    w, h = p["size"]
    print(f"\nportrait backend, {w}x{h}, {p['frames']} frames ({a.seconds:.0f} s of Piper speech):")
    for name, key in (("render only", "render_s"), ("speech analysis + render", "core_s")):
        v = p[key]
        print(f"  {name:<26} per frame p50 {1000 * percentile(v, 50):6.2f} ms  p95 {1000 * percentile(v, 95):6.2f} ms"
              f"  -> {1 / percentile(v, 50):7.0f} fps at p50, {1 / percentile(v, 95):7.0f} fps at p95"
              f"  (throughput {len(v) / sum(v):.0f} fps)")
    print(f"  {'mp4 end to end (+ H.264/AAC)':<26} {p['mp4_fps']:.0f} fps")
    print(f"  lip-sync: r = {p['lipsync_corr']:.3f} at lag {p['lipsync_lag']:+d} frames;"
          f" A/V duration difference {1000 * p['av_difference_s']:.1f} ms")
    peak = p["peak_rss_mb"]
    print(f"\npeak memory (max RSS of this process after preparing and rendering, before measuring): {peak:.0f} MB;"
          f" after the measurements {_peak_mb():.0f} MB")
    w2l = None if a.no_wav2lip else wav2lip_rate()
    if w2l:
        print(f"\nwav2lip (full-size generator, random weights, CPU, {w2l['threads']} threads): {w2l['fps']:.1f} fps"
              f" over {w2l['frames']} frames; checkpoint load {w2l['load_s']:.2f} s; peak RSS now {_peak_mb():.0f} MB")
    if a.json:
        a.json.write_text(json.dumps({"machine": machine, "prep_s": prep, "portrait": p, "peak_rss_mb": peak,
                                      "wav2lip": w2l}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
