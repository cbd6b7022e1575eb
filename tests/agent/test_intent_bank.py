"""The intent bank: nearest labelled requests vote, the shipped bank is current and holds no held-out request,
and the rule planner uses it where its tables alone would refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.context import PlanContext
from agent.planners.intent_bank import BANK_PATH, Example, IntentBank, default_bank
from agent.planners.rules import RulePlanner
from evals.data.build_intent_bank import collect
from evals.schema import load_consistency, load_robustness
from tests.agent.planner_helpers import fake_record, steps_of

ROOT = Path(__file__).resolve().parents[2]


def test_the_nearest_examples_vote_on_the_labels() -> None:
    bank = IntentBank([Example("cut the first five seconds", ("trim",)),
                       Example("cut off the last two seconds", ("trim",)),
                       Example("make it louder by 3 dB", ("gain",)),
                       Example("what is the weather tomorrow", ("unsupported",))], k=2)
    guess = bank.guess("please cut the first ten seconds")
    assert guess.top()[0] == "trim" and guess.top()[1] == pytest.approx(1.0)
    assert guess.labels() == {"trim"} and 0 < guess.nearest <= 1
    assert bank.guess("weather tomorrow?").top()[0] == "unsupported"
    assert bank.guess("§§§").votes == {} and bank.guess("§§§").top() == ("", 0.0)


def test_chinese_is_matched_on_characters() -> None:
    bank = IntentBank([Example("把开头三秒剪掉", ("trim",)), Example("声音调大一点", ("gain",))], k=1)
    assert bank.guess("帮我把结尾两秒剪掉吧").top()[0] == "trim"


def test_an_empty_bank_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one example"):
        IntentBank([])


def test_the_shipped_bank_is_built_from_the_current_data() -> None:
    """Rebuild with evals/data/build_intent_bank.py after changing the tune split or a probe file."""
    built = collect(ROOT / "evals" / "data", ROOT / "evals" / "probes", [])
    shipped = [json.loads(line) for line in BANK_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert shipped == built


def test_no_held_out_request_is_in_the_bank() -> None:
    """The held-out split is what the planner's scores are reported on: the bank must never have seen it."""
    data = ROOT / "evals" / "data"
    held_out = {c.request for c in load_consistency(data / "consistency.jsonl") if c.split == "heldout"}
    held_out |= {t.request for r in load_robustness(data / "robustness.jsonl") if r.split == "heldout"
                 for t in r.turns}
    bank = default_bank()
    assert bank is not None and held_out
    assert not held_out & {e.text for e in bank.examples}


def _one_upload() -> PlanContext:
    return PlanContext(uploads=[fake_record(1, "audio", "take.wav")])


def test_a_clause_the_tables_do_not_know_is_context_when_the_neighbours_agree(registry) -> None:
    steps = steps_of("make the HIIT countdown track one and a half times as fast, keep the pitch where it is",
                     _one_upload(), registry)
    assert steps == [("change_tempo", {"audio": "@upload-1", "rate": 1.5})]


def test_still_refuses_what_no_tool_does(registry) -> None:
    plan = RulePlanner().plan("what's the capital of Australia?", _one_upload(), registry)
    assert plan.outcome == "unsupported"


def test_a_question_a_trigger_word_matched_is_still_refused(registry) -> None:
    # "normal" and "recordings" are trigger words, but requests worded like this were refusals
    plan = RulePlanner().plan("Is it normal that my voice sounds weird on recordings?", _one_upload(), registry)
    assert plan.outcome == "unsupported"
    assert "question or a remark" in (plan.unsupported or "")


def test_a_missing_capability_named_as_context_does_not_refuse_the_ask(registry) -> None:
    steps = steps_of("Voiceover for our bakery's promo video. Boost the bass by 3 dB.", _one_upload(), registry)
    assert steps == [("equalize", {"audio": "@upload-1", "bass_db": 3})]
    # asked for, not named in passing: still refused
    plan = RulePlanner().plan("transcribe this and translate it to Spanish", _one_upload(), registry)
    assert plan.outcome == "unsupported" and "translation" in (plan.unsupported or "")
