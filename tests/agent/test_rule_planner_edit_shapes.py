"""Rule planner: edits that no single tool names. A clip played N times is N copies joined; a length to fit is a
tempo change by the ratio of the lengths; a format or bitrate that convert cannot write is refused, not swapped."""

from __future__ import annotations

import pytest

from agent.context import PlanContext
from agent.planners.rules import RulePlanner
from tests.agent.planner_helpers import fake_record, steps_of


def _upload(seconds: float | None = None) -> PlanContext:
    rec = fake_record(1, "audio", "take.wav")
    if seconds is not None:
        rec = rec.model_copy(update={"meta": {"duration": seconds}})
    return PlanContext(uploads=[rec])


@pytest.mark.parametrize("request_text, clips, gap", [
    ("repeat this clip three times back to back", 3, None),
    ("for the fire drill i need it 3 times in a row with a one second breather between each", 3, 1),
    ("loop it 4 times with 2 seconds of silence between", 4, 2),
    ("repeat the 5 second jingle 3 times", 3, None),  # the 5 seconds is the jingle, not a gap
    ("这段提示音重复三遍，中间空一秒", 3, 1),
    ("把这段 loop 四遍", 4, None),
])
def test_a_clip_played_n_times_is_n_copies_joined(registry, request_text, clips, gap) -> None:
    (step,) = steps_of(request_text, _upload(), registry)
    assert step[0] == "concatenate" and step[1]["clips"] == ["@upload-1"] * clips
    assert step[1].get("gap") == gap


def test_a_loop_without_a_count_is_still_refused(registry) -> None:
    for request in ("loop it until the end of the podcast", "make it loop seamlessly"):
        plan = RulePlanner().plan(request, _upload(), registry)
        assert plan.outcome == "unsupported" and "looping" in plan.unsupported, plan


def test_a_length_to_fit_changes_the_tempo_by_the_ratio(registry) -> None:
    said = ("The radio spot came back 25 seconds long and the station slot is 20. Squeeze it into 20 seconds - but "
            "don't let everyone go helium-voiced.")
    assert steps_of(said, _upload(), registry) == [("change_tempo", {"audio": "@upload-1", "rate": 1.25})]
    assert steps_of("登船广播录出来三十六秒，帮我整体压进三十秒里，声音别变尖", _upload(), registry)[0][1]["rate"] == 1.2
    # the length now is the upload's own
    assert steps_of("fit it into 45 s without changing the pitch", _upload(54.0), registry) == [
        ("change_tempo", {"audio": "@upload-1", "rate": 1.2})]
    plan = RulePlanner().plan("squeeze it into 20 seconds", _upload(), registry)
    assert plan.outcome == "clarify" and "How long is it now" in plan.clarify
    assert steps_of("cut it down to 30 seconds", _upload(54.0), registry)[0][0] == "trim"


@pytest.mark.parametrize("request_text, why", [
    ("please export it as .aiff (not wav, not mp3)", "convert writes wav, flac, mp3 or ogg"),
    ("帮我 export 成 WMA，公司那台老电脑只认这个格式", "convert writes wav, flac, mp3 or ogg"),
    ("Encode this as Opus at 24 kbps", "convert writes wav, flac, mp3 or ogg"),
    ("Export the narration as MP3 at exactly 64 kbps constant bitrate please.", "bitrate"),
])
def test_a_format_or_bitrate_convert_cannot_write_is_refused(registry, request_text, why) -> None:
    plan = RulePlanner().plan(request_text, _upload(), registry)
    assert plan.outcome == "unsupported" and why in plan.unsupported, plan


def test_a_format_named_as_the_input_is_not_refused(registry) -> None:
    assert steps_of("手机录音是m4a格式的，帮我转成mp3", _upload(), registry) == [
        ("convert", {"audio": "@upload-1", "format": "mp3"})]
    assert steps_of("convert my aac file to wav", _upload(), registry)[0][1]["format"] == "wav"


@pytest.mark.parametrize("request_text, rate", [
    ("刚才那版还是有点快，再慢百分之十", 0.9),
    ("it's still a bit fast, slow it down 10%", 0.9),
    ("还是有点慢，快百分之十", 1.1),
])
def test_how_it_sounds_now_is_not_the_direction_of_the_change(registry, request_text, rate) -> None:
    assert steps_of(request_text, _upload(), registry) == [("change_tempo", {"audio": "@upload-1", "rate": rate})]


def test_a_frame_rate_that_measures_time_is_not_a_video_setting_asked_for(registry) -> None:
    said = ("video editor here, I only exported the audio. the first 250 frames are countdown beeps, project is 25fps. "
            "chop those off")
    assert steps_of(said, _upload(), registry)[0][0] == "trim"
