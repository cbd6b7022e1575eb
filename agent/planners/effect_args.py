"""Argument extractors for effects, levels and formats (see rule_args.py for the contract)."""

from __future__ import annotations

import math
import re

from agent.planners import lexicon as L
from agent.planners.clauses import Clause
from agent.planners.numbers import Quantity, normalize_numbers, scan
from agent.planners.rule_args import Args, NeedInfo, Sources, qs, scaled

# ------------------------------------------------------------------ gain
# "it's about 6 dB quieter than our other greetings": a level compared, said before the ask, is the state to undo
_THAN = r"\b(?:is|it'?s|'s|sits?|comes?\s+in|runs?|came\s+(?:back|out))\s+(?:about\s+|around\s+|roughly\s+|some\s+)?(?:\d+(?:\.\d+)?\s*db\s+)?"
_GAIN_UP = L.rx(_THAN + r"(?:quieter|softer|lower)\s+than\b|\btoo\s+(?:quiet|soft|low|faint)\b"
                r"|\b(?:is|are)\s+(?:it|this|that|they|she|he)\s+(?:so\s+|that\s+|this\s+)?(?:quiet|soft|faint)\b"
                r"|\b(?:is|are|'s|sounds?|seems?|feels?|comes?\s+out|came\s+out)\s+(?:(?:a\s+)?(?:bit|touch|little|tad)\s+|kind\s+of\s+"
                r"|rather\s+|pretty\s+|quite\s+|so\s+|very\s+|really\s+)?(?:quiet|soft|faint|weak)\b|\bcan'?t\s+hear\b|\bcan\s+(?:barely|hardly)\s+hear\b|\bnot\s+loud\s+enough\b|\bhard\s+to\s+hear\b",
                r"\b(?:up|louder|raise\w*|increase\w*|boost\w*|amplif\w*|more|higher|add|louden|pump|crank)\b",
                r"太小|太轻|听不清|听不到|大声|调大|调高|提高|增大|加大|放大|增加|响一点|响些|大一点|大些|大点|增强|(?:整|弄|搞|开)大")
_GAIN_DOWN = L.rx(_THAN + r"(?:louder|hotter)\s+than\b|\btoo\s+(?:loud|hot)\b|\bpull\w*\s+(?:it\s+|this\s+|that\s+|the\s+\w+\s+)?back\b|\bback\s+(?:it\s+)?off\b",
                  r"\b(?:down|quieter|softer|lower\w*|decrease\w*|reduc\w*|cut|less|attenuat\w*|drop"
                  r"|quiet|soft|quieten|tame|mute|dim|dwn)\b", r"太大|太吵|太响|小声|调小|调低|降低|减小|减少|轻一点|轻些|小一点|小些|小点|低一点|压低|压小|往下|小\s*\d"
                  r"|(?:音量|声音)(?:再)?(?:降|减|低)\s*\d|(?<![提升])(?:降|减)\s*\d|收一点|收点|收一些|往回收|收\s*\d|有点吵|太吵")
_HALF_LOUD = L.rx(r"\bhalf\s+(?:as\s+loud|the\s+volume)\b|\bhalve\b", r"一半")
_MUTE = L.rx(r"\bmute\b|\bsilence\s+(?:it|this)\b")


def gain(c: Clause, src: Sources) -> Args:
    t = c.core
    if _MUTE.search(t):
        return {"db": -60.0}
    d = L.direction(t, _GAIN_UP, _GAIN_DOWN)
    dbs = qs(c, "dB")
    if dbs:
        v = dbs[0].value
        return {"db": -abs(v) if d < 0 else v}
    if _HALF_LOUD.search(t):
        return {"db": -6.0}
    xs, pct = qs(c, "x"), qs(c, "%")
    if xs and xs[0].value > 0:
        x = 2.0 if xs[0].value == 1 and "倍" in t else xs[0].value  # 放大一倍 = twice as loud
        v = round(20 * math.log10(x), 1)
        if v:
            return {"db": -abs(v) if d < 0 else v}
    if pct:
        p = pct[0].value / 100
        if d < 0 and p < 1:
            return {"db": round(20 * math.log10(1 - p), 1)}
        return {"db": round(20 * math.log10(1 + p), 1)}
    if d == 0:
        raise NeedInfo("Louder or quieter, and by how many dB (e.g. 6 dB louder)?")
    return {"db": d * scaled(t, 6.0, 3.0, 10.0)}


