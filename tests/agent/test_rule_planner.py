"""The deterministic rule planner: English and Chinese requests to validated plans."""

from __future__ import annotations

from typing import Any

import pytest

from agent.artifacts import ArtifactRecord
from agent.context import PlanContext
from agent.plan import Plan
from agent.planners.rules import RulePlanner, supported_summary
from agent.registry import Registry
from agent.validation import validate_plan
from tests.agent.planner_helpers import steps_of


def _record(i: int, kind: str = "audio", name: str | None = None) -> ArtifactRecord:
    return ArtifactRecord(id=f"{kind}-{i:010d}", kind=kind, file=f"artifacts/{kind}-{i}.bin", format="wav", bytes=1,
                          sha256="0" * 64, created=0.0, source="upload", original_name=name or f"clip{i}.wav")


def make_ctx(uploads: int = 0, last: bool = False, names: list[str] | None = None,
             last_kinds: tuple[str, ...] = ("audio",)) -> PlanContext:
    ups = [_record(i + 1, name=names[i] if names else None) for i in range(uploads)]
    prev = [_record(100 + i, kind=k) for i, k in enumerate(last_kinds)] if last else []
    return PlanContext(uploads=ups, last=prev, artifacts={a.id: a for a in ups + prev})


def plan(request: str, ctx: PlanContext, registry: Registry) -> Plan:
    p = RulePlanner().plan(request, ctx, registry)
    validate_plan(p.model_copy(deep=True), registry, ctx)  # raises PlanError if invalid
    return p


U1, U2, U3, LAST, NONE = "u1", "u2", "u3", "last", "none"


def _ctx_for(kind: str) -> PlanContext:
    return {U1: make_ctx(1), U2: make_ctx(2), U3: make_ctx(3), LAST: make_ctx(0, last=True), NONE: make_ctx()}[kind]


