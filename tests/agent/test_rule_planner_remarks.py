"""The rule planner pointing back by what was said about a file later (remarks, reactions), filling in the second
file of a join from its request's words, and saying the last line again (history.py, history_desc.py)."""

from __future__ import annotations

from typing import Any

import pytest

from agent.context import PlanContext
from agent.planners.rules import RulePlanner
from agent.registry import Registry
from tests.agent.planner_helpers import FakeSession, fake_record, steps_of


# ------------------------------------------------------------------ remarks and joins named by their words
def test_a_remark_names_the_result_before_it(registry: Registry) -> None:
    s = FakeSession()
    _, buzz = s.run(uploads=1, steps=("trim",), request="Promo for the tattoo studio: keep the first 10 seconds of the machine buzz.")
    s.run(request="Sent that to my business partner Reza already, he loves it")  # made nothing
    _, talk = s.run(uploads=1, steps=("denoise",), request="Here's me talking about aftercare, clean up the hiss")
    assert steps_of("lay the version Reza has under my aftercare talk, 12 dB down", s.ctx(), registry) == [
        ("mix", {"audio": f"@{talk[0].id}", "other": f"@{buzz[0].id}", "other_gain_db": -12})]


def test_a_remark_that_names_its_file_speaks_of_that_file(registry: Registry) -> None:
    s = FakeSession()
    _, tofu = s.run(uploads=1, steps=("trim",), request="这是早市上录的卖豆腐的吆喝，剪掉开头两秒")
    s.run(uploads=1, steps=("gain",), request="这段是广场舞的音乐，调小六分贝")
    s.run(request="刚才差点把豆腐那条误删了，好险")  # about the first file, not the music before it
    assert steps_of("差点误删的那条，转成mp3", s.ctx(), registry) == [
        ("convert", {"audio": f"@{tofu[0].id}", "format": "mp3"})]


def test_an_emoji_reaction_names_the_result_it_reacted_to(registry: Registry) -> None:
    s = FakeSession()
    _, line = s.run(steps=("text_to_speech",), request="Say 'Your table is ready'")
    s.run(request="🔥🔥 love it")
    s.run(uploads=1, steps=("remove_hum",), request="this is the pager chime, remove the hum")
    assert steps_of("the one I fire-emoji'd, make it 10% slower", s.ctx(), registry) == [
        ("change_tempo", {"audio": f"@{line[0].id}", "rate": 0.9})]


def test_a_join_with_one_file_named_and_the_other_described(registry: Registry) -> None:
    s = FakeSession()
    _, welcome = s.run(uploads=1, steps=("remove_hum",), request="Welcome message from our harbour master, remove the 50 Hz hum")
    _, bell = s.run(uploads=1, steps=("gain",), request="And the ship's bell, 6 dB quieter.")
    s.run(request="How deep is the harbour, do you know?")
    assert steps_of("The harbour master's one: put the ship's bell in front of it.", s.ctx(), registry) == [
        ("concatenate", {"clips": [f"@{bell[0].id}", f"@{welcome[0].id}"]})]


@pytest.mark.parametrize("request_text, speed", [
    ("Same line again at normal speed.", None),
    ("say it again but slower", 0.8),
    ("再来一遍一样的，正常语速", None),
])
def test_the_last_line_said_again(registry: Registry, request_text: str, speed: float | None) -> None:
    s = FakeSession()
    s.run(steps=("text_to_speech",), request="Say 'Boarding starts in five minutes' a little fast, 1.2",
          args={"text_to_speech": {"text": "Boarding starts in five minutes", "speed": 1.2}})
    args: dict[str, Any] = {"text": "Boarding starts in five minutes"}
    if speed is not None:
        args["speed"] = speed
    assert steps_of(request_text, s.ctx(), registry) == [("text_to_speech", args)]


@pytest.mark.parametrize("request_text", [
    "Do little kids actually prefer slower narration? Just curious.",
    "Is 8k going to sound awful, or is that fine for a chime?",
    "Is it normal to hate hearing your own voice on recordings?",
    "how do you say 'bow' in japanese again",
    "谢谢用日语怎么说",
])
def test_a_question_that_asks_for_no_edit_is_answered_as_one(registry, request_text) -> None:
    ctx = PlanContext(uploads=[fake_record(1, "audio", "a.wav")])
    assert RulePlanner().plan(request_text, ctx, registry).outcome == "unsupported"


@pytest.mark.parametrize("request_text", ["can it be a bit slower?", "Is it possible to slow it down 10%?",
                                          "could you make it louder?", "这个能不能慢一点？"])
def test_a_polite_question_that_asks_for_an_edit_is_planned(registry, request_text) -> None:
    ctx = PlanContext(uploads=[fake_record(1, "audio", "a.wav")])
    assert RulePlanner().plan(request_text, ctx, registry).outcome == "steps"


@pytest.mark.parametrize("request_text", ["does it clip?", "is it longer than 30 seconds?", "is it 44.1k?",
                                          "是不是单声道？"])
def test_a_yes_no_question_about_what_the_file_measures_is_a_measurement(registry, request_text) -> None:
    ctx = PlanContext(uploads=[fake_record(1, "audio", "a.wav")])
    assert steps_of(request_text, ctx, registry) == [("audio_info", {"audio": "@upload-1"})]
