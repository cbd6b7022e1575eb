"""The studio (Gradio): a chat with the agent, and the Avatar page. Every request goes through
agent.core.Agent, in a worker thread whose plan and step events stream into the chat."""

from __future__ import annotations

import queue
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from agent.artifacts import Session
from agent.core import Agent
from agent.errors import AudiogentError, BadInput
from agent.ingest import kind_of, preview_inputs
from agent.plan import Plan
from server.render import RunView, artifact_content, cached, error_text, file_content
from server.schemas import MAX_REQUEST_CHARS
from server.workspace import PlannerChoice, Workspace

SESSION_KEY = "audiogent-session"
FILE_TYPES = ["audio", "image", "video", ".mid", ".midi", ".musicxml", ".mxl", ".xml", ".txt", ".md", ".json"]
EXAMPLES = ["read 'welcome to audiogent' aloud, then add a hall reverb and fade out the last second",
            "make it 3 dB louder", "transcribe this and tell me the language", "make the previous result 20% slower"]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TICK = 1.0  # seconds between progress refreshes while nothing happens


def run_in_thread(work: Callable[[Callable[[str, Any], None]], Any]) -> Iterator[tuple[str, Any]]:
    """Run `work(emit)` in a thread; yield its (event, payload)s as they come, ("tick", None) every
    second of silence, and finally ("done", result) or ("error", exception)."""
    events: queue.Queue[tuple[str, Any]] = queue.Queue()

    def target() -> None:
        try:
            events.put(("done", work(lambda kind, payload: events.put((kind, payload)))))
        except BaseException as e:  # noqa: BLE001 - shown in the chat; the studio goes on
            events.put(("error", e))

    threading.Thread(target=target, name="studio-run", daemon=True).start()
    while True:
        try:
            kind, payload = events.get(timeout=_TICK)
        except queue.Empty:
            yield "tick", None
            continue
        yield kind, payload
        if kind in ("done", "error"):
            return


def transcribe_request(ws: Workspace, recording: Path) -> str:
    """A spoken request as text, through the agent in a throwaway session, so the recording does not
    become "the previous result" of the user's own session."""
    with tempfile.TemporaryDirectory(prefix="audiogent-voice-") as tmp:
        session = Session.open("voice", base=Path(tmp))
        plan = Plan.model_validate({"steps": [{"id": "heard", "tool": "transcribe", "args": {"audio": "@upload-1"}}]})
        result = ws.agent(session, PlannerChoice(name="rules")).run_plan(plan, "(spoken request)", [recording])
        step = result.run.steps[0]
        if step.status != "ok":
            raise BadInput(f"could not understand the recording: {step.error}", "type the request instead")
        return session.path(session.get(step.outputs["text"])).read_text(encoding="utf-8").strip()


def _user_messages(text: str, files: list[Any]) -> list[gr.ChatMessage]:
    out = [gr.ChatMessage(role="user", content=text)] if text else []
    return out + [gr.ChatMessage(role="user", content=f) for f in files]


def session_note(session_id: str | None) -> str:
    if not session_id:
        return "A new session starts with your first request."
    return (f"Session `{session_id}` · [manifest](/api/sessions/{session_id}) · the API accepts this id too. "
            "Earlier results stay available: say “the previous result”.")