# (request, inputs, [(tool, exact args)], speak)
STEPS: list[tuple[str, str, list[tuple[str, dict[str, Any]]], bool]] = [
    # --- the brief's examples
    ("read 'welcome to audiogent' aloud, then add a hall reverb and fade out the last second", NONE,
     [("text_to_speech", {"text": "welcome to audiogent"}), ("reverb", {"audio": "@s1", "room": "hall"}),
      ("fade", {"audio": "@s2", "fade_out": 1})], False),
    ("transcribe this and tell me the language", U1, [("transcribe", {"audio": "@upload-1"})], False),
    ("remove the background noise, cut the first 5 seconds, level it to -16 LUFS, save as mp3", U1,
     [("denoise", {"audio": "@upload-1"}), ("trim", {"audio": "@s1", "start": 5}),
      ("loudness_normalize", {"audio": "@s2", "target_lufs": -16}), ("convert", {"audio": "@s3", "format": "mp3"})],
     False),
    ("先降噪，再把音量调高3分贝，然后导出成mp3", U1,
     [("denoise", {"audio": "@upload-1"}), ("gain", {"audio": "@s1", "db": 3}),
      ("convert", {"audio": "@s2", "format": "mp3"})],
     False),
    ("用中文说：你好，然后加点大厅混响", NONE, [("text_to_speech", {"text": "你好，然后加点大厅混响", "language": "zh"})], False),
    ("用中文说你好，然后加点大厅混响", NONE,
     [("text_to_speech", {"text": "你好", "language": "zh"}), ("reverb", {"audio": "@s1", "room": "hall"})], False),
    # --- tempo
    ("make the previous result 20% slower", LAST, [("change_tempo", {"audio": "@last", "rate": 0.8})], False),
    ("make it 20% faster", LAST, [("change_tempo", {"audio": "@last", "rate": 1.2})], False),
    ("1.5x speed", LAST, [("change_tempo", {"audio": "@last", "rate": 1.5})], False),
    ("make it 1.5 times faster", U1, [("change_tempo", {"audio": "@upload-1", "rate": 1.5})], False),
    ("twice as fast", U1, [("change_tempo", {"audio": "@upload-1", "rate": 2})], False),
    ("half speed", U1, [("change_tempo", {"audio": "@upload-1", "rate": 0.5})], False),
    ("slow it down", U1, [("change_tempo", {"audio": "@upload-1", "rate": 0.8})], False),
    ("慢一点", LAST, [("change_tempo", {"audio": "@last", "rate": 0.8})], False),
    ("放慢到0.8倍", LAST, [("change_tempo", {"audio": "@last", "rate": 0.8})], False),
    ("上一个结果再快一点", LAST, [("change_tempo", {"audio": "@last", "rate": 1.25})], False),
    ("加快百分之二十", U1, [("change_tempo", {"audio": "@upload-1", "rate": 1.2})], False),
    # --- pitch
    ("pitch it up 3 semitones", U1, [("pitch_shift", {"audio": "@upload-1", "semitones": 3})], False),
    ("lower the pitch by an octave", U1, [("pitch_shift", {"audio": "@upload-1", "semitones": -12})], False),
    ("down an octave", U1, [("pitch_shift", {"audio": "@upload-1", "semitones": -12})], False),
    ("升高两个半音", U1, [("pitch_shift", {"audio": "@upload-1", "semitones": 2})], False),
    ("降低一个八度", U1, [("pitch_shift", {"audio": "@upload-1", "semitones": -12})], False),
    # --- trim
    ("cut from 2 to 4 seconds", U1, [("trim", {"audio": "@upload-1", "start": 2, "end": 4, "mode": "remove"})], False),
    ("remove 2.5 to 4 seconds", U1,
     [("trim", {"audio": "@upload-1", "start": 2.5, "end": 4, "mode": "remove"})], False),
    ("keep only 10 s to 20 s", U1, [("trim", {"audio": "@upload-1", "start": 10, "end": 20})], False),
    ("cut the last 3 seconds", U1, [("trim", {"audio": "@upload-1", "end": -3})], False),
    ("cut the first five seconds and the last three", U1,
     [("trim", {"audio": "@upload-1", "start": 5, "end": -3})], False),
    ("keep the last 30 seconds", U1, [("trim", {"audio": "@upload-1", "end": -30, "mode": "remove"})], False),
    ("去掉前3秒", U1, [("trim", {"audio": "@upload-1", "start": 3})], False),
    ("只保留前十秒", U1, [("trim", {"audio": "@upload-1", "end": 10})], False),
    ("截取10秒到20秒", U1, [("trim", {"audio": "@upload-1", "start": 10, "end": 20})], False),
    # --- gain
    ("make it 6 dB louder", U1, [("gain", {"audio": "@upload-1", "db": 6})], False),
    ("turn it down by 3 dB", U1, [("gain", {"audio": "@upload-1", "db": -3})], False),
    ("quieter by 3 dB", U1, [("gain", {"audio": "@upload-1", "db": -3})], False),
    ("音量调低6分贝", U1, [("gain", {"audio": "@upload-1", "db": -6})], False),
    ("make it louder", U1, [("gain", {"audio": "@upload-1", "db": 6})], False),
    ("声音太小了", U1, [("gain", {"audio": "@upload-1", "db": 6})], False),
    # --- filter and EQ
    ("high-pass at 80 Hz", U1, [("filter", {"audio": "@upload-1", "kind": "highpass", "cutoff_hz": 80})], False),
    ("low pass 3 kHz", U1, [("filter", {"audio": "@upload-1", "kind": "lowpass", "cutoff_hz": 3000})], False),
    ("remove everything above 3 kHz", U1,
     [("filter", {"audio": "@upload-1", "kind": "lowpass", "cutoff_hz": 3000})], False),
    ("低通滤波4000赫兹", U1, [("filter", {"audio": "@upload-1", "kind": "lowpass", "cutoff_hz": 4000})], False),
    ("boost the bass by 6 dB", U1, [("equalize", {"audio": "@upload-1", "bass_db": 6})], False),
    ("more bass, less treble", U1, [("equalize", {"audio": "@upload-1", "bass_db": 6, "treble_db": -6})], False),
    ("低音加强4分贝", U1, [("equalize", {"audio": "@upload-1", "bass_db": 4})], False),
    # --- reverb
    ("add a hall reverb", U1, [("reverb", {"audio": "@upload-1", "room": "hall"})], False),
    ("make it sound like a cathedral", U1, [("reverb", {"audio": "@upload-1", "room": "cathedral"})], False),
    ("add some small room reverb", U1, [("reverb", {"audio": "@upload-1", "room": "small"})], False),
    ("add reverb", U1, [("reverb", {"audio": "@upload-1"})], False),
    ("加点混响", U1, [("reverb", {"audio": "@upload-1"})], False),
    ("教堂混响", U1, [("reverb", {"audio": "@upload-1", "room": "cathedral"})], False),
    # --- fades
    ("fade in over 2 seconds", U1, [("fade", {"audio": "@upload-1", "fade_in": 2})], False),
    ("fade out", U1, [("fade", {"audio": "@upload-1", "fade_out": 1})], False),
    ("fade in 2 seconds and fade out 3 seconds", U1,
     [("fade", {"audio": "@upload-1", "fade_in": 2, "fade_out": 3})], False),
    ("淡出最后两秒", U1, [("fade", {"audio": "@upload-1", "fade_out": 2})], False),
    ("淡入淡出", U1, [("fade", {"audio": "@upload-1", "fade_in": 1, "fade_out": 1})], False),
    # --- levels and formats
    ("resample to 16 kHz", U1, [("resample", {"audio": "@upload-1", "sample_rate": 16000})], False),
    ("make it mono", U1, [("resample", {"audio": "@upload-1", "channels": 1})], False),
    ("convert to 44.1k stereo", U1, [("resample", {"audio": "@upload-1", "sample_rate": 44100, "channels": 2})], False),
    ("转成44.1k立体声", U1, [("resample", {"audio": "@upload-1", "sample_rate": 44100, "channels": 2})], False),
    ("save as mp3", U1, [("convert", {"audio": "@upload-1", "format": "mp3"})], False),
    ("convert it to flac", U1, [("convert", {"audio": "@upload-1", "format": "flac"})], False),
    ("导出成mp3", U1, [("convert", {"audio": "@upload-1", "format": "mp3"})], False),
    ("normalize", U1, [("loudness_normalize", {"audio": "@upload-1"})], False),
    ("normalize to -23 LUFS", U1, [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -23})], False),
    ("响度标准化到-23 LUFS", U1, [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -23})], False),
    ("归一化响度到负十六LUFS", U1, [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -16})], False),
    ("how long is this and how loud?", U1, [("audio_info", {"audio": "@upload-1"})], False),
    ("what's the sample rate?", U1, [("audio_info", {"audio": "@upload-1"})], False),
    ("这段音频多长", U1, [("audio_info", {"audio": "@upload-1"})], False),
    # --- enhancement
    ("remove the background noise", U1, [("denoise", {"audio": "@upload-1"})], False),
    ("clean up this recording", U1, [("denoise", {"audio": "@upload-1"})], False),
    ("降噪", U1, [("denoise", {"audio": "@upload-1"})], False),
    ("remove the hum", U1, [("remove_hum", {"audio": "@upload-1"})], False),
    ("get rid of the 60 Hz buzz", U1, [("remove_hum", {"audio": "@upload-1", "frequency": "60"})], False),
    ("去掉电流声", U1, [("remove_hum", {"audio": "@upload-1"})], False),
    # --- speech
    ("what does it say?", U1, [("transcribe", {"audio": "@upload-1"})], False),
    ("which language is this?", U1, [("transcribe", {"audio": "@upload-1"})], False),
    ("把这段录音转成文字", U1, [("transcribe", {"audio": "@upload-1"})], False),
    ("识别一下", U1, [("transcribe", {"audio": "@upload-1"})], False),
    ("say hello world", NONE, [("text_to_speech", {"text": "hello world"})], False),
    ("用中文说：你好", NONE, [("text_to_speech", {"text": "你好", "language": "zh"})], False),
    ("say '早上好'", NONE, [("text_to_speech", {"text": "早上好", "language": "zh"})], False),
    ("transcribe it, then turn the transcript into speech", U1,
     [("transcribe", {"audio": "@upload-1"}), ("text_to_speech", {"text": "@s1.text"})], False),
    # --- several inputs
    ("join these two recordings", U2, [("concatenate", {"clips": ["@upload-1", "@upload-2"]})], False),
    ("join them with one second gap", U2, [("concatenate", {"clips": ["@upload-1", "@upload-2"], "gap": 1})], False),
    ("把这两段拼起来", U2, [("concatenate", {"clips": ["@upload-1", "@upload-2"]})], False),
    ("put the second one before the first", U2, [("concatenate", {"clips": ["@upload-2", "@upload-1"]})], False),
    ("mix the second file under the first at -12 dB", U2,
     [("mix", {"audio": "@upload-1", "other": "@upload-2", "other_gain_db": -12})], False),
    ("denoise the first file, then mix the second under it at -15 dB", U2,
     [("denoise", {"audio": "@upload-1"}),
      ("mix", {"audio": "@s1", "other": "@upload-2", "other_gain_db": -15})], False),
    # --- the answer spoken (Plan.speak)
    ("read me the transcript", U1, [("transcribe", {"audio": "@upload-1"})], True),
    ("how loud is it? tell me aloud", U1, [("audio_info", {"audio": "@upload-1"})], True),
    ("transcribe this and say the answer", U1, [("transcribe", {"audio": "@upload-1"})], True),
    ("把这段录音转成文字，念给我听", U1, [("transcribe", {"audio": "@upload-1"})], True),
    # --- chatty, terse, typos
    ("hey, could you please remove the background noise from my recording? thanks!", U1,
     [("denoise", {"audio": "@upload-1"})], False),
    ("denoise, normalize, and export mp3", U1,
     [("denoise", {"audio": "@upload-1"}), ("loudness_normalize", {"audio": "@s1"}),
      ("convert", {"audio": "@s2", "format": "mp3"})], False),
    ("trasncribe this", U1, [("transcribe", {"audio": "@upload-1"})], False),
    ("add reverbb pls", U1, [("reverb", {"audio": "@upload-1"})], False),
    ("there's a buzz in the background, remove it", U1, [("remove_hum", {"audio": "@upload-1"})], False),
    ("and now add reverb", LAST, [("reverb", {"audio": "@last"})], False),
    # --- order, neighbours and quoting
    ("before transcribing, denoise it", U1,
     [("denoise", {"audio": "@upload-1"}), ("transcribe", {"audio": "@s1"})], False),
    ("转成文字之前先降噪", U1, [("denoise", {"audio": "@upload-1"}), ("transcribe", {"audio": "@s1"})], False),
    ("normalize to -16 LUFS, -1 dB true peak", U1,
     [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -16, "peak_ceiling_db": -1})], False),
    ("mix them, the second at 50% volume", U2,
     [("mix", {"audio": "@upload-1", "other": "@upload-2", "other_gain_db": -6})], False),
    ("把两段音频连起来，中间空一秒", U2, [("concatenate", {"clips": ["@upload-1", "@upload-2"], "gap": 1})], False),
    ("remove the first and last 2 seconds", U1, [("trim", {"audio": "@upload-1", "start": 2, "end": -2})], False),
    ('"cut the first 3 seconds"', U1, [("trim", {"audio": "@upload-1", "start": 3})], False),
    ("say the noise is too loud", NONE, [("text_to_speech", {"text": "the noise is too loud"})], False),
    ("say rock and roll", NONE, [("text_to_speech", {"text": "rock and roll"})], False),
    ("say 'hello', then make it 6 dB louder, then save as ogg", NONE,
     [("text_to_speech", {"text": "hello"}), ("gain", {"audio": "@s1", "db": 6}),
      ("convert", {"audio": "@s2", "format": "ogg"})], False),
    ("denoise it into a mono mp3", U1,
     [("denoise", {"audio": "@upload-1"}), ("resample", {"audio": "@s1", "channels": 1}),
      ("convert", {"audio": "@s2", "format": "mp3"})], False),
    # --- asks that name the problem in a statement before them; arguments said the way people say them
    ("there's some hiss from my preamp - can you reduce it?", U1, [("denoise", {"audio": "@upload-1"})], False),
    ("the fridge hum is awful, can you get rid of it?", U1, [("remove_hum", {"audio": "@upload-1"})], False),
    ("quick q - what's the runtime on this clip?", U1, [("audio_info", {"audio": "@upload-1"})], False),
    ("这个 file 的 duration 是多少？", U1, [("audio_info", {"audio": "@upload-1"})], False),
    ("Shift the pitch up by a whole octave.", U1, [("pitch_shift", {"audio": "@upload-1", "semitones": 12})], False),
    ("Transcribe this French voicemail.", U1, [("transcribe", {"audio": "@upload-1", "language": "fr"})], False),
    ("加个小房间混响，湿声0.4", U1, [("reverb", {"audio": "@upload-1", "room": "small", "wet": 0.4})], False),
    ("帮我 denoise 一下，strength 设 0.6", U1, [("denoise", {"audio": "@upload-1", "strength": 0.6})], False),
    ("concat 1+2, xfade 1.5s", U2, [("concatenate", {"clips": ["@upload-1", "@upload-2"], "crossfade": 1.5})], False),
    ("Join these three files in order with half a second of silence between each.", U3,
     [("concatenate", {"clips": ["@upload-1", "@upload-2", "@upload-3"], "gap": 0.5})], False),
    ("把这三段按倒序拼起来", U3, [("concatenate", {"clips": ["@upload-3", "@upload-2", "@upload-1"]})], False),
    ("把这仨粘一块儿", U3, [("concatenate", {"clips": ["@upload-1", "@upload-2", "@upload-3"]})], False),
    ("Lay the second file over the first, starting at 4 seconds.", U2,
     [("mix", {"audio": "@upload-1", "other": "@upload-2", "offset": 4})], False),
    ("把第二段音乐混到第一段里，从第5秒开始", U2, [("mix", {"audio": "@upload-1", "other": "@upload-2", "offset": 5})], False),
    ("把这段录音转写出来，再用中文语音念一遍", U1,
     [("transcribe", {"audio": "@upload-1"}), ("text_to_speech", {"text": "@s1.text", "language": "zh"})], False),
    ("my editor only takes 2 files at a time, cut the first 3s", U1, [("trim", {"audio": "@upload-1", "start": 3})], False),
    ("Say 'welcome to the show' with a cathedral reverb.", NONE,
     [("text_to_speech", {"text": "welcome to the show"}), ("reverb", {"audio": "@s1", "room": "cathedral"})], False),
    ("Say 'hello' slowly.", NONE, [("text_to_speech", {"text": "hello", "speed": 0.8})], False),
    ("tell me what he is saying in Chinese", U1, [("transcribe", {"audio": "@upload-1", "language": "zh"})], False),
    # what the audio is for, what it is not, why the times are what they are
    ("这段是猫咪视频的，音量降两分贝", U1, [("gain", {"audio": "@upload-1", "db": -2})], False),
    ("这段是给小黄鸭视频配的音，先整体转成单声道", U1, [("resample", {"audio": "@upload-1", "channels": 1})], False),
    ("Vox pop number one, the woman outside the bakery. Denoise it at 0.6 please.", U1,
     [("denoise", {"audio": "@upload-1", "strength": 0.6})], False),
    ("The whole thing is in Spanish. I need it written out in Spanish - NOT a translation.", U1,
     [("transcribe", {"audio": "@upload-1", "language": "es"})], False),
    ("cut 12 to 14 seconds out, that's where the siren is loudest", U1,
     [("trim", {"audio": "@upload-1", "start": 12, "end": 14, "mode": "remove"})], False),
    # amounts said the way people say them
    ("caster mic way too hot. pull it back 4.5 dB", U1, [("gain", {"audio": "@upload-1", "db": -4.5})], False),
    ("it's a touch quiet now, bring it up a bit", U1, [("gain", {"audio": "@upload-1", "db": 3})], False),
    ("make it a touch quieter", U1, [("gain", {"audio": "@upload-1", "db": -3})], False),
    ("it's about 6 dB quieter than our other greetings. fix that", U1, [("gain", {"audio": "@upload-1", "db": 6})], False),
    ("make it 3 dB quieter than the music", U1, [("gain", {"audio": "@upload-1", "db": -3})], False),
    ("露营地夜里的提示音有点吵，降三分贝就行", U1, [("gain", {"audio": "@upload-1", "db": -3})], False),
    ("低频减五分贝，中频稍微提一分贝", U1, [("equalize", {"audio": "@upload-1", "bass_db": -5, "mid_db": 1})], False),
    ("Every other stop sits at minus nineteen LUFS and this one is way quieter. Bring it in line with the rest.", U1,
     [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -19})], False),
    # a predicate split off at a comma is backstory, not a question ("..., is 70 and ...")
    (("One of my students, Mrs Hallworth, is 70 and terrified of her test on Thursday. Can you read this for her: "
      "'Check your mirrors.'"), NONE, [("text_to_speech", {"text": "Check your mirrors."})], False),
    # a tool waved off by name is not planned
    ("It's too quiet. Please don't run any loudness normalisation on it, just nudge the level up.", U1,
     [("gain", {"audio": "@upload-1", "db": 6})], False),
    # a second sound laid under the first
    ("File 1 is the voice, file 2 is the taiko drums. Tuck the drums under the voice about 12 dB down.", U2,
     [("mix", {"audio": "@upload-1", "other": "@upload-2", "other_gain_db": -12})], False),
    ("空手道宣传片：第一个是喊口令的人声，第二个是鼓，鼓从第五秒进来，比人声低十二分贝", U2,
     [("mix", {"audio": "@upload-1", "other": "@upload-2", "other_gain_db": -12, "offset": 5})], False),
    (("File one is my cooking stream voice, file two is the sizzling pan. Bring the sizzle in at the 0:12 mark, "
      "roughly 6 dB under."), U2, [("mix", {"audio": "@upload-1", "other": "@upload-2", "other_gain_db": -6, "offset": 12})], False),
    # "the crackle" is what file two is called, not a crackle to remove
    (("Campfire story: file two is the crackle, file one is the storyteller. Slide the crackle in under her and let "
      "it keep going to its own end."), U2, [("mix", {"audio": "@upload-1", "other": "@upload-2", "extend": True})], False),
    # languages said the way people say them
    ("Transcribe it, it's entirely in Welsh.", U1, [("transcribe", {"audio": "@upload-1", "language": "cy"})], False),
    ("鱼市拍卖的录音，拍卖师全程说日语，帮我整理成文字稿", U1,
     [("transcribe", {"audio": "@upload-1", "language": "ja"})], False),
    # headphones with a direction is binaural placement
    ("渡轮上录的 safety briefing，做个 headphone 版，让声音像从头顶正上方传下来", U1,
     [("binauralize", {"audio": "@upload-1", "elevation": 90})], False),
    ("帮我弄成戴耳机听的时候像从正后面贴过来的", U1, [("binauralize", {"audio": "@upload-1", "azimuth": 180})], False),
    ("宠物医院的候诊提示音结尾拖了四秒空白，帮忙切了", U1, [("trim", {"audio": "@upload-1", "end": -4})], False),
    ("旁白听着发闷，高频提四分贝，中频收一分贝", U1,
     [("equalize", {"audio": "@upload-1", "treble_db": 4, "mid_db": -1})], False),
    ("登机广播念得太赶了，能不能放慢两成？音调别动哈", U1, [("change_tempo", {"audio": "@upload-1", "rate": 0.8})], False),
    ("this drum loop is 100 bpm, make it 120 bpm", U1, [("change_tempo", {"audio": "@upload-1", "rate": 1.2})], False),
    ("给宠物医院做段儿歌，按C4 D4 E4 C4唱“小狗乖乖”，每分钟一百二十拍", NONE,
     [("sing", {"notes": "C4 D4 E4 C4", "lyrics": "小狗乖乖", "tempo": 120})], False),
    ("先 remove hum（60），再 EQ 一下：bass -3 dB", U1,
     [("remove_hum", {"audio": "@upload-1", "frequency": "60"}), ("equalize", {"audio": "@s1", "bass_db": -3})], False),
    ("The SD card hiccuped and there's a 0.1-second hole in the audio starting at 14.3 s. Patch it please.", U1,
     [("inpaint", {"audio": "@upload-1", "start": 14.3, "end": 14.4})], False),
    ("dashcam 那段在 1m02s 到 1m02.2s 有个 dropout，帮我 inpaint", U1,
     [("inpaint", {"audio": "@upload-1", "start": 62, "end": 62.2})], False),
]


