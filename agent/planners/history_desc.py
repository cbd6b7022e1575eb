"""Earlier artifacts named by what sets them apart, for history.Resolver.

history.py reads fixed phrase shapes ("the original", "the trimmed file", "之前那个降噪后的版本"). People also
point back by:

- the words they said: "the 'Previously on' line", "那句“请保持安静”", "说“今晚八点准时开播”的那句";
- a file name: "interview_guest.wav by itself", "kitchen_take2 exactly as I sent it", "采访_0315.wav那个文件";
- the tool, as a noun: "whatever came out of the denoiser", "the clip you ran the gap filler on",
  "用降噪工具跑过的那条", "用均衡器调过的那段";
- position: "the result before the last one", "倒数第二个生成的", "第二轮出来的那个";
- a word of the request that made it: "lay the muffled one under the dialogue" after "here's the dialogue
  track", "那个怪兽声音的" after "弄成怪兽的声音", "这句赞助词" after "说'本节目由星河电器赞助播出'".

Each reader returns the artifact (as history.Resolver's `(ref, kind)`) or None, and is only tried on a
session with history. Content words only count when exactly one earlier request used them, so a common word
never picks a turn by accident.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agent.artifacts import ArtifactRecord
from agent.context import PastRun
from agent.planners.lexicon import rx

if TYPE_CHECKING:
    from agent.planners.clauses import Request
    from agent.planners.history import Resolver

# ------------------------------------------------------------------ the tools, as nouns
_AGENTS: dict[str, tuple[str, str]] = {
    "denoise": (r"de-?noiser|noise[- ](?:remover|reducer|reduction(?:\s+tool)?|suppressor)|denoising\s+tool",
                r"降噪工具|降噪器|降噪功能|降噪"),
    "remove_hum": (r"hum[- ](?:remover|filter|killer|removal(?:\s+tool)?)|de-?hummer", r"去电流声工具|去电流声|去嗡嗡声"),
    "inpaint": (r"gap[- ]?filler|dropout[- ](?:fixer|repair(?:\s+tool)?)|repair\s+tool|in-?painter|inpainting(?:\s+tool)?",
                r"补全工具|修复工具|补断音"),
    "equalize": (r"equali[sz]er|eq", r"均衡器|均衡|EQ"),
    "pitch_shift": (r"pitch[- ]?shifter", r"变调工具|变调器|变调"),
    "change_tempo": (r"time[- ]?stretcher|tempo\s+changer", r"变速工具|变速"),
    "loudness_normalize": (r"normali[sz]er|leveller|leveler|loudness\s+tool", r"响度标准化|标准化"),
    "binauralize": (r"spatiali[sz]er|panner|binaural(?:i[sz]er)?(?:\s+tool)?", r"空间化工具|双耳"),
    "reverb": (r"reverb(?:\s+(?:tool|effect|plugin))?", r"混响"),
    "filter": (r"(?:high|low)[- ]?pass(?:\s+filter)?|filter", r"滤波器|高通|低通|滤波"),
    "transcribe": (r"transcriber|speech[- ]to[- ]text", r"转文字|转写"),
}
_AGENT_EN = "|".join(f"(?:{en})" for en, _ in _AGENTS.values())
_AGENT_ZH = "|".join(f"(?:{zh})" for _, zh in _AGENTS.values())
_THING = r"(?:one|file|clip|thing|audio|track|take|recording|voice|vocals?|version|bit|part|song|music)"
_EN_AGENT = re.compile(
    rf"\b(?:whatever|what|the\s+{_THING})\s+(?:that\s+)?came\s+out\s+of\s+the\s+(?P<agent>{_AGENT_EN})\b"
    rf"|\bthe\s+{_THING}\s+(?:that\s+)?(?:you|i|we)\s+(?:ran|put|used|passed|sent|fed)\s+(?:through\s+|into\s+)?"
    rf"(?:the\s+)?(?P<agent2>{_AGENT_EN})(?:\s+on)?\b"
    rf"|\bthe\s+(?P<agent3>{_AGENT_EN})(?:'s)?\s+(?:output|result|version)\b", re.I)
_ZH_AGENT = re.compile(
    rf"(?:用|经过|过了?)\s*(?P<agent>{_AGENT_ZH})(?:工具)?\s*(?:跑|处理|调|弄|过|修|降)*(?:过|了)?的\s*(?:那条|那段|那个|那版|那份|那句)?")

# ------------------------------------------------------------------ position
_EN_POS = re.compile(
    rf"\bthe\s+(?:result|{_THING}|output)\s+(?:right\s+|just\s+)?before\s+the\s+(?:last|latest)\s+one\b"
    rf"|\bthe\s+(?P<nth>second|third|2nd|3rd)[- ](?:to[- ])?last\s+(?:result|{_THING}|output)\b"
    rf"|\bthe\s+(?:very\s+)?(?P<first>first)\s+(?:thing|result|output)\s+(?:you|we)\s+(?:made|generated|created|produced"
    r"|did|rendered)(?:\s+(?:me|for\s+me))?(?:\s+(?:in\s+)?this\s+(?:session|chat|conversation))?"
    r"(?:\s*,?\s*before\s+the\s+[\w'-]+)?", re.I)  # "..., before the reading": when, not a second file
_ZH_POS = re.compile(
    r"倒数第\s*(?P<nth>[一二三四五\d])\s*(?:个|段|条|版|次)?\s*(?:生成|做|出来|处理|得到|弄)?(?:出来)?的?\s*(?:那个|那段|那条|结果|版本)?"
    r"|第\s*(?P<turn>[一二三四五六\d])\s*(?:轮|次|步)\s*(?:出来|生成|做|得到|处理|弄)?(?:出来|好)?的\s*(?:那个|那段|那条|结果|版本|音频|录音)?")
_ZH_DIGIT = "一二三四五六"

# ------------------------------------------------------------------ words that were said
_QUOTE_REF = re.compile(
    r"(?:\bthe\s+|\bthat\s+)?⟦q(?P<q>[a-z])⟧\s*(?:line|one|bit|clip|sentence|phrase|announcement|message|greeting"
    r"|那句话?|那段|那条|那个|这句|的那句)"
    r"|(?:那句|那段|那条|那个|这句)\s*⟦q(?P<q2>[a-z])⟧"
    r"|(?:说|念|读|唱)(?:了)?\s*⟦q(?P<q3>[a-z])⟧\s*(?:的)\s*(?:那句话?|那段|那条|那个|那版)?")

# ------------------------------------------------------------------ file names
_FILE_REF = re.compile(r"⟦f(?P<f>[a-z])⟧(?:\s*(?:那个|这个|那张|这张)?\s*(?:文件|录音|那段|那条|照片|图片|相片|file|recording"
                       r"|photo|picture|image))?"
                       r"|(?<![a-z0-9_])(?P<stem>[a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![a-z0-9_])(?:\s*(?:那个|这个)?\s*(?:文件|录音))?"
                       r"|(?P<zstem>[\u4e00-\u9fff]{1,6}_[0-9a-z]+)(?:\s*(?:那个|这个)?\s*(?:文件|录音))?", re.I)

# ------------------------------------------------------------------ what was said in a recording: its transcript
_EN_SAID = re.compile(r"\bwhat\s+(?:the\s+|my\s+|our\s+|that\s+)?(?P<w>[a-z]+)\s+(?:said|says|was\s+saying|talked\s+about)\b"
                      r"|\bwhat\s+(?:was|is)\s+said\s+in\s+(?:the\s+|my\s+|that\s+)?(?P<w2>[a-z]+)\b", re.I)
_ZH_SAID = re.compile(r"(?P<a>[\u4e00-\u9fff]{1,6}?|[a-z]+)\s*(?:里|上|中|里面)?(?:大家|他|她|他们|人|你)?(?:说|讲)的(?:那些|那段|这些)?(?:话|内容)",
                      re.I)

# ------------------------------------------------------------------ one of the files sent over several requests
_EN_NTH_SENT = re.compile(
    r"\b(?:of\s+the\s+(?:two|three|four|\d)\s+(?:files|recordings|clips|uploads|takes|tracks)\s+(?:i|we)\s+(?:sent|uploaded"
    r"|gave\s+you|attached|shared)(?:\s+you)?\s*,?\s*)the\s+(?P<pos>middle|first|second|third|last)(?:\s+one)?\b"
    r"|\bthe\s+(?P<pos2>middle|first|second|third|last)\s+(?:one\s+)?of\s+the\s+(?:two|three|four|\d)\s+(?:files"
    r"|recordings|clips|uploads|takes|tracks)\s+(?:i|we)\s+(?:sent|uploaded|gave\s+you|attached|shared)\b", re.I)
# "拼接用的第二段素材": an input of an earlier step
_ZH_INPUT_OF = re.compile(r"(?P<verb>拼接|拼|混音|混|合并|连接|串)(?:的时候|时)?用的第\s*(?P<n>[一二三四五\d])\s*(?:段|个|条|份)"
                          r"(?:素材|录音|音频|文件)?")
# "那个听起来空荡荡、回声很大的，转成mp3": a description at the head of the sentence
_ZH_TOPIC = re.compile(r"^(?:把|将)?\s*那(?:个|段|条|首|版)(?P<d>[^，,。；;⟦]{2,14}?)的\s*(?=[，,])")

# ------------------------------------------------------------------ words of the earlier request
_EN_ABOUT = re.compile(r"\bthe\s+(?P<w>[a-z]{4,})(?:\s+(?:part|bit|track|one|take|clip|voice|line|recording|file))?\b", re.I)
_ZH_ABOUT = re.compile(
    r"(?:这句|那句|那个|那段|那条|那首)(?P<a>[\u4e00-\u9fff]{2,6}?)(?:的)?(?=[，,。；;\s]|$|的?(?:接|混|垫|叠|放|加|转|导|降|升|剪|淡|调|标准化|存|我|你|也|还|再|单独|都))"
    r"|(?P<b>[\u4e00-\u9fff]{2,6}?)(?:的)?(?:那句话?|那段|那条|那个|那首|那版)")
# What does not name a turn: words every request uses.
_EN_COMMON = set("""this that with what which from into over under after before about these those there their them
then than your mine ours file files clip clips audio recording recordings track tracks take takes voice version one
ones part bits thing things result results output outputs same other first second third last latest whole entire
start beginning middle end second seconds minute minutes music song sound sounds speech line lines time left right
front back behind above below volume level loudness quiet loud original copy edit edits mix effect effects""".split())
_ZH_COMMON = {"这个", "那个", "这段", "那段", "一下", "帮我", "给我", "录音", "声音", "音频", "文件", "一个", "一段", "这句",
              "那句", "语音", "版本", "结果", "中文", "英文", "用中", "文说", "刚才", "之前", "我们", "你们", "时候", "处理",
              "加个", "加点", "一点", "转成", "导出", "生成", "合成", "说话", "的那"}


_NAMED = re.compile(r"[\w\-]+\.(?:wav|mp3|flac|ogg|m4a|aac|opus|jpe?g|png|webp)\b|[a-z\u4e00-\u9fff][\w]*_[\w]+", re.I)


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", s[i:i + 2])} - _ZH_COMMON


def _zh_num(d: str) -> int:
    return int(d) if d.isdigit() else _ZH_DIGIT.index(d) + 1


def _main_audio(run: PastRun) -> ArtifactRecord | None:
    return next((a for a in run.outputs if a.kind == "audio"), None) or next(
        (a for a in reversed(run.made) if a.kind == "audio"), None)


def _ref(a: ArtifactRecord | None) -> tuple[str, str] | None:
    return (f"@{a.id}", a.kind) if a is not None else None


class DescriptionReader:
    """The readers above, for one Resolver (its runs and this request's uploads)."""

    PATTERNS = (_QUOTE_REF, _FILE_REF, _EN_AGENT, _ZH_AGENT, _EN_POS, _ZH_POS, _EN_SAID, _ZH_SAID, _EN_NTH_SENT,
                _ZH_INPUT_OF, _ZH_TOPIC, _EN_ABOUT, _ZH_ABOUT)

    def __init__(self, resolver: "Resolver", req: "Request") -> None:
        self.r = resolver
        self.req = req

    @property
    def runs(self) -> list[PastRun]:
        return self.r.runs

    def read(self, m: re.Match[str]) -> tuple[str, str] | None:
        pat = m.re
        if pat is _QUOTE_REF:
            return self._by_quote(self.req.quotes[ord(m.group("q") or m.group("q2") or m.group("q3")) - 97])
        if pat is _FILE_REF:
            return self._by_file(m)
        if pat in (_EN_AGENT, _ZH_AGENT):
            name = next(g for g in (m.groupdict().get(k) for k in ("agent", "agent2", "agent3")) if g)
            return self._by_tool(name)
        if pat in (_EN_POS, _ZH_POS):
            return self._by_position(m)
        if pat in (_EN_SAID, _ZH_SAID):
            return self._transcript_about((m.groupdict().get("w") or m.groupdict().get("w2") or m.group("a")).lower())
        if pat is _EN_NTH_SENT:
            return self._nth_sent(m.group("pos") or m.group("pos2"))
        if pat is _ZH_INPUT_OF:
            return self._input_of(m.group("verb"), _zh_num(m.group("n")))
        if pat is _ZH_TOPIC:
            return self._by_zh_words(m.group("d"))
        if pat is _EN_ABOUT:
            return self._by_word(m.group("w").lower())
        if pat is _ZH_ABOUT:
            return self._by_zh_words(m.group("a") or m.group("b"))
        return None

    # ------------------------------------------------------------------ readers
    def _by_quote(self, quote: str) -> tuple[str, str] | None:
        want = re.sub(r"[\W_]+", " ", quote.lower()).strip()
        if len(want) < 2:
            return None
        for run in reversed(self.runs):
            said = re.sub(r"[\W_]+", " ", run.request.lower())
            if want in said and (a := _main_audio(run)) is not None:
                return _ref(a)
        return None

    def _by_file(self, m: re.Match[str]) -> tuple[str, str] | None:
        name = self.req.files[ord(m.group("f")) - 97] if m.group("f") else (m.group("stem") or m.group("zstem"))
        stem = re.sub(r"\.[a-z0-9]+$", "", name.lower())
        for run in reversed(self.runs):
            for a in run.uploads:
                if a.original_name and re.sub(r"\.[a-z0-9]+$", "", a.original_name.lower()) == stem:
                    return _ref(a)
            named = list(dict.fromkeys(m.group(0).lower() for m in _NAMED.finditer(run.request)))
            i = next((k for k, n in enumerate(named) if stem in n), None)
            if i is not None and run.uploads:
                return _ref(run.uploads[i] if i < len(run.uploads) else run.uploads[0])
        return None

    def _by_tool(self, name: str) -> tuple[str, str] | None:
        tools = {t for t, (en, zh) in _AGENTS.items()
                 if re.fullmatch(en, name, re.I) or re.fullmatch(zh, name, re.I)}
        hits = [self.r._main_output(r, tools) for r in self.runs]
        hits = [a for a in hits if a is not None]
        return _ref(hits[-1]) if hits else None

    def _by_position(self, m: re.Match[str]) -> tuple[str, str] | None:
        made = [a for a in (_main_audio(r) for r in self.runs) if a is not None]
        g = m.groupdict()
        if g.get("turn"):
            k = _zh_num(g["turn"])
            return _ref(_main_audio(self.runs[k - 1])) if k <= len(self.runs) else None
        if g.get("first"):
            return _ref(made[0]) if made else None
        nth = g.get("nth")
        k = 2 if not nth else ({"second": 2, "2nd": 2, "third": 3, "3rd": 3}.get(nth.lower()) or _zh_num(nth))
        return _ref(made[-k]) if k <= len(made) else None

    def _transcript_about(self, word: str) -> tuple[str, str] | None:
        texts = [(r, a) for r in self.runs for a in r.made if a.kind == "text" and a.tool == "transcribe"]
        about = [a for r, a in texts if word in r.request.lower()]
        a = about[-1] if about else (texts[0][1] if len(texts) == 1 else None)
        return (f"@{a.id}", "text") if a is not None else None

    def _nth_sent(self, pos: str) -> tuple[str, str] | None:
        sent = [a for r in self.runs for a in r.uploads if a.kind == "audio"]
        if not sent:
            return None
        i = {"first": 0, "second": 1, "third": 2, "last": len(sent) - 1, "middle": len(sent) // 2}[pos.lower()]
        return _ref(sent[i]) if i < len(sent) else None

    def _input_of(self, verb: str, n: int) -> tuple[str, str] | None:
        from agent.planners.history import _tools_done

        tools = _tools_done(verb)
        for run in reversed(self.runs):
            step = next((a for a in run.made if a.tool in tools and a.inputs), None)
            if step is not None and n <= len(step.inputs):
                return _ref(self.r.ctx.artifacts.get(step.inputs[n - 1]))
        return None

    def _by_word(self, word: str) -> tuple[str, str] | None:
        from agent.planners.tool_rules import keyword_tools

        from agent.planners.history import _IMAGE_NOUN

        if self.r.current_audio or word in _EN_COMMON or keyword_tools(word) or _IMAGE_NOUN.search(word):
            return None  # a photo is read by history.py ("the portrait from the beginning")
        runs = [r for r in self.runs if re.search(rf"\b{re.escape(word)}\b", r.request, re.I)]
        if len(runs) != 1:
            return None
        return _ref(_main_audio(runs[0]) or next((a for a in runs[0].uploads if a.kind == "audio"), None))

    def _by_zh_words(self, desc: str) -> tuple[str, str] | None:
        from agent.planners.history import _tools_done

        words, tools = _bigrams(desc), _tools_done(desc)
        if not (words or tools) or self.r.current_audio:
            return None
        scored = [(2 * len(tools & {a.tool for a in r.made}) + sum(w in r.request for w in words), i)
                  for i, r in enumerate(self.runs)]
        best = max((s for s, _ in scored), default=0)
        tops = [i for s, i in scored if s == best]
        if best == 0 or len(tops) != 1:
            return None
        return _ref(_main_audio(self.runs[tops[0]]))
