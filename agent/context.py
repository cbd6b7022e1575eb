"""What a planner may refer to: this request's uploads, the previous run's results, the session's
earlier runs (their uploads and outputs, for "go back to the first recording") and every artifact in
the session. The LLM sees ids and kinds, never file paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.artifacts import ArtifactRecord, RunRecord, Session


@dataclass
class PastRun:
    """One earlier run of the session, oldest first in PlanContext.history."""

    id: str
    request: str
    uploads: list[ArtifactRecord] = field(default_factory=list)
    outputs: list[ArtifactRecord] = field(default_factory=list)  # its final outputs (outputs[0]: the main one)
    made: list[ArtifactRecord] = field(default_factory=list)  # everything its steps made, in step order
    steps: list[dict[str, Any]] = field(default_factory=list)  # its plan's steps, for "do the same to ..."

    @classmethod
    def from_record(cls, run: RunRecord, arts: dict[str, ArtifactRecord]) -> "PastRun":
        made = [arts[v] for s in run.steps for v in s.outputs.values() if isinstance(v, str) and v in arts]
        return cls(id=run.id, request=run.request, uploads=[arts[a] for a in run.uploads if a in arts],
                   outputs=[arts[a] for a in run.final if a in arts], made=made,
                   steps=list(run.plan.get("steps") or []))


@dataclass
class PlanContext:
    uploads: list[ArtifactRecord] = field(default_factory=list)
    last: list[ArtifactRecord] = field(default_factory=list)  # previous run's final outputs
    artifacts: dict[str, ArtifactRecord] = field(default_factory=dict)  # the whole session
    history: list[PastRun] = field(default_factory=list)  # earlier runs that used or made something

    @classmethod
    def from_session(cls, session: Session, uploads: list[ArtifactRecord]) -> "PlanContext":
        m = session.manifest
        last = [m.artifacts[a] for a in session.last_outputs() if a in m.artifacts]
        # A run still "planned" is the one being planned now (or one that never got past planning).
        # Runs that made nothing (a refused request, a question) stay: "the version from before the weather
        # question" is placed by them.
        history = [PastRun.from_record(r, m.artifacts) for r in m.runs if r.status != "planned"]
        return cls(uploads=uploads, last=last, artifacts=dict(m.artifacts), history=history)

    def resolve(self, target: str) -> ArtifactRecord | None:
        """An alias (upload-N, last, last-N) or an artifact id to its record."""
        if target.startswith("upload-") and target[7:].isdigit():
            i = int(target[7:]) - 1
            return self.uploads[i] if 0 <= i < len(self.uploads) else None
        if target == "last":
            return self.last[0] if self.last else None
        if target.startswith("last-") and target[5:].isdigit():
            i = int(target[5:]) - 1
            return self.last[i] if 0 <= i < len(self.last) else None
        return self.artifacts.get(target)

    def latest(self, kind: str) -> ArtifactRecord | None:
        """The newest artifact of a kind in the session (uploads included): what "the previous
        result" means when the last run's own outputs are of another kind (a transcript, say)."""
        of_kind = [a for a in self.artifacts.values() if a.kind == kind]
        return max(of_kind, key=lambda a: a.created) if of_kind else None

    def describe(self) -> list[dict[str, Any]]:
        """The references a planner can use, with kinds and a few facts."""
        out = []
        for i, a in enumerate(self.uploads, 1):
            out.append({"ref": f"@upload-{i}", "kind": a.kind, "name": a.original_name, **_facts(a)})
        for i, a in enumerate(self.last, 1):
            out.append({"ref": "@last" if i == 1 else f"@last-{i}", "kind": a.kind,
                        "made_by": a.tool, **_facts(a)})
        shown = {a.id for a in self.uploads + self.last}
        for run in [r for r in self.history if r.uploads or r.outputs][-HISTORY_SHOWN:]:  # "go back to the original"
            said = run.request if len(run.request) <= 50 else run.request[:47] + "..."
            for role, recs in (("upload", run.uploads), ("output", run.outputs)):
                for a in recs:
                    if a.id in shown:
                        continue
                    shown.add(a.id)
                    entry: dict[str, Any] = {"ref": f"@{a.id}", "kind": a.kind, "from": f"{run.id} {role}"}
                    if role == "upload" and a.original_name:
                        entry["name"] = a.original_name
                    if role == "output" and a.tool:
                        entry["made_by"] = a.tool
                    entry["request"] = f'"{said}"'
                    out.append(entry)
        return out


HISTORY_SHOWN = 6  # the LLM sees the uploads and outputs of this many earlier runs


def _facts(a: ArtifactRecord) -> dict[str, Any]:
    keep = ("duration", "sample_rate", "channels", "width", "height")
    return {k: a.meta[k] for k in keep if k in a.meta}
