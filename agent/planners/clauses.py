"""Splitting a request into clauses for the rule planner.

Quoted text ('...', "...", “...”, ‘...’, 「...」, 『...』), the rest of the request after "say:" /
"说：", file names and phrases that point back at an earlier artifact of the session ("go back to the
original recording", see history.py) are replaced by placeholders first, so separators, number
rewriting and tool triggers never touch them. Separators are strong (then, ;, 然后, 再 ...: a new step) or weak (",", "and", "、", 和
...: a new step unless the planner finds the piece belongs to its neighbour)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from agent.planners import lexicon as L
from agent.planners.numbers import normalize_numbers, parse_number

PLACEHOLDER = re.compile(r"⟦([qfr])([a-z])⟧")  # q: quote, f: file name, r: reference to an earlier artifact
_PAIRS = [("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"), ('"', '"'), ("«", "»")]
# A straight single quote opens after a non-word char and closes before one, so "it's" and
# "don't" inside or outside a quote are left alone.
_SINGLE = re.compile(r"(?<![\w])'(?=\S)(.+?)(?<=\S)'(?![\w])")
_SAY_TAIL = re.compile(
    r"(?:\b(?:say|speak|read|pronounce|narrate|announce|recite|tts|text[- ]to[- ]speech|synthesi[sz]e|sing)\b"
    r"[^:：\n]{0,60}?"
    r"|(?:说|念|读|朗读|播报|合成|生成|(?<!练)唱|来一句|来一段|(?:做|录|配)(?:一)?(?:句|段))(?![用得到的])[^:：\n]{0,6}?)[:：]\s*(?P<tail>\S.*)$",
    re.I | re.S,
)
_HOW_TO_READ = re.compile(r"[。.!！](?=\s*(?:语速|速度|读|念|说|用|声音|音量|再|然后|slow|fast|read|say|in\s+a|at\s+\d)[^。.!！]*[。.!！]?\s*$)",
                          re.I)
_BEFORE = r"(?<![\d秒钟])(?:之前|以前)"  # "转成文字之前先降噪": what precedes it runs second
_STRONG = (rf"{_BEFORE}|[;；。!！?？\n]+|\.(?=\s|$)|,?\s*\b(?:and\s+)?then\b|\bafter\s+that\b|\bafterwards\b|\bfinally\b"
           rf"|\blastly\b"
           r"|\band\s+also\b|\band\s+finally\b"
           # "denoise -> trim -> mp3", "1) remove the hum 2) boost the mids": arrows and numbered lists are steps
           r"|\s*(?:->|=>|→|⟶|➜|➔|>>)\s*|(?:^|(?<=\s))\(?\d{1,2}[)）](?=\s*\S)|(?:^|(?<=\s))\d{1,2}\.(?=\s)|[①-⑨]"
           r"|然后|接着|随后|(?<![\d秒钟])之后|最后再|再(?![见次])|并且|(?<!合)并(?!且)")
_WEAK = r"[,，、]|(?<=\S)\s*\+\s*(?=[^\s\d.+-])|(?<=\s)[-–—](?=\s)|\band\b|\bplus\b|\bas\s+well\s+as\b|&|以及|还有|(?<![柔温缓平暖总])和|及(?!时)|同时"
_SEPARATOR = re.compile(f"(?P<strong>{_STRONG})|(?P<weak>{_WEAK})", re.I)
_SUBJECT_BEFORE = re.compile(r"^\s*(?:把|将)?(?:音量|声音|速度|语速|音调|音高|低音|高音|响度|节奏|混响|它|这个|整体"
                             r"|[\u4e00-\u9fff]{1,4}(?:声|音))\s*$")  # "加油声再压低六分贝": 再 is "further"
_UNITISH = re.compile(r"^(?:a\s+half|a\s+quarter|half|seconds?|secs?|minutes?|mins?|ms|s|db|hz|khz|%|percent)$", re.I)


def _numberish(word: str) -> bool:
    w = word.strip(".,").lower()
    return bool(w) and (bool(re.match(r"^-?\d", w)) or parse_number(w) is not None or bool(_UNITISH.match(w)))


def _tag(kind: str, i: int) -> str:
    return f"⟦{kind}{chr(ord('a') + i)}⟧"


@dataclass
class Request:
    original: str
    quotes: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    refs: list["BackRef"] = field(default_factory=list)
    clauses: list["Clause"] = field(default_factory=list)

    def restore(self, s: str) -> str:
        def sub(m: re.Match[str]) -> str:
            i = ord(m.group(2)) - ord("a")
            if m.group(1) == "r":
                return self.refs[i].phrase if i < len(self.refs) else m.group(0)
            store = self.quotes if m.group(1) == "q" else self.files
            return store[i] if i < len(store) else m.group(0)

        return PLACEHOLDER.sub(sub, s)

    def add_ref(self, ref: "BackRef") -> str:
        """Store a resolved back-reference; returns its placeholder."""
        self.refs.append(ref)
        return _tag("r", len(self.refs) - 1)


@dataclass(frozen=True)
class BackRef:
    """A phrase resolved to an earlier artifact of the session: '@<artifact id>' and its kind."""

    ref: str
    kind: str
    phrase: str


@dataclass
class Clause:
    """One piece of the request. `core` is what rules match: lowercased, numbers as digits, the
    leading politeness/sequence words stripped, placeholders kept."""

    raw: str  # original casing, placeholders kept
    core: str
    sep: str  # "start", "strong" or "weak": the separator before it
    sep_text: str
    req: Request
    later: bool = False  # "before X, Y" / "X之前先Y": X runs after the next clause

    @property
    def quotes(self) -> list[str]:
        return [self.req.quotes[ord(m.group(2)) - 97] for m in PLACEHOLDER.finditer(self.raw) if m.group(1) == "q"]

    @property
    def files(self) -> list[str]:
        return [self.req.files[ord(m.group(2)) - 97] for m in PLACEHOLDER.finditer(self.raw) if m.group(1) == "f"]

    @property
    def refs(self) -> list[BackRef]:
        return [self.req.refs[ord(m.group(2)) - 97] for m in PLACEHOLDER.finditer(self.raw) if m.group(1) == "r"]

    @property
    def raw_core(self) -> str:
        """The original-case text without leading politeness words."""
        return L.LEAD.sub("", self.raw, count=1).strip()

    def merged(self, other: "Clause") -> "Clause":
        """This clause and the next read as one (they were split by a weak separator)."""
        return replace(self, raw=f"{self.raw}{other.sep_text}{other.raw}",
                       core=f"{self.core}{other.sep_text.lower()}{other.core}")

    def with_core(self, core: str) -> "Clause":
        return replace(self, core=core.strip())

    def shown(self) -> str:
        return self.req.restore(self.raw).strip()


def _protect(text: str, req: Request) -> str:
    def file_sub(m: re.Match[str]) -> str:
        req.files.append(m.group(0))
        return _tag("f", len(req.files) - 1)

    def quote_sub(m: re.Match[str]) -> str:
        inner = m.group(1)
        if PLACEHOLDER.fullmatch(inner.strip()):  # a quoted file name: keep it a file
            return inner.strip()
        req.quotes.append(inner.strip())
        return _tag("q", len(req.quotes) - 1)

    text = L.FILE_NAME.sub(file_sub, text)
    for a, b in _PAIRS:
        text = re.sub(re.escape(a) + r"(.+?)" + re.escape(b), quote_sub, text, flags=re.S)
    text = _SINGLE.sub(quote_sub, text)
    m = _SAY_TAIL.search(text)
    # not "TTS 一下：'Please keep your belongings with you.' speed 0.9": words the user quoted are the line
    if m and not PLACEHOLDER.fullmatch(m.group("tail").strip().rstrip(".!。！")) \
            and not re.match(r"\s*⟦q[a-z]⟧", m.group("tail")):
        tail = m.group("tail")
        # "做一句口令：请慢慢把双手举过头顶。语速放慢一些": the sentence after the words says how to read them
        how = _HOW_TO_READ.search(tail)
        said, rest = (tail[:how.start()], tail[how.start() + 1:]) if how else (tail, "")
        req.quotes.append(req.restore(said).strip())
        text = text[:m.start("tail")] + _tag("q", len(req.quotes) - 1) + rest
    return text


def _word_before(text: str, pos: int) -> str:
    m = re.search(r"(\S+)\s*$", text[:pos])
    return m.group(1) if m else ""


def _word_after(text: str, pos: int) -> str:
    m = re.match(r"\s*(an?\s+(?:half|quarter)\b|\S+)", text[pos:], re.I)
    return m.group(1) if m else ""


# "copy the rhythm and intonation of the second", "语调和节奏跟第二段一样": two aspects of one speaking style
_STYLE_NOUN = re.compile(r"^(?:(?:his|her|their|its|my|the)\s+)?(?:rhythm|intonation|prosody|pacing|pace|pitch|cadence"
                         r"|inflection|delivery|timing|tone|speed|tempo|phrasing|timbre)$|^(?:语调|节奏|语气|语速|韵律|腔调|音调"
                         r"|停顿|音色|风格)$", re.I)
_STYLE_CUE = re.compile(r"\b(?:match(?:es|ing)?|follows?|copy|mimic|imitate|borrow|transfer|same\s+as|like\s+(?:the|that"
                        r"|his|her|their)|of\s+the\s+(?:second|first|other|reference))\b|跟|学|模仿|照着|按照?|一样|那样|一致|用[^，,。]{0,12}的",
                        re.I)


def _style_pair(text: str, m: re.Match[str]) -> bool:
    left = re.search(r"((?:(?:his|her|their|its|my|the)\s+)?[a-z]+|[\u4e00-\u9fff]{2,4})\s*$", text[:m.start()], re.I)
    right = re.match(r"\s*((?:(?:his|her|their|its|my|the)\s+)?[a-z]+|[\u4e00-\u9fff]{2,4})", text[m.end():], re.I)
    if not (left and right and _STYLE_CUE.search(text)):
        return False
    lw, rw = left.group(1), right.group(1)
    if re.match(r"[\u4e00-\u9fff]", lw):  # the Chinese neighbours run on: try their last / first two characters
        lw, rw = lw[-2:], rw[:2] if rw[:2] != "说话" else rw[:4]
    return bool(_STYLE_NOUN.match(lw) and _STYLE_NOUN.match(rw))


def _keeps_together(text: str, m: re.Match[str]) -> bool:
    """A weak separator inside a number: '44,100', 'between 2 and 4', 'one and a half', '1 minute and 30 s'; or
    between two aspects of a speaking style to copy ('the rhythm and intonation of the second')."""
    sep = m.group(0).strip().lower()
    if sep in ("and", "&", "和", "、", "及") and _style_pair(text, m):
        return True
    if sep in ("和", "及", "、") and re.search(r"(?:开头|开始|前面|头)$", text[:m.start()]) and re.match(
            r"(?:结尾|末尾|最后|后面|尾)", text[m.end():]):
        return True  # "去掉开头和结尾各两秒"
    left, right = _word_before(text, m.start()), _word_after(text, m.end())
    if sep == ",":
        return bool(re.search(r"\d$", text[:m.start()]) and re.match(r"\d{3}\b", text[m.end():]))
    if sep in ("and", "&"):
        ends = re.compile(r"^(?:first|last|start|beginning|end|second|third|1st|2nd|3rd|前|后)$", re.I)
        if (_numberish(left) or left.lower() == "one") and _numberish(right):
            return True  # "one and a half"
        return bool(right and ends.match(left) and ends.match(right.split()[-1]))  # "the first and last 2 s"
    return False


def split_request(request: str, backrefs: Callable[[str, Request], str] | None = None) -> Request:
    """Clauses of a request; `backrefs` replaces phrases that point at earlier artifacts by placeholders
    (after quotes and file names are protected)."""
    req = Request(original=request)
    whole = request.strip()
    if len(whole) > 2 and any(whole[0] == a and whole[-1] == b and a not in whole[1:-1] and b not in whole[1:-1]
                              for a, b in _PAIRS + [("'", "'")]):
        whole = whole[1:-1]  # the whole request in quotes is the request, not text to speak
    # 0'12" (minutes and seconds, as on a stopwatch) is a time, not quoted text
    whole = re.sub(r"(?<![\w'])(\d{1,2})['′’](\d{2}(?:\.\d+)?)[\"″”]", r"\1:\2", whole)
    # "83,200 ms – 91,750 ms": a dash between two amounts is a range, not an aside
    whole = re.sub(r"(\d(?:\s*(?:ms|s|secs?|seconds?|mins?|minutes?|秒|分钟?))?)\s+[–—]\s+(?=\d)", r"\1 to ", whole)
    text = _protect(whole, req)
    if backrefs is not None:
        text = backrefs(text, req)
    pieces: list[tuple[str, str, str, bool]] = []  # (text, separator kind, separator text, runs later)
    pos, kind, sep_text = 0, "start", ""
    for m in _SEPARATOR.finditer(text):
        if m.group("weak") is not None and _keeps_together(text, m):
            continue
        if m.group(0) == "再" and _SUBJECT_BEFORE.search(text[pos:m.start()]):
            continue  # "音量再提高四分贝": 再 is "further", not "then"
        pieces.append((text[pos:m.start()], kind, sep_text, bool(re.fullmatch(_BEFORE, m.group(0)))))
        this = "strong" if m.group("strong") is not None else "weak"
        piece_empty = not text[pos:m.start()].strip(" \t,，")
        # ", then" right after a comma stays strong; an empty piece passes its separator on.
        kind = "strong" if this == "strong" or (piece_empty and kind == "strong") else "weak"
        sep_text = f" {m.group(0).strip()} " if m.group(0).strip() else " "
        pos = m.end()
    pieces.append((text[pos:], kind, sep_text, False))
    pending_kind: str | None = None
    for raw, kind, sep, later in pieces:
        raw = raw.strip(" \t\n,，.。:：")
        if not raw:
            if kind == "strong":
                pending_kind = "strong"
            continue
        if pending_kind == "strong":
            kind = "strong"
        pending_kind = None
        low = normalize_numbers(raw.lower())
        core = L.LEAD.sub("", low, count=1).strip()
        before = re.match(r"(?:before|prior\s+to)\s+", core)
        if before:
            core, later = core[before.end():], True
        core = re.sub(r"^after\s+(?=\w+ing\b)", "", core)  # "after denoising, transcribe"
        req.clauses.append(Clause(raw=raw, core=core, sep=kind if req.clauses else "start", sep_text=sep, req=req,
                                  later=later))
    return req
