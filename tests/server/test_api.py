"""The HTTP API over real HTTP against `audiogent serve`: real uploads, real tools, real files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.server.conftest import Served, free_port, rms, serve

pytestmark = pytest.mark.slow


def upload(s: Served, session: str, path: Path, name: str | None = None) -> dict:
    with s.client() as c, open(path, "rb") as f:
        r = c.post(f"/api/sessions/{session}/uploads", files={"file": (name or path.name, f, "application/octet-stream")})
    assert r.status_code == 201, r.text
    return r.json()


def test_tools_are_listed_with_their_backends(open_server: Served) -> None:
    with open_server.client() as c:
        r = c.get("/api/tools")
    assert r.status_code == 200
    tools = {t["name"]: t for t in r.json()}
    assert {"gain", "trim", "transcribe", "text_to_speech", "talking_head"} <= set(tools)
    gain = tools["gain"]
    assert gain["inputs"]["db"]["type"] == "number" and gain["outputs"] == {"audio": "audio"}
    assert any(b["available"] for b in gain["backends"])


def test_upload_plan_run_and_fetch_the_louder_audio(open_server: Served, media: dict[str, Path]) -> None:
    sid = open_server.new_session()
    assert sid.startswith("web-") and len(sid) == 36
    up = upload(open_server, sid, media["wav"])
    assert up["kind"] == "audio" and up["original_name"] == "tone.wav" and up["meta"]["duration"] == pytest.approx(2.0)
    assert up["url"] == f"/api/sessions/{sid}/artifacts/{up['id']}"

    with open_server.client() as c:
        planned = c.post(f"/api/sessions/{sid}/plan", json={"request": "make it 3 dB louder", "inputs": [up["id"]]})
        assert planned.status_code == 200, planned.text
        p = planned.json()
        assert p["planner"] == "rules" and p["outcome"] == "steps"
        assert [(s["tool"], s["args"]["db"]) for s in p["plan"]["steps"]] == [("gain", 3)]

        r = c.post(f"/api/sessions/{sid}/runs", json={"request": "make it 3 dB louder", "inputs": [up["id"]]})
        assert r.status_code == 200, r.text
        res = r.json()
        assert res["status"] == "ok" and res["session"] == sid and res["run"] == "r1"
        assert "workspace" not in res and str(open_server.home) not in r.text  # no server paths leak
        assert res["steps"][0]["tool"] == "gain" and res["steps"][0]["status"] == "ok"
        assert "gain" in res["answer"] and len(res["final"]) == 1
        final = next(a for a in res["artifacts"] if a["id"] == res["final"][0])
        assert final["source"] == "r1/s1" and final["inputs"] == [up["id"]]

        got = c.get(final["url"])
        assert got.status_code == 200
        assert got.headers["content-type"] == "audio/wav"
        assert got.headers["x-content-type-options"] == "nosniff"
        louder, sr = sf.read(io.BytesIO(got.content), dtype="float32")
        original, _ = sf.read(media["wav"], dtype="float32")
        assert sr == 16000 and len(louder) == len(original)
        assert 20 * np.log10(rms(louder) / rms(original)) == pytest.approx(3.0, abs=0.05)

        # "the previous result" is scoped to this session and survives across requests
        slower = c.post(f"/api/sessions/{sid}/runs", json={"request": "make the previous result 20% slower"}).json()
        assert slower["status"] == "ok" and slower["plan"]["steps"][0]["args"]["audio"] == "@last"
        stretched = next(a for a in slower["artifacts"] if a["id"] == slower["final"][0])
        assert stretched["meta"]["duration"] == pytest.approx(2.5, rel=0.02)

        manifest = c.get(f"/api/sessions/{sid}").json()
        assert manifest["name"] == sid and [r["id"] for r in manifest["runs"]] == ["r1", "r2"]
        assert {up["id"], final["id"], stretched["id"]} <= set(manifest["artifacts"])


def test_a_given_plan_is_validated_before_it_runs(open_server: Served, media: dict[str, Path]) -> None:
    sid = open_server.new_session()
    up = upload(open_server, sid, media["wav"])
    with open_server.client() as c:
        bad = {"steps": [{"id": "s1", "tool": "frobnicate", "args": {"audio": "@upload-1"}},
                         {"id": "s2", "tool": "trim", "args": {"audio": "@upload-1", "start": -3}}]}
        r = c.post(f"/api/sessions/{sid}/plans/run", json={"plan": bad, "inputs": [up["id"]]})
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["error_type"] == "PlanError"
        assert any("frobnicate" in p for p in body["problems"]) and any("start" in p for p in body["problems"])
        assert c.get(f"/api/sessions/{sid}").json()["runs"] == []  # nothing ran, nothing recorded

        good = {"steps": [{"id": "cut", "tool": "trim", "args": {"audio": "@upload-1", "start": 0.5}}]}
        r = c.post(f"/api/sessions/{sid}/plans/run", json={"plan": good, "inputs": [up["id"]], "request": "cut"})
        assert r.status_code == 200, r.text
        res = r.json()
        assert res["status"] == "ok" and res["planner"] == "given"
        out = next(a for a in res["artifacts"] if a["id"] == res["final"][0])
        assert out["meta"]["duration"] == pytest.approx(1.5, abs=0.01)


def test_a_text_file_named_wav_is_refused_with_a_readable_message(open_server: Served, media: dict[str, Path]) -> None:
    sid = open_server.new_session()
    with open_server.client() as c, open(media["fake_wav"], "rb") as f:
        r = c.post(f"/api/sessions/{sid}/uploads", files={"file": ("notes.wav", f, "audio/wav")})
        assert r.status_code == 400
        assert r.json()["error_type"] == "BadInput" and "text file" in r.json()["error"]
        assert c.get(f"/api/sessions/{sid}").json()["artifacts"] == {}


def test_user_file_names_are_cleaned_never_used_as_paths(open_server: Served, media: dict[str, Path]) -> None:
    sid = open_server.new_session()
    for name, shown in [("../../../../tmp/evil.png", "evil.png"), ("/etc/passwd.png", "passwd.png"),
                        ("..\\..\\win.png", "win.png"), (".hidden.png", "hidden.png"), ("bad$name;`x`.PNG", "bad_name_x.png"), ("录音 1.png", "录音 1.png")]:
        rec = upload(open_server, sid, media["png"], name=name)
        assert rec["original_name"] == shown
        assert rec["file"] == f"artifacts/{rec['id']}.png"
    stored = sorted(p.name for p in (open_server.home / "sessions" / sid / "artifacts").iterdir())
    assert all(n.startswith("image-") for n in stored)


@pytest.mark.parametrize("body, problem", [
    ('{"request": ', "JSON"),
    ('{"inputs": []}', "request"),
    ('{"request": "make it louder", "inputs": ["../../etc/passwd"]}', "inputs.0"),
    ('{"request": "make it louder", "surprise": 1}', "surprise"),
    ('{"request": ""}', "request"),
    ('[1, 2, 3]', "body"),
])
def test_bad_json_is_a_422_naming_the_problem(open_server: Served, body: str, problem: str) -> None:
    sid = open_server.new_session()
    with open_server.client() as c:
        r = c.post(f"/api/sessions/{sid}/runs", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    out = r.json()
    assert out["error_type"] == "InvalidRequest" and problem.lower() in json.dumps(out).lower()


def test_unknown_and_cli_sessions_are_not_reachable(open_server: Served) -> None:
    from agent.artifacts import Session

    Session.open("default", base=open_server.home / "sessions")  # a CLI session on the same disk
    with open_server.client() as c:
        for name in ("default", "web-" + "A" * 32, "web-short", "..", "web-" + "A" * 31 + "/"):
            r = c.get(f"/api/sessions/{name}")
            assert r.status_code == 404, (name, r.text)
            assert c.post(f"/api/sessions/{name}/runs", json={"request": "make it louder"}).status_code == 404


def test_one_session_cannot_reach_another_sessions_artifacts(open_server: Served, media: dict[str, Path]) -> None:
    alice, bob = open_server.new_session(), open_server.new_session()
    assert alice != bob
    secret = upload(open_server, alice, media["wav"])
    with open_server.client() as c:
        assert c.get(f"/api/sessions/{alice}/artifacts/{secret['id']}").status_code == 200
        r = c.get(f"/api/sessions/{bob}/artifacts/{secret['id']}")
        assert r.status_code == 404 and r.json()["error_type"] == "NotFound"
        for path, body in [("runs", {"request": "make it 3 dB louder", "inputs": [secret["id"]]}),
                           ("plan", {"request": "make it 3 dB louder", "inputs": [secret["id"]]}),
                           ("plans/run", {"plan": {"steps": [{"id": "s1", "tool": "gain",
                                                             "args": {"audio": f"@{secret['id']}", "db": 1}}]}})]:
            r = c.post(f"/api/sessions/{bob}/{path}", json=body)
            assert r.status_code in (404, 422), (path, r.text)
            assert secret["id"] not in c.get(f"/api/sessions/{bob}").text


def test_an_llm_endpoint_that_is_down_is_a_502_naming_it(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/v1"
    with serve(tmp_path / "home", "--planner", "llm", "--llm-base-url", dead, "--llm-model", "nobody") as s:
        sid = s.new_session()
        with s.client() as c:
            for path in ("plan", "runs"):
                r = c.post(f"/api/sessions/{sid}/{path}", json={"request": "make a beep"})
                assert r.status_code == 502, r.text
                body = r.json()
                assert body["error_type"] == "LLMConnectionError" and dead in body["error"]
            runs = c.get(f"/api/sessions/{sid}").json()["runs"]
            assert [r["status"] for r in runs] == ["plan_failed"]  # the failed run is on record
