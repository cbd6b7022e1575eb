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


@pytest.mark.parametrize("request_text, rate", [
    ("the jingle is 96 bpm but the montage is cut at 120. stretch it to the new tempo", 1.25),
    ("The audiobook narrator reads at about 200 words a minute and learners need 160. Slow it down to that.", 0.8),
    ("主播说得太快了，调成原来八成的速度", 0.8),
])
def test_a_pace_said_now_and_wanted_is_a_tempo_change_by_their_ratio(registry, request_text, rate) -> None:
    assert steps_of(request_text, _upload(), registry) == [("change_tempo", {"audio": "@upload-1", "rate": rate})]


@pytest.mark.parametrize("request_text, step", [
    ("speed it up to 1.2x, the key has to stay the same", ("change_tempo", {"rate": 1.2})),
    ("48k only, stereo's fine, leave channels", ("resample", {"sample_rate": 48000})),
    ("slow it to 0.9 without her voice getting any deeper", ("change_tempo", {"rate": 0.9})),
    ("整体加速到1.2倍，pitch 保持", ("change_tempo", {"rate": 1.2})),
    ("放慢到0.9倍，声音别变粗", ("change_tempo", {"rate": 0.9})),
    ("低频加3dB，高频不动", ("equalize", {"bass_db": 3})),
    ("Brighten it up 3 dB and leave the bass", ("equalize", {"treble_db": 3})),
    ("how long is it? just measure it, don't change anything", ("audio_info", {})),
    ("有多长？你量一下就行，别给我改", ("audio_info", {})),
])
def test_what_is_to_stay_as_it_is_asks_for_no_step(registry, request_text, step) -> None:
    assert steps_of(request_text, _upload(), registry) == [(step[0], {**step[1], "audio": "@upload-1"})]


@pytest.mark.parametrize("request_text, step", [
    ("those speakers are harsh, take 4 dB off the treble", ("equalize", {"treble_db": -4})),
    ("knock the bass back 3 dB", ("equalize", {"bass_db": -3})),
    ("someone coughed from 0:30 to 0:45, cut that bit out and join the rest",
     ("trim", {"start": 30, "end": 45, "mode": "remove"})),
    ("低音加三分贝，给它找补点气势", ("equalize", {"bass_db": 3})),
])
def test_more_ways_of_saying_an_edit(registry, request_text, step) -> None:
    assert steps_of(request_text, _upload(), registry) == [(step[0], {**step[1], "audio": "@upload-1"})]


def test_how_long_about_something_else_is_not_a_measurement(registry) -> None:
    plan = RulePlanner().plan("How long do crocodiles live, roughly?", _upload(), registry)
    assert [s.tool for s in plan.steps] != ["audio_info"]


@pytest.mark.parametrize("request_text, step", [
    ("这首广场舞的曲子调太高了，阿姨们一起唱够不着，帮我整体降一个纯四度，速度别变",
     ("pitch_shift", {"semitones": -5})),
    ("票友练唱用：这段唱段的伴奏调门太高，整体降一个全音，板眼快慢不要动", ("pitch_shift", {"semitones": -2})),
    ("transpose it up a major third, the tempo must stay the same", ("pitch_shift", {"semitones": 4})),
    ("the narrator talks at about 180 words per minute, we need 150 wpm. keep his voice pitch as is",
     ("change_tempo", {"rate": 0.8333})),
])
def test_singing_words_and_intervals_in_an_accompaniment_edit(registry, request_text, step) -> None:
    assert steps_of(request_text, _upload(), registry) == [(step[0], {**step[1], "audio": "@upload-1"})]


@pytest.mark.parametrize("request_text, step", [
    ("Send the ad back to me as an uncompressed .wav, the station won't take anything else.",
     ("convert", {"format": "wav"})),
    ("Is the weather bulletin stereo or mono, and what's it sampled at? don't change anything.", ("audio_info", {})),
    ("洗衣房的提示音忒小了，给整大个六七分贝吧", ("gain", {"db": 6.5})),
    ("The practice clip drags. Make it half again as fast, same pitch.", ("change_tempo", {"rate": 1.5})),
    ("广告里 0'12\" 到 0'16\" 那句把价格念错了，把这四秒挖掉，前后接上",
     ("trim", {"start": 12, "end": 16, "mode": "remove"})),
    ("山间小屋录的吉他弹唱听着像闷在棉被里，给我加个大厅那种混响，湿度百分之四十",
     ("reverb", {"room": "hall", "wet": 0.4})),
    ("the fans make a steady roar. Take it down at about half strength, please.", ("denoise", {"strength": 0.5})),
])
def test_wordings_from_probe_rounds_g_and_h(registry, request_text, step) -> None:
    assert steps_of(request_text, _upload(), registry) == [(step[0], {**step[1], "audio": "@upload-1"})]


