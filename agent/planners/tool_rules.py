"""The rule table: one entry per tool, with the patterns that say a clause is about it and the
function that reads its arguments. Order matters: the first entry whose triggers match a clause
wins (more specific tools first: "fade out the last second" is a fade, not a trim; "cut the bass"
is EQ, not a trim). `stackable` entries (resample, loudness, convert) may follow another tool in
the same clause ("denoise it into a mono mp3"). To support a new phrasing, add a pattern here; to
support a new tool, add an entry with an extractor."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from agent.planners import effect_args as E
from agent.planners import gen_args as G
from agent.planners import lexicon as L
from agent.planners import rule_args as A
from agent.planners.clauses import PLACEHOLDER, Clause

_HZ, _TIME, _DB, _LUFS = L.HZ, L.TIME, L.DB, L.LUFS


@dataclass(frozen=True)
class ToolRule:
    tool: str
    what: str  # the capability, named when the tool is missing from the registry
    triggers: re.Pattern[str]
    extract: Callable[[Clause, A.Sources], A.Args]
    words: tuple[str, ...] = ()  # spellings the typo fixer may correct towards
    when: Callable[[Clause], bool] | None = None  # extra condition beyond the triggers
    stackable: bool = False
    stack_triggers: re.Pattern[str] | None = None  # stronger evidence needed to add it after another tool
    absorbs: bool = False  # weak-split leftovers belong to it ("say rock and roll")

    def matches(self, c: Clause) -> bool:
        return bool(self.triggers.search(c.core)) and (self.when is None or self.when(c))

    def stacks_on(self, c: Clause) -> bool:
        """May follow another tool's step in the same clause ("denoise it into a mono mp3")."""
        return self.stackable and bool((self.stack_triggers or self.triggers).search(c.core)) \
            and (self.when is None or self.when(c))


_TTS_VERBS = L.rx(
    r"\b(?:say|says|saying|said|speak|spoken|read|pronounce|narrate|announce|voice|utter|recite|tts|synthesi[sz]e\w*"
    r"|speech|aloud|generate|create|make|produce|record)\b|\btext[- ]to[- ]speech\b|\bout\s+loud\b",
    # "English: '...'", "same line in German: '...'", "再来一句 German：'...'": a language label on quoted words
    r"^(?:(?:and|now|also|then)\s+)?(?:(?:the\s+)?same\s+(?:line|thing|sentence|text|message|one)\s+)?(?:in\s+)?"
    r"(?:english|german|french|spanish|italian|japanese|chinese|mandarin|korean|portuguese|russian)\s*[:：]\s*⟦q",
    r"说|念|读|朗读|播报|合成|生成|配音|语音|^(?:再|也)?来\s*(?:1|一)?\s*句|(?:做|录)\s*(?:1|一)?\s*(?:句|段)")
_NORMALIZE_WORDS = L.rx(r"normali|lufs|lkfs|\blevel|standard|r\s*128|\bebu\b|target|loudness\s+(?:of|to)",
                        r"标准化|归一化|响度|目标")


# "get the loudness to the usual podcast level": a level to reach, not one to measure
_TARGET = L.rx(r"\b(?:loudness|level|levels|volume|lufs)\s+(?:up\s+|down\s+)?to\b", r"(?:响度|音量)(?:调|提|降)?到")


def _not_plain_gain(c: Clause) -> bool:
    """'reduce the loudness by 3 dB' is a gain change, not normalization."""
    return not (re.search(_DB, c.core) and not _NORMALIZE_WORDS.search(c.core))


_TTS_CONVERT = L.rx(r"\b(?:text[- ]to[- ]speech|tts)\b|\b(?:to|into|as)\s+(?:speech|voice|spoken\s+audio)\b"
                    r"|\bsynthesi[sz]e\b", r"转(?:成|为|换成)语音|变成语音|(?:合成|生成)(?:[一1]\s*)?(?:段|句|条|个)?语音")
_BARE_SAY = re.compile(r"^(?:say|speak|talk|read\s+aloud|say\s+something|说话?|朗读|念)\s*[.!。！]*$", re.I)


_SAY_VERB = re.compile(r"^(?:say|speak|pronounce|narrate|announce|utter|recite)\b", re.I)
_NOT_TEXT = re.compile(r"^(?:(?:a\s+(?:bit|little)\s+|much\s+)?(?:slow|fast|quick|loud|quiet|soft|clear)\w*|up"
                       r"|more\w*)$",
                       re.I)  # "speak louder" asks for gain, not for the word "louder"


def speaks_text(c: Clause) -> bool:
    """'say the noise is too loud' is text to speak, even though it mentions noise."""
    if not _SAY_VERB.match(c.core):
        return False
    found = A.unquoted_text(c)
    return found is not None and not _NOT_TEXT.match(found[0])


