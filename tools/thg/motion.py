"""Speech audio to per-frame face motion, one 40 ms chunk at a time.

Causal and incremental, so streaming and offline rendering run the very same code:

* jaw opening from the chunk's RMS level against an adaptive range (a peak tracker with instant attack and
  slow release, and a noise-floor tracker), so it works for quiet and loud recordings alike; fricatives
  (energy above 3.5 kHz dominating) close the jaw towards the teeth;
* lip rounding (oo, o, w: little energy at 1-3 kHz relative to 200-1000 Hz, i.e. low F1 and low F2) and
  spreading (ee, i: F2 high, energy at 1.8-3.2 kHz well above 1-1.8 kHz) from band-energy ratios on an
  80 ms Hann window;
* temporal smoothing: one-pole filters, faster to open than to close (a jaw snaps open, eases shut);
* idle motion that never stops: blinks at random 2-6 s intervals (sometimes double), slow head sway
  and tilt from incommensurate sines, breathing (a 4 s rise and fall), and small speech-driven nods.
"""

from __future__ import annotations

import math

import numpy as np

from tools.thg import FPS
from tools.thg.render import Pose, smoothstep

BLINK = (0.45, 1.0, 1.0, 0.7, 0.35, 0.1)  # per frame at 25 fps: ~240 ms
LEVEL_RANGE_DB = 30.0


class IdleMotion:
    """Blinks, sway, tilt and breathing as a function of the frame index (and a seeded blink schedule)."""

    def __init__(self, seed: int = 0, fps: int = FPS) -> None:
        self.fps = fps
        self.rng = np.random.default_rng(seed)
        ph = self.rng.uniform(0, 2 * math.pi, 6)
        self.phase = [float(p) for p in ph]
        self.next_blink = int(self.rng.uniform(0.8, 2.5) * fps)
        self.blink_frames: list[float] = []

    def blink(self, index: int) -> float:
        if not self.blink_frames and index >= self.next_blink:
            self.blink_frames = list(BLINK)
            if self.rng.random() < 0.15:  # a double blink now and then
                self.blink_frames += [0.0, 0.4] + list(BLINK[1:])
            self.next_blink = index + len(self.blink_frames) + int(self.rng.uniform(2.0, 6.0) * self.fps)
        return self.blink_frames.pop(0) if self.blink_frames else 0.0

    def head(self, index: int) -> tuple[float, float, float, float]:
        """(tx, ty, rot, scale): face widths, radians, relative scale."""
        t = index / self.fps
        p = self.phase
        tx = 0.011 * math.sin(2 * math.pi * 0.11 * t + p[0]) + 0.005 * math.sin(2 * math.pi * 0.29 * t + p[1])
        rot = 0.016 * math.sin(2 * math.pi * 0.07 * t + p[2]) + 0.007 * math.sin(2 * math.pi * 0.19 * t + p[3])
        breath = math.sin(2 * math.pi * 0.25 * t + p[4])
        ty = 0.006 * math.sin(2 * math.pi * 0.09 * t + p[5]) + 0.004 * breath
        return tx, ty, rot, 0.004 * breath


class MotionTracker:
    """`step(chunk)` -> Pose for each consecutive chunk of exactly sample_rate / fps mono samples."""

    def __init__(self, sample_rate: int, fps: int = FPS, seed: int = 0, idle: bool = True,
                 head_motion: bool = True) -> None:
        if sample_rate % fps:
            raise ValueError(f"sample rate {sample_rate} is not a multiple of {fps} fps")
        self.sr = sample_rate
        self.fps = fps
        self.spf = sample_rate // fps
        self.prev = np.zeros(self.spf, np.float32)
        self.win = np.hanning(2 * self.spf).astype(np.float32)
        f = np.fft.rfftfreq(2 * self.spf, 1.0 / sample_rate)
        self.bands = [(f >= lo) & (f < hi) for lo, hi in ((200, 1000), (1000, 1800), (1800, 3200), (3500, 8000))]
        self.idle = IdleMotion(seed, fps) if idle else None
        self.head_motion = head_motion and idle
        self.index = 0
        self.peak_db = -24.0
        self.floor_db = -75.0
        self.open = self.round = self.spread = self.nod = 0.0

    def reset(self) -> None:
        """Forget the audio context (after an interruption); the mouth eases shut on the next frames."""
        self.prev[:] = 0.0

    def step(self, chunk: np.ndarray) -> Pose:
        x = np.asarray(chunk, np.float32).reshape(-1)
        if x.shape[0] != self.spf:
            raise ValueError(f"a chunk must hold {self.spf} samples, got {x.shape[0]}")
        level, openness, rounding, spreading, fricative = self._analyse(x)
        self.prev = x
        # adaptive level range: the peak jumps up at once and sinks 2 dB/s; the floor creeps up 1 dB/s
        self.peak_db = max(level, self.peak_db - 2.0 / self.fps, -45.0)
        self.floor_db = min(level, self.floor_db + 1.0 / self.fps)
        gate = max(self.peak_db - LEVEL_RANGE_DB, self.floor_db + 8.0, -62.0)
        loud = float(np.clip((level - gate) / max(self.peak_db - gate, 6.0), 0.0, 1.0)) ** 1.4
        target = loud * (0.75 + 0.35 * openness) * (1.0 - 0.6 * fricative)
        voiced = float(smoothstep(0.08, 0.3, np.float64(loud)))
        a = 0.75 if target > self.open else 0.5
        self.open += a * (min(target, 1.0) - self.open)
        self.round += 0.4 * (voiced * rounding - self.round)
        self.spread += 0.4 * (voiced * spreading - self.spread)
        self.nod += 0.08 * (self.open - self.nod)
        pose = Pose(open=self.open, round=self.round, spread=self.spread)
        if self.idle is not None:
            pose.blink = self.idle.blink(self.index)
            if self.head_motion:
                tx, ty, rot, scale = self.idle.head(self.index)
                pose.tx, pose.ty, pose.rot, pose.scale = tx, ty + 0.012 * self.nod, rot + 0.01 * self.nod, scale
        self.index += 1
        return pose

    def _analyse(self, x: np.ndarray) -> tuple[float, float, float, float, float]:
        """(level dB, openness, rounding, spreading, fricative) of one chunk; shapes are 0-1."""
        rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) + 1e-9
        level = 20.0 * math.log10(rms)
        seg = np.concatenate([self.prev, x]) * self.win
        power = np.abs(np.fft.rfft(seg)) ** 2
        e1, e2, e3, e4 = (float(power[b].sum()) + 1e-12 for b in self.bands)
        mid = 10 * math.log10(e2 / e1)  # aa ~ -9 dB, oo ~ -19, ee ~ -28 (Piper speech)
        high = 10 * math.log10(e3 / e1)
        fric = 10 * math.log10(e4 / (e1 + e2 + e3))
        openness = float(smoothstep(-22.0, -9.0, np.float64(mid)))
        spreading = float(smoothstep(4.0, 14.0, np.float64(high - mid)))
        rounding = (1.0 - openness) * (1.0 - spreading)
        fricative = float(smoothstep(-10.0, 3.0, np.float64(fric)))
        return level, openness, rounding, spreading, fricative
