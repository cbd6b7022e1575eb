"""An attached text file is what "read this aloud" reads, even when the session holds an older transcript."""

from __future__ import annotations

import pytest

from agent.artifacts import ArtifactRecord
from agent.context import PlanContext
from agent.planners.rules import RulePlanner
from agent.validation import validate_plan


def _rec(aid: str, kind: str, name: str | None = None) -> ArtifactRecord:
    return ArtifactRecord(id=aid, kind=kind, file=f"artifacts/{aid}", format="txt", bytes=10, sha256="0",
                          created=1.0, source="upload", original_name=name)


@pytest.mark.parametrize("request_text", ["read this aloud", "read the attached text aloud", "read it out loud",
                                          "念一下这段文字"])
def test_attached_text_is_read_not_the_old_transcript(registry, request_text: str) -> None:
    old = _rec("text-aaaaaaaaaa", "text")
    upload = _rec("text-bbbbbbbbbb", "text", "speech.txt")
    ctx = PlanContext(uploads=[upload], last=[old], artifacts={old.id: old, upload.id: upload})
    plan = validate_plan(RulePlanner().plan(request_text, ctx, registry), registry, ctx)
    assert [(s.tool, s.args.get("text")) for s in plan.steps] == [("text_to_speech", "@upload-1")]


def test_quoted_words_are_still_spoken_literally(registry) -> None:
    upload = _rec("text-bbbbbbbbbb", "text", "speech.txt")
    ctx = PlanContext(uploads=[upload], artifacts={upload.id: upload})
    plan = RulePlanner().plan("say 'this'", ctx, registry)
    assert plan.steps[0].args["text"] == "this"
