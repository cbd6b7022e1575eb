"""Loading eval data: typed items, and errors that name the file line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.schema import EvalDataError, lint_gold, load_consistency, load_robustness, select

DATA = Path(__file__).parent / "data"

GOOD = {"id": "a", "split": "tune", "lang": "en", "style": "terse", "request": "cut first 5s", "inputs": ["audio"],
        "previous": None, "expect": {"steps": [{"id": "s1", "tool": "trim", "args": {"audio": "@upload-1", "start": 5}}]},
        "tolerance": {"start": 0.5, "db": [3, 10]}}


def test_the_fixtures_load() -> None:
    items = load_consistency(DATA / "consistency_small.jsonl")
    assert [i.id for i in items][:2] == ["t-trim-gain", "h-translate"]
    assert items[1].expect.kind == "unsupported" and items[0].expect.kind == "steps"
    rob = load_robustness(DATA / "robustness_small.jsonl")
    assert {r.category for r in rob} == {"fault", "unsupported", "context_break"}
    assert rob[0].turns[-1].fault is not None and rob[0].turns[-1].fault.tool == "gain"


def test_tolerance_forms() -> None:
    from evals.schema import ConsistencyItem

    item = ConsistencyItem.model_validate(GOOD)
    assert item.tolerance == {"start": 0.5, "db": (3.0, 10.0)}


def test_bad_lines_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({**GOOD, "id": "b", "split": "train"}),
        json.dumps({**GOOD, "id": "c", "expect": {"steps": [], "outcome": None}}),
        "",
        json.dumps(GOOD),  # the same id again
    ]
    f = tmp_path / "c.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(EvalDataError) as e:
        load_consistency(f)
    msg = e.value.message
    assert "4 bad line(s)" in msg
    assert f"{f}:2: not JSON" in msg
    assert f"{f}:3: b: split" in msg
    assert f"{f}:4: c:" in msg
    assert f"{f}:6: id 'a' already used on line 1" in msg


def test_robustness_structure_rules(tmp_path: Path) -> None:
    turn = {"request": "make it louder", "inputs": ["audio"], "expect": {"steps": [
        {"id": "s1", "tool": "gain", "args": {"audio": "@upload-1", "db": 6}}]}}
    bad = [
        {"id": "x", "category": "fault", "lang": "en", "split": "tune", "turns": [turn]},  # no fault
        {"id": "y", "category": "fault", "lang": "en", "split": "tune",
         "turns": [{**turn, "fault": {"kind": "timeout"}}]},  # a timeout needs a tool
        {"id": "z", "category": "long_chain", "lang": "en", "split": "tune",
         "turns": [{**turn, "fault": {"kind": "exception", "tool": "gain"}}]},  # faults only in fault items
    ]
    f = tmp_path / "r.jsonl"
    f.write_text("\n".join(json.dumps(b) for b in bad), encoding="utf-8")
    with pytest.raises(EvalDataError) as e:
        load_robustness(f)
    assert ":1: x:" in e.value.message and ":2: y:" in e.value.message and ":3: z:" in e.value.message


def test_select_by_split_ids_and_limit() -> None:
    items = load_consistency(DATA / "consistency_small.jsonl")
    assert [i.id for i in select(items, "heldout")] == ["h-translate", "h-room-mismatch", "h-zh-trim"]
    assert [i.id for i in select(items, ids=["h-zh-trim", "t-trim-gain"])] == ["t-trim-gain", "h-zh-trim"]
    assert len(select(items, limit=2)) == 2
    with pytest.raises(EvalDataError):
        select(items, ids=["nope"])


def test_lint_gold_flags_plans_the_validator_rejects(registry) -> None:
    from evals.schema import Expect

    ok = Expect.model_validate({"steps": [{"id": "s1", "tool": "change_tempo", "args": {"audio": "@last", "rate": 0.8}}]})
    assert lint_gold(ok, [], "audio", registry) == []
    bad = Expect.model_validate({"steps": [
        {"id": "s1", "tool": "trim", "args": {"audio": "@upload-2", "start": 5}},
        {"id": "s2", "tool": "gain", "args": {"audio": "@s1", "decibels": 3}},
    ]})
    problems = lint_gold(bad, ["audio"], None, registry)
    assert any("@upload-2 does not exist" in p for p in problems)
    assert any("no argument 'decibels'" in p for p in problems)
    future = Expect.model_validate({"steps": [{"id": "s1", "tool": "fade", "args": {"audio": "@turn-3", "fade_out": 1}}]})
    assert any("turn that has not happened" in p for p in lint_gold(future, [], None, registry, earlier_turns=1))
