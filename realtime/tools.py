"""Agent tools from the conversation ("sing 'happy birthday' to C4 C4 D4 C4 F4 E4", "say 'welcome' in a
cathedral", then "make it slower"): a finished user turn that the rule planner reads as an audio job
the registry can do is run by the agent core in this conversation's own workspace instead of being
chatted about. The avatar says it is on it, speaks the agent's answer and then plays the audio the
job made (it sings the song, says the words with the effect); the page gets a link to every file.

Only a whole plan qualifies (outcome `steps`), never one that is only speech of the user's own words
("say something nice" is chat, not a job), and the planner is the rule planner: instant, no model,
so a turn that is not a job costs the chat reply nothing noticeable. The workspace is made on the
first job, under <data home>/realtime/<random id>, and outlives the conversation (the files are the
user's); files are served only from it, by artifact id."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agent.artifacts import ArtifactRecord, Session
from agent.context import PlanContext
from agent.errors import AudiogentError
from agent.media import adapt, read_audio
from agent.paths import data_home
from agent.plan import Plan
from agent.planners.rules import RulePlanner
from agent.registry import Registry, default_registry
from server.security import new_session_id, valid_artifact_id, valid_session_id

log = logging.getLogger("audiogent.realtime")

MAX_PLAYED_S = 60.0  # a job's audio longer than this is linked, and only its start is played


def workspace_root() -> Path:
    return data_home() / "realtime"


@dataclass(frozen=True)
class ToolJob:
    request: str
    plan: Plan


@dataclass
class ToolOutcome:
    ok: bool
    said: str  # what the avatar says about it: one short sentence
    answer: str  # the agent's whole answer (shown on the page)
    audio: np.ndarray | None = None  # the job's first audio result, mono at the session rate, to be played
    files: list[dict[str, Any]] = field(default_factory=list)  # {"id", "name", "kind", "url"}


def artifact_file(root: Path, session_id: str, artifact_id: str) -> tuple[Path, ArtifactRecord] | None:
    """A file a conversation's jobs made, by the workspace's random id and the artifact id; None for
    anything else (a malformed id, another directory, a file the manifest does not list)."""
    if not valid_session_id(session_id) or not valid_artifact_id(artifact_id):
        return None
    where = root / session_id
    if not (where / "manifest.json").is_file():
        return None
    session = Session(where)
    rec = session.manifest.artifacts.get(artifact_id)
    if rec is None:
        return None
    path = session.path(rec)
    return (path, rec) if path.resolve().is_relative_to(where.resolve()) and path.is_file() else None


class ConversationTools:
    def __init__(self, sample_rate: int, root: Path | None = None, registry: Registry | None = None) -> None:
        self.sample_rate = sample_rate
        self.root = root or workspace_root()
        self.registry = registry or default_registry()
        self.planner = RulePlanner()
        self.agent: Any = None  # agent.core.Agent, made with the workspace on the first job

    @property
    def session_id(self) -> str | None:
        return self.agent.session.name if self.agent is not None else None

    def job_for(self, text: str) -> ToolJob | None:
        """The job a turn asks for, or None when it is conversation."""
        ctx = PlanContext.from_session(self.agent.session, []) if self.agent is not None else PlanContext()
        try:
            plan = self.planner.plan(text, ctx, self.registry)
        except AudiogentError as e:
            log.debug("not a tool request (%s): %r", e, text)
            return None
        if plan.outcome != "steps" or all(s.tool == "text_to_speech" for s in plan.steps):
            return None
        return ToolJob(text, plan)

    def run(self, job: ToolJob) -> ToolOutcome:
        """Run the job (blocking: call it from a thread). Step failures come back as an outcome."""
        from agent.core import Agent

        if self.agent is None:
            self.root.mkdir(parents=True, exist_ok=True)
            self.agent = Agent(Session.open(new_session_id(), base=self.root), self.planner, self.registry)
        try:
            result = self.agent.run_plan(job.plan, request=job.request)
        except AudiogentError as e:
            return ToolOutcome(False, f"Sorry, I couldn't do that: {e.message}", str(e))
        run, session = result.run, self.agent.session
        finals = [session.manifest.artifacts[a] for a in run.final if a in session.manifest.artifacts]
        files = [self._file(a) for a in finals]
        failed = [s for s in run.steps if s.status != "ok"]
        if failed:
            said = f"Sorry, the {failed[0].tool.replace('_', ' ')} step failed: {failed[0].error}"
        else:
            said = "Done. Here it is." if any(a.kind == "audio" for a in finals) else "Done. It's on your screen."
        audio = next((self._samples(session, a) for a in finals if a.kind == "audio"), None)
        return ToolOutcome(not failed, said, run.answer or "", audio, files)

    def _file(self, a: ArtifactRecord) -> dict[str, Any]:
        return {"id": a.id, "name": a.original_name or f"{a.id}.{a.format}", "kind": a.kind,
                "url": f"files/{self.session_id}/{a.id}"}

    def _samples(self, session: Session, a: ArtifactRecord) -> np.ndarray | None:
        try:
            audio = adapt(read_audio(session.path(a)), sample_rate=self.sample_rate, channels=1)
        except AudiogentError as e:
            log.warning("could not play %s: %s", a.id, e)
            return None
        return audio.samples[: int(MAX_PLAYED_S * self.sample_rate), 0].astype(np.float32)
