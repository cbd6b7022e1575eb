"""Rule-planner triggers and argument extractors for style (prosody) transfer, binaural placement and
inpainting (tools/prosody.py, tools/spatial.py, tools/inpaint.py); their entries are in tool_rules.RULES.

Direction words map to angles (azimuth 0 front, -90 left, 90 right, 180 behind; elevation 0 ear level):
  left / right: -90 / 90      front-left ("in front, to the left", 左前方): -45      slightly in front of a side: -60
  slightly to the left: -30   behind on the left ("left, behind", 左后方): -135      slightly behind a side: -120
  behind (no side, 后方/背后): 180   above: elevation 45   overhead / directly above (头顶): 90
  slightly above: 20          below: -30                  slightly below: -15       far below: -40
Numbers say it exactly: "45 degrees to the left" = -45, "30 degrees up" = elevation 30.
"""

from __future__ import annotations

import re

from agent.planners import lexicon as L
from agent.planners import rule_args as A
from agent.planners.clauses import PLACEHOLDER, Clause
from agent.planners.numbers import normalize_numbers, scan

Args = A.Args

# ------------------------------------------------------------------ style / prosody transfer
_PROSODY = (r"(?:prosody|intonation|cadence|pacing|inflection|delivery|rhythm|phrasing|melody\s+of\s+(?:the\s+)?speech"
            r"|speaking\s+(?:style|rate|manner)|pitch\s+contour)")
_PACE = r"(?:pitch|pace|speed|tempo|tone|timing)"  # style words only with another style word or a reference's
_ZH_PROSODY = r"(?:语调|语气|语速|节奏|韵律|腔调|说话方式|说话风格|风格|抑扬顿挫)"
STYLE = L.rx(
    r"\b(?:speaking|talking|speech|vocal|voice|delivery|narration)\s+style\b|\bstyle\s+of\s+(?:this|that|the|my|her|his"
    r"|their|⟦)|\b(?:style|prosody)\s+transfer\b|\bin\s+the\s+(?:same\s+)?style\s+(?:of|as)\b",
    r"\b(?:prosody|intonation|cadence|pacing|inflection|delivery|speaking\s+rate|speech\s+rhythm)\s+(?:of|from|in|like"
    r"|as\s+in)\b|\b(?:copy|match|mimic|imitate|follow|transfer|borrow)\b[^,;]{0,30}\b(?:prosody|intonation|cadence|pacing"
    r"|inflection|delivery|speaking\s+style|way\s+(?:he|she|they)\s+(?:speaks?|talks?))\b",
    rf"\b{_PROSODY}\b[^,;]{{0,40}}\b(?:match(?:es|ing)?|follows?|like|same\s+as|closer\s+to)\b",
    # "shape my read to his cadence", "nudge mine toward her pacing", "take on her gentle pace and intonation",
    # "borrow the actor's rhythm and melody", "pick up his energy"
    r"\b(?:shape|nudge|push|move|bend|pull|steer|take\s+on|borrow|pick\s+up|adopt|inherit)\b[^,;.]{0,40}?\b(?:his|her|their"
    r"|the\s+[\w-]+'s)\s+(?:\w+\s+){0,2}?(?:cadence|rhythm|pacing|pace|delivery|intonation|phrasing|energy|melody|inflection"
    r"|pitch\s+contour)\b",
    rf"\b{_PACE}\b[^,;]{{0,30}}\b(?:match(?:es)?|follows?|(?:the\s+)?same\s+as)\s+(?!\d)",
    rf"\b(?:match|follow|copy|mimic|imitate)\w*\s+(?:the\s+)?(?:his|her|their|hers|its|the\s+(?:second|other|first"
    rf"|reference)(?:\s+(?:one|clip|file|recording|take))?'s)\s+(?:{_PACE})\b",
    rf"(?:{_ZH_PROSODY})[^，,。；;]{{0,12}}往[^，,。；;]{{0,14}}(?:靠|学|贴|走)"  # "语调和节奏往第二条那种感觉上学"
    r"|说话风格|讲话风格|说话的风格|那种(?:说话|讲话)?(?:的)?(?:风格|语气|腔调)|说话方式|语气风格|(?:模仿|学|照着|按照?|跟)[^，,。]{0,16}(?:风格|语气|语调|腔调|韵律|说话|语速|节奏|抑扬顿挫"
    r"|style|prosody|intonation|pacing|delivery)|风格(?:来)?(?:说|念|读|朗读)"
    r"|(?:韵律|语调|语气)迁移|风格迁移",
    # "第一段的语调和节奏跟第二段一样", "把第一段的韵律改成第二段那样", "用第二段的语气来改第一段"
    rf"(?:{_ZH_PROSODY}|{_PROSODY}|style)[^，,。]{{0,16}}(?:跟|和|与|同|像|照)[^，,。]{{0,16}}(?:一样|一致|相同|那样|似的)"
    rf"|(?:{_ZH_PROSODY}|{_PROSODY}|style)[^，,。]{{0,4}}(?:改成|变成|换成|转成|调成|弄成|改得|调得|套到|套用到|套在|应用到)"
    rf"|用(?![^，,。]{{0,4}}(?:慢|快|正常|平稳|适中))[^，,。]{{0,12}}的(?:{_ZH_PROSODY})")
