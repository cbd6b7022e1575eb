"""The rule planner going back to earlier artifacts of a session (history.py), and reading chatty requests
(speech_acts.py): statements that only describe the problem, thanks, per-file steps, speech of a transcript."""

from __future__ import annotations

from typing import Any

import pytest

from agent.artifacts import ArtifactRecord, Manifest, RunRecord, StepRecord
from agent.context import PastRun, PlanContext
from agent.plan import Plan
from agent.planners.rules import RulePlanner
from agent.registry import Registry
from tests.agent.planner_helpers import FakeSession, steps_of


@pytest.fixture
def echo_session() -> tuple[FakeSession, str, str]:
    """r1: an upload given an echo; r2: speech; r3: a refused request. Returns (session, upload ref, r1 output ref)."""
    s = FakeSession()
    ups, outs = s.run(uploads=1, steps=("reverb",))
    s.run(steps=("text_to_speech",))
    s.run()
    return s, f"@{ups[0].id}", f"@{outs[0].id}"


# ------------------------------------------------------------------ back to the original upload
@pytest.mark.parametrize("request_text", [
    "ok forget that. take the untouched upload again and turn it down 2 dB",
    "actually, take the first file I gave you and turn it down 2 dB",
    "拿我最早上传的那个文件，音量调低2分贝",
    "return to the very first recording and turn it down 2 dB",
    "take my untouched upload once more and turn it down 2 dB",
    "revert to the unedited clip, then turn it down 2 dB",
    "the one I sent at the beginning: turn it down 2 dB",
    "go back to what I uploaded at first and turn it down 2 dB",
    "the take before the echo, turn it down 2 dB",
    "回到一开始上传的那个音频，音量调低2分贝",
    "拿原本的录音，音量降低2分贝",
])
def test_back_to_the_original_upload(registry: Registry, echo_session, request_text: str) -> None:
    s, upload, _ = echo_session
    assert steps_of(request_text, s.ctx(), registry) == [("gain", {"audio": upload, "db": -2})]


@pytest.mark.parametrize("request_text", [
    "go back to the echoed version and convert it to ogg",
    "the reverbed take from earlier - convert it to ogg",
    "use the first result again and convert it to ogg",
    "把第一次的结果导出成ogg",
    "回到加过混响的那个版本，转成ogg",
])
def test_back_to_an_earlier_result(registry: Registry, echo_session, request_text: str) -> None:
    s, _, made = echo_session
    assert steps_of(request_text, s.ctx(), registry) == [("convert", {"audio": made, "format": "ogg"})]


def test_the_one_before_an_edit_named_in_apposition(registry: Registry) -> None:
    s = FakeSession()
    ups, _ = s.run(uploads=1, steps=("resample",))
    s.run()
    assert steps_of("Fine. Take the raw file again, the one before mono, and denoise it.", s.ctx(), registry) == [
        ("denoise", {"audio": f"@{ups[0].id}"})]


def test_a_result_is_found_by_the_step_that_made_it(registry: Registry) -> None:
    s = FakeSession()
    _, first = s.run(uploads=1, steps=("loudness_normalize",))
    _, second = s.run(uploads=1, steps=("change_tempo",))
    s.run(steps=("text_to_speech",))
    ctx = s.ctx()
    assert steps_of("go back to the sped up clip and fade it out", ctx, registry)[0][1]["audio"] == f"@{second[0].id}"
    assert steps_of("grab the normalised file from before and fade it out", ctx, registry)[0][1]["audio"] == \
        f"@{first[0].id}"
    assert steps_of("之前标准化过的那段，淡出两秒", ctx, registry) == [
        ("fade", {"audio": f"@{first[0].id}", "fade_out": 2})]


@pytest.mark.parametrize("request_text", [
    "never mind. take the one you made louder and save it as an mp3",
    "go back to the one you made louder, as an mp3 please",
    "算了，之前调大声的那个，转成mp3",
])
def test_a_result_named_by_what_was_done_to_it(registry: Registry, request_text: str) -> None:
    s = FakeSession()
    _, louder = s.run(uploads=1, steps=("gain",))
    s.run(uploads=1, steps=("trim",))
    assert steps_of(request_text, s.ctx(), registry) == [("convert", {"audio": f"@{louder[0].id}", "format": "mp3"})]


@pytest.mark.parametrize(("question", "request_text"), [
    ("what's the weather in Paris?", "Go back to the version from before the weather question and add a hall reverb."),
    ("巴黎天气怎么样？", "问天气之前那个版本，加个大厅混响"),
])
def test_the_version_from_before_an_unrelated_question(registry: Registry, question: str, request_text: str) -> None:
    s = FakeSession()
    _, slowed = s.run(uploads=1, steps=("change_tempo",), request="slow it down to 0.9x")
    s.run(request=question)  # refused: made nothing
    s.run(steps=("text_to_speech",), request="say 'good night'")
    assert steps_of(request_text, s.ctx(), registry) == [("reverb", {"audio": f"@{slowed[0].id}", "room": "hall"})]


def test_the_kth_of_several_files_uploaded_at_the_start(registry: Registry) -> None:
    s = FakeSession()
    ups, _ = s.run(uploads=2, steps=("mix",))
    s.run(uploads=1, steps=("denoise",))
    ctx = s.ctx()
    assert steps_of("Back to the second of the two files I uploaded at the start - keep only its first ten seconds.",
                    ctx, registry) == [("trim", {"audio": f"@{ups[1].id}", "end": 10})]
    assert steps_of("最开始上传的那两段里的第一段，转成文字", ctx, registry) == [("transcribe", {"audio": f"@{ups[0].id}"})]


