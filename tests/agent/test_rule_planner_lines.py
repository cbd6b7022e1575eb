"""A request that is only a line to say, behind a label or a connective, is speech of that line."""

from __future__ import annotations

import pytest

from agent.context import PlanContext
from agent.planners.rules import RulePlanner
from tests.agent.planner_helpers import FakeSession, steps_of


@pytest.mark.parametrize(("request_", "text"), [
    ("Next: 'Gates close at ten tonight.'", "Gates close at ten tonight."),
    ("Then the late-shift one: 'Night bus forty runs every twenty minutes.'",
     "Night bus forty runs every twenty minutes."),
    ("We print these on the menu too. Second one: 'Kitchen closes at nine.'", "Kitchen closes at nine."),
    ("还有一条：“请保管好随身物品。”", "请保管好随身物品。"),
])
def test_a_labelled_line_is_said(registry, request_: str, text: str) -> None:
    steps = steps_of(request_, PlanContext(), registry)
    assert [t for t, _ in steps] == ["text_to_speech"]
    assert steps[0][1]["text"] == text


def test_a_speed_after_the_line_is_its_speed(registry) -> None:
    steps = steps_of("And 'Mind the gap, please.' at 0.85.", PlanContext(), registry)
    assert steps == [("text_to_speech", {"text": "Mind the gap, please.", "speed": 0.85})]


@pytest.mark.parametrize("request_", ["What does 'carpe diem' mean?", "Is 'irregardless' a real word?",
                                      "Pronounciation check: is it 'scone' or 'scon'?"])
def test_a_question_about_quoted_words_is_not_a_line(registry, request_: str) -> None:
    assert RulePlanner().plan(request_, PlanContext(), registry).outcome != "steps"


def test_a_new_line_after_a_speaking_photo_is_said_by_that_photo(registry) -> None:
    s = FakeSession()
    (photo,), _ = s.run(1, ("text_to_speech", "talking_head"), "make this photo say 'hello'",
                        args={"talking_head": {"image": "@upload-1", "audio": "@s1"}}, upload_kind="image")
    s.run(1, ("trim",), "cut the first 2 seconds")
    s.run(0, (), "how old is the oldest lighthouse?")
    steps = steps_of("Our mascot needs one more line: 'See you next week!'", s.ctx(), registry)
    assert [t for t, _ in steps] == ["text_to_speech", "talking_head"]
    assert steps[1][1]["image"] == f"@{photo.id}" and steps[1][1]["audio"] == "@s1"


def test_a_new_line_after_plain_speech_is_plain_speech(registry) -> None:
    s = FakeSession()
    s.run(1, ("text_to_speech", "talking_head"), "make this photo say 'hello'",
          args={"talking_head": {"image": "@upload-1", "audio": "@s1"}}, upload_kind="image")
    s.run(0, ("text_to_speech",), "say 'bye'")
    assert [t for t, _ in steps_of("Then: 'Doors open at six.'", s.ctx(), registry)] == ["text_to_speech"]


@pytest.mark.parametrize(("request_", "speed"), [
    ("念慢一点，零点九倍速：“请排好队，等家长来接。”", 0.9),
    (("gym closing call, read it at one and a quarter times normal speed: Gym closes in ten minutes. "
      "Please rack your weights."),
     1.25),
    ("TTS 一下：'Please keep your belongings with you.' speed 0.9", 0.9),
])
def test_how_to_say_a_line_beside_it_is_its_speed_not_its_words(registry, request_: str, speed: float) -> None:
    steps = steps_of(request_, PlanContext(), registry)
    assert [t for t, _ in steps] == ["text_to_speech"] and steps[0][1]["speed"] == speed
    assert "speed" not in steps[0][1]["text"] and "倍速" not in steps[0][1]["text"]


@pytest.mark.parametrize(("request_", "speed"), [
    ("Read this a bit fast, 1.15: 'Runners, take your marks.'", 1.15),
    ("再用中文说一遍“请系好安全带”，这次慢一点，0.8倍", 0.8),
])
def test_a_speed_said_after_fast_or_slow_is_the_speech_speed(registry, request_: str, speed: float) -> None:
    steps = steps_of(request_, PlanContext(), registry)
    assert [t for t, _ in steps] == ["text_to_speech"] and steps[0][1]["speed"] == speed