# ------------------------------------------------------------------ change tempo
# A state said before the change ("it's still a bit fast, slow it 10%", "还是有点快，再慢百分之十") points the other way
# from its own word, and comes first, so direction() reads it before the bare 快.
_STATE = r"\b(?:is|are|'s|sounds?|seems?|feels?)\s+(?:still\s+)?(?:(?:a\s+)?(?:bit|touch|little|tad)\s+|kind\s+of\s+|rather\s+|pretty\s+|quite\s+|so\s+|very\s+|really\s+)?"
_ZH_STATE = r"(?:还是|还|太|有点儿?|有些|偏|稍微有点)+"
_FASTER = L.rx(r"\btoo\s+slow\b|\bincrease\s+(?:the\s+)?(?:speed|tempo|pace)\b|" + _STATE + r"(?:slow|sluggish|draggy)\b",
               _ZH_STATE + r"慢",
               r"\b(?:faster|quicker|speed\w*\s+up|speed\s+(?:it|this|that|them)\s+up|hurry|accelerat\w*|quicken|fast"
               r"|quick"
               r"|rush|up)\b", r"加速|加快|变快|调快|更快|快|提速|提\s*(?=\d)")
_SLOWER = L.rx(r"\btoo\s+fast\b|\b(?:decrease|reduce|lower)\s+(?:the\s+)?(?:speed|tempo|pace)\b|" + _STATE + r"(?:fast|quick|rushed|hurried)\b",
               _ZH_STATE + r"快",
               r"\b(?:slower|slow\w*\s+down|slow\s+(?:it|this|that|them|the\s+\w+)\s+down|slow|decelerat\w*|down)\b",
               r"减速|放慢|变慢|调慢|更慢|慢|降速")
_HALF_SPEED = L.rx(r"\bhalf[- ]?(?:speed|time|tempo)\b|\bhalf\s+(?:as\s+fast|the\s+(?:speed|tempo|pace))\b",
                   r"半速|一半的?速度|慢一半|放慢一半|减半|速度减半")
_DOUBLE_SPEED = L.rx(r"\bdouble[- ]?(?:speed|time|tempo)\b|\bdouble\s+the\s+(?:speed|tempo|pace)\b", r"双倍速")
_PCT_TARGET = re.compile(r"(?:\b(?:to|at)\s*$|到\s*$|(?:原来|原速|原本|正常)的?\s*$)")  # "放慢到原来的80%"
_PCT_TARGET_AFTER = re.compile(r"^\s*(?:of\s+(?:the\s+)?)?(?:speed|tempo|original|normal|pace|速度|的速度)")


def _fit_rate(c: Clause, src: Sources) -> float | None:
    """"The spot came back 25 seconds and the slot is 20: squeeze it into 20 seconds", "压进三十秒里": the rate that
    makes it that long. Its length now is the other time the request says, else the input's own duration."""
    fit = FIT_INTO.search(c.core)
    target = [q.value for q in qs(c, "s") if fit and q.start >= fit.start()]
    if not target or target[0] <= 0:
        return None
    said = [q.value for q in scan(normalize_numbers(c.req.original.lower())) if q.unit == "s" and q.value != target[0]]
    now = said[0] if len(said) == 1 else src.seconds(src.current(c, prefer_mention=False))
    if not now:
        raise NeedInfo(f"How long is it now? (To fit it into {target[0]:g} s I change its speed by that ratio.)")
    return round(now / target[0], 4)


# A pace said as beats or words per minute, where the request gives the pace now and the pace wanted
_PACE = re.compile(r"\bbpm\b|\bwpm\b|\bwords?\s+(?:(?:a|per|each)\s+)?(?:1\s+)?minute\b|每分钟\s*\d+\s*个?字|字每分钟",
                   re.IGNORECASE)