def test_ordinals_pick_among_earlier_uploads(registry: Registry) -> None:
    s = FakeSession()
    first, _ = s.run(uploads=1, steps=("denoise",))
    second, _ = s.run(uploads=1, steps=("trim",))
    ctx = s.ctx()
    assert steps_of("go back to the second upload and make it mono", ctx, registry) == [
        ("resample", {"audio": f"@{second[0].id}", "channels": 1})]
    assert steps_of("最开始那个文件转成单声道", ctx, registry) == [
        ("resample", {"audio": f"@{first[0].id}", "channels": 1})]


def test_the_transcript_from_before_is_read_aloud(registry: Registry) -> None:
    s = FakeSession()
    _, outs = s.run(uploads=1, steps=("transcribe",))
    s.run(steps=("text_to_speech", "reverb"))
    text = f"@{outs[0].id}"
    assert steps_of("speak the transcription from earlier", s.ctx(), registry) == [("text_to_speech", {"text": text})]
    assert steps_of("read the earlier transcript back slowly", s.ctx(), registry) == [
        ("text_to_speech", {"text": text, "speed": 0.8})]
    assert steps_of("把之前的转写用语音读出来", s.ctx(), registry) == [("text_to_speech", {"text": text})]


def test_files_of_this_request_are_not_taken_for_earlier_ones(registry: Registry, echo_session) -> None:
    s, _, _ = echo_session
    ctx = s.ctx(uploads=2)
    assert steps_of("mix the second file under the first one at -12 dB", ctx, registry) == [
        ("mix", {"audio": "@upload-1", "other": "@upload-2", "other_gain_db": -12})]
    assert steps_of("trim the original to 10 seconds", ctx, registry) == [("trim", {"audio": "@upload-1", "end": 10})]


def test_this_requests_own_step_is_not_an_earlier_result(registry: Registry, echo_session) -> None:
    s, _, _ = echo_session
    assert steps_of("add an echo to the original upload, then fade the echoed version out", s.ctx(), registry)[1] == (
        "fade", {"audio": "@s1", "fade_out": 1})


def test_do_the_same_to_an_earlier_file(registry: Registry, echo_session) -> None:
    s, upload, _ = echo_session
    s.runs[0].steps = [{"id": "s1", "tool": "reverb", "args": {"audio": "@upload-1", "room": "hall"}},
                       {"id": "s2", "tool": "fade", "args": {"audio": "@s1", "fade_out": 2}}]
    expected = [("reverb", {"audio": upload, "room": "hall"}), ("fade", {"audio": "@s1", "fade_out": 2})]
    assert steps_of("ok, now apply the same edits to my untouched upload", s.ctx(), registry) == expected
    assert steps_of("对最开始上传的文件也做同样的处理", s.ctx(), registry) == expected


def test_no_history_leaves_the_request_alone(registry: Registry) -> None:
    ctx = PlanContext(uploads=[], last=[], artifacts={})
    assert RulePlanner().plan("go back to the original recording and denoise it", ctx, registry).outcome == "clarify"


def test_history_is_built_from_the_manifest_and_described() -> None:
    up = ArtifactRecord(id="audio-00000000aa", kind="audio", file="f", format="wav", bytes=1, sha256="0", created=1,
                        source="upload", original_name="talk.wav")
    out = ArtifactRecord(id="audio-00000000bb", kind="audio", file="f", format="wav", bytes=1, sha256="0", created=2,
                         source="r1/s1", tool="reverb", inputs=[up.id])
    done = RunRecord(id="r1", request="add a hall reverb", started=1, uploads=[up.id], final=[out.id], status="ok",
                     steps=[StepRecord(id="s1", tool="reverb", args={}, status="ok", outputs={"audio": out.id})])
    now = RunRecord(id="r2", request="now this", started=2)  # the run being planned
    m = Manifest(name="t", created=0, artifacts={up.id: up, out.id: out}, runs=[done, now])

    class _S:
        manifest = m

        def last_outputs(self) -> list[str]:
            return [out.id]

    ctx = PlanContext.from_session(_S(), [])  # type: ignore[arg-type]
    assert [(r.id, [a.id for a in r.uploads], [a.id for a in r.outputs]) for r in ctx.history] == [
        ("r1", [up.id], [out.id])]
    refs = ctx.describe()
    assert {"ref": "@last", "kind": "audio", "made_by": "reverb"}.items() <= refs[0].items()
    earlier = [r for r in refs if r["ref"] == f"@{up.id}"]
    assert earlier and earlier[0]["from"] == "r1 upload" and earlier[0]["name"] == "talk.wav"


# ------------------------------------------------------------------ chatty requests
def _ctx(uploads: int = 1) -> PlanContext:
    s = FakeSession()
    return s.ctx(uploads=uploads)


@pytest.mark.parametrize("request_text, expected", [
    ("the intro drags on forever, could you cut the first 6 seconds?", [("trim", {"audio": "@upload-1", "start": 6})]),
    ("my mic picked up a lot of hiss. please normalize it to -18 LUFS", [
        ("loudness_normalize", {"audio": "@upload-1", "target_lufs": -18})]),
    ("整个录音声音太小了，帮我标准化到-20 LUFS", [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -20})]),
    ("it's way too loud", [("gain", {"audio": "@upload-1", "db": -10})]),
    ("perfect, thanks! now export it as flac", [("convert", {"audio": "@upload-1", "format": "flac"})]),
    ("太好了，谢谢！再转成ogg", [("convert", {"audio": "@upload-1", "format": "ogg"})]),
    ("it's quite noisy. also cut the last 2 seconds", [("denoise", {"audio": "@upload-1"}),
                                                       ("trim", {"audio": "@s1", "end": -2})]),
])
def test_statements_are_context(registry: Registry, request_text: str, expected: list[Any]) -> None:
    assert steps_of(request_text, _ctx(), registry) == expected


