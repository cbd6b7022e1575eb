"""Argument extractors of the rule planner: one function per tool, from a clause to the tool's
arguments (without the main audio input, which the planner chains in). Each returns only what the
request states or clearly implies; defaults stay out. A missing essential raises NeedInfo, which
becomes the plan's clarify question."""

from __future__ import annotations

import math
import re
from typing import Any, Protocol

from agent.planners import lexicon as L
from agent.planners.clauses import PLACEHOLDER, Clause
from agent.planners.numbers import EN_NUMBER_RUN, Quantity, normalize_numbers, scan

Args = dict[str, Any]


class NeedInfo(Exception):
    """The clause names a tool but misses something only the user can say."""

    def __init__(self, question: str) -> None:
        super().__init__(question)
        self.question = question


class Sources(Protocol):
    """What an extractor may ask the planner about inputs (implemented by rules.Chain)."""

    def current(self, clause: Clause, prefer_mention: bool = True) -> str: ...
    def others(self) -> list[str]: ...
    def mentioned(self, clause: Clause) -> list[tuple[int, int, str]]: ...
    def take(self, ref: str) -> None: ...
    def text_source(self) -> str | None: ...

    def seconds(self, ref: str) -> float | None: ...
    def has_text_upload(self) -> bool: ...
    def upload_of(self, kind: str, newest: bool = False) -> str | None: ...
    def heads(self) -> list[tuple[str, str]]: ...


def qs(c: Clause, unit: str | None) -> list[Quantity]:
    return [q for q in scan(c.core) if q.unit == unit]


def scaled(text: str, normal: float, mild: float, strong: float) -> float:
    """A default amount, smaller for "slightly", bigger for "a lot"."""
    i = L.intensity(text)
    return mild if i < 0 else strong if i > 0 else normal


# ------------------------------------------------------------------ text to speech
_TTS_SLOW = L.rx(r"\bslow(?:ly|er)?\b", r"慢")
_TTS_FAST = L.rx(r"\b(?:quick(?:ly|er)?|fast(?:er)?|rapid(?:ly)?)\b", r"快")
_REFERENT_TEXT = re.compile(
    r"^(?:it|this|that|them|these|those|back|me|out|something|anything|(?:the|my|your|this|that)\s+(?:answer|result"
    r"|results"
    r"|transcript|transcription|text|reply|response|output|file|recording|audio|words?|sentence|language|info)"
    r"|(?:it|this|that)\s+(?:back|out|aloud|to\s+me)|出来|一下|给我听|一遍"
    r"|(?:the\s+)?(?:previous|last|latest|earlier)\s+(?:result|output|one|text|transcript)|上一个结果|刚才的结果)$", re.I)
_TTS_LEAD_WORDS = re.compile(r"^(?:(?:the\s+)?(?:words?|sentence|phrase|text|line|following)\s*:?\s+|that\s+)", re.I)
_TTS_TAIL_WORDS = re.compile(
    rf"\s*(?:\b(?:aloud|out\s+loud|for\s+me|please|slowly|quickly|fast|slow|in\s+(?:a|an)\s+\w+\s+(?:voice|accent)"
    rf"|in\s+(?:{L.LANG_EN})|with\s+an?\s+(?:{L.LANG_EN})\s+accent|in\s+(?:{L.LANG_EN})\s+language)\b|[.!。！])\s*$",
    re.I,
)
_TTS_UNQUOTED = [
    re.compile(r"^(?:say|speak|pronounce|narrate|announce|utter|recite|voice|read(?:\s+out)?(?:\s+(?:aloud"
               r"|out\s+loud))?)"
               r"\s+(?P<t>\S.*)$", re.I | re.S),
    re.compile(r"\b(?:saying|that\s+says|which\s+says|text[- ]to[- ]speech\s+(?:for|of|on)?|tts\s+(?:for|of|on)?)\s*"
               r"(?P<t>\S.*)$", re.I | re.S),
    re.compile(r"^(?:用(?P<lang>[^\s说念读]{1,4}?))?(?:说|念|读|朗读|播报)(?![得到的过完着])(?:一下|一句|一遍|出)?"
               r"[:：]?\s*(?P<t>\S.*)$", re.S),
]


def _tts_options(text: str, outside: str) -> Args:
    args: Args = {"text": text}
    lang = L.language_in(outside) or L.script_language(text)
    if lang:
        args["language"] = lang  # "en" is the default and is dropped later
    xs = [q for q in scan(outside) if q.unit == "x"] or [
        q for q in scan(outside) if q.unit is None and 0.25 <= q.value <= 4
        and (re.search(r"(?:speed|rate|pace|语速|速度)\s*(?:of|at|to|=|:|：)?\s*$", outside[:q.start])
             or re.match(r"\s*(?:speed|rate|倍速)\b", outside[q.end:])  # "at 0.8 speed"
             or (re.search(r"\bat\s*$", outside[:q.start]) and not outside[q.end:].strip(" .!"))  # "'…' at 0.9."
             or re.search(r"\b(?:fast|faster|quick|quicker|slow|slower|quickly|slowly)\s*[,:]?\s*$",
                          outside[:q.start]))]  # "a bit fast, 1.15"
    if xs:
        args["speed"] = xs[0].value
    elif _TTS_SLOW.search(outside):
        args["speed"] = scaled(outside, 0.8, 0.9, 0.6)
    elif _TTS_FAST.search(outside):
        args["speed"] = scaled(outside, 1.25, 1.1, 1.5)
    return args


def unquoted_text(c: Clause) -> tuple[str, str] | None:
    """(text to speak, the rest of the clause) for 'say hello world', or None."""
    raw = c.req.restore(c.raw_core)
    for pat in _TTS_UNQUOTED:
        m = pat.search(raw)
        if not m:
            continue
        t = m.group("t").strip()
        t = _TTS_LEAD_WORDS.sub("", t) if len(t.split()) > 1 else t
        while True:
            shorter = _TTS_TAIL_WORDS.sub("", t).strip()
            if shorter == t or not shorter:
                break
            t = shorter
        if not t or _REFERENT_TEXT.match(t):
            return None
        outside = normalize_numbers(raw.replace(t, " ").lower())
        if "lang" in m.groupdict() and m.group("lang"):
            outside += " " + m.group("lang")
        return t, outside
    return None


