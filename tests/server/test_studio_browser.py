"""The studio in a real browser: Playwright drives Debian's Chromium (/usr/bin/chromium, never a
downloaded browser) against `audiogent serve`. Screenshots go to /tmp/studio-look/."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.server.conftest import TOKEN, Served, free_port

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SHOTS = Path("/tmp/studio-look")
RUN_TIMEOUT_MS = 180_000
# Media elements live in the players' shadow roots; walk them all.
MEDIA_JS = """(tag) => { const out = []; const walk = (root) => root.querySelectorAll('*').forEach(el => {
  if (el.tagName === tag) out.push({duration: el.duration, error: el.error ? el.error.code : null,
                                    paused: el.paused, time: el.currentTime, ready: el.readyState});
  if (el.shadowRoot) walk(el.shadowRoot); }); walk(document); return out; }"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Studio:
    """One browser tab on the studio, recording page errors and any request that leaves the server."""

    def __init__(self, browser: Browser, server: Served, path: str = "/") -> None:
        self.server = server
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.startswith((server.url, "data:", "blob:"))
                     else self.outside.append(r.url))
        self.page.goto(server.url + path)
        if "token" not in path:
            expect(self.page.locator("nav")).to_contain_text("Avatar", timeout=60_000)

    def ask(self, request: str, *files: Path) -> None:
        box = self.page.locator("#ask")
        expect(box.locator("textarea")).to_be_editable(timeout=60_000)
        if files:
            box.locator("input[type=file]").set_input_files([str(f) for f in files])
            expect(box.get_by_role("button", name="Remove file")).to_have_count(len(files), timeout=30_000)
        box.locator("textarea").fill(request)
        box.locator("textarea").press("Enter")

    def chat(self) -> str:
        return self.page.locator("#chat").inner_text()

    def wait_for(self, text: str | re.Pattern[str], timeout: int = RUN_TIMEOUT_MS) -> None:
        expect(self.page.locator("#chat")).to_contain_text(text, timeout=timeout)

    def media(self, tag: str = "AUDIO") -> list[dict]:
        return self.page.evaluate(MEDIA_JS, tag)

    def until(self, ready, timeout_s: float = 30.0) -> dict:
        """Poll the page's media until `ready()`; return the last audio element's state."""
        deadline = time.monotonic() + timeout_s
        while not ready():
            assert time.monotonic() < deadline, f"media never got ready: {self.media('AUDIO')} {self.media('VIDEO')}"
            self.page.wait_for_timeout(200)
        players = self.media("AUDIO")
        return players[-1] if players else {}

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))

    def close(self) -> None:
        assert self.outside == [], f"the page reached outside the server: {self.outside}"
        assert self.errors == [], f"errors in the page: {self.errors}"
        self.context.close()


def test_upload_ask_see_the_plan_and_play_the_result(browser: Browser, open_server: Served,
                                                     media: dict[str, Path]) -> None:
    st = Studio(browser, open_server)
    st.shot("studio-empty")
    st.ask("make it 3 dB louder", media["wav"])
    st.wait_for("Plan · rules planner")
    st.wait_for("r1 · ok")
    st.shot("studio-louder")
    text = st.chat()
    assert re.search(r"s1\s+gain\s+db=3, audio=@upload-1\s+✓ ok", text), text
    assert "Done: gain (db 3)" in text and "wav audio, 2.00 s, 16 kHz mono" in text

    players = st.media("AUDIO")
    assert len(players) == 2  # the upload and the result
    result = players[-1]
    assert result["error"] is None and result["duration"] == pytest.approx(2.0, abs=0.05)
    st.page.locator("#chat button[aria-label='Play']").last.click()
    played = st.until(lambda: st.media("AUDIO")[-1]["time"] > 0.2)  # it plays
    assert played["error"] is None

    link = st.page.locator("#chat a", has_text="download").last
    got = st.page.request.get(open_server.url + link.get_attribute("href"))
    assert got.status == 200 and got.headers["content-type"] == "audio/wav" and got.body()[:4] == b"RIFF"

    st.ask("make the previous result 20% slower")  # the session persists across chat turns
    st.wait_for("r2 · ok")
    assert "change_tempo" in st.chat() and "@last" in st.chat()
    slower = st.until(lambda: len(st.media("AUDIO")) == 3 and st.media("AUDIO")[-1]["ready"] >= 1)
    assert slower["duration"] == pytest.approx(2.5, abs=0.05) and slower["error"] is None
    st.shot("studio-previous-result")

    st.page.reload()  # the browser finds its session again
    st.wait_for("r2 · ok", timeout=60_000)
    assert "r1 · ok" in st.chat()
    st.until(lambda: len(st.media("AUDIO")) == 3 and all(a["ready"] >= 1 for a in st.media("AUDIO")))
    st.close()