@pytest.mark.parametrize("request_text, expected", [
    ("hey, could you please make my voice memo a bit louder? like 4 dB maybe", [("gain", {"audio": "@upload-1", "db": 4})]),
    ("ok so my voice memo has 3 seconds of nothing at the start, could you cut that off?",
     [("trim", {"audio": "@upload-1", "start": 3})]),
    ("um, can you just transcribe my voice memo real quick", [("transcribe", {"audio": "@upload-1"})]),
    ("my voice memo has a hum from the fridge, any chance you could get rid of it?", [("remove_hum", {"audio": "@upload-1"})]),
    ("could you do me a favor and convert my voice memo to wav", [("convert", {"audio": "@upload-1", "format": "wav"})]),
    ("Actually, speed it up. 1.5x", [("change_tempo", {"audio": "@upload-1", "rate": 1.5})]),
    ("嗨，我这个录音噪音好大，麻烦帮我降个噪，谢谢啦", [("denoise", {"audio": "@upload-1"})]),
])
def test_chatty_fillers_and_late_amounts(registry: Registry, request_text: str, expected: list[Any]) -> None:
    assert steps_of(request_text, _ctx(), registry) == expected


@pytest.mark.parametrize("request_text, expected", [
    ("remvoe the fisrt 4 seconds", [("trim", {"audio": "@upload-1", "start": 4})]),
    ("lowr the volume by 2 db", [("gain", {"audio": "@upload-1", "db": -2})]),
    ("加点混想", [("reverb", {"audio": "@upload-1"})]),
    ("raise the pitch without changing the speed", [("pitch_shift", {"audio": "@upload-1", "semitones": 2})]),
])
def test_typos_and_kept_qualities(registry: Registry, request_text: str, expected: list[Any]) -> None:
    assert steps_of(request_text, _ctx(), registry) == expected


def test_each_file_gets_its_own_step(registry: Registry) -> None:
    assert steps_of("convert each file to flac", _ctx(2), registry) == [
        ("convert", {"audio": "@upload-1", "format": "flac"}), ("convert", {"audio": "@upload-2", "format": "flac"})]
    assert steps_of("trim both recordings to 20 seconds, then join them", _ctx(2), registry) == [
        ("trim", {"audio": "@upload-1", "end": 20}), ("trim", {"audio": "@upload-2", "end": 20}),
        ("concatenate", {"clips": ["@s1", "@s2"]})]
    assert steps_of("两段分别降噪", _ctx(2), registry) == [("denoise", {"audio": "@upload-1"}),
                                                      ("denoise", {"audio": "@upload-2"})]


def test_a_later_clause_names_its_own_file(registry: Registry) -> None:
    assert steps_of("transcribe the second file and check how long the first file is", _ctx(2), registry) == [
        ("transcribe", {"audio": "@upload-2"}), ("audio_info", {"audio": "@upload-1"})]


@pytest.mark.parametrize("request_text, speed", [
    ("transcribe this, then read the text back to me", None),
    ("transcribe this and read the transcript out loud at 1.5x", 1.5),
    ("把它转写成文字，然后用语音念出来，慢一点", 0.8),
])
def test_speech_of_this_requests_transcript(registry: Registry, request_text: str, speed: float | None) -> None:
    tts: dict[str, Any] = {"text": "@s1.text", **({"speed": speed} if speed else {})}
    assert steps_of(request_text, _ctx(), registry) == [("transcribe", {"audio": "@upload-1"}), ("text_to_speech", tts)]


def test_speaking_manner_belongs_to_the_speech(registry: Registry) -> None:
    assert steps_of("say 'see you tomorrow' in a relaxed, slow voice, then add reverb", _ctx(0), registry) == [
        ("text_to_speech", {"text": "see you tomorrow", "speed": 0.8}), ("reverb", {"audio": "@s1"})]
    assert steps_of("用中文说“明天见”，语速1.2", _ctx(0), registry) == [
        ("text_to_speech", {"text": "明天见", "language": "zh", "speed": 1.2})]


@pytest.mark.parametrize("request_text", [
    "read this in Barack Obama's voice: hello", "write me a poem about rain", "generate a chill lofi track",
    "make it sound like a choir is singing it", "email the result to my manager",
    "make my voice sound like Morgan Freeman", "tell me the chords of this song", "把这首歌的人声去掉", "remove all the ums",
])
def test_still_unsupported(registry: Registry, request_text: str) -> None:
    plan: Plan = RulePlanner().plan(request_text, _ctx(), registry)
    assert plan.outcome == "unsupported", plan.to_json()


@pytest.mark.parametrize("request_text, tool", [
    ("make the voice a lot deeper, 5 semitones", "pitch_shift"),
    ("leave two seconds of silence between the clips", "concatenate"),
    ("make it sound like we sang it in a big hall", "reverb"),
    ("cut a ringtone out of the first 20 seconds", "trim"),
    ("把两段录音中间加两秒空白拼起来", "concatenate"),
    ("make it sound like it's coming through a phone", "filter"),
])
def test_near_misses_are_supported(registry: Registry, request_text: str, tool: str) -> None:
    assert steps_of(request_text, _ctx(2), registry)[0][0] == tool