class Studio:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    # ------------------------------------------------------------------ chat history
    # The history lives on the server (a gr.State); the chat component only displays it.
    def restore(self, session_id: str | None) -> tuple[str | None, list[Any], list[Any], str]:
        """The chat of the browser's session, rebuilt from its manifest after a reload."""
        try:
            session = self.ws.open(session_id) if session_id else None
        except AudiogentError:
            session = None
        if session is None:
            return None, [], [], session_note(None)
        history: list[Any] = []
        m = session.manifest
        for run in m.runs:
            ups = [m.artifacts[a] for a in run.uploads if a in m.artifacts]
            said = run.request + ("\n\n<sub>attached: " + ", ".join(a.original_name or a.id for a in ups) + "</sub>"
                                  if ups else "")
            history += _user_messages(said, [artifact_content(a, session.path(a)) for a in ups])
            history += RunView.from_record(run, session).messages()
        return session.name, history, history, session_note(session.name)

    def accept(self, box: dict[str, Any] | None,
               history: list[Any]) -> tuple[list[Any], list[Any], Any, dict[str, Any] | None]:
        """Show the user's turn at once and lock the box while the agent works."""
        text = str((box or {}).get("text") or "").strip()
        files = [str(f) for f in (box or {}).get("files") or []]
        if not text and not files:
            return history, history, gr.MultimodalTextbox(), None
        shown = [file_content(f, Path(f).name) for f in files]
        said = text or "(spoken request)"
        if files:
            said += "\n\n<sub>attached: " + ", ".join(Path(f).name for f in files) + "</sub>"
        history = history + _user_messages(said, shown)
        return history, history, gr.MultimodalTextbox(value=None, interactive=False), {"text": text, "files": files}

    # ------------------------------------------------------------------ a request
    def respond(self, pending: dict[str, Any] | None, history: list[Any], session_id: str | None, planner: str,
                base_url: str, model: str, api_key: str,
                plan_only: bool) -> Iterator[tuple[list[Any], list[Any], str | None, str]]:
        if not pending:
            yield history, history, session_id, session_note(session_id)
            return
        session = self.ws.open_or_create(session_id)
        note = session_note(session.name)
        try:
            agent = self.ws.agent(session, PlannerChoice(planner, base_url or None, model or None, api_key or None))
        except (AudiogentError, ValueError) as e:
            history = history + [gr.ChatMessage(content=error_text(e))]
            yield history, history, session.name, note
            return
        text, files = pending["text"], [Path(f) for f in pending["files"]]
        if len(text) > MAX_REQUEST_CHARS:
            history = history + [gr.ChatMessage(content=error_text(BadInput(
                f"the request is {len(text)} characters long; at most {MAX_REQUEST_CHARS} are accepted",
                "shorten it")))]
            yield history, history, session.name, note
            return
        view = RunView(text, agent.planner.name, session, plan_only=plan_only)
        spoken = None
        if not text:
            audio = [f for f in files if kind_of(f) == "audio"]
            if not audio:
                history = history + [gr.ChatMessage(content=error_text(BadInput(
                    "there is no request", "type what to do with the files, e.g. “transcribe this”")))]
                yield history, history, session.name, note
                return
            spoken = audio[-1]
            files.remove(spoken)
            view.heard = ""  # "listening…" until the transcript arrives

        def work(emit: Callable[[str, Any], None]) -> Any:
            request = text
            if spoken is not None:
                request = transcribe_request(self.ws, spoken)
                emit("heard", request)
                if not request:
                    raise BadInput("the recording has no words I could make out", "type the request instead")
            if plan_only:
                plan, _ = agent.plan(request, preview_inputs(files, agent.max_upload_bytes))
                emit("plan", plan)
                return None
            return agent.run(request, files, on_plan=lambda p: emit("plan", p), on_step=lambda r: emit("step", r))

        yield history + view.messages(), history, session.name, note
        for kind, payload in run_in_thread(work):
            if kind == "heard":
                view.heard, view.request = payload, payload
            elif kind == "plan":
                view.on_plan(payload)
            elif kind == "step":
                view.on_step(payload)
            elif kind == "done":
                view.finish(run=payload.run if payload is not None else None)
            elif kind == "error":
                view.finish(error=payload)
            shown = history + view.messages()
            yield shown, shown if view.done else history, session.name, note

    def new_session(self) -> tuple[None, list[Any], list[Any], str]:
        return None, [], [], session_note(None)

    # ------------------------------------------------------------------ the avatar page
    def avatar(self, text: str, audio: str | None, photo: str | None,
               session_id: str | None) -> Iterator[tuple[Any, str, str | None]]:
        text = (text or "").strip()
        if not text and not audio:
            yield None, error_text(BadInput("nothing to say", "type the words, or upload or record speech")), session_id
            return
        session = self.ws.open_or_create(session_id)
        inputs, steps = [], []
        if audio:
            inputs.append(Path(audio))
            speech = "@upload-1"
        else:
            args: dict[str, Any] = {"text": text}
            if _CJK.search(text):
                args["language"] = "zh"
            steps.append({"id": "speech", "tool": "text_to_speech", "args": args})
            speech = "@speech"
        face: dict[str, Any] = {"audio": speech}
        if photo:
            inputs.append(Path(photo))
            face["image"] = f"@upload-{len(inputs)}"
        steps.append({"id": "face", "tool": "talking_head", "args": face})
        plan = Plan.model_validate({"steps": steps})
        agent: Agent = self.ws.agent(session)
        request = f"talking head: {text}" if text and not audio else "talking head from a recording"
        view = RunView(request, "avatar page", session)

        def work(emit: Callable[[str, Any], None]) -> Any:
            return agent.run_plan(plan, request, inputs, on_plan=lambda p: emit("plan", p),
                                  on_step=lambda r: emit("step", r))

        for kind, payload in run_in_thread(work):
            if kind == "plan":
                view.on_plan(payload)
            elif kind == "step":
                view.on_step(payload)
            elif kind == "error":
                yield None, error_text(payload), session.name
                return
            elif kind == "done":
                result = payload
                videos = [result.artifacts[a] for a in result.run.final
                          if a in result.artifacts and result.artifacts[a].kind == "video"]
                video = cached(session.path(videos[0])) if videos else None
                yield video, f"{result.run.answer}\n\n<sub>{result.run.id} · session `{session.name}`</sub>", session.name
                return
            if kind != "done":
                yield None, _avatar_progress(view), session.name


def _avatar_progress(view: RunView) -> str:
    lines = []
    for s in view.plan.steps if view.plan else []:
        rec = view.steps.get(s.id)
        what = {"text_to_speech": "reading the text aloud", "talking_head": "animating the face"}.get(s.tool, s.tool)
        lines.append(f"- {'✓' if rec and rec.status == 'ok' else '▶'} {what}")
    return f"**Working… {time.monotonic() - view.started:.0f} s**\n\n" + "\n".join(lines)
