"""A capability we lack, told about rather than asked for ("my nephew recorded himself singing", "we film short
videos"), does not refuse the request that also asks for something we can do; asked for, it still refuses."""

from __future__ import annotations

import pytest

from agent.context import PlanContext
from agent.planners.rules import RulePlanner
from tests.agent.planner_helpers import fake_record, steps_of


def _audio() -> PlanContext:
    return PlanContext(uploads=[fake_record(1, "audio", "take.wav")])


@pytest.mark.parametrize(("request_", "tool"), [
    ("My nephew recorded himself singing at the school concert. Could you take the hiss out?", "denoise"),
    ("We run a bakery and post short videos every week. Cut the first 3 seconds.", "trim"),
    ("This is the doorbell chime for the lobby speakers, which are small and distort easily. High-pass it at 150 Hz.",
     "filter"),
    ("Putting together a slideshow video for my parents' anniversary. I only need 0:10 to 0:40 of the song.", "trim"),
    ("我们是做短视频的，这段是开场白，帮我把音量提高三分贝", "gain"),
])
def test_a_capability_told_about_does_not_refuse_the_ask(registry, request_: str, tool: str) -> None:
    assert [t for t, _ in steps_of(request_, _audio(), registry)] == [tool]


@pytest.mark.parametrize("request_", [
    "Make it louder and translate it into German.",
    "My boss recorded this. Translate it into German.",
    "Translating the lyrics would help. Also make it louder.",
    "denoise it and make it sound like a robot",
])
def test_a_capability_asked_for_still_refuses(registry, request_: str) -> None:
    assert RulePlanner().plan(request_, _audio(), registry).outcome == "unsupported"


def test_a_gap_described_then_patched_in_chinese(registry) -> None:
    steps = steps_of("录音在一分十秒二到一分十秒三那里断了一下，帮我把这一小下补上", _audio(), registry)
    assert steps == [("inpaint", {"audio": "@upload-1", "start": 70.2, "end": 70.3})]


def test_a_person_in_a_photo_made_to_speak_in_the_next_sentence(registry) -> None:
    ctx = PlanContext(uploads=[fake_record(1, "image", "bolt.png")])
    steps = steps_of("This is a photo of Bolt, our team mascot. Make him say 'Go Tigers!'", ctx, registry)
    assert steps == [("text_to_speech", {"text": "Go Tigers!"}),
                     ("talking_head", {"image": "@upload-1", "audio": "@s1"})]


def test_a_photo_made_to_sing_along_to_a_recording_is_a_talking_head(registry) -> None:
    ctx = PlanContext(uploads=[fake_record(1, "image", "gran.jpg"), fake_record(2, "audio", "karaoke.wav")])
    steps = steps_of("Could you make the photo sing along to the karaoke clip?", ctx, registry)
    assert steps == [("talking_head", {"image": "@upload-1", "audio": "@upload-2"})]


@pytest.mark.parametrize(("request_", "tools"), [
    ("夜市摊的宣传视频里一直有马路上的车流声，降噪开大一点，降完声音估计会变小，再整体提3分贝", ["denoise", "gain"]),
    ("把最后 2 秒 cut 掉，那里有个 click 声", ["trim"]),
    ("ok that's great. last thing: shave the final 1.5 s (it's a click) and hand it over as FLAC", ["trim", "convert"]),
])
def test_what_the_recording_has_or_will_do_is_told_not_asked(registry, request_: str, tools: list[str]) -> None:
    assert [t for t, _ in steps_of(request_, _audio(), registry)] == tools


@pytest.mark.parametrize(("request_", "tools"), [
    ("Chess club podcast. This morning I recorded our captain giving his pitch for new members. Clean it up please.",
     ["denoise"]),
    ("Roller derby youtube channel. turn it down 6 dB and fade out the last 3 secs", ["gain", "fade"]),
])
def test_a_tool_word_in_a_label_or_a_story_that_gives_it_nothing_is_no_step(registry, request_: str, tools) -> None:
    assert [t for t, _ in steps_of(request_, _audio(), registry)] == tools


def test_a_common_word_is_not_a_typo_for_a_tool(registry) -> None:
    ctx = PlanContext(uploads=[fake_record(i, "audio", f"call{i}.wav") for i in (1, 2)])
    steps = steps_of("Two example calls for the training. Join them with 1 second of silence between.", ctx, registry)
    assert steps == [("concatenate", {"clips": ["@upload-1", "@upload-2"], "gap": 1})]


@pytest.mark.parametrize(("request_", "tool"), [
    ("这段是老师讲课的录音，说得有点快，放慢到0.9倍", "change_tempo"),
    ("这段是主持人念的开场白，念到一半有个杂音，帮我降噪", "denoise"),
])
def test_say_verbs_that_describe_how_it_was_said_are_not_speech_to_make(registry, request_: str, tool: str) -> None:
    assert [t for t, _ in steps_of(request_, _audio(), registry)] == [tool]


@pytest.mark.parametrize("request_", [
    "Here's our librarian's staff photo and her recorded welcome. Turn them into a little talking video.",
    "用这张自拍和这段录音，做个会动嘴的短视频",
    "这张是馆长的照片，这段是她录的致辞，合成她对着镜头讲话的视频",
    "Attaching a headshot of our agent and her narrated walkthrough. Could the headshot present it?",
])
def test_a_talking_video_of_a_photo_and_a_recording(registry, request_: str) -> None:
    ctx = PlanContext(uploads=[fake_record(1, "image", "face.jpg"), fake_record(2, "audio", "voice.wav")])
    assert steps_of(request_, ctx, registry) == [("talking_head", {"image": "@upload-1", "audio": "@upload-2"})]


@pytest.mark.parametrize("request_", ["帮我做一个 voicemail greeting，用中文念：您好，我现在不方便接听，请留言",
                                      "make a station announcement, say 'mind the gap'"])
def test_what_the_speech_is_for_is_no_step_of_its_own(registry, request_: str) -> None:
    assert [t for t, _ in steps_of(request_, PlanContext(), registry)] == ["text_to_speech"]