@pytest.mark.parametrize("request_text, target", [
    ("Actually, the output of my first request: convert it to ogg.", "made"),
    ("那个有 reverb 的 version，转成 ogg", "made"),
    ("一开始那个没处理的，转成ogg", "upload"),
    ("Go back to my first upload, the unreverbed one, and convert it to ogg.", "upload"),
])
def test_more_ways_of_naming_an_earlier_file(registry: Registry, echo_session, request_text: str, target: str) -> None:
    s, upload, made = echo_session
    assert steps_of(request_text, s.ctx(), registry) == [
        ("convert", {"audio": made if target == "made" else upload, "format": "ogg"})]


def test_what_was_transcribed_earlier_is_read_out(registry: Registry) -> None:
    s = FakeSession()
    _, outs = s.run(uploads=1, steps=("transcribe",))
    s.run(request="what's the exchange rate?")
    assert steps_of("Have the voice read out what you transcribed earlier.", s.ctx(), registry) == [
        ("text_to_speech", {"text": f"@{outs[0].id}"})]


# ------------------------------------------------------------------ more shapes of going back
def test_an_earlier_result_named_by_the_words_of_its_request(registry: Registry) -> None:
    s = FakeSession()
    _, music = s.run(uploads=1, steps=("gain",), request="Turn this music down 6 dB.")
    _, speech = s.run(steps=("text_to_speech",), request="Say 'Now boarding, gate twelve'.")
    s.run(request="Thanks, that sounds great.")
    (tool, args), = steps_of("Lay the boarding announcement over the quieter music.", s.ctx(), registry)
    assert tool == "mix" and {args["audio"], args["other"]} == {f"@{music[0].id}", f"@{speech[0].id}"}


@pytest.mark.parametrize(("request_text", "intro_first"), [
    ("Put the intro you generated in front of this recording, with half a second of silence between them.", True),
    ("Stick the intro you generated onto the end of this new clip.", False),
    ("把之前生成的那段开场白接在这段录音前面", True),
])
def test_an_earlier_result_joined_with_this_turns_file(registry: Registry, request_text: str, intro_first: bool) -> None:
    s = FakeSession()
    _, intro = s.run(steps=("text_to_speech",), request="Read 'Welcome to the Morning Show' aloud.")
    s.run(request="Set a reminder for 9 am tomorrow.")
    (tool, args), = steps_of(request_text, s.ctx(uploads=1), registry)
    pair = [f"@{intro[0].id}", "@upload-1"]
    assert tool == "concatenate" and args["clips"] == (pair if intro_first else pair[::-1])


def test_two_earlier_results_by_ordinal_with_one_noun(registry: Registry) -> None:
    s = FakeSession()
    outs = [s.run(steps=("text_to_speech",), request=f"Say '{w}'.")[1][0] for w in ("Hello", "Goodbye", "Welcome back")]
    assert steps_of("Join the first and the third clips you generated, with a one second gap.", s.ctx(), registry) == [
        ("concatenate", {"clips": [f"@{outs[0].id}", f"@{outs[2].id}"], "gap": 1})]


@pytest.mark.parametrize("request_text", ["Take the song you sang earlier and add a hall reverb.",
                                          "之前唱的那首歌，加大厅混响"])
def test_a_sung_result_is_not_a_request_to_sing(registry: Registry, request_text: str) -> None:
    s = FakeSession()
    _, song = s.run(steps=("sing",), request="Sing 'happy birthday' with the notes C4 C4 D4 C4 F4 E4.")
    s.run(steps=("text_to_speech",), request="Say 'Make a wish' out loud.")
    assert steps_of(request_text, s.ctx(), registry) == [("reverb", {"audio": f"@{song[0].id}", "room": "hall"})]


@pytest.mark.parametrize("request_text", ["Use the portrait from the beginning again and have it say 'Thanks for watching'.",
                                          "用之前那张 photo 说 'Thanks for watching'"])
def test_an_earlier_photo_speaks_again(registry: Registry, request_text: str) -> None:
    s = FakeSession()
    photo = s._rec("image")
    voice = s._rec("audio")
    video = s._rec("video", "talking_head", [voice.id])
    s.runs.append(PastRun(id="r1", request="Animate this portrait with my voice memo.", uploads=[photo, voice],
                          outputs=[video], made=[video]))
    s.run(uploads=1, steps=("remove_hum",), request="Remove the hum from this recording.")
    assert steps_of(request_text, s.ctx(), registry) == [
        ("text_to_speech", {"text": "Thanks for watching"}), ("talking_head", {"image": f"@{photo.id}", "audio": "@s1"})]


def test_an_artifact_ruled_out_is_not_read(registry: Registry) -> None:
    s = FakeSession()
    s.run(steps=("text_to_speech",), request="Read 'Chapter one' aloud.")
    ups, _ = s.run(uploads=1, steps=("change_tempo",), request="Speed this recording up by 10 percent.")
    request = "Use the original recording I sent, not the sped-up one, and remove the hum from it."
    assert steps_of(request, s.ctx(), registry) == [("remove_hum", {"audio": f"@{ups[0].id}"})]


def test_a_format_word_is_a_reference_only_with_a_determiner(registry: Registry) -> None:
    s = FakeSession()
    _, mp3 = s.run(uploads=1, steps=("convert",), request="export this as mp3 please")
    s.run(steps=("text_to_speech",), request="Say 'episode two'.")
    ctx = s.ctx()
    assert steps_of("grab the mp3 you made and fade it in over 1.5 s", ctx, registry) == [
        ("fade", {"audio": f"@{mp3[0].id}", "fade_in": 1.5})]
    assert steps_of("now save it as mp3 too", ctx, registry) == [("convert", {"audio": "@last", "format": "mp3"})]


