"""Scores and lyrics into a `Song`: sung notes in seconds, each sung on a syllable of a word.

Three ways to give a melody:
- inline notation: `C4:twin C4:kle G4:twin/8 G4:kle/8. R/4 A4:lit` - a note name (C4, F#3, Bb4), an
  optional `:syllable`, an optional `/length` (1 whole, 2 half, 4 quarter, 8 eighth, 16; a trailing
  `.` dots it; default quarter); `R` (or `rest`) is a rest; `_` as the syllable holds the previous
  syllable over this note (a melisma); a syllable ending in `-` continues into the next one in the
  same word (`twin- kle`); `|` bar lines and commas are ignored;
- MIDI (.mid/.midi): the first melodic track (or the one with lyrics), its top voice; `lyrics` meta
  events are the syllables; the file's tempo map (120 bpm when it has none);
- MusicXML (.musicxml/.xml, compressed .mxl): the first part with lyrics (else with notes), its first
  voice; `<lyric>` text with `<syllabic>`; ties merge; `<sound tempo>` marks.

Lyrics given separately (`lyrics`) replace the score's own: Chinese is one syllable per character;
English is split into syllables by vowel groups (twin-kle, lit-tle), or one word per note when the
word count equals the note count; explicit hyphens (twin-kle) are taken as they are. No lyrics at all:
every note is sung on "la".

A `tempo` other than the default replaces a score file's own tempo marks; inline notes use it always.
"""

from __future__ import annotations

import itertools
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from agent.errors import BadInput, InvalidArguments

DEFAULT_TEMPO = 100.0
LOWEST, HIGHEST = 36, 84  # C2 .. C6: what the voices can be made to sing
MAX_NOTES = 400
MAX_SECONDS = 240.0
MAX_EXTRA_NOTES = 2  # notes more than syllables: the last syllable holds them (a melisma)
NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_STEP = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NOTE_RE = re.compile(r"^([A-Ga-g])(#|♯|s|b|♭)?(-?\d)$")
_LEN_RE = re.compile(r"^(1|2|4|8|16|32|64)(\.{0,2})$")
_HOLD = {"_", "~", "-", "+"}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
NOTES_HINT = ("write notes as C4, F#3 or Bb4 with an optional :syllable and /length, e.g. "
              "`C4:twin/4 C4:kle/4 G4:twin/8`; R/4 is a rest")


# ---------------------------------------------------------------------- data
@dataclass
class Note:
    """A note of a score in beats (quarter notes), before the lyrics are aligned."""

    pitch: int | None  # MIDI number; None = a rest
    start: float
    length: float
    lyric: str | None = None  # the syllable given with the note
    hold: bool = False  # sung on the previous note's syllable (a melisma)
    joins_next: bool = False  # its syllable and the next one are one word (twin- kle)


@dataclass
class Score:
    notes: list[Note]
    tempo_map: list[tuple[float, float]]  # (beat, bpm), sorted, first at beat 0
    source: str  # "inline", "midi" or "musicxml"
    own_tempo: bool = False  # the tempo map came from the file


@dataclass
class SungNote:
    pitch: int
    start: float  # seconds from score time 0
    end: float
    syllable: int  # index into Song.syllables


@dataclass
class Syllable:
    text: str
    word: int
    notes: list[int] = field(default_factory=list)  # indices into Song.notes; the first is its onset


@dataclass
class Word:
    text: str  # what the voice speaks
    syllables: list[int] = field(default_factory=list)


@dataclass
class Song:
    notes: list[SungNote]
    syllables: list[Syllable]
    words: list[Word]
    language: str

    @property
    def duration(self) -> float:
        return max(n.end for n in self.notes)


# ---------------------------------------------------------------------- note names
def note_number(name: str) -> int:
    """'C4' -> 60, 'F#3' -> 54, 'Bb4' -> 70. Raises InvalidArguments."""
    m = _NOTE_RE.match(name.strip())
    if not m:
        raise InvalidArguments(f"cannot read the note name {name!r}", NOTES_HINT)
    letter, acc, octave = m.groups()
    n = _STEP[letter.upper()] + 12 * (int(octave) + 1)
    if acc in ("#", "♯", "s"):
        n += 1
    elif acc in ("b", "♭"):
        n -= 1
    return n