@pytest.mark.parametrize("request_text, inputs, expected, speak", STEPS, ids=[s[0][:60] for s in STEPS])
def test_plans(registry: Registry, request_text: str, inputs: str, expected: list[tuple[str, dict[str, Any]]],
               speak: bool) -> None:
    p = plan(request_text, _ctx_for(inputs), registry)
    assert p.outcome == "steps", p.to_json()
    assert [s.id for s in p.steps] == [f"s{i}" for i in range(1, len(p.steps) + 1)]
    assert [(s.tool, s.args) for s in p.steps] == expected
    assert p.speak is speak


def test_tell_me_the_language_is_not_spoken(registry: Registry) -> None:
    assert plan("transcribe this and tell me the language", make_ctx(1), registry).speak is False


# ------------------------------------------------------------------ unsupported and clarify
@pytest.mark.parametrize(
    "request_text, capability",
    [
        ("translate this into French", "translation"),
        ("transcribe this and translate it to Spanish", "translation"),
        ("帮我把这段录音翻译成英文", "translation"),
        ("generate a picture of a cat", "image"),
        ("compose a symphony", "music generation"),
        ("what's the weather", "general questions"),
        ("remove the vocals", "source separation"),
        ("remove the echo", "echo or reverb removal"),
        ("denoise it and make it sound like a robot", "voice"),
        ("who is speaking", "speaker identification"),
        ("reverse it", "reversing"),
        ("look up the lyrics of Bohemian Rhapsody for me", "looking things up"),
        ("recommend me some songs that sound similar to this one", "recommendation"),
        ("Make this sound like Morgan Freeman is the one reading it.", "voice cloning"),
        ("这首歌是谁唱的？", "recognition"),
        ("把这段音乐的鼓点提取成MIDI", "musical analysis"),
        ("change his accent to British", "voice cloning"),
        ("fix my timing so it's on the beat", "timing"),
        ("is this audio AI-generated?", "AI-generated"),
        ("which part is the loudest?", "where something happens"),
        ("how noisy is it?", "noise measurement"),
    ],
)
def test_unsupported_names_the_missing_capability(registry: Registry, request_text: str, capability: str) -> None:
    p = plan(request_text, make_ctx(1), registry)
    assert p.outcome == "unsupported"
    assert capability in (p.unsupported or "")
    assert p.instead == f"I can do: {supported_summary(registry)}."


