"""The reply stream against the real embedded LLM: it can be paused (while the first clause is
synthesised) and cancelled mid-reply; the history keeps what was heard."""

import asyncio
import time

import pytest

from agent.llm import LLMConfig, make_chat_model
from realtime.conversation import Conversation, ReplyStream

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chat():
    return make_chat_model(LLMConfig(provider="embedded", n_threads=1))


def test_hold_pauses_generation_and_release_resumes_it(chat):
    config = LLMConfig(provider="embedded")

    async def run():
        stream = ReplyStream(chat, config, Conversation().messages("Tell me a long story about a dragon."))
        arrivals: list[float] = []
        held_at = released_at = 0.0
        async for _ in stream.deltas():
            arrivals.append(time.monotonic())
            if len(arrivals) == 3:
                stream.hold()
                held_at = time.monotonic()
                asyncio.get_running_loop().call_later(0.6, stream.release)
                released_at = held_at + 0.6
        return arrivals, held_at, released_at

    arrivals, held_at, released_at = asyncio.run(run())
    # at most the token being generated when hold() came arrives during the hold
    during = [t for t in arrivals if held_at < t < released_at]
    after = [t for t in arrivals if t >= released_at]
    assert len(during) <= 1, f"{len(during)} deltas arrived while held"
    assert len(after) > 5, "generation did not resume after release()"


@pytest.mark.timeout(60)  # a cancel that does not release the hold hangs the generator thread
def test_cancel_stops_a_held_stream(chat):
    """A barge-in while the first clause is synthesised: the held generation ends, it does not wait for a
    release that never comes."""
    config = LLMConfig(provider="embedded")

    async def run():
        stream = ReplyStream(chat, config, Conversation().messages("Tell me a long story about a dragon."))
        got = 0
        async for _ in stream.deltas():
            got += 1
            if got == 2:
                stream.hold()
                asyncio.get_running_loop().call_later(0.2, stream.cancel)
        return got

    assert asyncio.run(asyncio.wait_for(run(), 10)) <= 3  # held after 2; at most the one in flight after that


def test_history_keeps_what_was_heard():
    c = Conversation()
    c.record("Tell me a story.", "Once upon a time", interrupted=True)
    msgs = c.messages("What happened next?")
    assert [m.type for m in msgs] == ["system", "human", "ai", "human"]
    assert msgs[2].content == "Once upon a time ..."


def test_history_is_cut_in_blocks_so_the_prompt_start_rarely_changes():
    from realtime.conversation import KEEP_EXCHANGES, MAX_EXCHANGES

    c = Conversation()
    starts = set()
    for i in range(MAX_EXCHANGES + 3):
        c.record(f"question {i}", f"answer {i}", interrupted=False)
        starts.add(c.messages("next")[1].content)  # the oldest question kept
    assert len(c.exchanges) == KEEP_EXCHANGES + 2
    assert starts == {"question 0", f"question {MAX_EXCHANGES + 1 - KEEP_EXCHANGES}"}


def test_prefill_is_the_next_prompt_without_the_users_words():
    c = Conversation()
    c.record("Hi", "Hello there.", interrupted=False)
    ahead, real = c.prefill_messages(), c.messages("How are you?")
    assert [m.type for m in ahead] == [m.type for m in real]
    assert [m.content for m in ahead[:-1]] == [m.content for m in real[:-1]] and ahead[-1].content == ""
