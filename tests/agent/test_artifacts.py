"""The session workspace: atomic, content-addressed, never overwriting, safe across processes."""

from __future__ import annotations

import json
import multiprocessing as mp
from pathlib import Path

import pytest

from agent.artifacts import Session, list_sessions
from agent.errors import SessionError


def test_text_artifact_is_content_addressed_and_recorded(isolated_home: Path) -> None:
    s = Session.open("t1")
    rec = s.add_text("hello", source="r1/s1", tool="transcribe", inputs=["audio-x"])
    assert rec.id.startswith("text-") and len(rec.id) == len("text-") + 10
    assert s.path(rec).read_text() == "hello"
    again = Session.open("t1").get(rec.id)  # a fresh handle reads the manifest from disk
    assert again.tool == "transcribe" and again.inputs == ["audio-x"] and again.source == "r1/s1"
    assert again.sha256 == rec.sha256


def test_same_content_twice_gets_a_new_id_and_keeps_both_records() -> None:
    s = Session.open("t2")
    a = s.add_text("same", source="r1/s1")
    b = s.add_text("same", source="r2/s1")
    assert a.id != b.id and b.id.startswith(a.id)
    assert s.path(a).exists() and s.path(b).exists()
    assert {a.id, b.id} <= set(s.manifest.artifacts)


def test_upload_copies_and_leaves_the_original_untouched(tmp_path: Path) -> None:
    src = tmp_path / "mine.txt"
    src.write_text("original")
    s = Session.open("t3")
    rec = s.import_upload(src, "text", "txt", {})
    s.path(rec).write_text("changed in workspace")
    assert src.read_text() == "original"
    assert rec.original_name == "mine.txt" and rec.source == "upload"


def test_no_temp_files_remain_after_a_failed_write() -> None:
    s = Session.open("t4")

    def boom(path: Path) -> None:
        path.write_text("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        s.add_file(boom, "text", "txt")
    assert list(s.artifact_dir.iterdir()) == []
    assert s.manifest.artifacts == {}


def _add_many(name: str, home: str, n: int) -> None:
    import os

    os.environ["AUDIOGENT_HOME"] = home
    s = Session.open(name)
    for i in range(n):
        s.add_text(f"{os.getpid()}-{i}")


def test_two_processes_writing_one_session_lose_nothing(isolated_home: Path) -> None:
    Session.open("shared")
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_add_many, args=("shared", str(isolated_home), 15)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert len(Session.open("shared").manifest.artifacts) == 30


def test_damaged_manifest_is_reported_with_where_the_files_are() -> None:
    s = Session.open("t5")
    s.add_text("keep me")
    (s.root / "manifest.json").write_text("{not json")
    with pytest.raises(SessionError, match="damaged") as e:
        _ = s.manifest
    assert str(s.artifact_dir) in e.value.hint
    assert len(list(s.artifact_dir.iterdir())) == 1


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden", "x" * 65])
def test_bad_session_names_are_refused(name: str) -> None:
    with pytest.raises(SessionError, match="bad session name"):
        Session.open(name)


def test_artifact_paths_cannot_leave_the_session() -> None:
    s = Session.open("t6")
    rec = s.add_text("x")
    evil = rec.model_copy(update={"file": "../../outside.txt"})
    with pytest.raises(SessionError, match="outside"):
        s.path(evil)


def test_runs_persist_and_last_outputs_follow_the_latest_run() -> None:
    s = Session.open("t7")
    a = s.add_text("first")
    r1 = s.new_run("one")
    r1.final = [a.id]
    s.save_run(r1)
    r2 = s.new_run("two (no outputs)")
    s.save_run(r2)
    assert Session.open("t7").last_outputs() == [a.id]
    assert [r.id for r in s.manifest.runs] == ["r1", "r2"]
    assert [p.name for p in list_sessions()] == ["t7"]
    data = json.loads((s.root / "manifest.json").read_text())
    assert data["runs"][0]["request"] == "one"