_ANY = re.compile(r"[\s\S]")  # the rule's `when` decides
_FACE = r"(?:photo|photograph|picture|pic|image|portrait|headshot|selfie|face|avatar)s?"
_THG = L.rx(r"\btalking[- ]heads?\b|\blip[- ]?sync\w*|\bavatar\b|\bdigital\s+human\b"
            r"|\b(?:talking|speaking|lip[- ]?synced)\s+(?:video|clip|portrait|photo|picture)\b"
            r"|\b(?:stock|default|built-in|generic)\s+(?:face|presenter|character)\b",
            rf"\b(?:animate|bring\s+to\s+life)\b[^,;]{{0,30}}\b{_FACE}\b",
            rf"\b{_FACE}\b[^,;]{{0,40}}(?:\b(?:say|says|saying|speak|speaks|speaking|talk|talks|talking|read|reads|reading"
            r"|recite|tell|tells|narrate|narrates|present|presents|host|hosts|sing\s+along|mouth|mouths)\b|说|讲|念|读|对口型|口型)",
            r"\bsync\w*\s+(?:the\s+|his\s+|her\s+|their\s+)?(?:lips|mouth)\b|\b(?:lips|mouth)\s+(?:move|moving|sync\w*|match\w*)\b",
            rf"\b(?:person|man|woman|guy|girl|lady|boy|kid|face|character|someone)\s+in\s+(?:the|this|that|my|our)\s+{_FACE}\b"
            r"[^,;]{0,30}\b(?:say|says|speak|speaks|talk|talks|read|reads|sing|sings|mouth|lip)|\b(?:come|comes|coming)\s+out\s+of"
            rf"\s+(?:the|this|that|his|her)\s+(?:(?:person|man|woman|guy|girl|face)(?:'s\s+mouth)?|mouth)\b[^,;]{{0,20}}{_FACE}?",
            r"数字人|虚拟人|虚拟主播|对口型|口型同步|会说话|开口说话|会动嘴|(?:说话|讲话|讲课|念稿)的(?:短)?(?:视频|头像|照片)"
            r"|对着镜头(?:讲话|说话|讲|说)"
            r"|(?:照片|图片|图像|相片|肖像|头像|人像|形象)[^，,；;。]{0,12}(?:说|讲|念|读|朗读|开口|播报)"
            r"|(?:照片|图片|头像|相片|人像|⟦r[a-z]⟧)[^。；;]{0,16}(?:做成|弄成|生成|合成)(?:一个|一段|个)?(?:视频|动画)"
            r"|(?:用|让)[^，,；;。]{0,8}(?:头像|照片|图片|形象)|(?:配|放|贴|合|对)(?:到|在|给|上)[^，,；;。]{0,6}(?:头像|照片|图片|相片|人像)")
_IMAGE_FILE = re.compile(r"\.(?:png|jpe?g)$", re.I)


def animates(c: Clause) -> bool:
    """A photo or avatar is to speak ('make this photo say ...', 'animate the default avatar', '让这张照片说…');
    an image file named in the request counts as a photo."""
    def photo(m: re.Match[str]) -> str:
        i = ord(m.group(2)) - 97
        if (m.group(1) == "f" and _IMAGE_FILE.search(c.req.files[i])) or (m.group(1) == "r" and c.req.refs[i].kind == "image"):
            return " photo "  # an image file named, or an earlier photo of the session ("the photo from before")
        return m.group(0)

    t = PLACEHOLDER.sub(photo, c.core)
    return bool(_THG.search(t)) or (c.sep == "weak" and bool(_SAYS_AFTER_PHOTO.search(c.req.original))
                                    and bool(_MAKE_SAY.search(t))) or (
        bool(_PERSON_SAYS_AFTER_PHOTO.search(c.req.original)) and bool(_MAKE_SAY.search(t)))


# "这是校长的照片，让他说“…”", "here's a photo of our vet - make her say '...'": the photo and the ask in two clauses
_MAKE_SAY = L.rx(r"^(?:and\s+|now\s+|then\s+)?(?:make|have|let|get)\s+(?:him|her|them|it)\s+(?:say|speak|talk|read)",
                 r"^(?:再|就)?让(?:他|她|它|ta|TA)(?:来)?(?:说|讲|念|读|开口)")
_SAYS_AFTER_PHOTO = L.rx(r"\b(?:photo|picture|pic|portrait|headshot|selfie)\b[^.;!?]{0,40}[,-]\s*(?:and\s+|now\s+|then\s+)?"
                         r"(?:make|have|let|get)\s+(?:him|her|them|it)\s+(?:say|speak|talk|read)",
                         r"(?:照片|图片|头像|相片|人像)[^。；;！!？?]{0,12}[，,]\s*(?:再|就)?让(?:他|她|它|ta|TA)(?:来)?(?:说|讲|念|读|开口)")


# "This is a photo of Rex, our mascot. Make him say '…'": a person in the photo, made to speak in the next sentence
_PERSON_SAYS_AFTER_PHOTO = L.rx(r"\b(?:photo|picture|pic|portrait|headshot|selfie)\s+of\b[^?!]{0,120}?"
                                r"[.,-]\s*(?:and\s+|now\s+|then\s+)?"
                                r"(?:make|have|let|get)\s+(?:him|her|them)\s+(?:say|speak|talk|read)")
_AVATAR_SOURCE = L.rx(rf"\b{_FACE}\b|\b(?:stock|default|built-in|generic)\s+(?:face|avatar|presenter|character|head)\b|\b(?:video|clip|footage|webcam|recording\s+of\s+me|still|idle)\b",
                     r"照片|图片|头像|相片|人像|视频|形象")
_MELODY_SOURCE = L.rx(r"\b(?:midi|melody|melodies|tune|score|sheet\s+music|notes|musicxml)\b", r"乐谱|旋律|曲谱|简谱|谱子|曲子|midi")


def names_source(c: Clause, animating: bool, singing: bool) -> bool:
    """A piece that only names what a talking head or a song is made from, in a request that makes one ('use this
    short clip of me instead of a photo', 'take this MIDI tune'): it belongs to that step."""
    core = PLACEHOLDER.sub(" ", c.core)
    return (animating and bool(_AVATAR_SOURCE.search(core))) or (singing and bool(_MELODY_SOURCE.search(core)))


_SING = L.rx(r"^sings?\b|\b(?:have|get)\s+(?:it|this|that|them)\s+sung\b|\bsing\b(?![^,;]*\b(?:in|inside)\s+(?:a|an|the)\s+(?:\w+\s+){0,3}(?:hall|cathedral|church|chapel|room"
             r"|cave|stadium|arena|bathroom|shower|auditorium)\b)",
             L.SING_ZH)  # (lexicon.py: what 唱 as "sing" excludes)