def test_an_earlier_result_named_by_the_amount_of_its_edit(registry: Registry) -> None:
    s = FakeSession()
    _, fast = s.run(uploads=1, steps=("change_tempo",), request="make it twice as fast")
    s.run(steps=("text_to_speech",), request="Say 'bye'.")
    assert steps_of("take the 2x one and save it as mp3", s.ctx(), registry) == [
        ("convert", {"audio": f"@{fast[0].id}", "format": "mp3"})]


# ------------------------------------------------------------------ descriptions (history_desc.py)
def _three_speeches(s: FakeSession) -> list[ArtifactRecord]:
    return [s.run(steps=("text_to_speech",), request=f"Say '{w}'.")[1][0]
            for w in ("Doors open at seven", "Previously on Deep Space Radio", "请保持安静")]


@pytest.mark.parametrize("request_text, which", [
    ("Put a cathedral reverb on the 'Previously on' line.", 1),
    ("不对，是另一个，'Doors open' 那句加 cathedral reverb", 0),
    ("把说“请保持安静”的那句加教堂混响", 2),
    ("put a cathedral reverb on the doors-open-at-seven line", 0),
])
def test_an_earlier_result_named_by_the_words_it_says(registry: Registry, request_text: str, which: int) -> None:
    s = FakeSession()
    outs = _three_speeches(s)
    assert steps_of(request_text, s.ctx(), registry) == [("reverb", {"audio": f"@{outs[which].id}", "room": "cathedral"})]


@pytest.mark.parametrize("request_text", ["Grab interview_guest.wav by itself and denoise it.",
                                          "interview_guest那个文件按我传上来的样子降个噪"])
def test_an_earlier_upload_named_by_its_file_name(registry: Registry, request_text: str) -> None:
    s = FakeSession()
    ups, _ = s.run(uploads=2, steps=("concatenate",),
                   request="interview_host.wav and interview_guest.wav - put them one after the other, host first.")
    s.run(steps=("text_to_speech",), request="Say 'This interview has been edited for length'.")
    assert steps_of(request_text, s.ctx(), registry) == [("denoise", {"audio": f"@{ups[1].id}"})]


@pytest.mark.parametrize("request_text", ["Whatever came out of the denoiser - bring that to -19 LUFS.",
                                          "the clip you ran the noise remover on: bring it to -19 LUFS",
                                          "用降噪工具跑过的那条，响度标准化到负十九LUFS"])
def test_an_earlier_result_named_by_the_tool_that_made_it(registry: Registry, request_text: str) -> None:
    s = FakeSession()
    _, clean = s.run(uploads=1, steps=("denoise",), request="Run the denoiser on this.")
    s.run(uploads=1, steps=("remove_hum",), request="And run the hum remover on this other one.")
    s.run(uploads=1, steps=("trim",), request="keep just the first 20 seconds of this")
    assert steps_of(request_text, s.ctx(), registry) == [
        ("loudness_normalize", {"audio": f"@{clean[0].id}", "target_lufs": -19})]


@pytest.mark.parametrize("request_text, which", [
    ("The result before the last one - give it a small room reverb.", 1),
    ("倒数第二个生成的，加小房间混响", 1),
    ("第一轮出来的那个，加小房间混响", 0),
    ("The very first thing you made me this session, before the reading - give it a small room reverb.", 0),
])
def test_an_earlier_result_named_by_its_position(registry: Registry, request_text: str, which: int) -> None:
    s = FakeSession()
    outs = _three_speeches(s)
    assert steps_of(request_text, s.ctx(), registry) == [("reverb", {"audio": f"@{outs[which].id}", "room": "small"})]


def test_the_middle_one_of_the_files_sent(registry: Registry) -> None:
    s = FakeSession()
    ups = [s.run(uploads=1, steps=(tool,), request="...")[0][0] for tool in ("trim", "gain", "fade")]
    request = "Of the three files I sent, the middle one - as I sent it, not the quieter version - high-pass it at 70 Hz."
    assert steps_of(request, s.ctx(), registry) == [
        ("filter", {"audio": f"@{ups[1].id}", "kind": "highpass", "cutoff_hz": 70})]


def test_two_earlier_results_named_by_effect_and_by_request_words(registry: Registry) -> None:
    s = FakeSession()
    _, wall = s.run(uploads=1, steps=("filter",), request="Make this sound like it's coming through a wall, lowpass 800.")
    _, dialogue = s.run(uploads=1, steps=("denoise",), request="Here's the dialogue track. Denoise it gently.")
    s.run(steps=("text_to_speech",), request="Say 'hello'.")
    assert steps_of("lay the muffled one under the dialogue at -10 dB", s.ctx(), registry) == [
        ("mix", {"audio": f"@{dialogue[0].id}", "other": f"@{wall[0].id}", "other_gain_db": -10})]


@pytest.mark.parametrize("request_text", ["Have a synthetic voice read out what the landlord said.",
                                          "把 voicemail 里说的那些话，合成语音读出来"])
def test_what_someone_said_is_the_transcript(registry: Registry, request_text: str) -> None:
    s = FakeSession()
    s.run(uploads=1, steps=("transcribe",), request="Transcribe this, it's a voicemail from my landlord.")
    text = s.runs[-1].made[0]
    s.run(uploads=1, steps=("loudness_normalize",), request="this podcast clip needs to sit at -16 LUFS")
    assert steps_of(request_text, s.ctx(), registry) == [("text_to_speech", {"text": f"@{text.id}"})]


