"""Cut a streaming reply into speakable chunks. The first chunk goes out at the first clause break
(VideoChat's trick: TTS starts while the LLM is still writing); later chunks wait for a sentence
end, so the voice keeps natural prosody."""

from __future__ import annotations

import re

# A break needs the next character to be whitespace (or CJK punctuation, which needs none): while the
# reply streams, "3." may still become "3.5".
_SENTENCE_END = re.compile(r"[.!?…]+[\"')\]]*(?=\s)|[。！？]+")
_CLAUSE_END = re.compile(r"[,;:—–]+(?=\s)|[，；：、]")
_MARKUP = re.compile(r"[*_`#>|~]+|\[(?:[^\]]*)\]\((?:[^)]*)\)")


def speakable(text: str) -> str:
    """Markdown and emoji are not read aloud."""
    text = _MARKUP.sub(" ", text)
    text = "".join(ch for ch in text if ch.isprintable() and not (0x1F000 <= ord(ch) <= 0x1FAFF))
    return re.sub(r"\s+", " ", text).strip()


class SentenceChunker:
    def __init__(self, first_min_words: int = 3, min_chars: int = 12, max_chars: int = 220) -> None:
        self.first_min_words = first_min_words
        self.min_chars = min_chars
        self.max_chars = max_chars
        self._buf = ""
        self._sent = 0

    def push(self, delta: str) -> list[str]:
        """Add streamed text; return the chunks now complete."""
        self._buf += delta
        out = []
        while (cut := self._cut()) is not None:
            chunk, self._buf = self._buf[:cut], self._buf[cut:]
            if (text := speakable(chunk)):
                out.append(text)
                self._sent += 1
        return out

    def flush(self) -> list[str]:
        text, self._buf = speakable(self._buf), ""
        if text:
            self._sent += 1
            return [text]
        return []

    def _cut(self) -> int | None:
        buf = self._buf
        for m in _SENTENCE_END.finditer(buf):
            head = buf[: m.end()].strip()
            if self._sent == 0 or len(head) + _cjk_count(head) >= self.min_chars:  # a Hanzi counts double
                return m.end()
        if self._sent == 0:
            for m in _CLAUSE_END.finditer(buf):
                head = buf[: m.end()]
                if len(head.split()) >= self.first_min_words or _cjk_count(head) >= 4:
                    return m.end()
        if len(buf) > self.max_chars:  # a run-on reply: break at the last space
            space = buf.rfind(" ", 0, self.max_chars)
            return space if space > 0 else self.max_chars
        return None


def _cjk_count(text: str) -> int:
    return sum(1 for ch in text if 0x4E00 <= ord(ch) <= 0x9FFF)