def test_supported_list_comes_from_the_registry(registry: Registry) -> None:
    summary = supported_summary(registry)
    for spec in registry.specs():
        assert spec.family in summary and spec.name in summary


@pytest.mark.parametrize("request_text", ["blorp the flarg", "hello", "thanks"])
def test_no_recognisable_action_is_unsupported(registry: Registry, request_text: str) -> None:
    assert plan(request_text, make_ctx(), registry).outcome == "unsupported"


def test_unknown_clause_in_a_chain_is_not_dropped(registry: Registry) -> None:
    p = plan("denoise it, then frobnicate the wibble, then save as mp3", make_ctx(1), registry)
    assert p.outcome == "unsupported"
    assert "frobnicate the wibble" in (p.unsupported or "")


@pytest.mark.parametrize("request_text", [
    "denoise -> cut first 3s -> fade out 2s -> mp3",
    "Please do this in order: 1) denoise 2) cut the first 3 seconds 3) fade out 2 s 4) export as mp3",
    "降噪 → 去掉前三秒 → 淡出两秒 → 转mp3",
])
def test_arrows_and_numbered_lists_are_steps(registry: Registry, request_text: str) -> None:
    assert [t for t, _ in steps_of(request_text, make_ctx(1), registry)] == ["denoise", "trim", "fade", "convert"]


