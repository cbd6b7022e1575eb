"""Which audio each step of a rule plan reads: this request's uploads, the session's previous result,
earlier artifacts named by a back-reference (history.py), and the outputs of earlier steps. Implements
rule_args.Sources for the extractors."""

from __future__ import annotations

import re

from agent.context import PlanContext
from agent.planners import lexicon as L
from agent.planners.clauses import PLACEHOLDER, Clause, Request
from agent.planners.rule_args import NeedInfo
from agent.specs import ToolSpec

NO_RECORDING = ("Which recording should I work on? Attach an audio file with -i (for example -i voice.wav), "
                "or run this after a request that produced audio.")

ARTIFACT_ID = re.compile(r"@?\b((?:audio|image|video)-[0-9a-f]{10}(?:-\d+)?)\b")
# "normalize both files", "两个文件先各自降噪": one step per uploaded file
EACH = L.rx(
    r"\bboth\s+(?:of\s+)?(?:the\s+|these\s+|those\s+|my\s+)?(?:files|clips|recordings|tracks|inputs|uploads|songs"
    r"|takes|them|of\s+them)\b|\b(?:them|these|those)\s+both\b|\beach\s+(?:of\s+(?:them|the\s+\w+|these)|file|clip"
    r"|one|recording|track|input|upload|song|take)\b|\ball\s+(?:of\s+)?(?:the\s+|these\s+|my\s+)?(?:files|clips"
    r"|recordings|tracks|inputs|uploads|songs)\b|\b(?:separately|individually|one\s+by\s+one)\b"
    r"|\bboth\b(?!\s+(?:ends?|sides?|channels?|directions?|ways?|in\b|and\b|at\b|the\s+(?:start|beginning|end)))",
    r"各自|分别|每个文件|每段|每一段|每一个|(?:两|2|三|3|几)\s*(?:个|段|条)[\u4e00-\u9fff]{0,4}?都|这(?:两|2)\s*(?:个|段)都|都先")

_THIS_UPLOAD = L.rx(r"\b(?:this|the\s+attached|the\s+new|my\s+new|this\s+new)\s+(?:new\s+)?(?:recording|clip|file|track|audio"
                    r"|take|upload|one|voice\s+memo|memo|song|music|loop|bed|voice-?over|narration|podcast|interview)\b",
                    r"这(?:一)?(?:段|个|条|首)\s*(?:新的?)?\s*(?:录音|音频|文件|音乐|背景音乐|bgm|歌|人声|旁白|配音|file|recording"
                    r"|clip|audio|voiceover|music)?")