_STYLE_TAIL = re.compile(
    r"\s*,?\s*\b(?:in|with|using|following|copying|matching|mimicking|like)\s+(?:the\s+)?(?:same\s+)?(?:speaking\s+"
    r"|talking\s+|vocal\s+|voice\s+)?(?:style|prosody|intonation|cadence|delivery|pacing|manner|way)\b.*$", re.IGNORECASE | re.DOTALL)
_ZH_STYLED_SAY = re.compile(r"(?:风格|语气|语调|腔调|方式|韵律)(?:来)?(?:说|念|读|朗读)(?:一下|一句|出)?[:：]?\s*(?P<t>\S.*)$", re.DOTALL)
_TIMBRE = L.rx(r"\btimbre\b|\bformants?\b|\bvoice\s+(?:quality|colou?r|too|as\s+well)\b|\bsound\s+more\s+like\s+(?:the\s+)?"
               r"(?:reference|speaker)\b", r"音色|嗓音|共振峰|声道长度")
_STRENGTH = re.compile(r"(?:\bstrength|\bamount|强度|程度)\s*(?:of|=|:|to|at|为|是|调到|设为)?\s*(?P<v>0?\.\d+|[01](?:\.0+)?)(?![\d%])")
_FRACTIONS = {"quarter": 0.25, "third": 0.33, "fifth": 0.2, "tenth": 0.1}
_FRACTION_OF_THE_WAY = L.rx(r"\ba\s+(?P<frac>quarter|third|fifth|tenth)\s+of\s+the\s+way\b", r"(?P<tenths>[1-9])\s*成")
_KEEP_TIMBRE = L.rx(r"\b(?:keep|preserve|don'?t\s+(?:change|touch)|without\s+changing|leave)\s+(?:the\s+|my\s+|its\s+)?(?:own\s+)?"
                    r"(?:timbre|formants?|voice\s+quality)\b|\b(?:timbre|formants?)\s+(?:unchanged|untouched|intact|stays?)\b",
                    r"(?:timbre|音色|共振峰)\s*(?:不要动|别动|不变|不要变|保持)|(?:保持|保留)\s*(?:原来的)?(?:timbre|音色)")
_HALF = L.rx(r"\bhalf(?:[- ]?way)?\b|\bhalf\s+(?:strength|as\s+much)\b|\bpart(?:ial)?ly\b|\bmoderately\b|\bsomewhat\b",
             r"一半|部分|稍微|有点像|一点点")
_REFERENCE_WORD = L.rx(r"\b(?:reference|ref|style|like|of|as)\b", r"风格|参考|语气|语调")


