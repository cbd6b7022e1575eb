"""Earlier artifacts named by what sets them apart, for history.Resolver.

history.py reads fixed phrase shapes ("the original", "the trimmed file", "之前那个降噪后的版本"). People also
point back by:

- the words they said: "the 'Previously on' line", "那句“请保持安静”", "说“今晚八点准时开播”的那句";
- a file name: "interview_guest.wav by itself", "kitchen_take2 exactly as I sent it", "采访_0315.wav那个文件";
- the tool, as a noun: "whatever came out of the denoiser", "the clip you ran the gap filler on",
  "用降噪工具跑过的那条", "用均衡器调过的那段";
- position: "the result before the last one", "倒数第二个生成的", "第二轮出来的那个";
- a comparison between versions: "the slower of the two", "the higher of the two dragon lines", "the shorter one",
  "两版里面快的那个", "声音尖尖的那个" (the amount each step was given, or the length of the file);
- a word of the request that made it: "lay the muffled one under the dialogue" after "here's the dialogue
  track", "那个怪兽声音的" after "弄成怪兽的声音", "这句赞助词" after "说'本节目由星河电器赞助播出'", a person or
  purpose ("Father Michael's part", "mum's one", "back to my tutor", "外公那条"), a language ("英文那句" after
  "用英语说…"); one file of several sent together by the words that described it ("一分多钟的那条" after
  "第一条就几秒，第二条一分多钟").

Each reader returns the artifact (as history.Resolver's `(ref, kind)`) or None, and is only tried on a
session with history. Content words only count when exactly one earlier request used them, so a common word
never picks a turn by accident. What a description picks is that request's result, or the file it was sent
when the words say so ("the witness recording itself", "他发来的原始录音", "not the text, the actual audio").
When no phrase shape matches, `by_request_words` scores the whole request against each earlier one. A word
that names the request the latest result grew from ("now normalize the interview" after "denoise the
interview", "trim it") is read as that latest result (@last), not as the older step's output.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from agent.artifacts import ArtifactRecord
from agent.context import PastRun
from agent.planners.lexicon import LANGUAGES, rx

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
    r"\b(?:of\s+the\s+(?P<n>two|three|four|\d)\s+(?:[\w-]+\s+)?(?:files|recordings|clips|uploads|takes|tracks|messages|notes"
    r"|memos|songs)\s+(?:i|we)\s+(?:sent|uploaded|gave\s+you|attached|shared)(?:\s+you)?(?:\s+together)?\s*,?\s*)"
    r"the\s+(?P<pos>middle|first|second|third|last|latter|former)(?:\s+one)?\b"
    r"|\bthe\s+(?P<pos2>middle|first|second|third|last)\s+(?:one\s+)?of\s+the\s+(?:two|three|four|\d)\s+(?:files"
    r"|recordings|clips|uploads|takes|tracks)\s+(?:i|we)\s+(?:sent|uploaded|gave\s+you|attached|shared)\b", re.I)
# "拼接用的第二段素材": an input of an earlier step
_ZH_INPUT_OF = re.compile(r"(?P<verb>拼接|拼|混音|混|合并|连接|串)(?:的时候|时)?用的第\s*(?P<n>[一二三四五\d])\s*(?:段|个|条|份)"
                          r"(?:素材|录音|音频|文件)?")
# "那个听起来空荡荡、回声很大的，转成mp3": a description at the head of the sentence
_ZH_TOPIC = re.compile(r"^(?:把|将)?\s*那(?:个|段|条|首|版)(?P<d>[^，,。；;⟦]{2,14}?)的\s*(?=[，,])")

# ------------------------------------------------------------------ comparisons between versions
# A comparative -> (what is compared, +1 for the largest / -1 for the smallest). Amounts are read from the step
# that made each version (tool -> its argument and the value when the argument was left out).
_AMOUNTS: dict[str, dict[str, tuple[str, float]]] = {
    "speed": {"change_tempo": ("rate", 1.0), "text_to_speech": ("speed", 1.0)},
    "pitch": {"pitch_shift": ("semitones", 0.0)},
    "level": {"gain": ("db", 0.0)},
}
_EN_COMPARE = {"faster": ("speed", 1), "quicker": ("speed", 1), "slower": ("speed", -1), "higher": ("pitch", 1),
               "squeakier": ("pitch", 1), "lower": ("pitch", -1), "deeper": ("pitch", -1), "louder": ("level", 1),
               "quieter": ("level", -1), "softer": ("level", -1), "longer": ("length", 1), "shorter": ("length", -1)}
_ZH_COMPARE = {"快": ("speed", 1), "慢": ("speed", -1), "高": ("pitch", 1), "尖": ("pitch", 1), "细": ("pitch", 1),
               "低": ("pitch", -1), "低沉": ("pitch", -1), "沉": ("pitch", -1), "粗": ("pitch", -1), "响": ("level", 1),
               "大声": ("level", 1), "小声": ("level", -1), "轻": ("level", -1), "长": ("length", 1), "短": ("length", -1)}
_EN_CMP = re.compile(
    rf"\bthe\s+(?P<cmp>{'|'.join(_EN_COMPARE)})(?:[- ]pitched|[- ]paced)?\s+(?:(?:of\s+the\s+(?P<two>two|three|both)"
    r"(?P<words>(?:\s+(?!(?:and|but|to|for|with|as|in|on|at|please|then)\b)[a-z]+){0,3}))"
    r"|(?:one|version|take|read|reading|line|clip|track|mix|edit|render|copy|variant)s?\b)", re.I)
_ZH_CMP = re.compile(
    r"(?P<two>两|二|三|[2-3])?\s*(?:个|版|段|条|句)?\s*(?:版本)?(?:里面|里头|里|当中|中间|之中|中)?\s*(?:比较|更|稍微)?"
    rf"(?<![加放变调减降升提拉])(?:声音|语速|速度|音调)?(?P<zcmp>{'|'.join(sorted(_ZH_COMPARE, key=len, reverse=True))})"
    r"(?:(?<=尖)尖|(?<=粗)粗|(?<=慢)慢|(?<=快)快)?(?:一点|一些|些|点)?(?:儿)?的(?:那(?:个|版|段|条|句|首)|那一(?:个|版|段|条|句)|版本)")

# ------------------------------------------------------------------ a version described in passing
# "the one with the crash in it", "the lossless one", "the one we kept in stereo", "有人咳嗽的那个"
_POINTING = re.compile(
    r"\bthe\s+(?P<d>(?:[\w'-]+\s+){0,4}?(?:one|version|take|file|clip|recording|track|bit|line|read|mix|edit|copy)"
    r"(?:\s+(?:with|where|that|which|from|for|we|you|i|in|about)\b[^,.;:!?]{0,40})?)"
    r"|(?P<zd>[^，,。；;：:！!？?\s]{1,12}?)的?(?:那(?:个|段|条|版|句|首|份)|那一(?:个|段|条|版))", re.I)
_HAS_OR_HAD = re.compile(r"\b(?:with|where|that\s+(?:has|had)|which\s+(?:has|had))\b", re.I)
_ZH_HAS = re.compile(r"^(?:有|带)")  # "有电流声的那个", "带海浪声的那条"
# What a step did, in the words people use for the result
_STEP_WORDS: dict[str, str] = {
    "denoise": "clean cleaned cleaner denoised quiet", "remove_hum": "hum clean cleaned", "trim": "short shorter cut trimmed",
    "reverb": "echo echoey reverb room hall wet", "fade": "fade faded", "concatenate": "joined combined together long",
    "mix": "mixed music bed layered", "text_to_speech": "voice spoken line read said", "sing": "sung song singing",
    "talking_head": "video face", "transcribe": "text transcript", "inpaint": "repaired fixed patched",
    "binauralize": "headphones spatial 3d moving", "equalize": "eq bright warm", "filter": "filtered muffled",
}


def _how_many(word: str | None) -> int:
    """'two', 'both', '两', '3' -> 2, 2, 2, 3; None (no count said) -> 0."""
    if not word:
        return 0
    return {"two": 2, "both": 2, "three": 3}.get(word.lower()) or zh_num(word)


def _version_words(run: PastRun) -> list[str]:
    """The words of an earlier request and the words for what its steps did and with which amounts."""
    out = re.findall(r"[a-z][a-z'-]{2,}", run.request.lower())
    for s in run.steps:
        tool, args = s.get("tool"), s.get("args") or {}
        out += _STEP_WORDS.get(tool or "", "").split()
        fmt = str(args.get("format", "")).lower()
        out += {"flac": ["lossless", "flac"], "wav": ["lossless", "wav", "uncompressed"], "mp3": ["mp3", "compressed"],
                "ogg": ["ogg"]}.get(fmt, [])
        ch, sr = args.get("channels"), args.get("sample_rate")
        out += ["mono"] if ch == 1 else ["stereo"] if ch == 2 else []
        out += ["phone", "telephone"] if isinstance(sr, (int, float)) and sr <= 16000 else []
        for arg, up, down in (("db", "louder loud boosted", "quieter quiet softer"),
                              ("rate", "faster fast quicker sped", "slower slow"),
                              ("semitones", "higher high squeaky", "lower deeper deep low")):
            v, neutral = args.get(arg), (1 if arg == "rate" else 0)
            if isinstance(v, (int, float)) and v != neutral:
                out += (up if v > neutral else down).split()
    return out


# ------------------------------------------------------------------ words of the earlier request
# Where one clip of a join or mix ends and the next is named: "Bluebird in front of Harbor Lights", "A接在B后面".
_JOIN_SPLIT = re.compile(r"\b(?:in\s+front\s+of|before|after|then|followed\s+by|and|onto|on\s+top\s+of|over|under(?:neath)?"
                         r"|behind|with|into|to)\b|接在|放在|接上|叠到|叠在|混到|垫到|垫在|后面|前面|下面|上面|[和跟与,，;；]|\s[-–—]\s", re.I)
_EN_THING = r"part|bit|track|one|take|clip|voice|line|recording|file|call|message|note|welcome|speech|read|version"
# "the whisper you cleaned", "Father Michael's part", "mum's one", "back to my tutor"
_EN_ABOUT = re.compile(
    rf"(?:\bthe\s+(?P<w>[a-z]{{4,}})|\b(?P<w2>[a-z]{{3,}})'s|\b(?:my|our)\s+(?P<w3>[a-z]{{4,}}))"
    rf"(?:\s+(?:[a-z]+\s+)?(?:{_EN_THING}))?"
    r"(?:\s+(?:that\s+|which\s+)?(?:you|i|we)\s+(?:just\s+)?[a-z]+(?:ed|ent|ade|id|ung|ang)\b)?"
    r"(?:\s*,\s*the\s+[a-z]+(?:ed|er)\s+(?:one|version|take))?\b", re.I)  # "..., the cleaned one": the same file
_ZH_ABOUT = re.compile(
    r"(?:这句|那句|那个|那段|那条|那首)(?P<a>[\u4e00-\u9fff]{2,6}?)(?:的)?(?=[，,。；;\s]|$|的?(?:接|混|垫|叠|放|加|转|导|降|升|剪|淡|调|标准化|存|我|你|也|还|再|单独|都))"
    # not from a verb or a preposition: "接在投诉电话的录音后面" names "投诉电话的录音"
    r"|(?![把将接拼混叠放加用给在到与对])(?P<b>[\u4e00-\u9fff]{2,6}?)(?:的)?(?:那句话?|那段|那条|那个|那首|那版|那通|录音|音频)")
# What does not name a turn: words every request uses.
_EN_COMMON = set("""this that with what which from into over under after before about these those there their them
then than your mine ours file files clip clips audio recording recordings track tracks take takes voice version one
ones part bits thing things result results output outputs same other first second third last latest whole entire
start beginning middle end second seconds minute minutes music song sound sounds speech line lines time left right
front back behind above below volume level loudness quiet loud original copy edit edits mix effect effects""".split())
# Words of a request that describe nothing in particular (for by_request_words).
_STOP_WORDS = set("""the and for but now just also too please pls can could would will you your yours its it's not
okay fine right back this that then than with without make made want wanted need needed give take let lets get got
put keep leave left one ones bit little lot more less very really actually again instead still same other others
thing things stuff something anything everything some any all both each every first second third last next previous
earlier before after later into onto from over under about around between while when where which what who whom how
why here there they them their she her him his our ours mine i'm i've i'll we'll we're you're don't doesn't didn't
isn't wasn't won't can't cannot see look sound sounds sounding like similar version versions result results file
files clip clips audio track tracks recording recordings two three four five six seven eight nine ten seconds
minute minutes hour hours thanks thank yes yeah nope sure great cool nice lol hmm sorry""".split())
_ZH_COMMON = {"这个", "那个", "这段", "那段", "一下", "帮我", "给我", "录音", "声音", "音频", "文件", "一个", "一段", "这句",
              "那句", "语音", "版本", "结果", "中文", "英文", "用中", "文说", "刚才", "之前", "我们", "你们", "时候", "处理",
              "加个", "加点", "一点", "转成", "导出", "生成", "合成", "说话", "的那"}


_NAMED = re.compile(r"[\w\-]+\.(?:wav|mp3|flac|ogg|m4a|aac|opus|jpe?g|png|webp)\b|[a-z\u4e00-\u9fff][\w]*_[\w]+", re.I)


_ORDINAL_MARK = re.compile(r"第\s*(?P<k>[一二三四五\d])\s*(?:条|段|个|份)|\b(?:the\s+)?(?P<k2>first|second|third)\s+(?:one|file|clip)\b",
                           re.I)


def _bigrams(s: str) -> set[str]:
    return {s[i:i + 2] for i in range(len(s) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", s[i:i + 2])} - _ZH_COMMON


# What a reaction emoji says in words ("the one I fire-emoji'd", "我点了赞的那条")
_EMOJI_WORDS = {"👍": "like thumbs 点赞", "🔥": "fire", "❤": "heart love 爱心", "😍": "love heart", "😂": "laugh lol 笑",
                "👏": "clap applause 鼓掌", "💯": "hundred perfect", "🙏": "thank thanks 谢谢", "🎉": "party celebrate"}


def _doc(request: str) -> str:
    """An earlier request as the text descriptions are matched against: lowercased, emoji said in words, and 了
    dropped so that "点了赞" and "点赞", "删了" and "删" meet."""
    text = request.lower()
    for emoji, words in _EMOJI_WORDS.items():
        if emoji in text:
            text += f" {words}"
    return text.replace("了", "")


def _stem(word: str) -> str:
    """'thanked' -> 'thank', 'emoji'd' -> 'emoji', 'trims' -> 'trim': enough to meet the word in another form."""
    for suffix in ("'d", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _unique_hits(text: str, docs: list[str]) -> tuple[list[int], list[tuple[str, int]]]:
    """For each doc, how many content words and Chinese bigrams of `text` it alone contains; and those hits."""
    from agent.planners.tool_rules import keyword_tools

    tokens = {w.removesuffix("'s") for w in re.findall(r"[a-z][a-z'-]{2,}", text.lower())}
    tokens |= {part for w in tokens if "-" in w for part in w.split("-") if len(part) > 2}
    words = {w for w in tokens if w not in _STOP_WORDS and w not in _EN_COMMON and not keyword_tools(w)}
    scores = [0] * len(docs)
    hits: list[tuple[str, int]] = []
    for w in words:
        found = [i for i, d in enumerate(docs) if re.search(rf"\b{re.escape(_stem(w))}(?:s|es|ed|d|ing|'d)?\b", d)]
        if len(found) == 1:
            scores[found[0]] += 1
            hits.append((w, found[0]))
    for g in _bigrams(text.replace("了", "")):
        if keyword_tools(g):
            continue
        found = [i for i, d in enumerate(docs) if g in d]
        if len(found) == 1:
            scores[found[0]] += 1
            hits.append((g, found[0]))
    return scores, hits


def zh_num(d: str) -> int:
    """'3', '三', '两' -> 3, 3, 2."""
    return int(d) if d.isdigit() else 2 if d == "两" else _ZH_DIGIT.index(d) + 1


def _main_audio(run: PastRun) -> ArtifactRecord | None:
    return next((a for a in run.outputs if a.kind == "audio"), None) or next(
        (a for a in reversed(run.made) if a.kind == "audio"), None)


# Words right before a phrase that turn it down: "the fixed version, not the raw one", "不是原版".
NEGATED = re.compile(r"(?:\bnot|\bnever|不是|不要|别用|而不是)\s*(?:the\s+|a\s+|an\s+|that\s+|my\s+)?$"
                     r"|(?:不是|不要|别用)(?:我|你)?[^，,。；;\s]{0,6}的(?:那个|那条|那段|那版)?$",
                     re.IGNORECASE)  # "不要我传的那个原始的"


class _Affirmed:
    """A pattern whose matches count only where no negation comes right before them."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern

    def search(self, text: str) -> re.Match[str] | None:
        return next((m for m in self.pattern.finditer(text) if not NEGATED.search(text[max(0, m.start() - 12):m.start()])),
                    None)


# "the witness recording itself", "at the level it came in at", "他发来的原始录音", "不要你加速过的": the file as sent
_AS_SENT = _Affirmed(rx(r"\b(?:original|raw|itself|actual\s+(?:audio|recording|file)|audio\s+file|unprocessed|untouched|unedited"
              r"|as\s+(?:i|we)\s+(?:sent|recorded|gave|uploaded|attached|shared)|came\s+in\s+at|at\s+real\s+speed|from\s+before\s+you"
              r"|nothing\s+done\s+to\s+it|before\s+you\s+(?:touched|changed|edited|processed|did\s+anything\s+to|messed\s+with))\b",
              r"原始|原声|原来的|原本的|原版|原文件|当初给你|发来的|传来的|本身|(?:降噪|加速|放慢|处理|调|剪|动它|动过|碰它)(?:之|以)?前"
              r"|没(?:有)?(?:放慢|加速|处理|降噪|调|剪|动)|不用(?:降噪|处理|调)的|不要你\S{0,4}过的|原汁原味|原样|原封不动"
              r"|(?:刚|当初|最早)?(?:发给你|传给你)(?:的)?(?:时候|时)的样子"))
# "the one you tamed", "the boosted version", "要你调过的", "加速过的那版", "弄好以后的": a version made here,
# not the file as sent (read where a phrase named the file as sent, or its upload)
_AS_MADE = _Affirmed(rx(r"\bthe\s+one\s+you\s+(?:[a-z]+ed|did|made|cut|fixed|built|worked\s+on)\b"
                        r"|\bthe\s+(?!uploaded|attached|recorded|original|shared|sent|un|non|pre)"
                        r"(?:[a-z]+ed|sped[- ]up|slowed[- ]down|cleaned[- ]up|fixed|cut|done|finished)"
                        r"\s+(?:one|version|take|copy|file)\b",
                        r"(?:你|帮我)(?:调|弄|处理|修|改|剪|降噪|加速|放慢)(?:过|好)的|(?<![别不])(?:(?!别用|不要|不是)[\u4e00-\u9fffa-z]){1,6}过的(?:那个|那条|那段|那版|版本)?(?=[，,。；;]|$)"
                        r"|(?:弄|处理|调|修|剪)(?:好|完)?(?:以后|之后)的"))


def _audio_of(run: PastRun, text: str) -> ArtifactRecord | None:
    """What a description of `run` means: the file sent when the words say so or the run made no audio (a
    transcription), else its result."""
    sent = next((a for a in run.uploads if a.kind == "audio"), None)
    if sent is not None and _AS_SENT.search(text):
        return sent
    return _main_audio(run) or sent


def _ref(a: ArtifactRecord | None) -> tuple[str, str] | None:
    return (f"@{a.id}", a.kind) if a is not None else None


class DescriptionReader:
    """The readers above, for one Resolver (its runs and this request's uploads)."""

    PATTERNS = (_QUOTE_REF, _FILE_REF, _EN_AGENT, _ZH_AGENT, _EN_POS, _ZH_POS, _EN_SAID, _ZH_SAID, _EN_NTH_SENT,
                _ZH_INPUT_OF, _ZH_TOPIC, _EN_CMP, _ZH_CMP, _EN_ABOUT, _ZH_ABOUT)

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
            return self._nth_sent(m.group("pos") or m.group("pos2"), m.groupdict().get("n"))
        if pat is _ZH_INPUT_OF:
            return self._input_of(m.group("verb"), zh_num(m.group("n")))
        if pat is _ZH_TOPIC:
            return self._by_zh_words(m.group("d"))
        if pat is _EN_CMP:
            words = tuple(w for w in (m.group("words") or "").lower().split() if w not in _EN_COMMON)
            return self._compared(*_EN_COMPARE[m.group("cmp").lower()], _how_many(m.group("two")), words)
        if pat is _ZH_CMP:
            return self._compared(*_ZH_COMPARE[m.group("zcmp")], _how_many(m.group("two")), ())
        if pat is _EN_ABOUT:
            return self._by_word((m.group("w") or m.group("w2") or m.group("w3")).lower())
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
            k = zh_num(g["turn"])
            return _ref(_main_audio(self.runs[k - 1])) if k <= len(self.runs) else None
        if g.get("first"):
            return _ref(made[0]) if made else None
        nth = g.get("nth")
        k = 2 if not nth else ({"second": 2, "2nd": 2, "third": 3, "3rd": 3}.get(nth.lower()) or zh_num(nth))
        return _ref(made[-k]) if k <= len(made) else None

    def _transcript_about(self, word: str) -> tuple[str, str] | None:
        texts = [(r, a) for r in self.runs for a in r.made if a.kind == "text" and a.tool == "transcribe"]
        about = [a for r, a in texts if word in r.request.lower()]
        a = about[-1] if about else (texts[0][1] if len(texts) == 1 else None)
        return (f"@{a.id}", "text") if a is not None else None

    def _nth_sent(self, pos: str, count: str | None = None) -> tuple[str, str] | None:
        sent = [a for r in self.runs for a in r.uploads if a.kind == "audio"]
        n = {"two": 2, "three": 3, "four": 4}.get((count or "").lower()) or (int(count) if count and count.isdigit() else 0)
        together = next(([a for a in r.uploads if a.kind == "audio"] for r in reversed(self.runs)
                         if n and sum(a.kind == "audio" for a in r.uploads) == n), None)
        sent = together or sent  # "of the two hold messages I gave you together": the request that sent two
        if not sent:
            return None
        i = {"first": 0, "former": 0, "second": 1, "third": 2, "last": len(sent) - 1, "latter": len(sent) - 1,
             "middle": len(sent) // 2}[pos.lower()]
        return _ref(sent[i]) if i < len(sent) else None

    def _input_of(self, verb: str, n: int) -> tuple[str, str] | None:
        from agent.planners.history import _tools_done

        tools = _tools_done(verb)
        for run in reversed(self.runs):
            step = next((a for a in run.made if a.tool in tools and a.inputs), None)
            if step is not None and n <= len(step.inputs):
                return _ref(self.r.ctx.artifacts.get(step.inputs[n - 1]))
        return None

    def _compared(self, what: str, sign: int, among: int, words: tuple[str, ...]) -> tuple[str, str] | None:
        """The version with the most or least of something among the versions the session made: speed, pitch or
        level as each version's step set it, or length as measured ("the shorter one")."""
        if self.r.current_audio:
            return None
        scored: list[tuple[float, ArtifactRecord, PastRun]] = []
        for run in self.runs:
            a = _main_audio(run)
            if a is None or a.source == "upload":
                continue
            if what == "length":
                if isinstance(a.meta.get("duration"), (int, float)):
                    scored.append((float(a.meta["duration"]), a, run))
                continue
            amounts = [float(s.get("args", {}).get(arg, default)) for s in run.steps
                       for tool, (arg, default) in _AMOUNTS[what].items() if s.get("tool") == tool]
            if amounts:
                scored.append((sum(amounts) if what != "speed" else math.prod(amounts), a, run))
        about = [s for s in scored if any(re.search(rf"\b{re.escape(w[:5])}", s[2].request, re.I) for w in words)]
        if len(about) >= 2:  # "the higher of the two dragon lines": the versions of that request
            scored = about
        if what == "length" and not among and not words and len(scored) > 2:
            return None  # "the shorter one" among many versions names none
        if among:  # "the slower of the two": the latest versions that many
            scored = scored[-among:]
        values = {v for v, _, _ in scored}
        if len(scored) < 2 or len(values) < 2:
            return None
        best = max(values) if sign > 0 else min(values)
        picked = [a for v, a, _ in scored if v == best]
        return _ref(picked[-1])

    def _by_word(self, word: str) -> tuple[str, str] | None:
        from agent.planners.history import _IMAGE_NOUN
        from agent.planners.tool_rules import keyword_tools

        if self.r.current_audio or word in _EN_COMMON or keyword_tools(word) or _IMAGE_NOUN.search(word):
            return None  # a photo is read by history.py ("the portrait from the beginning")
        runs = [r for r in self.runs if re.search(rf"\b{re.escape(word)}\b", r.request, re.I)]
        if len(runs) != 1:
            return None
        a = _audio_of(runs[0], self.req.original)
        if a is not None and a.id in self._lineage_of_latest() and not _AS_SENT.search(self.req.original):
            return None  # "normalize the landlord interview" after "denoise the landlord interview", "trim it": @last
        return _ref(a)

    def by_request_words(self, text: str) -> tuple[tuple[str, str], str] | None:
        """The one earlier request this request describes by content words no other earlier request used, or None.
        Not the run the latest result grew from: "now normalize the interview" after "denoise the interview" and
        "trim it" means the trimmed file, which @last already is."""
        said = " ".join(m.group(0) for m in _POINTING.finditer(text))  # "the one I fire-emoji'd, … our patients"
        got = (said and self._described_run(said)) or self._described_run(text)
        if not got:
            return None
        run, hits = got
        a = _audio_of(run, text)
        if a is None or (a.id in self._lineage_of_latest() and not _AS_SENT.search(text)):
            return None
        return (f"@{a.id}", a.kind), " ".join(hits)

    def each_by_request_words(self, text: str, named: dict[tuple[int, int], str] | None = None,
                              need: int = 2) -> list[tuple[tuple[str, str], int, int]]:
        """For a join or a mix: the earlier requests that each piece between join words describes ("Put Bluebird,
        the lowered one, in front of Harbor Lights"), as (ref, start, end of the words that said it). `named` holds
        the spans already resolved to refs ("The captain's one: put the horn blast in front of it"): their words are
        not read again and their files not picked again. Empty unless `need` more different files are found."""
        named = named or {}
        taken = set(named.values())
        found: list[tuple[tuple[str, str], int, int]] = []
        cuts = [0, *(x for m in _JOIN_SPLIT.finditer(text) for x in (m.start(), m.end())), len(text)]
        for s, e in zip(cuts[::2], cuts[1::2]):
            piece = text[s:e]
            for ns, ne in named:  # blank out what a pattern already read, keeping the offsets
                lo, hi = max(ns, s), min(ne, e)
                if lo < hi:
                    piece = piece[:lo - s] + " " * (hi - lo) + piece[hi - s:]
            got = self._described_run(piece)
            a = _audio_of(got[0], piece) if got else None
            if a is None or f"@{a.id}" in taken:
                continue
            taken.add(f"@{a.id}")
            spots = [x.span() for w in got[1] for x in [re.search(re.escape(w), piece, re.I)] if x] or [
                (len(piece) - len(piece.lstrip()), len(piece.rstrip()))]  # a bigram met only with 了 dropped
            found.append(((f"@{a.id}", a.kind), s + min(p for p, _ in spots), s + max(q for _, q in spots)))
        return found if len(found) >= need else []

    def _described_run(self, text: str) -> tuple[PastRun, list[str]] | None:
        """The earlier run whose request shares the most content words with `text` that no other request used.

        A remark that made nothing ("Sent that to my business partner Reza", "这版我已经发给老周听了", "🔥🔥 exactly
        the tone") speaks of the result before it, or of the earlier file its own words name, so its words count
        for that run ("the version Reza has", "老周听过的那版", "the one I fire-emoji'd")."""
        runs: list[PastRun] = []
        docs: list[str] = []
        for r in self.runs:
            if r.uploads or r.made:
                runs.append(r)
                docs.append(_doc(r.request))
            elif docs:
                scores, _ = _unique_hits(r.request, docs)
                best = max(scores)
                about = scores.index(best) if best and scores.count(best) == 1 else len(docs) - 1
                docs[about] += "\n" + _doc(r.request)
        if len(runs) < 2:
            return None
        scores, hits = _unique_hits(text, docs)
        best = max(scores)
        if best == 0 or scores.count(best) != 1:
            return None
        i = scores.index(best)
        return runs[i], [w for w, at in hits if at == i]

    def by_described_version(self, text: str) -> tuple[tuple[str, str], str] | None:
        """'the one with the crash in it', 'the lossless one', 'the one we kept in stereo', '有人咳嗽的那个': a phrase that
        points at one earlier version, read against what each earlier request said and what its steps did (their
        tools and amounts in words: flac is lossless, 2 channels are stereo, a positive gain is louder). Only where
        the words pick one earlier run that is not the one the latest result came from (that is @last anyway)."""
        said = [m.group("d") or m.group("zd") or "" for m in _POINTING.finditer(text)]
        got = self._version_described(said, text)
        if got is None or got[0][1:] in self._lineage_of_latest():
            return None
        return got, " ".join(said)

    def pointed_versions(self, text: str) -> list[tuple[int, int, tuple[str, str]]]:
        """Each phrase that points at an earlier file by what it has or had ("the one with the fridge hum", "back to
        the one that had the hiss", "有电流声的那个", "带海浪声的那条"), as (start, end, ref). Read as one phrase, so
        its words name the file and never a step (the hum is not to be removed again). The latest result stands
        for its own lineage: its later edits are kept."""
        out = []
        for m in _POINTING.finditer(text):
            d = m.group("d") or m.group("zd") or ""
            if m.group("d") and not _HAS_OR_HAD.search(d) or m.group("zd") and not _ZH_HAS.match(d):
                continue
            got = self._version_described([d], text)
            if got is not None:
                latest = next((a for a in self.r.ctx.last if a.kind == "audio"), None)
                if latest is not None and got[0][1:] in self._lineage_of_latest() and not _AS_SENT.search(text):
                    got = _ref(latest) or got
                out.append((m.start(), m.end(), got))
        return out

    def _version_described(self, said: list[str], text: str) -> tuple[str, str] | None:
        from agent.planners.tool_rules import keyword_tools

        words = {w for d in said for w in re.findall(r"[a-z][a-z'-]{2,}", d.lower())
                 if w not in _STOP_WORDS and w not in _EN_COMMON}
        grams = {g for d in said for g in _bigrams(d) if not keyword_tools(g)}
        runs = [r for r in self.runs if _main_audio(r) is not None]
        if not (words or grams) or len(runs) < 2:
            return None
        docs = [_version_words(r) for r in runs]
        scores = [sum(any(x.startswith(w[:5]) for x in doc) for w in words) + sum(g in r.request for g in grams)
                  for r, doc in zip(runs, docs)]
        best = max(scores)
        if best == 0 or scores.count(best) != 1:
            return None
        return _ref(_audio_of(runs[scores.index(best)], text))

    def _lineage_of_latest(self) -> set[str]:
        """The previous result (what @last reads) and everything it was made from; empty when it was no audio."""
        seen: set[str] = set()
        todo = [a for a in self.r.ctx.last if a.kind == "audio"][:1]
        while todo:
            a = todo.pop()
            if a.id in seen:
                continue
            seen.add(a.id)
            todo += [p for p in (self.r.ctx.artifacts.get(i) for i in a.inputs) if p is not None]
        return seen

    def _by_zh_words(self, desc: str) -> tuple[str, str] | None:
        from agent.planners.history import _tools_done

        words, tools = _bigrams(desc), _tools_done(desc)
        # "英文那句" after "用英语说：…": a language, by any of its names
        langs = {code for name, code in LANGUAGES.items() if name in desc.lower()}
        if not (words or tools or langs) or self.r.current_audio:
            return None

        def speaks(r: PastRun) -> bool:
            return any(code in langs and name in r.request.lower() for name, code in LANGUAGES.items())

        scored = [(2 * len(tools & {a.tool for a in r.made}) + sum(w in r.request for w in words) + speaks(r), i)
                  for i, r in enumerate(self.runs)]
        best = max((s for s, _ in scored), default=0)
        tops = [i for s, i in scored if s == best]
        if best == 0 or len(tops) != 1:
            return None
        run = self.runs[tops[0]]
        return _ref(self._one_of_its_files(run, words) or _audio_of(run, self.req.original))

    def _one_of_its_files(self, run: PastRun, words: set[str]) -> ArtifactRecord | None:
        """'一分多钟的那条' after '第一条就几秒，第二条一分多钟，第三条二十秒左右': the file the earlier request described
        with those words (as sent when the words say so, else what was made from it)."""
        sent = [a for a in run.uploads if a.kind == "audio"]
        marks = list(_ORDINAL_MARK.finditer(run.request))
        if len(sent) < 2 or len(marks) < 2 or not words:
            return None
        spans = [(m, marks[i + 1].start() if i + 1 < len(marks) else len(run.request)) for i, m in enumerate(marks)]
        scored = [(sum(w in run.request[m.start():end] for w in words), m) for m, end in spans]
        best = max(s for s, _ in scored)
        top = [m for s, m in scored if s == best]
        if best == 0 or len(top) != 1:
            return None
        mark = top[0].group("k") or top[0].group("k2")
        k = {"first": 1, "second": 2, "third": 3}.get(mark.lower()) or zh_num(mark)
        if k > len(sent):
            return None
        if _AS_SENT.search(self.req.original):
            return sent[k - 1]
        return next((a for a in run.made if a.kind == "audio" and a.inputs[:1] == [sent[k - 1].id]), sent[k - 1])