@pytest.mark.parametrize("request_text, expected", [
    ("I interviewed a shop owner for my thesis and it's all in Chinese. Could you write out what she said?",
     [("transcribe", {"audio": "@upload-1", "language": "zh"})]),
    ("这个要传到喜马拉雅上的，帮我把整体响度弄到-18 LUFS吧", [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -18})]),
    ("结尾给我来个淡出吧，别太长，两秒就够了", [("fade", {"audio": "@upload-1", "fade_out": 2})]),
    ("make it sound muffled, like it's coming through a wall", [("filter", {"audio": "@upload-1", "kind": "lowpass",
                                                                           "cutoff_hz": 4000})]),
])
def test_backstory_and_hedges_around_an_ask_are_context(registry: Registry, request_text: str, expected) -> None:
    assert steps_of(request_text, make_ctx(1), registry) == expected


@pytest.mark.parametrize("request_text", [
    "does she sound angry or just tired in this voicemail?", "这段录音里狗叫了几次？",
    "Can you get rid of my southern accent so I sound more neutral?", "Burn these two tracks onto an audio CD.",
    "whats this song called?? heard it in a cafe",
])
def test_what_no_tool_does_is_unsupported_not_a_question_back(registry: Registry, request_text: str) -> None:
    assert plan(request_text, make_ctx(1), registry).outcome == "unsupported"


@pytest.mark.parametrize("request_text", ["make it louder", "denoise it", "transcribe this", "去掉前3秒"])
def test_no_recording_asks_which(registry: Registry, request_text: str) -> None:
    p = plan(request_text, make_ctx(), registry)
    assert p.outcome == "clarify"
    assert "-i" in (p.clarify or "")


@pytest.mark.parametrize(
    "request_text, inputs",
    [
        ("make it sound better", U1), ("fix this recording", U1), ("帮我处理一下这段音频", U1),
        ("change the speed", U1), ("trim it", U1), ("convert it", U1), ("pitch up 30 semitones", U1),
        ("join them", U1), ("mix in some music", U1),
    ],
)
def test_ambiguous_requests_clarify(registry: Registry, request_text: str, inputs: str) -> None:
    assert plan(request_text, _ctx_for(inputs), registry).outcome == "clarify"


# ------------------------------------------------------------------ inputs and registry
def test_last_prefers_an_audio_result(registry: Registry) -> None:
    ctx = make_ctx(0, last=True, last_kinds=("text", "audio"))
    p = plan("make it louder", ctx, registry)
    assert p.steps[0].args["audio"] == "@last-2"


def test_previous_text_result_is_read_aloud(registry: Registry) -> None:
    ctx = make_ctx(0, last=True, last_kinds=("text",))
    p = plan("read it to me", ctx, registry)
    assert [(s.tool, s.args) for s in p.steps] == [("text_to_speech", {"text": "@last"})]


def test_upload_is_used_before_the_previous_result(registry: Registry) -> None:
    ctx = make_ctx(1, last=True)
    assert plan("make it louder", ctx, registry).steps[0].args["audio"] == "@upload-1"
    assert plan("make the previous result louder", ctx, registry).steps[0].args["audio"] == "@last"


def test_files_are_named_by_their_names(registry: Registry) -> None:
    ctx = make_ctx(2, names=["voice.wav", "music.wav"])
    p = plan("mix music.wav under voice.wav at -18 dB", ctx, registry)
    assert p.steps[0].args == {"audio": "@upload-1", "other": "@upload-2", "other_gain_db": -18}
    p = plan("put voice.wav after music.wav", ctx, registry)
    assert p.steps[0].args == {"clips": ["@upload-2", "@upload-1"]}


def test_only_registered_tools_are_planned(registry: Registry) -> None:
    small = Registry({n: registry[n] for n in ("trim", "fade", "gain")})
    ctx = make_ctx(1)
    p = plan("cut the first 2 s and fade out", ctx, small)
    assert [s.tool for s in p.steps] == ["trim", "fade"]
    p = plan("remove the noise, then cut the first 2 s", ctx, small)
    assert p.outcome == "unsupported" and "noise reduction" in (p.unsupported or "")
    assert "denoise" not in (p.instead or "")


def test_planner_protocol(registry: Registry) -> None:
    planner = RulePlanner()
    assert planner.name == "rules" and planner.can_repair is False
    p = planner.plan("normalize", make_ctx(1), registry, feedback=["ignored"], previous=None)
    assert p.steps[0].tool == "loudness_normalize"