def _spoken(c: Clause, tail: re.Pattern[str], zh: re.Pattern[str] | None = None) -> tuple[str, str] | None:
    """(words to say, the rest) from quotes, a Chinese "…说：" form, or "say <words> <tail>" without the tail."""
    if c.quotes:
        return " ".join(c.quotes), PLACEHOLDER.sub(" ", c.core)
    raw = c.req.restore(c.raw_core)
    m = zh.search(raw) if zh is not None else None
    if m:
        t = m.group("t").strip().rstrip("。.!！")
        return (t, normalize_numbers(raw.replace(t, " ").lower())) if t else None
    found = A.unquoted_text(c)
    if found is None:
        return None
    t = tail.sub("", found[0]).strip(" ,")
    return (t, found[1] + " " + found[0][len(t):].lower()) if t else None


def styled_text(c: Clause) -> tuple[str, str] | None:
    """(words to say, the rest) for "say '...' in the speaking style of this clip" / "用这段录音的说话风格说：…"."""
    return _spoken(c, _STYLE_TAIL, _ZH_STYLED_SAY)


def styled_speech(c: Clause, src: A.Sources) -> Args:
    found = styled_text(c)
    if found is None:
        raise A.NeedInfo("What should I say in that style? Put the words in quotes, e.g. say 'hello' in the "
                         "speaking style of this clip.")
    return A._tts_options(*found)


def says_in_style(c: Clause) -> bool:
    return bool(STYLE.search(c.core)) and styled_text(c) is not None


def transfer_prosody(c: Clause, src: A.Sources) -> Args:
    """The speech to convert (an earlier step's output, else an upload) and the reference (the clip named
    after 'style of' / 'like', else the other upload)."""
    made = getattr(src, "cur", None)  # an earlier step made audio: that is what gets the style
    ms = A._distinct(src.mentioned(c))
    style_at = STYLE.search(c.core)
    pos = style_at.start() if style_at else 0
    named_ref = next((r for s, _, r in ms if s >= pos), None)
    before = [r for s, _, r in ms if s < pos]
    if before and re.search(r"套到|套用到|应用到|套在|\bonto\b|\bapply\b", c.core):
        named_ref = before[-1]  # "把 file 2 里 narration 的 style 套到 file 1 上": file 2's style, applied to file 1
    if made:
        audio = made
        reference = named_ref if named_ref and named_ref != made else next(iter(src.others()), None)
    else:
        uploads = [h for _, h in src.heads()]
        last: str | None = getattr(src, "last_audio", None)  # the session's previous result (rules.Chain)
        if named_ref:
            reference = named_ref
            rest = [r for _, _, r in ms if r != named_ref] + [u for u in uploads if u != named_ref]
            audio = rest[0] if rest else last if last and last != named_ref else None
        elif len(uploads) >= 2:
            audio, reference = uploads[0], uploads[-1]
        elif len(uploads) == 1 and last:
            audio, reference = last, uploads[0]  # "make the previous result sound like this"
        else:
            audio, reference = None, None
        if audio is None:
            raise A.NeedInfo("Style transfer needs the speech to convert and a reference clip: attach both with -i "
                             "(the speech first), or say the words, e.g. say 'hello' in the speaking style of this clip.")
    if reference is None or reference == audio:
        raise A.NeedInfo("Which clip's speaking style should I follow? Attach the reference recording with -i "
                         "(for example -i reference.wav).")
    src.take(audio)
    src.take(reference)
    args: Args = {"audio": audio, "reference": reference}
    pct = [q.value for q in scan(c.core) if q.unit == "%" and 0 <= q.value <= 100]
    m = _STRENGTH.search(c.core)
    part = _FRACTION_OF_THE_WAY.search(c.core)
    if pct:
        args["strength"] = pct[0] / 100
    elif m:
        args["strength"] = float(m.group("v"))
    elif part:  # "a quarter of the way", "只改七成"
        args["strength"] = int(part.group("tenths")) / 10 if part.group("tenths") else _FRACTIONS[part.group("frac").lower()]
    elif _HALF.search(c.core) or L.intensity(c.core) < 0:
        args["strength"] = 0.5  # "a bit like this clip", "only about halfway", "强度一半"
    if _TIMBRE.search(c.core) and not _KEEP_TIMBRE.search(c.core):  # not "timbre 不要动", "keep my own timbre"
        args["timbre"] = True
    return args


