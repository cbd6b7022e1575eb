"""Whether a clause tells or asks: backstory ("I interviewed a shop owner for my thesis"), narration ("Mr Okafor
recorded himself singing Danny Boy"), hedges ("别太长"), goals ("I want it to sound huge") and questions ("Do kids
prefer slower narration?") are context, not steps; an unknown command ("frobnicate the wibble") is an ask. Used by the
rule planner (rules.py) to decide what a capability named in a clause, or a clause nothing matched, means."""

from __future__ import annotations

import re

from agent.planners import lexicon as L
from agent.planners import speech_acts as S
from agent.planners.clauses import Clause, Request

HEDGE = L.rx(r"^(?:but\s+)?(?:not\s+too\s+(?:much|long|short|loud|quiet|strong|heavy|aggressive(?:ly)?|fast|slow)"
             r"|don'?t\s+overdo\s+it)\b", r"^(?:但|不过)?(?:别|不要|不用)太|就(?:好|行|够|可以)了?(?:吧|哈|啊)?$")


TELLS = L.rx(r"^(?:(?:so|well|ok(?:ay)?|hmm|um)[\s,]+)?"
             r"(?:my|our|his|her|their|i|we|i'm|we're|i've|we've|i'd|he|she|they"
             r"|for\s+(?:my|our|the|a|an)|because|since|as|the\s+(?:editor|client|boss|teacher|platform|station|label)"
             # a simile or a style tag on the step it follows: "like it's coming through a wall", "DJ style"
             r"|like\s+(?:it'?s|it\s+is|a|an|the|someone|you'?re|in|on|through)|[\w-]+\s+style$)\b",
             r"^(?:我|我们|我的|他|她|他们|老板|客户|领导|老师|这(?:个|段)?(?:是|要|会)"
             r"|(?:第\s*\d\s*(?:个|段)|[^，,。]{0,6})\s*\S*\s*是"
             r"|为了|因为|由于|方便|(?:做|当)(?:个|成|一个)[^，,。]{0,8}用的)")


def backstory(c: Clause) -> bool:
    """A clause that tells why or what for ("I interviewed a shop owner for my thesis"), or hedges ("别太长"), and
    asks for nothing itself. An unknown command ("frobnicate the wibble") is not one."""
    if HEDGE.search(c.core.strip()) or GOAL.search(c.core.strip()):
        return True
    # "One of my students, Mrs Hallworth, is 70 and terrified": a predicate split off at a comma, not a question
    predicate = c.sep == "weak" and "?" not in c.raw and re.match(r"(?:is|are|was|were|has|had)\b", c.core)
    if S.IMPERATIVE.search(c.core) or S.ASKS.search(c.raw) or (L.QUESTION.search(c.raw.strip()) and not predicate) \
            or L.PRONOUN_ACTION.search(c.core.strip(" !.?")):
        return False
    if TELLS.search(c.core) or S.declarative(c.core, c.raw):
        return True
    return not COMMAND_SHAPE.search(c.core.strip())


def tells(c: Clause) -> bool:
    """A clause that only tells (who, what, why: "Mr Okafor recorded himself singing Danny Boy", "我跑网约车的"), with
    no request marker, question or leading verb in it."""
    relative = c.sep == "weak" and "?" not in c.raw and re.match(r"(?:which|who|whose|where|when)\b", c.core)
    if S.IMPERATIVE.search(c.core) or S.ASKS.search(c.raw) or (L.QUESTION.search(c.raw.strip()) and not relative) \
            or L.PRONOUN_ACTION.search(c.core.strip(" !.?")) or GOAL.search(c.core.strip()):
        return False
    return bool(TELLS.search(c.core) or S.declarative(c.core, c.raw) or NARRATES.search(c.core)) \
        or not COMMAND_SHAPE.search(c.core.strip())


def clauses_that_tell(clauses: list[Clause]) -> set[int]:
    """The clauses that only tell; "…speakers, which are tiny and distort on anything low": the part after "and" goes
    on telling."""
    out: set[int] = set()
    for i, c in enumerate(clauses):
        if tells(c) or (i - 1 in out and c.sep == "weak" and c.sep_text.strip().lower() in ("and", "but")
                         and not S.asks(c) and not L.QUESTION.search(c.raw.strip())):
            out.add(i)
    return out