def tts_literal(c: Clause, src: Sources) -> Args:
    outside = PLACEHOLDER.sub(" ", c.core)
    return _tts_options(" ".join(c.quotes), outside)


# "read the attached text aloud": words that point at an attached text file rather than being the text.
_POINTS_AT_FILE = re.compile(
    r"^(?:this|that|it|the (?:attached |uploaded |above )?(?:text|file|document|script|words|transcript)"
    r"(?: file)?|这个|这段(?:文字|文本)?|附件)$", re.IGNORECASE)


def tts_unquoted(c: Clause, src: Sources) -> Args:
    if c.quotes:  # "generate some speech, the text is '...'"
        return tts_literal(c, src)
    if any(r.kind == "text" for r in c.refs):
        return tts_of_text(c, src)
    found = unquoted_text(c)
    if found and not (src.has_text_upload() and _POINTS_AT_FILE.match(found[0].strip())):
        return _tts_options(*found)
    ref = src.text_source()
    if ref:
        return _tts_options(ref, PLACEHOLDER.sub(" ", c.core))
    raise NeedInfo("What should I say? Put the words in quotes, e.g. say 'hello world'.")


def tts_of_text(c: Clause, src: Sources) -> Args:
    """Speech of a text artifact: the transcript from before (a BackRef), this request's, or the previous run's."""
    ref = next((r.ref for r in c.refs if r.kind == "text"), None) or src.text_source()
    if ref is None:
        raise NeedInfo("Which text should I read? Put the words in quotes, e.g. say 'hello world'.")
    return _tts_options(ref, PLACEHOLDER.sub(" ", c.core))


# ------------------------------------------------------------------ recognition and measuring
def transcribe(c: Clause, src: Sources) -> Args:
    lang = L.language_in(c.core) or L.spoken_language(c.req.original)
    return {"language": lang} if lang else {}


def no_args(c: Clause, src: Sources) -> Args:
    return {}


# ------------------------------------------------------------------ mixing and joining
_ONTO = L.rx(r"\b(?:under|underneath|beneath|below|behind|over|on\s+top\s+of|onto|on|into|in|to)\b",
             r"混到|混进|混入|叠加到|叠到|放到|加到|垫在|垫到|进|到|里|上")
_MIX_DOWN = L.rx(r"\b(?:under|underneath|beneath|below|behind|background|quiet(?:er|ly)?|soft(?:er|ly)?|down|lower"
                 r"|reduced|low)\b", r"背景|小声|降低|调低|低|小\s*\d|减(?:少|小)?\s*\d")
_OFFSET_BEFORE = re.compile(r"(?:start(?:ing|s)?|begin(?:ning|s)?|come\s+in|coming\s+in|enter(?:ing|s)?|offset"
                            r"|delay(?:ed)?"
                            r"|from|after|at|in)\s*(?:at|by|after|from)?\s*(?:the\s+)?$|从\s*第?\s*$|在\s*第?\s*$|(?:晚|推迟|延迟|延后)\s*$", re.I)
_MIX_QUIETER = L.rx(r"\b(?:quiet(?:er|ly)?|soft(?:er|ly)?|faint(?:er|ly)?|lower\s+(?:volume|level)|low\s+(?:volume|level)"
                    r"|turned\s+down|subtle|subtly|barely\s+audible)\b", r"小声|小一点|低一点|轻一点|调低|降低|轻轻|弱一点")
EXTEND = _EXTEND = L.rx(r"\bextend\w*|\bplay\s+out(?:\s+fully)?\b|\bfull\s+length\b|\blonger\b|\bdon'?t\s+cut\b|\blet\s+it\s+keep\s+(?:going|playing)\b"
               r"|\bkeep\s+(?:going|playing)\s+after\b|\bwhole\s+(?:music|song|track|thing|clip)\b"
               r"|\buntil\s+the\s+(?:music|other|second)\s+(?:ends|is\s+over)\b|\b(?:keep|let)\s+(?:the\s+music|it)\s+"
               r"(?:going|playing|play\s+out|run)\b",
               r"延长|不要截断|完整|(?:音乐|它)?也?(?:别|不要)断|(?:让它|让音乐)?放完")
_REVERSE_ORDER = L.rx(r"\b(?:in\s+)?(?:reverse|reversed|backwards?|opposite)\s+order\b|\blast\s+(?:one\s+)?first\b",
                      r"倒序|倒着|反过来的?顺序|逆序|从后往前")
_CROSSFADE = L.rx(r"\bcross[- ]?fad\w*|\bx-?fad\w*", r"交叉淡|淡入淡出过渡|交叉渐变")
_AFTER = L.rx(r"\bafter\b|\bbehind\b|\b(?:at|on(?:to)?|to)\s+the\s+(?:end|back|tail)\s+of\b", r"后面|之后|后边|后头")
_GOES_LAST = L.rx(r"\b(?:on(?:to)?|to|at)\s+the\s+(?:end|back|tail)\s+of\b|\bafter\b|\bappend\w*|\bfollow\w*|\boutro\b",
                 r"后面|之后|后边|后头|结尾|末尾|最后")
_GOES_FIRST = L.rx(r"\b(?:to|at|on(?:to)?)\s+the\s+(?:start|beginning|front)\s+of\b|\bbefore\b|\bin\s+front\s+of\b"
                  r"|\bprepend\w*|\bintro\b", r"前面|之前|前边|开头|最前")
_APPEND = L.rx(r"\b(?:append|add|attach|stick|tack)\w*\b")