def test_a_clause_that_only_names_an_earlier_file_is_the_input_of_the_next(registry: Registry) -> None:
    s = FakeSession()
    s.run(uploads=1, steps=("fade",), request="Fade in the first 2 seconds of this intro music.")
    _, speech = s.run(steps=("text_to_speech",), request="Say 'You're listening to Night Shift radio'.")
    s.run(steps=("mix",), request="Mix that voice over the faded music.")
    request = "I'd also like the spoken line by itself, no music. Normalize just the voice to -14 LUFS."
    assert steps_of(request, s.ctx(), registry) == [
        ("loudness_normalize", {"audio": f"@{speech[0].id}", "target_lufs": -14})]


def test_an_input_of_an_earlier_join(registry: Registry) -> None:
    s = FakeSession()
    a, b = s._rec("audio"), s._rec("audio")
    joined = s._rec("audio", "concatenate", [a.id, b.id])
    s.runs.append(PastRun(id="r1", request="把这两段拼起来", uploads=[a, b], outputs=[joined], made=[joined]))
    s.run(steps=("loudness_normalize",), request="...")
    assert steps_of("拼接用的第二段素材，单独拿出来加点混响", s.ctx(), registry) == [("reverb", {"audio": f"@{b.id}"})]


def test_a_person_named_in_an_earlier_request_picks_its_result(registry: Registry) -> None:
    s = FakeSession()
    _, mum = s.run(uploads=1, steps=("equalize",), request="voice note for my mum's birthday, boost the mids by 5 dB")
    s.run(uploads=1, steps=("loudness_normalize",), request="this one's for my brother, normalize it to -14")
    assert steps_of("ok. mum's one - slow it down a touch too, 0.9x", s.ctx(), registry) == [
        ("change_tempo", {"audio": f"@{mum[0].id}", "rate": 0.9})]


@pytest.mark.parametrize("request_text", ["外公那条，用他发来的原始录音，降噪前的那个，转成单声道",
                                          "For grandpa's one, the raw file as I sent it: make it mono."])
def test_the_file_as_sent_of_a_described_turn(registry: Registry, request_text: str) -> None:
    s = FakeSession()
    s.run(uploads=1, steps=("equalize",), request="这是奶奶发来的语音 (grandma), 中频提高六分贝")
    sent, _ = s.run(uploads=1, steps=("denoise",), request="这是外公的 (grandpa's)，背景有电视的声音，降噪")
    s.run(steps=("text_to_speech",), request="Say 'hi'.")
    assert steps_of(request_text, s.ctx(), registry) == [("resample", {"audio": f"@{sent[0].id}", "channels": 1})]


def test_a_transcribed_recording_named_again_is_its_audio(registry: Registry) -> None:
    s = FakeSession()
    sent, _ = s.run(uploads=1, steps=("transcribe",), request="Deposition audio, witness testimony. Transcribe it.")
    s.run(uploads=1, steps=("resample",), request="This is the attorney's statement. Make it mono.")
    assert steps_of("For the witness recording itself, the audio file, give me its duration.", s.ctx(), registry) == [
        ("audio_info", {"audio": f"@{sent[0].id}"})]


def test_described_results_joined_in_chinese_order(registry: Registry) -> None:
    s = FakeSession()
    _, tone = s.run(uploads=1, steps=("equalize",), request="学校广播的提示音太刺耳了，高音减六分贝")
    _, words = s.run(steps=("text_to_speech",), request="用中文说“请同学们有序离开教室”")
    assert steps_of("把合成出来的广播词接在调过高音的提示音后面", s.ctx(), registry) == [
        ("concatenate", {"clips": [f"@{tone[0].id}", f"@{words[0].id}"]})]


def test_a_file_left_alone_is_not_the_one_edited(registry: Registry) -> None:
    s = FakeSession()
    _, whisper = s.run(uploads=1, steps=("denoise",), request="asmr whisper track, denoise but gently")
    s.run(uploads=1, steps=("binauralize",), request="now make this tapping one come from my right side")
    s.run(steps=("change_tempo",), request="and slow it a bit, 0.9")
    request = "ok leave the tapping alone now. the other track, the whisper you cleaned - push it to -20 LUFS"
    assert steps_of(request, s.ctx(), registry) == [
        ("loudness_normalize", {"audio": f"@{whisper[0].id}", "target_lufs": -20})]


def test_the_amount_an_earlier_request_said_names_its_result(registry: Registry) -> None:
    s = FakeSession()
    _, slow = s.run(uploads=1, steps=("change_tempo",), request="Slow the voice down to 0.85 so it feels calmer.")
    s.run(steps=("reverb",), request="Add a medium room reverb at 0.25 wet.")
    request = "The room sound was a mistake, I think. The 0.85 one, dry - normalize that to -18 LUFS."
    assert steps_of(request, s.ctx(), registry) == [
        ("loudness_normalize", {"audio": f"@{slow[0].id}", "target_lufs": -18})]


def test_a_language_names_the_line_said_in_it(registry: Registry) -> None:
    s = FakeSession()
    _, english = s.run(steps=("text_to_speech",), request="用英语说：Where is the treasure?")
    s.run(steps=("text_to_speech",), request="再用中文说“宝藏在哪里？”")
    assert steps_of("英文那句，降三个半音", s.ctx(), registry) == [
        ("pitch_shift", {"audio": f"@{english[0].id}", "semitones": -3})]


def test_a_line_put_in_front_of_a_described_clip(registry: Registry) -> None:
    s = FakeSession()
    _, goal = s.run(uploads=1, steps=("trim",), request="这是昨晚球赛的解说，进球那段在三分零五秒到三分四十秒，帮我剪出来")
    s.run(uploads=1, steps=("denoise",), request="这是中场休息的采访，降噪")
    _, line = s.run(steps=("text_to_speech",), request="用中文说“精彩回放”")
    assert steps_of("进球那段，前面接上刚生成的这句", s.ctx(), registry) == [
        ("concatenate", {"clips": [f"@{line[0].id}", f"@{goal[0].id}"]})]


