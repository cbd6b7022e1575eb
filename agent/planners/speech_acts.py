"""What kind of sentence a clause is, for the rule planner: a statement about the audio ("the song ends
too abruptly", "这个音频太小声了"), thanks or praise ("love it", "谢谢"), or a request; and typo repair
that is safe to run on every clause (swapped letters, one dropped letter, Chinese homophones).

Chatty requests describe the problem and then ask for the fix: "this is way too quiet, can you
normalize it to -16 LUFS?". The description is context: when the same request asks for something
explicitly, the steps its statements would imply are left out (unless the ask says "also"); a request
made only of statements ("it's too quiet") is still read as asking for the fix.

The last section holds what surrounds an ask without being one: a label at the head ("Dubbing job.",
"无人机航拍的声音"), what the audio is for ("so for the wedding video"), a self-correction ("pitch +2 st. wait
no, -2 st", "高通……不对，低通"), a step the user does not want ("no reverb, just make it louder", "别加混响"), a
file left alone ("leave the chipmunk as is"), the language spoken ("caller speaks english", "说的是普通话"), and
a question whether the asked-for steps can be done ("Can your AI handle broadcast compliance?").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from agent.planners.lexicon import LANG_EN, LANG_ZH, rx

if TYPE_CHECKING:
    from agent.planners.clauses import Clause

_OPENERS = r"(?:(?:oh|well|so|but|and|because|cause|since|lol|lmao|ugh|hmm|honestly|basically|btw|fyi|ps|also)\s+)*"
_SUBJECT_DET = r"(?:the|my|our|your|his|her|their|this|that|these|those|its|first|second|third|both|each|all|every)"
_VERB_AFTER_NOUN = (r"(?:is|are|was|were|isn't|aren't|wasn't|'s|has|have|had|hasn't|sounds?|sounded|ends?|ended|starts?"
                    r"|started|begins?|began|seems?|seemed|feels?|felt|looks?|gets?|got|keeps?|kept|comes?|came|goes?"
                    r"|went|cuts?\s+off|stops?|stopped|drops?\s+out|contains?|needs?|lacks?|doesn't|don't|didn't"
                    r"|can't|won't|will|would|should|must|hums?|buzz(?:es)?|hisses|clips|peaks|runs?|wants?|requires?"
                    r"|expects?|uses|accepts?|supports?|prefers?|only\s+(?:takes|plays|accepts|supports))")
_NOT_NOUN = (r"(?!(?:seconds|minutes|hours|levels|vocals|drums|highs|lows|mids|lyrics|words|files|clips|tracks"
             r"|recordings|samples|channels|effects|semitones|decibels|parts|bits|ends|sides)\b)")
_NOT_AFTER_ARTICLE = r"(?<!\bthe\s)(?<!\ban\s)(?<!\ba\s)(?<!\bits\s)(?<!\bmy\s)"  # "at the end" is no verb
DECLARATIVE = rx(
    rf"^{_OPENERS}(?:it's|its|it\s+is|it\s+was|that's|thats|that\s+is|there's|theres|there\s+(?:is|are|was|were)"
    r"|here's|i'm|im|i've|ive|i'd|i'll|we're|we've|they're|you're|this\s+is|these\s+are)\b",
    rf"^{_OPENERS}it\s+(?:\w+n't\s+|really\s+|just\s+|kind\s+of\s+|kinda\s+|still\s+|always\s+)?{_VERB_AFTER_NOUN}\b",
    rf"^{_OPENERS}(?:i|we|they|he|she|you)\s+(?:\w+n't\s+|really\s+|just\s+|also\s+|kind\s+of\s+|kinda\s+|think\s+"
    r"|feel\s+|already\s+|recently\s+)?(?:am|was|were|have|had|do|did|don't|didn't|can't|recorded|made|got|think"
    r"|feel|hope|plan|love|like|hate|tried|noticed|realized|realised|found|uploaded|sent|used|wanted|needed|wrote"
    r"|guess|suppose|mean|just)\b",
    rf"^{_OPENERS}{_SUBJECT_DET}\s+(?:[\w'-]+\s+){{0,5}}?{_NOT_AFTER_ARTICLE}{_VERB_AFTER_NOUN}\b",
    rf"^{_OPENERS}{_SUBJECT_DET}\s+(?:[\w'-]+\s+){{0,3}}?{_NOT_NOUN}[a-z]+[^s\W]s\s+(?:too|way|really|very|so|a\s+bit"
    r"|kind\s+of|kinda|super|pretty|quite|much|all|like|on|forever|along|around)\b",
    rf"^{_OPENERS}{_SUBJECT_DET}\s+(?:[\w'-]+\s+){{1,3}}?[a-z]{{3,}}ed\s+(?:up|a|an|the|some|too|way|so|really|in|from"
    r"|on|during|at|all|like|badly)\b",
    rf"^{_OPENERS}(?:[\w'-]+\s+){{1,2}}(?:is|are|was|were)\s+(?:my|our|the|a|an|his|her|their|just|only|some)?\s*[\w'-]+",
    # "rc car race intro music is 128 bpm", "the narrator reads at about 180 words a minute": a measurement
    r"^(?:[\w'/-]+\s+){1,6}(?:is|are|was|runs?\s+at|sits?\s+at|reads?\s+at|(?:is\s+)?read\s+at)\s+(?:about\s+|around\s+|roughly\s+)?"
    r"[\d.]+\s*(?:bpm|wpm|words|hz|khz|lufs|db|s|seconds?|minutes?)\b",
    r"^(?:这|那|它|我|这个|那个|这段|那段|这首|整体|整个|声音|音量|语速|速度|开头|结尾|最后|前面|后面|背景)[^，,。！!？?]{0,20}"
    r"(?:太|有点|有些|全是|都是|总是|老是|特别|非常|很|比较|好像|感觉|听起来|突兀|不够|不太|跟不上|听不清|吵|有很多|有好多|有一些)",
    r"^(?:我|我们)(?:怕|担心|觉得|感觉|发现|听着|听起来|录的|录了|刚录|想说)",
    r"^[^，,。！!？?把将帮请]{0,10}(?:估计|可能|应该|大概|恐怕)会",  # "降完声音估计会变小": a guess at what follows
    r"(?:太|有点)\S{0,4}了(?:吧|啊|呀)?$",
)
THANKS = rx(
    r"^(?:(?:ok(?:ay)?|great|cool|nice|perfect|awesome|wow|yes|yeah|yay|lol|haha|thanks|thank\s+you)[\s,!.]*)*"
    r"(?:thanks?(?:\s+(?:a\s+lot|so\s+much|in\s+advance|again))?|thank\s+you(?:\s+(?:so\s+much|very\s+much))?|thx|ty"
    r"|cheers|much\s+appreciated|appreciate\s+it|love\s+(?:it|this|that)|looks\s+good|sounds\s+(?:good|great|perfect)"
    r"|(?:that's|that\s+is|this\s+is|it's)\s+(?:\w+\s+)?(?:better|great|good|perfect|nice|awesome|amazing|fine)"
    r"|well\s+done|good\s+job|nice\s+work|great\s+work)\b",
    r"^(?:谢谢|多谢|感谢|谢了|辛苦|麻烦了|好的|好|不错|很好|太好了|可以了|挺好|棒|完美|ok)",
    r"(?:不错|很好|挺好|太好了|谢谢|多谢)(?:啦|了|呀|哦|哈)?[!！。.]*$",
    r"^(?:上一个|上个|刚才(?:那个|的)?|之前(?:那个|的)?|这个|那个)?(?:结果|版本|效果)?(?:挺|很|非常|真|还)?(?:好|不错|棒|可以)的?(?:啦|了|呀|哦|哈)?[!！。.]*$",
)
# Taking back or waving off what came before: "forget that", "never mind", "算了" (no step of its own)
DISMISS = rx(r"^(?:(?:ok(?:ay)?|fine|alright|oh|well|hmm|no|nah|sorry|lol|right)[\s,!.]*)*(?:forget\s+(?:it|that|about\s+(?:it|that)|(?:about\s+)?the\s+[\w'-]+(?:\s+(?:thing|question|idea))?)"
             r"|never\s*mind(?:\s+(?:that|then))?|scratch\s+that|ignore\s+(?:that|it|the\s+last\s+one)|no\s+worries"
             r"|doesn'?t\s+matter|not\s+important|(?:let'?s\s+)?move\s+on|anyway|skip\s+(?:it|that)(?:\s+then)?"
             r"|fair(?:\s+enough)?|understood|got\s+it|ok(?:ay)?|fine|right"
             # "I'll send them myself", "I'll upload it": what the user does instead of a refused request
             r"|i'?ll\s+(?:just\s+)?(?:send|upload|post|share|do|publish|email)\s+(?:it|them|that|those)(?:\s+myself)?)\s*[.!]*$",
             r"^(?:好吧|那|哦|行吧)?(?:算了|不用了|没事|当我没说|不管了|无所谓)(?:吧|了)?$"
             r"|^(?:好吧|行吧|那好吧)?我自己(?:发|来|弄|传|上传|发吧)(?:吧)?$")
# What the result is for: "it's for my podcast", "做成铃声" (no step of its own)
PURPOSE = rx(r"^(?:(?:it'?s|this\s+is|that'?s)\s+)?(?:(?:make|turn)\s+(?:it|this)\s+)?(?:just\s+)?(?:for|as|into)\s+"
             r"(?:a\s+|an\s+|my\s+|our\s+|the\s+)?"
             r"(?:\w+\s+)?(?:ringtone|podcast|video|youtube|instagram|tiktok|presentation|game|intro|outro|email|website|app"
             r"|project|client|class|meeting|demo|trailer|ad|advert|commercial|audiobook|voicemail|alarm)s?\s*$",
             r"^(?:这个|这段|它)?(?:录音|音频|文件|声音)?(?:做成|变成|当作?|作为|用作|用来当?|拿来当?)(?:手机|我的|闹钟)?"
             r"(?:铃声|闹铃|片头|片尾|开场白|提示音)$|^(?:我要|要)?(?:发|传|给|放)[^，,。]{0,8}用的?(?:吧|啊|哈)?$",
             # "before I send this off, ...": when or why, not what
             r"^(?:before|after|once|when|since|because|so\s+that)\s+(?:i|we|they|you)\b(?![^,;]*\b(?:please|can\s+you)\b)")
# "the text is '...'", "内容是“...”": the words for the neighbouring speech step
QUOTE_INTRO = rx(r"^(?:with\s+)?(?:the\s+)?(?:text|words?|content|line|message|script|sentence|wording)\s*"
                 r"(?:is|are|should\s+be|reads?|says?|:)?\s*⟦q[a-z]⟧\s*$",
                 r"^(?:内容|文字|文本|台词|原文|句子|文案|话)\s*(?:是|为|：|:)?\s*⟦q[a-z]⟧\s*$")
# An ask that adds to what was described: "it's too quiet. Also cut the first second".
ADDITIVE = rx(r"\b(?:also|too|as\s+well|in\s+addition|additionally|plus)\b", r"还|也|另外|顺便|同时|再")
# Request markers: a clause with one of these asks for something, whatever else it says.
ASKS = rx(
    r"\b(?:can|could|would|will)\s+(?:you|u)\b|\bplease\b|\bpls\b|\bplz\b|\bi\s+(?:want|need|would\s+like|'d\s+like)\b"
    r"|\bi'd\s+like\b|\blet'?s\b|\bhelp\s+me\b|\bmake\s+sure\b",
    # "请假" is a leave of absence, "给我妈的" is for my mum: neither asks anything
    r"帮我|帮忙|请(?!假|客)|麻烦|能不能|能否|可不可以|可以帮|给我(?!妈|爸|老婆|老公|女|男|儿|朋友|们|哥|姐|弟|妹|家|爷|奶|外|同事|老板)|^(?:各自|分别|都|也|再|先|然后|就|直接)?(?:把|将)|^让|^用|^加|^去掉|^去除|^删|^剪|^转|^调|^降(?!完|好了)|^提高|^放慢|^加快")
# "... without changing the pitch": the thing named is kept as it is, not asked for.
KEEP_AS_IS = rx(
    r"\b(?:same|unchanged)\s+(?:pitch|key|tempo|speed)\b|\b(?:pitch|key)\s+(?:unchanged|intact|preserved|the\s+same)\b"
    r"|音调(?:别|不要|不)变|不变调|音高不变|音调不变|(?:音调|音高)(?:别|不要|不用|不)(?:动|改)|(?:音调|音高)保持(?:原样|不变|原来的样子)"
    r"|保持(?:原来的)?(?:音调|音高)"
    # "pitch 保持", "声音别变粗", "高频不动", "别给我改"
    r"|(?:pitch|key|音调|音高|调门)\s*(?:保持|不变|别变|(?:别|不要|不用)(?:跟着)?(?:动|变|改))|(?:音量|响度)(?:就)?(?:别|不要|不用)(?:动|改|变)(?:了)?|(?:速度|节奏|tempo|语速|快慢)(?:别|不要|不)(?:变|动|改)|(?:声音|音色|嗓音)(?:别|不要|不能)变(?:粗|细|尖|沉|怪|低|高)"
    r"|(?:高频|低频|中频|高音|低音|中音|treble|bass|mid)\s*(?:不动|别动|不变|不用动)|(?:^|(?<=[，,。；;]))(?:你)?(?:就)?(?:别|不要)(?:给我)?(?:改|动)(?:它|了)?(?=$|[，,。！!])",
    r"\bkeep\s+the\s+(?:pitch|key)\s+(?:where\s+it\s+is|as\s+it\s+is|the\s+same|unchanged)\b",
    r"\bat\s+(?:the|its)\s+(?:original\s+)?level\s+(?:it\s+came\s+in\s+at|it\s+was\s+(?:sent|uploaded)(?:\s+at)?)\b",
    r"\b(?:without|with\s*out)\s+(?:changing|affecting|altering|touching|messing\s+(?:up|with)|shifting|modifying)\s+"
    r"(?:the\s+|its\s+|my\s+)?(?:pitch|key|tempo|speed|timing|length|duration|volume|loudness|tone)\b",
    r"\b(?:keep|keeping|preserve|preserving|maintain|maintaining)\s+(?:the\s+|its\s+|his\s+|her\s+|their\s+|my\s+|our\s+)?"
    r"(?:voice\s+)?(?:same\s+)?"
    r"(?:pitch|key|tempo|speed|length|duration|volume|loudness)(?:\s+(?:the\s+same|unchanged|intact|as\s+is))?\b",
    r"\b(?:the\s+)?(?:pitch|key|tempo|speed|length|volume)\s+(?:should\s+)?(?:stays?|remains?)\s+(?:the\s+same|unchanged)\b",
    r"\bwithout\s+(?:making|letting|having)\s+(?:it|them|him|her|the\s+\w+|my\s+\w+)\s+(?:sound\s+|get\s+|go\s+|become\s+)?"
    r"(?:like\s+(?:a\s+)?)?(?:any\s+|too\s+)?(?:deeper|higher|lower|squeaky|chipmunk\w*|different|faster|slower|louder|quieter|weird|robotic)\b",
    # "please don't run any loudness normalisation on it": a tool waved off by name
    r"\b(?:don'?t|do\s+not|no\s+need\s+to)\s+(?:run|apply|use|do|add|touch)\s+(?:any\s+|the\s+)?(?:loudness\s+)?"
    r"(?:normali[sz]\w*|eq|equali[sz]\w*|reverb|fades?|trimming)\b",
    # "no EQ changes please", "no normalising": a tool waved off by name
    r"\bno\s+(?:eq|equali[sz]\w*|reverb|fad(?:e|es|ing)|trimming|pitch|normali[sz]\w*|loudness)\s*(?:changes?|tweaks?|adjustments?)?"
    r"(?:\s+(?:please|needed|thanks))?\s*$",
    # "don't let everyone go helium-voiced", "without the chipmunk effect", "no mickey mouse voices", "声音别变尖"
    r"\b(?:don'?t|do\s+not|never)\s+(?:let|make|have)\s+(?:it|them|him|her|everyone|everybody|anyone|the\s+\w+)\s+"
    r"(?:sound\s+|go\s+|get\s+|turn\s+)?(?:all\s+)?(?:like\s+(?:a\s+)?)?(?:helium|chipmunk|squeaky|mickey)\w*"
    r"|\b(?:without|no)\s+(?:the\s+|any\s+)?(?:helium|chipmunk|mickey\s+mouse|squeaky)\w*(?:[- ]voice\w*|\s+effect)?\b"
    r"|\bwithout\s+(?:his|her|their|its|the|my)\s+(?:voice|pitch|key|sound|tone)\s+(?:getting|going|sounding|becoming)\s+(?:any\s+)?"
    r"(?:deeper|higher|lower|faster|slower|squeaky|different|weird)\b"
    # "key has to stay teh same", "leave channels", "stereo's fine", "dont change anyhting",
    # "nothing else needs changing"
    r"|\b(?:the\s+)?(?:key|pitch|tempo|speed|channels?|length|level|volume|bass|treble)\s+(?:(?:has|have|needs?)\s+to|must|should)\s+stay"
    r"\s+(?:the\s+)?(?:same|as\s+(?:it\s+)?is|put|where\s+it\s+is)\b"
    r"|\bleave\s+(?:the\s+)?(?:channels?|sample\s+rate|pitch|key|tempo|speed|level|volume|length|bass|treble|highs|lows|mids)\b"
    r"(?:\s+(?:alone|as\s+(?:it\s+)?is))?"
    r"|\b(?:stereo|mono|the\s+(?:pitch|key|speed|tempo|level|volume|length))(?:'s|\s+is)\s+fine\b"
    r"|\b(?:don'?t|dont|do\s+not)\s+(?:change|touch|edit|alter)\s+(?:any\w*|a\s+thing|it)\b|\bnothing\s+else\s+needs?\s+(?:changing|to\s+change)\b"
    r"|\bno\s+need\s+to\s+(?:touch|change|adjust)\s+(?:the\s+)?(?:volume|level|loudness|pitch|speed|tempo|eq)\b(?:\s+or\s+anything\s+else)?"
    # "plus or minus one is fine", "give or take a couple", "anything from 2 to 4 is fine": a tolerance, not a step
    r"|\b(?:give\s+or\s+take|plus\s+or\s+minus|±)\s*(?:a\s+couple|a\s+bit|a\s+little|one|two|[\d.]+)(?:\s*(?:db|s|seconds?|%))?"
    r"(?:\s+(?:is\s+)?(?:fine|ok|okay))?"
    r"|\bjust\s+(?:change\s+)?the\s+format\b"
    r"|\b(?:and\s+)?(?:(?:i\s+want\s+)?it\s+to|it\s+should|let\s+it|keep\s+it\s+that\s+way|it\s+needs\s+to)\s+stay\s+(?:that\s+way|like\s+that"
    r"|as\s+(?:it\s+)?is)\b"
    r"|\banything\s+(?:from|between)\s+[\d.]+\s+(?:to|and)\s+[\d.]+\s+(?:is\s+)?(?:fine|ok|okay)\b"
    r"|(?:声音|音调|嗓音)?(?:别|不要|不能)(?:变尖|变调|尖)",
    r"(?:但)?(?:不要|不|别|不会)(?:改变|改|变|影响|动)(?:原来的|原有的)?(?:音调|音高|速度|语速|节奏|时长|长度|音量)"
    r"|(?:音调|音高|速度|语速|节奏|时长|音量)(?:保持)?不变")


# A clause that starts with a verb asks for something ("cut the first second").
IMPERATIVE = rx(
    r"^(?:make|add|remove|cut|trim|crop|fade|normali[sz]e|boost|raise|lower|turn|put|mix|join|combine|merge|concat\w*|roll"
    r"|convert|export|save|transcribe|say|read|speak|give|apply|reduce|increase|decrease|slow|speed|pitch|shift"
    r"|transpose|denoise|clean|bring|get|set|change|keep|delete|drop|take|extract|resample|downsample|filter|eq"
    r"|equali[sz]e|amplify|mute|level|render|encode|generate|create|tell|measure|analy[sz]e|check|detect|identify"
    r"|write|do|fix|stitch|append|layer|overlay|lay|shorten|chop|skip|isolate|insert|place|attach|tack|split|play"
    r"|stretch|double|halve|pump|crank|kill|knock|strip|dehum|use|send|let|try|go|run|high[- ]?pass|low[- ]?pass)\b",
    r"^(?:加|去|删|剪|裁|截|转|调|降(?!完|好了)|升|提|放|拼|混|合|淡|导|存|保存|输出|生成|(?:说|念|读)(?![得到的过完着])|用|把|将|给|帮|请|麻烦|再|先|然后)")


def asks(c: "Clause") -> bool:
    """The clause asks for something: a request marker or a leading verb."""
    # "…, but cut everything below 60 Hz"
    core = re.sub(r"^(?:(?:but|and|so|then|also|just|though)\s+)+", "", c.core.strip())
    return bool(ASKS.search(c.raw.lower()) or IMPERATIVE.search(core))


def declarative(core: str, raw: str) -> bool:
    """A statement about the audio or the user, not a request ('the song ends too abruptly', '开头太突兀了')."""
    if ASKS.search(raw.lower()) or IMPERATIVE.search(core.strip()):
        return False
    return bool(DECLARATIVE.search(core.strip()))


def thanks(core: str) -> bool:
    return bool(THANKS.search(core.strip(" !.?。！？~")))


# ------------------------------------------------------------------ typos safe to fix everywhere
# Words a typo is repaired towards, besides the tool rules' own (tool_rules.ToolRule.words).
TYPO_WORDS = frozenset("""
remove lower higher louder quieter softer small large medium seconds minutes semitones semitone octave octaves
length duration speed reverb normalize export convert transcribe transcript language write lyrics pitch treble bass
volume noise silence between channel channels stereo mono fade faster slower trim please delete first second
decibels background music slow fast louder quieter
""".split())
_COMMON = frozenset("""
silent listen least steal slate stale tales cause sauce earth heart hater thing night thgin lemon melon
""".split())


def safe_typo(word: str, vocab: frozenset[str]) -> str | None:
    """A vocabulary word `word` is a typo of: the same letters swapped (5+ letters: 'remvoe', 'trebel'),
    or one letter dropped (4+ letters, of a 5+ letter word: 'lowr', 'smal')."""
    if len(word) < 4 or word in vocab or word in _COMMON:
        return None
    key = "".join(sorted(word))
    for v in _BY_LETTERS.get(vocab, {}).get(key, ()):
        diff = [i for i, (a, b) in enumerate(zip(v, word)) if a != b]
        if v != word and (len(diff) <= 3 if len(word) >= 5 else len(diff) == 2 and diff[1] == diff[0] + 1):
            return v
    for i in range(len(word) + 1):
        for v in _DROPPED.get(vocab, {}).get(word[:i] + "\0" + word[i:], ()):
            return v
    return None


_BY_LETTERS: dict[frozenset[str], dict[str, list[str]]] = {}
_DROPPED: dict[frozenset[str], dict[str, list[str]]] = {}


def index_vocab(vocab: frozenset[str]) -> None:
    """Precompute the look-ups of safe_typo for a vocabulary."""
    by: dict[str, list[str]] = {}
    dropped: dict[str, list[str]] = {}
    for v in vocab:
        by.setdefault("".join(sorted(v)), []).append(v)
        if len(v) >= 5:
            for i in range(len(v)):
                dropped.setdefault(v[:i] + "\0" + v[i + 1:], []).append(v)
    _BY_LETTERS[vocab] = by
    _DROPPED[vocab] = dropped


# Chinese input-method slips: a keyword typed with a same-sounding character (降燥 for 降噪).
_HOMOPHONES = {
    "噪": "燥躁澡造皂", "响": "想享象向香项", "字": "子自资", "速": "素诉宿塑", "量": "亮两良粮", "频": "品贫",
    "调": "掉吊", "混": "魂浑", "剪": "减简见检", "淡": "蛋但", "音": "因阴应英", "声": "生升胜",
    "转": "专砖", "写": "些鞋", "拼": "品频", "接": "节街借", "录": "路陆鹿", "标": "表",
    "化": "话画花", "降": "将匠", "采": "彩菜", "样": "羊洋", "低": "底地", "高": "搞告", "通": "同", "滤": "虑率",
    "波": "拨播", "嗡": "翁", "加": "家佳", "减": "剪简", "贝": "背倍备", "道": "到倒",
}
_ZH_KEYWORDS = ("降噪", "去噪", "噪音", "噪声", "混响", "文字", "转写", "语速", "音量", "音调", "淡入", "淡出",
                "标准化", "响度", "低音", "高音", "采样率", "拼接", "拼起来", "低通", "高通", "滤波", "嗡嗡", "变调",
                "速度", "录音", "加速", "减速", "声道", "分贝")


def _zh_pattern(word: str) -> re.Pattern[str]:
    parts = []
    for ch in word:
        alts = _HOMOPHONES.get(ch, "")
        parts.append(f"[{ch}{alts}]" if alts else re.escape(ch))
    return re.compile("".join(parts))


_ZH_FIXES = [(w, _zh_pattern(w)) for w in _ZH_KEYWORDS]


def fix_zh_homophones(text: str) -> str:
    """Replace a keyword typed with one wrong same-sounding character by the keyword."""
    if not re.search(r"[\u4e00-\u9fff]", text):
        return text
    for word, pat in _ZH_FIXES:
        def sub(m: re.Match[str], word: str = word) -> str:
            got = m.group(0)
            return word if sum(a != b for a, b in zip(got, word)) == 1 else got

        text = pat.sub(sub, text)
    return re.sub(r"去调(?=$|[吧啊呀了哈，,。！!])", "去掉", text)  # "帮忙去调": 去掉 typed as 去调


# ------------------------------------------------------------------ context around an ask
def proper_names(raw: str) -> set[str]:
    """Capitalised words inside a sentence ("from Easter Sunday"): names, never typos of a tool word."""
    return {w.lower() for w in re.findall(r"(?<=[a-z,;:'] )[A-Z][a-z]+|\b[A-Z][a-z]+(?= [A-Z][a-z]+)", raw)}


FOR_A_VIDEO = re.compile(r"\bfor\s+(?:a|an|my|the|our|her|his|their|this|that)\s+(?:[\w-]+\s+){0,2}videos?\b"
                         r"|我拍了?(?:一)?个?[\u4e00-\u9fff]{0,4}视频")  # "我拍了个对比视频": what the user made

AUDIO_EXPORTED = rx(r"\b(?:exported|extracted|pulled|ripped|separated)\s+(?:the\s+)?audio(?:\s+(?:already|out|separately))?\b"
                    r"|\baudio\s+(?:is\s+)?already\s+(?:exported|extracted)\b", r"(?:已经)?单独导出(?:来)?了|已经导出来了|单独导出的")

LEFT_ALONE = re.compile(r"(?:leave|keep)\s+(?:the\s+|my\s+|her\s+|his\s+|that\s+)?[\w' -]{1,30}?\s+(?:as\s+(?:it\s+)?is|alone"
                        r"|untouched|unchanged)(?:\s+now)?|[\u4e00-\u9fff]{1,8}?(?:不用动|别动|不要动|保持不变|就那样吧?)")

CONVERT_IT = rx(r"\bget\s+(?:it|them|(?:this|that|the)(?:\s+\w+){0,2})\s+into\s+(?:that|this|the\s+right)\s+(?:shape|format"
                r"|spec)\b", r"(?:转|转换|弄|处理)(?:一下|好)(?:吧|呗)?$")

SAYS_LANGUAGE = re.compile(rf"(?:(?:the\s+)?[\w-]+\s+)?(?:speaks?|it'?s(?:\s+all)?(?:\s+in)?)\s+(?:{LANG_EN})(?:\s+throughout)?"
                           rf"|(?:他|她|他们|都)?(?:说的是|讲的是|说的|讲的|是|都是)(?:{LANG_ZH})(?:的)?")

FIND_THEN = re.compile(r"\b(?:detect|find|identify|locate|spot|pick\s+out)\s+(?:it|them|that|those|these)\s+and\s+(?:then\s+)?"
                       r"(?=(?:remove|strip|cut|kill|reduce|get\s+rid|take|clean|fix|filter|lower|mute))")

FIND_IT = re.compile(r"^(?:can\s+you\s+|could\s+you\s+|please\s+)?(?:detect|find|identify|locate|spot)\s+(?:it|them|that|those)$")

CORRECTION = rx(r"^(?:(?:wait|hold\s+on|sorry|oops|um+|uh+)[\s,]*)+(?:no|nope|i\s+mean|make\s+(?:that|it))?\b[\s,]*"
                r"|^(?:no|nope)[\s,]+(?:wait|sorry)\b[\s,]*|^(?:i\s+mean|make\s+that|correction:?)\s*,?\s*"
                r"|^(?:no|nope)[\s,.!]*$",  # "wait no, -2 st": "wait" is stripped as a lead word
                r"^(?:不对|不是不是|哦不|啊不|说错了|错了|更正一下|更正)[\s,，:：]*")

BUT_FIRST = rx(r"^(?:but\s+)?first(?:\s+though)?\b|^but\s+before\s+that\b", r"^(?:不过|但是?|可是)\s*(?:要)?先")

NOT_THIS = rx(r"^(?:but\s+)?(?:no|don'?t|do\s+not|never|not)\s+(?!more\s+than|longer\s+than|less\s+than|higher\s+than"
              r"|louder\s+than|quieter\s+than|shorter\s+than|over\b|under\b|above\b|below\b|too\b)"
              r"(?:(?:add|use|apply|put|want|need|do)\s+)?(?:any\s+|the\s+|a\s+|an\s+)?(?:more\s+)?"
              r"(?:reverb|echo|fade\w*|music|effects?|eq|compression|filter\w*|noise\s+reduction|denois\w*|pitch\w*"
              r"|speed\s*up|slow\w*|translat\w*)\b(?:\s+(?:please|pls|thanks|this\s+time|needed))?[\s.!]*$",
              r"^(?:但是?|不过)?(?:不要|别|不用|无需|不需要)(?:再)?(?:加|用|做|放)?(?:任何)?"
              r"(?:混响|回声|淡入|淡出|音乐|背景音乐|特效|效果|降噪|变调|变速)(?:了|啊|哦)?$")

# "不用翻译歌词哈，就拿这个MIDI的旋律唱": a capability waved off is not asked for
WAVED_OFF = rx(r"\b(?:no\s+need\s+to|don'?t|do\s+not|never\s+mind(?:\s+the)?|without|not\s+(?:a|an|any)|no)\s+(?:\w+\s+){0,2}$",
               r"(?:不用|不需要|不要|别|无需|不必)\s*$")

# "Can your AI handle broadcast compliance?", "Is AI restoration a thing you can do on something that short?": whether
# the steps asked for next to it can be done
CAN_YOU_DO_IT = rx(r"^(?:so\s+)?(?:can|could)\s+(?:you|your\s+\w+)\s+(?:handle|do|manage|deal\s+with|help\s+with|pull\s+off)\b"
                   r"|\bis\s+(?:\w+\s+){0,3}(?:a\s+thing|something)\s+(?:that\s+)?(?:you|your\s+\w+)\s+can\s+(?:do|handle)\b",
                   r"^(?:你|你们)?(?:能|可以)(?:搞定|做到|处理)(?:吗|么)?$")

# A label with no verb at the head of a request: "Dubbing job.", "Radio spot for Benny's Tyres.", "second actor",
# "无人机航拍的声音". It names what the audio is; it cannot ask for anything.
_EN_VERBISH = re.compile(r"\b(?:is|are|was|were|be|been|am|has|have|had|do|does|did|can|could|will|would|should|must|may"
                         r"|might|want|wants|need|needs|let|make|makes|sound|sounds|feel|feels|look|looks|seem|seems|get"
                         r"|gets|keep|keeps|say|says|tell|give|put|turn|go|take|bring|add|remove|i|you|we|please)\b|n't\b")

_ZH_VERBISH = re.compile(r"[要想能会帮给做弄让把说唱听发去查找写画翻算告吗呢吧么？?]")


# "file two is the crackle", "the second one's the drums", "第二个是鼓": which upload is which, not an ask
NAMES_A_FILE = rx(r"(?:^|[:：]\s*)(?:and\s+|while\s+)?(?:(?:file|clip|track|upload|recording|attachment)\s*(?:#\s*)?(?:\d+|one|two|three|four|a|b)"
                  r"|(?:the\s+)?(?:first|second|third|fourth|other|last)\s*(?:file|one|clip|upload|recording|track)?)"
                  r"\s*(?:is|'s|=|:|-)\s+",
                  r"(?:^|[:：]\s*)(?:第[一二三四五\d]|另一)(?:个|段|条|份)?(?:文件|音频|录音)?(?:是|为)")


def file_names(cores: Iterable[str]) -> list[str]:
    """What a request calls its files ("file two is the crackle" -> "crackle"), longest first."""
    names = set()
    for core in cores:
        m = NAMES_A_FILE.search(core)
        if m:
            said = re.sub(r"^(?:the|a|an|my|our|her|his|some)\s+", "", core[m.end():].strip(" .,，。"), flags=re.I)
            if 0 < len(said) <= 30:
                names.add(said)
    return sorted(names, key=len, reverse=True)


def unnamed(text: str, names: list[str]) -> str:
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", text, flags=re.I)
    return text


def is_label(c: Clause) -> bool:
    core = c.core.strip(" .!。！,，")
    if re.search(r"[\u4e00-\u9fff]", core):
        return len(core) <= 12 and not _ZH_VERBISH.search(core) and not re.search(r"[，,。；;：:]", core)
    words = core.split()
    return 0 < len(words) <= 6 and not _EN_VERBISH.search(core) and "⟦" not in core
