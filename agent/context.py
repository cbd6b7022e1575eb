"""What a planner may refer to: this request's uploads, the previous run's results, and every
artifact in the session. The LLM sees ids and kinds, never file paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.artifacts import ArtifactRecord, Session


@dataclass
class PlanContext:
    uploads: list[ArtifactRecord] = field(default_factory=list)
    last: list[ArtifactRecord] = field(default_factory=list)  # previous run's final outputs
    artifacts: dict[str, ArtifactRecord] = field(default_factory=dict)  # the whole session

    @classmethod
    def from_session(cls, session: Session, uploads: list[ArtifactRecord]) -> "PlanContext":
        m = session.manifest
        last = [m.artifacts[a] for a in session.last_outputs() if a in m.artifacts]
        return cls(uploads=uploads, last=last, artifacts=dict(m.artifacts))

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
        return out


def _facts(a: ArtifactRecord) -> dict[str, Any]:
    keep = ("duration", "sample_rate", "channels", "width", "height")
    return {k: a.meta[k] for k in keep if k in a.meta}
