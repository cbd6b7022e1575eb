"""The rule planner on singing requests (a score file or inline notes, plus lyrics) and Mandarin speech."""

from __future__ import annotations

import pytest

from agent.artifacts import ArtifactRecord
from agent.context import PlanContext
from agent.planners.rules import RulePlanner
from agent.registry import Registry
from tests.agent.planner_helpers import fake_record, steps_of

NAMES = {"audio": "voice.wav", "score": "melody.mid", "image": "face.jpg"}


def ctx_of(*kinds: str) -> PlanContext:
    ups = [ArtifactRecord(id=f"{k}-{i:010d}", kind=k, file=f"artifacts/{k}-{i}.bin", format=NAMES[k].split(".")[-1],
                          bytes=1, sha256="0" * 64, created=float(i), source="upload", original_name=NAMES[k])
           for i, k in enumerate(kinds, 1)]
    return PlanContext(uploads=ups, last=[], artifacts={a.id: a for a in ups})


TWINKLE = "C4 C4 G4 G4 A4 A4 G4"
PLANS = [
    # the words of the recording, written down first, are what is sung
    ("Write down her words, then sing them on C4 D4 E4 F4 G4 G4 G4 at 110 bpm.", ("audio",),
     [("transcribe", {"audio": "@upload-1"}),
      ("sing", {"notes": "C4 D4 E4 F4 G4 G4 G4", "lyrics": "@s1.text", "tempo": 110})]),
    ("把这段语音里喊的那句口号听写下来，然后照着 C4 E4 G4 C5 G4 E4 C4 这串音唱出来", ("audio",),
     [("transcribe", {"audio": "@upload-1"}), ("sing", {"notes": "C4 E4 G4 C5 G4 E4 C4", "lyrics": "@s1.text"})]),
    ("sing 'twinkle twinkle little star' to this melody", ("score",),
     [("sing", {"score": "@upload-1", "lyrics": "twinkle twinkle little star"})]),
    (f"sing these lyrics: 一闪一闪亮晶晶 with notes {TWINKLE}", (),
     [("sing", {"notes": TWINKLE, "lyrics": "一闪一闪亮晶晶"})]),
    ("sing C4:twin C4:kle G4:twin G4:kle A4:lit A4:tle G4:star/2", (),
     [("sing", {"notes": "C4:twin C4:kle G4:twin G4:kle A4:lit A4:tle G4:star/2"})]),
    (f"sing twinkle twinkle little star with notes {TWINKLE}/2 at 90 bpm", (),
     [("sing", {"notes": f"{TWINKLE}/2", "lyrics": "twinkle twinkle little star", "tempo": 90})]),
    ("sing this melody", ("score",), [("sing", {"score": "@upload-1"})]),
    ("sing these lyrics: the weather is nice today with notes C4 D4 E4 F4 G4 A4", (),
     [("sing", {"notes": "C4 D4 E4 F4 G4 A4", "lyrics": "the weather is nice today"})]),
    ("唱：一闪一闪亮晶晶", ("score",), [("sing", {"score": "@upload-1", "lyrics": "一闪一闪亮晶晶"})]),
    ("用这个MIDI唱一闪一闪亮晶晶", ("score",), [("sing", {"score": "@upload-1", "lyrics": "一闪一闪亮晶晶"})]),
    ("把一闪一闪亮晶晶唱出来", ("score",), [("sing", {"score": "@upload-1", "lyrics": "一闪一闪亮晶晶"})]),
    (f"唱这首歌的歌词：一闪一闪亮晶晶，音符是{TWINKLE}", (), [("sing", {"notes": TWINKLE, "lyrics": "一闪一闪亮晶晶"})]),
    ("唱歌词'我们一起唱歌'，音符 E4 F4 G4 G4 F4 E4，速度120", (),
     [("sing", {"notes": "E4 F4 G4 G4 F4 E4", "lyrics": "我们一起唱歌", "tempo": 120})]),
    ("sing 'happy birthday to you' to this melody, then add a hall reverb", ("score",),
     [("sing", {"score": "@upload-1", "lyrics": "happy birthday to you"}), ("reverb", {"room": "hall", "audio": "@s1"})]),
    # Mandarin speech stays text_to_speech (fastspeech2-zh or espeak-ng is the tool's choice, not the plan's)
    ("用普通话说：今天天气很好", (), [("text_to_speech", {"text": "今天天气很好", "language": "zh"})]),
    ("say '你好，世界' in Mandarin", (), [("text_to_speech", {"text": "你好，世界", "language": "zh"})]),
    # the melody named on its own, tempo in words or after 调到, "唱完" = after singing
    ("Take this MIDI tune and sing 'good night moon' on it.", ("score",),
     [("sing", {"score": "@upload-1", "lyrics": "good night moon"})]),
    ("Sing this sheet music at eighty beats per minute", ("score",), [("sing", {"score": "@upload-1", "tempo": 80})]),
    ("sing the melody in the atached score and export it as mp3", ("score",),
     [("sing", {"score": "@upload-1"}), ("convert", {"audio": "@s1", "format": "mp3"})]),
    ("用这个 MIDI sing 一下，lyrics 是“月亮代表我的心”，tempo 调到 72", ("score",),
     [("sing", {"score": "@upload-1", "lyrics": "月亮代表我的心", "tempo": 72})]),
    ("把这个乐谱唱一遍，唱完加点混响", ("score",), [("sing", {"score": "@upload-1"}), ("reverb", {"audio": "@s1"})]),
    ("用这个 MIDI 唱一下，唱完之后转成 wav", ("score",),
     [("sing", {"score": "@upload-1"}), ("convert", {"audio": "@s1", "format": "wav"})]),
]


