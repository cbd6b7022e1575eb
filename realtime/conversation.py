"""What the avatar remembers and how it asks the LLM: a short system prompt, the last exchanges, and
a streaming call that can be abandoned mid-reply (barge-in) from any thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from agent.llm import LLMConfig, translate_error

SYSTEM_PROMPT = (
    "You are a friendly talking avatar in a live voice chat. Answer in one or two short spoken "
    "sentences. No lists, no markdown, no emoji."
)
# Older turns are forgotten (the embedded model has a 2k-token context), several at once: the LLM keeps
# the evaluated prompt, and dropping the oldest exchange changes its start, so every turn after that
# would evaluate the whole history again (2-3 s on one core). Cut from MAX_EXCHANGES down to
# KEEP_EXCHANGES, the prompt changes at its start once every few turns, and the session has it
# evaluated before the next question comes (`prefill_messages`).
MAX_EXCHANGES = 12
KEEP_EXCHANGES = 6
MAX_REPLY_TOKENS = 80


@dataclass
class Exchange:
    user: str
    assistant: str = ""
    interrupted: bool = False


class Conversation:
    def __init__(self, system_prompt: str = SYSTEM_PROMPT) -> None:
        self.system_prompt = system_prompt
        self.exchanges: list[Exchange] = []

    def messages(self, user_text: str) -> list[BaseMessage]:
        msgs: list[BaseMessage] = [SystemMessage(self.system_prompt)]
        for ex in self.exchanges:
            msgs.append(HumanMessage(ex.user))
            if ex.assistant:
                msgs.append(AIMessage(ex.assistant + (" ..." if ex.interrupted else "")))
        msgs.append(HumanMessage(user_text))
        return msgs

    def record(self, user: str, heard: str, interrupted: bool) -> None:
        """Keep what the user actually heard of the reply, not what the LLM wrote."""
        self.exchanges.append(Exchange(user, heard.strip(), interrupted))
        if len(self.exchanges) > MAX_EXCHANGES:
            del self.exchanges[:-KEEP_EXCHANGES]

    def prefill_messages(self) -> list[BaseMessage]:
        """The next turn's prompt with an empty user message: evaluated ahead (while the user listens or
        speaks), it leaves only their words to evaluate when they come."""
        return self.messages("")


class ReplyStream:
    """Stream a reply's text deltas into the event loop; `cancel()` stops generation at the next token."""

    def __init__(self, chat: Any, config: LLMConfig, messages: list[BaseMessage]) -> None:
        self.chat = chat
        self.config = config
        self.messages = messages
        self._cancel = threading.Event()
        self._go = threading.Event()
        self._go.set()

    def cancel(self) -> None:
        self._cancel.set()
        self._go.set()

    def hold(self) -> None:
        """Pause generation after the current token (the CPU is needed elsewhere); `release()` resumes."""
        self._go.clear()

    def release(self) -> None:
        self._go.set()

    async def deltas(self) -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()

        def produce() -> None:
            gen = None
            try:
                gen = self.chat.stream(self.messages, max_tokens=MAX_REPLY_TOKENS)
                for chunk in gen:
                    self._go.wait()
                    if self._cancel.is_set():
                        break
                    text = chunk.text if isinstance(chunk.text, str) else str(chunk.content)
                    if text:
                        loop.call_soon_threadsafe(queue.put_nowait, ("text", text))
            except Exception as e:  # noqa: BLE001 - handed to the session, which tells the user
                loop.call_soon_threadsafe(queue.put_nowait, ("error", translate_error(e, self.config) or e))
            finally:
                if gen is not None:
                    gen.close()  # frees the embedded model's lock at once on cancel
                loop.call_soon_threadsafe(queue.put_nowait, ("end", None))

        worker = loop.run_in_executor(None, produce)
        try:
            while True:
                kind, value = await queue.get()
                if kind == "end":
                    break
                if kind == "error":
                    raise value
                yield value
        finally:
            self.cancel()
            await asyncio.shield(worker)
