"""Going back to earlier artifacts of the session, for the rule planner.

Phrases such as "go back to the original recording", "the first result", "the joined file from
before", "the raw one, without the reverb", "the transcript from earlier", "最开始那个文件",
"原来的录音", "第一个结果", "之前的转写", "降噪后的那个版本" are resolved against PlanContext.history
(earlier runs: their uploads and outputs) to the artifact they mean, and replaced in the request by a
placeholder (clauses.BackRef: '@<artifact id>' and its kind), so no tool trigger fires on "the
de-hummed file" and the chain starts from that artifact.

Besides uploads, results, transcripts and the inputs of an edit ("the version without the reverb"), a
phrase can name an earlier photo ("the portrait from the beginning", for a talking head), what made a
result ("the song you sang", "the mp3 you made", "之前那句播报"), or words of the request that made it
("the boarding announcement" after "say 'now boarding'", "museum 那段 announcement").

Descriptions that are not fixed phrases (the words a result says, a file name, the tool as a noun, "the result
before the last one", words of the request that made it) are read by history_desc.py.

A phrase is only taken as a reference back when the session holds what it describes, and when it is
not about this request's own files or steps: "the first file" with two files attached is the first
upload of this request; "trim it and fade the trimmed file" is this request's trim step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent.artifacts import ArtifactRecord
from agent.context import PastRun, PlanContext
from agent.planners import lexicon as L
from agent.planners.clauses import BackRef, Request
from agent.planners.history_desc import _AS_MADE, _AS_SENT, NEGATED, DescriptionReader, _audio_of, zh_num
from agent.planners.lexicon import rx

# ------------------------------------------------------------------ word tables
# What a step did to a file, as people describe the result: tool -> (English participles and adjectives,
# verbs as used inside Chinese sentences ("denoise 过的"), Chinese verbs).
_DONE: dict[str, tuple[str, str, str]] = {
    "concatenate": (r"joined|concatenated|merged|combined|stitched(?:[- ]together)?|spliced|appended|glued",
                    r"join|concat(?:enate)?|merge|combine|stitch|append", r"拼接|拼|合并|连接|连|串联|串|接"),
    "mix": (r"mixed|mixed[- ]down|layered|overlaid|overlayed|blended", r"mix|overlay|blend", r"混音|混合|混|叠加"),
    "trim": (r"trimmed|cut|shortened|shorter|cropped|clipped|snipped", r"trim|cut|crop",
             r"截短|剪短|剪切|剪辑|剪|裁剪|裁|截取|截"),
    "fade": (r"faded", r"fade", r"淡入淡出|淡入|淡出|渐变"),
    "change_tempo": (r"slowed(?:[- ]down)?|sped[- ]up|speeded[- ]up|time[- ]stretched|stretched|faster|slower",
                     r"speed\s*up|slow\s*down|tempo", r"放慢|减速|加速|加快|变速|调速|慢放|快放|变快|变慢"),
    "equalize": (r"eq'?d|eq-?ed|equali[sz]ed|(?:bass|treble)[- ](?:boosted|cut|reduced)|bassy|bass-?heavy|boomy", r"eq|equali[sz]e",
                 r"均衡|低音增强|低音加强|低音减弱|高音增强|高音减弱|调过高音|调过低音|调过中频"),
    "binauralize": (r"spatiali[sz]ed|binaural(?:i[sz]ed)?|3-?d|panned|headphones?|surround|moving|circling|rotating|orbiting", r"binauralize|spatiali[sz]e",
                    r"双耳|空间化|空间音频|会移动|移动|环绕"),
    "gain": (r"boosted|amplified|louder|quieter|turned[- ](?:up|down)|attenuated", r"gain|boost|amplify",
             r"调大声|调小声|变大声|变小声|调响|放大|调大|调小|增益|调音量"),
    "pitch_shift": (r"pitched(?:[- ](?:up|down))?|pitch[- ]shifted|transposed|(?:higher|lower)[- ]pitched|deeper"
                    r"|chipmunk(?:ed|-?like)?|helium|squeaky|monster|demonic",
                    r"pitch(?:\s*(?:shift|up|down))?|transpose", r"变调|升调|降调|移调|升高音调|降低音调|怪兽|花栗鼠"),
    "reverb": (r"reverbed|reverberated|reverb(?:[- ]?ed)?|echoey|echo-y|echoing|echoed|reverby|cavernous|spacious"
               r"|cathedral", r"reverb", r"加混响|混响|回声|空荡荡|空旷"),
    "filter": (r"filtered|high[- ]?passed|low[- ]?passed|muffled|muffly|tinny|telephone-?like|phone-?like",
               r"filter|high[- ]?pass|low[- ]?pass", r"滤波|高通|低通|闷闷|发闷"),
    "loudness_normalize": (r"normali[sz]ed|level(?:l)?ed|loudness[- ]normali[sz]ed", r"normali[sz]e|level",
                           r"标准化|归一化|响度标准化"),
    "resample": (r"resampled|down-?sampled|up-?sampled|down-?mixed|mono|stereo|single[- ]channel", r"resample|downsample",
                 r"重采样|转成单声道|转成立体声|转单声道|单声道|立体声"),
    "convert": (r"converted|exported|encoded|transcoded|mp3|flac|ogg|wav", r"convert|export|encode",
                r"转换格式|转码|导出|转换"),
    "denoise": (r"de-?noised|cleaned(?:[- ]up)?|clean(?:er)?|noise[- ](?:free|reduced|removed)|enhanced|repaired|fixed(?:[- ]up)?",
                r"de-?noise|clean(?:\s*up)?",
                r"降过噪|去过噪|降噪|去噪|除噪|去掉噪音|去除噪音|修好|修复"),
    "remove_hum": (r"de-?hummed|hum[- ](?:free|removed)|repaired|fixed(?:[- ]up)?", r"de-?hum|remove\s+(?:the\s+)?hum",
                   r"去过电流声|去过嗡嗡声|去过交流声|去过哼声|去嗡嗡?声?|去电流声|去掉电流声|去除电流声|去交流声|去哼声|修好"),
    "inpaint": (r"repaired|restored|patched|in-?painted|fixed(?:[- ]up)?", r"inpaint|repair|restore", r"修复|修补|修好|补好|补过|补上|补全|补"),
    "text_to_speech": (r"synthesi[sz]ed|generated|spoken|tts|speech|narrated|voiced", r"tts|synthesi[sz]e",
                       r"合成|生成|配音"),
    "sing": (r"sung|sang", r"sing", r"演唱|唱"),
}
# What a step added, as a noun: "the version without the reverb" is the input of the reverb step.
_ADDED = {"reverb": r"reverb|echo|hall|cathedral", "fade": r"fades?(?:[- ](?:in|out))?", "denoise": r"noise\s+reduction|denoising",
          "loudness_normalize": r"normali[sz]ation|loudness\s+normali[sz]ation",
          "pitch_shift": r"pitch\s+(?:shift(?:ing)?|change)",
          "binauralize": r"spatiali[sz]ation|binaural(?:\s+effect)?|panning",
          "equalize": r"eq|equali[sz]ation|equali[sz]er", "filter": r"filter(?:ing)?", "mix": r"music|mix(?:ing)?",
          "trim": r"trim(?:ming)?|cuts?", "change_tempo": r"speed[- ]?up|slow[- ]?down|(?:tempo|speed)\s+change",
          "gain": r"boost|gain|volume\s+(?:boost|change)", "remove_hum": r"hum\s+removal|de-?humming",
          "resample": r"resampling|(?:the\s+)?(?:mono|stereo)(?:\s+(?:conversion|mixdown))?|down-?mix(?:ing)?",
          "convert": r"(?:the\s+)?(?:mp3|flac|ogg|wav)?\s*(?:conversion|export)"}
_ANY_EDIT = (r"(?:any\s+|all\s+(?:the\s+)?|my\s+|your\s+)?"
             r"(?:effects?|processing|edits?|editing|changes|modifications|fx)")

_EN_ORIGINAL = (r"original|orig|raw|untouched|unprocessed|unedited|unmodified|unaltered|pristine|source|initial|unchanged"
                r"|un(?:filtered|trimmed|normali[sz]ed|mixed|faded|denoised|cleaned|boosted|reverbed|pitched|shifted|slowed"
                r"|eq'?d|equali[sz]ed|converted|resampled)")
_EN_ORDINAL = {"first": 1, "1st": 1, "earliest": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_EN_OUTPUTISH = r"processed|edited|modified|finished|fixed|resulting"
# not "other": "the other track" sets a file against another one, it names none by itself
_EN_NEUTRAL = (r"very|same|whole|entire|full|audio|voice|voicemail|sound|wav|mp3|one|main|actual|old|welcome|reference"
               r"|little|short|long|new|small|big|quick|last|latest")
_EN_NOUN = (r"original|recording|file|upload|audio|clip|track|one|version|input|take|memo|voice\s+memo|song|podcast"
            r"|voice|announcement|greeting|narration|voice-?over|intro|outro|message|speech|music|tune|jingle|bgm|beat"
            r"|vocals?|line|sentence|phrase|reading|loop|photo|portrait|picture|pic|image|headshot|selfie|face|avatar"
            r"|arpeggio|melody|riff|scale|chords?|hook|sfx|part|bit|dialogue"
            r"|(?:very\s+)?beginning|start"
            r"|thing|result|output|edit|mix|transcript(?:ion)?|text|mp3|flac|ogg|wav")
_IMAGE_NOUN = rx(r"^(?:photo|portrait|picture|pic|image|headshot|selfie|face|avatar)s?$", r"照片|图片|头像|相片|人像|肖像|photo"
                 r"|portrait|picture|image")
_NOUN_TOOLS = {
    "sing": rx(r"^(?:song|tune|arpeggio|melody|riff|scale|chords?)s?$", r"^(?:那首歌|歌|歌曲|那首|生日歌|旋律)$"),
    "text_to_speech": rx(r"^(?:announcement|greeting|line|sentence|phrase|speech|narration|reading|message)s?$",
                         r"^(?:播报|那句话|那句|欢迎词|开场白|合成语音|语音|announcement|speech|line)$"),
    "convert": rx(r"^(?:mp3|flac|ogg|wav)s?$", r"^(?:mp3|flac|ogg|wav)$"),
}
_TEXT_NOUN = rx(r"^(?:transcript(?:ion)?|text)$", r"转写|转录|文字|文本|逐字稿|字幕")
_OUTPUT_NOUN = rx(r"^(?:version|result|output|edit|mix|thing)$", r"结果|输出|版本")
_UPLOAD_NOUN = rx(r"^(?:upload|input|original)$", r"原文件|原录音|原音频|原声|原件|素材")

_EN_LEAD = (r"(?:go(?:ing)?\s+back\s+to|get\s+back\s+to|(?:and\s+)?back\s+to|return(?:ing)?\s+to|revert(?:ing)?\s+to"
            r"|switch(?:ing)?\s+(?:back\s+)?to|start\s+(?:over|again)\s+(?:from|with)|re-?use|take|use|using|grab"
            r"|pick\s+up|work\s+(?:on|with)|redo)")
# "the version from before the email question": made before the turn that asked about email
_EN_BEFORE_TOPIC = (r"from\s+before\s+(?:the|my|that|your|our|this)\s+(?:[\w'-]+\s+){1,3}?(?:question|detour|tangent"
                    r"|aside|interruption|chat|request|thing|bit)")
_EN_WHEN = (rf"{_EN_BEFORE_TOPIC}|from\s+(?:a\s+(?:few|couple(?:\s+of)?)|two|three|several|some)\s+(?:steps|turns|messages"
            r"|requests)\s+(?:back|ago)|from\s+a\s+(?:while|bit)\s+(?:back|ago)|a\s+few\s+steps\s+back|from\s+before"
            r"|from\s+earlier(?:\s+on)?|earlier(?:\s+on)?|before(?=\s*(?:[,.;:!?\-–—)]|and\b|then\b|$))"
            r"|again|instead|once\s+more|one\s+more\s+time|anew|this\s+time|originally"
            r"|from\s+when\s+(?:we|i)\s+(?:first\s+)?(?:started|began)(?:\s+(?:talking|chatting|this|out|the\s+session))?"
            r"|at\s+the\s+(?:very\s+)?start\s+of\s+(?:our|the|this)\s+(?:chat|session|conversation)"
            r"|(?:a\s+few|several|some|\d+|a\s+couple\s+of)\s+minutes\s+ago"
            r"|(?:from|at)\s+the\s+(?:very\s+)?(?:start|beginning)|to\s+begin\s+with|at\s+first|in\s+the\s+beginning"
            r"|from\s+last\s+time|from\s+(?:the|my|our|your)\s+(?:very\s+)?(?:first|second|third|previous|last)\s+"
            r"(?:turn|step|time|request|round|message|question|go)"
            r"|of\s+(?:my|the|our|your)\s+(?:very\s+)?(?:first|second|third|previous|last|earlier)\s+"
            r"(?:request|message|turn|question|step|go|edit)")
_RESULT_WORDS = (r"louder|quieter|softer|faster|slower|shorter|cleaner|clearer|deeper|higher|lower|brighter|warmer"
                 r"|mono|stereo")
_PARTICIPLES = "|".join(en for en, _, _ in _DONE.values())  # "the intro you normalized", "the file I joined"
_EN_WHO = (r"(?:that\s+|which\s+)?(?:i|we|you)\s+(?:first\s+|originally\s+|just\s+|had\s+)?(?:uploaded|sent(?:\s+you)?"
           r"|gave\s+you|shared|started\s+(?:with|from)|had|made|created|recorded|attached|produced|did|generated"
           r"|rendered|exported|got|asked\s+for|requested|wanted|synthesi[sz]ed|narrated|read\s+out|voiced|repaired|fixed"
           rf"|sang|sung|{_PARTICIPLES}"
           r"|transcribed|wrote\s+down)"
           rf"(?:\s+(?:{_RESULT_WORDS}))?"  # "the one you made louder"
           r"(?:\s+(?:first|earlier|before|at\s+first|originally|to\s+begin\s+with"
           r"|at\s+the\s+(?:very\s+)?(?:start|beginning)))?")
_EN_WHO_RX = re.compile(_EN_WHO, re.I)
_EN_DET = r"(?:the|my|our|that|your|this)"
_EN_WITHOUT = r"(?:without|before|minus|with\s+no|prior\s+to|pre)[- ]\s*(?:the\s+|any\s+|all\s+(?:the\s+)?)?"
_ADDED_ANY = "|".join(f"(?:{p})" for p in _ADDED.values())
_EN_APPOS = (rf"(?:i\s+mean\s+|i\s+mean,\s+)?{_EN_DET}\s+(?:(?:very|{_EN_ORIGINAL}|{_EN_OUTPUTISH})\s+){{1,2}}"
             rf"(?:one|version|file|recording|take|clip|audio|upload)")
_EN_WITH = r"(?:with|that\s+has|which\s+has|having)\s+(?:the\s+|a\s+|an\s+|some\s+)?"
_EN_TAIL_ITEM = (rf"(?:(?:the|that)\s+(?:one|version|file|recording|take|clip)\s+)?{_EN_WITHOUT}(?:{_ADDED_ANY}|{_ANY_EDIT})\b"
                 rf"(?:\s+and\s+(?:the\s+|any\s+)?(?:{_ADDED_ANY})\b)*"
                 rf"(?:\s+(?:on\s+it|applied))?|{_EN_WHEN}|{_EN_WHO}"
                 rf"|{_EN_WITH}(?:{_ADDED_ANY})\b(?:\s+(?:on\s+it|applied|added))?"
                 rf"|{_EN_APPOS}")
_NOT_A_UNIT = (r"(?!\s*(?:seconds?|secs?|s\b|minutes?|mins?|ms\b|db\b|hz\b|khz\b|semitones?|half\b|and\s+a\s+half"
               r"|percent|%))")
_EN_PHRASE = re.compile(
    rf"(?:(?P<lead>\b{_EN_LEAD}\s+)(?:{_EN_DET}\s+)?|\b{_EN_DET}\s+)"
    rf"(?P<mods>(?:[a-z][\w'-]*\s+){{0,3}})"
    # "the second of the two files I uploaded": one of a request's uploads
    rf"(?:of\s+(?:the|my|those|these)\s+(?:two|three|four|\d)\s+(?:files|recordings|clips|uploads|takes|tracks)"
    rf"|(?P<noun>{_EN_NOUN})s?)\b{_NOT_A_UNIT}"
    rf"(?P<tail>(?:\s*[,\-–—(]?\s*(?:{_EN_TAIL_ITEM})\b)*\s*[\-–—)]?)",
    re.I,
)
# "what I uploaded first", "what you made at the start"
_EN_WHAT = re.compile(
    rf"(?P<lead>\b{_EN_LEAD}\s+)?\bwhat\s+(?P<tail>{_EN_WHO})(?P<noun>)(?P<mods>)", re.I)
# "the version without the reverb", "before the fade"
_EN_WITHOUT_ONLY = re.compile(
    rf"(?P<lead>\b{_EN_LEAD}\s+)?\b(?:{_EN_DET}\s+)(?:one|version|file|recording|take|clip|audio)\s+"
    rf"(?P<tail>{_EN_WITHOUT}(?:{_ADDED_ANY}|{_ANY_EDIT})\b(?:\s+(?:on\s+it|applied))?)", re.I)

_ZH_LEAD = r"(?:再\s*)?(?:回到|回去用|退回到|返回到?|换回到?|用回|改回|还是用|改用|重新用|继续用|拿|用|对|把|给)?"
_ZH_WHEN = (r"(?:刚|最)?开始(?:聊|说话|对话)(?:天)?的?时候|(?:半|一|两|几|\d+)\s*个?\s*(?:小时|分钟)\s*(?:之?前|以前)"
            r"|最最开始|最开始|最一开始|一开始|刚开始|开始时|最早|最初|起初|当初|之前|以前|早先|先前"
            r"|第\s*(?:[一二三四五]|\d)\s*(?:步|次|个|段|条|版|轮)?"
            r"|问[^，,。！？\s]{1,8}?(?:之前|以前|前)|刚才|刚刚|刚")
_ZH_DEM = r"(?:那一个|那一段|那个|那段|那条|那版|那份|那张|这个|的)"
_ZH_EN_VERBS = "|".join(en for _, en, _ in _DONE.values())
_ZH_EN_DONE = "|".join(en for en, _, _ in _DONE.values())  # "那个 trimmed 的 version"
_ZH_WORDS = sorted(((w, tool) for tool, (_, _, zh) in _DONE.items() for w in zh.split("|")), key=lambda x: -len(x[0]))
_ZH_DONE = "|".join(re.escape(w) if not re.search(r"[?*+()]", w) else w for w, _ in _ZH_WORDS)
_ZH_UNDONE = (rf"没(?:有)?(?:加|做|用|经过|经)?过?(?:{_ZH_DONE})|未(?:经)?(?:{_ZH_DONE})|(?:{_ZH_DONE})(?:之前|以前|前)"
              rf"|(?:加|做)(?:{_ZH_DONE})(?:之前|以前|前)|没(?:有)?\s*(?:{_ZH_EN_VERBS})")  # "还没 lowpass 的"
_ZH_MOD = (r"(?:原始|原来|原本|本来|最初|一开始|(?:我)?上传|传上来|发来|(?:我)?(?:发|传)?给你|(?:我)?传|original\s*|raw\s*|untouched\s*"
           r"|(?:还)?没(?:有)?(?:处理|动|改|编辑)过?|未(?:经)?(?:处理|编辑)"
           rf"|还?(?:{_ZH_UNDONE})"
           rf"|(?:你)?(?:做|弄|生成|搞)(?:好|出来)?|有\s*(?:{_ZH_EN_VERBS})\s*|(?:{_ZH_EN_DONE})\s*"
           rf"|处理过?|处理好|处理完|(?:{_ZH_EN_VERBS})\s*(?:过|后|好|完|(?=\s*的))|转(?:写|录)?出来|转(?:写|录)(?:过|好|完)"
           rf"|(?:加|做|用)(?:过|了)?\s*(?:{_ZH_EN_VERBS}|{_ZH_EN_DONE})\s*(?:过|了)?\s*"  # "加了 reverb 的"
           rf"|(?:让你|叫你|请你|你)?(?:(?:加|做|去|用|调)(?:过|了))?(?:{_ZH_DONE})(?:过|后|好|完|掉|起来|在一起|成|出来)?)\s*的?")
_ZH_NOUN = (r"原版|原文件|源文件|原录音|原音频|原声|原件|文件|录音|音频|版本|结果|输出|片段|素材|语音|声音"
            r"|转写(?:稿|结果|文本)?"
            r"|转录(?:稿|结果)?|文字稿|逐字稿|文字|文本|那一段|那一个|那段|那个|那条|那版|那份|版|那句话|那句|欢迎词"
            r"|原始文件|原始录音|原始音频|照片|图片|头像|相片|人像|肖像|人声|旁白|配音|歌曲|那首歌|那首|歌|背景音乐|音乐|开场白|片头|片尾|播报|合成语音"
            r"|广播词|台词|提示音|口播|解说|成品|这句"
            r"|\s*(?:file|recording|audio|version|result|clip|one|upload|transcript|voice-?over|vocals?|music|bgm|song"
            r"|intro|outro|track|take|photo|portrait|picture|image|memo|announcement|speech|line)\b"
            r"|的(?=\s*(?:[，,。；;]|$|标准化|转成|导出|加|降|升|剪|淡|调|混|存|放|做|变))")  # "一开始那个没处理的，...": no noun
_ZH_PHRASE = re.compile(
    rf"(?P<lead>{_ZH_LEAD})\s*(?:我们|我)?\s*(?P<when>{_ZH_WHEN})?\s*{_ZH_DEM}?\s*(?P<mods>(?:{_ZH_MOD}\s*[、，,]?\s*){{0,2}})\s*{_ZH_DEM}?\s*"
    rf"(?P<mods2>(?:{_ZH_MOD}\s*)?)(?P<noun>{_ZH_NOUN})", re.I)

# "museum 那段 announcement", "reverb 那条": English words naming an earlier request or edit, in a Chinese sentence
_ZH_ABOUT = re.compile(
    rf"(?P<lead>{_ZH_LEAD})\s*(?P<about>[a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){{0,2}})\s*(?:那段|那句|那条|那个|那版|的那个|那通|那首)"
    r"(?P<noun>\s*(?:的\s*)?(?:announcement|speech|clip|recording|audio|line|version|file|录音|语音|播报|话|音频|文件)?)", re.I)

# "the 2x one", "the -14 LUFS version", "16k那个": an earlier result named by the amount its edit used
_PARAM = re.compile(
    r"\bthe\s+(?P<desc>(?:double|half|[-+]?\d[\w.%-]*)(?:[\s-][\w.%-]+){0,2}?)\s+(?:one|version|file|clip|take|mix)\b"
    r"|(?P<zdesc>(?:[-+]?\d[\d.]*\s*(?:k|khz|hz|db|lufs|倍|秒|分贝|赫兹|千赫兹)?))\s*(?:的)?\s*(?:那个|那条|那版|那段)", re.I)

# "最开始上传的那两段里的第二段": the k-th upload
_ZH_NTH_UPLOAD = re.compile(
    rf"(?P<lead>{_ZH_LEAD})\s*(?:我们|我)?\s*(?P<when>{_ZH_WHEN})?\s*(?:我们|我)?\s*(?P<mods>上传|传上来|发来|给你|传)?的?\s*那?"
    r"(?:(?:两|三|几|\d)\s*(?:段|个|条|份)(?:录音|音频|文件|素材|语音)?(?:里|中|里面|里头|当中)?的?)?"
    r"(?P<noun>第\s*(?:[一二三四五]|\d)\s*(?:段|个|条|份)|头\s*(?:一|1)\s*(?:段|个|条|份)|最后\s*(?:一|1)?\s*(?:段|个|条|份))"
    r"(?:\s*(?:录音|音频|文件|file|recording|clip|upload))?")

_FIRST_WORDS = rx(r"\b(?:first|1st|earliest|initial|originally|to\s+begin\s+with|at\s+first|beginning|start"
                  r"|when\s+(?:we|i)\s+(?:first\s+)?(?:started|began)"
                  r"|start(?:ed)?\s+(?:with|from)|began\s+with)\b",
                  r"最开始|一开始|刚开始|开始时|最早|最初|起初|当初|开头|第\s*[一1]")
# Words that go back on their own: "go back to the file" is the file the work started from.
_STRONG_BACK = rx(r"\b(?:go(?:ing)?\s+back|back\s+to|return(?:ing)?\s+to|revert(?:ing)?\s+to|switch(?:ing)?\s+back"
                  r"|start\s+(?:over|again))\b", r"回到|回去|退回|返回|换回|用回|改回|还是用|改用|重新用")
_BACK_WORDS = rx(r"\b(?:before|earlier|again|instead|originally|go(?:ing)?\s+back|back\s+to|return|revert|switch"
                 r"|when\s+(?:we|i)\s+(?:first\s+)?(?:started|began)"
                 r"|start\s+over|re-?use|last\s+time|from\s+the\s+(?:start|beginning)|steps\s+back|ago)\b",
                 r"回到|回去|退回|返回|换回|用回|改回|还是用|改用|重新用|之前|以前|早先|先前|前面|最开始|一开始|最初|起初|当初"
                 r"|最早|第\s*(?:[一二三四五]|\d)\s*(?:轮|次|步)")
_ORIGINAL_WORDS = rx(rf"\b(?:{_EN_ORIGINAL})\b|\b(?:i|we)\s+(?:first\s+|originally\s+)?(?:uploaded|sent|gave|shared"
                     rf"|started|attached|recorded)\b|\b(?:upload|input)\b|{_EN_WITHOUT}{_ANY_EDIT}",
                     r"原始|原来|原本|本来|原版|原文件|源文件|原录音|原音频|原声|原件|上传|传上来|发来|给你的"
                     r"|没(?:有)?(?:处理|动|改|编辑)过?|未(?:经)?(?:处理|编辑)|素材")
_OUTPUT_WORDS = rx(rf"\b(?:{_EN_OUTPUTISH}|result|output|version|edit|mix)\b"
                   r"|\b(?:i|we)\s+(?:asked\s+for|requested|wanted)\b"
                   rf"|\b(?:you|we)\s+(?:made|created|produced"
                   rf"|generated|rendered|exported|did)\b", r"处理|结果|输出|版本")


_ORD = r"first|second|third|1st|2nd|3rd"
_ELLIPSIS = re.compile(rf"\bthe\s+(?P<o1>{_ORD})\s+(?:one\s+)?and\s+(?:the\s+)?(?P<o2>{_ORD})\s+(?P<noun>{_EN_NOUN})s?\b"
                       rf"(?P<tail>(?:\s+(?:{_EN_WHO}))?)", re.I)

_TOPIC = (re.compile(r"\bbefore\s+(?:the|my|that|your|our|this)\s+((?:[\w'-]+\s+){1,3}?)(?:question|detour|tangent|aside"
                     r"|interruption|chat|request|thing|bit)\b", re.I),
          re.compile(r"问([^，,。！？\s]{1,8}?)(?:之前|以前|前)"))
_STOP = {"the", "about", "that", "this", "your", "with", "random", "quick", "little", "other", "silly"}


def _topic_words(phrase: str) -> list[str]:
    """'from before the email question' -> ['email']; '问天气之前' -> ['天气']: what the interrupting turn was about."""
    for pat in _TOPIC:
        if (m := pat.search(phrase)) is not None:
            words = m.group(1).split() if pat is _TOPIC[0] else [m.group(1)]
            return [w.lower() for w in words if len(w) >= 2 and w.lower() not in _STOP]
    return []


def _ordinal(text: str) -> int | None:
    m = re.search(r"\b(first|1st|earliest|second|2nd|third|3rd)\b", text, re.I)
    if m:
        return _EN_ORDINAL[m.group(1).lower()]
    m = re.search(r"第\s*([一二三四五]|\d)", text)
    if m:
        d = m.group(1)
        return int(d) if d.isdigit() else "一二三四五".index(d) + 1
    return None


def _tools_done(text: str) -> set[str]:
    found = set()
    for tool, (en, en_verb, _) in _DONE.items():
        if re.search(rf"(?<![a-z])(?:{en})(?![a-z])", text, re.I) or re.search(
                rf"(?<![a-z])(?:{en_verb})\s*(?:过|后|好|完|(?=\s*的))", text, re.I):
            found.add(tool)
    i = 0
    while i < len(text):  # Chinese: the longest word wins ("混响" is reverb, not "混" mix)
        hit = next(((w, t) for w, t in _ZH_WORDS if re.match(w, text[i:])), None)
        if hit:
            found.add(hit[1])
            i += len(re.match(hit[0], text[i:]).group(0))  # type: ignore[union-attr]
        else:
            i += 1
    return found


def _tools_removed(tail: str) -> set[str]:
    m = re.search(rf"{_EN_WITHOUT}(?P<what>.*)$", tail, re.I)
    if not m:
        return set()
    return {t for t, p in _ADDED.items() if re.match(rf"(?:{p})\b", m.group("what"), re.I)}


def _tools_with(tail: str) -> set[str]:
    m = re.search(rf"{_EN_WITH}(?P<what>.*)$", tail, re.I)
    if not m:
        return set()
    return {t for t, p in _ADDED.items() if re.match(rf"(?:{p})\b", m.group("what"), re.I)}


_NEUTRAL_MODS = re.compile(
    rf"\b(?:{_EN_NEUTRAL}|{_EN_ORIGINAL}|{_EN_OUTPUTISH}|first|1st|earliest|second|2nd|third|3rd|earlier|previous"
    rf"|prior|older)\b|[-']", re.I)


@dataclass
class _Wanted:
    """What a phrase describes."""

    kind: str  # audio | text | any
    original: bool  # an upload (the start of the work), not a result
    output: bool  # a result
    tools: set[str]  # made by one of these tools
    removed: set[str]  # the input of a step of these tools
    order: int | None  # the k-th such artifact (1-based); None: the newest
    back: bool  # the words say "earlier / go back"
    generic: bool = False  # "the text" rather than "the transcript"
    about: tuple[str, ...] = ()  # words of the earlier request that made it ("the boarding announcement")


# "not the song and not the announcement, the other one": the files turned down pick the one meant
_THE_OTHER = rx(r"\bother\b", r"另一|别的|其他|剩下")
# Words beside a reference back that say which version of it is meant, not what to do now: "the fixed version",
# "after your cleanup", "hiss and all", "弄干净以后的", "鸡叫剪掉以后的", "去 hum 之前的那个", "我要 raw 的". Dropped once the
# file is found (_AS_SENT has already read "before"/"raw" as the file as sent).
_QUALIFIER = rx(
    r"\b(?:the\s+)?(?:fixed|cleaned(?:[- ]up)?|cleaner|processed|edited|repaired|de-?hummed|denoised|treated)\s+"
    r"(?:version|one|take|file)\b(?:\s*,?\s*obviously)?|\bafter\s+(?:your|the|my)\s+(?:clean-?up|fix|edit|processing|repair)\b"
    r"|\b[a-z]+\s+and\s+all\b",
    r"(?<=[，,。；;：:])\s*(?:就是|我要|要)?\s*[^，,。；;⟦]{1,10}?(?:以后|之后|后|过|完|之前|以前|前)的\s*(?:那个|那条|那段|那版|版本|那一版)?"
    r"\s*(?=[，,。；;]|$)|(?<=[，,。；;：:])\s*(?:我要|要)\s*(?:raw|原版|原始)\s*的\s*(?=[，,。；;])")


@dataclass(frozen=True)
class _Said:
    """A span of the request read as a file by its words rather than by a pattern (quacks like the re.Match used)."""
    text: str
    s: int
    e: int

    def start(self) -> int:
        return self.s

    def end(self) -> int:
        return self.e

    def group(self, _: int = 0) -> str:
        return self.text[self.s:self.e]


class Resolver:
    """Finds back-references in a request (see the module docstring) against a PlanContext."""

    def __init__(self, ctx: PlanContext) -> None:
        self.ctx = ctx
        self.runs: list[PastRun] = ctx.history
        self.current_audio = sum(1 for a in ctx.uploads if a.kind == "audio")
        self.current_images = sum(1 for a in ctx.uploads if a.kind == "image")

    def rewrite(self, text: str, req: Request) -> str:
        """`text` with each resolvable phrase replaced by a BackRef placeholder."""
        if not self.runs:
            return text
        if self.current_audio < 2:  # "the first and the third clips you made": each ordinal with the noun
            text = _ELLIPSIS.sub(lambda m: f"the {m.group('o1')} {m.group('noun')}{m.group('tail')} and the "
                                 f"{m.group('o2')} {m.group('noun')}{m.group('tail')}", text)
        out: list[str] = []
        pos = 0
        found_at: dict[int, tuple[re.Match[str], tuple[str, str]]] = {}
        desc = DescriptionReader(self, req)
        for pat in (_EN_PHRASE, _EN_WITHOUT_ONLY, _EN_WHAT, _ZH_PHRASE, _ZH_NTH_UPLOAD, _ZH_ABOUT, _PARAM,
                    *DescriptionReader.PATTERNS):
            start = 0
            while (m := pat.search(text, start)) is not None:  # overlapping: "the same to [the original file]"
                got = desc.read(m) if pat in DescriptionReader.PATTERNS else self._resolve(m, text)
                if got is not None and (m.start() not in found_at or m.end() > found_at[m.start()][0].end()):
                    found_at[m.start()] = (m, got)
                start = (m.end() if got is not None else m.start()) + 1
        for s, e, got in desc.pointed_versions(text):  # the whole phrase, over pieces of it ("back to the one")
            if not any(m.start() <= s and m.end() >= e for m, _ in found_at.values()):
                for at in [at for at, (m, _) in found_at.items() if m.start() < e and m.end() > s]:
                    del found_at[at]
                found_at[s] = (_Said(text, s, e), got)
        negated = [at for at in found_at if NEGATED.search(text[max(0, at - 12):at])]
        if negated and len(negated) < len(found_at) and not _THE_OTHER.search(text):
            for at in negated:  # "the fixed version, not the raw one": the raw one is not the file meant
                del found_at[at]
        if _AS_SENT.search(text):
            self._as_sent(found_at)
        elif _AS_MADE.search(text):
            self._as_made(found_at)
        refs = {ref for _, (ref, _) in found_at.values()}
        if found_at and len(refs) + self.current_audio < 2 and not self.current_images and _JOINS.search(text):
            # a join or mix with one file named by a known shape: the other described by its request's words
            named = {(m.start(), m.end()): ref for m, (ref, _) in found_at.values()}
            for got, s, e in desc.each_by_request_words(text, named, need=2 - len(refs) - self.current_audio):
                if all(e <= m.start() or s >= m.end() for m, _ in found_at.values()):
                    found_at[s] = (_Said(text, s, e), got)
        for at in sorted(found_at):
            m, found = found_at[at]
            if m.start() < pos:
                continue
            ref, kind = found
            phrase = m.group(0).strip()
            out.append(text[pos:m.start()])
            out.append(f" {req.add_ref(BackRef(ref=ref, kind=kind, phrase=phrase))} ")
            pos = m.end()
        out.append(text[pos:])
        if found_at:  # "有电流声的那个，弄干净以后的，…", "the one with the hum, the fixed version": which version, not a step
            out = [_QUALIFIER.sub(" ", "".join(out))]
        if not found_at and not self.current_audio and not self.current_images and _JOINS.search(text):
            each = desc.each_by_request_words(text)  # "put Bluebird in front of Harbor Lights": two earlier songs
            if each:
                pieces, pos = [], 0
                for (ref, kind), s, e in each:
                    pieces += [text[pos:s], f" {req.add_ref(BackRef(ref=ref, kind=kind, phrase=text[s:e]))} "]
                    pos = e
                return "".join(pieces) + text[pos:]
        if not found_at and not self.current_audio and not self.current_images:
            # nothing named by a known shape: an earlier request described by its own words ("Father Michael's
            # part", "外公那条"), when only one earlier request used them and it is not what the work continues from
            got = desc.by_request_words(text) or desc.by_described_version(text)
            if got is not None:
                (ref, kind), words = got
                return f"{req.add_ref(BackRef(ref=ref, kind=kind, phrase=words))} , {''.join(out)}"
        return "".join(out)

    def _as_sent(self, found_at: dict[int, tuple[re.Match[str], tuple[str, str]]]) -> None:
        """Two phrases that name one file and a version made from it ("the ghost voice: the actual recording I gave
        you", "传错的那个…拿我传的原文件"), in a request that asks for the file as sent: both are the file."""
        found = {at: self.ctx.artifacts.get(ref[1:]) for at, (_, (ref, _)) in found_at.items()}
        sent = {a.id: a for a in found.values() if a is not None and a.source == "upload"}
        for at, a in found.items():
            if a is not None and a.source != "upload" and (root := self._root(a)).id in sent:
                m, (_, kind) = found_at[at]
                found_at[at] = (m, (f"@{root.id}", kind))

    def _as_made(self, found_at: dict[int, tuple[re.Match[str], tuple[str, str]]]) -> None:
        """A file named as sent ("the very first voiceover") in a request that asks for the version made from it ("加速
        过的那版", "the one you tamed"): the newest audio an earlier run made from that upload."""
        for at, (m, (ref, kind)) in list(found_at.items()):
            a = self.ctx.artifacts.get(ref[1:])
            if a is None or a.source != "upload" or a.kind != "audio":
                continue
            made = [b for r in self.runs for b in r.made
                    if b.kind == "audio" and b.id != a.id and self._root(b).id == a.id]
            if made:
                found_at[at] = (m, (f"@{max(made, key=lambda b: b.created).id}", kind))

    # ------------------------------------------------------------------ reading a phrase
    def _wanted(self, m: re.Match[str]) -> _Wanted | None:
        if m.re is _ZH_ABOUT:
            return self._wanted_about(m)
        if m.re is _PARAM:
            return self._wanted_by_amount(m)
        g = m.groupdict()
        lead, tail, noun = g.get("lead") or "", g.get("tail") or "", g.get("noun") or ""
        mods, when = (g.get("mods") or "") + " " + (g.get("mods2") or ""), g.get("when") or ""
        mods = mods if mods.strip() else ""
        zh = bool(re.search(r"[\u4e00-\u9fff]", m.group(0)))
        if m.re is _ZH_PHRASE and re.fullmatch(r"\s*[a-z]+\s*", m.group(0), re.I) and re.search(
                r"\b(?:i'?ll|i\s+will|we'?ll|let\s+me|to|can|could|will|would|should|must|please)\s*$", m.string[:m.start()], re.I):
            return None  # "I'll upload it": a verb, not "the upload"
        words = m.group(0)
        about: tuple[str, ...] = ()
        if not zh and mods and _NEUTRAL_MODS.sub(" ", _without_done(mods)).strip():
            # a word we do not know describes it ("the background music file"): an earlier artifact only when
            # an earlier request used that word ("the boarding announcement" after "say 'now boarding'")
            about = tuple(w for w in re.split(r"[\s-]+", _NEUTRAL_MODS.sub(" ", _without_done(
                mods.replace("-", " "))).lower()) if w and w not in _STOP)
            if not (self._runs_about(about) and (not self.current_audio or _BACK_WORDS.search(words)
                                                 or _EN_WHO_RX.search(tail) or len(about) >= 3)):
                return None
        removed = _tools_removed(tail)
        if zh:  # "没加混响的那个": the input of the reverb step
            undone = [u.group(0) for u in re.finditer(_ZH_UNDONE, mods)]
            removed |= {t for u in undone for t in _tools_done(u)}
            for u in undone:
                mods = mods.replace(u, " ")
        tools = _tools_done(mods if not zh else mods + " " + noun) | _tools_with(tail)
        if (who := _EN_WHO_RX.search(tail)) is not None:
            tools |= _tools_done(who.group(0))  # "the one you made louder", "the announcement you synthesized"
        kind = "text" if _TEXT_NOUN.search(noun.strip()) or (who is not None and re.search(
            r"transcribed|wrote\s+down", who.group(0), re.I)) else "audio"  # "what you transcribed earlier"
        if _IMAGE_NOUN.search(noun.strip()):
            kind = "image"  # "the portrait from the beginning", "之前那张照片"
            return _Wanted(kind, True, False, set(), set(), _ordinal(mods + " " + when), True) if (
                _BACK_WORDS.search(words) or _ORIGINAL_WORDS.search(mods + " " + tail) or not self.current_images) else None
        if lead and re.fullmatch(r"(?:the\s+)?(?:very\s+)?(?:beginning|start)", noun.strip(), re.I):
            return _Wanted("audio", True, False, set(), set(), 1, True, False)  # "go back to the beginning"
        made_here = {a.tool for r in self.runs for a in r.made}
        if not tools and (_BACK_WORDS.search(words) or (who is not None and not _ORIGINAL_WORDS.search(who.group(0)))
                          or (not self.current_audio and re.search(r"\b(?:the|my|our|that|your)\s+(?:\S+\s+){0,3}?"
                                                                    r"(?:mp3|flac|ogg|wav)s?\b", words, re.I))
                          # "lay the voice line over it" with no file attached: the line the session synthesised
                          or (not self.current_audio and not zh and any(
                              t in made_here and p.search(noun.strip()) for t, p in _NOUN_TOOLS.items()))):
            # "the song from earlier", "the mp3 you made", "之前那句播报": what such a thing is made by
            tools = {t for t, p in _NOUN_TOOLS.items() if p.search(noun.strip())}
        original = bool(_ORIGINAL_WORDS.search(mods + " " + noun + " " + tail)) and not tools
        group = _GROUP_OF.search(m.group(0)) if m.re is _ZH_NTH_UPLOAD else None  # "那三段素材里的…"
        order = 1 if zh and noun.startswith("头") else (
            _ordinal(noun) if zh and noun.startswith("第") else _ordinal(mods + " " + when))
        if zh and noun.startswith("最后"):
            order = zh_num(group.group("n")) if group else None
        if order is None and _FIRST_WORDS.search(mods + " " + when + " " + tail):
            order = 1
        output = bool(tools) or bool(_OUTPUT_WORDS.search(mods + " " + noun + " " + tail)) or (
            bool(_OUTPUT_NOUN.search(noun.strip())))
        back = bool(_BACK_WORDS.search(words))
        if zh and re.search(r"第\s*(?:[一二三四五]|\d)\s*(?:步|轮|次)", when) and kind == "audio":
            output = True  # "第二步那个": what the second request made
        generic = bool(re.fullmatch(r"\s*(?:text|文字|文本)\s*", noun)) and not mods.strip()  # not "the voicemail text"
        if kind == "text":  # "the transcript from before", "之前的转写"; not "turn it into text"
            if original or removed or (generic and not (back or order)):
                return None
        elif not (original or tools or removed or order or about or _STRONG_BACK.search(words) or _topic_words(words)):
            return None
        if about and not _UPLOAD_NOUN.search(noun.strip()):
            output = True  # what that request made
        return _Wanted(kind, original, output and not original, tools, removed, order, back, generic, about)

    def _wanted_by_amount(self, m: re.Match[str]) -> _Wanted | None:
        from agent.planners.numbers import normalize_numbers
        from agent.planners.tool_rules import keyword_tools

        if self.current_audio:
            return None  # "normalize the 2x one" with files attached may name one of them
        desc = normalize_numbers((m.group("desc") or m.group("zdesc") or "").replace("double", "2x").lower())
        done = {a.tool for r in self.runs for a in r.made}
        tools = keyword_tools(desc) & done
        if tools:
            return _Wanted("audio", False, True, tools, set(), None, True)
        # "the 0.85 one" after "slow the voice down to 0.85": the request that said that number
        num = re.match(r"[-+]?\d+(?:\.\d+)?$", desc.strip())
        if num and len(self._runs_about((num.group(0),))) == 1:
            return _Wanted("audio", False, True, set(), set(), None, True, False, (num.group(0),))
        return None

    def _wanted_about(self, m: re.Match[str]) -> _Wanted | None:
        words = m.group("about").lower()
        tools = _tools_done(words)
        about = tuple(w for w in _without_done(words).split() if w not in ("the", "a", "that", "this"))
        if about and not self._runs_about(about):
            return None
        if not (tools or about):
            return None
        return _Wanted("audio", False, True, tools, set(), None, True, False, about)

    def _runs_about(self, words: tuple[str, ...]) -> list[PastRun]:
        from agent.planners.numbers import normalize_numbers

        def said(w: str, r: PastRun) -> bool:
            if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", w):  # a number, however it was written
                return bool(re.search(rf"(?<![\d.]){re.escape(w)}(?!\.?\d)", normalize_numbers(r.request.lower())))
            return bool(re.search(_same_language(w), r.request, re.I))

        return [r for r in self.runs if all(said(w, r) for w in words)]

    def _resolve(self, m: re.Match[str], text: str) -> tuple[str, str] | None:
        topic = _topic_words(m.group(0))
        cut = next((i for i in range(len(self.runs) - 1, -1, -1)
                    if any(t in self.runs[i].request.lower() for t in topic)), None) if topic else None
        if cut is None:
            return self._resolve_in(m, text)
        runs, self.runs = self.runs, self.runs[:cut]  # only what existed before that turn
        try:
            return self._resolve_in(m, text)
        finally:
            self.runs = runs

    def _resolve_in(self, m: re.Match[str], text: str) -> tuple[str, str] | None:
        w = self._wanted(m)
        if w is None:
            return None
        if w.about:
            runs, self.runs = self.runs, self._runs_about(w.about)
            try:
                return self._resolve_wanted(w, m, text)
            finally:
                self.runs = runs
        return self._resolve_wanted(w, m, text)

    def _resolve_wanted(self, w: _Wanted, m: re.Match[str], text: str) -> tuple[str, str] | None:
        before = text[:m.start()]
        if w.kind == "image":
            return self._pick([a for r in self.runs for a in r.uploads if a.kind == "image"], w.order, "image")
        if w.kind == "text":
            if _TRANSCRIBES.search(before) or (self.current_audio and not (w.back or w.order)):
                return None  # "transcribe this, then read the transcript": this request's own text
            texts = [a for r in self.runs for a in r.made if a.kind == "text" and a.tool == "transcribe"]
            return self._pick(texts, w.order, "text")
        if w.tools and not w.back and any(_triggers(t, before) for t in w.tools):
            return None  # "trim it, then fade the trimmed file": this request's own step
        if w.removed:
            made = [a for r in self.runs for a in r.made if a.tool in w.removed and a.kind == "audio"]
            inputs = [self.ctx.artifacts.get(a.inputs[0]) for a in made if a.inputs]
            recs = [a for a in inputs if a is not None and a.kind == "audio"]
            if w.original:
                recs = [self._root(a) for a in recs]
            return self._pick(recs, w.order, "audio")
        if w.tools:
            recs = [self._main_output(r, w.tools) for r in self.runs]
            return self._pick([a for a in recs if a is not None], w.order, "audio")
        if w.output:
            if w.about and w.kind == "audio":  # "the witness recording itself" after "transcribe the witness"
                recs = [_audio_of(r, text if _AS_SENT.search(text) else "") for r in self.runs]
                return self._pick([a for a in recs if a is not None], w.order, "audio")
            recs = [next((a for a in r.outputs if a.kind == "audio"), None) or (r.outputs[0] if r.outputs else None)
                    for r in self.runs]
            return self._pick([a for a in recs if a is not None], w.order, "any")
        # an upload: "the original", "the first recording", "what I uploaded", "go back to the file"
        if self.current_audio and (w.order is None or w.order <= self.current_audio) and not w.back:
            return None  # this request's own files
        uploads = [a for r in self.runs for a in r.uploads if a.kind == "audio"]
        group = _GROUP_OF.search(m.group(0)) if m.re is _ZH_NTH_UPLOAD else None
        if group:  # "那三段素材里的最后一段": the latest request that sent that many files
            sent = next(([a for a in r.uploads if a.kind == "audio"] for r in reversed(self.runs)
                         if sum(a.kind == "audio" for a in r.uploads) == zh_num(group.group("n"))), None)
            uploads = sent or uploads
        if w.order is not None:
            if not uploads:  # nothing was uploaded: the k-th audio made
                uploads = [a for r in self.runs for a in r.outputs if a.kind == "audio"]
            return self._pick(uploads, w.order, "audio")
        rooted = [self._root(a) for r in reversed(self.runs) for a in r.outputs if a.kind == "audio"]
        root = next((a for a in rooted if a.source == "upload"), None)
        if root is not None:
            return f"@{root.id}", "audio"
        return self._pick(uploads, None, "audio")

    # ------------------------------------------------------------------ artifacts
    def _pick(self, recs: list[ArtifactRecord], order: int | None, kind: str) -> tuple[str, str] | None:
        seen: list[ArtifactRecord] = []
        for a in recs:
            if all(a.id != b.id for b in seen):
                seen.append(a)
        if not seen:
            return None
        if order is None:
            a = seen[-1]
        elif order <= len(seen):
            a = seen[order - 1]
        else:
            return None
        return f"@{a.id}", (a.kind if kind == "any" else kind)

    def _main_output(self, run: PastRun, tools: set[str]) -> ArtifactRecord | None:
        """The audio a run made with one of `tools`: its final audio output if it has one."""
        if not any(a.tool in tools for a in run.made):
            return None
        return next((a for a in run.outputs if a.kind == "audio"), None) or next(
            (a for a in reversed(run.made) if a.kind == "audio"), None)

    def _root(self, a: ArtifactRecord) -> ArtifactRecord:
        """The upload an artifact was made from (following first inputs), else the artifact itself."""
        seen = {a.id}
        while a.source != "upload" and a.inputs:
            parent = self.ctx.artifacts.get(a.inputs[0])
            if parent is None or parent.id in seen or parent.kind != a.kind:
                break
            seen.add(parent.id)
            a = parent
        return a


_JOINS = rx(r"\b(?:join|combine|merge|concatenat\w*|stitch|splice|append|glue"
            r"|(?:put|lay|tuck|slide|place|stick|sit|set)\s+\S+(?:\s+\S+){0,5}\s+(?:in\s+front\s+of"
            r"|before|after|on\s+top\s+of|over|under)|mix|layer|overlay|then)\b",
            r"拼|接在|接上|连起来|合并|串|放在\S{0,8}(?:前面|后面)|混|叠|垫")
_TRANSCRIBES = rx(r"\btranscri\w*|\bspeech[- ]to[- ]text\b|\bwrite\s+(?:it|this|that)?\s*down\b",
                  r"转(?:成|为)?文字|转写|转录|识别")


_GROUP_OF = re.compile(r"(?P<n>两|二|三|四|五|[2-5])\s*(?:段|个|条|份)")


def _same_language(word: str) -> str:
    """A pattern for the word `word`, or for any name of the language it names ("English" matches 英文, 英语)."""
    code = L.LANGUAGES.get(word.lower())
    names = [n for n, c in L.LANGUAGES.items() if c == code] if code else [word]
    return "|".join(rf"\b{re.escape(n)}\b" if n.isascii() else re.escape(n) for n in names)


def _without_done(mods: str) -> str:
    """Mods with the tool participles taken out (for the 'only known words' check)."""
    out = mods
    for en, _, _ in _DONE.values():
        out = re.sub(rf"(?<![a-z])(?:{en})(?![a-z])", " ", out, flags=re.I)
    return out


def _triggers(tool: str, text: str) -> bool:
    """Does `text` already ask for `tool` (so a later 'the <tool>ed file' is this request's own step)?"""
    from agent.planners.tool_rules import keyword_tools

    return tool in keyword_tools(text.lower())


# "do the same to the original", "对原文件也做同样的处理"
_SAME = rx(r"\b(?:do|apply|repeat|run|redo|make)\s+(?:(?:exactly|just)\s+)?(?:the\s+)?same\s*(?:thing|things|edits?"
           r"|processing|steps?|effects?|changes?|chain|treatment|again)?\b"
           r"|\bsame\s+(?:thing|edits?|processing|treatment)\s+(?:to|for|on)\b",
           r"(?:同样|一样)的(?:处理|操作|步骤|效果|修改)|也(?:这样|同样|照样)(?:处理|做|弄)|照(?:着|样)(?:处理|做)|做同样|一样处理")


def repeat_steps(req: Request, ctx: PlanContext, text: str) -> list[dict[str, Any]] | None:
    """'Do the same to the original file': the newest earlier run's steps, on the artifact named (or this
    request's upload) instead of the one they read. None when the request does not ask that."""
    if not _SAME.search(text):
        return None
    target = next((r.ref for r in req.refs if r.kind == "audio"), None)
    if target is None and any(a.kind == "audio" for a in ctx.uploads):
        target = "@upload-1"
    if target is None:
        return None

    def swap(v: Any) -> Any:
        if isinstance(v, list):
            return [swap(x) for x in v]
        if isinstance(v, str) and v.startswith("@") and not re.match(r"@s\d+(?:\.|$)", v):
            return target
        return v

    for run in reversed(ctx.history):
        reads = [v for s in run.steps for v in s.get("args", {}).values()
                 if isinstance(v, str) and v.startswith("@") and not re.match(r"@s\d+(?:\.|$)", v)]
        if run.steps and reads:
            return [{**s, "args": {k: swap(v) for k, v in s.get("args", {}).items()}} for s in run.steps]
    return None


# "Same line again at normal speed", "say it again but slower", "再来一遍一样的，正常语速": the last line spoken, anew
_SAY_AGAIN = rx(r"\b(?:say|read|speak|do)\s+(?:it|that|this|the\s+(?:line|sentence|text|phrase))\s+(?:again|once\s+more)\b"
                r"|\b(?:(?:the\s+)?same|that)\s+(?:line|sentence|text|words|phrase|announcement|message)\s+(?:again|once\s+more)\b",
                r"(?:再|重新)(?:说|念|读|来|播)(?:一遍|一次)(?:一样的|同样的)?(?:那句话?|这句话?)?")
_NORMAL_SPEED = rx(r"\b(?:at\s+(?:a\s+)?)?(?:normal|regular|standard|usual|natural)\s+(?:speed|pace|tempo|rate)\b",
                   r"(?:用)?(?:正常|平常的?|原来的)(?:语速|速度)|原速")


def said_again(request: str, ctx: PlanContext) -> str | None:
    """The request with the line the previous turn spoke written out ("Say “Welcome aboard” but slower"), when it
    asks for that line again; None otherwise. At normal speed is the default speed, so those words go."""
    if ctx.uploads or not _SAY_AGAIN.search(request) or re.search(r"[\"“”「」‘’]|'[^']+'", request):
        return None
    run = next((r for r in reversed(ctx.history) if r.made), None)
    spoken = [s for s in (run.steps if run else []) if s.get("tool") == "text_to_speech"]
    step = spoken[-1] if spoken else {}
    text = step.get("args", {}).get("text")
    if not isinstance(text, str) or not text.strip() or text.startswith("@"):
        return None
    rest = _NORMAL_SPEED.sub(" ", _SAY_AGAIN.sub(" ", request)).strip(" ,，.。")
    if step["args"].get("language") == "zh":
        return f"用中文说“{text}”，{rest}" if rest else f"用中文说“{text}”"
    return f"Say “{text}” {rest}".strip()


_LOOKS_BACK = rx(r"\b(?:go(?:ing)?\s+back|back\s+to|return(?:ing)?\s+to|revert(?:ing)?\s+to|original|raw|untouched"
                 r"|unprocessed|unedited)\b", r"回到|返回|换回|用回|原始|原来|原本|最开始|一开始")


def looks_back(text: str) -> bool:
    """The words point at an earlier artifact (that the session may not have): 'go back to the original'."""
    return bool(_LOOKS_BACK.search(text))


def backrefs_for(ctx: PlanContext):  # type: ignore[no-untyped-def]
    """The rewrite hook for clauses.split_request, or None when the session has no history."""
    return Resolver(ctx).rewrite if ctx.history else None


def face_of_last_speech(ctx: PlanContext) -> str | None:
    """The photo the session's newest speech-making run animated, as a reference; None if that run made no face."""
    for run in reversed(ctx.history):
        tools = [s.get("tool") for s in run.steps]
        if "text_to_speech" not in tools and "talking_head" not in tools:
            continue
        image = next((s.get("args", {}).get("image") for s in run.steps if s.get("tool") == "talking_head"), None)
        m = re.fullmatch(r"@upload-(\d+)", image) if isinstance(image, str) else None
        if m and int(m.group(1)) <= len(run.uploads):
            return f"@{run.uploads[int(m.group(1)) - 1].id}"
        return image if isinstance(image, str) and image.startswith("@") and not image.startswith("@s") else None
    return None