@pytest.mark.parametrize("request_text, expected", [
    ("Put this in a cathedral, I want the vocal to sound huge.", [("reverb", {"audio": "@upload-1", "room": "cathedral"})]),
    ("把这段弄得闷一点，像隔着墙听，低通一千赫兹",
     [("filter", {"audio": "@upload-1", "kind": "lowpass", "cutoff_hz": 1000})]),
    ("这段人声去掉电流声，是50赫兹的", [("remove_hum", {"audio": "@upload-1", "frequency": "50"})]),
    ("This is kitchen_take2.wav. Cut out 3.5 to 5 seconds, that's where the kettle clicks.",
     [("trim", {"audio": "@upload-1", "start": 3.5, "end": 5, "mode": "remove"})]),
    ("fade in this background music over 3 seconds", [("fade", {"audio": "@upload-1", "fade_in": 3})]),
    ("这段背景音乐淡入三秒", [("fade", {"audio": "@upload-1", "fade_in": 3})]),
    ("给这段清唱加一点大厅混响，量少一点，百分之二十就够了", [("reverb", {"audio": "@upload-1", "room": "hall", "wet": 0.2})]),
    ("平台限制单条语音不能超过三分钟，帮我看看这段超没超", [("audio_info", {"audio": "@upload-1"})]),
])
def test_words_that_describe_the_file_or_the_goal_are_not_asks(registry: Registry, request_text: str,
                                                               expected: list) -> None:
    assert steps_of(request_text, make_ctx(1), registry) == expected


def test_the_stock_face_is_the_default_avatar(registry: Registry) -> None:
    request = 'I don\'t have a headshot handy, just use your stock face and have it say "Thanks for watching!"'
    assert steps_of(request, PlanContext(), registry) == [
        ("text_to_speech", {"text": "Thanks for watching!"}), ("talking_head", {"audio": "@s1"})]


@pytest.mark.parametrize("request_text, capability", [
    ("what's actually the difference between LUFS and dBFS??", "explaining audio concepts"),
    ("帮我鉴定一下这段录音有没有被人剪辑拼接过", "detecting edits"),
    ("remove the clicks from this", "click"),
    ("去掉人声", "source separation"),
])
def test_new_kinds_of_unsupported_requests(registry: Registry, request_text: str, capability: str) -> None:
    plan = RulePlanner().plan(request_text, make_ctx(1), registry)
    assert plan.outcome == "unsupported" and capability in (plan.unsupported or ""), plan.to_json()


@pytest.mark.parametrize("request_text, expected", [
    # a label at the head of the request names the audio; it asks for nothing
    ("Dubbing job. This is the original Italian line from the actor - how long is it?",
     [("audio_info", {"audio": "@upload-1"})]),
    ("Radio spot for Benny's Tyres. It has to fit a 30 second slot so chop everything after 29.5",
     [("trim", {"audio": "@upload-1", "end": 29.5})]),
    ("另外这个是给老板的请假语音，最后三秒剪掉", [("trim", {"audio": "@upload-1", "end": -3})]),
    ("Choir anthem from Easter Sunday. Cut the first 6 seconds, it's all coughing.",
     [("trim", {"audio": "@upload-1", "start": 6})]),
    # what the audio is for, or where it came from, is not a capability we lack
    ("Guided breathing intro for our meditation app. Slow the voice down to 0.85 so it feels calmer.",
     [("change_tempo", {"audio": "@upload-1", "rate": 0.85})]),
    ("my daughter wants her voice like a chipmunk for a video, pitch it up 6 semitones",
     [("pitch_shift", {"audio": "@upload-1", "semitones": 6})]),
    ("So for the wedding video, the DJ cut the song off abruptly. Can the last eight seconds taper away gently?",
     [("fade", {"audio": "@upload-1", "fade_out": 8})]),
    ("婚礼视频的背景音乐我只要一分零五秒到一分四十秒那一段，其他都不要",
     [("trim", {"audio": "@upload-1", "start": 65, "end": 100})]),
    ("make the choir rehearsal sound like it was sung in an enormous stone cathedral, wet at zero point eight",
     [("reverb", {"audio": "@upload-1", "room": "cathedral", "wet": 0.8})]),
    ("唱诗班这段太干，上大厅混响", [("reverb", {"audio": "@upload-1", "room": "hall"})]),
    ("电台广告，时长不能超过十五秒，十五秒以后的全删", [("trim", {"audio": "@upload-1", "end": 15})]),
    # an ask about what the sentence before described, and a question whether we can
    ("The whisper track has constant preamp hiss. Reduce it, and then lift the result by 3 dB.",
     [("denoise", {"audio": "@upload-1"}), ("gain", {"audio": "@s1", "db": 3})]),
    ("Hi, the recording drops out for a split second, from 12.40 to 12.52 seconds. Would you be able to fill that in?",
     [("inpaint", {"audio": "@upload-1", "start": 12.4, "end": 12.52})]),
    ("the baby monitor recording has this constant fan whoosh, can you detect it and strip it out",
     [("denoise", {"audio": "@upload-1"})]),
    ("Old voicemail, there's a tiny cut-out at 0:07.3, about 80 ms. Is AI restoration a thing you can do on that?",
     [("inpaint", {"audio": "@upload-1", "start": 7.3, "end": 7.38})]),
    # the mains frequency and the spoken language, said in another clause
    ("The theatre's dimmer rack put a 60-cycle hum all over our recording. Please remove it.",
     [("remove_hum", {"audio": "@upload-1", "frequency": "60"})]),
    ("The witness speaks Spanish throughout this deposition excerpt. I need a written transcript of it.",
     [("transcribe", {"audio": "@upload-1", "language": "es"})]),
    ("庭审录音，转成文字，说的是普通话", [("transcribe", {"audio": "@upload-1", "language": "zh"})]),
    # signs and directions said in Chinese
    ("客服那通录音整体太冲耳朵了，压低七点五分贝", [("gain", {"audio": "@upload-1", "db": -7.5})]),
    ("冥想音频一开头就很突兀，让声音慢慢进来，用四秒钟", [("fade", {"audio": "@upload-1", "fade_in": 4})]),
    ("这段英语听力原速太快，调成零点八五倍，音调别变", [("change_tempo", {"audio": "@upload-1", "rate": 0.85})]),
    ("哎这个解说听着闷闷的，把高频提个五分贝，中频稍微往下降两分贝",
     [("equalize", {"audio": "@upload-1", "treble_db": 5, "mid_db": -2})]),
])
def test_labels_purposes_and_statements_around_an_ask(registry: Registry, request_text: str, expected: list) -> None:
    assert steps_of(request_text, make_ctx(1), registry) == expected


