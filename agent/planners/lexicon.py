"""Word tables shared by the rule planner (English and Chinese). Pure data plus `rx`; the per-tool
trigger tables live in tool_rules.py. Patterns run on lowercased text whose numbers are already
digits (see numbers.normalize_numbers), so "five seconds" is matched as "5 seconds"."""

from __future__ import annotations

import re


def rx(*alternatives: str) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of the alternatives."""
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.I)


# ------------------------------------------------------------------ quantities (after normalization)
NUM = r"-?\d+(?:\.\d+)?"
TIME = (rf"(?<![a-z]){NUM}\s*(?:ms|msecs?|millisec(?:ond)?s?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?)(?![a-z])"
        rf"|{NUM}\s*(?:毫秒|秒钟|秒|分钟|小时)|\d{{1,2}}:\d{{2}}")
HZ = rf"{NUM}\s*(?:khz|kilohertz|k|hz|hertz)(?![a-z])|{NUM}\s*(?:千赫兹|千赫|赫兹|赫)|{NUM}\s*k\s*(?:赫兹|赫)"
DB = rf"{NUM}\s*(?:dbfs|dbtp|dbs?|decibels?)(?![a-z])|{NUM}\s*分贝"
LUFS = rf"{NUM}\s*(?:lufs|lkfs|lu)(?![a-z])"
RANGE_LINK = r"(?:to|-|–|~|～|until|till|through|thru|and|到|至)"

# ------------------------------------------------------------------ clause edges
# Politeness and sequencing words at a clause's start; stripped before matching "say X" etc.
LEAD = re.compile(
    r"^(?:\s*(?:(?:and|also|then|next|now|first(?:ly)?(?!\s*\d)|finally|lastly|after\s+that|afterwards|please|pls|plz"
    r"|kindly|just|ok(?:ay)?|so|hey|hi|could\s+you|can\s+you|would\s+you(?:\s+mind)?|will\s+you|would\s+you\s+please"
    r"|i\s+(?:want|need|would\s+like|'d\s+like)(?:\s+you)?\s+to|i\s+want|i\s+need|i'?d\s+like|let'?s|let\s+us"
    r"|go\s+ahead\s+and|help\s+me|try\s+to|you\s+should|make\s+sure\s+to|simply"
    r"|(?:is\s+there\s+)?any\s+chance\s+(?:that\s+)?(?:you\s+)?(?:could|can)|(?:would|will)\s+it\s+be\s+possible\s+(?:for\s+you\s+)?to"
    r"|is\s+it\s+possible\s+(?:for\s+you\s+)?to|do\s+you\s+think\s+you\s+(?:could|can)|(?:do\s+)?you\s+mind"
    r"|(?:could|can|would)\s+you\s+do\s+me\s+a\s+favou?r\s+and|do\s+me\s+a\s+favou?r\s+and"
    r"|i\s+was\s+(?:wondering|hoping)\s+(?:if|whether|that)\s+you\s+(?:could|can|might)"
    r"|i'?m\s+(?:wondering|hoping)\s+(?:if|whether|that)\s+you\s+(?:could|can|might)|(?:i\s+)?wonder\s+if\s+you\s+could"
    r"|quick\s+(?:one|question)|real\s+quick|quickly|um+|uh+|er+m?|hmm+|yo|hello|hiya|hey\s+there|hi\s+there"
    r"|dear\s+\w+|so\s+basically|basically|actually|oh|alright|all\s+right|right(?=\s*,)|wait|hmm+|ah)\b"
    r"|先|首先|然后|再|接着|最后再|请你|请|麻烦你|麻烦|帮我|帮忙|帮|给我|你|能不能|能否|可不可以|可以|我想|我要|我需要|把|将"
    r"|嗨|哈喽|你好|您好|那个|嗯|呃|喂|哎|劳驾|拜托|单独(?:拿|用)?)"
    r"[\s,，:：!！]*)+",
    re.I,
)
# A clause made only of these words (and numbers, quotes, file names) carries no action of its own.
FILLER_WORDS = frozenset("""
please pls plz thanks thank thx you ok okay so well um uh yes yeah sure great cool nice now and then also too the a an
it its it's this that these those them they for me my mine to of in on at with file files result results output
outputs recording recordings audio clip clips track tracks upload uploads one ones here there is are was be done when
if possible can could do all everything asap again as cheers hey hi hello i i've got have has attached uploaded
recorded sent take use using grab open load from both each same previous last earlier before version voice memo note
podcast song lecture interview meeting call sound sounds thing stuff some bit little more less just only really very
rest whole entire your our we us our way
fine alright right good perfect awesome excellent lovely wonderful amazing brilliant super much appreciated
quick q question qn
separately independently meanwhile copy copies afterward ugh lol lmao hmm oh wow yay oops argh meh honestly
basically btw fyi but instead actually like maybe perhaps probably real quick quickly favor favour
own itself alone solo order steps step following list below sequence
""".split())
ARG_WORDS = frozenset("""
first last final beginning start end ending ends opening intro outro between until till gap gaps silence pause pauses
seconds second sec secs s ms minutes minute min mins db decibels hz khz side sides other another third fourth fifth
bass treble mids mid highs lows low high mono stereo plus minus around about roughly approximately each in out
semitones semitone octave octaves percent times x lufs channels channel by after into onto out up down over under
off back wet dry level strength amount crossfade
small medium large big huge tiny room hall extend fit overlap offset delay delayed starting cutoff frequency each language
half halfway partly partially find detect locate headphones headphone earphones
""".split())
# "remove it", "do that": a bare verb on a pronoun points at the neighbouring clause's object.
PRONOUN_ACTION = re.compile(
    r"^(?:please\s+)?(?:remove|delete|kill|eliminate|get\s+rid\s+of|take\s+(?:it|that|this|them)\s+out|take\s+out|cut"
    r"|fix|do|apply|handle|clean|lose|drop|fill|patch|repair|restore|smooth|mend)\s*(?:it|that|this|them|those|these)?"
    r"(?:\s+(?:out|in|up|over|off|away))?(?:\s+(?:please|for\s+me|too|as\s+well))?\s*$"
    r"|^(?:去掉|去除|删掉|弄掉|消掉|消除|除掉|干掉|处理|修|修复|修补|修好|补|补上|补好|填上|填补|填)(?:它|一下|好|上)?(?:吧|呢)?$",
    re.I,
)
ZH_FILLER_CHARS = set("嗨哈喽你您好嗯呃喂哎哦呀啦嘛吧谢")  # greetings and hesitation ("嗨", "你好", "嗯")
ZH_ARG_CHARS = set("的了把将这那个段两它们最后前后开头结尾末尾秒分钟毫秒分贝倍也都还和与及到从在第首尾并且以及还有吧呢啊吗一下请帮我给"
                   "结果音频录音文件声输出面边中间空隔停顿左右就行够可以截止频率赫兹留白插各是语言强度力设为每之")
# Statements that only describe the input ("here's my podcast").
CONTEXT_STATEMENT = re.compile(
    r"^(?:here(?:'s|\s+is|\s+are)|this\s+is|these\s+are|i\s+have|i've\s+got|i\s+got|i\s+recorded|i\s+uploaded|attached"
    r"|i'?m\s+sending|i\s+am\s+sending|there'?s|there\s+is)\b|^(?:这是|我有|附件)",
    re.I,
)

# ------------------------------------------------------------------ directions and intensity
MILD = rx(r"\b(?:slightly|subtle|subtly|gently|gentle|a\s+tad|a\s+touch|a\s+tiny\s+bit|a\s+little\s+bit|just\s+a\s+bit"
          r"|a\s+hair|light(?:ly)?|barely)\b", r"稍微|稍稍|略微|轻微|一点点|一丢丢|微微")
STRONG = rx(r"\b(?:much|a\s+lot|lots|way(?=\s+(?:more|less|too|louder|quieter|faster|slower|higher|lower|down|up))|really|very|significantly|heavily|drastically|considerably|heavy"
            r"|massive(?:ly)?"
            r"|strong(?:ly)?|tons\s+of|hugely|extremely|super|aggressive(?:ly)?|completely|all\s+the)\b",
            r"很多|大幅|非常|很|特别|大量|强烈|狠狠|彻底|完全")


def intensity(text: str) -> int:
    """-1 mild, 0 normal, +1 strong."""
    if MILD.search(text):
        return -1
    if STRONG.search(text):
        return 1
    return 0


def direction(text: str, up: re.Pattern[str], down: re.Pattern[str]) -> int:
    """+1 or -1 from the earliest direction word, 0 when none."""
    mu, md = up.search(text), down.search(text)
    if mu and (not md or mu.start() <= md.start()):
        return 1
    if md:
        return -1
    return 0


# ------------------------------------------------------------------ languages and formats
LANGUAGES: dict[str, str] = {
    "english": "en", "chinese": "zh", "mandarin": "zh", "german": "de", "french": "fr", "spanish": "es",
    "italian": "it", "japanese": "ja", "korean": "ko", "russian": "ru", "portuguese": "pt", "dutch": "nl",
    "英文": "en", "英语": "en", "中文": "zh", "汉语": "zh", "普通话": "zh", "国语": "zh", "华语": "zh", "德语": "de",
    "德文": "de", "法语": "fr", "法文": "fr", "西班牙语": "es", "意大利语": "it", "日语": "ja", "日文": "ja",
    "韩语": "ko", "韩文": "ko", "俄语": "ru", "葡萄牙语": "pt", "荷兰语": "nl",
    # Whisper and espeak-ng know these too
    "welsh": "cy", "arabic": "ar", "hindi": "hi", "polish": "pl", "turkish": "tr", "vietnamese": "vi", "thai": "th",
    "indonesian": "id", "swedish": "sv", "greek": "el", "czech": "cs", "ukrainian": "uk", "hebrew": "he",
    "finnish": "fi", "danish": "da", "norwegian": "no", "hungarian": "hu", "romanian": "ro", "malay": "ms",
    "威尔士语": "cy", "阿拉伯语": "ar", "印地语": "hi", "波兰语": "pl", "土耳其语": "tr", "越南语": "vi", "泰语": "th",
    "印尼语": "id", "瑞典语": "sv", "希腊语": "el", "捷克语": "cs", "乌克兰语": "uk", "希伯来语": "he", "芬兰语": "fi",
    "丹麦语": "da", "挪威语": "no", "匈牙利语": "hu", "罗马尼亚语": "ro", "马来语": "ms",
}
LANG_EN = "|".join(k for k in LANGUAGES if k.isascii())
LANG_ZH = "|".join(sorted((k for k in LANGUAGES if not k.isascii()), key=len, reverse=True))
# "in French", "a German voice", "用中文"
LANGUAGE_PHRASE = rx(
    rf"\b(?:in|with\s+an?|using|into|an?|as)\s+(?P<en1>{LANG_EN})\b(?:\s+(?:voice|accent|speaker|language))?",
    rf"\b(?P<en2>{LANG_EN})\s*(?:的\s*)?(?:voice|accent|speaker|speech|audio|recording|language|lecture|talk|podcast|interview"
    r"|conversation|meeting|call|lesson|class|song|clip|file|video|text|transcript|narration|news|broadcast"
    r"|voicemail|voice\s+(?:memo|message|note)|message|memo|sermon|speaker|lyrics|dialogue|audiobook|show)\b",
    rf"(?:用|以|说|讲)?(?P<zh>{LANG_ZH})(?:来|的|发音|语音)?",
)


def language_in(text: str) -> str | None:
    """The ISO code of a language named in the text, if any."""
    m = LANGUAGE_PHRASE.search(text)
    if not m:
        return None
    word = next(g for g in (m.group("en1"), m.group("en2"), m.group("zh")) if g)
    return LANGUAGES.get(word.lower())


# What is spoken in the recording, said anywhere in the request: "the witness speaks Spanish throughout",
# "caller speaks english", "(it's French)", "说的是普通话", "我奶奶用普通话发给我的语音"
_SPOKEN = rx(rf"\b(?:speaks?|speaking|spoken\s+in|talks?\s+in|it'?s(?:\s+all|\s+entirely|\s+completely|\s+fully)?(?:\s+in)?|is(?:\s+all|\s+entirely)?\s+in)\s+(?P<en>{LANG_EN})\b"
             r"(?!\s+(?:voice|accent|translation|version|subtitles?))",
             rf"(?:说的是|讲的是|说的|讲的|(?:全程|一直|全部|都)(?:在)?(?:说|讲))(?P<zh>{LANG_ZH})|(?:是|用)(?P<zh2>{LANG_ZH})(?:的|说的|讲的|发(?:给我)?的|录的|(?=[，。,.！!）)]|$))")


def spoken_language(text: str) -> str | None:
    """The one language the request says the recording is in (None when it names none, or several)."""
    found = {LANGUAGES[(m.group("en") or m.group("zh") or m.group("zh2")).lower()] for m in _SPOKEN.finditer(text)}
    return found.pop() if len(found) == 1 else None


_NTH_SPEAKS = rx(rf"\b(?:the\s+)?(?P<en>first|second|third|1st|2nd|3rd)(?:\s+(?:one|file|clip|recording|interview|call|track))?"
                 rf"\s+(?:is|'s)\s+(?:in\s+)?(?P<lang>{LANG_EN})\b",
                 rf"第(?P<zh>[一二三四1234])(?:个|段|条|份)?(?:是|用的是|说的是|讲的是|为)(?P<zlang>{LANG_ZH})")


def languages_by_position(text: str) -> dict[int, str]:
    """'第一段是普通话，第二段是英语', 'the first one is in English': the language of the k-th file (1-based)."""
    out: dict[int, str] = {}
    for m in _NTH_SPEAKS.finditer(text):
        if m.group("en"):
            out[ORDINALS[m.group("en").lower()]] = LANGUAGES[m.group("lang").lower()]
        else:
            d = m.group("zh")
            out[int(d) if d.isdigit() else "一二三四".index(d) + 1] = LANGUAGES[m.group("zlang")]
    return out


def script_language(text: str) -> str | None:
    """Language implied by the writing system: kana -> ja, hangul -> ko, CJK ideographs -> zh."""
    if re.search(r"[\u3040-\u30ff]", text):
        return "ja"
    if re.search(r"[\uac00-\ud7af]", text):
        return "ko"
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    return None


FORMATS: dict[str, str] = {"mp3": "mp3", "flac": "flac", "ogg": "ogg", "vorbis": "ogg", "oga": "ogg", "wav": "wav",
                           "wave": "wav", "pcm": "wav", "lossless": "flac"}
AUDIO_EXT = r"wav|wave|mp3|flac|ogg|oga|opus|m4a|aac|wma|aiff?|webm|mp4|mov|mkv"
FILE_NAME = re.compile(rf"(?<![\w/])[\w\-]+\.(?:{AUDIO_EXT}|txt|json|png|jpe?g)\b", re.I)

# ------------------------------------------------------------------ referring to inputs
PREVIOUS = rx(r"\b(?:previous|prior|earlier|last|latest|recent)\s+(?:result|output|one|file|clip|recording|run|version"
              r"|audio|track|take)\b|\bthe\s+(?:result|output)\b|\bwhat\s+you\s+(?:just\s+)?(?:made|did|produced)\b",
              r"上一个|上个|上次|刚才|刚刚|之前的|前面的结果|上一步")
ORDINALS: dict[str, int] = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                            "fifth": 5, "5th": 5, "former": 1, "latter": 2}
ORDINAL_MENTION = rx(
    r"(?<![\d.]\s)(?<![\d.])\b(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|former|latter)\b(?!\s*\d)"
    r"(?:\s+(?:file|clip|track|recording|one|upload|audio|song|input|take|voice))?",
    r"\b(?:file|clip|track|recording|upload|input|take|#)\s*(?P<num>\d)\b",
    # not "从第10秒开始", "第2分钟": a time, not the k-th file
    r"第(?P<zh>\d|[一二三四五])(?![\d.]|\s*(?:秒|分|小时|拍|遍|次|轮|步))(?:个|段|首|条)?(?:文件|音频|录音)?|(?P<zhrel>前者|后者)",
)

PEAK_WORDS = rx(r"\b(?:true\s*)?peaks?\b|\bceiling\b|\bdbtp\b", r"峰值|上限")
# The parts of a mix a level can refer to ("the music at 30%").
MIX_PART = rx(r"\b(?:music|background|bgm|other\s+(?:one|clip|file|track)|voice|speech|bed)\b", r"音乐|背景|人声")

# ------------------------------------------------------------------ the answer spoken aloud (Plan.speak)
_REFERENT = (r"(?:it|this|that|them|⟦r[a-z]⟧|(?:the|my|your)\s+(?:answer|result|results|transcript|transcription|text|reply"
             r"|response|info|information|output|language|duration|length|numbers?|measurements?)"
             r"|(?:the\s+)?(?:previous|last|latest)\s+(?:result|output|one|answer))")
SPEAK = rx(
    rf"\bread\s+(?:{_REFERENT}\s+)?(?:back\s+)?(?:out\s+)?(?:loud\s+|aloud\s+)?(?:to\s+)?me\b",
    rf"\b(?:read|say|speak|tell)\s+{_REFERENT}\s+(?:out\s+loud|aloud|back|out)\b",
    rf"\b(?:have|get|let)\s+{_REFERENT}\s+(?:read|spoken|said|voiced)\s+(?:out\s+loud|aloud|out|back)\b",
    r"\b(?:read|say|speak)\s+(?:out|aloud|out\s+loud)\s+⟦r[a-z]⟧",
    r"\b(?:say|speak|read\s+out|tell\s+me|give\s+me)\s+(?:the|your)\s+(?:answer|reply|response|results?)\s*(?:aloud"
    r"|out\s+loud)?",
    r"\btell\s+me\b.*\b(?:aloud|out\s+loud|verbally|by\s+voice|with\s+(?:your\s+)?voice|in\s+speech|vocally)\b",
    r"\b(?:answer|reply|respond)\b.*\b(?:aloud|out\s+loud|by\s+voice|verbally|with\s+(?:your\s+)?voice|in\s+speech"
    r"|vocally)\b",
    r"^\s*(?:say|speak|read)\s+(?:it|that|them)\b(?!\s*[:：]).*$",
    r"\b(?:speak|voice)\s+(?:the|your)\s+(?:answer|reply|response)\b|\bvoice\s+(?:answer|reply|response)\b",
    r"(?:念|读|说|讲|播|告诉我)(?:出来)?给我听|(?:念|读|说|播放?)出来|(?:语音|声音)?(?:念|朗读|读|播报?)[一1]遍|用语音(?:回答|回复|告诉我|播报|念|读)?|语音(?:回答|回复|播报)",
    r"大声(?:读|念|说)(?:出来)?|朗读(?:出来|结果|答案)|播报(?:结果|答案)|(?:答案|结果)(?:念|读|说)(?:出来|给我)",
)

# ------------------------------------------------------------------ vague requests (clarify, not unsupported)
VAGUE = rx(
    r"\b(?:fix|improve|enhance|edit|process|polish|master|tweak|adjust|change|modify|better|nicer|professional"
    r"|work\s+on|do\s+something|sort\s+out|optimi[sz]e|touch\s+up|make\s+(?:it|this)\s+(?:good|great|sound\s+good))\b",
    r"优化|处理|修改|编辑|改善|弄好|调整|改一下|美化|修一下|好听",
)
AUDIOISH = rx(r"\b(?:audio|sound|sounds|recording|clip|track|voice|vocals?|song|music|podcast|mp3|wav|volume|noise"
              r"|speech|mic)\b", r"音频|声音|录音|音乐|歌|语音|音量")

# A question about the audio ("does she sound angry?", "这段录音里有几个人"): when no tool answers it, the answer
# is "unsupported", not a request for clarification.
QUESTION = rx(r"^(?:(?:so|and|but|hey|ok(?:ay)?|um|uh|quick\s+question)[\s,]+)*(?:what|whats|what's|who|whose|which|where"
              r"|when|why|how|does|do|did|is|are|was|were|has|have|can\s+(?:it|this|that|he|she|they)|will|would\s+(?:it|this))\b"
              r"(?!\s+(?:you|u)\b)", r"吗[?？]?$|什么|几个|几次|谁|哪(?:个|些|里|首|种)|多少|是不是|有没有")

# 唱 as "sing": not a simile ("像在唱"), not 唱诗班/唱片/合唱, not "我唱的" (what I sang), not 唱完 ("after singing")
SING_ZH = (r"(?<!像在)(?<!好像在)(?<!仿佛在)(?<!里)(?<!这段清)(?<!那段清)(?<!这首清)(?<!合)(?<!练)(?<!弹)"
           r"(?:(?<![我他她])唱|(?<=[我他她])唱(?!的|过|了))"
           r"(?!不上|不了|不到|不动|诗|片|团|机|够|得|段|腔)(?![^，,。]{0,4}一样)(?!完|好(?:之后|以后|后|了))")

# ------------------------------------------------------------------ capabilities no tool has
# (capability named in the answer, pattern). Checked before the tool rules, so "remove the echo" is
# not read as "add reverb" and "remove the background music" is not read as denoising.
# Formats people ask for that convert does not write (it writes wav, flac, mp3, ogg), and encoder settings it
# does not take: asked for, these are refusals, never context (rules.py).
_OTHER_FORMATS = r"(?:aiff?|m4a|m4r|aac|opus|wma|alac|amr|ac3|caf)"
FORMAT_CAPABILITY = "saving as that format (convert writes wav, flac, mp3 or ogg)"
BITRATE_CAPABILITY = "choosing the bitrate (mp3 and ogg are written at the encoder's default quality)"

SIGN_LANGUAGE = "sign language (the talking head moves the face, not the hands)"
GESTURES = "gestures or body movement (the talking head moves the face only)"
VIDEO_SETTINGS = "choosing the video's frame rate, aspect ratio or resolution"
BEYOND_THE_FACE = (SIGN_LANGUAGE, GESTURES, VIDEO_SETTINGS)
NEVER_IN_PASSING = (FORMAT_CAPABILITY, BITRATE_CAPABILITY, *BEYOND_THE_FACE)

# A clip played a counted number of times, in the normalized core (numbers as digits): the last number is the count.
REPEAT = rx(r"\b(?:repeat\w*|loop\w*|play\w*|run)\b[^,;.]{0,30}?\b\d+\s+times\b(?!\s+(?:as|faster|slower|louder|quieter|longer|shorter))"
            r"|\b\d+\s+times\s+(?:in\s+a\s+row|back[- ]to[- ]back|over|straight|running|one\s+after\s+(?:the\s+)?(?:other|another))\b",
            r"(?:重复|循环|连放|连播|连续(?:放|播)|loop|放|播)\s*\d+\s*(?:遍|次|回)")


def repeat_count(text: str) -> int | None:
    """How many times a clip is to play back to back ("loop it 4 times", "重复3遍"), if the text says so."""
    m = REPEAT.search(text)
    n = int(re.findall(r"\d+", m.group(0))[-1]) if m else 0
    return n if 2 <= n <= 50 else None


UNSUPPORTED: list[tuple[str, re.Pattern[str]]] = [
    # not "translate the length for me: 5 minutes into a 6 minute slot"
    ("translation", rx(r"\btranslat(?:e|es|ed|ing|ion|ions|or|ors)?\b(?!\s+(?:the\s+)?(?:length|duration|time|tempo|bpm|numbers?|that\s+into\s+a\s+(?:rate|speed)))",
                       # "how do you say 'bow' in japanese": a question of what the words are in another language
                       r"\bhow\s+(?:do|would|should|can)\s+(?:you|i|we|one)\s+say\b[^?]{0,60}\bin\s+[a-z]+(?:\s+again)?\s*\??$"
                       r"|\bwhat(?:'s|\s+is)\s+[^?]{1,40}\bin\s+(?:japanese|french|german|spanish|italian|korean|chinese|mandarin|russian"
                       r"|portuguese|dutch|arabic|hindi)\b",
                       r"翻译|译成|译为|用\S{1,4}语怎么说|\S{1,4}语(?:里|中)?(?:怎么说|咋说)")),
    ("surround or ambisonic formats", rx(r"\bambisonics?\b|\bb-format\b|\b[57]\.1(?:\.\d)?\b|\bdolby\s+atmos\b|\batmos\b",
                                        r"全景声|环绕声格式|杜比")),
    ("score or MIDI format conversion", rx(r"\b(?:midi|musicxml|sheet\s+music|notation)\b[^,.;]{0,30}\bto\s+(?:musicxml|midi|pdf"
                                           r"|sheet\s+music|notation|abc)\b")),
    ("adaptive or real-time music", rx(r"\bheart[- ]?rate\b|\bbiometric\w*", r"心率|心跳数据|实时调整")),
    ("summarising", rx(r"\bsummar\w*|\btl;?dr\b|\bgist\b|\bkey\s+points\b", r"摘要|总结|概括|归纳")),
    # "a screenshot of the recipe card, read the text in it out loud": the words are in an image, not given as text
    ("reading text from images", rx(r"\b(?:read|transcribe|extract|pull|get|copy)\s+(?:out\s+)?(?:the\s+|all\s+the\s+)?"
                                    r"(?:text|words|writing|handwriting)\s+(?:in|on|from|off|of)\s+(?:it|this|that|the\s+"
                                    r"(?:image|screenshot|picture|photo|card|scan|page|sign|menu|poster|note))\b",
                                    r"(?:图片|截图|照片|图|海报|卡片)(?:里|上|中)的(?:字|文字)")),
    ("image generation or editing", rx(
        r"\b(?:picture|image|photo|photograph|drawing|painting|illustration|logo|wallpaper|icon|jpe?g|png)s?\b"
        r"|\bdraw\b|\bpaint\b", r"画一|图片|图像|照片|画个|画张|画幅")),
    ("plots or graphs", rx(r"\b(?:plot|graph|chart|spectrogram|visuali[sz]\w*)s?\b|\bwaveform\s+(?:image|picture|plot)\b",
                           r"频谱图|波形图|曲线图|画(?:一(?:个|张))?(?:图|波形|频谱|曲线)")),
    # What a talking head cannot do beyond moving the face: asked of it, these refuse even in an animating clause
    (SIGN_LANGUAGE, rx(r"\bsign\s+language\b|\b(?:bsl|asl)\b|\bsigning\s+(?:avatar|version|interpreter)\b", r"手语")),
    (GESTURES, rx(r"\bwav(?:e|es|ing)\s+(?:at|to)\s+(?:the\s+)?(?:camera|viewers?|audience|people|kids|children|us|them)\b"
                  r"|\bgestur\w*|\bhand\s+(?:signs?|gestures?|movements?)\b|\bbody\s+language\b|\bnod(?:s|ding)?\s+(?:its|her|his)\s+head\b",
                  r"挥手|招手|手势|比划|比手|点头|摇头|做动作|肢体动作")),
    # not "the project is 25fps, chop the first 250 frames": a frame rate that measures time
    (VIDEO_SETTINGS, rx(r"\b(?:export|render|output|deliver|make|give|encode)\w*\b[^,;.]{0,40}\b\d+\s*fps\b|\bframe\s*rate\b"
                        r"|\baspect\s+ratio\b|\bvertical\s+(?:video|format)\b|\b(?:1080p|720p|2160p|4k\s+video)\b",
                        r"竖屏|横屏|帧率|\d+\s*帧的?(?:视频|mp4)|分辨率")),
    # "婚礼视频的背景音乐" is audio from a video; "for a video" is taken out by the rule planner first
    ("video", rx(r"\bvideos?\b|\bmovie\b(?![- ]trailer)|\banimat\w*|\blip[- ]?sync\w*|\bavatar\b|\btalking\s+head\b|\bmp4\b",
                 r"视频(?!(?:的?(?:背景音乐|音乐|音频|声音|录音|音轨|配乐|原声|bgm|BGM|配音|口播|旁白|解说)|配的音|的\s*(?:[，,。；;]|$)|号|用的?|要|里用)"
                 r"(?![^，,。]{0,6}(?:提取|抽取|分离|拿出来|扒下来|导出来)))|动画|口型|数字人")),
    ("music generation", rx(
        r"\b(?:compose|composing|composition|symphony|orchestrat\w*)\b",
        r"\b(?:generate|create|make|produce|compose)\s+(?:me\s+)?(?:a|an|some)\s+(?!voice|speech|spoken|narrat)"
        r"(?:[\w-]+\s+){0,2}(?:track|beat|song|tune|melody|jingle|soundtrack|instrumental|loop)s?\b(?!\s+(?:of|from|with)\b)",
        r"\b(?:write|generate|create|make|produce|compose)\s+(?:me\s+)?(?:a\s+|an\s+|some\s+)?(?:new\s+|short\s+"
        r"|little\s+"
        r"|happy\s+|sad\s+|relaxing\s+|calm\s+|epic\s+|catchy\s+|pop\s+|rock\s+|jazz\s+|piano\s+|lo-?fi\s+"
        r"|background\s+|original\s+|dance\s+|birthday\s+)*(?:song|melody|beat|tune|jingle|soundtrack|music|ringtone"
        r"|chord\s+progression)s?\b(?!\s+(?:bed\s+)?(?:out\s+of|of|from|with|using)\b)",
        r"作曲|写(?:一)?首|生成(?:一段)?音乐|创作|编曲|写歌"
        # "给我 generate 一个 podcast intro jingle", "生成一段三分钟的轻松背景音乐" (not "生成一段语音，配上背景音乐")
        r"|(?:generate|compose|生成|写|编|做\s*[一1]\s*(?:个|段|首|条))\s*(?:[一1]\s*(?:个|段|首|条))?"
        r"(?:(?!语音|speech|念|说|读|配上|加上|混)[^，,。；]){0,24}?(?:jingle|bgm|背景音乐|配乐|纯音乐|音乐|歌曲|beat|旋律|伴奏|music|song|soundtrack)")),
    ("sound-effect generation", rx(
        r"\b(?:generate|create|make|synthesi[sz]e|produce)\s+(?:me\s+|us\s+)?(?:a|an|some)?\s*(?:[\w.-]+\s+){0,3}?"
        r"(?:sound\s+effects?|sfx|white\s+noise|pink\s+noise|brown\s+noise|rain|thunder|applause|laughter|explosion|beeps?"
        r"|sine(?:\s+wave)?|(?:test\s+)?tones?|drum|click\s+track|metronome|ambien(?:ce|t\s+sound))\b"
        r"|\b(?:binaural|isochronic)\s+beats?\b", r"生成(?:一段)?(?:音效|白噪音|雨声)|双耳节拍"
        r"|(?:生成|做|制作|合成|来)(?!成)(?:[一1]\s*[段个首条])?[^，,。；]{0,4}(?:音效|白噪音|雨声|雷声|掌声|笑声|鸟叫声?|海浪声|风声|铃声"
        r"|提示音|闹铃)")),
    ("voice cloning or conversion", rx(
        r"\bclon\w+\b|\bin\s+my\s+(?:own\s+)?voice\b|\bin\s+(?:[a-z.]+\s+){0,3}[a-z]+'s\s+voice\b|\bimpersonat\w*|\bvoice\s+(?:conversion|changer|swap)\b"
        r"|\bsound\s+like\s+(?:a\s+)?(?:man|woman|male|female|child|kid|girl|boy|robot|alien|obama|trump|me)\b"
        r"|\b(?:change|turn|convert)\s+(?:the|my|his|her)\s+voice\b(?![- ]?over|\s+(?:memo|note|message|recording|file|clip|track))"
        r"|\b(?:change|switch|swap|convert|remove|fix)\s+(?:the\s+|his\s+|her\s+|my\s+|their\s+|its\s+)?(?:speaker'?s\s+)?accents?\b"
        # "make my voice sound like Morgan Freeman / him" (not "like it's in a church", "like a phone call")
        r"|\b(?:voice|me|i|him|her|them)\s+(?:sound|sounds)\s+(?:more\s+)?like\s+(?!(?:a|an|the|it|it's|its|this|that|they"
        r"|we|in|on|from|over|through|inside|if|when|someone\s+(?:is|in))\b)(?:him|her|them|[a-z]+\s+[a-z]+)\s*[.!?]*$",
        r"\b(?:use|using|with|in)\s+my\s+(?:own\s+)?voice\b",
        r"\bin\s+the\s+voice\s+of\b|\b(?:sound|sounds)\s+(?:more\s+)?(?:like|as\s+if)\s+(?!(?:a|an|the|it|this|that|they|we"
        r"|someone|somebody|i)\b)[a-z]+(?:\s+[a-z]+)?\s+(?:is|was|were)\s+(?:the\s+one\s+)?(?:reading|saying|speaking"
        r"|narrating|talking|singing|voicing)\b",
        r"变声(?!后|过|的)|换声|克隆|声音克隆|变成(?:男|女)声|(?:改|换|变)(?:成)?[^，,。]{0,4}口音|(?:用|以)我(?:自己)?的(?:声音|嗓音)"
        r"|(?:用|(?<![\d千百万赫兹])以(?![下上内外前后])|模仿)(?!女|男|中文|英文|英语|普通话|默认)[^，,。\s]{1,8}?的(?:声音|嗓音|口吻|腔调)")),
    ("source separation (isolating or removing voice, music or instruments)", rx(
        r"\b(?:remove|isolate|extract|separate|split|strip|mute|get\s+rid\s+of|take\s+out|cut\s+out|delete|drop"
        r"|pull\s+out"
        r"|keep\s+only|only\s+keep|eliminate|suppress)\s+(?:the\s+|all\s+(?:the\s+)?|just\s+the\s+|only\s+the\s+)?"
        r"(?:vocals?|singer|singing|lyrics|instrumentals?|background\s+music|music|drums?|bass\s+line|guitars?|piano"
        r"|accompaniment|backing\s+(?:track|vocals)|beat)\b",
        r"\b(?:isolate|extract|separate)\s+(?:the\s+)?(?:voice|speech|dialogue)\b(?!\s+(?:memo|note|message"
        r"|recording))",
        # "karaoke night", "this karaoke backing track", "第二个是伴奏": the backing track named, not one to make
        r"\b(?:make|create|turn|give|convert|want|need)\b[^,.;]{0,30}\bkaraoke\s+(?:version|track|mix|cut)\b"
        r"|\binto\s+(?:a\s+)?karaoke\b|\bkaraoke\s+version\s+of\b|\bstems?\b|\ba\s*cappella\b|\bacapella\b"
        r"|\binstrumental\s+version\b",
        r"人声分离|分离|去掉人声|去除人声|消除人声|提取人声|(?:提取|分离出|做成|弄成|变成|生成|只要|只留|做个|做一个|做一版)\s*伴奏"
        r"|去掉背景音乐|去除背景音乐|去掉音乐|(?:做成|弄成|变成|生成|做个|做一个)\s*卡拉ok"
        r"|(?:人声|背景音乐|音乐|鼓声?|吉他|钢琴|贝斯)(?:部分)?(?:都|全)?(?:去掉|去除|消除|删掉|拿掉|抠掉|提取出来|单独提取|分出来)"
        # "这段人声去掉电流声": the hum is removed from the voice
        r"(?![^，,。]{0,3}(?:电流声|噪音|噪声|杂音|嗡嗡|交流声|底噪|哼声|回声|混响|喷麦|呼吸|爆音|咔嗒|静音|空白))")),
    ("writing lyrics, poems or stories", rx(
        r"\b(?:write|compose|generate|create|make|come\s+up\s+with|draft)\s+(?:me\s+|us\s+)?(?:a\s+|an\s+|some\s+|the\s+)?"
        r"(?:\w+\s+)?(?:lyrics|poem|poetry|story|essay|script|rap|verse|limerick|haiku|article|blog\s+post)s?\b",
        r"写(?:一)?(?:首|段|篇|个)?(?:歌词|诗|故事|文章|剧本)|作词|写词"
        r"|写(?:[一1]\s*)?(?:首|段|篇|个|份)?[^，,。；]{0,4}(?:歌词|诗|故事|文章|剧本|文案|稿子|台词|段子|小说|作文|邮件)")),
    ("singing", rx(r"\b(?:sing|sang|sung|singing|sings)\b(?![^,;]*\b(?:in|inside)\s+(?:a|an|the)\s+(?:\w+\s+){0,3}(?:hall"
                   r"|cathedral|church|chapel|room|cave|stadium|arena|bathroom|shower|auditorium|concert\s+hall)\b)",
                   SING_ZH)),
    ("speaker identification", rx(
        r"\bwho\s+(?:is|was|'s|are)\s+(?:speaking|talking|this)\b|\bdiari[sz]\w*|\bspeaker\s+(?:id|identification"
        r"|labels?)\b"
        r"|\bhow\s+many\s+(?:people|speakers|voices|persons)\b|\bidentify\s+(?:the\s+)?speakers?\b|\bwhose\s+voice\b",
        r"谁在说话|是谁在|说话人|几个人在说|几个人说话|几个\s*(?:speakers?|人|声音)|分别是谁|都是谁")),
    ("music or sound recognition", rx(
        r"\bwhat\s+(?:song|music|instrument|genre|bird|animal|kind\s+of\s+(?:sound|music|noise))\b"
        r"|\bidentify\s+(?:the\s+)?(?:song|instruments?|sound|genre|bird)\b|\bwhich\s+song\b|\bshazam\b"
        r"|\bname\s+(?:of\s+)?(?:the|this)\s+song\b|\bwho\s+(?:sings|sang|wrote|composed|performs|performed|made)\s+"
        r"(?:this|that|the|it)\b|\bwhat(?:'?s|\s+is)\s+(?:this|that|the)\s+song\b|\bsong\s+(?:is\s+)?(?:this|called)\b",
        r"什么歌|哪首歌|什么乐器|什么声音|(?:这|那)首歌(?:叫|是)(?:什么|啥)|歌名|谁唱的|是谁唱|谁的歌|原唱是")),
    ("looking things up (lyrics, facts, the web)", rx(
        r"\blook\s+up\b|\blook\s+(?:it|that|this)\s+up\b|\bsearch\s+(?:for|the\s+web|online|the\s+internet)\b|\bgoogle\b"
        r"|\b(?:find|get|show)\s+(?:me\s+)?(?:the\s+)?lyrics\b|\blyrics\s+(?:of|to|for)\b",
        r"查一下|查查|搜一下|搜索|上网查|查歌词|找(?:一下)?歌词|歌词是什么")),
    ("music recommendation", rx(
        r"\brecommend\w*\s+(?:me\s+)?(?:some\s+|a\s+few\s+|any\s+)?(?:[\w-]+\s+){0,2}(?:songs?|music|tracks?|artists?|albums?"
        r"|bands?|podcasts?|playlists?)\b|\bplaylist\b|\bsimilar\s+(?:songs|music|tracks|artists)\b"
        r"|\b(?:songs|music|tracks)\s+(?:that\s+)?(?:sound|are)\s+(?:similar|like)\b",
        r"推荐(?:几|一些|点|一下)?[^，,。]{0,6}(?:歌|音乐|歌手|专辑|播客)|歌单|类似的歌")),
    ("musical analysis (key, tempo/BPM, chords)", rx(
        r"\bwhat(?:'s|\s+is)?\s+(?:the\s+|its\s+)?(?:key|bpm|tempo|chords?|notes?|time\s+signature)\b"
        r"|\b(?:detect|find|estimate|measure|get)\s+(?:the\s+)?(?:bpm|tempo|key|beats?|chords?)\b|\bhow\s+many\s+bpm\b"
        r"|\b(?:tell\s+me|give\s+me|show\s+me|list|identify|figure\s+out|work\s+out|transcribe|write\s+(?:down|out)|extract"
        r"|analy[sz]e)\s+(?:the\s+|its\s+|their\s+)?(?:musical\s+)?(?:key|bpm|chords?|chord\s+progression|time\s+signature"
        r"|(?:musical\s+)?notes|sheet\s+music|tempo)\b|\bwhat\s+chords\b",
        r"\b(?:to|into|as)\s+(?:a\s+)?midi\b|\bmidi\s+(?:file\s+)?(?:from|of)\b",
        r"多少bpm|什么调|节拍是多少|速度是多少|(?:检测|分析|算|测|识别)[^，,。]{0,6}(?:节奏|节拍|bpm|调性|和弦)"
        r"|(?:转|提取|导出|变)成?(?:为)?\s*midi|扒谱|扒带|(?:转|写|扒)成?乐谱"
        r"|(?:节奏|节拍|bpm|调性|和弦)[^，,。]{0,6}(?:检测|分析|算出|测出|识别)")),
    ("emotion or sentiment analysis", rx(
        r"\bemotions?\b|\bsentiment\b|\bmood\b|\bhappy\s+or\s+sad\b"
        r"|\b(?:does|do|did|is|was|are)\s+(?:he|she|they|it|the\s+\w+|this\s+\w+|i|we)\s+(?:sound(?:ing)?|seem(?:ing)?|come\s+across(?:\s+as)?)\s+"
        r"(?:\w+\s+)?(?:angry|sad|happy|tired|upset|nervous|excited|bored|stressed|annoyed|confident|sarcastic|scared|calm"
        r"|friendly|rude|sincere|honest|drunk|sick|depressed|anxious)\b",
        r"情绪|情感|心情|(?:生气|开心|难过|高兴|紧张|伤心|愤怒|焦虑)(?:吗|了吗|不|没|还是)|语气(?:怎么样|如何|是)")),
    ("detecting AI-generated or fake audio", rx(
        r"\bai[- ]generated\b|\bdeep\s*fakes?\b|\b(?:real|fake|synthetic|human)\s+or\s+(?:real|fake|synthetic|ai|a\s+robot"
        r"|machine)\b|\bis\s+(?:this|it|that)\s+(?:a\s+)?(?:real|fake)\b",
        r"ai生成|AI生成|是不是真人|是真人还是|是不是合成的|深度伪造")),
    ("audio quality or noise measurement", rx(
        r"\bhow\s+(?:noisy|clean|clear|good|bad|muddy|distorted)\s+(?:is|does|was)\b|\bsnr\b|\bsignal[- ]to[- ]noise\b"
        r"|\b(?:quality|mos|pesq|stoi)\s+(?:score|rating)\b|\brate\s+(?:the\s+)?(?:quality|sound)\b",
        r"噪音有多大|噪声有多大|有多吵|音质(?:怎么样|如何|好不好|打分|评分)|信噪比")),
    ("finding where something happens in the audio", rx(
        r"\bwhich\s+(?:part|section|bit|moment|second|minute|segment)\b|\bwhere\s+(?:is|are|does|do)\s+(?:the\s+)?"
        r"(?:loudest|quietest|silence|music|chorus|laugh\w*|applause|speech|voice|singing|beat)\b|\bat\s+what\s+time\b"
        r"|\bwhen\s+does\s+(?:the\s+)?(?:music|song|chorus|speech|singing|talking|voice)\s+(?:start|begin|stop|end)\b"
        r"|\bhow\s+many\s+times\s+(?:does|do|did|is|was)\b|\bcount\s+(?:the\s+|how\s+many\s+)",
        r"哪(?:一)?(?:段|部分|里|个地方|一秒)(?:最|是|有)|(?:什么时候|几秒)(?:开始|结束)(?:的)?(?:唱|说|音乐)?"
        r"|(?:叫|响|出现|说|咳嗽|笑)了(?:几|多少)(?:次|声|遍)|(?:几|多少)次[^，,。]{0,6}(?:叫|响|出现|咳嗽)")),
    ("timing or beat correction", rx(
        r"\bon\s+(?:the\s+)?beat\b|\bquantiz\w*|\btime[- ]?align\w*|\bfix\s+(?:my|the|his|her)\s+timing\b|\bbeat[- ]?match\w*",
        r"对齐节拍|卡点|对拍|踩点")),
    ("recording from a microphone", rx(r"\brecord\s+(?:me|my|a\s+new|something|audio|from|myself)\b|\bmicrophone\b"
                                       r"|\buse\s+the\s+mic\b", r"录一段|用麦克风|开始录音")),
    ("reversing audio", rx(r"\brevers(?:e|ed|ing)\b(?!\s+order)|\bbackwards?\b",
                           r"倒放|(?<!按)倒序(?![^，,。]{0,4}(?:拼|排|连|接|合并|串))|反转")),
    # the output, not an input ("手机录音是m4a格式的，帮我转成mp3" is fine): a silent wav would break their player
    (FORMAT_CAPABILITY, rx(rf"\b(?:as|to|into)\s+(?:an?\s+)?\.?{_OTHER_FORMATS}\b"
                           rf"|\b(?:export|save|encode|render|output|convert)\w*\b[^,;.]{{0,25}}?\b{_OTHER_FORMATS}\b"
                           r"(?!\s+(?:\w+\s+)?(?:to|into)\b)",  # not "convert my aac file to wav"
                           rf"(?:转|导出|存|保存|输出|export|encode|做|弄|给我)\s*(?:成|为|出|个)?\s*\.?{_OTHER_FORMATS}")),
    (BITRATE_CAPABILITY, rx(r"\b\d+\s*(?:kbps|kbit/?s|kb/s)\b|\bconstant\s+bit\s*rate\b|\bcbr\b|\bbit\s*rate\b",
                            r"码率|比特率")),
    # "this drum loop is 90 bpm": a loop as the thing being edited is not a request to loop it; a loop with a
    # count ("3 times in a row", "重复三遍") is that many copies joined (REPEAT), which rules.py lets through
    ("looping or repeating", rx(r"\bloop\s+(?:it|this|that|them|the\s+\w+)\b|\b(?:make|turn)\s+(?:it|this|that)\s+(?:into\s+)?"
                                r"(?:a\s+)?(?:seamless\s+)?loop\b|\bloop(?:ed|ing)\s+(?:for|until|\d)|\bloopable\b|\bseamless(?:ly)?\s+loop"
                                r"|\bon\s+(?:a\s+)?loop\b|\brepeat\s+(?:it|this|that|the)\b|\b\d+\s+times\s+in\s+a\s+row\b",
                                r"重复|循环")),
    ("splitting into parts", rx(
        r"\bsplit\s+(?:it|this|the\s+\w+)?\s*(?:into|at|in|on|by)\b|\bchop\s+(?:it\s+)?(?:into|up)\b"
        r"|\bcut\s+(?:it\s+|this\s+)?(?:into|in)\s+(?:\d+\s+)?(?:pieces|parts|chunks|segments|halves)\b",
        r"分成|切成|拆分|分割")),
    ("silence detection and removal", rx(
        r"\b(?:remove|cut|trim|strip|delete|skip|drop|get\s+rid\s+of|shorten|take\s+out"
        r"|eliminate)\s+(?:all\s+)?(?:the\s+)?"
        r"(?:long\s+)?(?:silen(?:ce|ces|t\s+(?:parts?|gaps|bits|sections|stretches))|pauses|gaps|dead\s+air)\b"
        r"|\btruncate\s+silence\b",
        r"(?:去掉|删除|去除|剪掉|删掉)(?:所有)?(?:的)?(?:静音|停顿|空白)|(?:静音|停顿|空白)(?:部分|段)?(?:都)?(?:去掉|删除|去除|剪掉|删掉)")),
    ("dynamic range compression or limiting", rx(
        r"\bquiet(?:er)?\s+(?:parts?|bits?|sections?|passages?)\s+(?:a\s+bit\s+|much\s+)?louder\b"
        r"|\bloud(?:er)?\s+(?:parts?|bits?|sections?|passages?)\s+(?:a\s+bit\s+|much\s+)?(?:quieter|softer)\b",
        r"小声的(?:部分|地方)(?:调|变)?大|大声的(?:部分|地方)(?:调|变)?小")),
    ("dynamic range compression or limiting", rx(
        r"\bcompressor\b|\bdynamic\s+range\b|\bcompress\s+(?:the\s+)?dynamics\b|\blimiter\b|\bsidechain\w*\b"
        r"|\bducking\b",
        r"压缩动态|压限|动态范围|每(?:个|一个)字的音量|每句(?:话)?的音量|音量(?:都)?(?:调|弄)?(?:得|成)?一样大")),
    ("click, breath, plosive or sibilance removal", rx(
        r"\bde-?ess\w*|\bsibilan\w*|(?<!kettle\s)(?<!mouse\s)(?<!door\s)(?<!pen\s)(?<!camera\s)(?<!switch\s)"
        r"(?<!where\sit\s)\bclicks?\b(?!\s+and\s+all)(?!\s+track)|(?<!vox\s)\bpops?\b|\bplosives?\b|(?<!guided\s)(?<!her\s)(?<!his\s)(?<!their\s)(?<!baby's\s)\bbreath(?:s|ing)?\b(?!\s+(?:exercises?|intro|session|practice|technique|class|coach|app|guide|meditation))|\bmouth\s+noises?\b"
        r"|\bcrackl\w*|\b(?:fix|remove|repair|reduce|undo)\s+(?:the\s+)?clipping\b|\bde-?clip\w*",
        r"齿音|喷麦|呼吸声|爆音|咔嗒")),
    ("filler-word removal or censoring", rx(
        r"\b(?:filler\s+words?|swear\w*|curse\s+words?|profanity|bleep\w*|censor\w*)\b"
        # "remove the ums" (a leading "um, can you ..." is only hesitation)
        r"|\b(?:the|all|those|these|any|every|my)\s+(?:ums?|uhs?|ahs?|ers|erms?|uhms?)\b|\b(?:ums?|uhs?)\s+and\s+(?:ahs?|uhs?)\b"
        r"|\b(?:remove|cut|delete|strip|edit|take|get\s+rid\s+of)\s+(?:out\s+)?(?:ums?|uhs?|ahs?)\b",
        r"口头禅|(?<!有句)(?<!有个)(?<!有段)脏话|哔")),
    # binaural placement ("from my left", "binaural", "spatialize") is the binauralize tool (gen_args.py)
    ("stereo panning, widening or surround", rx(r"\bpan(?:ning|ned)?\b(?![^,;.]*\bbinaural)|\bwiden\w*|\bsurround\b",
                                                r"声像|环绕")),
    ("echo or reverb removal", rx(
        r"\b(?:remove|reduce|cut|get\s+rid\s+of|eliminate|less|kill|suppress|take\s+out|fix|lower|minimi[sz]e"
        r"|clean\s+up)"
        r"\s+(?:the\s+|some\s+|all\s+(?:the\s+)?|of\s+the\s+)?(?:room\s+)?(?:reverb|echo(?:es)?|reverberation"
        r"|room\s+sound)\b"
        r"|\bde-?reverb\w*|\bless\s+echo(?:ey|y)?\b|\btoo\s+(?:much\s+)?(?:echo|reverb)",
        r"去(?:掉|除)?(?:混响|回声|回音)|消除(?:混响|回声|回音)|减少(?:混响|回声|回音)")),
    ("pitch correction (auto-tune)", rx(r"\bauto-?tun\w*|\bpitch\s+correct\w*|\btune\s+(?:the\s+)?vocals?\b|\boff[- ]key\b"
                                        r"|\bout\s+of\s+tune\b|\bflat\s+notes\b", r"修音|跑调|走调|音不准|唱不准")),
    ("adding silence or padding", rx(r"\badd\s+(?:\S+\s+){0,4}?(?:silence|padding)\b(?![^,;]*\bbetween\b)"
                                     r"|\bpad\s+(?:it|this|the)\b",
                                     r"(?<!中间)(?<!之间)(?:加|添加|插入)(?:\S{0,4})?(?:静音|空白)(?![^，,。]*(?:拼|接|连|合并))")),
    ("muting part of a clip", rx(r"(?<!\bof\s)\b(?:mute|silence|bleep)\s+(?:the\s+)?(?:first|last|part|section|segment"
                                 r"|between(?!\s+(?:the\s+|these\s+|those\s+|my\s+)?(?:two\s+|2\s+|both\s+)?(?:recordings|clips"
                                 r"|files|tracks|songs|parts|pieces|them)\b)|from"
                                 r"|middle)\b")),
    ("dynamic range compression", rx(
        r"\bcompress(?:ion|or|ed)?\b(?!\s+(?:it\s+|this\s+|the\s+file\s+)?(?:to|into|as)\s+(?:an?\s+)?(?:mp3|ogg))")),
    ("other audio effects (chorus, flanger, distortion, delay, vocoder ...)", rx(
        r"\b(?:chorus|flanger|flange|phaser|distortion|distort|overdrive|fuzz|bit-?crush\w*|vocoder|tremolo|vibrato"
        r"|delay\s+effect|harmoni[sz]er|wah|lo-?fi|robot(?:ic)?|underwater|radio\s+effect|(?:old|vintage|am|antique)\s+radio"
        r"|megaphone)\b",
        r"失真|合唱效果|镶边|机器人|电音|延迟效果")),
    ("explaining audio concepts or giving advice", rx(
        r"\bwhat'?s\s+(?:actually\s+|really\s+)?the\s+difference\s+between\b|\bdifference\s+between\s+\w+\s+and\s+\w+\b"
        r"|\b(?:which|what)\s+(?:mic|microphone|headphones?|interface|monitors?|speakers?|daw)\s+should\s+i\b"
        r"|\bshould\s+i\s+(?:buy|get|use)\s+(?:a|an|the)\s+(?:mic|microphone|interface)\b",
        r"(?:有|是)什么区别|区别是什么|有啥区别|哪个(?:麦克风|话筒|耳机|声卡)(?:好|更好)|买(?:什么|哪个|哪款)(?:麦克风|话筒|耳机|声卡)")),
    ("detecting edits or tampering", rx(
        r"\b(?:tamper\w*|forensic\w*|authenticat\w*|doctored)\b|\b(?:been|was)\s+(?:edited|spliced|cut)\s+(?:or|and)\s+\w+\b"
        r"|\bhas\s+(?:it|this|the\s+\w+)\s+been\s+(?:edited|spliced|tampered)\b",
        r"有没有被(?:人)?(?:剪辑|拼接|篡改|修改|动|剪)过|是否被(?:人)?(?:剪辑|拼接|篡改|修改)|鉴定|篡改")),
    ("general questions outside audio", rx(
        r"\bweather\b(?!\s+(?:bulletin|report|forecast|update|briefing|announcement|segment|recording|clip|message|broadcast"
        r"|warning|alert)s?\b)|\bnews\b(?!\s+(?:bulletin|report|segment|clip|recording|intro|jingle|broadcast|reader|anchor)s?\b)|\bstocks?\b(?!\s+(?:face|photo|avatar|image|picture|voice|footage|music|sound|video))|\bjokes?\b|\brecipes?\b|\bcalendar\b"
        r"|\b(?:send|e-?mail|mail|text|forward)\s+(?:it|this|that|them|the\s+\w+)\s+(?:over\s+)?(?:to|via)\b"
        r"|\be-?mail\s+(?:it|this|that|them)\b"
        r"|\b(?:send|share|post|upload|publish)\b[^,;]*\b(?:e-?mail|inbox|whatsapp|slack|youtube|soundcloud|dropbox"
        r"|twitter|facebook|instagram|tiktok)\b"
        r"|\b(?:check|read|open)\s+my\s+e-?mails?\b|\btimer\b|\balarm\b"
        r"|\b(?:live\s*stream(?:ing)?\s+(?:it|this|that|them|to|on)|stream\s+(?:it|this|that|them)\s+(?:live\s+)?(?:to|on)"
        r"|go\s+live)\b"
        r"|\bsearch\s+the\s+web\b|\bgoogle\b|\bwho\s+is\s+the\s+president\b|\bwhat\s+time\s+is\s+it\b|\bcapital\s+of\b",
        r"天气|新闻|股票|笑话|菜谱|邮件|闹钟|几点了|订(?:[一1]\s*张)?(?:机票|火车票|酒店|餐)"
        r"|(?:发|传|分享|上传)(?:到|给|送到)[^，,。]{0,8}(?:邮箱|微信|朋友圈|群|同事|朋友|网盘|抖音|b站|youtube)")),
]