# ------------------------------------------------------------------ binaural placement
_SIDE_EN = r"(?:left|right)"
_DIR_EN = r"(?:left|right|behind|back|rear|front|ahead|above|overhead|below|beneath|underneath|up|down|side)"
_HEAD = r"(?:(?:my|your|our|his|her|their|the(?:\s+listener'?s?)?|listeners?'?s?)\s+)+heads?\b"
# A clock face around the listener: 12 is ahead, 3 is right, 9 is left ("from about two o'clock", "十点钟方向")
_CLOCK = re.compile(r"(?P<h>\d{1,2})\s*(?:o'?\s*clock\b|点钟方向|点方向|点钟)")


def _clock_azimuth(hour: int) -> float:
    az = (hour % 12) * 30.0
    return az - 360.0 if az > 180 else az


SPATIAL = L.rx(
    r"\b(?:from|towards?)\s+(?:about\s+|around\s+|roughly\s+)?\d{1,2}\s*o'?\s*clock\b|\d{1,2}\s*点钟?方向",
    r"\bbinaural\w*|\b8d\b|\b3-?d\s+(?:audio|sound|effect|version|mix)\b|\b(?:make|turn)\s+(?:it|this|that|them)\s+(?:into\s+)?3-?d\b|\bspatiali[sz]\w*|\bhrtf\b|\bazimuth\b",
    rf"\b(?:sounds?|sounding|seems?|appears?|coming|comes?|come|placed?|position(?:ed)?|located?)\b[^,;]{{0,25}}\bfrom\s+"
    rf"(?:(?:my|the|your|directly|straight|right|far|just|slightly|somewhere|up|down|over|off|to|in|out)\s+)*{_DIR_EN}\b",
    rf"\b(?:above|over|on\s+top\s+of|around|behind|in\s+front\s+of|beside|next\s+to)\s+{_HEAD}",
    rf"^(?=[\s\S]*\b(?:headphones?|earphones?|earbuds?|3-?d)\b)(?=[\s\S]*\b(?:{_DIR_EN}|around|float\w*|hover\w*"
    r"|travel\w*|sweep\w*|circl\w*|fly|flies|flying|mov(?:e|es|ing))\b)",
    rf"\b(?:place|put|position|locate|move|set)\b[^,;]{{0,30}}\b(?:to\s+(?:my|the)\s+(?:far\s+)?{_SIDE_EN}|behind\s+(?:me|the"
    rf"\s+listener)|above\s+(?:me|my\s+head|the\s+listener)|over\s+my\s+head|overhead|in\s+front\s+of\s+(?:me|the\s+listener)"
    rf"|below\s+me)\b",
    rf"\bfrom\s+(?:the\s+)?(?:hard\s+|far\s+|full\s+)?{_SIDE_EN}\s+to\s+(?:the\s+)?(?:hard\s+|far\s+|full\s+)?{_SIDE_EN}\b|\bfrom\s+(?:my|your)\s+(?:far\s+)?(?:left|right|back|rear)\b"
    r"|\b(?:behind|above|below)\s+me\b|\bover\s+my\s+head\b"
    r"|\b(?:against|in|into|at|next\s+to|by|near|beside)\s+(?:my|the\s+listener'?s|your|one)\s+(?:left|right)\s+ear\b"
    r"|\b(?:above|below)\s+ear\s+level\b",
    r"双耳|空间音频|3d音效|三维音效|耳机版|(?:headphones?|earphones?)\s*(?:版|version|edition)|(?:耳机|headphones?|3d)[^，,。]{0,16}(?:左|右|前方|后方|上方|下方|头顶|后面|后边|背后|身后)"
    r"|(?:左|右|前方|后方|上方|下方|头顶|后面|后边|背后|身后)[^，,。]{0,12}(?:耳机|headphones?|3d)"
    r"|(?:听起来|好像|仿佛|放到|放在|移到|移动到|摆到|摆在|来自|从|在)\s*(?:我的?|(?:listener|听者|听众)\s*的?)?\s*(?:正)?"
    r"(?:(?:左|右)(?:后|前|上|下)?(?:方|边|侧|面)|(?:后|前|上|下)方|头顶|背后|身后|(?:左|右)耳(?:边|那边|朵)?)")