@pytest.mark.parametrize("request_text, expected", [
    ("Same line in German: 'Diese Vase stammt aus der Ming-Dynastie.'",
     [("text_to_speech", {"text": "Diese Vase stammt aus der Ming-Dynastie.", "language": "de"})]),
    ("再来一句：“好的”", [("text_to_speech", {"text": "好的", "language": "zh"})]),
])
def test_a_language_label_on_quoted_words_is_speech(registry: Registry, request_text: str, expected: list) -> None:
    assert steps_of(request_text, make_ctx(0), registry) == expected


@pytest.mark.parametrize("request_text, capability", [
    ("Convert this stereo sound design into first-order ambisonics, B-format.", "ambisonic"),
    ("convert this midi to musicxml so I can fix the notation", "MIDI format conversion"),
    ("Generate a 20 minute track of 10 Hz alpha binaural beats for my meditation app.", "sound-effect generation"),
    ("stream this to our church facebook page live on sunday at 10", "general questions"),
    ("冥想app里能不能根据用户的心率实时调整背景音乐的快慢", "real-time"),
    ("add this audio to my video", "video"),
    # the same words as asks (elsewhere they are nouns or purposes and get planned)
    ("can u make a karaoke version of this? just take the singer out", "source separation"),
    ("帮我把这首歌做成伴奏", "source separation"),
    ("make it a seamless loop", "looping"),
    ("帮我剪一个视频", "video"),
])
def test_more_unsupported_requests(registry: Registry, request_text: str, capability: str) -> None:
    plan = RulePlanner().plan(request_text, make_ctx(1), registry)
    assert plan.outcome == "unsupported" and capability in (plan.unsupported or ""), plan.to_json()


def test_a_capability_waved_off_is_not_refused(registry: Registry) -> None:
    plan = RulePlanner().plan("不用翻译歌词哈，就用这个旋律唱，词换成：我爱北京", make_ctx(1), registry)
    assert plan.outcome != "unsupported", plan.to_json()


@pytest.mark.parametrize("uploads, request_text, expected", [
    (1, ("the sermon has a phone ringing from one minute five to one minute twenty-two. take that bit out and close up "
        "the gap"), [("trim", {"audio": "@upload-1", "start": 65, "end": 82, "mode": "remove"})]),
    (1, "On this call the caller's line has a low rumble under everything. Roll off whatever sits below 120 Hz.",
     [("filter", {"audio": "@upload-1", "kind": "highpass", "cutoff_hz": 120})]),
    (1, "婚礼誓词录得声音小、底噪大：降噪强度零点五，音量提高六分贝，结尾淡出一秒",
     [("denoise", {"audio": "@upload-1", "strength": 0.5}), ("gain", {"audio": "@s1", "db": 6}),
      ("fade", {"audio": "@s2", "fade_out": 1})]),
    (1, "recorded a voice note on a noisy bus. clean it up, speed it up a touch (5%, I ramble), and make it an mp3",
     [("denoise", {"audio": "@upload-1"}), ("change_tempo", {"audio": "@s1", "rate": 1.05}),
      ("convert", {"audio": "@s2", "format": "mp3"})]),
    (2, ("Can you make a music bed out of these? First file is my voice note, second is her favourite song. Tuck the "
        "song underneath quietly, like minus 18."), [("mix", {"audio": "@upload-1", "other": "@upload-2", "other_gain_db": -18})]),
    (2, ("Bring the applause (second file) in under the end of the speech, starting at 0:52, and let it keep going after "
        "the speech stops."), [("mix", {"audio": "@upload-1", "other": "@upload-2", "offset": 52, "extend": True})]),
    (2, "第二个是雨声，铺在第一个冥想引导语的下面，雨声小二十五分贝",
     [("mix", {"audio": "@upload-1", "other": "@upload-2", "other_gain_db": -25})]),
    (2, "两段哄睡白噪音：第一段是雨声，第二段是吹风机声。叠在一起，吹风机晚三秒进来，最后给我单声道的",
     [("mix", {"audio": "@upload-1", "other": "@upload-2", "offset": 3}), ("resample", {"audio": "@s1", "channels": 1})]),
    (2, "两段采访都转成文字，第一段是普通话，第二段是英语",
     [("transcribe", {"audio": "@upload-1", "language": "zh"}), ("transcribe", {"audio": "@upload-2", "language": "en"})]),
    (1, "这条广播广告要交给电台，响度做到负二十三LUFS，峰值不能超过负二",
     [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -23, "peak_ceiling_db": -2})]),
    (1, "法院的庭审系统只认十六千赫兹的单声道文件，帮我把这个转一下",
     [("resample", {"audio": "@upload-1", "sample_rate": 16000, "channels": 1})]),
    (1, "My dad left me this voicemail. Transcribe it, then have the default avatar read the transcript out as a video.",
     [("transcribe", {"audio": "@upload-1"}), ("text_to_speech", {"text": "@s1.text"}), ("talking_head", {"audio": "@s2"})]),
    (1, "Work out the short phrase I'm saying in this clip and then have it sung to C4 D4 E4 F4 G4 at 110 bpm.",
     [("transcribe", {"audio": "@upload-1"}), ("sing", {"notes": "C4 D4 E4 F4 G4", "lyrics": "@s1.text", "tempo": 110})]),
    (0, "唱一下 E4 D4 C4 D4 E4 E4 E4，歌词是“玛丽有只小羊羔”，速度一百一十拍",
     [("sing", {"notes": "E4 D4 C4 D4 E4 E4 E4", "lyrics": "玛丽有只小羊羔", "tempo": 110})]),
    (0, "帮瑜伽课做一句口令：请慢慢把双手举过头顶。语速放慢一些",
     [("text_to_speech", {"text": "请慢慢把双手举过头顶", "language": "zh", "speed": 0.8})]),
    (1, "ASMR request: make the whispers feel like they're right up against my left ear",
     [("binauralize", {"audio": "@upload-1", "azimuth": -90})]),
])
def test_round_d_shapes(registry: Registry, uploads: int, request_text: str, expected: list) -> None:
    assert steps_of(request_text, make_ctx(uploads), registry) == expected


def test_laying_a_file_onto_the_previous_result(registry: Registry) -> None:
    assert steps_of("把这段掌声叠到刚才那个结果上，从第十秒开始，掌声小六分贝", make_ctx(1, last=True), registry) == [
        ("mix", {"audio": "@last", "other": "@upload-1", "offset": 10, "other_gain_db": -6})]


