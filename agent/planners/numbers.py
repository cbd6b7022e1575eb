"""Numbers with units, in English and Chinese, for the rule planner.

Two passes, so the planner's patterns only ever see digits:
  normalize_numbers("fade out the last second over two and a half seconds")
      -> "fade out the last 1 second over 2.5 seconds"
  scan("cut 1分30秒 then -16 lufs")  -> [Quantity(90, "s"), Quantity(-16, "LUFS")]

Units are canonicalised: times to seconds, kHz to Hz, octaves and whole steps to semitones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ---------------------------------------------------------------------------- English words
_EN_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90, "ninty": 90}
_EN_SCALE = {"hundred": 100, "thousand": 1000}
_EN_WORD = "|".join(sorted([*_EN_SMALL, *_EN_TENS, *_EN_SCALE], key=len, reverse=True))
# A run of number words: "one hundred and twenty-five", "two point five", "one and a half".
_EN_RUN = re.compile(
    rf"\b(?:a\s+(?=(?:hundred|thousand)\b))?(?:{_EN_WORD})"
    rf"(?:(?:[\s-]+(?:and[\s-]+)?)(?:{_EN_WORD})|\s+point(?:\s+(?:{_EN_WORD}))+|\s+and\s+an?\s+(?:half|quarter))*\b",
    re.I,
)
EN_NUMBER_RUN = _EN_RUN  # public: patterns that must see number words before normalization (sung lyrics)
# Words that make a lone "one"/"a" a number rather than a pronoun/article ("the other one").
UNIT_WORDS = (r"(?:seconds?|secs?|s|minutes?|mins?|milliseconds?|ms|hours?|db|dbs|decibels?|hz|hertz|khz|kilohertz"
              r"|semitones?|semi-tones?|half[- ]?steps?|whole[- ]?steps?|octaves?|percent|per\s+cent|channels?|times"
              r"|x|lufs|lkfs|k|bpm)")
_UNIT_AFTER = re.compile(rf"^\s*(?:and\s+an?\s+half\s+)?{UNIT_WORDS}\b", re.I)
_RANGE_AFTER = re.compile(rf"^\s*(?:and|to|or|-|through|until)\s*(?:\d|(?:{_EN_WORD})\b)", re.I)
# "a second" is a duration unless an ordinal noun follows ("a second file").
_ORDINAL_NOUN = (r"(?:file|clip|track|recording|one|upload|audio|song|take|version|time|voice|speaker|input|part|copy"
                 r"|layer)")
_A_UNIT = re.compile(
    rf"\b(?:a|an)\s+(?=(?:second(?!\s+{_ORDINAL_NOUN})|sec\b|minute|millisecond|octave|semitone|half[- ]?step"
    rf"|whole[- ]?step"
    rf"|decibel|db\b|hour)s?\b)",
    re.I,
)
_HALF_A = re.compile(r"\b(?:an?\s+)?half[\s-]+(?:an?\s+)?(second|sec|minute|min|octave|semitone|hour)s?\b", re.I)
_UNIT_AND_HALF = re.compile(r"\b1\s+(second|minute|octave|semitone|hour)s?\s+and\s+an?\s+half\b", re.I)
_COUPLE = re.compile(r"\b(?:a\s+)?couple(?:\s+of)?\s+(?=[a-z])", re.I)
_FEW = re.compile(r"\ba\s+few\s+(?=(?:seconds?|secs?|db|decibels?|semitones?)\b)", re.I)
_TIMES = re.compile(r"\b(twice|thrice)\b", re.I)
_NEG_WORD = re.compile(r"\b(?:minus|negative)\s+(?=\d|\.\d)", re.I)


# Musical intervals as semitones: "a perfect fifth higher", "降一个纯四度"
_INTERVALS = {"minor second": 1, "major second": 2, "minor third": 3, "major third": 4, "perfect fourth": 5,
              "tritone": 6, "perfect fifth": 7, "minor sixth": 8, "major sixth": 9, "minor seventh": 10,
              "major seventh": 11, "小二度": 1, "大二度": 2, "小三度": 3, "大三度": 4, "纯四度": 5, "增四度": 6,
              "纯五度": 7, "小六度": 8, "大六度": 9, "小七度": 10, "大七度": 11}
_INTERVAL = re.compile(r"(?:\b(?:an?|1|one)\s+|(?:1|一)\s*个\s*)?(?P<i>" + "|".join(
    k.replace(" ", r"[\s-]") for k in sorted(_INTERVALS, key=len, reverse=True)) + r")", re.IGNORECASE)


_CN_ABOUT = re.compile(r"(?<![零〇一二两三四五六七八九十百千万\d])([一二两三四五六七八])([二三四五六七八九])"
                       r"(?=\s*个?\s*(?:分贝|秒|度|倍|赫|半音|db|dB|%))")


def _cn_about(m: re.Match[str]) -> str:
    a, b = _CN_DIGIT[m.group(1)], _CN_DIGIT[m.group(2)]
    return f"{a}.5" if b == a + 1 else m.group(0)


def _semitones_of_interval(m: re.Match[str]) -> str:
    name = re.sub(r"[-\s]+", " ", m.group("i").lower())
    return f"{_INTERVALS[name]} semitones"


def _en_value(run: str) -> float | None:
    """Value of a run of English number words (validated by _EN_RUN)."""
    words = [w for w in re.split(r"[\s-]+", run.lower().strip()) if w and w != "and"]
    if words and words[0] == "a":
        words[0] = "one"
    frac = 0.0
    if "point" in words:
        i = words.index("point")
        digits = "".join(str(_EN_SMALL.get(w, "")) for w in words[i + 1:])
        if not digits:
            return None
        frac = float("0." + digits)
        words = words[:i]
    if len(words) >= 2 and words[-1] in ("half", "quarter") and words[-2] in ("a", "an"):
        frac += 0.5 if words[-1] == "half" else 0.25
        words = words[:-2]
    total = current = 0
    for w in words:
        if w in _EN_SMALL:
            current += _EN_SMALL[w]
        elif w in _EN_TENS:
            current += _EN_TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return total + current + frac


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _replace_en_runs(text: str) -> str:
    def convert(run: str, rest: str) -> str:
        # "ten and twenty" is two numbers; "one hundred and five" and "two and a half" are one.
        parts = re.split(r"(?<!hundred)(?<!thousand)(\s+and\s+)(?!an?\s+(?:half|quarter)\b)", run, maxsplit=1,
                         flags=re.I)
        if len(parts) == 3:
            return convert(parts[0], parts[1] + parts[2] + rest) + parts[1] + convert(parts[2], rest)
        # A lone "one" is usually a pronoun ("the other one"); keep it unless a unit follows.
        if run.lower() == "one" and not _UNIT_AFTER.match(rest) and not _RANGE_AFTER.match(rest):
            return run
        v = _en_value(run)
        return run if v is None else _fmt(v)

    def sub(m: re.Match[str]) -> str:
        if m.group(0).lower() == "one" and _ONE_AFTER.search(text[:m.start()]) and not _UNIT_AFTER.match(text[m.end():]):
            return m.group(0)  # "the second one to 5 seconds": a pronoun
        return convert(m.group(0), text[m.end():])

    return _EN_RUN.sub(sub, text)


_ONE_AFTER = re.compile(r"\b(?:first|second|third|last|other|this|that|the|each|every|which|next|previous|latest|new"
                        r"|old|same|original|raw|louder|quieter|longer|shorter|edited|final)\s+$", re.I)


# ---------------------------------------------------------------------------- Chinese numerals
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_CHARS = "零〇一二两三四五六七八九十百千万"
_CN_RUN = re.compile(rf"[{_CN_CHARS}]+(?:点[零〇一二两三四五六七八九]+)?")
# A bare 一 in these words is not a number: 一点(儿) "a bit", 一下, 一些, 一起 "together", 统一 ...
_CN_SKIP_AFTER = "些下样起直定共切般会边旦致同道块律向再半"
_CN_SKIP_BEFORE = "统唯万同逐专单"


def cn_int(s: str) -> int | None:
    """Integer value of a Chinese numeral run: 十六, 二十三, 两百, 三千五 (colloquial 3500), 一百零五."""
    if not s or any(ch not in _CN_CHARS for ch in s):
        return None
    total = section = 0
    num: int | None = None
    last_unit = 1
    zero_seen = False
    for ch in s:
        if ch in _CN_DIGIT:
            d = _CN_DIGIT[ch]
            if d == 0:
                zero_seen = True
                continue
            if num is not None:
                return None  # 三四 = "three or four": not one number
            num = d
        elif ch in _CN_UNIT:
            section += (1 if num is None else num) * _CN_UNIT[ch]
            num, last_unit, zero_seen = None, _CN_UNIT[ch], False
        else:  # 万
            total += (section + (num or 0)) * 10000
            section, num, last_unit, zero_seen = 0, None, 10000, False
    if num is not None:
        # 三千五 = 3500 and 一百五 = 150: a digit right after a big unit counts in the next unit down.
        colloquial = len(s) >= 2 and s[-2] in "百千万" and not zero_seen
        section += num * (last_unit // 10) if colloquial else num
    return total + section


def cn_number(s: str) -> float | None:
    """Value of 一点五, 零点八, 十六, 负十六."""
    neg = s.startswith("负")
    s = s.removeprefix("负")
    if "点" in s:
        whole, _, frac = s.partition("点")
        w = cn_int(whole) if whole else 0
        digits = "".join(str(_CN_DIGIT[c]) for c in frac if c in _CN_DIGIT)
        if w is None or not digits:
            return None
        v = w + float("0." + digits)
    else:
        iv = cn_int(s)
        if iv is None:
            return None
        v = float(iv)
    return -v if neg else v


def _replace_cn_runs(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        run = m.group(0)
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if run == "一" and ((after and after in _CN_SKIP_AFTER) or after == "点"
                            or (before and before in _CN_SKIP_BEFORE) or (before and before in "上下" and after == "个")):
            return run
        if after == "度" and run.endswith("八"):
            return run  # 八度 = octave
        if run == "十" and after == "分" and text[m.end():m.end() + 2] not in ("分钟", "分贝"):
            return run  # 十分 = "very"
        v = cn_number(run)
        return run if v is None else _fmt(v)

    return _CN_RUN.sub(sub, text)


def _cn_prefixes(text: str) -> str:
    """Chinese constructions that wrap a number: 百分之二十, 三分之一, 一分半, 一秒半, 半秒, 负十六."""

    def num(s: str) -> float | None:
        try:
            return float(s)
        except ValueError:
            return cn_number(s)

    n = rf"(\d+(?:\.\d+)?|[{_CN_CHARS}]+(?:点[{_CN_CHARS}]+)?)"
    text = re.sub(rf"百分之{n}", lambda m: f"{_fmt(num(m.group(1)) or 0)}%", text)
    text = re.sub(rf"{n}分之{n}", lambda m: _fmt(round((num(m.group(2)) or 0) / (num(m.group(1)) or 1), 4)), text)
    text = re.sub(rf"{n}分(?:钟)?半", lambda m: f"{_fmt((num(m.group(1)) or 0) * 60 + 30)}秒", text)
    text = re.sub(rf"{n}秒半", lambda m: f"{_fmt((num(m.group(1)) or 0) + 0.5)}秒", text)
    text = re.sub(rf"{n}(?:个)?半(?=秒|分钟|小时|倍)", lambda m: _fmt((num(m.group(1)) or 0) + 0.5), text)
    text = re.sub(r"(?<![\d.个])半(?=秒|分钟|小时)", "0.5", text)
    return text


# ---------------------------------------------------------------------------- public API
def normalize_numbers(text: str) -> str:
    """Rewrite spelled-out numbers (English and Chinese) as digits; keep everything else."""
    t = text.replace("−", "-").replace("－", "-").replace("．", ".").replace("％", "%")
    t = re.sub(r"[０-９]", lambda m: chr(ord(m.group(0)) - 0xFEE0), t)
    t = re.sub(r"(\d),(\d{3})(?!\d)", r"\1\2", t)  # 44,100
    t = re.sub(r"(\d)\s*千(?=赫)", r"\1 k", t)  # 44.1千赫兹 is 44.1 kHz, not 44.1 then 1000
    t = re.sub(r"(?<![万亿千])([零〇一二两三四五六七八九十百点]+)千(?=赫)", r"\1 k", t)  # 十六千赫兹 is 16 kHz
    t = _INTERVAL.sub(_semitones_of_interval, t)  # before 四 becomes 4: "纯四度"
    t = _CN_ABOUT.sub(_cn_about, t)  # "六七分贝": six or seven, 6.5
    t = re.sub(r"\bhalf\s+again\s+as\s+(?=fast|quick|long|slow|loud)", "1.5x as ", t, flags=re.IGNORECASE)
    t = _cn_prefixes(t)
    t = _replace_cn_runs(t)
    t = re.sub(r"负\s*(?=\d|\.\d)", "-", t)
    # "两分零三秒五", "三秒四十": the digits after 秒 are its decimals (2:03.5, 3.40 s), unless a unit follows them
    t = re.sub(r"(\d+)\s*秒\s*(\d{1,3})(?![\d.]|\s*(?:秒|分|毫|个|倍|次|遍|赫|千|%|[a-zA-Z]))", r"\1.\2秒", t)
    # "放慢两成": tenths, as a percentage (not "八成" = "probably", not "转成" = "into")
    t = re.sub(r"(?<=[慢快低高少多小大减降提加])(了)?\s*(\d)\s*成(?![为了功])", lambda m: f"{m.group(1) or ''}{int(m.group(2)) * 10}%", t)
    t = re.sub(r"(原来|原速|原本|正常)(的)?\s*(\d)\s*成",  # "原来九成的速度"
               lambda m: f"{m.group(1)}的{int(m.group(3)) * 10}%", t)
    t = re.sub(r"每分钟\s*(\d+(?:\.\d+)?)\s*(?:拍|下)|(\d+(?:\.\d+)?)\s*拍每分钟", lambda m: f"{m.group(1) or m.group(2)} bpm", t)
    t = re.sub(r"(\d+(?:\.\d+)?)\s*千(?!赫)", lambda m: _fmt(float(m.group(1)) * 1000), t)
    t = _COUPLE.sub("2 ", t)
    t = _FEW.sub("3 ", t)
    t = _TIMES.sub(lambda m: "2 times" if m.group(1).lower() == "twice" else "3 times", t)
    t = re.sub(r"\b(a|an|one|\d+)\s+(?:whole|full|entire)\s+(?=octaves?\b)", r"\1 ", t, flags=re.I)  # "a whole octave"
    # "tempo one-twenty", "one-forty bpm": a hundred and the tens, as tempos are said
    t = re.sub(r"\b(one|two)-(ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b"
               r"(?![- ](?:one|two|three|four|five|six"
               r"|seven|eight|nine)\b)", lambda m: str((1 if m.group(1).lower() == "one" else 2) * 100 + _EN_TENS.get(
                   m.group(2).lower(), 10)), t, flags=re.IGNORECASE)
    t = _replace_en_runs(t)
    t = _HALF_A.sub(lambda m: f"0.5 {m.group(1)}", t)
    t = re.sub(r"\ba\s+quarter(?:\s+of\s+a)?\s+(second|minute)\b", r"0.25 \1", t, flags=re.I)
    t = _A_UNIT.sub("1 ", t)
    # "the last second" is one second long.
    t = re.sub(r"\b(first|last|final|opening|initial|closing|ending)\s+(second|minute)\b(?!s)", r"\1 1 \2", t,
               flags=re.I)
    t = re.sub(r"\b([1-3])\s+(quarter|third)s\b", lambda m: _fmt(round(int(m.group(1)) / (4 if m.group(2) == "quarter"
                                                                                            else 3), 4)), t, flags=re.I)
    t = _UNIT_AND_HALF.sub(lambda m: f"1.5 {m.group(1)}s", t)
    t = re.sub(r"\b(\d+(?:\.\d+)?)\s+(second|minute|octave|semitone)s?\s+and\s+an?\s+half\b",
               lambda m: f"{_fmt(float(m.group(1)) + 0.5)} {m.group(2)}s", t)
    t = _NEG_WORD.sub("-", t)
    t = re.sub(r"(\d)-(?=(?:second|sec|minute|min|hour|millisecond|ms|db|hz|khz|semitone|octave)s?\b)", r"\1 ", t,
               flags=re.I)  # "a 30-second preview"
    t = re.sub(r"(?<![\w.])[x×]\s?(\d+(?:\.\d+)?)\b", r"\1x", t)  # x1.5 -> 1.5x
    t = re.sub(r"\b(\d+)m\s?(\d+(?:\.\d+)?)s\b", lambda m: f"{_fmt(int(m.group(1)) * 60 + float(m.group(2)))}s", t)
    return t


@dataclass(frozen=True)
class Quantity:
    """A number found in normalized text, with its canonical unit (None for a bare number)."""

    value: float
    unit: str | None  # s, dB, LUFS, Hz, %, x, st, ch, bpm or None
    start: int
    end: int


# (pattern, canonical unit, factor); longest first within a language.
_UNITS: list[tuple[str, str, float]] = [
    (r"ms|msecs?|millisec(?:ond)?s?|毫秒", "s", 0.001),
    (r"s|secs?|seconds?|秒钟|秒", "s", 1.0),
    (r"mins?|minutes?|分钟|分(?![贝之])", "s", 60.0),
    (r"h|hrs?|hours?|小时|个小时", "s", 3600.0),
    (r"dbfs|dbtp|dbs?|decibels?|分贝", "dB", 1.0),
    (r"lufs|lkfs|lu", "LUFS", 1.0),
    (r"khz|kilohertz|k|千赫兹|千赫", "Hz", 1000.0),
    (r"hz|hertz|赫兹|赫", "Hz", 1.0),
    (r"%|percent|per\s*cent|pct", "%", 1.0),
    (r"x|×|times|fold|倍", "x", 1.0),
    (r"semi-?tones?|half[- ]?steps?|half[- ]?tones?|个半音|半音", "st", 1.0),
    (r"whole[- ]?steps?|whole[- ]?tones?|个全音|全音", "st", 2.0),
    (r"octaves?|个八度|八度", "st", 12.0),
    (r"channels?|个声道|声道", "ch", 1.0),
    (r"bpm", "bpm", 1.0),
]
_UNIT_RE = re.compile(
    r"\s*(?:个\s*)?(?:" + "|".join(f"(?P<u{i}>{p})" for i, (p, _, _) in enumerate(_UNITS)) + r")(?![a-z])", re.I
)
_NUM_RE = re.compile(r"(?<![A-Za-z0-9_.])(?:[-+](?=\.?\d))?(?:\d+(?:\.\d+)?|\.\d+)(?![\d])")
_CLOCK_RE = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2}(?:\.\d+)?)(?::(\d{2}(?:\.\d+)?))?(?![\d:])")  # 0:07.3 is 7.3 s


def scan(text: str) -> list[Quantity]:
    """Every number in normalized text with its unit; 1:30 is 90 s; 1 min 30 s merges to 90 s."""
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _CLOCK_RE.finditer(text):
        a, b, c = int(m.group(1)), float(m.group(2)), m.group(3)
        secs = a * 3600 + b * 60 + float(c) if c else a * 60 + b
        out.append(Quantity(float(secs), "s", m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _NUM_RE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        value = float(m.group(0))
        unit: str | None = None
        end = m.end()
        u = _UNIT_RE.match(text, m.end())
        if u:
            i = next(int(k[1:]) for k, v in u.groupdict().items() if v is not None)
            _, unit, factor = _UNITS[i]
            value *= factor
            end = u.end()
        out.append(Quantity(value, unit, m.start(), end))
    out.sort(key=lambda q: q.start)
    return _merge_compound(text, out)


def _merge_compound(text: str, qs: list[Quantity]) -> list[Quantity]:
    """'1 minute 30 seconds' / '1分30秒' / 'one minute thirty' -> one 90 s quantity."""
    merged: list[Quantity] = []
    for q in qs:
        prev = merged[-1] if merged else None
        bare = q.unit is None and re.fullmatch(r"\s*", text[prev.end:q.start]) if prev else False
        if (prev and prev.unit == "s" and (q.unit == "s" or bare) and prev.value >= 60 and prev.value % 60 == 0
                and 0 <= q.value < 60 and re.fullmatch(r"\s*(?:and\s*)?,?\s*", text[prev.end:q.start])):
            merged[-1] = Quantity(prev.value + q.value, "s", prev.start, q.end)
        else:
            merged.append(q)
    return merged


def quantities(text: str, unit: str | None) -> list[Quantity]:
    """The quantities of one unit (None: bare numbers)."""
    return [q for q in scan(text) if q.unit == unit]


def parse_number(text: str) -> float | None:
    """A whole string as one number: '1.5', 'five', 'twenty-five', 'one and a half', '两', '十六', '负十六'."""
    s = text.strip()
    try:
        return float(s)
    except ValueError:
        pass
    n = normalize_numbers(s)
    try:
        return float(n.strip())
    except ValueError:
        return None


def parse_quantity(text: str) -> Quantity | None:
    """A string holding a single quantity: '500 ms' -> 0.5 s, '两秒' -> 2 s, '-16 LUFS', '44.1k' -> 44100 Hz."""
    qs = scan(normalize_numbers(text.strip()))
    return qs[0] if len(qs) == 1 else None