_LEFT = L.rx(r"\bleft\b", r"左")
_RIGHT = L.rx(r"\bright\b(?!\s+(?:above|behind|below|in\s+front|there|now|away|here|over|next|at|on|under|beside|up"
              r"|against|by|into))",
              r"右")
_BEHIND = L.rx(r"\bbehind\b|\bback\b|\brear\b", r"后")
_FRONT = L.rx(r"\bfront\b|\bahead\b", r"前")
_ABOVE = L.rx(rf"\babove\b|\boverhead\b|\bover\s+{_HEAD}|\bup\s+high\b|\bfrom\s+up\b|\bup\s+above\b",
              r"上方|头顶|上面|上边|(?:高|上)(?:一点|一些|点|些)|偏高|靠上")
_BELOW = L.rx(r"\bbelow\b|\bbeneath\b|\bunderneath\b|\bfrom\s+(?:down\s+)?below\b|\bdown\s+low\b",
              r"下方|下面|下边|脚下|(?:低|下)(?:一点|一些|点|些)|偏低|靠下")
_SLIGHT = r"(?:slightly|a\s+(?:little|bit|tad|touch)|a\s+little\s+bit|somewhat|just|partly|a\s+bit\s+more)"
_SLIGHT_BEHIND = L.rx(rf"\b{_SLIGHT}\s+(?:to\s+the\s+|towards?\s+the\s+)?(?:behind|back|rear)\b", r"(?:稍|略|微|偏|稍微|略微)(?:靠)?后")
_SLIGHT_FRONT = L.rx(rf"\b{_SLIGHT}\s+(?:in\s+)?(?:to\s+the\s+|towards?\s+the\s+)?(?:front|ahead|forward)\b",
                     r"(?:稍|略|微|偏|稍微|略微)(?:靠)?前")
_SLIGHT_SIDE = L.rx(rf"\b{_SLIGHT}\s+(?:to\s+(?:the|my)\s+|towards?\s+(?:the|my)\s+)?(?:left|right)\b|\bleft\s+of\s+centre"
                    r"|\bright\s+of\s+cent(?:er|re)\b|\bleft\s+of\s+center\b",
                    r"(?:稍|略|微|偏|稍微|略微)(?:靠|偏)?[左右]")
_FAR_SIDE = L.rx(r"\b(?:far|hard|fully|completely|directly|straight|all\s+the\s+way)\s+(?:to\s+(?:the|my)\s+)?(?:left"
                 r"|right)\b|\bright\s+(?:next\s+to|beside)\b", r"正[左右]")
_DIRECT_ABOVE = L.rx(rf"\b(?:directly|straight|right|just)\s+(?:above|overhead)\b|\boverhead\b|\bover\s+{_HEAD}"
                     r"|\bstraight\s+up\b", r"头顶|正上方")
_SLIGHT_ABOVE = L.rx(rf"\b{_SLIGHT}\s+(?:above|higher|up)\b", r"(?:稍|略|微|稍微|略微)(?:靠|偏)?[上高]|[高上](?:一点|一些|点|些)|偏高")
_SLIGHT_BELOW = L.rx(rf"\b{_SLIGHT}\s+(?:below|lower|down)\b", r"(?:稍|略|微|稍微|略微)(?:靠|偏)?[下低]|[低下](?:一点|一些|点|些)|偏低")
_FAR_BELOW = L.rx(r"\b(?:far|way|directly|straight)\s+(?:below|down)\b", r"正下方")
_DEG = re.compile(r"(?P<n>-?\d+(?:\.\d+)?)\s*(?:°|deg(?:rees?)?\b|度)", re.IGNORECASE)
_ELEV_WORD = L.rx(r"\b(?:up|above|high|higher|elevat\w*|overhead|upwards?)\b", r"上|仰")
_LOWER_WORD = L.rx(r"\b(?:down|below|low|lower|beneath|downwards?)\b", r"下|俯")
_SIDE_NOUN = r"(?:\s+(?:side|hand\s+side|ear|channel|speaker))?"
_MOVE = L.rx(rf"\bfrom\s+(?:the\s+|my\s+|your\s+)?(?:hard\s+|far\s+|full\s+)?(?P<a>{_SIDE_EN}|front|behind|back){_SIDE_NOUN}\s+"
             rf"(?:all\s+the\s+way\s+)?(?:to|towards?|into)\s+(?:the\s+|my\s+|your\s+)?(?:hard\s+|far\s+|full\s+)?"
             rf"(?P<b>{_SIDE_EN}|front|behind|back)\b",
             r"从(?:我的?)?(?:正)?(?P<za>[左右前后])(?:边|侧|方|面|耳)?[^，,。到向]{0,4}?(?:到|向)(?:我的?)?(?:正)?(?P<zb>[左右前后])")