def _pace_ratio(c: Clause) -> float | None:
    """"read at about 180 words a minute … needs it at 150. Slow it down to that": the ratio of the two paces the
    request says (the first is the pace now), when it says exactly two."""
    text = normalize_numbers(c.req.original.lower())
    if not _PACE.search(text):
        return None
    paces = list(dict.fromkeys(q.value for q in scan(text) if q.unit in ("bpm", None) and 40 <= q.value <= 400))
    return round(paces[1] / paces[0], 4) if len(paces) == 2 else None


def change_tempo(c: Clause, src: Sources) -> Args:
    t = c.core
    rate = _fit_rate(c, src)
    if rate is not None:
        return {"rate": rate}
    d = L.direction(t, _FASTER, _SLOWER)
    if _HALF_SPEED.search(t):
        return {"rate": 0.5}
    if _DOUBLE_SPEED.search(t):
        return {"rate": 2.0}
    if re.search(r"\bby\s+(?:a\s+)?half\b|\bhalve\b", t) and d:
        return {"rate": 1.5 if d > 0 else 0.5}
    if "bpm" in t:
        nums = [q.value for q in scan(t) if q.unit in ("bpm", None) and q.value > 20]
        src_m, dst_m = re.search(r"\bfrom\s*(\d+(?:\.\d+)?)", t), re.search(r"\bto\s*(\d+(?:\.\d+)?)", t)
        if len(nums) >= 2 and src_m and dst_m:  # "up to 120 bpm from 100"
            return {"rate": round(float(dst_m.group(1)) / float(src_m.group(1)), 4)}
        if len(nums) >= 2:
            return {"rate": round(nums[1] / nums[0], 4)}
        said = [q.value for q in scan(normalize_numbers(c.req.original.lower())) if q.unit == "bpm" and q.value > 20]
        if len(nums) == 1 and len(said) == 2 and said[1] == nums[0] and said[0] != said[1]:
            return {"rate": round(said[1] / said[0], 4)}  # "this loop is 100 bpm, make it 120 bpm"
        raise NeedInfo("What is the current tempo in BPM, and what should it become?")
    pace = _pace_ratio(c)
    if pace is not None and not qs(c, "x") and not qs(c, "%"):
        return {"rate": pace}  # "128 bpm, but the reel is cut at 140. stretch it to the new tempo"
    xs = qs(c, "x")
    if xs:
        x = xs[0].value
        if x == 1 and "倍" in t[xs[0].start:xs[0].end]:
            return {"rate": 2.0 if d >= 0 else 0.5}  # 快一倍 = twice as fast
        return {"rate": round(1 / x, 4) if d < 0 and x > 1 else x}
    pct = qs(c, "%")
    if pct:
        p, q = pct[0].value, pct[0]
        if t[q.start] in "+-":  # "+15% speed", "-10% tempo": a change
            return {"rate": round(1 + p / 100, 4)}
        if _PCT_TARGET.search(t[:q.start]) or _PCT_TARGET_AFTER.match(t[q.end:]) or d == 0:
            return {"rate": p / 100}
        return {"rate": round(1 + p / 100, 4) if d > 0 else round(1 - p / 100, 4)}
    bare = [q.value for q in qs(c, None) if 0.25 <= q.value <= 4 and q.value != 1]
    if bare:
        return {"rate": bare[0]}
    if d == 0:
        raise NeedInfo("Faster or slower, and by how much (e.g. 20% slower, or 1.5x)?")
    return {"rate": scaled(t, 1.25, 1.1, 1.5) if d > 0 else scaled(t, 0.8, 0.9, 0.67)}