def test_a_bad_file_is_a_readable_message_and_the_studio_goes_on(browser: Browser, open_server: Served,
                                                                 media: dict[str, Path]) -> None:
    st = Studio(browser, open_server)
    st.ask("make it 3 dB louder", media["fake_wav"])
    st.wait_for("Couldn't do that.", timeout=60_000)
    st.shot("studio-error")
    assert "notes.wav is a text file, not audio" in st.chat() and "Hint:" in st.chat()
    st.ask("make it 3 dB louder", media["wav"])
    st.wait_for("r1 · ok")

    # switch the planner to an OpenAI-compatible endpoint that is down
    dead = f"http://127.0.0.1:{free_port()}/v1"
    st.page.get_by_role("radio", name="llm").check()
    st.page.get_by_label("LLM base URL").fill(dead)
    st.page.get_by_label("Model").fill("nobody-home")
    st.ask("make the previous result 2 dB quieter")
    st.wait_for(re.compile(r"Couldn't do that\..*LLM endpoint", re.DOTALL), timeout=120_000)
    assert dead in st.chat()
    st.shot("studio-llm-down")
    st.page.get_by_role("radio", name="rules").check()  # and back: the app is still fine
    st.ask("make the previous result 2 dB quieter")
    st.wait_for("r3 · ok")  # r2 is the run whose planning failed: it is on record too
    st.close()


def test_plan_only_shows_the_plan_and_runs_nothing(browser: Browser, open_server: Served,
                                                   media: dict[str, Path]) -> None:
    st = Studio(browser, open_server)
    st.page.get_by_label("Plan only: show the plan, don't run it").check()
    st.ask("cut the first second and add a hall reverb", media["wav"])
    st.wait_for("Plan only: nothing was run.", timeout=60_000)
    text = st.chat()
    assert re.search(r"s1\s+trim\s+.*start=1", text) and re.search(r"s2\s+reverb\s+.*room=\"hall\"", text), text
    assert "planned" in text and "✓ ok" not in text
    assert len(st.media("AUDIO")) == 1  # only the upload: nothing was made
    st.close()


def test_the_avatar_page_makes_a_talking_head_video(browser: Browser, open_server: Served, tmp_path: Path) -> None:
    st = Studio(browser, open_server, "/avatar")
    expect(st.page.get_by_text("To talk with the avatar live")).to_be_visible(timeout=60_000)
    st.page.get_by_label("What should it say?").fill("Good morning, and welcome.")
    st.page.get_by_role("button", name="Make the video").click()
    expect(st.page.locator("#avatar-status")).to_contain_text("talking head", timeout=RUN_TIMEOUT_MS)
    st.until(lambda: any(v["duration"] > 1 for v in st.media("VIDEO")))
    video = next(v for v in st.media("VIDEO") if v["duration"] > 1)
    assert video["error"] is None
    st.shot("avatar-result")

    # with a photo of one's own (here: a crop of the default avatar, saved as a plain PNG)
    import cv2
    from skimage import data

    photo = tmp_path / "portrait.png"
    cv2.imwrite(str(photo), cv2.cvtColor(data.astronaut()[0:400, 56:456], cv2.COLOR_RGB2BGR))
    st.page.locator("input[type=file][accept*='image']").set_input_files(str(photo))
    st.page.get_by_role("button", name="Make the video").click()
    expect(st.page.locator("#avatar-status")).to_contain_text("r2 ·", timeout=RUN_TIMEOUT_MS)
    assert "400x400" in st.page.locator("#avatar-status").inner_text()  # the video has the photo's size
    st.page.goto(open_server.url + "/")  # the same session: the video is in the studio's history too
    st.wait_for("talking_head", timeout=60_000)
    st.close()


def test_with_a_token_the_url_token_lets_the_browser_in(browser: Browser, token_server: Served,
                                                        media: dict[str, Path]) -> None:
    anon = browser.new_context()
    page = anon.new_page()
    page.goto(token_server.url + "/")
    expect(page.locator("body")).to_contain_text("a token is required")
    anon.close()

    st = Studio(browser, token_server, f"/?token={TOKEN}")
    st.page.wait_for_url(token_server.url + "/")
    st.ask("make it 3 dB louder", media["wav"])  # uploads, the queue and file routes all pass with the cookie
    st.wait_for("r1 · ok")
    assert st.media("AUDIO")[-1]["error"] is None
    st.close()


def test_a_spoken_request_is_transcribed_then_run(browser: Browser, open_server: Served, tmp_path: Path) -> None:
    """A recording and no typed words is a spoken request (what the microphone button sends)."""
    sid = open_server.new_session()
    plan = {"steps": [{"id": "s1", "tool": "text_to_speech", "args": {"text": "Say good morning."}}]}
    with open_server.client() as c:
        res = c.post(f"/api/sessions/{sid}/plans/run", json={"plan": plan}).json()
        spoken = tmp_path / "audio.wav"
        spoken.write_bytes(c.get(res["artifacts"][0]["url"]).content)
    st = Studio(browser, open_server)
    st.ask("", spoken)
    st.wait_for(re.compile(r"Heard in your recording: “say good morning\.?”", re.IGNORECASE))
    st.wait_for("r1 · ok")
    assert "text_to_speech" in st.chat()
    st.until(lambda: len(st.media("AUDIO")) == 2 and st.media("AUDIO")[-1]["ready"] >= 1)
    assert st.media("AUDIO")[-1]["duration"] > 0.5
    st.shot("studio-spoken-request")
    st.close()