class Chain:
    """Which audio each step reads: uploads, the previous result, earlier steps (rule_args.Sources)."""

    def __init__(self, ctx: PlanContext, req: Request, first: Clause | None = None) -> None:
        self.ctx = ctx
        self.uploads = [(f"@upload-{i}", a) for i, a in enumerate(ctx.uploads, 1) if a.kind == "audio"]
        lasts = [(("@last" if i == 1 else f"@last-{i}"), a) for i, a in enumerate(ctx.last, 1)]
        self.last_audio = next((r for r, a in lasts if a.kind == "audio"), None)
        mine = {a.id for a in ctx.uploads}
        earlier = [a for a in ctx.artifacts.values() if a.kind == "audio" and a.id not in mine]
        if self.last_audio is None and earlier:
            self.last_audio = f"@{max(earlier, key=lambda a: a.created).id}"
        self.last_text = next((r for r, a in lasts if a.kind == "text"), None)
        # "the previous result" where the work starts ("normalize the result" after a step is that step's output)
        said = PLACEHOLDER.sub(" ", first.core) if first is not None else req.original
        self.prefer_last = bool(self.last_audio and L.PREVIOUS.search(said))
        self.req = req
        self.cur: str | None = None
        self.origin: str | None = None
        self.used: set[str] = set()
        self.text_ref: str | None = None
        self.branches: dict[str, str] = {}  # upload -> the latest step made from it ("denoise both files")

    def current(self, clause: Clause, prefer_mention: bool = True) -> str:
        if self.cur:
            if prefer_mention:  # "transcribe the first file and tell me how long the second one is"
                named = [r for _, _, r in self.mentioned(clause, strict=True)]
                if named and named[0] != self.cur:
                    self.cur = self.branches.get(named[0], named[0])
                    self.origin = named[0]
                    self.used.add(named[0])
            return self.cur
        ref: str | None = None
        if prefer_mention:
            named = [r for _, _, r in self.mentioned(clause)]
            ref = named[0] if named else None
        if ref is None:
            if self.prefer_last or not self.uploads:
                ref = self.last_audio or (self.uploads[0][0] if self.uploads else None)
            else:
                ref = self.uploads[0][0]
        if ref is None:
            raise NeedInfo(NO_RECORDING)
        self.cur = self.origin = ref
        self.used.add(ref)
        return ref

    def others(self) -> list[str]:
        out = [self.branches.get(r, r) for r, _ in self.uploads if r not in self.used or r in self.branches]
        return [r for r in out if r != self.cur]

    def heads(self) -> list[tuple[str, str]]:
        """Each audio upload with the latest step made from it: what "each file" means now."""
        return [(r, self.branches.get(r, r)) for r, _ in self.uploads]

    def branch(self, upload: str, ref: str) -> None:
        """A step on one upload of "each file" made `ref`; the first upload's branch is the chain's current."""
        self.branches[upload] = ref
        self.used.add(upload)
        first = self.uploads[0][0]
        self.cur = self.branches.get(first, self.cur)
        self.origin = first

    def take(self, ref: str) -> None:
        self.used.add(ref)

    def named_elsewhere(self, clause: Clause) -> list[str]:
        """Earlier audio the request names outside this clause and no step has read yet, in the order said:
        "大巴上录的那条，切过低频的，把这句放在它前面" names the bus recording in a clause of its own."""
        here = {m.group(2) for m in PLACEHOLDER.finditer(clause.core) if m.group(1) == "r"}
        out: list[str] = []
        for m in PLACEHOLDER.finditer(" ".join(c.core for c in self.req.clauses)):
            back = self.req.refs[ord(m.group(2)) - 97] if m.group(1) == "r" else None
            if back is not None and back.kind == "audio" and m.group(2) not in here and back.ref not in self.used \
                    and back.ref not in out:
                out.append(back.ref)
        return out

    def has_text_upload(self) -> bool:
        return any(a.kind == "text" for a in self.ctx.uploads)

    def text_source(self) -> str | None:
        """This request's text (a step's transcript, else an attached text file), else the last one."""
        upload = next((f"@upload-{i}" for i, a in enumerate(self.ctx.uploads, 1) if a.kind == "text"), None)
        return self.text_ref or upload or self.last_text

    def seconds(self, ref: str) -> float | None:
        """How long an input is (an upload or the previous result); None for a step's output, which the steps
        before it may have made longer or shorter."""
        files = dict(self.uploads) | {("@last" if i == 1 else f"@last-{i}"): a for i, a in enumerate(self.ctx.last, 1)}
        rec = files.get(ref) or self.ctx.artifacts.get(ref.removeprefix("@"))
        d = rec.meta.get("duration") if rec is not None else None
        return float(d) if isinstance(d, (int, float)) and d > 0 else None

    def upload_of(self, kind: str, newest: bool = False) -> str | None:
        """The first upload of a kind (image, video), else (newest=True) the session's newest one."""
        i = next((i for i, a in enumerate(self.ctx.uploads, 1) if a.kind == kind), None)
        if i is not None:
            return f"@upload-{i}"
        rec = self.ctx.latest(kind) if newest else None
        return f"@{rec.id}" if rec else None

    def mentioned(self, clause: Clause, strict: bool = False) -> list[tuple[int, int, str]]:
        """Inputs the clause names: 'the second file', 'music.wav', 'the music' (a file's stem), 'the previous
        result', as (start, end, reference) in clause order. `strict`: only files named for sure (an ordinal
        with a noun, a file name, an earlier artifact), not 'the last second' or 'the result'."""
        t = clause.core
        found: list[tuple[int, int, str]] = []
        for m in L.ORDINAL_MENTION.finditer(t):
            if strict and not (m.group("num") or m.group("zhrel") or (m.group("ord") and " " in m.group(0).strip())
                               or (m.group("zh") and len(m.group(0)) > 2) or (m.group("ord") and re.search(
                                   r"\bthe\s+$", t[:m.start()]) and not re.match(r"\s*(?:half|part|section|bit|time)\b",
                                                                                  t[m.end():]))):
                continue
            n = m.group("ord") or m.group("num") or m.group("zh") or m.group("zhrel")
            k = L.ORDINALS.get(n) if n in L.ORDINALS else {"前者": 1, "后者": 2}.get(n)
            if k is None:
                k = int(n) if n.isdigit() else "一二三四五".index(n) + 1
            if 1 <= k <= len(self.uploads):
                found.append((m.start(), m.end(), self.uploads[k - 1][0]))
        for m in PLACEHOLDER.finditer(t):
            if m.group(1) == "r":  # "the original recording", resolved by history.py
                back = self.req.refs[ord(m.group(2)) - 97]
                if back.kind == "audio":
                    found.append((m.start(), m.end(), back.ref))
            elif m.group(1) == "f":
                name = self.req.files[ord(m.group(2)) - 97].lower()
                ref = next((r for r, a in self.uploads if (a.original_name or "").lower().endswith(name)), None)
                if ref:
                    found.append((m.start(), m.end(), ref))
        for ref, a in self.uploads:
            stem = re.sub(r"\.\w+$", "", (a.original_name or "").lower())
            if len(stem) >= 3:
                for m in re.finditer(rf"(?<![\w⟦]){re.escape(stem)}(?!\w)", t):
                    found.append((m.start(), m.end(), ref))
        if len(self.uploads) == 1 and any(m.group(1) == "r" for m in PLACEHOLDER.finditer(t)):
            # "put the intro you generated in front of this recording": with an earlier artifact named, "this
            # recording" is the one file attached now
            for m in _THIS_UPLOAD.finditer(t):
                found.append((m.start(), m.end(), self.uploads[0][0]))
        for m in ARTIFACT_ID.finditer(t):  # an artifact named by id; validation says if it is not there
            found.append((m.start(), m.end(), f"@{m.group(1)}"))
        if self.last_audio and not strict:
            for m in L.PREVIOUS.finditer(t):
                found.append((m.start(), m.end(), self.last_audio))
        found.sort()
        # What the chain already started from is now the chain's latest output.
        return [(s, e, self.cur if self.cur and r == self.origin else r) for s, e, r in found]

    def produced(self, step_id: str, spec: ToolSpec) -> None:
        if spec.outputs[spec.primary_output].type == "audio":
            self.cur = f"@{step_id}"
            if self.origin:
                self.branches[self.origin] = self.cur  # "denoise the first file, trim the second, join them"
        text_out = next((n for n, o in spec.outputs.items() if o.type == "text"), None)
        if text_out:
            self.text_ref = f"@{step_id}.{text_out}"


