"""How a run looks in the studio's chat: the plan as a table whose rows show each step's progress, every
step's artifacts inline (players, images, videos, files), and the answer. Built from the same
records agent.core writes, so a live run and a session reloaded later look alike."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gradio as gr
from gradio import processing_utils, utils

from agent.artifacts import ArtifactRecord, RunRecord, Session, StepRecord
from agent.errors import AudiogentError, PlanError
from agent.plan import Plan, step_dependencies

_MARK = {"ok": "✓", "failed": "✗", "skipped": "↷"}  # in every common font, unlike emoji


_CACHED: dict[str, str] = {}  # session file -> its copy (artifacts never change: they are named by content)


def cached(path: Path) -> str:
    """A copy of a session file in Gradio's upload cache, the only place the studio serves files from
    (the sessions folder itself is on Gradio's blocked list). Copied (and hashed) once, not per refresh."""
    key = str(path)
    hit = _CACHED.get(key)
    if hit is not None and os.path.exists(hit):
        return hit
    if len(_CACHED) > 10_000:
        _CACHED.clear()
    _CACHED[key] = copy = processing_utils.save_file_to_cache(path, utils.get_upload_folder())
    return copy


def _arg(v: Any) -> str:
    if isinstance(v, str) and v.startswith("@"):
        return f"`{v}`"
    text = json.dumps(v, ensure_ascii=False)
    return (text[:60] + "…") if len(text) > 61 else text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def file_content(path: str, name: str, label: str | None = None) -> Any:
    """A file in a chat message: the chat picks a player, an image or a download link by its type.
    (Plain file data, not components: the chat history then costs nothing to send or keep.)"""
    content: dict[str, Any] = {"path": path, "orig_name": name}
    if label:
        content["alt_text"] = label
    return content


def artifact_content(rec: ArtifactRecord, path: Path, label: str | None = None) -> Any:
    return file_content(cached(path), rec.original_name or f"{rec.id}.{rec.format}", label)


def error_text(err: BaseException) -> str:
    """A readable chat message for a failure before or around the run."""
    if isinstance(err, PlanError):
        body = "The plan is invalid:\n" + "\n".join(f"- {p}" for p in err.problems)
    elif isinstance(err, AudiogentError):
        body = err.message
    else:
        body = f"Something went wrong inside audiogent ({type(err).__name__}: {err}). The studio is still running."
    hint = f"\n\n*Hint:* {err.hint}" if isinstance(err, AudiogentError) and err.hint else ""
    return f"⚠ **Couldn't do that.** {body}{hint}"


@dataclass
class RunView:
    """One request's progress; `messages()` renders it as it stands."""

    request: str
    planner: str
    session: Session
    plan: Plan | None = None
    steps: dict[str, StepRecord] = field(default_factory=dict)
    run: RunRecord | None = None
    error: BaseException | None = None
    started: float = field(default_factory=time.monotonic)
    ready_since: dict[str, float] = field(default_factory=dict)
    heard: str | None = None  # a spoken request, as transcribed
    plan_only: bool = False
    total: float | None = None  # seconds the live run took

    def finish(self, run: RunRecord | None = None, error: BaseException | None = None) -> None:
        self.run, self.error = run, error
        self.total = time.monotonic() - self.started

    @classmethod
    def from_record(cls, run: RunRecord, session: Session) -> RunView:
        plan = Plan.model_validate(run.plan) if run.plan else None
        view = cls(run.request, run.planner, session, plan=plan, steps={s.id: s for s in run.steps}, run=run)
        if run.status == "plan_failed":
            view.error = AudiogentError(run.answer)
        return view

    # ------------------------------------------------------------------ events
    def on_plan(self, plan: Plan) -> None:
        self.plan = plan
        now = time.monotonic()
        self.ready_since = {s.id: now for s in plan.steps}

    def on_step(self, rec: StepRecord) -> None:
        self.steps[rec.id] = rec
        now = time.monotonic()
        if self.plan is not None:
            for sid, deps in step_dependencies(self.plan).items():
                if rec.id in deps:
                    self.ready_since[sid] = now

    @property
    def done(self) -> bool:
        return self.run is not None or self.error is not None

    # ------------------------------------------------------------------ rendering
    def _state(self, sid: str, deps: dict[str, set[str]], running: list[str]) -> str:
        rec = self.steps.get(sid)
        if rec is not None:
            took = f" {rec.seconds:.2f} s" if rec.status == "ok" else ""
            return f"{_MARK[rec.status]} {rec.status}{took}"
        if self.plan_only:
            return "planned"
        if self.done:
            return "not run"
        if sid in running:
            return f"▶ running {time.monotonic() - self.ready_since.get(sid, self.started):.0f} s"
        return "· waiting"

    def plan_message(self) -> gr.ChatMessage:
        elapsed = time.monotonic() - self.started
        if self.plan is None:
            return gr.ChatMessage(content=f"The {self.planner} planner is reading your request…",
                                  metadata={"title": f"Planning… {elapsed:.0f} s", "status": "pending"})
        if self.plan.outcome != "steps":
            return gr.ChatMessage(content=f"No steps to run ({self.plan.outcome}).",
                                  metadata={"title": f"Plan · {self.planner} planner"})
        deps = step_dependencies(self.plan)
        ready = [s.id for s in self.plan.steps if s.id not in self.steps
                 and all(d in self.steps and self.steps[d].status == "ok" for d in deps[s.id])]
        rows = ["| step | tool | arguments | progress |", "|---|---|---|---|"]
        for s in self.plan.steps:
            args = ", ".join(f"{k}={_arg(v)}" for k, v in s.args.items()) or "—"
            rows.append(f"| {s.id} | **{s.tool}** | {_cell(args)} | {self._state(s.id, deps, ready[:2])} |")
        n_done = len(self.steps)
        title = f"Plan · {self.planner} planner · {len(self.plan.steps)} step(s)"
        meta: Any = {"title": title}
        if not self.done and not self.plan_only:
            meta.update(title=f"{title} · {n_done}/{len(self.plan.steps)} done", status="pending")
        return gr.ChatMessage(content="\n".join(rows), metadata=meta)

    def step_messages(self) -> list[gr.ChatMessage]:
        arts = self.session.manifest.artifacts if self.steps else {}
        order = [s.id for s in self.plan.steps] if self.plan else list(self.steps)
        order += [sid for sid in self.steps if sid not in order]  # e.g. the spoken answer
        out = []
        for sid in order:
            rec = self.steps.get(sid)
            if rec is None:
                continue
            if rec.status != "ok":
                tip = f" *Try:* {rec.suggestion}" if rec.suggestion else ""
                out.append(gr.ChatMessage(content=f"{_MARK[rec.status]} **{rec.id} · {rec.tool}** {rec.status}: "
                                                  f"{rec.error}{tip}"))
                continue
            for name, value in rec.outputs.items():
                a = arts.get(value) if isinstance(value, str) else None
                if a is None:
                    continue
                url = f"/api/sessions/{self.session.name}/artifacts/{a.id}"
                label = f"{rec.id} · {rec.tool} → {a.id}"
                out.append(gr.ChatMessage(content=f"**{label}** ({name}) · [download]({url})"))
                out.append(gr.ChatMessage(content=artifact_content(a, self.session.path(a), label)))
        return out

    def messages(self) -> list[gr.ChatMessage]:
        out: list[gr.ChatMessage] = []
        if self.heard == "":
            out.append(gr.ChatMessage(content="Listening to your recording…"))
        elif self.heard is not None:
            out.append(gr.ChatMessage(content=f"Heard in your recording: “{self.heard}”"))
        if self.error is not None and self.plan is None:
            return out + [gr.ChatMessage(content=error_text(self.error))]
        out.append(self.plan_message())
        out += self.step_messages()
        if self.error is not None and self.plan is not None:
            out.append(gr.ChatMessage(content=error_text(self.error)))
        elif self.run is not None:
            took = f" · {self.total:.1f} s" if self.total is not None else ""
            out.append(gr.ChatMessage(content=f"{self.run.answer}\n\n<sub>{self.run.id} · {self.run.status}{took}</sub>"))
        elif self.plan_only and self.plan is not None:
            out.append(gr.ChatMessage(content="Plan only: nothing was run. Untick *Plan only* to run it."))
        return out
