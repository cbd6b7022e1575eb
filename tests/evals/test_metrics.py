"""Plan metrics on hand-built plan pairs whose F1s are worked out by hand in the comments.
F1 = 2tp / (2tp + fp + fn)."""

from __future__ import annotations

from typing import Any

import pytest

from evals.metrics import (
    Counts,
    PlanView,
    confusion,
    per_tool,
    registry_defaults,
    score_plan,
    totals,
    values_match,
    view_plan,
)


def steps(*specs: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"id": f"s{i}", "tool": t, "args": a} for i, (t, a) in enumerate(specs, 1)]


@pytest.fixture(scope="module")
def defaults(registry) -> dict[str, dict[str, Any]]:
    return registry_defaults(registry)


def plan(*specs: tuple[str, dict[str, Any]], defaults: dict | None = None, namer=None) -> PlanView:
    return view_plan("steps", steps(*specs), namer, defaults)


def test_identical_plans_score_one_everywhere() -> None:
    p = plan(("trim", {"audio": "@upload-1", "start": 5}), ("gain", {"audio": "@s1", "db": 3}))
    s = score_plan(p, p)
    assert (s.nodes.f1, s.edges.f1, s.args.f1) == (1.0, 1.0, 1.0)
    assert s.exact and s.tool_correct
    # edges: upload -> trim, trim -> gain
    assert sorted(p.edges) == [("input:upload-1", "trim"), ("trim", "gain")]


def test_one_wrong_tool_halves_every_f1() -> None:
    gold = plan(("trim", {"audio": "@upload-1", "start": 5}), ("fade", {"audio": "@s1", "fade_out": 1}))
    pred = plan(("trim", {"audio": "@upload-1", "start": 5}), ("gain", {"audio": "@s1", "db": 3}))
    s = score_plan(pred, gold)
    # nodes {trim, gain} vs {trim, fade}: tp 1 (trim), fp 1 (gain), fn 1 (fade) -> 2/4 = 0.5
    assert (s.nodes.tp, s.nodes.fp, s.nodes.fn) == (1, 1, 1) and s.nodes.f1 == 0.5
    # edges {up->trim, trim->gain} vs {up->trim, trim->fade}: tp 1, fp 1, fn 1 -> 0.5
    assert (s.edges.tp, s.edges.fp, s.edges.fn) == (1, 1, 1) and s.edges.f1 == 0.5
    # args: trim.start matches (tp 1); gain.db has no gold step (fp 1); fade.fade_out unmatched (fn 1) -> 0.5
    assert (s.args.tp, s.args.fp, s.args.fn) == (1, 1, 1) and s.args.f1 == 0.5
    assert not s.exact and not s.tool_correct
    assert "missing tools: fade" in s.diffs and "extra tools: gain" in s.diffs


def test_wrong_reference_costs_edges_only() -> None:
    gold = plan(("transcribe", {"audio": "@upload-1"}), ("gain", {"audio": "@upload-1", "db": 3}))
    pred = plan(("transcribe", {"audio": "@upload-1"}), ("gain", {"audio": "@s1", "db": 3}))
    s = score_plan(pred, gold)
    # edges pred {up->transcribe, transcribe->gain} vs gold {up->transcribe, up->gain}: tp 1 fp 1 fn 1 -> 0.5
    assert s.edges.f1 == 0.5 and s.nodes.f1 == 1.0 and s.args.f1 == 1.0
    assert s.tool_correct and not s.exact


def test_step_output_reference_links_from_the_producing_tool() -> None:
    p = plan(("transcribe", {"audio": "@upload-1"}), ("text_to_speech", {"text": "@s1.text"}))
    assert ("transcribe", "text_to_speech") in p.edges
    assert p.steps[1].args == {}  # the reference is an edge, not an argument


def test_registry_defaults_are_dropped_before_scoring(defaults) -> None:
    gold = plan(("loudness_normalize", {"audio": "@upload-1"}), ("reverb", {"audio": "@s1", "wet": 0.5}),
                defaults=defaults)
    # target_lufs -16 and peak_ceiling_db -1 and room "medium" are the registry defaults: dropped.
    pred = plan(("loudness_normalize", {"audio": "@upload-1", "target_lufs": -16, "peak_ceiling_db": -1}),
                ("reverb", {"audio": "@s1", "room": "medium", "wet": 0.5}), defaults=defaults)
    assert pred.steps[0].args == {} and pred.steps[1].args == {"wet": 0.5}
    s = score_plan(pred, gold)
    # args: only reverb.wet on both sides: tp 1 -> 1.0
    assert (s.args.tp, s.args.fp, s.args.fn) == (1, 0, 0) and s.exact
    # a non-default value is kept and counts: pred target -14 vs gold none -> fp 1 -> F1 2/(2+1) = 0.667
    pred2 = plan(("loudness_normalize", {"audio": "@upload-1", "target_lufs": -14}),
                 ("reverb", {"audio": "@s1", "wet": 0.5}), defaults=defaults)
    assert score_plan(pred2, gold).args.f1 == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "pred, gold, tol, ok",
    [
        (10.4, 10, None, True),     # 4% off: inside the default 5% relative
        (10.6, 10, None, False),    # 6% off
        (0.009, 0, None, True),     # 0.01 absolute floor near zero
        (0.02, 0, None, False),
        (5.4, 5, 0.5, True),        # per-argument absolute tolerance
        (5.6, 5, 0.5, False),
        (6, 6, (3.0, 10.0), True),  # a range for vague amounts ("make it louder")
        (11, 6, (3.0, 10.0), False),
        ("Hall", "hall", None, True),  # strings case-insensitively
        ("hall", "cathedral", None, False),
        ("50", "50", None, True),
        (True, 1, None, False),     # a boolean is not a number
    ],
)
def test_values_match_with_tolerances(pred, gold, tol, ok) -> None:
    assert values_match(pred, gold, tol) is ok