def _angles(text: str) -> tuple[float, float]:
    """Azimuth and elevation from direction words and degrees (see the module docstring)."""
    side = -1 if _LEFT.search(text) and not _RIGHT.search(text) else 1 if _RIGHT.search(text) else 0
    if _LEFT.search(text) and _RIGHT.search(text):
        side = -1 if _LEFT.search(text).start() < _RIGHT.search(text).start() else 1  # type: ignore[union-attr]
    behind, front = bool(_BEHIND.search(text)), bool(_FRONT.search(text))
    degs = [float(m.group("n")) for m in _DEG.finditer(text)]
    az, el = 0.0, 0.0
    if side:
        if _SLIGHT_BEHIND.search(text):
            az = 120.0
        elif behind:
            az = 135.0
        elif _SLIGHT_FRONT.search(text):
            az = 60.0
        elif front:
            az = 45.0
        elif _SLIGHT_SIDE.search(text) and not _FAR_SIDE.search(text):
            az = 30.0
        else:
            az = 90.0
        az *= side
    elif behind:
        az = 180.0
    if _ABOVE.search(text):
        el = 90.0 if _DIRECT_ABOVE.search(text) else 20.0 if _SLIGHT_ABOVE.search(text) else 45.0
    elif _BELOW.search(text):
        el = -40.0 if _FAR_BELOW.search(text) else -15.0 if _SLIGHT_BELOW.search(text) else -30.0
    for m in _DEG.finditer(text):  # "45 degrees to the left", "30 degrees up", "azimuth 60"
        v = float(m.group("n"))
        around = text[max(0, m.start() - 20): m.end() + 25]
        after = text[m.end(): m.end() + 25]
        if re.search(r"elevation|仰角", around) or (_ELEV_WORD.search(after) and not re.search(
                rf"\b{_SIDE_EN}\b|[左右]", after[:12])):
            el = v
        elif _LOWER_WORD.search(after) and not re.search(rf"\b{_SIDE_EN}\b|[左右]", after[:12]):
            el = -abs(v)
        else:
            az = -abs(v) if side < 0 else abs(v) if side > 0 else v
    if not degs:
        ma = re.search(r"\bazimuth\s*(?:of|=|:)?\s*(-?\d+(?:\.\d+)?)", text)
        if ma:
            az = float(ma.group(1))
        me = re.search(r"\belevation\s*(?:of|=|:)?\s*(-?\d+(?:\.\d+)?)", text)
        if me:
            el = float(me.group(1))
    return az, el


_POINT = {"left": -90.0, "right": 90.0, "front": 0.0, "behind": 180.0, "back": 180.0,
          "左": -90.0, "右": 90.0, "前": 0.0, "后": 180.0}


_DIRECTION_ONLY = re.compile(
    r"^(?:(?:and|but|a|an|the|my|me|to|of|on|at|in|from|just|bit|little|more|slightly|somewhat|far|hard|directly"
    r"|straight|right|left|behind|back|rear|front|ahead|above|below|overhead|up|down|side|over|head|high|low|degrees?"
    r"|deg|\d+(?:\.\d+)?|[°,.\s])\s*)+$|^[左右前后上下方边侧面稍微略偏靠正头顶背身的在，,\s\d度]+$", re.IGNORECASE)