@pytest.mark.parametrize("request_, inputs, expected", PLANS, ids=[r for r, _, _ in PLANS])
def test_singing_plans(request_: str, inputs: tuple[str, ...], expected: list, registry: Registry) -> None:
    assert steps_of(request_, ctx_of(*inputs), registry) == expected


def test_singing_without_a_melody_asks_for_one(registry: Registry) -> None:
    plan = RulePlanner().plan("sing happy birthday", ctx_of(), registry)
    assert plan.outcome == "clarify" and "-i" in plan.clarify and "C4" in plan.clarify


@pytest.mark.parametrize("request_, inputs", [
    ("用周杰伦的声音唱这句歌词：天青色等烟雨", ()),  # someone else's voice: cloning, not singing
    ("remove the singing", ("audio",)),  # source separation
    ("Make this sound like Taylor Swift is singing it.", ("audio",)),
])
def test_what_singing_does_not_cover_stays_unsupported(request_: str, inputs: tuple[str, ...], registry: Registry) -> None:
    assert RulePlanner().plan(request_, ctx_of(*inputs), registry).outcome == "unsupported"


@pytest.mark.parametrize("request_", [
    "can you make my vocals sound like I'm singing in a huge cathedral? that would be so cool",
    "把人声弄得像在大教堂里唱歌一样",
])
def test_singing_in_a_hall_is_still_reverb(request_: str, registry: Registry) -> None:
    assert [t for t, _ in steps_of(request_, ctx_of("audio"), registry)] == ["reverb"]


def test_lyrics_words_are_not_requests(registry: Registry) -> None:
    """'transcribe', 'video' or 'translate' inside the lyrics are words to sing."""
    got = steps_of("sing these lyrics: translate this video into words with notes C4 D4 E4 F4 G4 A4 B4", ctx_of(), registry)
    assert got == [("sing", {"notes": "C4 D4 E4 F4 G4 A4 B4", "lyrics": "translate this video into words"})]


@pytest.mark.parametrize("request_, tempo", [
    ("这是我写的儿歌MIDI，帮我唱一遍，速度放慢到每分钟八十拍，唱完导出wav", 80),
    ("The attached MusicXML is our harvest song. Sing it through, but slower than written, at 72 bpm.", 72),
    ("用附件的 MusicXML sing 一遍，tempo 放到 76", 76),
])
def test_a_tempo_said_beside_a_song_is_the_songs_tempo(registry, request_: str, tempo: int) -> None:
    ctx = PlanContext(uploads=[fake_record(1, "score", "song.mid")])
    steps = steps_of(request_, ctx, registry)
    assert steps[0] == ("sing", {"score": "@upload-1", "tempo": tempo})
    assert [t for t, _ in steps[1:]] in ([], ["convert"])


def test_a_tempo_said_before_the_notes_and_new_lyrics_for_a_score(registry) -> None:
    steps = steps_of("按每分钟一百二十拍，把“春天来了”唱在E4 E4 F4 G4这几个音上", PlanContext(), registry)
    assert steps == [("sing", {"notes": "E4 E4 F4 G4", "lyrics": "春天来了", "tempo": 120})]
    ctx = PlanContext(uploads=[fake_record(1, "score", "song.mid")])
    steps = steps_of("附件的 MIDI 帮我 sing 一下，lyrics 换成 'happy tails to you'，tempo one-twenty", ctx, registry)
    assert steps == [("sing", {"score": "@upload-1", "lyrics": "happy tails to you", "tempo": 120})]
