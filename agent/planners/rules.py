"""The deterministic rule planner: no model, English and Chinese, multi-step chains.

How a request becomes a plan:
 1. clauses.split_request: protect quotes and file names, replace phrases that go back to an
    earlier artifact of the session ("the original recording", "the joined file from before",
    "之前的转写") by references (history.py), split on strong separators (then, ;, 然后, 再 ...)
    and weak ones (",", and, 、, 和 ...), spell numbers as digits. "Do the same to <file>" repeats
    the newest earlier run's steps on that file.
 2. Per clause: typos that are safe to repair are repaired (speech_acts.py); a capability no tool
    has (lexicon.UNSUPPORTED: translation, images, ...) makes the whole plan `unsupported`; "read
    me ..." / "念给我听" sets Plan.speak; then the first rule of tool_rules.RULES whose tool is in
    the registry and whose triggers match gives the step (stackable format rules may add more).
    A weak-split piece with only arguments ("and the last 3 seconds") joins its neighbour; one that
    maps to the same tool as its neighbour is read with it ("fade in 2 s and out 3 s" is one fade).
    Thanks and statements that only describe the audio ("the ending is too abrupt") are context:
    the steps a statement implies are dropped when the request also asks for something explicitly
    (speech_acts.py). "Then read the transcript back" after a transcription is a speech step.
 3. Audio chains (chain.py): each audio-taking step takes the previous audio-producing step's
    output; the first takes the request's audio upload, else the session's previous result
    (@last), else the plan asks which recording (clarify). Analysis steps on the same input are not
    repeated. "Both files" / "各自" gives one step per upload; a later multi-input step takes each
    file's result.

A clause nothing understands is never dropped silently (design choice): if it is vague ("make it
better") the plan is `clarify`; otherwise the whole plan is `unsupported`, naming that clause and
listing what is supported, so the user can rephrase instead of getting a partial result. Two kinds of
clause are not asks, and are left out when the request also asks for something explicitly: backstory
("I interviewed a shop owner for my thesis") and hedges ("别太长", "like it's coming through a wall").
An unknown command ("frobnicate the wibble") is never taken for backstory. telling.py decides what tells and what asks;
a capability we lack that is only told of ("Mr Okafor recorded himself singing Danny Boy. Could you clean it?") does
not refuse the request.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from agent.context import PlanContext
from agent.plan import Plan, PlanStep
from agent.planners import lexicon as L
from agent.planners import rule_args as A
from agent.planners import speech_acts as S
from agent.planners.chain import ARTIFACT_ID, EACH, NO_RECORDING, Chain  # noqa: F401 (ARTIFACT_ID, NO_RECORDING: re-exported)
from agent.planners.clauses import PLACEHOLDER, Clause, split_request
from agent.planners.history import backrefs_for, face_of_last_speech, looks_back, repeat_steps, said_again
from agent.planners.intent_bank import NOT_A_TOOL, IntentGuess, default_bank
from agent.planners.numbers import scan
from agent.planners.rule_args import NeedInfo
from agent.planners.telling import NARRATES, TELLS, asks_why, backstory, clauses_that_tell, questions_only
from agent.planners.tool_rules import RULES, ToolRule, animates, literal_only, names_source, sings, speaks_text
from agent.registry import Registry
from agent.specs import ToolSpec


def _rule(tool: str) -> ToolRule:
    """The first table rule for a tool (planned where the words name no rule of their own)."""
    return next(r for r in RULES if r.tool == tool)


def supported_summary(registry: Registry) -> str:
    """What the registry can do, grouped by family: 'audio editing (trim, mix, ...); ...'."""
    families: dict[str, list[str]] = {}
    for spec in registry.specs():
        families.setdefault(spec.family, []).append(spec.name)
    return "; ".join(f"{fam} ({', '.join(names)})" for fam, names in families.items())


@dataclass
class Group:
    """One understood clause and the tool(s) it maps to."""

    clause: Clause
    rules: list[ToolRule]
    later: bool = False
    stated: bool = False  # from a statement ("the ending is too abrupt"), not an ask (speech_acts.py)
    sentence: int = 0  # clauses split by weak separators share a sentence
    each: bool = False  # "denoise both files": one step per upload


class RulePlanner:
    """Keyword and pattern tables to a Plan; see the module docstring."""

    name = "rules"
    can_repair = False

    def plan(self, request: str, ctx: PlanContext, registry: Registry, feedback: list[str] | None = None,
             previous: Plan | None = None) -> Plan:
        planning = _Planning(said_again(request, ctx) or request, ctx, registry)
        if asks_why(planning.req):
            return planning._unsupported("That asks why something happens; I can edit, measure, transcribe or make "
                                         "audio, but not explain causes. If you want a fix, say what to do, e.g. "
                                         "'remove the hum'.")
        plan = planning.run()
        if (planning.refused or planning.aside) is not None and not plan.steps:
            # a capability named in passing gave way to nothing planned: the refusal stands (one told about, only
            # where nothing else was refused)
            plan = planning.refused or (plan if plan.unsupported else planning.aside) or plan
        return planning.vetoed(plan)


_KNOWN_WORDS = L.FILLER_WORDS | L.ARG_WORDS | set(L.ORDINALS)
_TYPO_VOCAB = sorted({w for r in RULES for w in r.words})
_SAFE_VOCAB = frozenset(_TYPO_VOCAB) | S.TYPO_WORDS
S.index_vocab(_SAFE_VOCAB)
# Words our own patterns spell out are words, not typos ("peak" is not "speak" with a letter dropped).
_PATTERN_WORDS = _KNOWN_WORDS | frozenset(
    w for pat in [r.triggers for r in RULES] + [p for _, p in L.UNSUPPORTED] + [L.SPEAK, L.VAGUE, L.AUDIOISH]
    for w in re.findall(r"[a-z]{4,}", pat.pattern)) | {"ramble", "rambles", "rambling", "amble", "gamble", "tremble",
                                                            "caster", "casters", "castor", "example", "examples",
                                                            "sample", "samples", "simple", "temple", "leave", "leaves",
                                                            "leaving", "seven", "never", "fever", "lever", "normal",
                                                            "normally"}
_ANY_TEXT = re.compile(r"[\s\S]")
# "transcribe it, then read it back": speech of the text an earlier step (or run) made
_TTS_OF_TEXT = ToolRule("text_to_speech", "speech synthesis", _ANY_TEXT, A.tts_of_text)
_TTS_LINE = ToolRule("text_to_speech", "speech synthesis", _ANY_TEXT, A.tts_literal)
# A quoted line behind nothing but a connective or a label ending in a colon: "And '…'", "First one: '…'",
# "Platform announcement please: '…'", "下一句：“…”". Not "Google '…'" or "what does '…' mean": no colon there.
_LABELLED_LINE = L.rx(r"^(?:(?:and|then|also|plus|next|now|ok(?:ay)?|so|or|one\s+more|another(?:\s+one)?)[\s,]*)*"
                      r"(?:(?:[^:?⟦]|⟦r[a-z]⟧){1,60}[:：]\s*)?⟦q[a-z]⟧[\s.!,]*(?:(?:at\s+)?[\d.]+\s*x?|slow(?:ly)?|quick(?:ly)?)?[\s.!]*$",
                      r"^(?:还有|然后|再来|接着|下一句|另外)?(?:(?:[^：:？?⟦]|⟦r[a-z]⟧){1,30}[:：]\s*)?⟦q[a-z]⟧[\s。！，,.!]*$")


_TTS_HINT = L.rx(r"\b(?:tts|text[- ]to[- ]speech|voice|slow\w*|fast\w*|quick\w*|speed|pace|\d+(?:\.\d+)?\s*x)\b",
                 r"语音|语速|慢|快")
_TTS_MANNER = L.rx(
    r"^(?:(?:in|at|with|a|an|the|bit|little|more|very|calm(?:ly)?|gentl[ey]|soft(?:ly)?|clear(?:ly)?|natural|relaxed"
    r"|slow(?:ly|er)?|fast(?:er)?|quick(?:ly|er)?|speed|rate|pace|voice|tone|speaking|please|of|[\d.]+\s*x?)[\s,]*)+$",
    r"^(?:这次|这回|这一次)?(?:语速|速度|说话)?(?:稍微|再|要)?(?:慢|快|[\d.]+倍?)(?:一点|一些|点|些)?(?:儿)?(?:哈|吧|啊|呀|哦)?$"
    r"|^(?:语速|速度)\s*[\d.]+")
_TEXT_REFERENT = L.rx(r"\b(?:transcript|transcription|text|words|lyrics)\b", r"文字|文本|转写|稿")
_ABOUT_LANGUAGE = re.compile(r"[\s,.!?]*(?:(?:it'?s|it\s+is|they'?re|they\s+are|this\s+is|that'?s|he'?s|she'?s|the\s+\w+\s+is"
                             r"|spoken|speaking|talking|is|are|in|all|mostly|language|btw|the|audio|recording|by)"
                             r"[\s,.!?]*)*", re.I)
# "can you reduce it / fix that / 处理一下": a generic fix of what the statement before described. Only for tools
# whose arguments do not place anything in time (a "the last 4 s are noise, chop them off" merged into one clause
# would read as another range).
_ASKED_ABOUT = L.rx(r"^(?:please\s+)?(?:reduce|fix|remove|clean(?:\s+up)?|get\s+rid\s+of|kill|tame|lower|cut\s+down"
                    r"|do\s+something\s+about|deal\s+with|take\s+care\s+of|sort\s+out|handle)\s+"
                    r"(?:it|them|those|that|this)(?:\s+(?:out|down|away))?(?:\s+(?:for\s+me|please|a\s+bit))*\s*[?.!]*$"
                    r"|^(?:please\s+)?(?:strip|take|cut|filter|knock)\s+(?:it|them|that|this)\s+(?:out|down|away)"
                    r"(?:\s+(?:at|by|to)\s+(?:about\s+|around\s+)?(?:half|[\d.]+\s*%?)(?:\s+(?:strength|way))?)?\s*[?.!]*$"
                    r"|^(?:(?:would|will)\s+you\s+)?(?:be\s+able\s+to\s+|please\s+)?(?:fill|patch|paper\s+over)\s+(?:it|that|them|this)"
                    r"(?:\s+(?:in|up|over))?(?:\s+(?:plz|pls|please))?\s*[?.!]*$"
                    # "Can you sort that out?", "Is that something you can patch?", "notch it out", "apply that to chapter 7"
                    r"|^(?:please\s+)?(?:sort|notch|filter|clear)\s+(?:it|them|that|this)\s+out\s*[?.!]*$"
                    r"|^(?:is\s+)?(?:that|this|it)\s+(?:is\s+)?something\s+you\s+can\s+(?:patch|fix|do|handle|sort\s+out|deal\s+with)"
                    r"\s*[?.!]*$"
                    r"|^(?:please\s+)?apply\s+(?:that|it|this|those)(?:\s+to\s+[\w\s]{1,30})?\s*[?.!]*$"
                    r"|^(?:please\s+)?(?:cut|take|remove|snip)\s+(?:that|this|the)\s+(?:stretch|bit|part|section|piece|chunk)\s+out"
                    r"(?:\s+(?:entirely|completely))?(?:\s+before\s+[\w\s']{1,30})?\s*[?.!]*$",
                    r"^(?:(?:麻烦|能不能|可以)?(?:帮我|帮忙))?(?:处理|去掉|弄掉|解决|修|降低|减少|去|弱化|减弱|压一压|压)(?:掉|一下)?"
                    r"(?:它|这个|那个)?(?:吧|一下|呗)?$"
                    # "帮我把这一小下补上", "那块修一下": a fix of the spot just described
                    r"|^(?:(?:麻烦|能不能|可以)?(?:帮我|帮忙))?(?:把)?(?:这|那)\s*\d*\s*(?:小下|下|块|段|处|个|里|儿|点)?"
                    r"(?:给)?(?:补上|补好|补一下|补起来|填上|填好|修好|修一下|修补一下|弄好)(?:吧|呗)?$")
_STYLE_WORD = (r"(?:pitch\s+contour|pitch\s+swings?|ups\s+and\s+downs|pitch|pacing|pace|rhythm|intonation|cadence"
               r"|timing|phrasing"
               r"|inflection|delivery|tone|speed|melody|emphasis|energy|contour)")
_STYLE_WORDS_ONLY = re.compile(rf"(?:(?:and|his|her|their|its|the|both|also|too|plus|the\s+way|how)\s+)*{_STYLE_WORD}"
                               rf"(?:\s*(?:,|and|&|\+)?\s*(?:his|her|their|its|the)?\s*{_STYLE_WORD})*(?:\s+too|\s+as\s+well)?",
                               re.I)
_BARE_RANGE = L.rx(r"^(?:(?:right\s+)?(?:from|between|around|at|about)\s+)?[\d.:]+\s*(?:s|secs?|seconds?)?\s*(?:to|and|-|–|until)\s*"
                   r"[\d.:]+\s*(?:s|secs?|seconds?)?$", r"^(?:从|在)?[\d.:]+\s*秒?\s*(?:到|至|-)\s*[\d.:]+\s*秒?(?:之间|那里|那儿)?$")
_CONFIRMABLE = ("denoise", "remove_hum", "gain", "loudness_normalize", "equalize", "filter", "inpaint", "resample", "trim")
_MIX_OFFSET = L.rx(r"^(?:and\s+)?(?:starting|start(?:ing)?\s+it|beginning|coming\s+in|entering|kicking\s+in)\s+"
                   r"(?:at|from|after)\s+\d",
                   r"^(?:从|在)?第?\s*\d+(?:\.\d+)?\s*秒(?:处|的地方|那里)?(?:开始|起|进|进入|切入|进来)"
                   r"|^[\u4e00-\u9fff]{0,6}(?:晚|推迟|延迟|延后)\s*\d+(?:\.\d+)?\s*秒(?:再)?(?:进来|进入|开始|出来|出现)?$")
_ORDER_NOTE = L.rx(r"^(?:the\s+)?(?:[\w'-]+\s+){0,3}?(?:one|version|clip|file|take|track)?\s*(?:goes\s+|comes\s+|should\s+"
                   r"(?:go|come|be)\s+|is\s+)?(?:first|last|second|at\s+the\s+(?:start|end|front|back))$",
                   r"^[^，,。；]{1,12}?的?(?:放|排|接)?(?:在)?(?:最前面|最后面|前面|后面|最前|最后|前头|后头)$")
_SPEECH_PRODUCT = L.rx(r"^(?:(?:can|could|would)\s+you\s+)?(?:please\s+)?"
                      r"(?:make|create|do|record|produce|generate|build)\s+(?:me\s+)?"
                      r"(?:a|an|the|our|my)\s+(?:[\w'-]+\s+){0,3}?(?:greeting|announcement|message|prompt|intro|outro|voicemail"
                      r"|jingle|notice|reminder|cue|line|voice[- ]?over)s?\s*$",
                      r"^(?:帮我|给我|请)?(?:做|生成|弄|录|来|合成)(?:一个|个|一段|一条|一句)?\s*[^，,。；;]{0,14}"
                      r"(?:greeting|提示音|广播|语音|播报|留言|开场白|欢迎词|announcement|message|prompt|提示|通知)\s*$")
_A_QUESTION = ("This reads like a question or a remark, not a task for my audio tools. If you meant an edit, say what "
               "to do, e.g. 'make it 3 dB louder' or 'transcribe it'.")
# What audio_info measures, asked about in a yes/no question
_MEASURABLE = L.rx(r"\b(?:mono|stereo|channels?|sample\s*rate|sampled|khz|\d+(?:\.\d+)?\s*k\b|hz|bit\s*rate|clips?"
                   r"|clipping|peaks?|loud|quiet|lufs|long|longer|shorter|seconds?|minutes?|duration|length)\b",
                   r"单声道|双声道|立体声|声道|采样率|采样|响度|多长|多久|时长|削波|爆音|峰值")
_THE_AUDIO = L.rx(r"\b(?:it|this|the\s+(?:file|clip|recording|track|audio|song|mix|result|take|voice\w*))\b",
                  r"这段|这个|它|录音|音频")
_THESE_SECONDS = re.compile(r"(?:这|那)\s*\d+(?:\.\d+)?\s*秒|\b(?:these|those)\s+\d+(?:\.\d+)?\s*(?:seconds?|secs?)\b")
_SONG_TEMPO = re.compile(r"\d+(?:\.\d+)?\s*bpm|\btempo\s*(?:of|to|at|=|:)?\s*\d|(?:速度|节奏|tempo)[^，,。]{0,6}\d"
                         r"|\bthan\s+(?:it'?s\s+)?(?:written|scored|notated|in\s+the\s+(?:score|midi|file))\b"
                         r"|比(?:原谱|谱子|原曲)", re.IGNORECASE)
_REMOVE_IT = re.compile(r"^(?:把)?(?:这段|那段|这部分|它)?(?:拿掉|删掉|去掉|删了|挖掉|剪掉|不要了?)$")
_REJOIN = L.rx(r"^(?:and\s+)?(?:join|stitch|splice|glue|butt|close)\s+(?:up\s+)?(?:the\s+)?"
               r"(?:rest|ends|gap|(?:two|2)\s+(?:parts|halves|sides"
               r"|ends)|remaining\s+parts)(?:\s+(?:back\s+)?(?:together|up))?$",
               r"^(?:再|然后)?(?:把)?(?:这段|那段|它)?(?:删了|删掉|拿掉|去掉|挖掉|剪掉|抠掉)?(?:以?后|之后)?(?:把)?前后(?:两段|两部分)?(?:再)?"
               r"(?:接|拼|连)(?:起来|上|在一起)$")
# "the original, not the sped-up one": the artifact ruled out is no input
_NEGATED_REF = L.rx(r"(?:^|\b(?:but|and)\s+|\s)not\s+(?:the\s+)?⟦r[a-z]⟧|\b(?:forget|ignore|skip|scrap|ditch)\s+(?:about\s+)?⟦r[a-z]⟧"
                    r"|\bleave\s+⟦r[a-z]⟧\s+(?:alone|as\s+(?:it\s+)?is)(?:\s+now)?",
                    r"(?:而)?(?:不是|不要|别用)\s*⟦r[a-z]⟧")
# "算了，混响不要了": an earlier effect given up (the request goes back to a version without it), not asked for
_DROPPED_EFFECT = L.rx(r"^(?:no\s+more|forget\s+(?:the|about\s+the))\s+(?:reverb|echo|effects?|music)\s*$",
                      r"^(?:混响|回声|效果|特效|音乐|背景音乐|reverb|echo)(?:就|也|都)?不要了$")
_FILTER_KIND = L.rx(r"\b(?:high|low)[- ]?pass|\b[hl]pf\b|\b[hl]p\s*\d|\blow[- ]?cut\b|\bhigh[- ]?cut\b", r"高通|低通")


_SAYS = L.rx(r"\b(?:say|read|speak|announce|narrate|tts|generate|synthesi[sz]e)\b", r"说|念|读|播报|生成|合成|配音|来一句")
_STILL_UNSUPPORTED_WHEN_SINGING = ("voice cloning or conversion", "music generation", "writing lyrics, poems or stories",
                                   "translation", "music or sound recognition", "looking things up (lyrics, facts, the web)",
                                   "music recommendation")
# A request that makes a talking head names photos and videos as its input, not as something to generate.
_INPUTS_WHEN_ANIMATING = ("image generation or editing", "video")
_MAKES_FROM_SOURCE = ("sing", "talking_head", "text_to_speech")
_EFFECTS_ON_SPEECH = ("reverb", "pitch_shift", "filter", "equalize", "binauralize", "gain")


_SAY_LEAD = L.rx(r"^(?:please\s+)?(?:say|read|speak|announce|narrate)\b(?!\s+(?:it|this|that)\s+back\b)",
                 r"^(?:请|帮我|给我)?(?:说|念|读|朗读|播报)(?!给我听|[得到的过完着])")


# "the room sound was a mistake": a clause that judges an earlier file does not hand it to the next step
_DESCRIBES = re.compile(r"⟦r[a-z]⟧\s*(?:[\w'-]+\s+){0,2}?(?:was|were|is|are|sounds?|sounded)\b|⟦r[a-z]⟧\s*(?:是|太|有点)")
_OTHER_QUIETER = L.rx(r"\b(?:quieter|softer|lower|down|minus|-\d)", r"小\s*\d|压低|降低|调低|减|低\s*\d|-\d")
_WHOLE = L.rx(r"\b(?:whole|overall|everything|all\s+of\s+it|the\s+(?:result|mix)|it)\b", r"整体|全部|整个|最后|结果|^再")
_A_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


_BANK_AGREES = 0.5  # a label most of the nearest examples carry
_BANK_SURE = 0.7  # ... and the share that lets the bank name the tool on its own (round e: 32 of 34 right)
_BANK_FAMILIAR = 0.3  # cosine similarity of the nearest example from which a clause's own vote counts
_BANK_SEEN = 0.2  # ... below which it looks like nothing seen ("frobnicate the wibble")
# The vote share of refusals at which a request the tables planned is refused all the same: the remarks and
# questions of context-break turns ("Will it be clear on the summit tomorrow?"). Replayed on probe rounds c-g, each
# with its round left out of the bank, 0.5 turned 20 wrongly planned turns into refusals and 2 right ones (quoted
# lines to speak, never vetoed now); 0.4 gained 2 context items but refused a doable request and broke a plan.
_BANK_REMARK = 0.5
_BANK_DOUBT = 0.25  # ... and the share below which a missing capability named in a request may be mere context


def _about_planned(guess: IntentGuess, planned: set[str], request_agrees: bool) -> bool:
    """The clause is about the tools already planned: its own nearest examples say so, or the whole request's do and
    the clause is not made of words never seen."""
    return request_agrees or (guess.nearest >= _BANK_FAMILIAR and guess.top()[0] in planned)


# Why the user gave the times they gave: context, not a request to find something
_EXPLAINS = L.rx(r"(?:that'?s|that\s+is|which\s+is|it'?s|this\s+is)\s+(?:where|when)\b|(?:because|since|as)\b",
                 r"(?:那|这)(?:里|儿|段|块)?(?:就)?是|因为")
_TEMPO_ONLY = re.compile(r"(?:(?:at|with)\s+|tempo\s+(?:of\s+)?)?\d+(?:\.\d+)?\s*bpm|(?:速度|节奏|tempo)\s*\d+(?:\.\d+)?(?:\s*bpm)?",
                         re.I)
# A version named by what was done to it, right after the file it qualifies.
# "⟦r⟧去掉 hum 的", "⟦r⟧降过噪的那版": a Chinese noun phrase (…的) beside a file, naming its version;
# an ask never ends so
_ZH_VERSION_TAIL = re.compile(r"(?![^，,。]*(?:一点|点儿|一些|更))[^，,。；;把将给帮请让]{1,12}的"
                              r"\s*(?:那(?:个|版|段|条|句|一版))?")
_WHICH_VERSION = L.rx(r"^\(?(?:the\s+)?(?:[a-z-]+ed|fixed|cut|done|finished)\s+(?:one|version|take|copy)\)?$",
                      r"^[^把将给帮请]{0,6}过[^，,。把将给帮请]{0,8}的(?:那(?:个|版|段|条|句))?$")


class _Planning:
    def __init__(self, request: str, ctx: PlanContext, registry: Registry) -> None:
        self.req = split_request(request, backrefs_for(ctx))
        self.ctx = ctx
        self.registry = registry
        self.speak = False
        self.groups: list[Group] = []
        self.unknown: list[Clause] = []
        self.refused: Plan | None = None  # a capability we lack, named in passing; see _refusal_stands
        self.aside: Plan | None = None  # ... named in a clause that tells rather than asks (backstory)

    # ------------------------------------------------------------------ outcomes
    def _unsupported(self, why: str) -> Plan:
        return Plan(unsupported=why, instead=f"I can do: {supported_summary(self.registry)}.")

    @cached_property
    def whole_guess(self) -> IntentGuess | None:
        """The intent bank's vote on the whole request (None without a bank)."""
        bank = default_bank()
        return bank.guess(self.req.original) if bank is not None else None

    def _maybe_doable(self, c: Clause) -> bool:
        """Requests worded like this one asked for a tool, next to none were refused, and clauses worded like `c`
        (the one naming a capability we lack) were mostly not refusals ("…and translate it to Spanish" is)."""
        g = self.whole_guess
        if g is None:
            return False
        tool, share = g.top()
        if tool in NOT_A_TOOL or share < _BANK_SURE or g.votes.get("unsupported", 0.0) >= _BANK_DOUBT:
            return False
        bank = default_bank()
        return bank is not None and bank.guess(c.shown()).votes.get("unsupported", 0.0) < _BANK_AGREES

    def _refusal_stands(self) -> bool:
        """A capability we lack was named, but requests worded like this one asked for a tool: the name was context
        ("voiceover for the house tour video. Boost the bass by 4 dB") only when the tables found that tool too."""
        g = self.whole_guess
        planned = {r.tool for grp in self.groups for r in grp.rules}
        return g is None or g.top()[0] not in planned

    def vetoed(self, plan: Plan) -> Plan:
        """`plan`, or a refusal where the request reads like the remarks and questions we cannot answer ("Will it be
        clear on the summit tomorrow?", "机械表多久保养一次合适？") although a trigger word matched ("clear", "多久")."""
        if plan.unsupported or self.req.quotes or (self.req.clauses and _SAY_LEAD.match(self.req.clauses[0].core)):
            return plan  # words to speak, quoted or after "say", are never a remark of the user's
        g = self.whole_guess
        if g is None or g.votes.get("unsupported", 0.0) < _BANK_REMARK:
            return plan
        return self._unsupported(_A_QUESTION)

    def _whole_request(self) -> Clause:
        """Every clause of the request read as one."""
        whole = self.req.clauses[0]
        for c in self.req.clauses[1:]:
            whole = whole.merged(c)
        return whole

    def _clarify_vague(self) -> Plan:
        return Plan(clarify=f"What should I do with the recording? I can do: {supported_summary(self.registry)}.")

    def _rescue(self) -> None:
        """Where the tables would refuse, ask the intent bank (intent_bank.py) what similar requests asked for.
        A clause beside understood ones is context when it looks like requests for one of the tools already planned
        and the request as a whole like nothing refused ("one and a half times as fast, keep the pitch where it is";
        not "denoise it, then frobnicate the wibble"); a request nothing was understood in gets the tool its
        neighbours agree on ("宠物医院的提示音结尾拖了四秒空白，帮忙切了"), its arguments read from the whole text."""
        bank = default_bank()
        if bank is None:
            return
        guess = bank.guess(self.req.original)
        if self.groups:
            planned = {r.tool for g in self.groups for r in g.rules}
            asked = guess.labels(_BANK_AGREES)
            if "unsupported" in asked:
                return
            agrees = bool(asked) and not asked & NOT_A_TOOL and asked <= planned
            self.unknown = [c for c in self.unknown
                            if not _about_planned(g := bank.guess(c.shown()), planned, agrees and g.nearest >= _BANK_SEEN)]
            return
        tool, share = guess.top()
        if tool in NOT_A_TOOL or share < _BANK_SURE or tool not in self.registry:
            return
        whole = self._prepare(self._whole_request())
        rule = next((r for r in RULES if r.tool == tool and (r.when is None or r.when(whole))), None)
        if rule is not None:
            self.groups, self.unknown = [Group(whole, [rule])], []

    def _with_range_said_before(self, c: Clause, described: Clause | None) -> Clause:
        """`c` read with the time range an earlier clause gave, where `c` removes it without times of its own:
        "1分10秒到1分15秒有人咳嗽，把这五秒删掉", "the cough is from 1:10 to 1:15, cut those 5 seconds out",
        "…1分30到1分45有人喊外卖，这段删了前后接上", "…是内部编号，不能外传，这段拿掉，前后接上"."""
        def ranged(u: Clause) -> bool:
            return len([q for q in scan(u.core) if q.unit == "s"]) >= 2

        earlier = [u for u in self.unknown if ranged(u)]
        said = earlier[-1] if earlier else described if described is not None and ranged(described) else None
        if said is not None and _THESE_SECONDS.search(c.core) and not ranged(c):
            if said in self.unknown:
                self.unknown.remove(said)
            return said.merged(c)
        if earlier and not self.groups and _REJOIN.search(c.core.strip(" .!。！")):
            at = self.unknown.index(earlier[-1])
            removals = [u for u in self.unknown[at + 1:] if _REMOVE_IT.match(u.core)]
            self.unknown = self.unknown[:at] + [u for u in self.unknown[at + 1:] if u not in removals]
            said = earlier[-1]
            for u in removals:
                said = said.merged(u)
            return said.merged(c)
        return c

    def _drop_idle_mentions(self) -> None:
        """A tool's trigger word in a clause that only tells or labels ("RC car club youtube channel", "I recorded the
        groundsman's pitch report"), giving that tool nothing to work with, beside a step asked for: no step (and no
        question about its missing amount)."""
        if len(self.groups) < 2:
            return
        kept = []
        for g in self.groups:
            c = g.clause
            idle = not S.asks(c) and not scan(c.core) and not c.quotes and not c.refs and (
                S.is_label(c) or TELLS.search(c.core) or NARRATES.search(c.core))
            if idle:
                try:
                    g.rules[0].extract(c, Chain(self.ctx, self.req))
                    idle = False
                except NeedInfo:
                    pass
            if not idle:
                kept.append(g)
        if kept and any(S.asks(g.clause) or scan(g.clause.core) for g in kept):
            self.groups = kept

    def _measured_or_refused(self, about_audio: bool) -> Plan:
        """A request made only of questions: a measurement where it asks about a property of the audio, else the
        refusal that names it a question."""
        if about_audio and _MEASURABLE.search(self.req.original) and "audio_info" in self.registry:
            self.groups, self.unknown = [Group(self.req.clauses[0], [_rule("audio_info")])], []
            return self._build()
        return self._unsupported(_A_QUESTION)

    def _line_only(self) -> None:
        """A request that is only a line to say, behind a label or a connective ("Then 'For nail trims, press two.'",
        "Platform announcement please: '…'", "第二条：“…”"): speech of the line. When the session's newest speech
        was a photo speaking, the line is said by that photo too ("Rex needs one more line: '…'")."""
        clauses = self.req.clauses
        if "text_to_speech" not in self.registry or not any(_LABELLED_LINE.search(c.core) for c in clauses):
            return
        for c in clauses:
            if c.quotes:
                if not _LABELLED_LINE.search(c.core):
                    return
            elif not backstory(c) or L.QUESTION.search(c.raw.strip()):
                return
        whole = self._whole_request()
        rules = [_TTS_LINE]
        face = face_of_last_speech(self.ctx) if "talking_head" in self.registry and not self.ctx.uploads else None
        if face is not None:
            rules.append(ToolRule("talking_head", "talking-head video", _ANY_TEXT,
                                  lambda c, src: {"image": face, "audio": src.cur}))
        self.groups, self.unknown = [Group(whole, rules)], []

    # ------------------------------------------------------------------ reading clauses
    def _match(self, c: Clause) -> tuple[list[ToolRule], ToolRule | None]:
        """The rules for a clause (primary first, then stackables), and the first matching rule whose tool is
        missing from the registry."""
        missing: ToolRule | None = None
        chosen: list[ToolRule] = []
        for rule in RULES:
            if chosen:
                if rule.tool in self.registry and rule.stacks_on(c) and self._makes_audio(chosen[0]) \
                        and all(r.tool != rule.tool for r in chosen):
                    chosen.append(rule)  # "denoise it into a mono mp3": format steps follow the edit
                continue
            if not rule.matches(c):
                continue
            if rule.tool not in self.registry:
                missing = missing or rule
                continue
            chosen.append(rule)
        if [r.tool for r in chosen] == ["text_to_speech"] and c.quotes:
            # "say 'welcome' with a cathedral reverb": the words are quoted; what is said around them
            # asks for effects on the speech
            around = c.with_core(PLACEHOLDER.sub(" ", c.core))
            chosen += [r for r in RULES if r.tool in _EFFECTS_ON_SPEECH and r.tool in self.registry and r.matches(around)
                       and all(x.tool != r.tool for x in chosen)][:1]
        return chosen, missing

    def _makes_audio(self, rule: ToolRule) -> bool:
        spec = self.registry[rule.tool].spec
        return spec.outputs[spec.primary_output].type == "audio"

    def _kind_of_leftover(self, c: Clause) -> str:
        """'filler' (nothing in it, thanks, a statement), 'args' (only numbers/positions/names: belongs to a
        neighbour) or 'unknown'."""
        if L.language_in(c.core) and _ABOUT_LANGUAGE.fullmatch(L.LANGUAGE_PHRASE.sub(" ", c.core)):
            return "args"  # "it's in Spanish": the language of the neighbouring step
        if L.CONTEXT_STATEMENT.search(c.core) or S.thanks(c.core) or S.declarative(c.core, c.raw) or \
                S.PURPOSE.search(c.core) or S.DISMISS.search(c.core.strip()):
            return "filler"
        if L.PRONOUN_ACTION.search(c.core.strip(" !.?")) or looks_back(c.core):
            return "args"  # "remove it"; "go back to the original one" (what it names is the neighbour's input)
        t = L.LANGUAGE_PHRASE.sub(" ARG ", L.PREVIOUS.sub(" ARG ", PLACEHOLDER.sub(" ARG ", c.core)))
        spans = [(q.start, q.end) for q in scan(t)]
        for s, e in reversed(spans):
            t = t[:s] + " ARG " + t[e:]
        has_args = "ARG" in t
        words = re.findall(r"[a-z']+|[\u4e00-\u9fff]", t.replace("ARG", " ARG ").lower())
        strange = 0
        for w in words:
            if w == "arg" or w in L.FILLER_WORDS or w in L.ZH_FILLER_CHARS:
                continue
            if w in L.ARG_WORDS or w in L.ORDINALS or w in L.ZH_ARG_CHARS:
                has_args = True
                continue
            strange += 1
        # "50% wet": a number with one word of its own still qualifies the neighbouring step
        if strange == 0 or (strange == 1 and spans and len(words) <= 3):
            return "args" if has_args else "filler"
        return "unknown"

    def _only_amount(self, c: Clause, rule: ToolRule) -> bool:
        """A sentence that only gives an amount for the step before ('make it louder? like 4 dB maybe', 'speed it
        up. 1.5x'): its tool is matched by the number alone, and nothing else in it is an action."""
        bare = c.core
        for q in reversed(scan(c.core)):
            bare = bare[:q.start] + " " + bare[q.end:]
        return self._kind_of_leftover(c) == "args" and not rule.matches(c.with_core(bare))

    def _qualifies(self, prev: Group | None, c: Clause, rules: list[ToolRule]) -> bool:
        """A weak-split piece that only qualifies the previous step: 'mix them, the second one at -6 dB',
        'normalize to -16 LUFS, -1 dB true peak'."""
        if prev is None:
            return False
        tool = prev.rules[0].tool
        if tool == "trim" and _REJOIN.search(c.core.strip(" .!")):
            return True  # "把中间10到15秒删掉，前后接起来": removing a range joins what is left
        if tool in ("convert", "resample") \
                and re.fullmatch(r"(?:just\s+|only\s+)?the\s+format(?:\s+only)?", c.core.strip(" .!")):
            return True  # "send it back as OGG …, just the format": what to change, said again
        if tool == "concatenate" and _ORDER_NOTE.search(c.core.strip(" .!")):
            return True  # "join the reverb one and the pitched one, reverb one first": the order, said again
        if tool == "sing":
            return A.sing_detail(c)  # "，音符 C4 D4 E4，速度120": the song's notes and tempo
        if tool == "text_to_speech" and (not rules or rules[0].tool == "change_tempo"):
            return bool(_TTS_MANNER.search(c.core.strip(" .!"))) or bool(rules and _TTS_MANNER.search(
                re.sub(r"\b(?:and|it|read|say|speak)\b", " ", c.core).strip(" .!")))  # "say 'hi', slowly"
        if tool == "transfer_prosody" and _STYLE_WORDS_ONLY.fullmatch(c.core.strip(" .!")):
            return True  # "follow the Italian actor's delivery, his pitch and pacing": more of the same style
        if tool == "inpaint" and rules and rules[0].tool == "trim" and _BARE_RANGE.search(c.core.strip(" .!")):
            return True  # "it drops out for a split second, from 12.40 to 12.52 seconds": where the gap is
        if rules and rules[0].tool not in ("gain", "trim"):
            return False
        if tool == "mix":
            if _MIX_OFFSET.search(c.core.strip()) or A.EXTEND.search(c.core):
                return True  # "mix them, starting at 4 s", "，从第5秒开始"
            if rules and rules[0].tool == "gain" and self._kind_of_leftover(c) == "args":
                return True  # "mix them, -15 dB"
            return bool(Chain(self.ctx, self.req).mentioned(c) or L.MIX_PART.search(c.core))
        if tool == "loudness_normalize":
            return bool(L.PEAK_WORDS.search(c.core))
        return False

    def _fix_typos(self, c: Clause) -> Clause:
        names = S.proper_names(c.raw)

        def fix(m: re.Match[str]) -> str:
            w = m.group(0)
            if len(w) < 4 or w in _PATTERN_WORDS or w in _TYPO_VOCAB or w in names:
                return w
            near = difflib.get_close_matches(w, _TYPO_VOCAB, n=1, cutoff=0.8)
            return near[0] if near else w

        return c.with_core(re.sub(r"[a-z]+", fix, c.core))

    def _prepare(self, c: Clause) -> Clause:
        """Typos that are safe to fix anywhere ('remvoe', 'lowr', '降燥'), and 'without changing the pitch' taken
        out (it keeps something as it is; it asks for no step)."""
        core = S.fix_zh_homophones(c.core)
        names = S.proper_names(c.raw)
        core = re.sub(r"[a-z]+", lambda m: m.group(0) if m.group(0) in _PATTERN_WORDS | names else (
            S.safe_typo(m.group(0), _SAFE_VOCAB) or m.group(0)), core)
        core = _DROPPED_EFFECT.sub(" ", _NEGATED_REF.sub(" ", S.KEEP_AS_IS.sub(" ", core)))
        core = S.FIND_THEN.sub("", core)  # "detect it and strip it out": finding it is part of the removal
        if S.NOT_THIS.match(core.strip()):
            core = ""  # "no reverb, just make it louder", "别加混响": a step the user does not want
        if S.LEFT_ALONE.fullmatch(core.strip(" .!。！")):
            core = ""  # "leave the chipmunk as is": the file not to touch is not a step
        if S.SAYS_LANGUAGE.fullmatch(core.strip(" .!。！()（）")):
            core = ""  # "说的是普通话", "caller speaks english": what is spoken, read by transcribe's language
        return c.with_core(core) if core != c.core else c

    def _speaks_as_step(self, c: Clause) -> bool:
        """'transcribe it, then read it back (slower)': speech of the transcript is a step of its own; 'read me the
        transcript' / '转成文字，念给我听' only asks for the answer aloud (Plan.speak)."""
        if "text_to_speech" in self.registry and any(r.kind == "text" for r in c.refs):
            return True  # "把之前的转写念出来"
        makes_text = any(g.rules[0].tool == "transcribe" for g in self.groups)
        return "text_to_speech" in self.registry and makes_text and (
            c.sep == "strong" or bool(_TTS_HINT.search(c.core) or _TEXT_REFERENT.search(c.core)))

    def _drop_statements(self) -> None:
        """What a request only describes ('the song ends abruptly', '太小声了') is context when it also asks for
        something explicitly: those steps go, unless the ask says 'also'. See speech_acts.py."""
        for g in self.groups:  # "the fridge hum plus the hiss is bad": a fragment of the statement
            if not g.stated and not S.asks(g.clause) and any(
                    o.stated and o.sentence == g.sentence for o in self.groups):
                g.stated = True
        asks = [g for g in self.groups if not g.stated]
        if asks and len(asks) < len(self.groups) and not any(S.ADDITIVE.search(g.clause.raw) for g in asks):
            self.groups = asks

    def _read(self) -> Plan | None:
        """Map clauses to groups; returns an unsupported plan when a capability is missing."""
        pending: Clause | None = None
        holds_ref = False  # pending is a clause that only names an earlier file
        last_unknown: Clause | None = None
        described: Clause | None = None  # a statement naming the problem ("there's a gap at 2 s") for a later "fix it"
        sentence = 0
        animating = "talking_head" in self.registry and any(animates(self._prepare(c)) for c in self.req.clauses)
        sings_here = "sing" in self.registry and any(sings(self._prepare(c)) for c in self.req.clauses)
        correcting = False  # "pitch +2 st. wait no, -2 st", "高通……不对，低通": the next piece replaces the one before
        # "file two is the crackle … slide the crackle in under her": a file's name, not a crackle to remove
        names = S.file_names(c.core for c in self.req.clauses)
        telling = clauses_that_tell(self.req.clauses)
        for at, c in enumerate(self.req.clauses):
            sentence += c.sep != "weak"
            c = self._prepare(c)
            fix = S.CORRECTION.match(c.core)
            if fix and self.groups:
                correcting = True
                if not c.core[fix.end():].strip(" ,，.。"):
                    continue
                c = c.with_core(c.core[fix.end():].strip(" ,，"))
            singing = "sing" in self.registry and sings(c)  # the lyrics may say anything; another's voice is cloning
            moves_a_face = animates(c)
            caps = [x for x in L.UNSUPPORTED if x[0] in L.BEYOND_THE_FACE] if moves_a_face else (
                [] if speaks_text(c) or S.NAMES_A_FILE.search(c.core) else L.UNSUPPORTED)  # "say I love pictures"
            said = S.unnamed(PLACEHOLDER.sub(" ", c.core), names)
            for capability, pat in caps:
                if singing and capability not in _STILL_UNSUPPORTED_WHEN_SINGING:
                    continue
                if sings_here and capability == "singing":
                    continue  # "sing the score, then raise the sung part by 3 semitones": the song this request makes
                if animating and capability in _INPUTS_WHEN_ANIMATING:
                    continue
                if capability == "looping or repeating" and L.repeat_count(c.core):
                    continue  # "I need it 3 times in a row": copies joined
                if capability == "general questions outside audio" and c.quotes and _SAYS.search(c.core):
                    continue  # "生成一段天气播报：“…”": speech about the weather, not a weather question
                text = said
                if capability == "video":
                    if S.AUDIO_EXPORTED.search(self.req.original):
                        continue  # "wedding video edit - I exported the audio already": the audio is what is edited
                    text = S.FOR_A_VIDEO.sub(" ", text)  # "so for the wedding video, ...": what the audio is for
                hit = pat.search(text)
                if hit and not S.WAVED_OFF.search(text[:hit.start()]) and not (
                        capability == "finding where something happens in the audio" and _EXPLAINS.match(text.strip())):
                    # not "不用翻译歌词", not "cut 12 to 14 seconds out, that's where the siren is loudest"
                    refusal = self._unsupported(f"There is no tool for {capability} (asked for in {c.shown()!r}).")
                    if capability not in L.NEVER_IN_PASSING and at in telling and text[:hit.start()].strip():
                        # "Mr Okafor recorded himself singing Danny Boy … Could you clean it?", "我跑网约车的，想在车里
                        # 循环放一句": told, not asked; it stands only if nothing else is asked for
                        self.aside = self.aside or refusal
                        break
                    if capability in L.NEVER_IN_PASSING or not self._maybe_doable(c):
                        return refusal  # a format or an avatar's gesture asked for is not said in passing
                    self.refused = self.refused or refusal
                    break
            if pending is not None and any(r.kind == "text" for r in pending.refs):
                c = pending.merged(c)  # "第一轮转出来的文字，用中文念一遍": the text is what is read
                pending, holds_ref = None, False
            if not c.quotes:
                m = L.SPEAK.search(c.core)
                if m and self._speaks_as_step(c):
                    # "have the default avatar read the transcript out": the speech, then the face saying it
                    face = [r for r in RULES if r.tool == "talking_head" and r.tool in self.registry] if animates(c) else []
                    self.groups.append(Group(c, [_TTS_OF_TEXT, *face[:1]], sentence=sentence))
                    continue
                if m:
                    self.speak = True
                    c = c.with_core(c.core[:m.start()] + " " + c.core[m.end():])
            if self.groups and self.groups[-1].rules[0].tool == "sing" and _TEMPO_ONLY.fullmatch(c.core.strip(" ,.，。")):
                self.groups[-1].clause = self.groups[-1].clause.merged(c)  # "…唱“小狗乖乖”，每分钟一百二十拍": the song's tempo
                continue
            if holds_ref and pending is not None and _WHICH_VERSION.search(c.core.strip()):
                continue  # "大巴上录的那条，切过低频的，…", "the part I sent first, the fixed one, …": which version, not a step
            if any(r.kind == "audio" for r in c.refs) and not S.asks(c) \
                    and _ZH_VERSION_TAIL.fullmatch(PLACEHOLDER.sub("", c.core).strip()):
                pending, holds_ref = c.with_core(" ".join(m.group(0) for m in PLACEHOLDER.finditer(c.core))), True
                continue  # "opening 那段去掉 hum 的，…": the file by what was done to it, not that step again
            if not c.quotes and pending is None and _SAY_LEAD.match(c.core) and at + 1 < len(self.req.clauses) \
                    and self.req.clauses[at + 1].sep == "weak" and self.req.clauses[at + 1].quotes:
                pending = c  # "念慢一点，零点九倍速：“…”": how to say the line that follows
                continue
            own = c  # "We're going with ⟦r⟧ after all. Level it to -18 LUFS": the file told of, the step asked for
            if pending is not None:
                c = pending.merged(c)
                pending, holds_ref = None, False
            c = self._with_range_said_before(c, described)
            rules, missing = self._match(c)
            if sings_here and [r.tool for r in rules] == ["change_tempo"] and _SONG_TEMPO.search(c.core):
                # "按每分钟一百二十拍，把“春天来了”唱在…", "帮我唱一遍，速度放慢到每分钟八十拍": the song's tempo
                sung = next((g for g in reversed(self.groups) if g.rules[0].tool == "sing"), None)
                if sung is not None:
                    sung.clause = sung.clause.merged(c)
                else:
                    pending = c
                continue
            if rules and rules[0].tool == "concatenate" \
                    and _REJOIN.search(re.split(r"[，,]", c.core)[-1].strip(" .!。！")) \
                    and len([q for q in scan(c.core) if q.unit == "s"]) >= 2:
                rules = [_rule("trim")]  # a range removed and the rest joined: one trim
            if not rules:
                fixed = self._fix_typos(c)
                if fixed.core != c.core:
                    rules, missing2 = self._match(fixed)
                    missing = missing or missing2
                    c = fixed if rules else c
            prev = self.groups[-1] if self.groups else None
            if not rules and c.sep == "weak" and self._qualifies(prev, c, rules) and prev is not None:
                prev.clause = prev.clause.merged(c)
                continue
            if not rules:
                kind = self._kind_of_leftover(c)
                if kind == "unknown" and names_source(c, animating, sings_here):
                    if prev is not None and prev.rules[0].tool in _MAKES_FROM_SOURCE:
                        prev.clause = prev.clause.merged(c)  # "lip-sync it to the voiceover, using this photo"
                    else:
                        pending = c  # "use this MIDI melody and sing ...": read with the step that follows
                    continue
                if (literal_only(c) or S.QUOTE_INTRO.search(c.core)) and prev \
                        and prev.rules[0].tool == "text_to_speech":
                    kind = "args"
                if kind == "args" and any(r.kind == "audio" for r in c.refs) and not re.search(
                        r"\d", PLACEHOLDER.sub(" ", c.core)) and c is not self.req.clauses[-1] and (
                        prev is None or prev.stated or c.sep != "weak"):  # not "join ⟦a⟧ and ⟦b⟧"
                    pending, holds_ref = c, True  # ". The 0.85 one, dry - normalize that": only a file, for the next step
                    continue
                grown = self.unknown[-1].merged(c) if kind == "args" and self.unknown and \
                    self.unknown[-1] is last_unknown else None
                told = described.merged(c) if kind == "args" and described is not None and not prev else None
                # "there's some hiss from my preamp, can you reduce it?": an ask about what the statement before
                # it described is that statement's step
                confirms = prev is not None and kind == "unknown" and (c.sep == "weak" or prev.stated or not S.asks(prev.clause)) \
                    and prev.rules[0].tool in _CONFIRMABLE and bool(_ASKED_ABOUT.search(c.core.strip())) \
                    and [r.tool for r in self._match(prev.clause.merged(c))[0]][:1] == [prev.rules[0].tool]
                if grown is not None and self._match(grown)[0]:  # "cut out the part where I cough, 0:12 to 0:14"
                    self.unknown.pop()
                    self.groups.append(Group(grown, self._match(grown)[0], sentence=sentence))
                elif told is not None and self._match(told)[0]:  # "there's a gap at 2.3 s, can you fill it?"
                    self.groups.append(Group(told, self._match(told)[0], sentence=sentence))
                elif confirms and prev is not None:
                    prev.clause, prev.stated = prev.clause.merged(c), False
                elif kind == "args" and prev and correcting:
                    prev.clause = prev.clause.with_core(_A_NUMBER.sub(" ", prev.clause.core)).merged(c)
                    correcting = False
                elif kind == "args" and prev:
                    prev.clause = prev.clause.merged(c)
                    if L.PRONOUN_ACTION.search(c.core.strip(" !.?")):
                        prev.stated = False  # "there's a buzz in the background, remove it"
                elif kind == "args":
                    pending = c
                elif kind == "unknown" and prev and prev.rules[-1].absorbs and c.sep == "weak":
                    prev.clause = prev.clause.merged(c)
                elif missing is not None:
                    return self._unsupported(f"This setup has no {missing.what} tool ({missing.tool!r} is not "
                                             f"registered), needed for {c.shown()!r}.")
                elif kind in ("unknown", "filler") and not c.quotes and any(r.kind == "audio" for r in c.refs) \
                        and c is not self.req.clauses[-1] and not _DESCRIBES.search(c.core):
                    pending = c  # "I'd also like the spoken line by itself. Normalize it to -14 LUFS": its input
                    holds_ref = True
                elif kind == "unknown":
                    self.unknown.append(c)
                    last_unknown = c
                described = c if kind == "filler" and (L.CONTEXT_STATEMENT.search(c.core) or S.declarative(
                    c.core, c.raw)) else None
                continue
            if last_unknown is not None and self.unknown and self.unknown[-1] is last_unknown and c.sep == "weak" \
                    and self._kind_of_leftover(c) == "args" and \
                    [r.tool for r in self._match(self.unknown[-1].merged(c))[0]] == [r.tool for r in rules]:
                c = self.unknown.pop().merged(c)  # "cut out the part where I cough, from 0:12 to 0:14"
            last_unknown = None
            if prev is not None and c.sep == "weak" and [r.tool for r in prev.rules] == ["talking_head"] \
                    and rules[0].tool == "text_to_speech":
                both = self._match(prev.clause.merged(c))[0]  # "做一个 talking head，念“新年快乐”": the words it says
                if both and both[0].tool == "text_to_speech":
                    prev.clause, prev.rules = prev.clause.merged(c), both
                    continue
            if correcting and prev is not None and prev.rules[0].tool == rules[0].tool:
                # the corrected step, not both; the files the first try named still hold
                # ("⟦r⟧, level it to -16… no, -18")
                kept = " ".join(m.group(0) for m in PLACEHOLDER.finditer(prev.clause.raw) if m.group(0) not in c.raw)
                prev.clause = replace(c, raw=f"{kept} {c.raw}", core=f"{kept} {c.core}") if kept else c
                prev.rules, correcting = rules, False
                continue
            correcting = False
            same = prev and [r.tool for r in prev.rules] == [r.tool for r in rules] and not (
                rules[0].tool == "filter" and _FILTER_KIND.search(prev.clause.core) and _FILTER_KIND.search(c.core))
            stated = S.declarative(own.core, own.raw)
            if not same and c.sep == "weak" and prev is not None and prev.rules[0].tool == "gain" \
                    and len(self.groups) > 1 and rules[0].tool == "mix" and self.groups[-2].rules[0].tool == "mix" \
                    and self.groups[-2].sentence == prev.sentence == sentence:
                self.groups.pop()  # "把第二个当背景音乐，音量降低10分贝，混到第一个里": one mix, at that level
                self.groups[-1].clause = self.groups[-1].clause.merged(prev.clause).merged(c)
                continue
            if same and c.sep == "strong" and prev is not None and not c.later and self._only_amount(c, rules[0]):
                prev.clause = prev.clause.merged(c)  # "make it louder? like 4 dB maybe": the amount of that step
                continue
            if (same or self._qualifies(prev, c, rules)) and c.sep == "weak" and prev is not None:
                if same and prev.stated and not stated:  # "语速太快了，能不能放慢一点": the ask says how
                    # ... unless only the statement has the numbers ("it's 90 bpm, my project is 120 bpm. make it fit")
                    told = bool(scan(prev.clause.core)) and not scan(_THESE_SECONDS.sub(" ", c.core))  # not "those 5 s"
                    prev.clause, prev.stated = prev.clause.merged(c) if told else c, False
                else:
                    prev.clause = prev.clause.merged(c)  # "more bass, less treble" is one EQ step
                continue
            if prev is not None and S.BUT_FIRST.match(c.raw.strip()):
                prev.later = True  # "放到左前方45度，不过先把 loudness normalize 到 -16": this one runs first
            self.groups.append(Group(c, rules, later=c.later, stated=stated, sentence=sentence,
                                     each=bool(EACH.search(c.core))))
        if pending is not None and (not self.groups or holds_ref):
            self.unknown.append(pending)
        self._drop_statements()
        for i in range(len(self.groups) - 2, -1, -1):  # "before transcribing, denoise it"
            if self.groups[i].later:
                self.groups[i], self.groups[i + 1] = self.groups[i + 1], self.groups[i]
        return None

    # ------------------------------------------------------------------ building steps
    def _clean(self, spec: ToolSpec, args: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in args.items():
            p = spec.inputs.get(name)
            if p is None:
                continue
            if isinstance(value, float):
                value = round(value, 4)
                if value.is_integer() and (p.type == "integer" or name not in ("rate",)):
                    value = int(value)
            if p.default is not None and value == p.default and (p.type in ("string", "boolean") or value == 0):
                continue  # a default the user did not need to state
            if p.type in ("number", "integer") and isinstance(value, (int, float)):
                unit = f" {p.unit}" if p.unit else ""
                lo, hi = p.minimum, p.maximum
                if (lo is not None and value < lo) or (hi is not None and value > hi):
                    span = f"between {lo:g} and {hi:g}{unit}" if lo is not None and hi is not None else (
                        f"at least {lo:g}{unit}" if lo is not None else f"at most {hi:g}{unit}")
                    raise NeedInfo(f"{spec.name} {name} must be {span}, but the request asks for {value:g}{unit}. "
                                   f"What value should I use?")
            if p.choices is not None and not str(value).startswith("@") and value not in p.choices:
                raise NeedInfo(f"{spec.name} {name} must be one of {', '.join(map(str, p.choices))}. Which one?")
            out[name] = value
        return out

    def _build(self) -> Plan:
        chain = Chain(self.ctx, self.req, self.groups[0].clause if self.groups else None)
        steps: list[PlanStep] = []
        for g in self.groups:
            for rule in g.rules:
                spec = self.registry[rule.tool].spec
                audio_in = next((n for n, p in spec.inputs.items() if p.type == "audio"), None)
                if g.each and audio_in and len(chain.uploads) >= 2 and not any(
                        p.type == "list" or (p.type == "audio" and n != audio_in) for n, p in spec.inputs.items()):
                    langs = L.languages_by_position(self.req.original) if rule.tool == "transcribe" else {}
                    for k, (upload, head) in enumerate(chain.heads(), 1):  # "normalize both files": one step per file
                        said = {"language": langs[k]} if k in langs else {}  # "第一段是普通话，第二段是英语"
                        args = self._clean(spec, {**rule.extract(g.clause, chain), **said, audio_in: head})
                        sid = f"s{len(steps) + 1}"
                        steps.append(PlanStep(id=sid, tool=rule.tool, args=args))
                        chain.origin = upload
                        chain.produced(sid, spec)
                        if spec.outputs[spec.primary_output].type == "audio":
                            chain.branch(upload, f"@{sid}")
                    continue
                named = list(dict.fromkeys(r.ref for r in self.req.refs if r.kind == "audio"))
                if g.each and audio_in and not chain.uploads and len(named) >= 2 and not steps and not any(
                        p.type == "list" or (p.type == "audio" and n != audio_in) for n, p in spec.inputs.items()):
                    for ref in named:  # "加了混响的成品和我最早给你的那版，各自的响度都测一下": one step per file named
                        sid = f"s{len(steps) + 1}"
                        steps.append(PlanStep(id=sid, tool=rule.tool,
                                              args=self._clean(spec, {**rule.extract(g.clause, chain), audio_in: ref})))
                    continue
                args = rule.extract(g.clause, chain)
                if audio_in and audio_in not in args:
                    args[audio_in] = chain.current(g.clause)
                args = self._clean(spec, args)
                if spec.outputs[spec.primary_output].type != "audio":
                    src = args.get(audio_in or "")
                    twin = next((s for s in steps if s.tool == rule.tool and s.args.get(audio_in or "") == src), None)
                    if twin is not None:  # "how long is it and how loud": one measurement
                        twin.args = {**args, **twin.args}
                        continue
                sid = f"s{len(steps) + 1}"
                steps.append(PlanStep(id=sid, tool=rule.tool, args=args))
                chain.produced(sid, spec)
        return Plan(steps=steps, speak=self.speak)

    def run(self) -> Plan:
        again = repeat_steps(self.req, self.ctx, " ".join(c.core for c in self.req.clauses))
        if again:  # "now do the same to the original recording"
            return Plan(steps=[PlanStep.model_validate(s) for s in again])
        early = self._read()
        if early is not None:
            return early
        if self.refused is not None and self._refusal_stands():
            return self.refused
        if self.aside is not None and all(g.stated for g in self.groups) \
                and not any(S.asks(c) for c in self.req.clauses):
            return self.aside
        for i in range(len(self.groups) - 2, -1, -1):
            a, b = self.groups[i], self.groups[i + 1]
            if a.rules[0].tool == b.rules[0].tool == "mix" and not a.later and not b.later:
                # "Can you make a music bed out of these? ... Tuck the song underneath quietly": one mix, said twice
                b.clause, b.stated = a.clause.merged(b.clause), a.stated and b.stated
                del self.groups[i]
        for i in range(len(self.groups) - 2, -1, -1):
            a, b = self.groups[i], self.groups[i + 1]
            if a.rules[0].tool == "mix" and b.rules[0].tool == "gain" and b.clause.sep == "weak" and not b.later \
                    and _OTHER_QUIETER.search(b.clause.core) and not _WHOLE.search(b.clause.core):
                a.clause = a.clause.merged(b.clause)  # "铺在第一个的下面，雨声小二十五分贝": the level of what is laid in
                del self.groups[i + 1]
        for i in range(len(self.groups) - 1, -1, -1):
            a = self.groups[i]
            if not S.asks(a.clause) and not scan(a.clause.core) and any(
                    b.rules[0].tool == a.rules[0].tool and (S.asks(b.clause) or scan(b.clause.core)
                                                            or re.search(r"把|将|帮", b.clause.core))
                    for b in self.groups[i + 1:]):
                del self.groups[i]  # "the line has a low rumble. Roll off whatever sits below 120 Hz": one filter
        if self.unknown and self.groups and all(g.stated for g in self.groups) and all(
                L.VAGUE.search(c.core) for c in self.unknown):
            self.unknown = []  # "the engine wants 32k stereo files, can you fix it up?": the statement says how
        if self.unknown and any(g.rules[0].tool == "concatenate" for g in self.groups):
            self.unknown = [c for c in self.unknown if not A.ORDER_LIST.search(c.core)]  # the order, said apart
        if self.unknown and any(g.rules[0].tool in ("resample", "convert") for g in self.groups):
            # "the software only ingests 8 kHz mono FLAC, please get this audio into that shape": the format said
            self.unknown = [c for c in self.unknown if not S.CONVERT_IT.search(c.core)]
        if self.unknown and any(g.rules[0].tool == "text_to_speech" for g in self.groups):
            # "帮我做一个 voicemail greeting，用中文念：…", "make a station announcement: say '…'":
            # what the speech is for
            self.unknown = [c for c in self.unknown if not _SPEECH_PRODUCT.search(c.core)]
        if self.unknown and any(g.rules[0].tool in ("transcribe", "audio_info") for g in self.groups):
            # "what's this guy going on about? just tell me what he says": the question the step answers
            self.unknown = [c for c in self.unknown if not L.QUESTION.search(c.raw.strip())]
        if self.unknown and any(not g.stated for g in self.groups):
            # "I interviewed a shop owner for my thesis, could you write out what she said?": backstory and hedges
            # ("别太长") around an explicit ask are context, not a capability we lack
            self.unknown = [c for c in self.unknown if not backstory(c)]
        if self.unknown and self.groups:
            self.unknown = [c for c in self.unknown if not ((S.is_label(c) and backstory(c))
                                                            or S.CAN_YOU_DO_IT.search(c.core.strip(" ?？"))
                                                            or S.FIND_IT.search(c.core.strip(" ?？")))]
        if not self.groups and self.refused is None:
            self._line_only()
        if self.unknown or not self.groups:
            self._rescue()
        if self.unknown:
            vague = [c for c in self.unknown if L.VAGUE.search(c.core)]
            if vague:
                return self._clarify_vague()
            c = self.unknown[0]
            if questions_only(self.req):
                # "does it clip?", "is it longer than 30 seconds?": its measurements answer it
                return self._measured_or_refused(
                    about_audio=not self.groups and bool(_THE_AUDIO.search(self.req.original)))
            return self._unsupported(f"I don't know a tool that does {c.shown()!r}.")
        if not self.groups:
            if self.speak and "text_to_speech" in self.registry:
                # "read this aloud": an attached text file, else the previous run's text.
                text = Chain(self.ctx, self.req).text_source()
                if text:
                    return Plan(steps=[PlanStep(id="s1", tool="text_to_speech", args={"text": text})])
            if L.VAGUE.search(self.req.original) or L.AUDIOISH.search(self.req.original) or self.speak:
                return self._clarify_vague()
            return self._unsupported("I found no audio task in this request.")
        self._drop_idle_mentions()
        if not self.req.quotes and questions_only(self.req) and not any(
                g.rules[0].tool in ("audio_info", "transcribe") for g in self.groups):
            # "Do little kids prefer slower narration?": edit tools found in a question that asks for no edit;
            # "is it 44.1k?", "是不是单声道？": a property the file's measurements answer
            return self._measured_or_refused(about_audio=True)
        try:
            return self._build()
        except NeedInfo as e:
            return Plan(clarify=e.question, speak=self.speak)