def test_item_tolerance_is_applied_per_argument_name() -> None:
    gold = plan(("gain", {"audio": "@upload-1", "db": 6}))
    pred = plan(("gain", {"audio": "@upload-1", "db": 9}))
    assert score_plan(pred, gold).args.f1 == 0.0
    assert score_plan(pred, gold, {"db": (3.0, 10.0)}).args.f1 == 1.0
    assert score_plan(pred, gold, {"gain.db": 3.0}).args.f1 == 1.0


def test_steps_of_the_same_tool_are_aligned_in_order() -> None:
    gold = plan(("gain", {"audio": "@upload-1", "db": 3}), ("gain", {"audio": "@s1", "db": -6}))
    pred = plan(("gain", {"audio": "@upload-1", "db": -6}), ("gain", {"audio": "@s1", "db": 3}))
    s = score_plan(pred, gold)
    # first gain -6 vs 3, second 3 vs -6: tp 0, fp 2, fn 2 -> 0; the tools and links are all right
    assert (s.args.tp, s.args.fp, s.args.fn) == (0, 2, 2) and s.args.f1 == 0.0
    assert s.nodes.f1 == 1.0 and s.edges.f1 == 1.0 and s.tool_correct and not s.exact


def test_refusals() -> None:
    unsupported = PlanView("unsupported")
    both = score_plan(PlanView("unsupported"), unsupported)
    assert both.exact and both.tool_correct and both.nodes.f1 == 1.0  # nothing to count on either side
    acted = score_plan(plan(("gain", {"audio": "@upload-1", "db": 3})), unsupported)
    # a plan where a refusal was right: node fp 1 -> F1 0; wrong outcome
    assert acted.nodes.f1 == 0.0 and not acted.tool_correct and not acted.exact
    asked = score_plan(PlanView("clarify"), unsupported)
    assert not asked.tool_correct  # the outcome must be equal, clarify is not unsupported
    refused = score_plan(PlanView("unsupported"), plan(("gain", {"audio": "@upload-1", "db": 3})))
    assert (refused.nodes.fn, refused.edges.fn, refused.args.fn) == (1, 1, 1) and not refused.tool_correct


def test_tool_set_not_multiset_decides_tool_accuracy() -> None:
    gold = plan(("gain", {"audio": "@upload-1", "db": 3}))
    pred = plan(("gain", {"audio": "@upload-1", "db": 3}), ("gain", {"audio": "@s1", "db": 3}))
    s = score_plan(pred, gold)
    assert s.tool_correct  # same set {gain}
    # nodes: tp 1, fp 1 -> 2/3; args: second gain.db unaligned -> fp 1 -> 2/3
    assert s.nodes.f1 == pytest.approx(2 / 3) and s.args.f1 == pytest.approx(2 / 3) and not s.exact


def test_input_names_map_artifact_ids_to_gold_names() -> None:
    names = {"audio-0123456789": "last"}
    pred = plan(("change_tempo", {"audio": "@audio-0123456789", "rate": 0.8}), namer=lambda t: names.get(t, t))
    gold = plan(("change_tempo", {"audio": "@last", "rate": 0.8}))
    assert score_plan(pred, gold).exact
    assert not score_plan(plan(("change_tempo", {"audio": "@audio-0123456789", "rate": 0.8})), gold).exact


def test_micro_totals_per_tool_and_confusion() -> None:
    good = plan(("trim", {"audio": "@upload-1", "start": 5}), ("gain", {"audio": "@s1", "db": 3}))
    gold2 = plan(("trim", {"audio": "@upload-1", "start": 5}), ("fade", {"audio": "@s1", "fade_out": 1}))
    scores = [score_plan(good, good), score_plan(good, gold2), score_plan(PlanView("clarify"), PlanView("unsupported"))]
    t = totals(scores).to_json()
    # nodes: item 1 tp 2; item 2 tp 1 fp 1 fn 1; item 3 nothing -> tp 3 fp 1 fn 1 -> 6/8 = 0.75
    assert t["node_f1"] == 0.75 and t["edge_f1"] == 0.75 and t["arg_f1"] == 0.75
    assert t["exact_rate"] == pytest.approx(1 / 3, abs=1e-4) and t["tool_accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    pt = per_tool(scores)
    # trim is in both gold plans; only item 1 had the right tool set
    assert pt["trim"]["items"] == 2 and pt["trim"]["accuracy"] == 0.5
    assert pt["fade"]["items"] == 1 and pt["fade"]["accuracy"] == 0.0 and pt["fade"]["recall"] == 0.0
    assert pt["gain"]["items"] == 1 and pt["gain"]["fp"] == 1  # predicted once where fade was wanted
    assert pt["(unsupported)"]["items"] == 1 and pt["(unsupported)"]["accuracy"] == 0.0
    assert confusion(scores) == {"fade": {"gain": 1}, "(unsupported)": {"(clarify)": 1}}


def test_counts_f1_conventions() -> None:
    assert Counts().f1 == 1.0  # nothing expected, nothing predicted
    assert Counts(0, 1, 0).f1 == 0.0
    assert Counts(3, 1, 2).f1 == pytest.approx(6 / 9)
