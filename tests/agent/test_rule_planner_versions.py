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


def _two_voiceovers() -> FakeSession:
    s = FakeSession()
    s.run(1, ("change_tempo",), "花店的口播，speed 调到 1.1 倍")
    s.run(1, ("trim",), "这个是包花的声音，只要前 8 秒")
    s.run(0, (), "玫瑰一般能放几天")
    return s


def test_a_version_said_as_what_was_done_to_the_file_sent_is_what_was_made(registry) -> None:
    for said in ("最开始那个口播，加速过的那版，转成mp3", "口播那条，要你调过的，不要我传的那个原始的，转成mp3"):
        assert _named(_two_voiceovers(), said, registry) == [("convert", {"audio": "t1.change_tempo", "format": "mp3"})]


def test_the_file_as_it_was_sent_in_plain_words_is_the_upload(registry) -> None:
    said = "口播那条存档要原汁原味的，就是我刚发给你时候的样子，直接转成flac"
    assert _named(_two_voiceovers(), said, registry) == [("convert", {"audio": "t1.upload", "format": "flac"})]


def test_a_chinese_description_ending_in_de_names_a_version_and_is_no_step(registry) -> None:
    s = FakeSession()
    s.run(1, ("remove_hum",), "开场的解说背景有 60Hz 的 hum，remove 一下")
    s.run(1, ("loudness_normalize",), "这个是片尾的 BGM，normalize 到 -18 LUFS")
    s.run(0, (), "你觉得哪个队会赢")
    assert _named(s, "开场那段去掉 hum 的，转成 mp3", registry) == [
        ("convert", {"audio": "t1.remove_hum", "format": "mp3"})]


def test_a_file_named_before_a_corrected_amount_stays_the_input(registry) -> None:
    s = FakeSession()
    s.run(1, ("gain",), "Priya recorded the shop greeting but she is far too quiet, boost it by 6 dB")
    s.run(1, ("remove_hum",), "and this is Tom reading the same greeting, there's a hum on it")
    s.run(0, (), "which of the two sounds warmer?")
    assert _named(s, "OK we'll go with Priya's after all. Level it to -16... no, -18 LUFS, and make it mono.",
                  registry) == [
        ("loudness_normalize", {"audio": "t1.gain", "target_lufs": -18}), ("resample", {"audio": "@s1", "channels": 1})]