# "squeeze it into 20 seconds", "fit it in 45 s", "make it 30 seconds long by speeding it up", "整体压进三十秒里": a length
# reached by changing the tempo (cutting to a length is trim's "cut it down to 30 seconds")
FIT_INTO = L.rx(r"\b(?:squeez|squash|cram|compress|shrink|fit|stretch)\w*\b[^,;.]{0,20}?\b(?:in(?:to)?|to|under|within)\s+"
                r"(?:exactly\s+|just\s+)?\d+(?:\.\d+)?\s*(?:s|secs?|seconds?)\b"
                r"|\b(?:make|get)\s+(?:it|this|the\s+\w+)\s+(?:exactly\s+)?\d+(?:\.\d+)?\s*(?:s|secs?|seconds?)\s+long\b"
                r"(?=[^,;.]*\b(?:speed\w*|faster|slower|tempo)\b)",
                r"(?:压|缩|塞|挤)(?:进|到|成|缩到)\s*\d+(?:\.\d+)?\s*(?:秒|s)")


# ------------------------------------------------------------------ pitch shift
_PITCH_UP = L.rx(r"\b(?:up|raise\w*|higher|increase\w*|sharpen|lift|squeak\w*|chipmunk)\b",
                 r"升高|提高|调高|升|变高|高一点|高一些|高点|往上|向上|上调|调上")
_PITCH_DOWN = L.rx(r"\b(?:down|dwn|dn|lower\w*|decrease\w*|deeper|drop\w*|flatten|reduce\w*|monster|demon\w*|ogre)\b",
                   r"降低|调低|降|变低|低一点|低一些|低点|沉|往下|向下|下调|调下")
# Character voices: a big shift, whatever the direction words say about the size.
_CARTOON = L.rx(r"\bchipmunk\w*|\bhelium\b|\bmickey\s+mouse\b|\bsquirrel\b|\bmonster\b|\bdemon\w*|\bogre\b|\bgiant\b",
                r"花栗鼠|松鼠|氦气|怪兽|恶魔|巨人")


_INTERVALS = [(re.compile(r"\b(?:a\s+|an\s+|one\s+|by\s+a\s+)?(?:perfect\s+)?fifth\b"), 7),
              (re.compile(r"\b(?:a\s+|by\s+a\s+)?(?:perfect\s+)?fourth\b"), 5),
              (re.compile(r"\b(?:a\s+|by\s+a\s+)?major\s+third\b"), 4), (re.compile(r"\b(?:a\s+|by\s+a\s+)?minor\s+third\b"), 3)]


def pitch_shift(c: Clause, src: Sources) -> Args:
    t = c.core
    st = qs(c, "st") or [Quantity(float(v), "st", m.start(), m.end()) for pat, v in _INTERVALS if (m := pat.search(t))][:1]
    bare = [q for q in qs(c, None) if 0 < abs(q.value) <= 24]
    v = sum(q.value for q in st) if st else bare[0].value if bare else None
    d = L.direction(t, _PITCH_UP, _PITCH_DOWN)
    if v is None:
        if d == 0:
            raise NeedInfo("Up or down, and by how many semitones (e.g. up 3 semitones, down an octave)?")
        v = 7.0 if _CARTOON.search(t) else scaled(t, 2.0, 1.0, 5.0)
    if v > 0 and d < 0:
        v = -v
    return {"semitones": v}


# ------------------------------------------------------------------ equalize
_BANDS = {
    "bass_db": L.rx(r"\bbass\b(?!\s+line)|\bbassy\b|\blow[- ]?end\b|\bbottom(?:[- ]end)?\b|\blows\b|\blow\s+frequenc\w+|\bsub[- ]?bass\b|\bboom\w*"
                    r"|\bwarm\w*"
                    r"|\bbody\b|\bfuller\b|\bthin(?:ner)?\b", r"重低音|(?<![降调变])低音(?![调量高])|低频|温暖"),
    "mid_db": L.rx(r"\bmids?\b|\bmid[- ]?range\b|\bmiddle\b|\bmid\s+frequenc\w+|\bmuddy\b|\bmud\b|\bboxy\b|\bnasal\b"
                   r"|\bhonky\b", r"中音|中频"),
    "treble_db": L.rx(r"\btreble\b|\bhighs\b|\bhigh[- ]?end\b|\bhigh\s+frequenc\w+|\btop[- ]?end\b|\bbright\w*"
                      r"|\bcrisp\w*"
                      r"|\bair(?:y|iness)?\b|\bharsh\w*|\bdull\w*|\bdark\w*|\bpresence\b|\bsparkl\w*|\bclarity\b"
                      r"|\btinny\b|\bshrill\b",
                      r"(?<![提升调变])高音(?![调量])|高频|明亮|清脆|闷"),
}
# Tone words that carry their own direction when no verb says otherwise.
_IMPLIED_UP = L.rx(r"\bbright(?:er|en)?\b|\bcrisp\w*|\bsparkl\w*|\bairy\b|\bwarm(?:er|th)?\b|\bfuller\b|\bbody\b"
                   r"|\bthin\w*"
                   r"|\bdull\w*|\bclarity\b|\bpresence\b|\bmuffled\b", r"明亮|温暖|清脆|闷")
