"""Splitting a request into clauses for the rule planner.

Quoted text ('...', "...", “...”, ‘...’, 「...」, 『...』), the rest of the request after "say:" /
"说：", and file names are replaced by placeholders first, so separators and number rewriting never
touch them. Separators are strong (then, ;, 然后, 再 ...: a new step) or weak (",", "and", "、", 和
...: a new step unless the planner finds the piece belongs to its neighbour)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from agent.planners import lexicon as L
from agent.planners.numbers import normalize_numbers, parse_number

PLACEHOLDER = re.compile(r"⟦([qf])([a-z])⟧")
_PAIRS = [("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"), ('"', '"'), ("«", "»")]
# A straight single quote opens after a non-word char and closes before one, so "it's" and
# "don't" inside or outside a quote are left alone.
_SINGLE = re.compile(r"(?<![\w])'(?=\S)(.+?)(?<=\S)'(?![\w])")
_SAY_TAIL = re.compile(
    r"(?:\b(?:say|speak|read|pronounce|narrate|announce|recite|tts|text[- ]to[- ]speech|synthesi[sz]e)\b[^:：\n]{0,40}?"
    r"|(?:说|念|读|朗读|播报|合成)[^:：\n]{0,6}?)[:：]\s*(?P<tail>\S.*)$",
    re.I | re.S,
)
_BEFORE = r"(?<![\d秒钟])(?:之前|以前)"  # "转成文字之前先降噪": what precedes it runs second
_STRONG = (rf"{_BEFORE}|[;；。!！?？\n]+|\.(?=\s|$)|,?\s*\b(?:and\s+)?then\b|\bafter\s+that\b|\bafterwards\b|\bfinally\b"
           rf"|\blastly\b"
           r"|\band\s+also\b|\band\s+finally\b|然后|接着|随后|(?<![\d秒钟])之后|最后再|再(?![见次])|并且|(?<!合)并(?!且)")
_WEAK = r"[,，、]|\band\b|\bplus\b|\bas\s+well\s+as\b|&|以及|还有|(?<![柔温缓平暖总])和|及(?!时)|同时"
_SEPARATOR = re.compile(f"(?P<strong>{_STRONG})|(?P<weak>{_WEAK})", re.I)
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
    clauses: list["Clause"] = field(default_factory=list)

    def restore(self, s: str) -> str:
        def sub(m: re.Match[str]) -> str:
            store = self.quotes if m.group(1) == "q" else self.files
            i = ord(m.group(2)) - ord("a")
            return store[i] if i < len(store) else m.group(0)

        return PLACEHOLDER.sub(sub, s)


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
    if m and not PLACEHOLDER.fullmatch(m.group("tail").strip().rstrip(".!。！")):
        req.quotes.append(req.restore(m.group("tail")).strip())
        text = text[:m.start("tail")] + _tag("q", len(req.quotes) - 1)
    return text


def _word_before(text: str, pos: int) -> str:
    m = re.search(r"(\S+)\s*$", text[:pos])
    return m.group(1) if m else ""


def _word_after(text: str, pos: int) -> str:
    m = re.match(r"\s*(an?\s+(?:half|quarter)\b|\S+)", text[pos:], re.I)
    return m.group(1) if m else ""


def _keeps_together(text: str, m: re.Match[str]) -> bool:
    """A weak separator inside a number: '44,100', 'between 2 and 4', 'one and a half', '1 minute and 30 s'."""
    sep = m.group(0).strip().lower()
    left, right = _word_before(text, m.start()), _word_after(text, m.end())
    if sep == ",":
        return bool(re.search(r"\d$", text[:m.start()]) and re.match(r"\d{3}\b", text[m.end():]))
    if sep in ("and", "&"):
        ends = re.compile(r"^(?:first|last|start|beginning|end|second|third|1st|2nd|3rd|前|后)$", re.I)
        if _numberish(left) and _numberish(right):
            return True
        return bool(right and ends.match(left) and ends.match(right.split()[-1]))  # "the first and last 2 s"
    return False


def split_request(request: str) -> Request:
    req = Request(original=request)
    whole = request.strip()
    if len(whole) > 2 and any(whole[0] == a and whole[-1] == b and a not in whole[1:-1] and b not in whole[1:-1]
                              for a, b in _PAIRS + [("'", "'")]):
        whole = whole[1:-1]  # the whole request in quotes is the request, not text to speak
    text = _protect(whole, req)
    pieces: list[tuple[str, str, str, bool]] = []  # (text, separator kind, separator text, runs later)
    pos, kind, sep_text = 0, "start", ""
    for m in _SEPARATOR.finditer(text):
        if m.group("weak") is not None and _keeps_together(text, m):
            continue
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