def _with_direction_tail(c: Clause) -> str:
    """The clause plus the weak-split pieces after it that only name a direction ("..., to the right"): the
    planner reads those as filler, but they say where the sound goes."""
    text = PLACEHOLDER.sub(" ", c.core)
    clauses = c.req.clauses
    i = next((k for k, o in enumerate(clauses) if c.raw.startswith(o.raw)), None)
    if i is None:
        return text
    for o in clauses[i + 1:]:
        if o.sep != "weak" or o.raw in c.raw or not _DIRECTION_ONLY.match(o.core.strip()):
            break
        text += " , " + o.core
    return text


_PLACE_TAIL = re.compile(
    r"\s*,?\s*\b(?:from|behind|above|below|over|to\s+(?:my|the)|on\s+(?:my|the)|in\s+front)\b(?:\s+(?:my|the|me|far|just"
    r"|slightly|a\s+bit|directly))*\s*(?:left|right|behind|back|rear|front|above|below|me|head|side)\b.*$", re.IGNORECASE | re.DOTALL)
_ZH_PLACED_SAY = re.compile(r"(?:方|边|侧|头顶|背后|身后)(?:来|传来)?(?:说|念|读|朗读)(?:一下|一句|出)?[:：]?\s*(?P<t>\S.*)$", re.DOTALL)


def placed_text(c: Clause) -> tuple[str, str] | None:
    """(words, the rest) for "say 'hi' from my right" / "从右边说：你好"."""
    if not re.match(r"^(?:say|speak|read|pronounce|announce|whisper)\b|.*(?:说|念|读|朗读)", c.core):
        return None
    return _spoken(c, _PLACE_TAIL, _ZH_PLACED_SAY)


def placed_speech(c: Clause, src: A.Sources) -> Args:
    found = placed_text(c)
    if found is None:
        raise A.NeedInfo("What should I say from there? Put the words in quotes, e.g. say 'hello' from my left.")
    return A._tts_options(*found)


def says_from(c: Clause) -> bool:
    return placed_text(c) is not None


def binauralize(c: Clause, src: A.Sources) -> Args:
    t = _with_direction_tail(c)
    clock = [_clock_azimuth(int(m.group("h"))) for m in _CLOCK.finditer(t) if 1 <= int(m.group("h")) <= 12]
    if clock:
        secs = [q.value for q in scan(_CLOCK.sub(" ", t)) if q.unit == "s" and q.value > 0]
        if len(clock) >= 2 and secs:  # "travel from 9 o'clock to 3 o'clock over 4 sec"
            return {"path": [0, clock[0], 0, secs[0], clock[1], 0]}
        return {"azimuth": clock[0]} if clock[0] else {}
    m = _MOVE.search(t)
    if m:
        a = _POINT[m.group("a") or m.group("za")]
        b = _POINT[m.group("b") or m.group("zb")]
        secs = [q.value for q in scan(t) if q.unit == "s" and q.value > 0]
        if not secs:
            raise A.NeedInfo("Over how many seconds should the sound move? For example: move it from left to right "
                             "over 5 seconds.")
        if a == 180.0 and b in (-90.0, 90.0):
            a = 180.0 if b > 0 else -180.0
        if b == 180.0 and a in (-90.0, 90.0):
            b = 180.0 if a > 0 else -180.0
        return {"path": [0, a, 0, secs[0], b, 0]}
    az, el = _angles(t)
    args: Args = {}
    if az:
        args["azimuth"] = az
    if el:
        args["elevation"] = el
    if not args and not re.search(r"\bfront\b|前", t):
        raise A.NeedInfo("Where should the sound come from? For example: from my left, behind me, above me, or "
                         "45 degrees to the right.")
    return args


