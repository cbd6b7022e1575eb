"""The `world` singing backend: spoken syllables re-timed and re-pitched with the WORLD vocoder.

For each word of the lyrics:
 1. the installed TTS voice speaks it (Piper for English, FastSpeech 2 or espeak-ng for Mandarin,
    espeak-ng for other languages), resampled to SAMPLE_RATE;
 2. WORLD analyses it: F0 (harvest), spectral envelope (CheapTrick), aperiodicity (D4C), 5 ms frames;
 3. it is cut into its syllables at the energy dips between the syllables' voiced peaks (one
    syllable per note, or a note group for a melisma), and each syllable into an onset consonant,
    a vowel nucleus (the voiced run around its loudest frame) and a coda;
 4. the onset is placed just before the note (a singer's pre-utterance, so the vowel starts on the
    beat), the nucleus is stretched over the note(s) - its edges keep their natural pace and the
    steady middle takes the stretch - and the coda ends the note, right before the next syllable;
 5. F0 follows the score: the note pitches joined by raised-cosine portamento (+-35 ms at legato
    boundaries), with a 5.5 Hz, +-35 cent vibrato that starts after 0.25 s on longer notes;
 6. WORLD synthesizes the whole line at once.

Score time 0 is LEAD_IN seconds into the output (room for the first consonant).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from agent.errors import ToolFailed
from agent.media import Audio, resample
from tools.sing.score import Song

SAMPLE_RATE = 24000
FRAME_MS = 5.0
LEAD_IN = 0.2  # seconds of output before score time 0
TAIL = 0.25  # seconds after the last note
MAX_PREUTTER = 0.12  # the longest onset consonant before a beat
MAX_CODA = 0.15
PORTAMENTO = 0.035  # half-width of a pitch glide between legato notes
VIBRATO_HZ = 5.5
VIBRATO_CENTS = 35.0
VIBRATO_DELAY = 0.25
VIBRATO_RAMP = 0.2
VIBRATO_MIN_NOTE = 0.3
EDGE = 6  # nucleus frames at each end that keep their natural pace (30 ms)
LEVEL_EQUALIZE = 0.5  # how far each syllable's loudness is pulled to the median (0 none, 1 all)
PEAK = 10 ** (-1 / 20)
CACHE_WORDS = 256
# The F0 search range for each voice's speech: a range around its own register keeps harvest off
# octave errors (Piper joe speaks at ~105 Hz; harvest read 'little' at 210 Hz with a 60-700 Hz range).
VOICE_F0_RANGE = {"piper-joe": (55.0, 200.0), "fastspeech2-zh": (90.0, 500.0), "espeak-ng": (55.0, 320.0)}
# Sung vowels are more periodic than spoken ones: the nucleus's aperiodicity is raised to this power.
NUCLEUS_AP_POWER = 2.0


@dataclass
class WordAnalysis:
    """WORLD parameters of one spoken word, and where its syllables are."""

    f0: np.ndarray
    sp: np.ndarray
    ap: np.ndarray
    energy: np.ndarray  # dB per frame, 100-4000 Hz
    span: tuple[int, int]  # first and last+1 frame of speech
    voice: str


@dataclass
class SyllableParts:
    start: int  # frames in the word's analysis
    nucleus: tuple[int, int]
    steady: tuple[int, int]
    end: int


@dataclass
class Rendering:
    audio: Audio
    song: Song
    lead_in: float
    frame_period: float
    f0_plan: np.ndarray  # Hz per output frame where voiced, else 0
    voices: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------- analysis
def analyse(x: np.ndarray, sr: int, voice: str) -> WordAnalysis:
    import pyworld as pw

    x = np.ascontiguousarray(x, dtype=np.float64)
    lo_hz, hi_hz = VOICE_F0_RANGE.get(voice, (60.0, 700.0))
    f0, t = pw.harvest(x, sr, f0_floor=lo_hz, f0_ceil=hi_hz, frame_period=FRAME_MS)
    sp = pw.cheaptrick(x, f0, t, sr)
    ap = pw.d4c(x, f0, t, sr)
    fft = (sp.shape[1] - 1) * 2
    lo, hi = int(100 * fft / sr), int(4000 * fft / sr)
    energy = 10 * np.log10(np.mean(sp[:, lo:hi], axis=1) + 1e-20)
    loud = np.flatnonzero(energy > energy.max() - 40)
    span = (int(loud[0]), int(loud[-1]) + 1) if len(loud) else (0, len(f0))
    return WordAnalysis(f0, sp, ap, energy, span, voice)


def _smooth(x: np.ndarray, n: int) -> np.ndarray:
    if n <= 1 or len(x) < n:
        return x
    k = np.ones(n) / n
    pad = np.pad(x, (n // 2, n - 1 - n // 2), mode="edge")
    return np.convolve(pad, k, mode="valid")


def split_syllables(a: WordAnalysis, k: int, weights: list[float] | None = None) -> list[SyllableParts]:
    """Cut a spoken word into k syllables at the energy dips between its k strongest voiced peaks."""
    s0, s1 = a.span
    voiced = a.f0 > 0
    e = _smooth(np.where(voiced, a.energy, a.energy - 30.0), 5)
    bounds = [s0]
    if k > 1:
        from scipy.signal import find_peaks

        seg = e[s0:s1]
        # the k most prominent voiced peaks (a dip of 3 dB or more between them), loud enough to be vowels
        peaks, props = find_peaks(np.concatenate([[seg.min() - 1], seg, [seg.min() - 1]]), prominence=3.0, distance=8)
        peaks = peaks - 1
        ok = [(int(p), float(pr)) for p, pr in zip(peaks, props["prominences"]) if seg[p] > seg.max() - 25]
        chosen = sorted(p for p, _ in sorted(ok, key=lambda x: -x[1])[:k])
        if len(chosen) == k:
            for p, q in itertools.pairwise(chosen):
                bounds.append(s0 + p + int(np.argmin(seg[p:q])))
        else:  # fewer clear peaks than syllables: split by the syllables' letter counts
            w = np.asarray(weights or [1.0] * k, dtype=float)
            cum = np.cumsum(w)[:-1] / w.sum()
            bounds += [s0 + round(c * (s1 - s0)) for c in cum]
    bounds.append(s1)
    return [_parts(a, b0, b1) for b0, b1 in itertools.pairwise(bounds)]


def _parts(a: WordAnalysis, b0: int, b1: int) -> SyllableParts:
    """Onset, nucleus (the voiced run around the loudest frame, within 10 dB of it) and its steady
    middle (within 4 dB)."""
    b1 = max(b1, b0 + 1)
    voiced = a.f0[b0:b1] > 0
    e = np.where(voiced, a.energy[b0:b1], -np.inf)
    if not np.isfinite(e).any():  # nothing voiced (a whispered or failed syllable): the loudest part
        e = a.energy[b0:b1].copy()
        voiced = np.ones_like(voiced)
    peak = int(np.argmax(e))

    def run(threshold: float) -> tuple[int, int]:
        lo = peak
        while lo > 0 and voiced[lo - 1] and e[lo - 1] > e[peak] - threshold:
            lo -= 1
        hi = peak + 1
        while hi < len(e) and voiced[hi] and e[hi] > e[peak] - threshold:
            hi += 1
        return lo, hi

    n0, n1 = run(10.0)
    t0, t1 = run(4.0)
    if n1 - n0 < 2:
        n0, n1 = max(0, peak - 1), min(len(e), peak + 2)
    t0, t1 = max(t0, n0), min(max(t1, t0 + 1), n1)
    # silence at either end of the span (a pause, the end of the utterance) is not part of the syllable
    quiet = a.energy[b0:b1] < a.energy[b0 + peak] - 35.0
    lo, hi = 0, b1 - b0
    while lo < n0 and quiet[lo]:
        lo += 1
    while hi > n1 and quiet[hi - 1]:
        hi -= 1
    return SyllableParts(b0 + lo, (b0 + n0, b0 + n1), (b0 + t0, b0 + t1), b0 + hi)


# ---------------------------------------------------------------------- time maps
def _linear(src0: float, src1: float, n: int) -> np.ndarray:
    if n <= 0:
        return np.zeros(0)
    if n == 1:
        return np.array([src0])
    return np.linspace(src0, max(src0, src1 - 1), n)


def nucleus_map(p: SyllableParts, n_out: int) -> np.ndarray:
    """Source frame (fractional) for each of n_out output frames of the nucleus."""
    (n0, n1), (t0, t1) = p.nucleus, p.steady
    if n_out <= n1 - n0:
        return _linear(n0, n1, n_out)
    head = min(EDGE, t0 - n0) if t0 > n0 else 0
    tail = min(EDGE, n1 - t1) if n1 > t1 else 0
    # the edges beyond EDGE frames (towards the steady part) stretch with it
    a0, a1 = n0 + head, n1 - tail
    mid = n_out - head - tail
    return np.concatenate([np.arange(n0, a0, dtype=float), _linear(a0, a1, mid), np.arange(a1, n1, dtype=float)])


def _take(a: WordAnalysis, u: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log-interpolated envelope, interpolated aperiodicity and voicing at fractional frames u."""
    last = len(a.f0) - 1
    u = np.clip(u, 0, last)
    i0 = np.floor(u).astype(int)
    i1 = np.minimum(i0 + 1, last)
    w = (u - i0)[:, None]
    sp = np.exp((1 - w) * np.log(a.sp[i0] + 1e-20) + w * np.log(a.sp[i1] + 1e-20))
    ap = (1 - w) * a.ap[i0] + w * a.ap[i1]
    voiced = a.f0[np.rint(u).astype(int)] > 0
    return sp, ap, voiced