def note_name(pitch: int) -> str:
    return f"{NAMES[pitch % 12]}{pitch // 12 - 1}"


def hz(pitch: float) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


# ---------------------------------------------------------------------- inline notation
def _length(spec: str, token: str) -> float:
    m = _LEN_RE.match(spec)
    if not m:
        raise InvalidArguments(f"cannot read the note length {spec!r} in {token!r}",
                               "lengths are /1 /2 /4 /8 /16 (whole .. sixteenth), a dot after makes it dotted: /4.")
    beats = 4.0 / int(m.group(1))
    return beats * (1.5 if len(m.group(2)) == 1 else 1.75 if len(m.group(2)) == 2 else 1.0)


def parse_inline(text: str, tempo: float = DEFAULT_TEMPO) -> Score:
    """`C4:twin/4 C4:kle G4:twin/8. R/4 ...` into a Score at `tempo`."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArguments("the melody is empty: no notes given", NOTES_HINT)
    tokens = [t for t in re.split(r"[\s,，;；|]+", text.strip()) if t]
    if not tokens:
        raise InvalidArguments("the melody is empty: no notes given", NOTES_HINT)
    notes: list[Note] = []
    beat = 0.0
    for token in tokens:
        name, lyric, length = token, None, "4"
        m = re.match(r"^([^:/]+)(?:/([^:]+))?(?::(.*?))?(?:/([^/:]+))?$", token)
        if m:
            name, lyric = m.group(1), m.group(3)
            length = m.group(2) or m.group(4) or "4"
        beats = _length(length, token)
        if name.lower() in ("r", "rest", "0"):
            notes.append(Note(None, beat, beats))
        else:
            try:
                pitch = note_number(name)
            except InvalidArguments as e:
                raise InvalidArguments(f"cannot read the note {token!r} (note {len([n for n in notes if n.pitch]) + 1})",
                                       NOTES_HINT) from e
            notes.append(_with_lyric(Note(pitch, beat, beats), lyric))
        beat += beats
    return Score(notes, [(0.0, float(tempo))], "inline")


def _with_lyric(note: Note, lyric: str | None) -> Note:
    """Attach a syllable as written: `_` holds the previous one, a trailing `-` joins the next one."""
    if lyric is None:
        return note
    t = lyric.strip()
    if t in _HOLD:
        note.hold = True
        return note
    if t.endswith("-"):
        note.joins_next = True
        t = t.rstrip("-").strip()
    t = t.lstrip("-").strip()
    note.lyric = t or None
    return note


# ---------------------------------------------------------------------- MIDI
def _midi_text(text: str) -> str:
    """mido decodes meta text as latin-1; lyrics are usually UTF-8 (or GBK) bytes."""
    raw = text.encode("latin-1", errors="ignore")
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return text


def parse_midi(path: Path) -> Score:
    import mido

    try:
        mid = mido.MidiFile(str(path), clip=True)
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError) as e:
        raise BadInput(f"{path.name} is not a MIDI file that can be read ({type(e).__name__}: {e})",
                       "export the melody as a standard MIDI file (.mid)") from e
    tpb = float(mid.ticks_per_beat or 480)
    tempo_events: list[tuple[int, float]] = []
    tracks: list[tuple[list[tuple[int, int, int]], list[tuple[int, str]]]] = []
    for track in mid.tracks:
        tick = 0
        open_notes: dict[tuple[int, int], int] = {}
        notes: list[tuple[int, int, int]] = []  # (start tick, end tick, pitch)
        lyrics: list[tuple[int, str]] = []
        texts: list[tuple[int, str]] = []
        for msg in track:
            tick += msg.time
            if msg.type == "set_tempo":
                tempo_events.append((tick, mido.tempo2bpm(msg.tempo)))
            elif msg.type == "lyrics":
                lyrics.append((tick, _midi_text(msg.text)))
            elif msg.type == "text" and not msg.text.startswith("@"):
                texts.append((tick, _midi_text(msg.text)))  # karaoke (.kar) files put syllables in text events
            elif msg.type == "note_on" and msg.velocity > 0 and msg.channel != 9:
                key = (msg.channel, msg.note)
                if key in open_notes:  # a repeated note-on without note-off ends the first
                    notes.append((open_notes.pop(key), tick, msg.note))
                open_notes[key] = tick
            elif msg.type in ("note_off", "note_on") and getattr(msg, "channel", 0) != 9:
                key = (msg.channel, msg.note)
                if key in open_notes:
                    notes.append((open_notes.pop(key), tick, msg.note))
        for (ch, pitch), start in open_notes.items():
            notes.append((start, tick, pitch))
        tracks.append((sorted(notes), lyrics or (texts if len(texts) >= max(2, len(notes) // 2) else [])))
    melodic = [t for t in tracks if t[0]]
    if not melodic:
        raise InvalidArguments(f"{path.name} has no notes", "give a MIDI file with a melody, or notes like C4 D4 E4")
    # The track that carries lyrics, else the first with notes (the melody by convention).
    notes_ticks, lyrics = next((t for t in melodic if t[1]), melodic[0])
    lyric_ticks = [(tick, text) for tick, text in lyrics]
    # Monophonic: at each start keep the top note; a note ends where the next one starts.
    by_start: dict[int, tuple[int, int]] = {}
    for s, e, p in notes_ticks:
        if e <= s:
            continue
        if s not in by_start or p > by_start[s][1]:
            by_start[s] = (e, p)
    starts = sorted(by_start)
    out: list[Note] = []
    for i, s in enumerate(starts):
        e, p = by_start[s]
        if i + 1 < len(starts):
            e = min(e, starts[i + 1])
        note = Note(p, s / tpb, (e - s) / tpb)
        out.append(note)
    if lyric_ticks:
        tol = tpb / 8
        for note in out:
            hits = [t for tick, t in lyric_ticks if abs(tick - note.start * tpb) <= tol]
            if hits:
                text = hits[0].replace("\\", " ").replace("/", " ").strip()
                _with_lyric(note, text if text else None)
            else:
                note.hold = True  # no syllable of its own: a melisma on the previous one
        if out and out[0].hold:
            out[0].hold = False
    tempo_events.sort()
    own = bool(tempo_events)
    tmap = [(0.0, 120.0)]  # the MIDI default
    for tick, bpm in tempo_events:
        if tick == 0:
            tmap[0] = (0.0, bpm)
        else:
            tmap.append((tick / tpb, bpm))
    return Score(_with_rests(out), tmap, "midi", own_tempo=own)


def _with_rests(notes: list[Note]) -> list[Note]:
    """Rests where a score leaves gaps (so the timeline is explicit)."""
    out: list[Note] = []
    pos = 0.0
    for n in sorted(notes, key=lambda n: n.start):
        if n.start > pos + 1e-6:
            out.append(Note(None, pos, n.start - pos))
        out.append(n)
        pos = max(pos, n.start + n.length)
    return out


# ---------------------------------------------------------------------- MusicXML
def _strip_ns(root: ET.Element) -> ET.Element:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    return root


def _read_xml_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if data[:2] != b"PK":
        return data
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            target = None
            if "META-INF/container.xml" in names:
                c = _strip_ns(ET.fromstring(z.read("META-INF/container.xml")))
                rf = c.find(".//rootfile")
                if rf is not None:
                    target = rf.get("full-path")
            if not target:
                target = next((n for n in names if n.lower().endswith((".xml", ".musicxml")) and not n.startswith("META-INF")), None)
            if not target:
                raise BadInput(f"{path.name} is a zip without a MusicXML file inside")
            return z.read(target)
    except zipfile.BadZipFile as e:
        raise BadInput(f"{path.name} is a broken .mxl (zip) file: {e}") from e


def parse_musicxml(path: Path) -> Score:
    try:
        root = _strip_ns(ET.fromstring(_read_xml_bytes(path)))
    except ET.ParseError as e:
        raise BadInput(f"{path.name} is not well-formed XML ({e})", "export the score again as MusicXML") from e
    if root.tag == "score-timewise":
        raise InvalidArguments(f"{path.name} is timewise MusicXML, which is not supported",
                               "export it as partwise MusicXML (the usual kind)")
    if root.tag != "score-partwise":
        raise BadInput(f"{path.name} is XML but not a MusicXML score (its root is <{root.tag}>)")
    parts = root.findall("part")
    parts = [p for p in parts if p.find(".//note/pitch") is not None]
    if not parts:
        raise InvalidArguments(f"{path.name} has no notes", "give a score with a melody")
    part = next((p for p in parts if p.find(".//lyric") is not None), parts[0])
    has_lyrics = part.find(".//lyric") is not None
    divisions = 1.0
    pos = 0.0  # in divisions
    melody_voice: str | None = None
    notes: list[Note] = []
    tempo_marks: list[tuple[float, float]] = []
    for measure in part.findall("measure"):
        for el in measure:
            if el.tag == "attributes":
                d = el.findtext("divisions")
                if d:
                    divisions = float(d)
            elif el.tag == "backup":
                pos -= float(el.findtext("duration") or 0)
            elif el.tag == "forward":
                pos += float(el.findtext("duration") or 0)
            elif el.tag in ("direction", "sound"):
                snd = el if el.tag == "sound" else el.find(".//sound")
                if snd is not None and snd.get("tempo"):
                    try:
                        tempo_marks.append((pos / divisions, float(snd.get("tempo", ""))))
                    except ValueError:
                        pass
            elif el.tag == "note":
                if el.find("grace") is not None or el.find("cue") is not None:
                    continue
                dur = float(el.findtext("duration") or 0)
                if el.find("chord") is not None:
                    continue  # the first note of a chord is the one sung
                voice = el.findtext("voice") or "1"
                if melody_voice is None and el.find("pitch") is not None:
                    melody_voice = voice
                start = pos
                pos += dur
                if voice != (melody_voice or voice):
                    continue
                if el.find("rest") is not None or el.find("pitch") is None:
                    notes.append(Note(None, start / divisions, dur / divisions))
                    continue
                p = el.find("pitch")
                assert p is not None
                try:
                    pitch = _STEP[(p.findtext("step") or "").strip().upper()] + 12 * (int(p.findtext("octave") or "") + 1)
                    pitch += round(float(p.findtext("alter") or 0))
                except (KeyError, ValueError) as e:
                    raise BadInput(f"{path.name}: a note has an unreadable pitch") from e
                ties = {t.get("type") for t in el.findall("tie")}
                prev = next((n for n in reversed(notes) if n.pitch is not None), None)
                if "stop" in ties and prev is not None and prev.pitch == pitch:
                    prev.length = start / divisions + dur / divisions - prev.start
                    continue
                note = Note(pitch, start / divisions, dur / divisions)
                lyric = next((ly for ly in el.findall("lyric") if ly.get("number", "1") == "1"), None) or el.find("lyric")
                text = lyric.findtext("text") if lyric is not None else None
                if lyric is not None and text and text.strip():
                    note.lyric = text.strip()
                    note.joins_next = (lyric.findtext("syllabic") or "single").strip() in ("begin", "middle")
                elif has_lyrics and notes:
                    note.hold = True  # no syllable under it: the previous one goes on (a melisma)
                notes.append(note)
    if not any(n.pitch is not None for n in notes):
        raise InvalidArguments(f"{path.name} has no notes", "give a score with a melody")
    tmap = sorted(tempo_marks)
    own = bool(tmap)
    if not tmap or tmap[0][0] > 0:
        tmap.insert(0, (0.0, tmap[0][1] if tmap else DEFAULT_TEMPO))
    return Score(notes, tmap, "musicxml", own_tempo=own)


def parse_score_file(path: Path) -> Score:
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path.name}: no such score file")
    head = path.read_bytes()[:4]
    suffix = path.suffix.lower()
    if head == b"MThd" or suffix in (".mid", ".midi", ".kar"):
        if head != b"MThd":
            raise BadInput(f"{path.name} is not a MIDI file (it does not start with MThd)",
                           "export the melody as a standard MIDI file (.mid)")
        return parse_midi(path)
    if suffix in (".musicxml", ".xml", ".mxl") or head.startswith(b"<") or head[:2] == b"PK":
        return parse_musicxml(path)
    raise BadInput(f"{path.name} is neither MIDI nor MusicXML", "give a .mid, .musicxml or .mxl score")


# ---------------------------------------------------------------------- lyrics
_VOWELS = "aeiouy"


def vowel_groups(word: str) -> int:
    """Syllables of an English word by vowel groups: twinkle 2, little 2, star 1, make 1, happy 2."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    groups = re.findall(r"[aeiouy]+", w[0] + w[1:]) if w[0] != "y" else re.findall(r"[aeiouy]+", w[1:])
    n = len(groups)
    if n > 1 and w.endswith("e") and not re.search(r"[^aeiouy]le$", w) and not w.endswith(("ee", "ye")):
        n -= 1  # a silent final e: make, time, love
    if n > 1 and re.search(r"[^aeiouy]es$|[^aeiouytdl]ed$", w) and not re.search(r"(?:[cgsz]|sh|ch)es$", w):
        n -= 1  # plays, loved: the ending is not a syllable
    return max(1, n)