@pytest.mark.parametrize("request_text", [
    "录音里，1分30到1分45有人在门外喊外卖，这段删了前后接上",
    "拍卖行的录音，1分30秒到1分45秒是内部编号，不能外传，这段拿掉，前后接上",
    "the burst runs from one minute thirty to one minute forty-five. cut it out and butt the two sides together",
    "drop 90,000 ms – 105,000 ms (reading out the sort code), join the rest",
])
def test_a_range_removed_and_the_rest_joined_is_one_trim(registry, request_text) -> None:
    assert steps_of(request_text, _upload(), registry) == [
        ("trim", {"audio": "@upload-1", "start": 90, "end": 105, "mode": "remove"})]


@pytest.mark.parametrize("request_text, steps", [
    ("It'd be great if it were roughly 8 dB louder, give or take a couple.", [("gain", {"db": 8})]),
    ("Bring it up 5 dB, plus or minus one is fine.", [("gain", {"db": 5})]),
    ("send it back as OGG for the website player. No need to touch the volume or anything else, just the format.",
     [("convert", {"format": "ogg"})]),
    ("背景有空调的沙沙声，还有日光灯那种电流嗡嗡声，两样都弄掉，音量就别动了", [("denoise", {}), ("remove_hum", {})]),
    ("念得太慢，speed 提 15%，pitch 不要动", [("change_tempo", {"rate": 1.15})]),
    ("窗外一直有车流的沙沙声，帮我弱化掉吧", [("denoise", {})]),
    ("the announcement gets lost in the mixer noise, bring it up 4 dB", [("gain", {"db": 4})]),  # a mixer is no mix
])
def test_tolerances_and_things_left_alone_are_no_steps(registry, request_text, steps) -> None:
    got = steps_of(request_text, _upload(), registry)
    assert [(t, {k: v for k, v in a.items() if k != "audio"}) for t, a in got] == steps


@pytest.mark.parametrize("request_text", [
    "晨练的音乐，一分十秒到一分十五秒有个大爷咳嗽录进去了，把这五秒删掉，前后接上",
    "the cough is from 1:10 to 1:15, cut those 5 seconds out and join the rest",
])
def test_these_seconds_are_the_range_said_before(registry, request_text) -> None:
    assert steps_of(request_text, _upload(), registry) == [
        ("trim", {"audio": "@upload-1", "start": 70, "end": 75, "mode": "remove"})]


def test_those_seconds_with_no_range_said_are_the_seconds(registry) -> None:
    assert steps_of("先帮我降噪，再把开头我清嗓子的那两秒去掉", _upload(), registry) == [
        ("denoise", {"audio": "@upload-1"}), ("trim", {"audio": "@s1", "start": 2})]


@pytest.mark.parametrize("request_text, steps", [
    ("The room mic. It's stereo and I want it to stay that way, but cut everything below 60 Hz, the AC unit rumbles.",
     [("filter", {"kind": "highpass", "cutoff_hz": 60})]),
    ("What's the integrated loudness of this?", [("audio_info", {})]),
    ("why is it so quiet? can you fix it", [("gain", {"db": 6})]),
])
def test_a_state_kept_a_measurement_asked_and_a_state_to_fix(registry, request_text, steps) -> None:
    got = steps_of(request_text, _upload(), registry)
    assert [(t, {k: v for k, v in a.items() if k != "audio"}) for t, a in got] == steps


@pytest.mark.parametrize("request_text", ["Any idea why the hum gets worse when the rig is transmitting?",
                                          "为什么一开空调就有嗡嗡声？"])
def test_a_question_of_why_is_no_edit(registry, request_text) -> None:
    plan = RulePlanner().plan(request_text, _upload(), registry)
    assert plan.outcome == "unsupported" and "why" in plan.unsupported