# ---------------------------------------------------------------------- pitch
def f0_plan(song: Song, n_frames: int, seed: int = 0) -> np.ndarray:
    """Cents (MIDI x 100) per output frame: note pitches, portamento at legato joins, delayed vibrato,
    a little slow drift."""
    fp = FRAME_MS / 1000.0
    t = np.arange(n_frames) * fp - LEAD_IN
    notes = song.notes
    cents = np.full(n_frames, notes[0].pitch * 100.0)
    for i, n in enumerate(notes):  # rests and the tail take the next (or last) note's pitch
        nxt = notes[i + 1].start if i + 1 < len(notes) else math.inf
        cents[(t >= n.start) & (t < nxt)] = n.pitch * 100.0
    for i in range(1, len(notes)):
        a, b = notes[i - 1], notes[i]
        if b.pitch == a.pitch or b.start - a.end > fp:
            continue
        w = min(PORTAMENTO, 0.25 * (a.end - a.start), 0.25 * (b.end - b.start))
        sel = (t >= b.start - w) & (t < b.start + w)
        x = (t[sel] - (b.start - w)) / (2 * w)
        cents[sel] = a.pitch * 100.0 + (b.pitch - a.pitch) * 100.0 * (1 - np.cos(np.pi * x)) / 2
    for n in notes:
        d = n.end - n.start
        if d < VIBRATO_MIN_NOTE:
            continue
        delay, ramp = min(VIBRATO_DELAY, 0.4 * d), min(VIBRATO_RAMP, 0.3 * d)
        sel = (t >= n.start + delay) & (t < n.end)
        tt = t[sel] - (n.start + delay)
        env = np.clip(tt / ramp, 0, 1) * np.clip((n.end - t[sel]) / 0.06, 0.3, 1)
        cents[sel] += VIBRATO_CENTS * env * np.sin(2 * np.pi * VIBRATO_HZ * tt)
    rng = np.random.default_rng(seed)
    drift = _smooth(rng.standard_normal(n_frames), 40)
    drift *= 4.0 / (np.std(drift) + 1e-9)  # about +-4 cents, slowly
    return cents + drift