def _distinct(mentions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    seen: set[str] = set()
    out = []
    for m in mentions:
        if m[2] not in seen:
            seen.add(m[2])
            out.append(m)
    return out


def mix(c: Clause, src: Sources) -> Args:
    ms = _distinct(src.mentioned(c))
    main: str
    other: str | None
    if len(ms) >= 2:
        (s1, e1, r1), (s2, e2, r2) = ms[0], ms[1]
        other, main = (r1, r2) if _ONTO.search(c.core[e1:s2]) else (r2, r1)
    else:
        main = src.current(c, prefer_mention=False)
        rest = [r for r in src.others() if r != main]
        other = rest[0] if rest else None
        if ms:
            s, e, r = ms[0]
            if _ONTO.search(c.core[max(0, s - 20):s]) and r != main:  # "mix this under the music"
                main, other = r, main
            elif r != main:
                other = r
            elif other is not None and re.match(r"\s*(?:叠到|叠在|混到|混进|混入|放到|加到|垫到|垫在|铺到|铺在)", c.core[e:]):
                main, other = other, r  # "把这段掌声叠到刚才那个结果上": what is laid on is the other
    if other is None or other == main:
        raise NeedInfo("Mixing needs two recordings: attach the other one with -i (e.g. -i voice.wav -i music.wav).")
    src.take(main)
    src.take(other)
    args: Args = {"audio": main, "other": other}
    # "tuck the song underneath quietly, like minus 18": a negative bare number in a mix is the other's level
    dbs = qs(c, "dB") or [q for q in qs(c, None) if -60 <= q.value < 0]
    pct = [q.value for q in qs(c, "%") if 0 < q.value < 100]
    if dbs:
        v = dbs[0].value
        args["other_gain_db"] = -v if v > 0 and _MIX_DOWN.search(c.core) else v
    elif pct:  # "the music at 30% volume"
        args["other_gain_db"] = round(20 * math.log10(pct[0] / 100), 1)
    elif re.search(r"\bhalf\s+(?:the\s+)?(?:volume|level)\b|\bhalf\s+as\s+loud\b|一半", c.core):
        args["other_gain_db"] = -6.0
    elif _MIX_QUIETER.search(c.core):  # "a lot quieter than the voice"
        args["other_gain_db"] = -scaled(c.core, 12.0, 6.0, 18.0)
    for q in qs(c, "s"):
        before, after = c.core[max(0, q.start - 25):q.start], c.core[q.end:]
        if _OFFSET_BEFORE.search(before) or re.match(r"\s*(?:in|later|之后|后|开始|进来|进入|切入|加入|响起)", after):
            args["offset"] = q.value
            break
    if _EXTEND.search(c.core):
        args["extend"] = True
    return args


_IN_BETWEEN = L.rx(r"\b(?:in\s+)?between\s+(?:the\s+)?(?:two|2|both|these|those|them)\b|\bin\s+the\s+middle\s+of\s+(?:the\s+)?(?:two|2)\b",
                   r"(?:插|放|夹|加)(?:在|到|进)[^，,。]{0,8}(?:中间|之间)")
ORDER_LIST = L.rx(r"\bin\s+(?:this|the\s+following)\s+order\s*:?\s*(?P<en>(?:(?:file|clip|track|recording|number|no\.?|#)?\s*\d\b"
                  r"[\s,]*(?:and\s+|then\s+|->\s*|→\s*)?){2,})",
                  r"按(?:照)?(?P<zh>(?:第\s*[一二三四五1-5]\s*(?:段|个|条|首|份)?[、，,和]?\s*){2,})的?顺序")


def said_order(text: str) -> list[int]:
    """'in this order: file 3, file 1, then file 2', '按第二段、第一段、第三段的顺序': the files' order, 1-based."""
    m = ORDER_LIST.search(normalize_numbers(text))
    if not m:
        return []
    return [int(d) for d in re.findall(r"\d", m.group("en") or m.group("zh"))]


_BEFORE_IT = L.rx(r"\b(?:before|in\s+front\s+of|ahead\s+of)\s+(?:it|that|that\s+one)\b",
                  r"(?:放|接|加|拼|排)(?:在|到)(?:它|这个|那个)?(?:的)?前(?:面|边|头)?")


_GAP_SAID = L.rx(r"\bbetween\b|\bgaps?\b|\bpauses?\b|\bbreathers?\b|\bsilence\b|\bapart\b|\bspace\b",
                 r"间隔|空|停|隔")


def concatenate(c: Clause, src: Sources) -> Args:
    ms = _distinct(src.mentioned(c))
    said = src.named_elsewhere(c) if len(ms) == 1 else []
    repeats = L.repeat_count(c.core) if len(ms) <= 1 and not said else None
    if repeats:
        clips = [ms[0][2] if ms else src.current(c, prefer_mention=False)] * repeats  # "3 times in a row"
    elif said:
        # "大巴上录的那条，…，把“跟紧小红旗”这句放在它前面", "the recap from before, then add this jingle after it":
        # the other clip was named in a clause of its own
        clips = [ms[0][2], *said] if _BEFORE_IT.search(c.core) else [*said, ms[0][2]]
    elif len(ms) >= 2:
        clips = [r for _, _, r in ms]
        between = c.core[ms[0][1]:ms[1][0]]
        zh_after = re.search(r"(?:接|放|加|拼|排|贴)(?:在|到)\s*$", between.strip()) and re.match(
            r"\s*的?\s*(?:后面|之后|后边|后头|末尾|结尾)", c.core[ms[1][1]:])  # "A接在B后面": B first
        zh_after = zh_after or re.search(r"前面(?:再)?(?:接|加|放|拼)上?\s*$", between.strip())  # "A，前面接上B": B first
        zh_after = zh_after or _BEFORE_IT.match(c.core[ms[1][1]:].strip())  # "A，把B放在它前面": B first
        if _AFTER.search(between) or zh_after or (_APPEND.search(c.core[:ms[0][0]]) and re.search(r"\bto\b", between)):
            clips[0], clips[1] = clips[1], clips[0]  # "put a after b", "append a to b"
    else:
        first = src.current(c, prefer_mention=False)
        clips = [first] + [r for r in src.others() if r != first]
        heads = [h for _, h in src.heads()]
        last, front = _GOES_LAST.search(c.core), _GOES_FIRST.search(c.core)
        if _REVERSE_ORDER.search(c.core) and set(clips) <= set(heads):
            clips = list(reversed([h for h in heads if h in clips]))  # "in reverse order", "按倒序"
        elif _IN_BETWEEN.search(c.core) and len(clips) == 3 and first.startswith("@s"):
            clips = [clips[1], first, clips[2]]  # "插在这两段广告中间", "put it between the two clips"
        elif last and not front and first.startswith("@s"):
            clips = clips[1:] + clips[:1]  # "tack it onto the end of my podcast"
        elif not front and first in heads and set(clips) <= set(heads):
            clips = [h for h in heads if h in clips]  # the files' own order, each as edited so far
    heads = [h for _, h in src.heads()]
    order = said_order(c.req.original)
    if order and len(order) >= 2 and max(order) <= len(heads) and set(clips) <= set(heads):
        clips = [heads[k - 1] for k in order]  # "need them in this order: file 3, file 1, then file 2"
    if len(clips) < 2:
        raise NeedInfo("Joining needs at least two recordings: attach them with -i (e.g. -i a.wav -i b.wav).")
    for r in clips:
        src.take(r)
    args: Args = {"clips": clips}
    times = qs(c, "s") if not repeats or _GAP_SAID.search(c.core) else []  # not "repeat the 5 second jingle 3 times"
    if _CROSSFADE.search(c.core):
        args["crossfade"] = times[0].value if times else 1.0
    elif times:
        args["gap"] = times[0].value
    return args


# ------------------------------------------------------------------ cleaning up
def remove_hum(c: Clause, src: Sources) -> Args:
    mains = [q for q in qs(c, "Hz") if q.value in (50.0, 60.0)]
    if mains:
        return {"frequency": str(int(mains[0].value))}
    said = re.search(r"(?:hum|嗡嗡声?|电流声)\s*[(（]\s*(50|60)\s*(?:hz)?\s*[)）]", c.core)
    if said:  # "remove hum（60）"
        return {"frequency": said.group(1)}
    # "ASMR录音里混进了电流声，五十赫兹的，帮我去掉", "a 60-cycle hum": the mains frequency said anywhere in the request
    whole = normalize_numbers(c.req.original.lower())
    said = set(re.findall(r"(?<![\d.])(50|60)\s*(?:hz|hertz|-?\s*cycles?|赫兹|赫)", whole))
    if len(said) != 1 or len(set(re.findall(r"(?<![\d.])(50|60)(?![\d.])", whole))) != 1:
        return {}  # "I don't know if it's 50 or 60 Hz"
    return {"frequency": said.pop()}


def denoise(c: Clause, src: Sources) -> Args:
    pct = qs(c, "%")
    if pct and 0 <= pct[0].value <= 100:
        return {"strength": pct[0].value / 100}
    frac = [q.value for q in qs(c, None) if 0 < q.value <= 1 and re.search(
        r"(?:\bstrength|\bamount|强度|力度)\s*(?:of|at|=|:|to|为|是|设为?|设成)?\s*(?:about|around|roughly|approximately"
        r"|maybe|like|大概|大约)?\s*$", c.core[:q.start])]
    if frac:  # "strength 0.6", "强度设为0.6"
        return {"strength": frac[0]}
    frac = [q.value for q in qs(c, None) if 0 < q.value < 1 and re.search(
        r"\b(?:de-?noise|clean)\w*\s+(?:it|this|that|them)?\s*(?:at|to)\s*$", c.core[:q.start])]
    if frac:  # "denoise it at 0.6"
        return {"strength": frac[0]}
    if re.search(r"\bhalf[- ](?:strength|power|way)\b|\bat\s+(?:about\s+|around\s+)?half\b"
                 r"|一半的?(?:力度|强度)|(?:力度|强度)\s*(?:减半|一半)",
                 c.core):
        return {"strength": 0.5}  # "take it down at about half strength"
    if re.search(r"(?:力度|强度)[^，,。]{0,6}(?:最大|拉满|开满|满格)|\b(?:full|maximum|max)\s+strength\b", c.core):
        return {"strength": 1.0}  # "降噪力度直接开到最大"
    i = L.intensity(c.core)
    return {"strength": 0.5} if i < 0 else {"strength": 1.0} if i > 0 else {}


_HP = L.rx(r"\bhigh[- ]?pass\w*|\bhpf\b|\bhp\s*(?:at\s+)?\d|\blow[- ]?cut\b|\brumble\b", r"高通|低切")
_LP = L.rx(r"\blow[- ]?pass\w*|\blpf\b|\blp\s*(?:at\s+)?\d|\bhigh[- ]?cut\b|\bmuffl\w*|\btelephone\b|\bphone\b",
          r"低通|高切|电话")
_ABOVE = L.rx(r"\b(?:above|over|higher\s+than|beyond|upwards\s+of)\b", r"以上|之上|高于|超过")
_BELOW = L.rx(r"\b(?:below|under|beneath|lower\s+than|underneath)\b", r"以下|之下|低于")
_KEEP_BAND = L.rx(r"\b(?:keep|only|pass|let\s+through|leave)\b", r"保留|只留|只要")
_LOW_BAND = L.rx(r"\blows?\b|\blow[- ]?end\b|\blow\s+frequenc\w+|\bbass\b|\bsub\b", r"低频|低音")
_HIGH_BAND = L.rx(r"\bhighs?\b|\bhigh[- ]?end\b|\bhigh\s+frequenc\w+|\btreble\b|\btop\s+end\b", r"高频|高音")


def filter_(c: Clause, src: Sources) -> Args:
    t = c.core
    kind: str | None = None
    if _HP.search(t):
        kind = "highpass"
    elif _LP.search(t):
        kind = "lowpass"
    elif _ABOVE.search(t) or _BELOW.search(t):
        above = bool(_ABOVE.search(t))
        keep = bool(_KEEP_BAND.search(t))
        kind = "lowpass" if above != keep else "highpass"  # remove above = keep below = low-pass
    elif _LOW_BAND.search(t):
        kind = "highpass"
    elif _HIGH_BAND.search(t):
        kind = "lowpass"
    if kind is None:
        raise NeedInfo("Should I cut the low end (high-pass) or the high end (low-pass), and at what frequency?")
    hz = qs(c, "Hz") or [q for q in qs(c, None) if 20 <= q.value <= 20000]  # "lowpass 8000"
    if hz:
        cutoff = hz[0].value
    elif kind == "highpass":
        cutoff = 80.0  # the usual rumble cutoff
    else:
        cutoff = 3400.0 if re.search(r"phone|电话", t) else 4000.0
    return {"kind": kind, "cutoff_hz": cutoff}


# ------------------------------------------------------------------ fades
_FADE_IN = L.rx(r"\bfade[- ]?ins?\b|\bfade\s+(?:it|this|that|them|the\s+\w+)\s+in\b|\b(?:start|beginning|intro"
                r"|opening|first)\b"
                r"|\bramp\s+(?:in|up)\b", r"淡入|渐入|渐强|渐显|开头|慢慢进来")
_FADE_OUT = L.rx(r"\bfade[- ]?outs?\b|\bfade\s+(?:it|this|that|them|the\s+\w+)\s+out\b|\bout\b"
                 r"|\b(?:end|ending|outro|last|final|closing|tail)\b|\bramp\s+(?:out|down)\b|\btaper\w*\s+(?:away|off|out)\b"
                 r"|\bdie\s+(?:away|out|down)\b", r"淡出|渐出|渐弱|渐隐|结尾|末尾|最后")
_FADE_BOTH = L.rx(r"\bin\s+and\s+out\b|\bboth\s+(?:ends|sides)\b|\bfades\b|\bboth\b", r"淡入淡出|两头|首尾")


def fade(c: Clause, src: Sources) -> Args:
    t = c.core
    markers: list[tuple[int, str]] = [(m.start(), "in") for m in _FADE_IN.finditer(t)]
    markers += [(m.start(), "out") for m in _FADE_OUT.finditer(t)]
    markers += [(m.start(), "both") for m in _FADE_BOTH.finditer(t)]
    markers.sort()
    if not markers:
        markers = [(0, "out")]  # "fade it" most often means the end
    times = [q for q in scan(t) if q.unit == "s" or (
        q.unit is None and 0 < q.value <= 600 and re.search(r"\b(?:in|out)\s*(?:over\s+|for\s+)?$|[入出]\s*$", t[:q.start]))]
    times = times or [q for q in scan(t) if q.unit is None and 0 < q.value <= 600]
    lengths: dict[str, float] = {}
    for q in times:
        # "2 second fade in": a marker right after the length; otherwise the closest one before it
        after = [k for p, k in markers if p >= q.end and re.fullmatch(r"\s*(?:-|of|long)?\s*", t[q.end:p])]
        before = [k for p, k in markers if p < q.start]
        kind = after[0] if after else before[-1] if before else markers[0][1]
        for k in (("in", "out") if kind == "both" else (kind,)):
            lengths.setdefault(k, q.value)
    kinds = {k for _, k in markers}
    if len(times) == 1 and re.search(r"\beach\b|\bboth\b|各|都", t):  # "fade in and out, 1.5 s each"
        lengths = {"in": times[0].value, "out": times[0].value}
    args: Args = {}
    if kinds & {"in", "both"}:
        args["fade_in"] = lengths.get("in", 1.0)
    if kinds & {"out", "both"}:
        args["fade_out"] = lengths.get("out", 1.0)
    return args


# ------------------------------------------------------------------ trim
_REMOVE_V = L.rx(r"\b(?:cut|trim|remove|delete|drop|chop|skip|lose|get\s+rid\s+of|strip|erase|excise|snip|take\s+off"
                 r"|take\s+out|cut\s+off|cut\s+out|clip\s+off|shave\s+off|discard|throw\s+away|without|minus"
                 r"|take\s+(?:that|this|the)\s+(?:bit|part|section|piece)\s+out|close\s+(?:up\s+)?the\s+gap)\b",
                 r"去掉|去除|删掉|删除|删|剪掉|剪去|砍掉|切掉|挖掉|抠掉|挖去|拿掉|不要|裁掉")
_KEEP_V = L.rx(r"\b(?:keep|only|just|extract|isolate|excerpt|crop|grab|take|save|leave|preserve|retain|use|preview|snippet"
               r"|teaser|sample|highlight|ringtone)\b|\bout\s+of\b"
               r"|\b(?:trim|cut|shorten|crop)\s+(?:it\s+|this\s+|that\s+)?(?:down\s+)?to\b",
               r"保留|只要|只留|留下|截取|提取|只保留|截成|剪成|裁成|取")
_BOTH_ENDS = re.compile(r"(?:first|beginning|start)\s+and\s+(?:the\s+)?(?:last|end)\s*$|两头各?\s*$|首尾各?\s*$"
                        r"|(?:开头|开始|前面|头)(?:和|及|、)(?:结尾|末尾|最后|后面|尾)的?各?\s*$")
_BOTH_ENDS_AFTER = re.compile(r"^\s*(?:off\s+|from\s+|at\s+|of\s+)?(?:both\s+ends|each\s+end|either\s+end"
                              r"|both\s+sides)")
_HEAD = re.compile(r"(?:first|opening|beginning|initial|intro|start|前|开头|开始|最开始|头)(?:面|边|头)?的?\s*(?:那|这)?\s*"
                   r"(?:the\s+)?$")
_TAIL = re.compile(r"(?:last|final|ending|closing|end|outro|最后|后|结尾|末尾|尾部|尾)(?:面|边|头)?的?\s*(?:那|这)?\s*"
                   r"(?:the\s+)?$"
                   # "结尾拖了四秒空白", "末尾多了两秒": what the ending holds
                   r"|(?:结尾|末尾|尾巴|最后)(?:处|那里|那儿)?(?:拖了|多了|多出|还有|留了|空了|有)(?:大概|差不多|将近|约)?\s*$")
_HEAD_AFTER = re.compile(r"^\s*(?:(?:from|at|off|of)\s+the\s+(?:start|beginning|front|top)|from\s+the\s+start)")
_TAIL_AFTER = re.compile(r"^\s*(?:(?:from|at|off|of|before)\s+the\s+end)")
_FROM = re.compile(r"(?:from|after|starting\s+at|start\s+at|starting\s+from|beginning\s+at|since|begin\s+at|从)\s*$")
_FROM_AFTER = re.compile(r"^\s*(?:on\b|onwards?\b|forward\b|and\s+after\b|之后|以后|开始|起)")
_UNTIL = re.compile(r"(?:until|till|up\s+to|upto|before|through|by|到|至)\s*$")
_UNTIL_AFTER = re.compile(r"^\s*(?:之前|以前|为止)")
_LENGTH = re.compile(r"(?:\bto|down\s+to|成|为)\s*$")
_LENGTH_AFTER = re.compile(r"^\s*(?:long\b|in\s+length\b|max\b|长)")
_LINK = re.compile(rf"^\s*(?:s|secs?|seconds?)?\s*{L.RANGE_LINK}\s*(?:the\s+)?$", re.I)


def _remove_mode(t: str) -> bool | None:
    """True for cut/remove verbs, False for keep verbs, None when neither; the longer phrase wins a tie."""
    r, k = _REMOVE_V.search(t), _KEEP_V.search(t)
    if r and k:
        if r.start() == k.start():
            return len(r.group(0)) >= len(k.group(0))
        return r.start() < k.start()
    return True if r else False if k else None


def trim(c: Clause, src: Sources) -> Args:
    t = re.sub(r"第\s*(?=\d)", "", c.core)  # "保留第5秒到第65秒"
    # "0:12 到 0:16 那句…把这四秒挖掉": "these four seconds" is the range said, not a time of its own
    these = re.compile(r"(?:这|那)\s*\d+(?:\.\d+)?\s*秒|\b(?:these|those)\s+\d+(?:\.\d+)?\s*(?:seconds?|secs?|s)\b")
    if len([q for q in scan(these.sub(" ", t)) if q.unit == "s"]) >= 2:
        t = these.sub(" 这段 ", t)
    remove = _remove_mode(t)
    qs_all = [q for q in scan(t) if q.unit in ("s", None)]
    args: Args = {}
    used: set[int] = set()
    for a, b in zip(qs_all, qs_all[1:]):  # explicit range "2 to 4 seconds", "从2秒到4秒"
        link = t[a.end:b.start]
        if "s" not in (a.unit, b.unit) and not re.search(r"\b(?:from|between)\s*$|从\s*$", t[:a.start]):
            continue
        if _LINK.match(link) and (not re.search(r"\band\b", link) or re.search(r"between\s*$", t[:a.start])) \
                and 0 <= a.value < b.value:
            args["start"], args["end"] = a.value, b.value
            if remove:
                args["mode"] = "remove"
            used |= {a.start, b.start}
            break
    for q in qs_all:
        if q.start in used:
            continue
        before, after = t[max(0, q.start - 30):q.start].rstrip(), t[q.end:q.end + 25]
        v = q.value
        if re.match(r"^\s*-?\s*(?:slot|window|limit|cap|spot|commercial|ad)\b", after):
            continue  # "it has to fit a 30 second slot": the length the result must fit, said as context
        if _BOTH_ENDS.search(before) or _BOTH_ENDS_AFTER.match(after):
            args["start"], args["end"] = v, -v
        elif _HEAD.search(before) or _HEAD_AFTER.match(after):
            if remove is False:
                args["end"] = v
            else:
                args["start"] = v
        elif _TAIL.search(before) or _TAIL_AFTER.match(after):
            args["end"] = -v
            if remove is False:
                args["mode"] = "remove"  # keep the last N s = remove everything before them
        elif _FROM.search(before) or _FROM_AFTER.match(after):
            args["end" if remove else "start"] = v
        elif _UNTIL.search(before) or _UNTIL_AFTER.match(after):
            args["start" if remove else "end"] = v
        elif q.unit == "s" and (_LENGTH.search(before) or _LENGTH_AFTER.match(after)):
            args["end"] = v
        elif q.unit == "s":
            args["end" if remove is False else "start"] = v
    if not args:
        raise NeedInfo("Which part should I keep or cut? For example 'cut the first 5 seconds' or 'keep 10 s to 20 s'.")
    start, end = args.get("start", 0), args.get("end")
    if end is not None and end > 0 and start >= end:
        raise NeedInfo(f"The range {start:g} s to {end:g} s is empty: which part should I keep?")
    return args


# ------------------------------------------------------------------ talking heads
_THG_SAY = [re.compile(r"\b(?:say|says|saying|speak|speaks|speaking|read|reads|reading|recite|recites)\s+(?:out\s+)?"
                       r"(?:aloud\s+)?(?P<t>\S.*)$", re.I | re.S),
            re.compile(r"(?:说|讲|念|读|朗读|播报)(?!话|出来的)(?:一下|一句|出)?[:：]?\s*(?P<t>\S.*)$", re.S)]
_THG_TAIL = re.compile(r"\s*(?:\b(?:with|using|as|on|in|through)\s+(?:the\s+|my\s+|this\s+|a\s+|her\s+|his\s+)?"
                       r"(?:default\s+|built-in\s+)?(?:avatar|photo|picture|portrait|image|face)\b.*|[.!。！]+)$", re.I)
# What a photo is to say may be an attached recording: "say what's in the attached recording", "念这段录音"
_THG_REFERENT = re.compile(r"^(?:(?:what(?:ever)?(?:'s|\s+is|\s+was)?|everything|the\s+(?:words|lines|text)|what\s+i\s+"
                           r"(?:say|said))\s+(?:in|on|from)\s+)?(?:(?:this|that|the|my|our|these|those|attached|uploaded|new"
                           r"|second|other)\s+)*(?:recording|audio|clip|voice(?:\s*(?:memo|over|note|track))?|memo|speech|file"
                           r"|track|sound|message|narration|voiceover)s?\b"
                           r"|^(?:这段|这个|那段|我的|这条|上传的)?(?:录音|音频|语音|声音|文件|配音|旁白)", re.I)
_DEFAULT_AVATAR = L.rx(r"\b(?:default|built-in|stock|standard)\s+(?:avatar|face|portrait|character|person)\b"
                       r"|\bthe\s+avatar\b", r"默认|内置")
_THIS_PHOTO = L.rx(r"\b(?:this|that|the|my|our|her|his)\s+(?:photo|photograph|picture|pic|image|portrait|headshot"
                   r"|selfie)s?\b"
                   r"|⟦f", r"照片|图片|相片|这张")


def thg_text(c: Clause) -> tuple[str, str] | None:
    """(words a photo is to say, the rest of the clause): quoted, or after say/说 ('make this photo say hi')."""
    if c.quotes:
        return " ".join(c.quotes), PLACEHOLDER.sub(" ", c.core)
    text = next((r.ref for r in c.refs if r.kind == "text"), None)
    if text:  # "take what you transcribed and have the avatar say it" (history.py)
        return text, PLACEHOLDER.sub(" ", c.core)
    raw = c.req.restore(c.raw_core)
    for pat in _THG_SAY:
        m = pat.search(raw)
        t = _THG_TAIL.sub("", m.group("t")).strip() if m else ""
        t = _TTS_TAIL_WORDS.sub("", t).strip()
        if t and not _THG_REFERENT.match(t) and not _REFERENT_TEXT.match(t):
            return t, normalize_numbers(raw.replace(t, " ").lower())
    return None


def thg_speech(c: Clause, src: Sources) -> Args:
    found = thg_text(c)
    if found is None:
        raise NeedInfo("What should the photo say? Put the words in quotes, e.g. make this photo say 'hello'.")
    return _tts_options(*found)


def talking_head(c: Clause, src: Sources) -> Args:
    """The avatar: an idle clip or a photo the user gave, else the default avatar; 'this photo' without one asks."""
    if _DEFAULT_AVATAR.search(c.core):
        return {}
    clip = src.upload_of("video")
    if clip:
        return {"video": clip}
    earlier = next((r.ref for r in c.refs if r.kind == "image"), None)  # "the photo from before" (history.py)
    if earlier:
        return {"image": earlier}
    image = src.upload_of("image", newest=bool(_THIS_PHOTO.search(c.core)))
    if image is None and _THIS_PHOTO.search(c.core):
        raise NeedInfo("Which photo should speak? Attach a portrait with -i (for example -i face.jpg), "
                       "or ask for the default avatar.")
    return {"image": image} if image else {}


# ------------------------------------------------------------------ singing
_NOTE_TOKEN = r"(?:[A-Ga-g](?:#|♯|b|♭)?-?\d|[Rr](?:est)?)(?:/\d{1,2}\.{0,2})?(?::[^\s,，;；|]+)?(?:/\d{1,2}\.{0,2})?"
_NOTES_RUN = re.compile(rf"(?<![A-Za-z0-9#])(?:{_NOTE_TOKEN})(?:[\s,，|]+(?:{_NOTE_TOKEN}))+(?![A-Za-z0-9#])")
_SING_VERB_EN = re.compile(r"\bsing\b", re.I)
_MELODY_NOUN = r"(?:notes?|melody|melodies|tune|score|midi(?:\s+file)?|music\s*xml|musicxml|file|song|sheet\s+music|pitch(?:es)?)"
_SING_REF_EN = re.compile(
    r"\b(?:to|with|using|on|over|in|from|following|by)\s+(?:the\s+|these\s+|this\s+|that\s+|my\s+|a\s+|its\s+)?"
    rf"(?:[\w-]+\s+){{0,2}}?{_MELODY_NOUN}\b(?:\s+of\s+(?:this|that|the)\s+\w+)?\s*[:：]?", re.I)
_SING_LEAD_EN = re.compile(r"^(?:(?:me|us)\s+)?(?:(?:(?:these|the|this|those|following|my|some)\s+)?"
                           r"(?:lyrics|words|line|lines|text|verse)\b\s*(?:[:：]\s*)?)?", re.I)
_SING_ONLY_REF = re.compile(r"^(?:(?:this|that|the|my|these|those|a|an)\s+)?(?:(?:[\w-]+\s+){0,2}(?:melody|tune|score"
                            r"|midi(?:\s+file)?|song|file|notes?|music|musicxml|sheet\s+music)|one|it|them)?"
                            r"(?:\s+(?:on|over|to|with)\s+(?:it|them|this|that))?$"
                            r"|^(?:这个|这段|这首|这份|那个|这些|上传的)?(?:旋律|曲子|乐谱|曲谱|谱子|音符|midi|简谱|歌|调子|文件)$", re.I)
_SING_REF_ZH = re.compile(
    r"(?:用|按照?|照着|跟着|配上?|按着|根据|以)\s*(?:这个|这段|这首|这份|这串|下面的?|以下的?|上面的?|这些)?\s*"
    r"(?:旋律|曲子|乐谱|曲谱|谱子|音符|音调|midi|MIDI|简谱|歌|调子|文件|音)?(?:来)?"
    r"|(?:音符|旋律|曲调|音高)(?:是|为|用)?[:：]?|这首歌的?|(?:这|下面的?|以下的?)?(?:几句|句|段)?歌词(?:是|为)?[:：]?"
    r"|(?:唱)?(?:出来|一下|一遍|一次)(?:吧|呀|啊)?(?=[\s，,。.!！]*$)|[，,]?\s*唱(?:完|好)(?:了|之后|以后|后)?\s*$")
# "lyrics 是“…”", "with the words '…'": the quote is the song's words
_LYRICS_INTRO = re.compile(r"(?:\b(?:with\s+)?(?:the\s+)?(?:lyrics|words|text)\s*(?:are|is|should\s+be)?|歌词|词)"
                           r"\s*(?:是|为|用|换成|改成)?"
                           r"\s*[:：]?\s*⟦q[a-z]⟧", re.I)
_TEMPO_SET = r"(?:of|to|at|=|:|调到|调成|调为|设为|设成|设到|改成|改为|定为|为|是|放慢到|放到|加快到|调整到)?"
_TEMPO = re.compile(r"(?:\b(?:at|tempo(?:\s+of)?|with\s+a\s+tempo\s+of)\s+|速度\s*(?:为|是)?\s*|节奏\s*)?"
                    r"(?P<v>\d+(?:\.\d+)?)\s*(?:bpm(?![a-z])|beats?\s+(?:per|a)\s+minute\b|拍每分钟|拍/分钟?|拍一分钟)"
                    rf"|\btempo\s*{_TEMPO_SET}\s*(?P<v2>\d+(?:\.\d+)?)\b|(?:速度|节奏|节拍)\s*{_TEMPO_SET}\s*(?P<v3>\d+(?:\.\d+)?)", re.I)
# The same phrases before numbers are normalized ("at one hundred and twenty beats per minute"): cut from lyrics
_ANY_NUM = rf"(?:\d+(?:\.\d+)?|{EN_NUMBER_RUN.pattern}|[零〇一二两三四五六七八九十百]+)"
_TEMPO_SPAN = re.compile(
    rf"(?:\b(?:at|with)\s+)?(?:a\s+)?(?:tempo\s+(?:of\s+)?)?{_ANY_NUM}\s*(?:bpm\b|beats?\s+(?:per|a)\s+minute\b|拍每分钟"
    rf"|拍/分钟?|拍一分钟)|(?:\b(?:at|with)\s+)?(?:a\s+)?\btempo\s*{_TEMPO_SET}\s*{_ANY_NUM}|(?:速度|节奏|节拍)\s*{_TEMPO_SET}\s*{_ANY_NUM}"
    r"(?:\s*拍)?",
    re.I)
_SING_TAIL = re.compile(rf"\s*(?:\b(?:please|for\s+me|in\s+(?:{L.LANG_EN})|slowly|aloud)\b|[.!。！,，;；:：'\"“”‘’])\s*$", re.I)


def sing_detail(c: Clause) -> bool:
    """A piece that only adds notes, a tempo or the quoted lyrics to a singing request ('，音符 C4 D4 E4', ', at 90 bpm',
    '，lyrics 是“…”')."""
    t = _NOTES_RUN.sub(" ", c.req.restore(_LYRICS_INTRO.sub(" ", c.raw_core)))
    t = _TEMPO_SPAN.sub(" ", t)
    t = _SING_REF_EN.sub(" ", _SING_REF_ZH.sub(" ", t))
    return not re.sub(r"[\s,，.。:：;；!！]|\b(?:and|with|the|notes?)\b|音符|用", "", t, flags=re.I)


_SETS_TEMPO = re.compile(r"速度|节奏|tempo|bpm|每分钟|拍子|\b(?:slower|faster|quicker)\b", re.IGNORECASE)


def _lyrics_from(text: str, notes_run: str | None) -> str | None:
    t = text.replace(notes_run, " ") if notes_run else text
    t = _TEMPO_SPAN.sub(" ", t)
    t = _SING_REF_EN.sub(" ", t)
    t = _SING_REF_ZH.sub(" ", _SING_REF_ZH.sub(" ", t))  # "唱一下，唱完": the tail first, then what it leaves
    t = L.LANGUAGE_PHRASE.sub(lambda m: " " if m.group("zh") is None or m.group(0).startswith(("用", "以")) else m.group(0), t)
    # "唱一遍，速度放慢到每分钟八十拍": a piece that sets the tempo is no lyric
    pieces = re.split(r"([，,])", t)
    t = "".join(p for i, p in enumerate(pieces)
                if not (i % 2 == 0 and _SETS_TEMPO.search(p))
                and not (i % 2 == 1 and _SETS_TEMPO.search(pieces[i + 1])))
    t = re.sub(r"\s+", " ", t).strip(" ,，.。:：;；!！'\"“”‘’")
    t = _SING_LEAD_EN.sub("", t).strip()
    t = re.sub(r"\s+(?:on|to|over|with|using|at)$|^(?:这串|这些)音符?$", "", t, flags=re.I).strip()  # "sing them on [C4 D4]"
    while True:
        shorter = _SING_TAIL.sub("", t).strip()
        if shorter == t:
            break
        t = shorter
    if not t or _SING_ONLY_REF.match(t) or not re.search(r"[^\W\d_]", t):
        return None
    return t


_SUNG_WORDS_REF = re.compile(r"(?:have|get|make)\s+(?:it|this|that|them)(?:\s+sung)?(?:\s+(?:to|on|with))?|it|this|that|them|those"
                             r"|(?:it|this|that|them)\s+(?:through|again|once|out|all\s+the\s+way\s+through)|through"
                             r"|一遍|一次|一首|一曲|一段"
                             r"|these|(?:the|her|his|their|my|those|these)\s+(?:transcript(?:ion)?|words|text|lyrics)"
                             r"|(?:这|那)句话?|(?:这|那)段话|一下|出来|一下子?", re.I)


def sing(c: Clause, src: Sources) -> Args:
    """Melody: notes written in the request (C4 D4 E4 or C4:la/8), else an uploaded score; words: a
    quote, the text after 'lyrics:'/'sing'/'唱', without the notes and the words that point at the melody."""
    raw = c.req.restore(c.raw_core)
    args: Args = {}
    run = _NOTES_RUN.search(raw)
    score = src.upload_of("score", newest=True)
    if run:
        args["notes"] = " ".join(t for t in re.split(r"[\s,，|]+", run.group(0).strip()) if t)
    elif score:
        args["score"] = score
        src.take(score)
    else:
        raise NeedInfo("What melody should I sing? Attach a MIDI or MusicXML score with -i (e.g. -i melody.mid), "
                       "or write the notes, e.g. sing these lyrics: twinkle twinkle with notes C4 C4 G4 G4.")
    notes_text = run.group(0) if run else None
    lyrics = None
    for q in c.quotes:
        lyrics = _lyrics_from(q, notes_text if notes_text and notes_text in q else None)
        if lyrics:
            break
    if lyrics is None:
        body = PLACEHOLDER.sub(" ", c.raw_core) if c.quotes else raw
        m = _SING_VERB_EN.search(body)
        if m:
            body = body[m.end():]
        elif "唱" in body:
            before, _, after = body.partition("唱")
            after_clean = _lyrics_from(after, notes_text if notes_text and notes_text in after else None)
            body = after if after_clean else re.sub(r"^.*?(?:把|将)", "", before)  # "把一闪一闪亮晶晶唱出来"
        lyrics = _lyrics_from(body, notes_text if notes_text and notes_text in body else None)
    if lyrics and _SUNG_WORDS_REF.fullmatch(lyrics.strip()):
        lyrics = None  # "have it sung to C4 D4 E4", "把这句话唱出来", "sing 一下": the words are not given here
    if lyrics is None:
        text = src.text_source()
        if text is not None and re.match(r"@s\d+\.", text):
            lyrics = text  # "work out the phrase I'm saying, then have it sung": the transcript of this plan
    if lyrics and not (run and ":" in run.group(0) and lyrics in run.group(0)):
        args["lyrics"] = lyrics
    m = _TEMPO.search(normalize_numbers(raw.replace(notes_text, " ") if notes_text else raw))
    if m:
        args["tempo"] = float(m.group("v") or m.group("v2") or m.group("v3"))
    lang = L.language_in(normalize_numbers(PLACEHOLDER.sub(" ", c.core)))
    if lang in ("en", "zh"):
        args["language"] = lang
    return args
