"""The rule planner on style transfer, binaural placement and inpainting requests (English and Chinese)."""

from __future__ import annotations

import pytest

from agent.context import PlanContext
from agent.planners.rules import RulePlanner
from tests.agent.planner_helpers import fake_record, steps_of


def ctx_of(*names: str, last: bool = False) -> PlanContext:
    ups = [fake_record(i, "audio", n) for i, n in enumerate(names, 1)]
    prev = [fake_record(90, "audio", "earlier.wav")] if last else []
    return PlanContext(uploads=ups, last=prev, artifacts={a.id: a for a in ups + prev})


STYLE = [
    ("say 'the meeting starts at ten' in the speaking style of this clip", ("reference.wav",),
     [("text_to_speech", {"text": "the meeting starts at ten"}),
      ("transfer_prosody", {"audio": "@s1", "reference": "@upload-1"})]),
    ("say the meeting starts at ten in the speaking style of this clip", ("reference.wav",),
     [("text_to_speech", {"text": "the meeting starts at ten"}),
      ("transfer_prosody", {"audio": "@s1", "reference": "@upload-1"})]),
    ("用这段录音的说话风格说：会议十点开始", ("reference.wav",),
     [("text_to_speech", {"text": "会议十点开始", "language": "zh"}),
      ("transfer_prosody", {"audio": "@s1", "reference": "@upload-1"})]),
    ("用这段录音的说话风格说会议十点开始", ("reference.wav",),
     [("text_to_speech", {"text": "会议十点开始", "language": "zh"}),
      ("transfer_prosody", {"audio": "@s1", "reference": "@upload-1"})]),
    ("make my recording follow the intonation of reference.wav", ("mine.wav", "reference.wav"),
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2"})]),
    ("copy the prosody of the first file onto the second", ("a.wav", "b.wav"),
     [("transfer_prosody", {"audio": "@upload-2", "reference": "@upload-1"})]),
    ("say 'good morning' a little bit in the speaking style of this clip, and the timbre too", ("ref.wav",),
     [("text_to_speech", {"text": "good morning"}),
      ("transfer_prosody", {"audio": "@s1", "reference": "@upload-1", "strength": 0.5, "timbre": True})]),
    # two aspects of one style are one request, not two steps; "match" / "跟…一样" / "改成…那样" name the reference
    ("make the first recording copy the rhythm and intonation of the second", ("a.wav", "b.wav"),
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2"})]),
    ("make my pacing and pitch match the second clip, but only about halfway", ("a.wav", "b.wav"),
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2", "strength": 0.5})]),
    ("让第一段录音的语调和节奏跟第二段一样", ("a.wav", "b.wav"),
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2"})]),
    ("用第二段的语气和语速来改第一段", ("a.wav", "b.wav"),
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2"})]),
    ("把第一个 clip 的 intonation 改成跟第二个 recording 一样，强度一半", ("a.wav", "b.wav"),
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2", "strength": 0.5})]),
]

PLACE = [
    ("make this sound like it comes from my left, slightly behind", [("binauralize", {"audio": "@upload-1", "azimuth": -120})]),
    ("make this sound like it comes from my left", [("binauralize", {"audio": "@upload-1", "azimuth": -90})]),
    ("make it sound like it comes from behind me on the right", [("binauralize", {"audio": "@upload-1", "azimuth": 135})]),
    ("make it sound like it's coming from behind me", [("binauralize", {"audio": "@upload-1", "azimuth": 180})]),
    ("put the voice above me, to the right", [("binauralize", {"audio": "@upload-1", "azimuth": 90, "elevation": 45})]),
    ("place the sound 45 degrees to the left", [("binauralize", {"audio": "@upload-1", "azimuth": -45})]),
    ("binaural, 30 degrees to the right and 20 degrees up",
     [("binauralize", {"audio": "@upload-1", "azimuth": 30, "elevation": 20})]),
    ("move the sound from left to right over 5 seconds",
     [("binauralize", {"audio": "@upload-1", "path": [0, -90, 0, 5, 90, 0]})]),
    ("让声音听起来在左后方", [("binauralize", {"audio": "@upload-1", "azimuth": -135})]),
    ("让声音听起来在右边", [("binauralize", {"audio": "@upload-1", "azimuth": 90})]),
    ("把声音放到头顶", [("binauralize", {"audio": "@upload-1", "elevation": 90})]),
    ("make it sound like it's coming from directly to my right", [("binauralize", {"audio": "@upload-1", "azimuth": 90})]),
    ("the narrator should hover over the listener's head", [("binauralize", {"audio": "@upload-1", "elevation": 90})]),
    ("make it 3D for headphones, coming from behind me", [("binauralize", {"audio": "@upload-1", "azimuth": 180})]),
    ("make the sound travel from my right side to my left side over 8 seconds",
     [("binauralize", {"audio": "@upload-1", "path": [0, 90, 0, 8, -90, 0]})]),
    ("让声音在十秒内从右边移动到左边", [("binauralize", {"audio": "@upload-1", "path": [0, 90, 0, 10, -90, 0]})]),
    ("放在左边稍微低一点的位置", [("binauralize", {"audio": "@upload-1", "azimuth": -90, "elevation": -15})]),
]

REPAIR = [
    ("fill the dropout between 2.0 and 2.1 seconds", [("inpaint", {"audio": "@upload-1", "start": 2, "end": 2.1})]),
    ("repair the dropouts", [("inpaint", {"audio": "@upload-1", "detect": True})]),
    ("修复2.0到2.1秒的断音", [("inpaint", {"audio": "@upload-1", "start": 2, "end": 2.1})]),
    ("修复所有断音", [("inpaint", {"audio": "@upload-1", "detect": True})]),
    ("fill the gap from 1.5 s to 1.55 s", [("inpaint", {"audio": "@upload-1", "start": 1.5, "end": 1.55})]),
    ("there's a 50 ms dropout at 3 seconds, fix it", [("inpaint", {"audio": "@upload-1", "start": 3, "end": 3.05})]),
    ("repair the dropouts and normalize to -16 LUFS",
     [("inpaint", {"audio": "@upload-1", "detect": True}), ("loudness_normalize", {"audio": "@s1", "target_lufs": -16})]),
    # the problem told first, the ask after ("fill it in", "帮我补上")
    ("there's a gap at 2.3 to 2.4 seconds, can you fill it?", [("inpaint", {"audio": "@upload-1", "start": 2.3, "end": 2.4})]),
    ("the audio cuts out from 7.2 to 7.3 seconds, fix that", [("inpaint", {"audio": "@upload-1", "start": 7.2, "end": 7.3})]),
    ("Patch the 80 ms hole at 1.2 seconds.", [("inpaint", {"audio": "@upload-1", "start": 1.2, "end": 1.28})]),
    ("Fix the 50 millisecond gap starting at 3 seconds.", [("inpaint", {"audio": "@upload-1", "start": 3, "end": 3.05})]),
    ("my recorder glitched and left tiny silent holes, can you patch them up?",
     [("inpaint", {"audio": "@upload-1", "detect": True})]),
    ("find and fill any dropouts", [("inpaint", {"audio": "@upload-1", "detect": True})]),
    ("2.5秒到2.6秒那里断了，帮我修一下", [("inpaint", {"audio": "@upload-1", "start": 2.5, "end": 2.6})]),
    ("把一点二秒到一点三秒的缺口补上", [("inpaint", {"audio": "@upload-1", "start": 1.2, "end": 1.3})]),
    ("录音中间有几处断音，帮我修复一下", [("inpaint", {"audio": "@upload-1", "detect": True})]),
]


@pytest.mark.parametrize("request_, uploads, expected", STYLE, ids=[s[0] for s in STYLE])
def test_style_transfer_requests(request_: str, uploads: tuple[str, ...], expected, registry) -> None:
    assert steps_of(request_, ctx_of(*uploads), registry) == expected


@pytest.mark.parametrize("request_, expected", PLACE, ids=[p[0] for p in PLACE])
def test_binaural_placement_requests(request_: str, expected, registry) -> None:
    assert steps_of(request_, ctx_of("voice.wav"), registry) == expected


@pytest.mark.parametrize("request_, expected", REPAIR, ids=[r[0] for r in REPAIR])
def test_inpainting_requests(request_: str, expected, registry) -> None:
    assert steps_of(request_, ctx_of("damaged.wav"), registry) == expected


def test_speech_placed_and_styled_chains_in_one_request(registry) -> None:
    assert steps_of("say 'hello there' from my right", ctx_of(), registry) == [
        ("text_to_speech", {"text": "hello there"}), ("binauralize", {"audio": "@s1", "azimuth": 90})]
    assert steps_of("从右边说：你好", ctx_of(), registry) == [
        ("text_to_speech", {"text": "你好", "language": "zh"}), ("binauralize", {"audio": "@s1", "azimuth": 90})]
    assert steps_of("say 'good morning' in the speaking style of this clip, from my left", ctx_of("ref.wav"), registry) == [
        ("text_to_speech", {"text": "good morning"}),
        ("transfer_prosody", {"audio": "@s1", "reference": "@upload-1"}),
        ("binauralize", {"audio": "@s2", "azimuth": -90})]
    assert steps_of("make the previous result follow the speaking style of this clip", ctx_of("ref.wav", last=True),
                    registry) == [("transfer_prosody", {"audio": "@last", "reference": "@upload-1"})]


@pytest.mark.parametrize("request_, uploads, asks", [
    ("say 'hello' in the speaking style of this clip", (), "reference"),  # no reference clip
    ("make my voice follow the intonation of this clip", ("only.wav",), "speech to convert"),
    ("move the sound from left to right", ("voice.wav",), "how many seconds"),
    ("there's a dropout at 3 seconds, fix it", ("damaged.wav",), "where does the gap"),
])
def test_missing_information_is_asked_for(request_: str, uploads: tuple[str, ...], asks: str, registry) -> None:
    plan = RulePlanner().plan(request_, ctx_of(*uploads), registry)
    assert plan.outcome == "clarify" and asks in str(plan.clarify).lower(), plan


def test_near_words_keep_their_own_tools(registry) -> None:
    """Silence removal stays unsupported, gaps between joined clips are a join, pitch and speed stay two steps."""
    plan = RulePlanner().plan("remove the silent gaps", ctx_of("voice.wav"), registry)
    assert plan.outcome == "unsupported"
    assert steps_of("join them with a 2 second gap", ctx_of("a.wav", "b.wav"), registry) == [
        ("concatenate", {"clips": ["@upload-1", "@upload-2"], "gap": 2})]
    assert [t for t, _ in steps_of("raise the pitch and speed it up", ctx_of("voice.wav"), registry)] == [
        "pitch_shift", "change_tempo"]


def test_panning_stays_unsupported_and_trimming_is_not_taken(registry) -> None:
    plan = RulePlanner().plan("pan it hard left", ctx_of("voice.wav"), registry)
    assert plan.outcome == "unsupported" and "panning" in str(plan.unsupported)
    assert steps_of("cut from 2 to 4 seconds", ctx_of("voice.wav"), registry) == [
        ("trim", {"audio": "@upload-1", "start": 2, "end": 4, "mode": "remove"})]


@pytest.mark.parametrize("request_", [
    "File 1 is my dry read; file 2 is the trailer voice guy. Shape my read to his cadence and pitch contour.",
    ("File 1 is me, bored stiff. File 2 is our director hyping the crowd. Can my read pick up his energy - the way his "
     "pitch swings and his pace? Keep it my own voice though."),
    ("Track 1 is our curator. Track 2 is the actor. Borrow the actor's rhythm and melody for the curator's read, but "
     "leave the curator sounding like himself."),
    "第一条是现在的广播，第二条是乘务员的播音。让第一条的语调和节奏往第二条那种感觉上学",
    "让第一个文件里的朗读学一下第二个文件的抑扬顿挫",
])
def test_more_ways_of_asking_for_anothers_delivery(registry, request_: str) -> None:
    ctx = PlanContext(uploads=[fake_record(1, "audio", "mine.wav"), fake_record(2, "audio", "ref.wav")])
    assert steps_of(request_, ctx, registry) == [
        ("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2"})]


@pytest.mark.parametrize("request_, args", [
    ("Audio tour: the narrator should come from about two o'clock, for headphones.", {"azimuth": 60}),
    ("果园里录的鸟叫，放到十点钟方向，带耳机听", {"azimuth": -60}),
    ("kite swoosh for the VR clip: travel from 9 o'clock to 3 o'clock over 4 sec, headphones",
     {"path": [0, -90, 0, 4, 90, 0]}),
])
def test_a_clock_face_around_the_listener_places_the_sound(registry, request_: str, args) -> None:
    ctx = PlanContext(uploads=[fake_record(1, "audio", "a.wav")])
    assert steps_of(request_, ctx, registry) == [("binauralize", {**args, "audio": "@upload-1"})]