def cents_to_hz(c: np.ndarray) -> np.ndarray:
    return 440.0 * 2 ** ((c / 100.0 - 69) / 12)


# ---------------------------------------------------------------------- the renderer
SpeakLine = Callable[[list[str], str], "tuple[Audio, str, list[tuple[float, float]]] | None"]
MAX_LINE_WORDS = 16
LINE_BREAK_GAP = 0.05  # a rest longer than this starts a new spoken line


class WorldSinger:
    """Speaks words with a TTS voice and sings them with WORLD. `speak(text, language) -> (Audio,
    voice name)` speaks one word; `speak_line(words, language) -> (Audio, voice name, (start, end)
    of each word in seconds) | None`, when given, speaks a whole line at once with a voice that knows
    where each word lies (FastSpeech 2's durations): syllables spoken in context are clearer than
    alone. Analyses are cached per (language, text)."""

    def __init__(self, speak: Callable[[str, str], tuple[Audio, str]], speak_line: SpeakLine | None = None) -> None:
        self.speak = speak
        self.speak_line = speak_line
        self._cache: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, key: tuple[str, str], make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = make()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > CACHE_WORDS:
                self._cache.popitem(last=False)
        return value

    @staticmethod
    def _analyse_audio(audio: Audio, voice: str, text: str) -> WordAnalysis:
        audio = resample(audio, SAMPLE_RATE) if audio.sample_rate != SAMPLE_RATE else audio
        x = audio.mono()
        if x.size < SAMPLE_RATE * 0.05 or float(np.abs(x).max()) < 1e-4:
            raise ToolFailed(f"the voice {voice} said nothing for {text!r}", "try other lyrics")
        return analyse(x, SAMPLE_RATE, voice)

    def word(self, text: str, language: str) -> WordAnalysis:
        def make() -> WordAnalysis:
            audio, voice = self.speak(text, language)
            return self._analyse_audio(audio, voice, text)

        return self._cached((language, text), make)

    def line(self, texts: list[str], language: str) -> tuple[WordAnalysis, list[tuple[int, int]]] | None:
        """A whole line spoken at once and where each word is in it (frames), or None."""
        if self.speak_line is None:
            return None

        def make() -> tuple[WordAnalysis, list[tuple[int, int]]] | None:
            assert self.speak_line is not None
            got = self.speak_line(texts, language)
            if got is None or len(got[2]) != len(texts):
                return None
            audio, voice, spans = got
            a = self._analyse_audio(audio, voice, "".join(texts))
            fp = FRAME_MS / 1000.0
            n = len(a.f0)
            frames = [(min(n - 1, round(s0 / fp)), min(n, max(round(s1 / fp), round(s0 / fp) + 2)))
                      for s0, s1 in spans]
            return a, frames

        return self._cached((language, "\x00line\x00" + "\x00".join(texts)), make)

    def _lines(self, song: Song) -> list[list[int]]:
        """Words grouped into spoken lines: a rest or MAX_LINE_WORDS words ends a line."""
        lines: list[list[int]] = []
        prev_end: float | None = None
        for wi, w in enumerate(song.words):
            first = song.notes[song.syllables[w.syllables[0]].notes[0]]
            last = song.notes[song.syllables[w.syllables[-1]].notes[-1]]
            if not lines or len(lines[-1]) >= MAX_LINE_WORDS or (prev_end is not None and first.start - prev_end > LINE_BREAK_GAP):
                lines.append([])
            lines[-1].append(wi)
            prev_end = last.end
        return lines

    def render(self, song: Song, progress: Callable[[float, str], None] | None = None) -> Rendering:
        import pyworld as pw

        fp = FRAME_MS / 1000.0
        n_frames = math.ceil((LEAD_IN + song.duration + TAIL) / fp) + 1
        # 1. analyse every word; cut it into its syllables
        parts: dict[int, tuple[WordAnalysis, SyllableParts]] = {}
        voices: list[str] = []
        done = 0
        for line in self._lines(song):
            texts = [song.words[wi].text for wi in line]
            spoken = self.line(texts, song.language) if self.speak_line is not None else None
            for j, wi in enumerate(line):
                w = song.words[wi]
                weights = [max(1.0, len(song.syllables[si].text)) for si in w.syllables]
                if spoken is not None:
                    a, frames = spoken
                    view = replace(a, span=frames[j])
                    found = split_syllables(view, len(w.syllables), weights)
                else:
                    a = self.word(w.text, song.language)
                    found = split_syllables(a, len(w.syllables), weights)
                voices.append(a.voice)
                for si, p in zip(w.syllables, found):
                    parts[si] = (a, p)
            done += len(line)
            if progress:
                progress(0.8 * done / len(song.words), f"analysed {done} of {len(song.words)} words")
        fft = next(iter(parts.values()))[0].sp.shape[1]
        sp_out = np.full((n_frames, fft), 1e-16)
        ap_out = np.ones((n_frames, fft))
        voiced_out = np.zeros(n_frames, dtype=bool)
        # 2. where each syllable goes: onset before its first note, nucleus over its notes, coda at the end
        syl = song.syllables
        onset_at = [LEAD_IN + song.notes[s.notes[0]].start for s in syl]
        last_end = [LEAD_IN + song.notes[s.notes[-1]].end for s in syl]
        pre = []
        for i, s in enumerate(syl):
            a, p = parts[i]
            want = (p.nucleus[0] - p.start) * fp
            if i == 0:
                room = onset_at[0] - 0.02
            else:
                prev_note = song.notes[syl[i - 1].notes[-1]]
                room = (onset_at[i] - last_end[i - 1]) + 0.4 * (prev_note.end - prev_note.start)
            pre.append(max(0.0, min(want, MAX_PREUTTER, room)))
        region_end = [min(last_end[i], onset_at[i + 1] - pre[i + 1]) if i + 1 < len(syl) else last_end[i]
                      for i in range(len(syl))]
        # loudness: pull each syllable's nucleus level part of the way to the median
        levels = np.array([float(np.median(parts[i][0].energy[parts[i][1].nucleus[0]:parts[i][1].nucleus[1]]))
                           for i in range(len(syl))])
        gains_db = LEVEL_EQUALIZE * (np.median(levels) - levels)
        for i in range(len(syl)):
            a, p = parts[i]
            f_on0 = round((onset_at[i] - pre[i]) / fp)
            f_on1 = round(onset_at[i] / fp)
            f_end = max(f_on1 + 2, round(region_end[i] / fp))
            coda_len = (p.end - p.nucleus[1]) * fp
            coda = max(0.0, min(coda_len, MAX_CODA, 0.3 * (f_end - f_on1) * fp))
            f_coda = f_end - round(coda / fp)
            segs = [
                (f_on0, f_on1, _linear(p.start, p.nucleus[0], f_on1 - f_on0), False),
                (f_on1, f_coda, nucleus_map(p, f_coda - f_on1), True),
                (f_coda, f_end, _linear(p.nucleus[1], p.end, f_end - f_coda), False),
            ]
            g = 10 ** (gains_db[i] / 10)
            for o0, o1, u, is_nucleus in segs:
                o0, o1 = max(0, o0), min(n_frames, o1)
                u = u[: o1 - o0]
                if o1 <= o0 or len(u) == 0:
                    continue
                o1 = o0 + len(u)
                sp, ap, v = _take(a, u)
                sp_out[o0:o1] = sp * g
                ap_out[o0:o1] = ap ** NUCLEUS_AP_POWER if is_nucleus else ap
                voiced_out[o0:o1] = True if is_nucleus else v
        # 3. pitch, then WORLD
        cents = f0_plan(song, n_frames, seed=len(song.notes))
        f0 = np.where(voiced_out, cents_to_hz(cents), 0.0)
        y = pw.synthesize(np.ascontiguousarray(f0), np.ascontiguousarray(sp_out), np.ascontiguousarray(ap_out),
                          SAMPLE_RATE, frame_period=FRAME_MS)
        y = np.asarray(y, dtype=np.float64)
        fade = int(0.01 * SAMPLE_RATE)
        y[:fade] *= np.linspace(0, 1, fade)
        y[-fade:] *= np.linspace(1, 0, fade)
        peak = float(np.abs(y).max())
        if peak < 1e-6:
            raise ToolFailed("WORLD produced silence for this song", "try other lyrics or notes")
        y *= PEAK / peak
        if progress:
            progress(1.0, "sung")
        return Rendering(Audio(y.astype(np.float32), SAMPLE_RATE), song, LEAD_IN, fp, f0, sorted(set(voices)))


def describe(rendering: Rendering) -> dict[str, Any]:
    """Where each note ended up (for logs and tests)."""
    s = rendering.song
    return {"lead_in": rendering.lead_in, "voices": rendering.voices,
            "notes": [{"pitch": n.pitch, "start": round(n.start + rendering.lead_in, 4),
                       "end": round(n.end + rendering.lead_in, 4), "syllable": s.syllables[n.syllable].text}
                      for n in s.notes]}