@pytest.mark.parametrize("request_text, expected", [
    ("pitch +2 st. wait no, -2 st", [("pitch_shift", {"audio": "@upload-1", "semitones": -2})]),
    ("make it 3 dB louder, sorry I mean 6 dB", [("gain", {"audio": "@upload-1", "db": 6})]),
    ("螺旋桨噪音太大了，高通……不对，低通一千五赫兹",
     [("denoise", {"audio": "@upload-1"}), ("filter", {"audio": "@s1", "kind": "lowpass", "cutoff_hz": 1500})]),
    ("no reverb, just make it louder", [("gain", {"audio": "@upload-1", "db": 6})]),
    ("别加混响，音量调大一点", [("gain", {"audio": "@upload-1", "db": 6})]),
    ("no echo please, but cut the first 2 seconds", [("trim", {"audio": "@upload-1", "start": 2})]),
    ("The episode is 48k stereo but the hosting site wants 44.1k mono. Can you sort that out?",
     [("resample", {"audio": "@upload-1", "sample_rate": 44100, "channels": 1})]),
    ("There's a whine from the guitar amp's ground at 60 cycles - notch it out.",
     [("remove_hum", {"audio": "@upload-1", "frequency": "60"})]),
    (("This voicemail has my phone number read out between 14 and 19 seconds. Cut that stretch out entirely before I "
     "share it."), [("trim", {"audio": "@upload-1", "start": 14, "end": 19, "mode": "remove"})]),
    ("Karaoke night! The backing track is too high for me, could you bring it down three semitones?",
     [("pitch_shift", {"audio": "@upload-1", "semitones": -3})]),
    ("这个 game 的 BGM loop 开头加 2 秒 fade in，结尾 fade out 2 秒", [("fade", {"audio": "@upload-1", "fade_in": 2, "fade_out": 2})]),
    ("快手视频的配音语速太慢了，调到一点三倍速", [("change_tempo", {"audio": "@upload-1", "rate": 1.3})]),
])
def test_corrections_negations_and_nouns_that_sound_like_asks(registry: Registry, request_text: str,
                                                             expected: list) -> None:
    assert steps_of(request_text, make_ctx(1), registry) == expected


@pytest.mark.parametrize("uploads, request_text, expected", [
    (1, "play the lecture back at one and a quarter speed, pitch unchanged", [("change_tempo", {"audio": "@upload-1", "rate": 1.25})]),
    (1, "have the dragon's roar sweep from hard left to hard right across three seconds, headphone mix",
     [("binauralize", {"audio": "@upload-1", "path": [0, -90, 0, 3, 90, 0]})]),
    (1, "让这个脚步声从正前方慢慢移到右手边，用时八秒，戴耳机听", [("binauralize", {"audio": "@upload-1", "path": [0, 0, 0, 8, 90, 0]})]),
    (2, "audiobook 的旁白是第一个 file，第二个是导演示范的读法，让我的 narration 跟着示范的语调走，但只改七成",
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2", "strength": 0.7})]),
    (2, "nudge my voicemail greeting (file one) toward the delivery in file two, a quarter of the way",
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2", "strength": 0.25})]),
    (0, "用慢一点的语速朗读：第一章 雨夜", [("text_to_speech", {"text": "第一章 雨夜", "language": "zh", "speed": 0.8})]),
    (1, "Place these cicadas up in the trees: sixty degrees above ear level, straight ahead.",
     [("binauralize", {"audio": "@upload-1", "elevation": 60})]),
    (1, "这个录音是多少赫兹采样的？几个生道？", [("audio_info", {"audio": "@upload-1"})]),
    (1, "中频挖掉五分贝，低频补三分贝", [("equalize", {"audio": "@upload-1", "mid_db": -5, "bass_db": 3})]),
    (1, "高音太刺耳，高频降低4分背", [("equalize", {"audio": "@upload-1", "treble_db": -4})]),
    (1, "boost it by a dozen dB", [("gain", {"audio": "@upload-1", "db": 12})]),
    (1, "let the ending die away over ten seconds", [("fade", {"audio": "@upload-1", "fade_out": 10})]),
    (1, "先帮我看看这段的响度和峰值，再做一下降噪", [("audio_info", {"audio": "@upload-1"}), ("denoise", {"audio": "@upload-1"})]),
    (2, "第二个音效叠到第一个上面，从零点八秒开始，然后整体放到右耳那边",
     [("mix", {"audio": "@upload-1", "other": "@upload-2", "offset": 0.8}), ("binauralize", {"audio": "@s1", "azimuth": 90})]),
])
def test_round_c_shapes(registry: Registry, uploads: int, request_text: str, expected: list) -> None:
    assert steps_of(request_text, make_ctx(uploads), registry) == expected


@pytest.mark.parametrize("uploads, request_text, expected", [
    (3, ("three voice notes for my grandma, need them in this order: file 3, file 1, then file 2. stich them togther with "
        "a one second pause betwen each"), [("concatenate", {"clips": ["@upload-3", "@upload-1", "@upload-2"], "gap": 1})]),
    (3, "三段婚礼致辞，按第二段、第一段、第三段的顺序连起来", [("concatenate", {"clips": ["@upload-2", "@upload-1", "@upload-3"]})]),
    (2, "生成一句“本节目由城南火锅独家冠名播出”，插在这两段广告中间",
     [("text_to_speech", {"text": "本节目由城南火锅独家冠名播出", "language": "zh"}),
      ("concatenate", {"clips": ["@upload-1", "@s1", "@upload-2"]})]),
    (2, "把 file 2 里 narration 的 style 套到 file 1 上，timbre 不要动，strength 0.7",
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2", "strength": 0.7})]),
    (2, "第一个文件是我录的导游讲解，第二个是老导游的示范，按他的语调和语速改我的，改一半就行",
     [("transfer_prosody", {"audio": "@upload-1", "reference": "@upload-2", "strength": 0.5})]),
    (1, "这个 commentary 要放到 listener 左前方 45 度，不过先把 loudness normalize 到 -16",
     [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -16}), ("binauralize", {"audio": "@s1", "azimuth": -45})]),
    (2, "两个解说员的音量差太多了，各自把响度调到负二十LUFS，再前后接成一条",
     [("loudness_normalize", {"audio": "@upload-1", "target_lufs": -20}),
      ("loudness_normalize", {"audio": "@upload-2", "target_lufs": -20}), ("concatenate", {"clips": ["@s1", "@s2"]})]),
])
def test_orders_and_roles_said_in_words(registry: Registry, uploads: int, request_text: str, expected: list) -> None:
    assert steps_of(request_text, make_ctx(uploads), registry) == expected