_IMPLIED_DOWN = L.rx(r"\bdark(?:er|en)\b|\bharsh\w*|\bboom\w*|\bmud\w*|\bboxy\b|\bnasal\b|\bhonky\b|\btinny\b|\bshrill\b"
                     r"|\bbassy\b")
_EQ_UP = L.rx(r"\bnot\s+enough\b|\bneeds?\s+more\b|\black\w*\b",
              r"\b(?:boost\w*|raise\w*|increase\w*|more|add|enhanc\w*|bump|lift|pump|up|louder|stronger"
              r"|emphasi[sz]e\w*)\b",
              r"加强|增强|提升|提高|增加|加大|加重|多|加|补|提(?!示)")
_EQ_DOWN = L.rx(r"\btoo\s+much\b|\btoo\s+(?:boomy|bright|harsh|muddy|bassy|tinny)\b"
                r"|\b(?:take|knock|shave|pull)\s+(?:[\w.]+\s+){0,3}?(?:off|back)\b",  # "take 4 dB off the treble"
                r"\b(?:cut\w*|reduc\w*|lower\w*|less|decreas\w*|remov\w*|down|tame|soften|quieter|weaker|attenuat\w*"
                r"|kill|scoop\w*|dip\w*|notch\w*|carve\w*|duck\w*"
                r"|roll\s+off)\b", r"减少|降低|减弱|削弱|减|少|去掉|衰减|太多|往下|下降|压低|挖|收")
_PART_SPLIT = re.compile(r"[,，、;；]|\band\b|\bbut\b|\bwhile\b|\bplus\b|和|并且|但|同时")


def equalize(c: Clause, src: Sources) -> Args:
    parts = []
    for p in _PART_SPLIT.split(c.core):
        bands = [(name, pat.search(p)) for name, pat in _BANDS.items()]
        found = [(name, m) for name, m in bands if m]
        dbs = qs_text(p, "dB") or [v for v in qs_text(p, None) if 0 < abs(v) <= 24]  # "+3 bass"
        d = L.direction(p, _EQ_UP, _EQ_DOWN)
        if d == 0 and found:
            d = 1 if _IMPLIED_UP.search(p) else -1 if _IMPLIED_DOWN.search(p) else 0
        parts.append(([n for n, _ in found], d, dbs[0] if dbs else None))
    args: Args = {}
    last_dir = 0
    for i, (bands, d, db) in enumerate(parts):
        d = d or last_dir
        last_dir = d or last_dir
        if db is None:  # "boost the bass and treble by 3 dB": the amount may come later
            db = next((x for b, dd, x in parts[i + 1:] if x is not None and not dd), None)
        for b in bands:
            if db is not None:
                args[b] = -abs(db) if d < 0 else db
            else:
                args[b] = (d or 1) * scaled(c.core, 6.0, 3.0, 10.0)
    if not args:
        raise NeedInfo("Which band should I change (bass, mids or treble), and by how many dB?")
    return args


def qs_text(text: str, unit: str | None) -> list[float]:
    return [q.value for q in scan(text) if q.unit == unit]


