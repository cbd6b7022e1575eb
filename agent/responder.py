"""Turns a finished run into the answer a person reads: what was done, what came out, what failed
and what to try instead. Deterministic: it needs no model."""

from __future__ import annotations

import json
from typing import Any

from agent.artifacts import ArtifactRecord, RunRecord, Session
from agent.plan import Plan, step_dependencies

LANGUAGE_NAMES = {
    "en": "English", "zh": "Chinese", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "ja": "Japanese", "ko": "Korean", "ru": "Russian", "pt": "Portuguese", "nl": "Dutch", "ar": "Arabic",
    "hi": "Hindi", "yue": "Cantonese",
}


def _describe(rec: ArtifactRecord) -> str:
    m = rec.meta
    if rec.kind == "audio" and "duration" in m:
        ch = {1: "mono", 2: "stereo"}.get(int(m.get("channels", 0)), f"{m.get('channels')} channels")
        return f"{rec.format} audio, {m['duration']:.2f} s, {int(m['sample_rate']) / 1000:g} kHz {ch}"
    if rec.kind == "video" and "duration" in m:
        size = f", {m['width']}x{m['height']}" if "width" in m and "height" in m else ""
        return f"{rec.format} video, {m['duration']:.2f} s{size}"
    return f"{rec.kind} ({rec.format})"


def _what(step: Any) -> str:
    """'reverb (room hall)': the tool and its plain arguments, so the user sees what was decided."""
    shown = []
    for k, v in step.args.items():
        if isinstance(v, str) and v.startswith("@") or isinstance(v, list) or k == "backend":
            continue
        if isinstance(v, str) and len(v) > 60:
            v = v[:57] + "..."
        shown.append(f"{k.replace('_', ' ')} {v!r}" if isinstance(v, str) and " " in v else f"{k.replace('_', ' ')} {v}")
    name = step.tool.replace("_", " ")
    return f"{name} ({', '.join(shown)})" if shown else name


def _step_line(step: Any, arts: dict[str, ArtifactRecord], session: Session) -> list[str]:
    lines = []
    for name, value in step.outputs.items():
        rec = arts.get(value) if isinstance(value, str) else None
        if rec is None:
            if name == "language":
                lines.append(f"Language: {LANGUAGE_NAMES.get(str(value), value)} ({value}).")
            continue
        if rec.kind == "text":
            text = session.path(rec).read_text(encoding="utf-8").strip()
            short = text if len(text) <= 400 else text[:400] + "…"
            lines.append(f"Transcript: \u201c{short}\u201d" if step.tool == "transcribe" else f"Text: {short}")
        elif rec.kind == "json" and step.tool == "audio_info":
            info = json.loads(session.path(rec).read_text(encoding="utf-8"))
            facts = ", ".join(f"{k} {v}" for k, v in info.items())
            lines.append(f"Measured: {facts}.")
    return lines


def compose_answer(plan: Plan, run: RunRecord, session: Session) -> str:
    if plan.outcome == "unsupported":
        reason = str(plan.unsupported).strip().rstrip(".")
        answer = f"I can't do that: {reason[:1].lower()}{reason[1:]}."
        instead = (plan.instead or "").strip().rstrip(".")
        if instead:
            answer += f" {instead[:1].upper()}{instead[1:]}." if instead.lower().startswith("i can") else f" I can do: {instead}."
        return answer
    if plan.outcome == "clarify":
        return str(plan.clarify)
    arts = session.manifest.artifacts
    ok = [s for s in run.steps if s.status == "ok"]
    bad = [s for s in run.steps if s.status != "ok"]
    parts: list[str] = []
    if ok:
        parts.append(f"Done: {'; '.join(_what(s) for s in ok)}.")
    for s in ok:
        parts += _step_line(s, arts, session)
    finals = [arts[a] for a in run.final if a in arts and arts[a].kind in ("audio", "video")]
    if finals:
        parts.append("Result: " + "; ".join(f"{r.id} ({_describe(r)})" for r in finals) + ".")
    for s in bad:
        if s.status == "failed":
            tip = f" Try: {s.suggestion}." if s.suggestion else ""
            parts.append(f"Step {s.id} ({s.tool}) failed: {s.error}.{tip}")
        else:
            parts.append(f"Step {s.id} ({s.tool}) was skipped: {s.error}.")
    return " ".join(parts) if parts else "Nothing was run."


def final_artifacts(plan: Plan, run: RunRecord, known: set[str]) -> list[str]:
    """Outputs of the steps nothing else consumed, primary output first: what the user asked for."""
    consumed = {d for ds in step_dependencies(plan).values() for d in ds}
    finals: list[str] = []
    for s in run.steps:
        if s.status == "ok" and s.id not in consumed:
            finals += [v for v in s.outputs.values() if isinstance(v, str) and v in known]
    return finals