_NOT_SING = L.rx(r"\b(?:remove|isolate|extract|separate|split|strip|mute|delete|get\s+rid\s+of|take\s+out|cut\s+out"
                 r"|karaoke|vocals?|singer)\b", r"去掉|去除|消除|删除|分离|提取|卡拉|人声|伴奏")


def sings(c: Clause) -> bool:
    """A request to sing words or a melody ('sing these lyrics: ...', '用这个旋律唱…'), not to remove or
    isolate singing, nor 'sounds like singing in a hall' (a reverb)."""
    core = PLACEHOLDER.sub(" ", c.core)
    return bool(_SING.search(core)) and not _NOT_SING.search(core) and not _FACE_SINGS.search(core)


# "make the photo sing along to it": a face mouthing a recording (a talking head), not singing synthesis
_FACE_SINGS = re.compile(rf"\b{_FACE}\s+(?:to\s+)?sing\s+along\b", re.IGNORECASE)


def _say_first(c: Clause) -> bool:
    if any(r.kind == "text" for r in c.refs):  # "read the transcript from before aloud" (history.py)
        return True
    return A.unquoted_text(c) is not None or bool(_TTS_CONVERT.search(c.core)) or bool(_BARE_SAY.match(c.core))


RULES: list[ToolRule] = [
    # singing first: its lyrics may hold any words ("sing these lyrics: ..." is not a transcription)
    ToolRule("sing", "singing synthesis", _ANY, A.sing, when=sings, absorbs=True),
    # talking heads first: "make this photo say 'hi'" is speech, then the photo speaking it (a stacked step)
    ToolRule("text_to_speech", "speech synthesis", _ANY, A.thg_speech,
             when=lambda c: animates(c) and A.thg_text(c) is not None),
    ToolRule("talking_head", "talking-head video", _ANY, A.talking_head,
             words=("animate", "avatar", "portrait", "photo"), when=animates, stackable=True, absorbs=True),
    # style transfer, binaural placement, inpainting (gen_args.py): "say 'x' in the speaking style of this clip" is
    # speech, then the style step stacked on it; specific triggers, so they go before trim/tempo/TTS
    ToolRule("text_to_speech", "speech synthesis", G.STYLE, G.styled_speech, when=G.says_in_style),
    ToolRule("transfer_prosody", "style transfer", G.STYLE, G.transfer_prosody,
             words=("prosody", "intonation", "style"), stackable=True, absorbs=True),
    ToolRule("text_to_speech", "speech synthesis", G.SPATIAL, G.placed_speech, when=G.says_from),
    ToolRule("binauralize", "binaural placement", G.SPATIAL, G.binauralize, words=("binaural", "spatialize"),
             stackable=True, absorbs=True),
    ToolRule("inpaint", "audio inpainting", G.INPAINT, G.inpaint, words=("dropout", "dropouts", "inpaint")),
    ToolRule("text_to_speech", "speech synthesis", _TTS_VERBS, A.tts_literal,
             when=lambda c: bool(c.quotes)),
    # "turn the transcript into speech": reads an earlier step's text, so it must beat "transcript".
    ToolRule("text_to_speech", "speech synthesis", _TTS_CONVERT, A.tts_unquoted),
    ToolRule("text_to_speech", "speech synthesis", _SAY_VERB, A.tts_unquoted, when=speaks_text, absorbs=True),
    ToolRule("transcribe", "speech recognition", L.rx(
        r"\btranscri\w*|\bspeech[- ]to[- ]text\b|\bstt\b|\basr\b|\bdictat\w*|\bsubtitles?\b|\bcaptions?\b|\bsrt\b"
        r"|\blyrics\b",
        r"\bwhat\s+(?:does|did|do|is|was|are|were)\s+(?:he|she|it|they|this|that|the\s+\w+|someone|somebody)\s+"
        r"(?:say|saying|said|talking\s+about|speaking\s+about)\b",
        r"\bwhat(?:'s|\s+is|\s+was)\s+(?:being\s+)?(?:said|spoken)\b|\bwhat\s+(?:it|they|he|she)\s+says?\b"
        r"|\bwhat\s+(?:he|she|they|it|the\s+\w+)\s+(?:is|are|was|were|'s|'re)\s+(?:saying|talking\s+about|singing)\b"
        r"|\bwhat\s+(?:he|she|they)\s+said\b",
        r"\bwrite\s+(?:it|this|that|everything)?\s*(?:down|out)\b|\b(?:to|into|as)\s+(?:plain\s+)?text\b(?!\s+to)",
        r"\b(?:work|figure|make)\s+out\b[^,;]{0,30}\b(?:saying|said|says)\b"
        r"|\btext\s+(?:of|from)\b|\bverbatim\b|\bwritten\s+(?:version|record|copy)\b|\bwhat\s+words\b|\b(?:the\s+)?words\s+(?:spoken|said|being\s+said)\b|\btimestamps?\b"
        r"|\bgive\s+me\s+(?:the\s+|a\s+)?(?:words|text|transcript)\b|\brecogni[sz]e\s+(?:the\s+)?(?:speech|words|text|what)",
        r"\b(?:which|what|detect|identify|tell\s+me|determine|recogni[sz]e|guess|name)\b[^,.;]{0,25}\blanguages?\b"
        r"|\blanguages?\b\s*(?:is|was|spoken|used|\?)|^\s*(?:and\s+)?(?:the\s+|its\s+)?language\s*$",
        r"转(?:一下|换一下)?(?:成|为|换成|写成|换为)?\s*(?:文字|文本|字幕|text\b|transcript\b|subtitles?\b)|转写|转录|听写|语音识别|识别|字幕|说了什么|说的什么|说的是什么|讲了什么"
        r"|讲的什么|在说什么|说啥|讲啥|内容是什么|写下来|记下来|什么语言|哪种语言|哪国语言|语种|文字稿|逐字稿|(?:整理|记录|写|打)(?:成|出)(?:文字|文稿)"),
        A.transcribe, words=("transcribe", "transcript", "transcription", "subtitles", "language")),
    ToolRule("audio_info", "measuring audio", L.rx(
        # not "how long do crocodiles live": a question about something other than the audio
        r"\bhow\s+(?:long|loud|big|large|quiet|many\s+(?:channels|seconds|minutes)|much\s+(?:time|space))\b"
        r"(?!\s+(?:do|does|did|can|could|will|would|should)\s+(?!it\b|this\b|that\b|they\b|these\b|my\b|our\b|the\s+(?:file|clip"
        r"|recording|track|audio|song|take|intro|outro|mix|voice\w*|message|announcement|greeting)s?\b))",
        r"\b(?:run\s*time|running\s+time|play(?:back|ing)?\s+time)\b(?!\s+(?:of\s+)?(?:error|option))",
        r"\bwhat(?:'?s|\s+is|\s+are)?\s+(?:the\s+|its\s+|it's\s+)?(?:integrated\s+|overall\s+|average\s+|current\s+|true\s+)?"
        r"(?:duration|length|loudness|sample\s*rate"
        r"|sampling\s+rate"
        r"|bit\s*rate|bit\s*depth|format|channels?|channel\s+count|peak|rms|level|levels|volume|lufs|specs?"
        r"|properties)\b",
        r"\b(?:duration|length|loudness|sample\s*rate|peak|rms|channels?|levels?)\s*\?",
        r"^(?:and\s+)?(?:the\s+|its\s+)?(?:duration|length|loudness|sample\s*rate|peak(?:\s+level)?|rms|channels?|format"
        r"|bit\s*depth|levels?)(?:\s+(?:in|as)\s+(?:lufs|db|dbfs|seconds|hz|khz))?\s*\??$",
        r"\b(?:measure|analy[sz]e|inspect|check|examine|report|display|print|list|show(?:\s+me)?|give\s+me|tell\s+me"
        r"|get)\b"
        r"[^,;]*?\b(?:info|information|stats?|statistics|details|properties|metadata|duration|length|loudness"
        r"|sample\s*rate"
        r"|levels?|peak|rms|lufs|format|channels?|volume|specs?)\b",
        r"\bis\s+(?:it|this|that|the\s+\w+|this\s+\w+|that\s+\w+)\s+(?:in\s+)?(?:mono|stereo|clipping|too\s+loud"
        r"|too\s+quiet|loud\s+enough|long)\b|\b(?:mono|stereo)\s+or\s+(?:mono|stereo)\b"
        r"|^(?:the\s+|its\s+)?(?:duration|length|loudness|sample\s*rate|sampling\s+rate|peak(?:\s+level)?|rms|channels?"
        r"|format|bit\s*depth|levels?)\s*\??$"
        r"|\b(?:call|clip|file|track|recording|audio)\s+(?:duration|length)\b"
        r"|\b(?:file\s+)?info\b|\bstats\b|\bmetadata\b|\banaly[sz]\w*|\binspect\b|\bmeasure\b"
        r"|超没超|超(?:过)?了?没(?:有)?|有没有超(?:过)?|够不够长|是不是超(?:过)?了?"
        r"|看(?:一)?下\s*(?:它的?|这个的?)?\s*(?:sample\s*rate|loudness|duration|length|peak|channels?|lufs)"
        r"|看看[^，,。；]{0,6}(?:响度|峰值|音量|采样率|时长|声道)|多少(?:赫兹|千赫兹?|k)\s*采样|几个声道"
        r"|(?:响度|音量|时长|长度|采样率|峰值)[^，,。；]{0,4}测(?:一下|一测|量|测)?",
        # "时长不能超过十五秒" is a limit the edit must meet, not a question
        r"多长|多久|时长(?!不能|不得|不要|不超过|要在|要控制|控制|限制|最多|最长)|多少秒|(?<![十\d])几秒|多响|多大声|(?:音量|声音|响度)(?:有)?多大|响度(?:是)?多少|音量(?:是)?多少|采样率(?:是)?多少|采样率是|几个声道|多少(?:个)?声道"
        r"|单声道还是立体声|是单声道吗|是立体声吗|什么格式|(?:音频)?信息|参数|分析|测量|峰值(?:是)?多少|有多长"
        r"|(?:响度|音量|时长|长度|采样率|峰值|声道)[^，,。；]{0,6}?(?:是)?多少|测(?:一下|一测|量|测)?[^，,。；]{0,8}?(?:响度|音量|时长|长度|采样率|峰值|电平|lufs|loudness)|多少\s*(?:lufs|分贝|db|秒)\s*[?？吗呢啊]?$"
        r"|(?:duration|length|loudness|sample\s*rate|peak|lufs|channels?)\s*(?:是|有)?\s*多(?:少|长|大)"),
        A.no_args, words=("measure", "analyze", "duration", "length", "loudness", "info"), when=lambda c: not _TARGET.search(c.core)),
    ToolRule("mix", "mixing", L.rx(
        # "fade in this background music": a demonstrative makes it the file being edited, not music to add
        r"(?<!headphone\s)(?<!headphones\s)\bmix(?!ers?\b)\w*|\boverlay\w*|\blayer\w*|\bsuperimpos\w*|\bon\s+top\s+of\b|\bunderneath\b|(?<!this\s)(?<!that\s)"
        r"\b(?:background|bg)\s+music\b"
        r"|\bmusic\s+bed\b|\bplay\s+(?:them\s+|both\s+)?(?:together|simultaneously|at\s+the\s+same\s+time)\b"
        r"|\b(?:goes|go|sits?|tucks?|tucked)\s+(?:in\s+)?(?:under|underneath|beneath)\b"
        # "tuck the drums under the voice", "slide the crackle in under her", "sneak the wheel sound in underneath"
        r"|\b(?:tuck|slide|slip|sneak|ease|float|nestle)\w*\b[^,;.]{0,30}?\b(?:in\s+)?(?:under|underneath|beneath)\b"
        r"|\bbring\s+(?:the\s+|that\s+|my\s+)?[\w-]+\s+in\s+at\b"  # "bring the sizzle in at the 0:12 mark"
        r"|\bbring\b[^,;]{0,40}\bin\s+(?:under|underneath|beneath|over)\b"
        r"|\bblend\w*",
        r"\b(?:combine|merge)\b[^,;]*\b(?:simultaneous\w*|at\s+the\s+same\s+time|on\s+top|over|under)\b",
        # not "the dimmer rack put a 60-cycle hum all over our recording": a problem, not a layer to add
        r"\badd\s+(?:the\s+|some\s+)?(?:music|soundtrack)\b|\b(?:put|lay)\b(?!\s+(?:a|an|some|this|that)\s+(?:[\w-]+\s+){0,2}"
        r"(?:hum|buzz|hiss|noise|rumble|whine|click|crackle)s?\b)[^,;]*\b(?:under|over|on\s+top\s+of|behind"
        r"|beneath)\b",
        r"混音|混合|混进(?!了)|混到|混入(?!了)|混在|铺在|垫在|叠加|叠在|叠到|叠进|盖到|垫到|铺到|(?:加(?!速|快)|配|垫|混|叠|铺|搭|来|当|作为|做)[^，,。]{0,8}背景音乐|背景音乐[^，,。]{0,6}(?:垫|混|叠|铺|加(?!速|快)|配)|垫(?:在|上|音乐)|同时播放|一起播放|配上音乐|加(?:上|入)?(?:背景)?音乐"
        # "鼓从第五秒进来，比人声低十二分贝": a second sound coming in, or set below the voice
        r"|(?:从|在)第?\s*\d+(?:\.\d+)?\s*秒(?:开始)?(?:进来|进入|切入|加入|响起)|比(?:人声|声音|旁白|讲话|说话|主持人)[^，,。]{0,3}(?:低|小)\s*\d"),
        A.mix, words=("mix", "overlay", "layer", "blend")),
    ToolRule("concatenate", "joining clips", L.rx(
        r"\bjoin\w*|\bconcat\w*|\bcombin\w*|\bmerg\w*|\bstitch\w*|\bappend\w*|\bglue\w*|\bsplic\w*"
        r"|\bback[- ]to[- ]back\b"
        r"|\bone\s+after\s+(?:the\s+)?(?:other|another)\b|\bchain\s+(?:them\s+|these\s+)?together\b|\bfollowed\s+by\b"
        # "build the episode: the welcome first, then the anthem, one second between each"
        r"|\b(?:build|assemble|compile)\s+(?:the\s+|an?\s+)?(?:episode|show|reel|programme|program|playlist|sequence)\b"
        r"|\b(?:put|place|insert|slot|drop)\s+(?:it|this|that)\s+(?:in\s+)?between\s+(?:the\s+)?(?:two|2|both|them)\b"
        r"|\b(?:\w+\s+)?seconds?\s+(?:of\s+(?:silence|nothing)\s+)?between\s+(?:each|them|every\s+\w+)\b"
        r"|\b(?:put|play|place)\b[^,;]*\b(?:after|before|in\s+front\s+of|at\s+the\s+end\s+of|at\s+the\s+start\s+of)\b"
        r"|\bcross[- ]?fad\w*|\bx-?fad\w*|" + L.REPEAT.pattern,
        r"\b(?:tack|stick|add|attach|put|place|paste|slap|glue|bolt|insert)\w*\b[^,;]*\b(?:on(?:to)?|to|at)\s+the\s+"
        r"(?:end|start|beginning|front|back)\s+of\b|\bprepend\w*|\b(?:silence|gap|pause)\s+(?:in\s+)?between\b",
        r"拼接|拼起来|拼在一起|拼成|串烧|合并|连起来|连成|串成|接成|前后接|接上|(?:插|夹)(?:在|到|进)[^，,。]{0,8}(?:中间|之间)|接起来|交叉淡化|交叉渐变|连接|串起来|串联|接在|接到|衔接|首尾相连|连在一起"
        r"|粘(?:在)?(?:一起|一块儿?|起来)|拼(?:一块儿?|到一起|一起|好)|接(?:一块儿?|到一起|在一起)"
        r"|(?:放|加|接|插|拼)(?:在|到)[^，,]*(?:后面|前面|之后|之前|开头|结尾|末尾|最前|最后)"),
        A.concatenate, words=("join", "concatenate", "combine", "merge", "append", "stitch")),
    ToolRule("remove_hum", "hum removal", L.rx(
        r"\bhum\w*|\bde-?hum\w*|\bbuzz\w*|\bmains\b|\bground\s+loop\b|\b(?:50|60)[- ]?cycles?\b|\belectrical\s+(?:noise|hum|interference)\b|\bac\s+(?:noise"
        r"|hum)\b",
        r"\b(?:remove|cut|kill|eliminate|get\s+rid\s+of|filter(?:\s+out)?|notch(?:\s+out)?|take\s+out)\s+(?:the\s+)?"
        r"(?:50|60)\s*(?:hz|hertz)\b",
        r"电流声|嗡嗡声?|交流声|哼声|工频|嗡声|电源噪声|滋滋声"),
        A.remove_hum, words=("hum", "buzz", "mains")),
    ToolRule("filter", "filtering", L.rx(
        r"\bhigh[- ]?pass\w*|\blow[- ]?pass\w*|\bhpf\b|\blpf\b|\b[hl]p\s*(?:at\s+)?\d|\blow[- ]?cut\b|\bhigh[- ]?cut\b|\brumble\b|\bmuffl\w*"
        r"|\btelephone\b|\bphone\s+(?:effect|sound|call)\b|\b(?:over|through|on)\s+(?:a|the)\s+(?:cell\s*)?phone\b|\bfilter\b(?!\s+out\s+(?:the\s+"
        r"|all\s+)?(?:background\s+)?noise)"
        r"|\broll[- ]?off\b",
        rf"(?:{_HZ})[^,;]*\b(?:above|below|over|under|beyond)\b|\b(?:above|below|over|under|beyond|higher\s+than"
        rf"|lower\s+than)\s+(?:{_HZ})",
        rf"\b(?:lows?|low[- ]end|low\s+frequenc\w+|highs?|high[- ]end|high\s+frequenc\w+|bass|treble)\b[^,;]*(?:{_HZ})",
        rf"(?:{_HZ})[^,;]*\b(?:lows?|low[- ]end|highs?|high[- ]end)\b",
        rf"\b(?:cut|remove|filter|kill|roll)\b[^,;]*(?:{_HZ})",
        rf"低通|高通|低切|高切|滤波|滤掉|滤除|(?:{_HZ})\s*(?:以上|以下|之上|之下)|(?:高于|低于|超过)\s*(?:{_HZ})|电话音|电话效果|电话(?:里|中|那头)|打电话(?:时|的时候)?(?:听到)?的"),
        A.filter_, words=("highpass", "lowpass", "filter", "rumble")),
    ToolRule("denoise", "noise reduction", L.rx(
        r"\bde-?nois\w*|\bnois(?:e|es|y|iness)\b|\bhiss\w*|\bstatic\b|\bclean(?:\s+\w+)?\s+up\b|\bclean[- ]?up\b"
        r"|\bclean(?:er|se)?\b|\bclear(?:er)?\b(?!\s+(?:the|all))|\benhanc\w*|\broom\s+tone\b|\bfan\s+(?:noise|sound|whoosh|whir+)\b|\bwhoosh\w*|\bwhir+(?:ing)?\b"
        r"|\bair\s*con\w*|\btraffic\b|\bwind\s+noise\b|\b(?:remove|reduce|cut|kill|suppress)\s+(?:the\s+)?background\b"
        r"|\b(?:steady|constant|background|low|dull)\s+roar\b|\b(?:dryers?|fans?|engines?|machines?|extractors?|pumps?)\s+(?:make|makes|making)"
        r"\s+(?:a\s+)?(?:steady\s+|constant\s+|low\s+)?(?:roar|racket|din|drone)\b",
        r"降噪|降(?:个|一下|下|点|一次|1次|次)噪|去噪|除噪|(?<![白粉棕])噪音|(?<![白粉棕])噪声|杂音|底噪|嘈杂|沙沙声|嘶嘶声|清理|干净|清晰|背景声|空调声?|风扇声?|车流声|环境声|杂声"),
        A.denoise, words=("denoise", "noise", "noisy", "hiss", "clean", "background")),
    ToolRule("fade", "fades", L.rx(r"\bfade\w*|\bfading\b|\bramp\s+(?:in|up|down|out)\b|\btaper\w*(?:\s+(?:away|off|out))?\b"
                                   r"|\bdie\s+(?:away|out|down)\b", r"淡入|淡出|渐入|渐出|渐强|渐弱|渐隐|渐显|慢慢(?:进来|出来|消失|变小|变大|淡)"),
             A.fade, words=("fade", "fades")),
    ToolRule("equalize", "equalization", L.rx(
        r"\bbass\b(?!\s+line)|\btreble\b|\bmids\b|\bmid[- ]?range\b|\bhighs\b|\blows\b|\blow[- ]end\b|\bhigh[- ]end\b"
        r"|\btop[- ]end\b|\beq\b|\bequali[sz]\w*|\btone\s+control\b|\bbright(?:er|en)\b|\bdarker\b|\bwarmer\b|\bmuddy\b"
        r"|\bcrisp(?:er)?\b|\bboomy\b|\bharsh\b|\btinny\b|\bbassy\b|\bwarmth\b|\bshrill\b|\bthin\s+sounding\b",
        r"重低音|(?<![降调变])低音(?![调量高])|低频|中音|中频|(?<![提升调变])高音(?![调量])|高频|均衡|eq|温暖|明亮|清脆|发闷|太闷|有点闷|很闷"),
        E.equalize, words=("bass", "treble", "equalize", "equalizer", "mids", "brighter", "warmer")),
    ToolRule("loudness_normalize", "loudness normalization", L.rx(
        r"\bnormali[sz]\w*|\bloudness\b|\blufs\b|\blkfs\b|\blevel(?:l?ed|l?ing)?\s+(?:it|this|that|them|out|the)\b"
        r"|\blevel\s+(?:it\s+)?(?:out\s+)?to\b|\beven\s+(?:it\s+|them\s+|this\s+|things\s+|the\s+\w+\s+)?out\b|\b(?:levels?|volume|loudness)\s+(?:more\s+)?(?:consistent"
        r"|even|uniform|equal|the\s+same)\b|\bconsistent\s+(?:volume|loudness|levels?)\b|\br\s*128\b"
        r"|\bebu\b|\bbroadcast\s+(?:standard|level|loudness)\b|\b(?:broadcast|podcast|radio|streaming|spotify|youtube)[- ]ready\b|\b(?:streaming|podcast)\s+(?:level|loudness|standard)\b",
        rf"{_LUFS}", r"响度|标准化|归一化|规范化|统一音量|音量一致|音量均衡|音量统一", E.MATCH_THE_REST.pattern),
        E.loudness_normalize, words=("normalize", "normalise", "loudness", "lufs", "level"), when=_not_plain_gain,
        stackable=True),
    ToolRule("pitch_shift", "pitch shifting", L.rx(
        r"\bpitch\w*|\bsemi-?tones?\b|\bhalf[- ]?steps?\b|\bwhole[- ]?steps?\b|\boctaves?\b|\btranspos\w*"
        r"|\b(?:up|down|raise|lower|change|shift)\s+(?:the\s+|it\s+)?(?:\w+\s+)?keys?\b|\bdeeper\b"
        r"|\b(?:higher|lower)[- ]pitched\b|\bsqueak\w*|\bchipmunk\w*|\bhelium\b"
        r"|\bvoice\s+(?:(?:all|really|super|very|much|a\s+lot|way)\s+)?(?:high|higher|low|lower|deep|deeper)\b|(?<!slow\sthe\s)(?<!slow\smy\s)(?<!slow\shis\s)(?<!slow\sher\s)\b(?:voice|pitch)\s+(?:higher|lower|deeper|up|down)\b"
        r"|\b(?:higher|lower|deeper)\s+voice\b",
        r"(?<!声)音调|音高|升调|降调|变调|半音|八度|调子|移调|全音|低沉|深沉|浑厚|太尖|尖锐|尖细"
        r"|[升降](?:低|高)?(?:一点|一些|点|些)调"),
        E.pitch_shift, words=("pitch", "semitone", "semitones", "octave", "transpose")),
    ToolRule("gain", "volume changes", L.rx(
        r"\blouder\b|\bquieter\b|\bsofter\b|\bvolume\b|\bgain\b|\bamplif\w*|\battenuat\w*"
        r"|\bturn\s+(?:it\s+|this\s+|that\s+|them\s+|the\s+\w+\s+)?(?:up|down)\b|\bboost\b|\bloud\s+enough\b"
        r"|\b(?:too|very|so)\s+(?:quiet|soft|loud|faint|low)\b|\bmake\s+(?:it|this|that|them)\s+(?:loud|quiet|soft)\b"
        r"|\bcan'?t\s+hear\b|\bhard\s+to\s+hear\b|\bcan\s+(?:barely|hardly)\s+hear\b|\b(?:louden|quieten)\b|\bmute\b|\b(?:2|3)\s+times\s+as\s+loud\b"
        r"|\b(?:raise|lower|increase|decrease|reduce|drop|bring\s+(?:up|down))\s+(?:the\s+)?(?:level|levels)\b"
        r"|\b(?:nudge|bump|push|ease|pull)\s+(?:it|this|that|the\s+(?:level|volume))\s+(?:up|down|back)\b"
        rf"|\bhalf\s+as\s+loud\b|(?:{_DB})",
        r"音量|大声|小声|响一点|响些|轻一点|轻些|声音(?:大|小|响|轻)|(?:太|有点)(?:小声|大声|吵|响|轻|小|大)|放大|增益|分贝"
        r"|调大|调小|听不清|听不到"),
        E.gain, words=("louder", "quieter", "softer", "volume", "gain", "amplify")),
    ToolRule("change_tempo", "tempo changes", L.rx(
        r"\bfaster\b|\bslower\b|\bquicker\b|\bspeed\w*|\btempo\b|\bpace\b|\bslow\b|\bhurry\b|\baccelerat\w*"
        r"|\bdecelerat\w*|\bplayback\s+rate\b|\btoo\s+(?:fast|slow|quick|rushed)\b|\bbpm\b|\b\d+(?:\.\d+)?\s*x\b|\btimes\s+(?:as\s+)?(?:fast|slow|quick)\w*"
        r"|\bhalf[- ]?(?:speed|time|tempo)\b|\bhalf\s+as\s+(?:fast|quick)\b|\bdouble[- ]?(?:speed|time|tempo)\b"
        r"|\btime[- ]?stretch\w*|" + E.FIT_INTO.pattern,
        r"加速|减速|放慢|加快|变快|变慢|调快|调慢|调成\s*\d+(?:\.\d+)?\s*倍|更快|更慢|[快慢](?:一点|点|些|一些|\d*(?:\.\d+)?倍)|倍速|速度|节奏|语速|快放|慢放"),
        E.change_tempo, words=("faster", "slower", "speed", "tempo", "quicker")),
    ToolRule("reverb", "reverb", L.rx(
        r"\breverb\w*|\becho\w*|\bhall\b|\bcathedral\b|\bchurch\b|\bchapel\b|\bauditorium\b|\bspacious\b|\bambien\w*"
        r"|\broom\s+(?:sound|effect|ambience)\b|\bsound\s+like\s+(?:it(?:'s|\s+is|\s+was)\s+)?(?:in\s+)?(?:a|an|the)\s+"
        r"(?:\w+\s+)?(?:room|hall|cathedral|church|space|cave|bathroom|studio|stadium|arena|closet|auditorium)\b"
        r"|\bin\s+a\s+(?:big|large|small|huge)\s+(?:room|space|hall)\b|\bbathroom\b|\bcave\b|\bstadium\b|\barena\b",
        r"混响|回声|回音|空间感|大厅|教堂|音乐厅|礼堂|浴室|山洞|空旷"),
        E.reverb, words=("reverb", "echo", "hall", "cathedral", "church")),
    ToolRule("resample", "resampling", L.rx(
        r"\bre-?sampl\w*|\bsampl(?:e|ing)\s*(?:rate|frequency)\b|\bdown-?sampl\w*|\bup-?sampl\w*|\bmono(?:phonic)?\b"
        r"|\bstereo\b|\bchannels?\b|\bdown-?mix\w*|\bup-?mix\w*|\bcd\s+quality\b|\b(?:tele)?phone\s+quality\b",
        rf"\b(?:to|at|as|in)\s+(?:{_HZ})|(?:{_HZ})\s*(?:sample|sampling|audio|wav|mono|stereo)",
        r"(?<![\d.])(?:8|11\.025|16|22\.05|24|32|44\.1|48|88\.2|96|192)\s*k(?:hz)?(?![a-z])",
        r"采样率|采样|重采样|单声道|立体声|双声道|声道(?!长度)"),
        E.resample, words=("resample", "mono", "stereo", "channels", "sample"), stackable=True,
        stack_triggers=L.rx(r"\bre-?sampl\w*|\bsampl(?:e|ing)\s*(?:rate|frequency)\b|\bmono\b|\bstereo\b",
                            r"采样率|重采样|单声道|立体声|双声道")),
    ToolRule("convert", "format conversion", L.rx(
        r"(?:\b(?:as|to|into|in|an?|format|export|save|convert|encode|output|render|write|bounce)\s+(?:\w+\s+){0,2}?"
        r"|^\s*)"
        r"\.?(?:mp3|flac|ogg|vorbis|oga|wav|wave|lossless)(?![a-z0-9])",  # "as an uncompressed .wav"
        r"\b(?:export|save|convert|encode|output|render|bounce|turn|make)\b[^,;]*?(?<![a-z0-9])"
        r"(?:mp3|flac|ogg|vorbis|oga|wav|wave|lossless)(?![a-z0-9])",
        r"(?<![a-z0-9])(?:mp3|flac|ogg|wav|wave)\s+(?:format|file|version|please|instead)\b",
        r"(?:转|存|导出|保存|输出|转换|格式|成|为)\s*(?:无损的?\s*)?(?:mp3|flac|ogg|wav)|(?:mp3|flac|ogg|wav)\s*(?:格式|版本?|文件)",
        r"^(?:convert|export|encode|transcode)\s*(?:it|this|that|the\s+\w+)?\s*$|^(?:转换|导出)格式$"),
        E.convert, words=("convert", "export", "save", "mp3", "flac", "ogg", "wav"), stackable=True),
    ToolRule("trim", "trimming", L.rx(
        r"\b(?:trim|cut|crop|remove|delete|drop|chop|skip|keep|shorten|lose|get\s+rid\s+of|take|extract|isolate|only"
        rf"|clip|snip|strip|erase|save|grab|start|begin|stop|from|just)\b[^;]*?(?:{_TIME})",
        rf"\b(?:first|last|final|opening|beginning|start|end|ending|intro|outro)\b[^,;]*?(?:{_TIME})",
        rf"(?:{_TIME})[^,;]*?\b(?:from\s+the\s+(?:start|beginning|end)|at\s+the\s+(?:start|beginning|end)|off)\b",
        r"\b(?:trim|cut|crop|remove|delete|keep|extract|only|from|between)\b[^;]*?\d+(?:\.\d+)?\s*(?:s|sec|seconds)?\s*"
        r"(?:to|-|–|until|and|till)\s*\d",
        rf"\btrim\w*\b|\bcrop\w*\b|\bshorten\b|(?:{_TIME})\s+long\b"
        rf"|(?:{_TIME})\s+(?:preview|snippet|teaser|excerpt|sample|intro|highlight|ringtone)\b",
        r"\b(?:cut|remove|skip|drop|delete|lose|chop)\s+(?:off\s+)?(?:the\s+)?(?:intro|outro|beginning|start|ending"
        r"|end)\b",
        # "chop everything after 29.5": a bare number after "everything after" is a time
        r"\b(?:chop|cut|remove|delete|drop|lose|trim|kill|axe)\s+(?:off\s+)?(?:everything|anything|all)\s+"
        r"(?:after|past|beyond|before|from)\s+\d",
        rf"(?:前|后|最后|开头|结尾|末尾|头|尾)(?:面|边|头)?的?\s*(?:{_TIME})|(?:剪|裁|截|删|去掉|去除|保留|只要|只留|留下|砍掉|切掉)[^，,]*?(?:{_TIME})",
        rf"(?:{_TIME})\s*(?:到|至|-|~)\s*(?:{_TIME})|从\s*(?:{_TIME})|剪辑|裁剪|截取|剪掉|剪短",
        rf"(?:{L.NUM})\s*(?:秒钟?)?\s*(?:到|至|-|~)\s*(?:{_TIME})"
        rf"|(?:{_TIME})[^，,]*?(?:剪掉|剪去|裁掉|删掉|删除|去掉|去除|砍掉|切掉|挖掉|抠掉|挖去|拿掉|不要|保留|留下|全删|都删|全部删)"),
        A.trim, words=("trim", "cut", "crop", "shorten", "keep", "remove", "seconds")),
    ToolRule("text_to_speech", "speech synthesis", L.rx(
        r"^(?:say|speak|pronounce|narrate|announce|utter|recite|voice|read|talk)\b",
        r"\b(?:saying|that\s+says|which\s+says|text[- ]to[- ]speech|tts)\b",
        r"^(?:用\S{1,4}?)?(?:说|念|读|朗读|播报)(?![得到的过完着])"),
        A.tts_unquoted, words=("say", "speak", "read", "pronounce"), when=_say_first, absorbs=True),
]


def keyword_tools(text: str) -> set[str]:
    """Tools whose trigger words occur in `text` (lowercased, numbers as digits). Rules that match anything and
    decide by their `when` alone (talking heads, singing) say nothing about plain text."""
    return {r.tool for r in RULES if r.triggers is not _ANY and r.triggers.search(text)}


def literal_only(c: Clause) -> bool:
    """The clause is just quoted text (a continuation like "... and 'goodbye'")."""
    return bool(c.quotes) and not PLACEHOLDER.sub("", c.core).strip(" ,.!?'\"")