# ------------------------------------------------------------------ loudness
_PRESETS = [(L.rx(r"\b(?:ebu|r\s*128|broadcast|tv|television)\b", r"广播|电视"), -23.0),
            (L.rx(r"\b(?:atsc|a/85)\b"), -24.0),
            (L.rx(r"\b(?:spotify|youtube|streaming|tidal|deezer|amazon\s+music)\b", r"流媒体"), -14.0),
            (L.rx(r"\b(?:audiobooks?|acx|audible)\b", r"有声书"), -18.0)]
_PEAK = re.compile(r"(?:true\s*peak|peak|ceiling|峰值|上限)[^,;]{0,20}?$")


# "bring it in line with the rest", "match the others", "跟其他几条一样响": the level the others were said to have
MATCH_THE_REST = L.rx(r"\b(?:bring|get|put|make)\s+(?:it|this|that|this\s+one)\s+(?:back\s+)?in\s+line\s+with\b"
                      r"|\bmatch(?:es|ing)?\s+(?:the\s+)?(?:rest|others|other\s+\w+)\b|\bsame\s+level\s+as\s+the\s+(?:rest|others)\b",
                      r"跟其他[^，,。]{0,6}一样(?:响|大声)|和其他[^，,。]{0,6}一样(?:响|大声)")


def loudness_normalize(c: Clause, src: Sources) -> Args:
    t = c.core
    args: Args = {}
    lufs = qs(c, "LUFS")
    if lufs:
        args["target_lufs"] = -abs(lufs[0].value)  # LUFS targets are negative; "16 LUFS" means -16
    else:
        bare = [q.value for q in qs(c, None) if -70 <= q.value <= -5]
        if bare:
            args["target_lufs"] = bare[0]
        else:
            for pat, value in _PRESETS:
                if pat.search(t):
                    args["target_lufs"] = value
                    break
    said = {-abs(q.value) for q in scan(normalize_numbers(c.req.original.lower())) if q.unit == "LUFS"}
    if "target_lufs" not in args and len(said) == 1 and MATCH_THE_REST.search(t):
        args["target_lufs"] = said.pop()  # "the others sit at -19 LUFS … bring it in line with the rest"
    bare_peaks = [q for q in qs(c, None) if -12 <= q.value <= 0 and _PEAK.search(t[max(0, q.start - 25):q.start])]
    for q in qs(c, "dB") + bare_peaks:  # "峰值不能超过负二", "peaks no higher than minus two": dB without the unit
        if _PEAK.search(t[max(0, q.start - 25):q.start]) or re.match(r"\s*(?:true\s*)?peak|\s*峰值", t[q.end:]):
            args["peak_ceiling_db"] = -abs(q.value)
    return args


# ------------------------------------------------------------------ reverb
_ROOMS = [
    ("cathedral", L.rx(r"\bcathedral\b|\bchurch\b|\bchapel\b|\bcave\b|\bhuge\b|\benormous\b|\bcavern\w*", r"教堂|山洞")),
    ("hall", L.rx(r"\bhall\b|\bauditorium\b|\barena\b|\bstadium\b|\btheat(?:er|re)\b|\b(?:big|large)\s+(?:room|space)\b"
                  r"|\blarge\b|\bbig\b", r"大厅|音乐厅|礼堂|剧院|大房间|大空间")),
    ("small", L.rx(r"\bsmall\b|\bbathroom\b|\bcloset\b|\bbooth\b|\btiny\b|\bbedroom\b|\bshower\b|\bintimate\b",
                   r"小房间|小屋|浴室|卫生间|小空间")),
    ("medium", L.rx(r"\bmedium\b|\bmid[- ]?sized?\b|\bstudio\b|\bliving\s+room\b|\broom\b", r"中等|中型|房间")),
]


