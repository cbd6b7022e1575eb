"""Rule planner: going back to an earlier file by what it had ("the one with the fridge hum", "有电流声的那个") and
saying which version of it ("the fixed version, not the raw one", "弄干净以后的", "exactly as I uploaded it"). The
words that describe the file are never read as steps to do again."""

from __future__ import annotations

from agent.planners.rules import RulePlanner
from tests.agent.planner_helpers import FakeSession


def _named(s: FakeSession, request: str, registry) -> list[tuple[str, dict]]:
    """The plan's steps with each earlier file written as t<run>.<upload or the tool that made it>."""
    names = {}
    for i, run in enumerate(s.runs, 1):
        names |= {u.id: f"t{i}.upload" for u in run.uploads} | {a.id: f"t{i}.{a.tool}" for a in run.made}
    plan = RulePlanner().plan(request, s.ctx(), registry)
    assert plan.outcome == "steps", plan
    return [(st.tool, {k: names.get(str(v).lstrip("@"), v) for k, v in st.args.items()}) for st in plan.steps]


def _hum_then_other() -> FakeSession:
    s = FakeSession()
    s.run(1, ("remove_hum",), "there's a 50 Hz hum from the fridge under her voice, take the hum out")
    s.run(0, (), "can you book appointments into our calendar?")
    s.run(1, ("gain",), "here's the hold music, 4 dB quieter please")
    return s


def test_the_one_with_a_problem_is_the_file_that_had_it_and_the_problem_is_not_fixed_again(registry) -> None:
    s = _hum_then_other()
    for said in (("OK back to the one with the fridge hum. The fixed version obviously, not the raw one. Level it to "
                  "-19 LUFS"),
                 "the one with the fridge hum, after your cleanup: level it to -19 LUFS",
                 "back to the one with the fridge hum, the cleaned-up version. Level it to -19 LUFS"):
        assert _named(s, said, registry) == [("loudness_normalize", {"audio": "t1.remove_hum", "target_lufs": -19})]


def test_as_uploaded_and_problem_and_all_is_the_file_as_sent(registry) -> None:
    said = "Back to the one with the hum. Give me the recording exactly as I uploaded it, hum and all, as a flac."
    assert _named(_hum_then_other(), said, registry) == [("convert", {"audio": "t1.upload", "format": "flac"})]


def test_a_chinese_description_and_its_version_clause_name_a_file_not_a_step(registry) -> None:
    s = FakeSession()
    s.run(1, ("denoise",), "这段有电流声，帮我降噪")
    s.run(1, ("gain",), "这段小声一点")
    for said in ("有电流声的那个，弄干净以后的，再大声四分贝", "有电流声的那个，降噪以后的，再大声四分贝"):
        assert _named(s, said, registry) == [("gain", {"audio": "t1.denoise", "db": 4})]
    s = FakeSession()
    s.run(1, ("trim",), "有鸡叫的那段，把鸡叫剪掉，2到3秒")
    s.run(1, ("gain",), "这段大声点")
    assert _named(s, "有鸡叫的那段，鸡叫剪掉以后的，放慢到0.9倍", registry) == [
        ("change_tempo", {"audio": "t1.trim", "rate": 0.9})]