def split_word(word: str, n: int | None = None) -> list[str]:
    """Text of each syllable (for labels and errors): twinkle -> twin kle, little -> lit tle, table -> ta ble."""
    n = n or vowel_groups(word)
    low = word.lower()
    nuclei = [(m.start(), m.end()) for m in re.finditer(r"[aeiouy]+", low) if not (m.start() == 0 and low[0] == "y")]
    if n <= 1 or len(nuclei) < n:
        return [word]
    nuclei = nuclei[:n]  # a silent final e belongs to the last syllable
    cuts = []
    for (_, e1), (s2, _) in itertools.pairwise(nuclei):
        cluster = low[e1:s2]
        if re.fullmatch(r"[^aeiouy]le", low[s2 - 2:]) and s2 - 2 >= e1:
            cut = s2 - 2  # ta-ble, twin-kle, lit-tle
        elif len(cluster) <= 1 or cluster in ("ck", "th", "sh", "ch", "ph", "wh"):
            cut = e1  # mu-sic, mo-ther
        else:
            cut = e1 + 1  # hap-py, star-ry
        cuts.append(cut)
    parts, prev = [], 0
    for c in cuts:
        parts.append(word[prev:c])
        prev = c
    parts.append(word[prev:])
    return [p for p in parts if p] if all(parts) else [word]