def reverb(c: Clause, src: Sources) -> Args:
    t = c.core
    args: Args = {}
    for room, pat in _ROOMS:
        if pat.search(t):
            args["room"] = room
            break
    pct = qs(c, "%")
    frac = [q.value for q in qs(c, None) if 0 <= q.value <= 1 and (
        re.search(r"(?:\b(?:wet|mix|amount)|湿声|湿度|混响量)\s*(?:of|at|=|:|为|是|设为?)?\s*$", t[:q.start])
        or re.match(r"\s*(?:wet|mix)\b", t[q.end:]))]
    if pct and 0 <= pct[0].value <= 100:
        args["wet"] = pct[0].value / 100
    elif frac:  # "wet 0.5", "at 0.4 wet"
        args["wet"] = frac[0]
    elif L.intensity(t) < 0 or re.search(r"\b(?:a\s+little|a\s+bit\s+of|a\s+touch\s+of|subtle|light)\b|一点点|轻微", t):
        args["wet"] = 0.2  # "a little reverb"
    elif L.intensity(t) > 0 or re.search(r"\b(?:drench\w*|soak\w*|wet)\b", t):
        args["wet"] = 0.6
    return args


# ------------------------------------------------------------------ resample and convert
_MONO = L.rx(r"\bmono(?:phonic)?\b|\bone\s+channel\b|\bsingle\s+channel\b|\bdown-?mix\w*", r"单声道")
_STEREO = L.rx(r"\bstereo\b|\btwo\s+channels\b|\bup-?mix\w*", r"立体声|双声道")
_CD = L.rx(r"\bcd\s+quality\b|\bcd\b", r"cd音质")
_PHONE_Q = L.rx(r"\b(?:tele)?phone\s+quality\b", r"电话音质")


_WANTS = L.rx(r"\b(?:wants?|needs?|requires?|expects?|asks?\s+for|into|to)\b", r"要求|需要|只认|要|转成|改成|转为|变成")


def resample(c: Clause, src: Sources) -> Args:
    t = c.core
    args: Args = {}
    rates = [q.value for q in qs(c, "Hz") if 8000 <= q.value <= 192000]
    if not rates:  # "resample to 48000", "sample rate 16"
        bare = [q.value for q in qs(c, None) if 8 <= q.value <= 192 or 8000 <= q.value <= 192000]
        rates = [v if v >= 8000 else v * 1000 for v in bare]
    # "the episode is 48k stereo but the hosting site wants 44.1k mono": what it should become comes after the ask
    want = _WANTS.search(t)
    tail = t[want.end():] if want else t
    later = [q.value for q in qs(c, "Hz") if 8000 <= q.value <= 192000 and want and q.start >= want.end()]
    if later:
        rates = later
    if rates:
        args["sample_rate"] = int(round(rates[0]))
    chans = [int(q.value) for q in qs(c, "ch") if 1 <= q.value <= 8]
    if chans:
        args["channels"] = chans[0]
    elif _MONO.search(tail):
        args["channels"] = 1
    elif _STEREO.search(tail):
        args["channels"] = 2
    elif _MONO.search(t):
        args["channels"] = 1
    elif _STEREO.search(t):
        args["channels"] = 2
    if _CD.search(t):
        args.setdefault("sample_rate", 44100)
        args.setdefault("channels", 2)
    if _PHONE_Q.search(t):
        args.setdefault("sample_rate", 8000)
        args.setdefault("channels", 1)
    if not args:
        raise NeedInfo("Which sample rate (e.g. 16 kHz, 44.1 kHz) or channel layout (mono or stereo)?")
    return args


_FORMAT_WORD = re.compile(r"(?<![a-z0-9])(mp3|flac|ogg|vorbis|oga|wav|wave|pcm|lossless)(?![a-z0-9])")
_TARGET_BEFORE = re.compile(r"(?:\b(?:as|to|into|in|an?|format)\s+(?:an?\s+)?|成|为|转|导出|保存|输出)\s*$")


def convert(c: Clause, src: Sources) -> Args:
    words = list(_FORMAT_WORD.finditer(c.core))
    if not words:
        raise NeedInfo("Which format: wav, flac, mp3 or ogg?")
    target = next((m for m in words if _TARGET_BEFORE.search(c.core[:m.start()])), words[-1])
    return {"format": L.FORMATS[target.group(1)]}