def test_each_of_two_files_named_gets_a_measurement(registry: Registry) -> None:
    s = FakeSession()
    sent, _ = s.run(uploads=1, steps=("change_tempo",), request="冥想引导语，帮我放慢到0.8倍")
    _, wet = s.run(steps=("reverb",), request="再加个大厅混响，混响量0.4")
    request = "那你帮我对比一下：加了混响的成品和我最早给你的那版，各自的响度都测一下"
    assert steps_of(request, s.ctx(), registry) == [
        ("audio_info", {"audio": f"@{wet[0].id}"}), ("audio_info", {"audio": f"@{sent[0].id}"})]


def test_a_dismissal_and_a_file_left_as_it_is_are_not_asks(registry: Registry) -> None:
    s = FakeSession()
    s.run(uploads=1, steps=("pitch_shift",), request="my daughter wants her voice like a chipmunk, pitch it up 6 semitones")
    _, giant = s.run(uploads=1, steps=("pitch_shift",), request="and this is her brother, take him down 7 semitones")
    s.run(steps=("text_to_speech",), request="Say 'Happy birthday'.")
    request = "lol ok. leave the chipmunk as is - her brother's giant voice, cathedral reverb on that"
    assert steps_of(request, s.ctx(), registry) == [("reverb", {"audio": f"@{giant[0].id}", "room": "cathedral"})]
    assert steps_of("Skip it then. The chipmunk one, 3 dB up.", s.ctx(), registry)[0][0] == "gain"


def test_earlier_results_listed_in_order_are_joined(registry: Registry) -> None:
    s = FakeSession()
    _, anthem = s.run(uploads=1, steps=("trim",), request="Choir anthem from Easter Sunday. Cut the first 6 seconds.")
    _, welcome = s.run(uploads=1, steps=("remove_hum",), request="Pastor's welcome, remove the hum from it.")
    _, thanks = s.run(steps=("text_to_speech",), request="Say 'Thank you for worshipping with us today.'")
    request = ("I'll upload it myself. Build the episode: the pastor's welcome first, then the anthem, then the "
               "thank-you line, one second between each.")
    assert steps_of(request, s.ctx(), registry) == [
        ("concatenate", {"clips": [f"@{welcome[0].id}", f"@{anthem[0].id}", f"@{thanks[0].id}"], "gap": 1})]


def test_words_only_one_earlier_request_used_name_its_result(registry: Registry) -> None:
    s = FakeSession()
    _, choir = s.run(uploads=1, steps=("gain",), request="Here's the school choir at the spring concert, boost it 3 dB")
    s.run(uploads=1, steps=("denoise",), request="This one is the principal's speech, denoise it")
    s.run(steps=("text_to_speech",), request="Say 'Welcome, families'.")
    assert steps_of("choir concert: hall reverb on it", s.ctx(), registry) == [
        ("reverb", {"audio": f"@{choir[0].id}", "room": "hall"})]


def test_words_of_the_request_a_chain_grew_from_mean_its_latest_result(registry: Registry) -> None:
    s = FakeSession()
    _, clean = s.run(uploads=1, steps=("denoise",), request="denoise the landlord interview")
    trimmed = s._rec("audio", "trim", [clean[0].id])  # made from the previous result
    s.runs.append(PastRun(id="r2", request="trim the first 2 seconds", outputs=[trimmed], made=[trimmed]))
    assert steps_of("now normalize the landlord interview to -16 LUFS", s.ctx(), registry) == [
        ("loudness_normalize", {"audio": "@last", "target_lufs": -16})]


def test_one_of_the_files_a_request_sent_together(registry: Registry) -> None:
    s = FakeSession()
    sent, _ = s.run(uploads=3, steps=("concatenate",), request="三段ASMR素材，按顺序拼起来，每两段之间交叉淡化一秒")
    s.run(steps=("binauralize",), request="拼好的这个放到我正左边")
    assert steps_of("那三段素材里的最后一段，单独拿出来，音量加五分贝", s.ctx(), registry) == [
        ("gain", {"audio": f"@{sent[2].id}", "db": 5})]
    s2 = FakeSession()
    sent2, _ = s2.run(uploads=2, steps=("concatenate",), request="Two hold-message recordings, join them.")
    s2.run(steps=("text_to_speech",), request="Read 'Your call is important to us'.")
    request = "Of the two hold messages I gave you together, the latter one on its own, 3 dB up."
    assert steps_of(request, s2.ctx(), registry) == [("gain", {"audio": f"@{sent2[1].id}", "db": 3})]


def test_a_file_described_inside_the_request_that_sent_it(registry: Registry) -> None:
    s = FakeSession()
    sent, _ = s.run(uploads=3, steps=("gain",), request="老婆发来三条语音，第一条就几秒，第二条一分多钟，第三条二十秒左右，三条都调大五分贝")
    s.run(steps=("text_to_speech",), request="用中文说“知道了，晚上带菜回家”")
    assert steps_of("一分多钟的那条，用她发来的原始文件就行，帮我转成文字", s.ctx(), registry) == [
        ("transcribe", {"audio": f"@{sent[1].id}"})]


def test_the_version_with_one_edit_but_not_the_next(registry: Registry) -> None:
    s = FakeSession()
    _, clean = s.run(uploads=1, steps=("denoise",), request="drone footage 的 audio，wind noise 很重，denoise 一下")
    low = s._rec("audio", "filter", [clean[0].id])
    s.runs.append(PastRun(id="r2", request="再 lowpass 一下，3000 Hz", outputs=[low], made=[low]))
    assert steps_of("只 denoise 过、还没 lowpass 的那个 version，加 2 dB", s.ctx(), registry) == [
        ("gain", {"audio": f"@{clean[0].id}", "db": 2})]


