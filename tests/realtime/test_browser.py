"""The avatar page in headless Chromium, as a person uses it: the microphone is a WAV file of
speech, the server is `audiogent realtime` in its own process (with a token, as on a network), and
every assertion reads what arrived at the page (window.audiogent, filled by client.js)."""

import json
import time
import urllib.error
import urllib.request

import pytest

from evals.realtime_browser import (
    Browser,
    Pause,
    Say,
    measured_turns,
    open_page,
    page_state,
    realtime_server,
    speech_wav,
    stop_playwright,
    wait_for,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    with realtime_server() as s:
        yield s
    stop_playwright()


def talk(tmp_path, name, script):
    wav = tmp_path / f"{name}.wav"
    speech_wav(wav, script)
    return Browser(wav)


def words(text):
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == " ").split()


def wait_until(predicate, timeout, what):
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.5)


def answered(n):
    return lambda s: len(measured_turns(s)) >= n


@pytest.mark.parametrize("transport", ["webrtc", "ws"])
def test_the_page_hears_the_user_and_gets_voice_and_moving_video(server, tmp_path, transport):
    browser = talk(tmp_path, transport, [Say("What is your name?"), Pause(8)])
    try:
        page = open_page(browser, server, transport)
        state = wait_for(page, answered(1), 60, "a measured reply")
        turn = measured_turns(state)[0]
        assert " ".join(words(turn["transcript"])).startswith("what is your name")
        assert len(turn["reply"].split()) >= 3
        assert [o for o in state["out"] if o["on"]], "no reply audio with energy reached the page"
        assert 0 < turn["replyAudioMs"] < 5000 and 0 < turn["firstFrameMs"] < 5000
        assert set(turn["server"]) >= {"asr_final", "llm_first_token", "tts_first_audio", "first_frame"}
        page.wait_for_timeout(1500)
        state = page_state(page)
        assert state["frames"] > 75 and state["fps"] > 15, "the page is not receiving avatar video"
        assert page.locator("#captions").inner_text().count("You: What is your name") == 1
        assert page.locator("#latency tbody tr").count() == 1
        assert not state["errors"]
    finally:
        browser.close()


def test_barge_in_silences_the_avatar_and_the_new_question_is_answered(server, tmp_path):
    browser = talk(tmp_path, "barge", [Say("Tell me a long story about a brave dragon."), Pause(4.5),
                                       Say("What is two plus two?"), Pause(8)])
    try:
        page = open_page(browser, server, aec=False)  # see open_page: the user's voice is the avatar's
        state = wait_for(page, lambda s: any(t["interrupted"] for t in s["turns"]) and len(measured_turns(s)) >= 2,
                         90, "an interrupted turn and an answered second question")
        first, *_, last = sorted((t for t in state["turns"] if t["transcript"]), key=lambda t: t["turn"])
        assert first["interrupted"] and first["heard"] and len(first["heard"]) < len(first["reply"])
        assert "two" in last["transcript"].lower() or "2" in last["transcript"]
        (barge,) = state["bargeIns"]
        assert barge["eventToSilenceMs"] is not None, "the old reply's audio did not stop at the page"
        assert barge["onsetToSilenceMs"] < 1000
    finally:
        browser.close()


def test_two_sessions_stay_apart_and_a_killed_browser_frees_its_session(server, tmp_path):
    one = talk(tmp_path, "one", [Say("What is your name?"), Pause(10)])
    two = talk(tmp_path, "two", [Say("Where do you live?"), Pause(10)])
    try:
        # the earlier tests' browsers closed: their sessions end within the idle timeout
        wait_until(lambda: server.health()["sessions"] == 0, 30, "earlier sessions to end")
        p1, p2 = open_page(one, server), open_page(two, server)
        wait_for(p1, lambda s: s["state"] == "ready", 30, "session one")
        wait_for(p2, lambda s: s["state"] == "ready", 30, "session two")
        assert server.health()["sessions"] == 2
        s1 = wait_for(p1, lambda s: any(t.get("transcript") for t in s["turns"]), 60, "turn one")
        two.kill()  # mid-turn: its question is being answered
        s1 = wait_for(p1, answered(1), 60, "the reply in session one")
        assert [" ".join(words(t["transcript"]))[:17] for t in s1["turns"] if t.get("transcript")] == ["what is your name"]
        wait_until(lambda: server.health()["sessions"] == 1, 30, "the killed session to be freed")
        assert server.health()["ok"]
    finally:
        one.close()
        two.close()


def test_an_audio_job_asked_for_by_voice_is_played_and_its_file_offered(server, tmp_path):
    browser = talk(tmp_path, "job", [Say("Please say good morning and add some reverb."), Pause(10)])
    try:
        page = open_page(browser, server, "webrtc")
        state = wait_for(page, lambda s: s["toolResults"] and len(measured_turns(s)) >= 1, 60, "the job's result")
        (result,) = state["toolResults"]
        assert result["ok"], result
        url = result["files"][0]["url"]
        status, kind, size = page.evaluate(
            "async (u) => { const r = await fetch(u); return [r.status, r.headers.get('content-type'),"
            " (await r.arrayBuffer()).byteLength]; }", url)
        assert status == 200 and kind.startswith("audio/") and size > 10_000
        assert page.locator("#captions a").count() == 1  # the link shown with the answer
        assert [o for o in state["out"] if o["on"]], "the result was not played"
    finally:
        browser.close()
    with pytest.raises(urllib.error.HTTPError) as e:  # not without the token
        urllib.request.urlopen(f"{server.url}/{url}", timeout=5)
    assert e.value.code == 401


def test_every_route_needs_the_token(server):
    for path in ("/", "/api/health"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(server.url + path, timeout=5)
        assert e.value.code == 401
    req = urllib.request.Request(server.url + "/api/offer", data=json.dumps({"sdp": "x", "type": "offer"}).encode(),
                                 headers={"content-type": "application/json"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=5)
    assert e.value.code == 401


def test_a_bad_offer_gets_a_clear_error_and_the_session_is_not_kept(server):
    wait_until(lambda: server.health()["sessions"] == 0, 30, "earlier sessions to end")
    req = urllib.request.Request(server.url + "/api/offer", data=json.dumps({"sdp": "not sdp", "type": "offer"}).encode(),
                                 headers={"content-type": "application/json",
                                          "authorization": f"Bearer {server.token}"}, method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=20)
    assert e.value.code == 400 and "offer" in json.loads(e.value.read())["error"]
    assert server.health()["sessions"] == 0