# ------------------------------------------------------------------ inpainting
_FILL = r"(?:fill|patch|plug|repair|restore|reconstruct|fix|conceal|smooth|mend|heal|interpolate)"
_HOLE = r"(?:gaps?|holes?|drop-?outs?|blanks?|glitch(?:es)?|missing\s+(?:part|parts|audio|samples|bits?|sections?))"
INPAINT = L.rx(
    r"\binpaint\w*|\bdrop-?outs?\b|\bdropped[- ]out\b|\baudio\s+(?:gaps?|holes?)\b|\bpacket\s+loss\b",
    # "the audio cuts out at 7 s", "keeps dropping out" (an imperative "cut out 2 to 3 s" is a trim)
    r"\b(?:cuts|drops)\s+out\b|\b(?:keeps?|kept)\s+(?:cutting|dropping)\s+out\b|\bglitch(?:ed|es|y)\b|\bchoppy\b",
    r"\b(?:silent|tiny|little|small|short|brief)\s+(?:holes|gaps|blips|cut-?outs?|drop-?outs?)\b|\bcut-outs?\b|\bdrop\s+outs\b|\bdropp(?:ing|ed)\s+samples\b|\bholes?\s+in\s+(?:the|this|my)\b",
    rf"\b{_FILL}\s+(?:in\s+|up\s+|over\s+)?(?:[^,;]{{0,25}}?\s)?{_HOLE}\b",
    rf"\b(?:gaps?|holes?|blanks?)\b[^;]{{0,60}}?\b{_FILL}(?:s|ed|ing)?\s+(?:it|them|that|those|these)\b",
    r"断音|断掉的|断了的|断了|断掉|断开|中断|断断续续|卡顿|丢帧|掉帧|掉音|丢音|爆断|空隙|缺口|空洞"
    r"|(?:修复|修补|填补|补全|补上|填充|补好|补一下)[^，,。]{0,12}(?:断|空白|缺口|缺失|丢失|空洞|静音|空隙)"
    r"|(?:断|空白|缺口|缺失|丢失|空洞|空隙)[^，,。]{0,8}(?:修复|修补|填补|补全|补上|填充|补好|补一下|补|填|修)")
_DETECT = L.rx(r"\bdrop-?outs\b|\ball\b|\bany\b|\bgaps\b|\bholes\b|\bglitches\b|\bdetect\w*|\bfind\b", r"所有|全部|检测|找")


# "a 0.1-second hole starting at 14.3 s", "gap lasting 0.2 s", "持续0.3秒的断音": how long the gap is, not where
_A_LENGTH = re.compile(r"\s*(?:long\b|in\s+length\b|(?:of\s+)?(?:hole|gap|dropout|drop-?out|glitch|silence|blank|break|cut"
                       r"|skip)s?\b|的?(?:空白|断音|缺口|空缺|静音|断档))", re.I)
_LASTING = re.compile(r"(?:lasting|for|持续|长达|长)\s*(?:about\s+|around\s+|大概|大约)?$", re.I)


def inpaint(c: Clause, src: A.Sources) -> Args:
    t = re.sub(r"第\s*(?=\d)", "", PLACEHOLDER.sub(" ", c.core))
    times = [q for q in scan(t) if q.unit in ("s", None) and q.value >= 0]
    for a, b in zip(times, times[1:]):
        link = t[a.end:b.start]
        if "s" not in (a.unit, b.unit) or not re.fullmatch(rf"\s*(?:s|secs?|seconds?|秒)?\s*{L.RANGE_LINK}\s*", link):
            continue
        start = a.value
        if a.unit is None and re.search(r"ms|毫秒", t[b.start:b.end]):
            start = a.value / 1000  # "between 2000 and 2100 ms": the unit after the second number
        if start < b.value:
            return {"start": start, "end": b.value}
    lengths = [q for q in times if q.unit == "s" and ((q.value < 1 and re.search(r"ms|msec|milli|毫秒", t[q.start:q.end]))
                                                     or _A_LENGTH.match(t[q.end:]) or _LASTING.search(t[:q.start]))]
    points = [q for q in times if q not in lengths and q.unit == "s"]
    if lengths and points:  # "a 50 ms dropout at 3 seconds"
        return {"start": points[0].value, "end": round(points[0].value + lengths[0].value, 6)}
    if points:
        raise A.NeedInfo(f"Where does the gap at {points[0].value:g} s end? Give a range like 'between "
                         f"{points[0].value:g} and {points[0].value + 0.1:g} seconds', or ask me to repair the dropouts "
                         "to find them.")
    return {"detect": True}