# ------------------------------------------------------------------ versions compared, and two earlier files joined
@pytest.mark.parametrize(("request_text", "which"), [
    ("Pity. The higher of the two dragon lines, put a cathedral reverb on it.", 0),
    ("the deeper one, put a cathedral reverb on it", 1),
    ("两个里面声音尖尖的那个，加个教堂混响", 0),
])
def test_a_version_named_by_comparison_of_pitch(registry: Registry, request_text: str, which: int) -> None:
    s = FakeSession()
    outs = [s.run(steps=("text_to_speech", "pitch_shift"), request=f"Say 'The dragon awakens' and pitch it {d}",
                  args={"pitch_shift": {"semitones": n}})[1][0] for d, n in (("up 3", 3), ("down 4", -4))]
    s.run(request="Is there any way to get an actual dragon roar sound out of you?")
    assert steps_of(request_text, s.ctx(), registry) == [("reverb", {"audio": f"@{outs[which].id}", "room": "cathedral"})]


def test_a_version_named_by_comparison_of_speed(registry: Registry) -> None:
    s = FakeSession()
    faster = s.run(uploads=1, steps=("change_tempo",), request="加快到1.15倍", args={"change_tempo": {"rate": 1.15}})[1][0]
    s.run(uploads=1, steps=("change_tempo",), request="另外做个0.9倍的", args={"change_tempo": {"rate": 0.9}})
    s.run(request="你能帮我编一套舞蹈动作吗")
    assert steps_of("两版里面快的那个，最后五秒淡出", s.ctx(), registry) == [
        ("fade", {"audio": f"@{faster.id}", "fade_out": 5})]


def test_the_shorter_of_two_versions_by_their_length(registry: Registry) -> None:
    s = FakeSession()
    short = s.run(uploads=1, steps=("trim",), request="keep the first 10 seconds")[1][0]
    long_ = s.run(uploads=1, steps=("trim",), request="keep the first 30 seconds")[1][0]
    s.arts[short.id].meta["duration"], s.arts[long_.id].meta["duration"] = 10.0, 30.0
    assert steps_of("the shorter of the two, export it as mp3", s.ctx(), registry) == [
        ("convert", {"audio": f"@{short.id}", "format": "mp3"})]


def test_two_earlier_songs_joined_by_the_names_they_were_given(registry: Registry) -> None:
    s = FakeSession()
    blue = s.run(uploads=1, steps=("pitch_shift",), request="This is a guitar demo I'm calling Bluebird. Pitch it "
                 "down 2 semitones.")[1][0]
    harbor = s.run(uploads=1, steps=("fade",), request="and this one's Harbor Lights, another demo. fade out the "
                   "last six seconds")[1][0]
    s.run(request="Honest opinion, would Bluebird work as a first dance song?")
    assert steps_of("ha ok. Put Bluebird - the lowered one - in front of Harbor Lights with a 2 second crossfade "
                    "between them.", s.ctx(), registry) == [
        ("concatenate", {"clips": [f"@{blue.id}", f"@{harbor.id}"], "crossfade": 2})]


def test_a_clip_named_in_its_own_clause_and_one_put_before_it(registry: Registry) -> None:
    s = FakeSession()
    bus = s.run(uploads=1, steps=("filter",), request="这段讲解是在大巴上录的，发动机轰轰的，高通一百五十赫兹")[1][0]
    line = s.run(steps=("text_to_speech",), request="用中文说“请大家跟紧小红旗”")[1][0]
    s.run(request="帮我把讲解词翻译成英文")
    assert steps_of("大巴上录的那条，切过低频的，把“跟紧小红旗”这句放在它前面，中间空一秒", s.ctx(), registry) == [
        ("concatenate", {"clips": [f"@{line.id}", f"@{bus.id}"], "gap": 1})]


@pytest.mark.parametrize("request_text", [
    "Right, back to square one with the ghost voice: the actual recording I gave you, nothing done to it. Just put a "
    "hall reverb on that.",
    "the ghost voice, as I recorded it: put a hall reverb on that",
])
def test_a_file_named_twice_and_asked_for_as_sent(registry: Registry, request_text: str) -> None:
    s = FakeSession()
    ups, _ = s.run(uploads=1, steps=("pitch_shift",), request="This is the ghost voice players hear. Pitch it down five "
                   "semitones so it's creepier.")
    s.run(steps=("text_to_speech",), request="Now say 'The key is under the third candle' at 0.8 speed.")
    s.run(request="Can you make the clue play automatically when the players open the chest?")
    assert steps_of(request_text, s.ctx(), registry) == [("reverb", {"audio": f"@{ups[0].id}", "room": "hall"})]


@pytest.mark.parametrize("request_text", [
    "the lossless one, put a small room reverb on it",
    "the one with the crash in it, put a small room reverb on it",
])
def test_a_version_described_by_what_its_request_said_or_its_steps_did(registry: Registry, request_text: str) -> None:
    s = FakeSession()
    flac = s.run(uploads=1, steps=("convert",), request="there's a crash at 0:30 where I drop the mic, export this as flac",
                 args={"convert": {"format": "flac"}})[1][0]
    s.run(uploads=1, steps=("gain",), request="and this second take, 3 dB louder please", args={"gain": {"db": 3}})
    s.run(request="what's a good mic for podcasts?")
    assert steps_of(request_text, s.ctx(), registry) == [("reverb", {"audio": f"@{flac.id}", "room": "small"})]