# Narration: a relative clause ("which are tiny and distort on anything low"), a participle ("Putting together a reel of
# the before/after video"), or a subject with a verb in the past ("Mr Okafor recorded himself singing Danny Boy").
NARRATES = re.compile(r"^(?:which|who|that|where|when|while|whose)\b"
                      # "广场舞视频里一直有马路上的车流声": what is in it
                      r"|^[\u4e00-\u9fffA-Za-z ]{1,14}(?:里|中|里面|上面|背景)(?:一直|总是|老是|全是|都是|还|也)?有"
                      r"|^[a-z]{3,}ing\b(?!\s+(?:it|this|that|them)\b)(?![^,.;]*\b(?:would|could|will|should|might|is|be|please)\b)"
                      r"|\b(?:i|we)(?:'ll|\s+will)\s+(?:do|handle|edit|sort|take\s+care\s+of)\b"
                      r"|^(?:mr|mrs|ms|dr|miss|[a-z]+'s)?\s*(?:[a-z]+\s+){1,3}(?:just\s+|also\s+)?(?:recorded|sang|played|wrote|made|sent"
                      r"|filmed|shot|was|were|had|did|got|used|said|read|performed)\b")


# How the result should come across, next to the step that does it: "put this in a cathedral, I want the vocal to
# sound huge", "把这段弄得闷一点，像隔着墙听，低通一千赫兹".
GOAL = L.rx(r"^(?:(?:i\s+want|i'?d\s+like|i\s+need|we\s+want)\s+)?"
            r"(?:it|this|that|them|the\s+[\w-]+|my\s+[\w-]+)\s+to\s+"
            r"(?:sound|feel|come\s+across|be\s+(?:huge|bigger|warmer|darker|brighter|clearer|punchier|softer|louder))\b"
            r"|^(?:make\s+(?:it|this|that)\s+)?sound\s+(?:like|more|less|bigger|huge|warmer|darker|brighter)\b",
            r"^(?:把)?(?:这段|这个|它|声音)?(?:弄|搞|变|做|调)得[^，,。]{1,6}$|^(?:像|好像|仿佛)[^，,。]{1,12}$"
            r"|^(?:给它|让它|使它|让声音|给声音)(?:找补|添|加|多|更|显得)?(?:点|一点|些|一些)?(?:有)?"
            r"(?:气势|精神|活力|力量|感觉|味道|质感|氛围|温度|层次|厚度)")

# A verb we do not know on an object ("frobnicate the wibble", "订个外卖"): an ask, never context.
# (not a verb in the past: "recorded this podcast in an old pub", "got a voicemail from my landlord")
COMMAND_SHAPE = L.rx(r"^(?![a-z]+ed\b"
                     r"|(?:got|had|was|were|made|did|took|went|sent|came|left|found|heard|bought|shot|sang)\b)"
                     r"[a-z][a-z'-]+\s+(?:the|a|an|my|this|that|it|them|these|those|his|her|our|your|some|all|me|us)\b",
                     r"^(?!这个|那个)[\u4e00-\u9fff]{1,2}(?:个|一下|一个|一份|一张|一首|一段|只|点)")


_YES_NO = re.compile(r"^(?:(?:or|and|but|so)\s+)?(?:is|are|was|were|do|does|did|will|would|should|shall|has|have|am)"
                     r"\s+(?!you\b)", re.IGNORECASE)
_WAY_TO = L.rx(r"\b(?:is\s+there\s+(?:a|any)\s+way|is\s+it\s+possible|any\s+way\s+to"
               r"|how\s+(?:do|can|could|would|should)\s+(?:i|we)"
               r"|(?:can|could|would|will)\s+(?:it|this|that|they|we|i|the\s+\w+)"
               r"|do\s+you\s+mind|would\s+you\s+mind)\b", r"能不能|能否|可不可以|可以吗|行不行|怎么(?:把|才能)")
_WHY = L.rx(r"^(?:(?:so|hmm|ok(?:ay)?|and|but)[\s,]+)?"
            r"(?:any\s+idea\s+|do\s+you\s+know\s+|can\s+you\s+tell\s+me\s+)?why\b",
            r"^(?:你知道)?(?:为什么|为啥|怎么会)")


def asks_why(req: Request) -> bool:
    """The request only asks why something is so ("Any idea why the hum gets worse when the rig transmits?",
    "为什么一开空调就有嗡嗡声？"): an explanation, which no tool gives."""
    text = req.original.strip()
    if not _WHY.match(text) or not re.search(r"[?？]", text):
        return False
    return not any(S.IMPERATIVE.search(c.core) or L.PRONOUN_ACTION.search(c.core.strip(" !.?")) or S.ASKS.search(c.raw)
                   for c in req.clauses[1:])


def questions_only(req: Request) -> bool:
    """Each clause is a question ("…?", "what …", "is it …") and none asks for something to be done ("could you …?",
    "is there a way to …?", "can it be a bit slower?")."""
    if not re.search(r"[?？]", req.original):
        return False
    for c in req.clauses:
        raw = c.raw.strip()
        if not (raw.endswith(("?", "？")) or L.QUESTION.search(raw) or _YES_NO.match(c.core)):
            return False
        if S.ASKS.search(raw.lower()) or S.IMPERATIVE.search(c.core) or _WAY_TO.search(c.core):
            return False
    return True