def lyric_words(text: str, language: str) -> list[list[str]]:
    """Words, each as its syllables. Chinese: one character = one word of one syllable."""
    if language == "zh" or _CJK.search(text):
        out: list[list[str]] = []
        for tok in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[A-Za-z']+", text):
            out.append([tok] if _CJK.match(tok) else split_word(tok))
        return out
    words = []
    for tok in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", text):
        tok = tok.replace("’", "'")
        if "-" in tok:
            words.append([p for p in tok.split("-") if p])
        else:
            words.append(split_word(tok))
    return words


def detect_language(text: str) -> str:
    return "zh" if _CJK.search(text or "") else "en"


# ---------------------------------------------------------------------- putting it together
def _seconds(beat: float, tmap: list[tuple[float, float]]) -> float:
    t = 0.0
    for i, (b0, bpm) in enumerate(tmap):
        b1 = tmap[i + 1][0] if i + 1 < len(tmap) else float("inf")
        if beat <= b0:
            break
        t += (min(beat, b1) - b0) * 60.0 / bpm
    return t


def build_song(score: Score, lyrics: str | None = None, language: str = "auto",
               tempo: float = DEFAULT_TEMPO) -> Song:
    """Align the lyrics with the sung notes and put the notes in seconds. Raises InvalidArguments."""
    if score.source == "inline":
        tmap = score.tempo_map  # parse_inline's tempo
    elif float(tempo) != DEFAULT_TEMPO or (score.source == "musicxml" and not score.own_tempo):
        tmap = [(0.0, float(tempo))]
    else:
        tmap = score.tempo_map  # the file's own marks (a MIDI file without any: 120 bpm, as MIDI says)
    sung = [n for n in score.notes if n.pitch is not None and n.length > 1e-6]
    if not sung:
        raise InvalidArguments("the score has no notes to sing (only rests)", NOTES_HINT)
    if len(sung) > MAX_NOTES:
        raise InvalidArguments(f"the score has {len(sung)} notes; at most {MAX_NOTES} are sung at once",
                               "split the song into parts")
    bad = [n for n in sung if not LOWEST <= int(n.pitch or 0) <= HIGHEST]
    if bad:
        b = bad[0]
        raise InvalidArguments(
            f"note {note_name(int(b.pitch or 0))} is out of the singable range C2..C6 "
            f"({len(bad)} note{'s' if len(bad) > 1 else ''} outside it)",
            "transpose the melody into C2..C6 (MIDI 36..84)")
    text = lyrics.strip() if isinstance(lyrics, str) and lyrics.strip() else None
    lang = (language or "auto").strip().lower().replace("_", "-")
    if lang in ("auto", ""):
        given = text or " ".join(n.lyric or "" for n in sung)
        lang = detect_language(given)
    lang = {"cmn": "zh", "zh-cn": "zh", "zh-hans": "zh", "mandarin": "zh", "chinese": "zh", "english": "en"}.get(lang, lang)
    lang = lang.split("-")[0]

    plan: list[tuple[str, list[Note]]] = []  # (syllable, its notes), in order
    words: list[list[int]] = []  # syllable indices of each word
    if text is not None:
        given = lyric_words(text, lang)
        if not given:
            raise InvalidArguments(f"the lyrics {text[:40]!r} hold no words to sing")
        n_syl, n_notes = sum(len(w) for w in given), len(sung)
        if n_syl != n_notes and len(given) == n_notes:
            given = [["".join(w)] for w in given]  # one word per note
            n_syl = n_notes
        if n_syl > n_notes or n_notes - n_syl > MAX_EXTRA_NOTES:
            shown = " ".join("-".join(w) for w in given)
            raise InvalidArguments(
                f"the lyrics have {n_syl} syllables ({shown}) but the melody has {n_notes} notes",
                "give one syllable per note (hyphens split words: twin-kle), or write the notes with their "
                "syllables (C4:twin C4:kle) and _ to hold a syllable over another note")
        k = 0
        for w in given:
            words.append([])
            for s in w:
                words[-1].append(len(plan))
                plan.append((s, [sung[k]]))
                k += 1
        plan[-1][1].extend(sung[k:])  # the last syllable holds any extra notes
    else:
        has_any = any(n.lyric for n in sung)
        join_prev = False
        for n in sung:
            if plan and (n.hold or (has_any and not n.lyric)):
                plan[-1][1].append(n)  # a melisma: the previous syllable goes on
                continue
            syl = n.lyric or ("啦" if lang == "zh" else "la")
            if join_prev and words and not _CJK.search(syl):
                words[-1].append(len(plan))
            else:
                words.append([len(plan)])
            plan.append((syl, [n]))
            join_prev = n.joins_next
        if lang == "en":  # "C4:twin C4:kle" without a hyphen: a lone -kle/-tle/-ble ends the word before it
            merged: list[list[int]] = []
            for w in words:
                if merged and len(w) == 1 and re.fullmatch(r"[^aeiouy\W\d]+le", plan[w[0]][0].lower()):
                    merged[-1].extend(w)
                else:
                    merged.append(list(w))
            words = merged
    # seconds
    notes: list[SungNote] = []
    syllables: list[Syllable] = []
    word_of = {si: wi for wi, w in enumerate(words) for si in w}
    for si, (syl, group) in enumerate(plan):
        s = Syllable(syl, word_of[si])
        for n in group:
            s.notes.append(len(notes))
            notes.append(SungNote(int(n.pitch or 0), _seconds(n.start, tmap), _seconds(n.start + n.length, tmap), si))
        syllables.append(s)
    song = Song(notes, syllables, [Word("".join(plan[si][0] for si in w), list(w)) for w in words], lang)
    if song.duration > MAX_SECONDS:
        raise InvalidArguments(f"the song lasts {song.duration:.0f} s; at most {MAX_SECONDS:.0f} s are sung at once",
                               "split it into parts or raise the tempo")
    return song
